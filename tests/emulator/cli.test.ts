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
import { isLoopbackHost, parseArgs } from "../../emulator/cli";
import { ACME, AUTH, DEV_ORG, DEV_USER, exampleBody } from "./support";

const root = resolve(__dirname, "../..");
const LISTENING = /^Cloud Elements emulator listening on (http:\/\/\S+\/elements\/api-v2)\n/;
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
    for (const child of running) child.kill("SIGKILL");
    running.clear();
});

function run(args: string[]): { child: ChildProcessWithoutNullStreams; out: { stdout: string; stderr: string } } & {
    exit: Launched["exit"];
} {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: workDir });
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
async function launch(args: string[]): Promise<Launched> {
    const { child, out, exit } = run(args);
    const baseUrl = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(
            () => reject(new Error(`no listening line after 20 s; stderr: ${out.stderr}`)),
            20_000,
        );
        const check = () => {
            const match = LISTENING.exec(out.stdout);
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

async function post(baseUrl: string, body: unknown, auth = AUTH) {
    const response = await fetch(`${baseUrl}/instances`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
}

describe("cloud-elements-emulator CLI", () => {
    it("prints its URL, serves, logs requests to stderr without secrets, persists and stops cleanly", async () => {
        const statePath = join(workDir, "state.json");
        const first = await launch(["--port", "0", "--state", statePath]);
        expect(first.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/elements\/api-v2$/);
        const created = await post(first.baseUrl, exampleBody());
        expect(created.status).toBe(200);
        expect(created.json.configuration.username).toBe("********");
        // The control client works from this (another) process.
        const control = new EmulatorControl(first.baseUrl);
        expect((await control.instances()).map((i) => i.tokenFingerprint)).toEqual([fingerprint(created.json.token)]);
        await new Promise((r) => setTimeout(r, 100));
        expect(first.stderr()).toMatch(/POST \/elements\/api-v2\/instances 200 \d+ms/);
        for (const secret of [ACME.apiKeys[0], DEV_USER.userSecret, DEV_ORG.organizationSecret, created.json.token]) {
            expect(first.stderr()).not.toContain(secret);
        }
        first.child.kill("SIGTERM");
        expect(await first.exit).toEqual({ code: 0, signal: null });
        // Exactly one line on stdout.
        expect(first.stdout()).toBe(`Cloud Elements emulator listening on ${first.baseUrl}\n`);
        expect(JSON.parse(await readFile(statePath, "utf8")).instances).toHaveLength(1);

        const second = await launch(["--port=0", `--state=${statePath}`]);
        const read = await fetch(`${second.baseUrl}/instances/${created.json.id}`, {
            headers: { authorization: AUTH },
        });
        expect(read.status).toBe(200);
        expect(((await read.json()) as { token: string }).token).toBe(created.json.token);
        second.child.kill("SIGINT");
        expect(await second.exit).toEqual({ code: 0, signal: null });
    }, 60_000);

    it("takes an accounts file and the masking and validation switches", async () => {
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
            "--no-mask-username",
            "--no-validate-credentials",
        ]);
        expect(emulator.stderr()).not.toContain("built-in development accounts");
        expect((await post(emulator.baseUrl, exampleBody())).status).toBe(401);
        const created = await post(
            emulator.baseUrl,
            { ...exampleBody(), configuration: { subdomain: "anything", username: "any-key-at-all" } },
            "User ci-user, Organization ci-org",
        );
        expect(created.status).toBe(200);
        expect(created.json.configuration.username).toBe("any-key-at-all");
        emulator.child.kill("SIGTERM");
        expect((await emulator.exit).code).toBe(0);
    }, 60_000);

    it("prints help and exits 0", async () => {
        const { out, exit } = run(["--help"]);
        expect((await exit).code).toBe(0);
        expect(out.stdout).toContain("Usage: cloud-elements-emulator");
        expect(out.stdout).toContain("--no-validate-credentials");
    }, 30_000);

    it("exits 2 on a bad option, 1 on an unreadable accounts file", async () => {
        const bad = run(["--bogus"]);
        expect((await bad.exit).code).toBe(2);
        expect(bad.out.stderr).toContain("unknown option --bogus");
        const badPort = run(["--port", "99999"]);
        expect((await badPort.exit).code).toBe(2);
        const missing = run(["--port", "0", "--accounts", join(workDir, "missing.json")]);
        expect((await missing.exit).code).toBe(1);
        expect(missing.out.stderr).toContain("missing.json");
        expect(missing.out.stdout).toBe("");
    }, 30_000);

    it("warns on stderr when the host is not a loopback address", async () => {
        // 192.0.2.1 (TEST-NET-1) is never assigned locally: the warning is printed, then listening fails.
        const { out, exit } = run(["--port", "0", "--host", "192.0.2.1"]);
        expect((await exit).code).toBe(1);
        expect(out.stderr).toMatch(/warning: listening on 192\.0\.2\.1, which is not a loopback address/);
        expect(out.stdout).toBe("");
    }, 30_000);
});

describe("CLI helpers", () => {
    it("parses options with defaults for humans", () => {
        expect(parseArgs([])).toEqual({
            port: 8765,
            host: "127.0.0.1",
            maskUsername: true,
            validateCredentials: true,
            help: false,
        });
        expect(
            parseArgs(["--port=0", "--host", "::1", "--state", "s.json", "--accounts=a.json", "--no-mask-username"]),
        ).toEqual({
            port: 0,
            host: "::1",
            statePath: "s.json",
            accountsPath: "a.json",
            maskUsername: false,
            validateCredentials: true,
            help: false,
        });
        expect(() => parseArgs(["--port"])).toThrow(/needs a value/);
        expect(() => parseArgs(["--port", "--state"])).toThrow(/needs a value/);
        expect(() => parseArgs(["--port", "http"])).toThrow(/--port/);
        expect(() => parseArgs(["--no-mask-username=yes"])).toThrow(/takes no value/);
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
