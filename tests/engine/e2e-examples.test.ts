/**
 * The examples under `examples/` as users run them: each is copied to `tests/.work` with the package linked to the
 * repository, type-checked with its own tsconfig, then driven by the plain CLI against the emulator (`up`, outputs,
 * `destroy`); `basic` is also installed with `npm install` outside the repository, as its README says. For `ci`, the
 * workflow is checked for what a security review asks (which steps get which secret, explicit backend login, the
 * credential check before `up`, lockfile, action versions) and against the README, and its jobs' `run:` steps are run
 * verbatim through bash by a small runner (tests/helpers/workflow.ts): the pull-request job against the emulator it
 * starts from the package's bin, the deploy job twice from fresh checkouts and once with a wrong secret.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCommand } from "../helpers/commands";
import { repoRoot } from "../helpers/pulumi";
import {
    accountFor,
    cli,
    describeRequests,
    findSecrets,
    fingerprint,
    instancesTagged,
    packageName,
    useE2E,
    workProgram,
} from "../helpers/stacks";
import { jobCommands, runJob, splitCommands, type Workflow, type WorkflowStep } from "../helpers/workflow";

// js-yaml comes with @pulumi/pulumi; only `load` is needed.
const yaml: { load(text: string): unknown } = require("js-yaml");

jest.setTimeout(400_000);

const examples = path.join(repoRoot, "examples");
const fastTs = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
/** Subdomains the per-environment example's stack files name. */
const exampleSubdomains = ["acme-dev", "acme-staging", "acme"];

const ctx = useE2E({ label: "examples", extraSubdomains: exampleSubdomains });
let printed = "";

function copyExample(name: string): string {
    return ctx.trackDir(workProgram(path.join(examples, name), `example-${name}`, "symlink"));
}

/** Type-checks an example with its own tsconfig.json, against the built package's declarations. */
async function typeCheck(dir: string): Promise<void> {
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const result = await runCommand(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json"), "--noEmit"], {
        cwd: dir,
    });
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
    const dir = ctx.trackDir(fs.mkdtempSync(path.join(os.tmpdir(), "cef-example-basic-")));
    fs.cpSync(path.join(examples, "basic"), dir, {
        recursive: true,
        // Not its lockfile: it pins the package as file:../.., rewritten below.
        filter: (src) => !src.includes(`${path.sep}node_modules`) && path.basename(src) !== "package-lock.json",
    });
    const manifestFile = path.join(dir, "package.json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    expect(manifest.dependencies[packageName]).toBe("file:../..");
    manifest.dependencies[packageName] = `file:${repoRoot}`;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 4));
    const npm = await runCommand(
        "npm",
        ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
        {
            cwd: dir,
        },
    );
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
        const config = (yaml.load(text) as { config: Record<string, unknown> }).config;
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

test.each(["basic", "per-environment", "ci"])(
    "%s: the committed lockfile matches the example's and the package's manifests (npm ci accepts it)",
    (name) => {
        const dir = path.join(examples, name);
        const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"));
        const example = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        const root = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
        expect(lock.packages[""].dependencies).toEqual(example.dependencies);
        expect(lock.packages[""].devDependencies).toEqual(example.devDependencies);
        const locked = lock.packages[`node_modules/${packageName}`];
        expect(locked).toMatchObject({ version: root.version, resolved: "file:../..", bin: root.bin });
        expect(locked.dependencies).toEqual(root.dependencies);
        expect(locked.peerDependencies).toEqual(root.peerDependencies);
    },
);

describe("ci", () => {
    const ciDir = path.join(examples, "ci");
    const workflowFile = path.join(ciDir, ".github", "workflows", "pulumi.yml");
    const readme = fs.readFileSync(path.join(ciDir, "README.md"), "utf8");
    const workflow = yaml.load(fs.readFileSync(workflowFile, "utf8")) as Workflow;
    const { "pull-request": prJob, deploy: deployJob } = workflow.jobs;
    /** Installs the harness does itself: the copy is linked to the built package (the lockfile is checked apart). */
    const isInstall = (step: WorkflowStep) => step.run?.trim() === "npm ci";

    test("the workflow: pull requests against the emulator, deploys on main, secrets only where they are used", () => {
        expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
        expect(workflow.on.pull_request.branches).toEqual(["main"]);
        expect(workflow.on.push.branches).toEqual(["main"]);
        expect(Object.keys(workflow.jobs).sort()).toEqual(["deploy", "pull-request"]);
        expect(prJob.if).toBe("github.event_name == 'pull_request'");
        expect(deployJob.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
        expect(workflow.permissions).toEqual({ contents: "read" });

        // Pull-request code gets no secret and no environment; the emulator is what it talks to.
        expect(JSON.stringify(prJob)).not.toMatch(/secrets\./);
        expect(prJob.environment).toBeUndefined();
        expect(jobCommands(prJob).some((c) => c.startsWith("setsid npx cloud-elements-emulator --port"))).toBe(true);
        // No secret at the workflow or job level: install scripts (npm ci) run in the job too.
        expect(JSON.stringify(workflow.env ?? {})).not.toMatch(/secrets\./);
        expect(JSON.stringify(deployJob.env ?? {})).not.toMatch(/secrets\./);
        expect(deployJob.environment).toBe("production");
        expect(deployJob.concurrency).toEqual({ group: "pulumi-prod", "cancel-in-progress": false });
        const withSecrets = deployJob.steps.filter((s) => JSON.stringify(s.env ?? {}).includes("secrets."));
        expect(withSecrets.map((s) => s.name)).toEqual([
            "Log in to the state backend",
            "Check the credentials and show the plan",
            "Deploy",
        ]);
        // Each step that holds a secret runs pulumi and nothing else.
        for (const step of withSecrets) {
            expect(splitCommands(step.run ?? "").filter((c) => c !== "" && !c.startsWith("pulumi "))).toEqual([]);
            for (const value of Object.values(step.env ?? {}))
                expect(value).toMatch(/^\$\{\{ (secrets|vars)\.\w+ \}\}$/);
        }
        // The backend login is explicit and comes first; the credential check precedes the up.
        const deployCommands = jobCommands(deployJob).filter((c) => c.startsWith("pulumi "));
        expect(deployCommands[0]).toBe('pulumi login "$PULUMI_STATE_URL"');
        const checkAt = deployCommands.findIndex((c) => c.startsWith("pulumi preview --refresh"));
        expect(checkAt).toBeGreaterThan(0);
        expect(checkAt).toBeLessThan(deployCommands.findIndex((c) => c.startsWith("pulumi up")));
        expect(jobCommands(prJob).filter((c) => c.startsWith("pulumi "))[0]).toBe(
            'pulumi login "file://$RUNNER_TEMP/pulumi-state"',
        );

        for (const job of [prJob, deployJob]) {
            const uses = job.steps.map((s) => s.uses).filter(Boolean);
            expect(uses).toEqual(["actions/checkout@v7", "actions/setup-node@v7", "pulumi/actions@v7"]);
            // Installs come from the committed lockfile.
            expect(job.steps.filter((s) => s.run?.includes("npm install"))).toEqual([]);
            expect(job.steps.filter(isInstall).length).toBe(2);
        }
    });

    test("the README shows exactly the commands the workflow runs", () => {
        const section = readme.slice(readme.indexOf("## The commands CI runs"), readme.indexOf("## The emulator as"));
        const documented = [...section.matchAll(/^```bash\n([\s\S]*?)^```/gm)].flatMap((m) => splitCommands(m[1]));
        const run = [...jobCommands(prJob), ...jobCommands(deployJob)];
        const interesting = (c: string) => /^(pulumi|npm|setsid npx) /.test(c);
        for (const command of run.filter(interesting)) expect(documented).toContain(command);
        for (const command of documented.filter(interesting)) expect(run).toContain(command);
    });

    test("pull-request job: runs end to end against the emulator from the installed package, and stops it", async () => {
        const dir = copyExample("ci");
        await typeCheck(dir);
        // What `npm ci` puts in node_modules/.bin for the package's bin (the harness links the built package).
        const shim = path.join(dir, "node_modules", ".bin", "cloud-elements-emulator");
        fs.mkdirSync(path.dirname(shim), { recursive: true });
        fs.writeFileSync(
            shim,
            `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, "bin", "emulator", "cli.js")}" "$@"\n`,
            { mode: 0o755 },
        );
        const cliVersion = (await cli(ctx, dir, ["version"])).stdout.trim().replace(/^v/, "");
        for (const job of [prJob, deployJob]) {
            expect(job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with).toEqual({
                "pulumi-version": cliVersion,
            });
        }

        const run = await runJob(prJob, workflow, {
            directories: { ".": repoRoot, "examples/ci": dir },
            skip: isInstall,
            env: { ...fastTs, EMULATOR_PORT: "0" },
        });
        printed += run.output;
        try {
            expect(run.skipped).toHaveLength(2);
            if (!run.ok) throw new Error(run.output);
            expect(run.output).toMatch(/\+ 2 created/);
            expect(run.output).toMatch(/- 2 deleted/);
            // The last step stopped the emulator's whole process group (npx and the emulator under it).
            const group = Number(fs.readFileSync(path.join(run.runnerTemp, "emulator.pid"), "utf8"));
            await waitFor(() => !processGroupAlive(group), "the emulator to stop");
        } finally {
            fs.rmSync(run.runnerTemp, { recursive: true, force: true });
        }
    });

    describe("deploy job", () => {
        const account = () => ctx.accounts.freshdesk[1];
        const inputs = (dir: string, secrets: Record<string, string> = {}) => ({
            directories: { ".": repoRoot, "examples/ci": dir },
            skip: isInstall,
            env: fastTs,
            vars: {
                PULUMI_STATE_URL: ctx.backend.backendUrl,
                CLOUD_ELEMENTS_BASE_URL: ctx.baseUrl,
                FRESHDESK_SUBDOMAIN: account().subdomain,
            },
            secrets: {
                // PULUMI_ACCESS_TOKEN stays unset: a file backend needs none (GitHub passes an empty string).
                PULUMI_CONFIG_PASSPHRASE: ctx.backend.env.PULUMI_CONFIG_PASSPHRASE,
                CLOUD_ELEMENTS_USER_SECRET: ctx.accounts.userSecret,
                CLOUD_ELEMENTS_ORGANIZATION_SECRET: ctx.accounts.organizationSecret,
                FRESHDESK_API_KEY: account().apiKeys[0],
                ...secrets,
            },
        });
        const runDeploy = async (dir: string, opts: { until?: string; secrets?: Record<string, string> } = {}) => {
            const run = await runJob(deployJob, workflow, { ...inputs(dir, opts.secrets), until: opts.until });
            printed += run.output;
            fs.rmSync(run.runnerTemp, { recursive: true, force: true });
            return run;
        };
        const checkStep = "Check the credentials and show the plan";

        test("from two fresh checkouts: up on main; then the check reads each instance once and finds no change; wrong credentials fail the check", async () => {
            const first = copyExample("ci");
            await typeCheck(first);
            const deployed = await runDeploy(first);
            if (!deployed.ok) throw new Error(deployed.output);
            const [instance] = await instancesTagged(ctx.control, "deployed-by:ci");
            expect(instance).toMatchObject({
                name: "support-prod",
                apiKeyFingerprint: fingerprint(account().apiKeys[0]),
            });
            expect(instance.tags).toContain("env:prod");
            expect(deployed.output).toMatch(/token\s+\[secret\]/);
            const outputs = JSON.parse(await pulumi(first, ["stack", "output", "--json", "--stack", "prod"]));
            expect(outputs).toEqual({ instanceId: instance.id, token: "[secret]" });

            // A second run starts from a fresh checkout and a fresh runner: no Pulumi.prod.yaml, no login.
            const second = copyExample("ci");
            expect(fs.existsSync(path.join(second, "Pulumi.prod.yaml"))).toBe(false);
            let mark = await ctx.log.mark();
            const checked = await runDeploy(second, { until: checkStep });
            if (!checked.ok) throw new Error(checked.output);
            expect(checked.ran.at(-1)).toBe(checkStep);
            expect(checked.output).toContain("2 unchanged");
            // The stated cost of the check: one GET per instance, nothing else.
            expect(describeRequests(await ctx.log.since(mark))).toEqual([`GET /instances/${instance.id} 200`]);

            // Wrong credentials: the check fails (a preview without --refresh would pass with 0 API calls).
            mark = await ctx.log.mark();
            const refused = await runDeploy(second, {
                until: checkStep,
                secrets: { CLOUD_ELEMENTS_USER_SECRET: "not-the-user-secret" },
            });
            expect(refused.ok).toBe(false);
            expect(refused.ran.at(-1)).toBe(checkStep);
            expect(refused.output).toMatch(/401/);
            expect(describeRequests(await ctx.log.since(mark))).toEqual([`GET /instances/${instance.id} 401`]);

            await cli(ctx, second, ["destroy", "--yes", "--skip-preview", "--stack", "prod"], ctx.connectionEnv());
            expect(await instancesTagged(ctx.control, "deployed-by:ci")).toEqual([]);
            await pulumi(second, ["stack", "rm", "--yes", "prod"]);
            expect(findSecrets(printed, ctx.knownSecrets())).toEqual([]);
        });
    });
});

/** Whether any process of the group `pgid` is alive. */
function processGroupAlive(pgid: number): boolean {
    try {
        process.kill(-pgid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Polls `condition` every 50 ms until it holds; fails after 10 s naming `what`. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
