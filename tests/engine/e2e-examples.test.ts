/**
 * The examples under `examples/` as users run them: each is copied to `tests/.work` with the package linked to the
 * repository, type-checked with its own tsconfig, then driven by the plain CLI against the emulator (`up`, outputs,
 * `destroy`); `basic` is also installed with `npm install` outside the repository, as its README says. For `ci`, the workflow file is parsed and checked against the README, and
 * its `pulumi` commands are run verbatim through bash, twice from fresh checkouts, as two CI runs would.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiBinDir, repoRoot } from "../helpers/pulumi";
import {
    accountFor,
    cli,
    describeRequests,
    type E2EContext,
    findSecrets,
    fingerprint,
    instancesTagged,
    packageName,
    startE2E,
    workProgram,
} from "../helpers/stacks";

// js-yaml comes with @pulumi/pulumi; only `load` is needed.
const yaml: { load(text: string): any } = require("js-yaml");

jest.setTimeout(400_000);

const examples = path.join(repoRoot, "examples");
const fastTs = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
/** Subdomains the per-environment example's stack files name. */
const exampleSubdomains = ["acme-dev", "acme-staging", "acme"];

let ctx: E2EContext;
const workDirs: string[] = [];
let printed = "";

beforeAll(async () => {
    ctx = await startE2E({ label: "examples", extraSubdomains: exampleSubdomains });
});

afterAll(async () => {
    await ctx?.close();
    for (const dir of workDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function copyExample(name: string): string {
    const dir = workProgram(path.join(examples, name), `example-${name}`, "symlink");
    workDirs.push(dir);
    return dir;
}

function exec(file: string, args: string[], opts: { cwd: string; env?: Record<string, string> }) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
            file,
            args,
            { cwd: opts.cwd, env: { ...process.env, ...opts.env }, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) =>
                resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
    });
}

/** Type-checks an example with its own tsconfig.json, against the built package's declarations. */
async function typeCheck(dir: string): Promise<void> {
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const result = await exec(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json"), "--noEmit"], { cwd: dir });
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.code).toBe(0);
}

async function pulumi(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const result = await cli(ctx, dir, args, { ...fastTs, ...env });
    // What --show-secrets prints is meant to hold secrets; everything else is scanned.
    if (!args.includes("--show-secrets")) printed += result.stdout + result.stderr;
    if (result.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
}

async function setSecrets(dir: string, stack: string, apiKey: string): Promise<void> {
    await pulumi(dir, ["config", "set", "--stack", stack, "cloudelements:baseUrl", ctx.baseUrl]);
    await pulumi(dir, [
        "config",
        "set",
        "--stack",
        stack,
        "--secret",
        "cloudelements:userSecret",
        ctx.accounts.userSecret,
    ]);
    await pulumi(dir, [
        "config",
        "set",
        "--stack",
        stack,
        "--secret",
        "cloudelements:organizationSecret",
        ctx.accounts.organizationSecret,
    ]);
    await pulumi(dir, ["config", "set", "--stack", stack, "--secret", "apiKey", apiKey]);
}

test("basic: up creates one instance, token secret; destroy deletes it", async () => {
    const dir = copyExample("basic");
    await typeCheck(dir);
    const [account] = ctx.accounts.freshdesk;
    await pulumi(dir, ["stack", "init", "dev"]);
    await pulumi(dir, ["config", "set", "subdomain", account.subdomain]);
    await setSecrets(dir, "dev", account.apiKeys[0]);

    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    const [instance] = await instancesTagged(ctx.control, "example:basic");
    expect(instance).toMatchObject({ name: "freshdesk-basic-dev", apiKeyFingerprint: fingerprint(account.apiKeys[0]) });
    expect(instance.configuration.subdomain).toBe(account.subdomain);
    const outputs = JSON.parse(await pulumi(dir, ["stack", "output", "--json"]));
    expect(outputs).toEqual({ instanceId: instance.id, instanceName: "freshdesk-basic-dev", token: "[secret]" });
    const token = (await pulumi(dir, ["stack", "output", "token", "--show-secrets"])).trim();
    expect(fingerprint(token)).toBe(instance.tokenFingerprint);
    expect(findSecrets(await pulumi(dir, ["stack", "export"]), { ...ctx.knownSecrets(), token })).toEqual([]);

    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instancesTagged(ctx.control, "example:basic")).toEqual([]);
    await pulumi(dir, ["stack", "rm", "--yes", "dev"]);
});

test("basic, installed as the README says (npm install: a packed copy of the package) outside the repository", async () => {
    // Outside the repository, so nothing resolves from its node_modules: the example's own install must suffice.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cef-example-basic-"));
    workDirs.push(dir);
    fs.cpSync(path.join(examples, "basic"), dir, {
        recursive: true,
        filter: (src) => !src.includes(`${path.sep}node_modules`),
    });
    const manifestFile = path.join(dir, "package.json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    expect(manifest.dependencies[packageName]).toBe("file:../..");
    manifest.dependencies[packageName] = `file:${repoRoot}`;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 4));
    const npm = await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: dir,
    });
    expect(npm.code).toBe(0);
    // .npmrc install-links=true: a copy, so the package shares the example's @pulumi/pulumi.
    expect(fs.lstatSync(path.join(dir, "node_modules", packageName)).isSymbolicLink()).toBe(false);
    expect(fs.existsSync(path.join(dir, "node_modules", packageName, "bin", "provider", "implementation.js"))).toBe(
        true,
    );

    const [, account] = ctx.accounts.freshdesk;
    await pulumi(dir, ["stack", "init", "dev"]);
    await pulumi(dir, ["config", "set", "subdomain", account.subdomain]);
    await pulumi(dir, ["config", "set", "instanceName", "installed-basic"]);
    await setSecrets(dir, "dev", account.apiKeys[0]);
    // As users run it: ts-node type-checks the program.
    const up = await cli(ctx, dir, ["up", "--yes", "--skip-preview"]);
    printed += up.stdout + up.stderr;
    expect(up.code).toBe(0);
    const [instance] = (await instancesTagged(ctx.control, "example:basic")).filter(
        (i) => i.name === "installed-basic",
    );
    expect(instance.configuration.subdomain).toBe(account.subdomain);
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instancesTagged(ctx.control, "example:basic")).toEqual([]);
    await pulumi(dir, ["stack", "rm", "--yes", "dev"]);
});

test("per-environment: the committed stack files hold no secrets", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        const text = fs.readFileSync(path.join(examples, "per-environment", `Pulumi.${stack}.yaml`), "utf8");
        const config = yaml.load(text).config as Record<string, unknown>;
        // No encrypted value either: secrets are added per stack with `pulumi config set --secret`.
        expect(JSON.stringify(config)).not.toContain('"secure"');
        expect(text).not.toContain("encryptionsalt");
        expect(Object.keys(config).filter((key) => /apiKey|Secret/i.test(key))).toEqual([]);
        expect(config["freshdesk-per-environment:subdomain"]).toBe(
            exampleSubdomains[["dev", "staging", "prod"].indexOf(stack)],
        );
    }
});

test("per-environment: dev, staging and prod from one program, each with its own settings", async () => {
    const dir = copyExample("per-environment");
    await typeCheck(dir);
    const stacks = ["dev", "staging", "prod"] as const;
    for (const [i, stack] of stacks.entries()) {
        await pulumi(dir, ["stack", "init", stack]);
        await setSecrets(dir, stack, accountFor(ctx.accounts, exampleSubdomains[i]).apiKeys[0]);
        await pulumi(dir, ["up", "--yes", "--skip-preview", "--stack", stack]);
    }
    const byEnv = Object.fromEntries(
        await Promise.all(stacks.map(async (s) => [s, (await instancesTagged(ctx.control, `env:${s}`))[0]] as const)),
    );
    expect(new Set(stacks.map((s) => byEnv[s].id)).size).toBe(3);

    expect(byEnv.dev).toMatchObject({ name: "support-dev" });
    expect(byEnv.dev.tags).toEqual(expect.arrayContaining(["env:dev", "team:support"]));
    expect(byEnv.dev.configuration).toMatchObject({ subdomain: "acme-dev", "filter.response.nulls": "false" });
    expect(byEnv.dev.configuration["event.notification.enabled"] ?? "false").toBe("false");

    expect(byEnv.staging).toMatchObject({ name: "support-staging" });
    expect(byEnv.staging.configuration).toMatchObject({
        subdomain: "acme-staging",
        "filter.response.nulls": "true",
        "event.notification.enabled": "true",
        "event.notification.callback.url": "https://hooks-staging.example.com/freshdesk/events",
        "event.poller.refresh_interval": "15",
    });

    expect(byEnv.prod).toMatchObject({ name: "support-prod" });
    expect(byEnv.prod.tags).toEqual(expect.arrayContaining(["env:prod", "team:support", "tier:critical"]));
    expect(byEnv.prod.configuration).toMatchObject({
        subdomain: "acme",
        "event.notification.enabled": "true",
        "event.notification.callback.url": "https://hooks.example.com/freshdesk/events",
        "event.poller.refresh_interval": "5",
    });

    // The secrets set with --secret are stored encrypted in the stack files of the working copy.
    for (const stack of stacks) {
        const text = fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8");
        expect(text).toContain("secure:");
        expect(findSecrets(text, ctx.knownSecrets())).toEqual([]);
    }

    for (const stack of stacks) {
        const mark = await ctx.log.mark();
        await pulumi(dir, ["destroy", "--yes", "--skip-preview", "--stack", stack]);
        expect(describeRequests((await ctx.log.since(mark)).filter((r) => r.method !== "GET"))).toEqual([
            `DELETE /instances/${byEnv[stack].id} 200`,
        ]);
        await pulumi(dir, ["stack", "rm", "--yes", stack]);
    }
    expect(await ctx.control.instances()).toEqual([]);
    expect(findSecrets(printed, ctx.knownSecrets())).toEqual([]);
});

describe("ci", () => {
    const workflowFile = path.join(examples, "ci", ".github", "workflows", "pulumi.yml");
    const readme = fs.readFileSync(path.join(examples, "ci", "README.md"), "utf8");
    const workflow = yaml.load(fs.readFileSync(workflowFile, "utf8"));

    /** The `run:` commands of a job's steps that call pulumi, in order. */
    function pulumiCommands(job: string): string[] {
        return (workflow.jobs[job].steps as any[])
            .filter((s) => typeof s.run === "string")
            .flatMap((s) => s.run.split("\n"))
            .map((line: string) => line.trim())
            .filter((line: string) => line.startsWith("pulumi "));
    }

    test("the workflow parses: preview on pull requests, up on main, secrets from the secret store", () => {
        expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
        expect(workflow.on.pull_request.branches).toEqual(["main"]);
        expect(workflow.on.push.branches).toEqual(["main"]);
        expect(workflow.jobs.preview.if).toBe("github.event_name == 'pull_request'");
        expect(workflow.jobs.up.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
        expect(pulumiCommands("preview").some((c) => c.startsWith("pulumi preview "))).toBe(true);
        expect(pulumiCommands("preview").some((c) => c.startsWith("pulumi up"))).toBe(false);
        expect(pulumiCommands("up").some((c) => c.startsWith("pulumi up --yes "))).toBe(true);
        for (const job of ["preview", "up"]) {
            const uses = (workflow.jobs[job].steps as any[]).map((s) => s.uses).filter(Boolean);
            expect(uses).toEqual(
                expect.arrayContaining([
                    expect.stringMatching(/^actions\/checkout@/),
                    expect.stringMatching(/^pulumi\/actions@/),
                ]),
            );
        }
        // Every secret comes from the secret store, never a literal.
        for (const name of [
            "PULUMI_CONFIG_PASSPHRASE",
            "CLOUD_ELEMENTS_USER_SECRET",
            "CLOUD_ELEMENTS_ORGANIZATION_SECRET",
            "FRESHDESK_API_KEY",
        ]) {
            expect(workflow.env[name]).toBe(`\${{ secrets.${name} }}`);
        }
    });

    test("the README shows exactly the commands the workflow runs", () => {
        const documented = [...readme.matchAll(/^```bash\n([\s\S]*?)^```/gm)]
            .flatMap((m) => m[1].split("\n"))
            .map((line) => line.replace(/\s+#.*$/, "").trim())
            .filter((line) => line.startsWith("pulumi ") || line.startsWith("npm "));
        const run = ["preview", "up"].flatMap((job) => pulumiCommands(job));
        for (const command of run) expect(documented).toContain(command);
        // And the README's CI commands are all in the workflow (the local-run block repeats two of them).
        for (const command of documented.filter((c) => c.startsWith("pulumi "))) expect(run).toContain(command);
        const npm = (workflow.jobs.up.steps as any[]).filter((s) => s.run?.startsWith("npm ")).map((s) => s.run);
        for (const command of npm) expect(documented).toContain(command);
    });

    test("the workflow's commands work from two fresh checkouts: up on main, then a preview with no changes", async () => {
        const account = ctx.accounts.freshdesk[1];
        const ciEnv = {
            ...ctx.backend.env,
            ...fastTs,
            ...ctx.connectionEnv(),
            PULUMI_STACK: "prod",
            FRESHDESK_SUBDOMAIN: account.subdomain,
            FRESHDESK_API_KEY: account.apiKeys[0],
            PATH: `${pulumiBinDir()}${path.delimiter}${process.env.PATH ?? ""}`,
        };
        const bash = async (dir: string, command: string) => {
            const result = await exec("bash", ["-euo", "pipefail", "-c", command], { cwd: dir, env: ciEnv });
            printed += result.stdout + result.stderr;
            if (result.code !== 0)
                throw new Error(`${command} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
            return result.stdout;
        };

        const first = copyExample("ci");
        await typeCheck(first);
        for (const command of pulumiCommands("up")) await bash(first, command);
        const [instance] = await instancesTagged(ctx.control, "deployed-by:ci");
        expect(instance).toMatchObject({ name: "support-prod", apiKeyFingerprint: fingerprint(account.apiKeys[0]) });
        expect(instance.tags).toContain("env:prod");
        const outputs = await bash(first, 'pulumi stack output --json --stack "$PULUMI_STACK"');
        expect(JSON.parse(outputs)).toEqual({ instanceId: instance.id, token: "[secret]" });

        // A second run starts from a fresh checkout: no Pulumi.prod.yaml, the stack exists only in the backend.
        const second = copyExample("ci");
        expect(fs.existsSync(path.join(second, "Pulumi.prod.yaml"))).toBe(false);
        const mark = await ctx.log.mark();
        let previewOutput = "";
        for (const command of pulumiCommands("preview")) previewOutput += await bash(second, command);
        expect(previewOutput).toContain("2 unchanged");
        expect(await ctx.log.since(mark)).toEqual([]);

        await bash(second, 'pulumi destroy --yes --skip-preview --stack "$PULUMI_STACK" --non-interactive');
        expect(await instancesTagged(ctx.control, "deployed-by:ci")).toEqual([]);
        await bash(second, 'pulumi stack rm --yes "$PULUMI_STACK" --non-interactive');
        expect(findSecrets(printed, ctx.knownSecrets())).toEqual([]);
    });
});
