/**
 * The CLI as a child process: compiled from emulator/ with the build configuration (into a temporary folder, so
 * the suite neither depends on nor disturbs bin/ of other packages), then spawned with `node`.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { EmulatorControl, fingerprint } from "../../emulator";
import { controlTokenEnv, docsPath, hostWarning, isLoopbackHost, parseCommandLine, usage } from "../../emulator/cli";
import { acmeAccount, call, devAuthorization, devOrganization, devUser, exampleBody, until } from "../helpers/emulator";

const root = resolve(__dirname, "../..");
const listening = /^Cloud Elements emulator listening on (http:\/\/\S+\/elements\/api-v2)\n/;
let workDir: string;
let cliPath: string;

beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "ce-emulator-cli-"));
    const tsconfig = join(workDir, "tsconfig.json");
    await writeFile(
        tsconfig,
        JSON.stringify({
            extends: join(root, "tsconfig.build.json"),
            compilerOptions: {
                rootDir: root,
                outDir: join(workDir, "out"),
                typeRoots: [join(root, "node_modules", "@types")],
                declaration: false,
                sourceMap: false,
                // Emit only: `npm test` type-checks the sources once before jest.
                noCheck: true,
            },
            include: [join(root, "emulator")],
        }),
    );
    await promisify(execFile)(
        process.execPath,
        [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig],
        {
            cwd: root,
        },
    );
    cliPath = join(workDir, "out", "emulator", "cli.js");
}, 120_000);

afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
});

interface Launched {
    child: ChildProcessWithoutNullStreams;
    baseUrl: string;
    stdout: () => string;
    stderr: () => string;
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

afterEach(() => {
    for (const child of running) {
        child.kill("SIGKILL");
    }
    running.clear();
});

function run(
    args: string[],
    env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcessWithoutNullStreams; out: { stdout: string; stderr: string } } & {
    exit: Launched["exit"];
} {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: workDir, env });
    running.add(child);
    const out = { stdout: "", stderr: "" };
    child.stdout.on("data", (chunk: Buffer) => {
        out.stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
        out.stderr += chunk.toString("utf8");
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
        child.on("close", (code, signal) => {
            running.delete(child);
            resolveExit({ code, signal });
        });
    });
    return { child, out, exit };
}

/** Spawns the CLI and resolves once it printed its listening line. */
async function launch(args: string[], env?: NodeJS.ProcessEnv): Promise<Launched> {
    const { child, out, exit } = run(args, env);
    const baseUrl = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(
            () => reject(new Error(`no listening line after 20 s; stderr: ${out.stderr}`)),
            20_000,
        );
        const check = () => {
            const match = listening.exec(out.stdout);
            if (match) {
                clearTimeout(timer);
                resolveUrl(match[1]);
            }
        };
        child.stdout.on("data", check);
        exit.then(({ code }) => {
            clearTimeout(timer);
            reject(new Error(`exited with ${code} before listening; stderr: ${out.stderr}`));
        });
    });
    return { child, baseUrl, exit, stdout: () => out.stdout, stderr: () => out.stderr };
}

function post(baseUrl: string, body: unknown, auth = devAuthorization) {
    return call(baseUrl, "POST", "/instances", { body, auth });
}

describe("cloud-elements-emulator CLI", () => {
    it("prints its URL, serves, logs requests to stderr without secrets, persists and stops cleanly", async () => {
        const statePath = join(workDir, "state.json");
        const first = await launch(["--port", "0", "--state", statePath]);
        expect(first.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/elements\/api-v2$/);
        const created = await post(first.baseUrl, exampleBody());
        expect(created.status).toBe(200);
        // The API key comes back in clear by default (the platform may do so); the logs never show it.
        expect(created.json.configuration.username).toBe("FRESHDESK_API_KEY");
        // The control client works from this (another) process.
        const control = new EmulatorControl(first.baseUrl);
        expect((await control.instances()).map((i) => i.tokenFingerprint)).toEqual([fingerprint(created.json.token)]);
        expect(await until(() => /POST \/elements\/api-v2\/instances 200 \d+ms/.test(first.stderr()), 10_000, 20)).toBe(
            true,
        );
        for (const secret of [
            acmeAccount.apiKeys[0],
            devUser.userSecret,
            devOrganization.organizationSecret,
            created.json.token,
        ]) {
            expect(first.stderr()).not.toContain(secret);
        }
        first.child.kill("SIGTERM");
        expect(await first.exit).toEqual({ code: 0, signal: null });
        // Exactly one line on stdout.
        expect(first.stdout()).toBe(`Cloud Elements emulator listening on ${first.baseUrl}\n`);
        expect(JSON.parse(await readFile(statePath, "utf8")).instances).toHaveLength(1);

        const second = await launch(["--port=0", `--state=${statePath}`]);
        const read = await call(second.baseUrl, "GET", `/instances/${created.json.id}`);
        expect(read.status).toBe(200);
        expect(read.json.token).toBe(created.json.token);
        second.child.kill("SIGINT");
        expect(await second.exit).toEqual({ code: 0, signal: null });
    }, 60_000);

    it("takes an accounts file and the masking, validation and empty-tag-search switches", async () => {
        const accountsPath = join(workDir, "accounts.json");
        await writeFile(
            accountsPath,
            JSON.stringify({
                organizations: [
                    { organizationSecret: "ci-org", users: [{ userSecret: "ci-user", email: "ci@example.com" }] },
                ],
                freshdesk: [{ subdomain: "ci", apiKeys: ["ci-key"] }],
            }),
        );
        const emulator = await launch([
            "--port",
            "0",
            "--accounts",
            accountsPath,
            "--mask-username",
            "--no-validate-credentials",
            "--empty-tag-search",
            "[]",
        ]);
        expect(emulator.stderr()).not.toContain("built-in development accounts");
        expect((await post(emulator.baseUrl, exampleBody())).status).toBe(401);
        const created = await post(
            emulator.baseUrl,
            { ...exampleBody(), configuration: { subdomain: "anything", username: "any-key-at-all" } },
            "User ci-user, Organization ci-org",
        );
        expect(created.status).toBe(200);
        expect(created.json.configuration.username).toBe("********");
        const none = await call(emulator.baseUrl, "GET", "/instances?tags[]=nothing", {
            auth: "User ci-user, Organization ci-org",
        });
        expect(none.status).toBe(200);
        expect(none.json).toEqual([]);
        emulator.child.kill("SIGTERM");
        expect((await emulator.exit).code).toBe(0);
    }, 60_000);

    it("prints help describing every option and the shipped documentation, and exits 0", async () => {
        const { out, exit } = run(["--help"]);
        expect((await exit).code).toBe(0);
        expect(out.stdout).toContain("Usage: cloud-elements-emulator");
        for (const option of [
            "--port",
            "--host",
            "--control-token",
            controlTokenEnv,
            "--accounts",
            "--state",
            "--mask-username",
            "--no-mask-username",
            "--no-validate-credentials",
            "--empty-tag-search",
            "--help",
        ]) {
            expect(out.stdout).toContain(option);
        }
        expect(out.stdout).toContain("docs/emulator.md");
        // From the sources (and from bin/ in the package) the path it names is this repository's docs/emulator.md.
        expect(docsPath).toBe(resolve(root, "docs", "emulator.md"));
        expect(usage).toContain(docsPath);
    }, 30_000);

    it("requires the control token on the control API when one is given (flag or environment)", async () => {
        const token = "cli-control-token-0815";
        for (const [args, env] of [
            [["--port", "0", "--host", "127.0.0.1", "--control-token", token], process.env],
            [["--port", "0"], { ...process.env, [controlTokenEnv]: token }],
        ] as const) {
            const emulator = await launch([...args], env);
            const bare = await new EmulatorControl(emulator.baseUrl).health().catch((error: unknown) => error);
            expect(bare).toMatchObject({ status: 401 });
            expect((await new EmulatorControl(emulator.baseUrl, { token }).health()).status).toBe("ok");
            expect(emulator.stderr()).not.toContain(token);
            emulator.child.kill("SIGTERM");
            expect((await emulator.exit).code).toBe(0);
        }
    }, 60_000);

    it("exits 2 on a bad option, 1 on an unreadable accounts file", async () => {
        const bad = run(["--bogus"]);
        expect((await bad.exit).code).toBe(2);
        expect(bad.out.stderr).toContain("Unknown option '--bogus'");
        const badPort = run(["--port", "99999"]);
        expect((await badPort.exit).code).toBe(2);
        const missing = run(["--port", "0", "--accounts", join(workDir, "missing.json")]);
        expect((await missing.exit).code).toBe(1);
        expect(missing.out.stderr).toContain("missing.json");
        expect(missing.out.stdout).toBe("");
    }, 30_000);

    it("warns when the host is not a loopback address, saying whether the control API is off", () => {
        // Only the decision is tested: the suites never listen off loopback.
        expect(hostWarning("127.0.0.1", undefined)).toBeUndefined();
        expect(hostWarning("0.0.0.0", undefined)).toMatch(
            /listening on 0\.0\.0\.0, which is not a loopback address; the control API \(\/__emulator\) is off/,
        );
        expect(hostWarning("0.0.0.0", "t")).toMatch(/requires the control token/);
    });
});

describe("CLI helpers", () => {
    it("parses options with defaults for humans", () => {
        expect(parseCommandLine([])).toEqual({
            port: 8765,
            host: "127.0.0.1",
            maskUsername: false,
            validateCredentials: true,
            emptyTagSearch: "404",
            help: false,
        });
        expect(
            parseCommandLine([
                "--port=0",
                "--host",
                "::1",
                "--state",
                "s.json",
                "--accounts=a.json",
                "--mask-username",
                "--control-token",
                "tok",
                "--empty-tag-search=[]",
                "-h",
            ]),
        ).toEqual({
            port: 0,
            host: "::1",
            controlToken: "tok",
            statePath: "s.json",
            accountsPath: "a.json",
            maskUsername: true,
            validateCredentials: true,
            emptyTagSearch: "[]",
            help: true,
        });
        expect(parseCommandLine(["-p", "9"], { [controlTokenEnv]: "from-env" })).toMatchObject({
            port: 9,
            controlToken: "from-env",
        });
        expect(parseCommandLine(["--control-token=flag"], { [controlTokenEnv]: "env" }).controlToken).toBe("flag");
        expect(parseCommandLine(["--no-mask-username"]).maskUsername).toBe(false);
        expect(() => parseCommandLine(["--port"])).toThrow(/--port/);
        expect(() => parseCommandLine(["--port", "--state"])).toThrow(/--port/);
        expect(() => parseCommandLine(["--port", "http"])).toThrow(/--port/);
        expect(() => parseCommandLine(["--no-mask-username=yes"])).toThrow(/--no-mask-username/);
        expect(() => parseCommandLine(["--mask-username", "--no-mask-username"])).toThrow(/exclude/);
        expect(() => parseCommandLine(["--empty-tag-search", "200"])).toThrow(/--empty-tag-search/);
        expect(() => parseCommandLine(["--control-token="])).toThrow(/--control-token/);
        expect(() => parseCommandLine(["stray"])).toThrow(/stray/);
    });

    it("recognises loopback hosts", () => {
        for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) {
            expect(isLoopbackHost(host)).toBe(true);
        }
        for (const host of ["0.0.0.0", "::", "192.168.1.10", "example.com", "10.0.0.1"]) {
            expect(isLoopbackHost(host)).toBe(false);
        }
    });
});
