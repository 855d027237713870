/**
 * The examples under `examples/` as users run them: each is copied to `tests/.work` with the package linked to the
 * repository, type-checked with its own tsconfig, then driven by the plain CLI against the emulator (`up`, outputs,
 * `destroy`); `basic` is also installed with `npm install` outside the repository, as its README says. For `ci`, the
 * jobs' `run:` steps are run verbatim through bash by a small runner (tests/helpers/workflow.ts), each from a fresh
 * checkout and runner: the pull-request job against the emulator it starts from the package's bin; on a file backend,
 * every job of a real stack refusing a stack that was not created by hand, then staging, production's preview (its
 * summary and change summary passed on as GitHub would), a deploy refused for a change other than the approved one,
 * the approved deploy, a no-change preview at its stated cost, wrong credentials failing the preview, and a pending
 * create stopping the jobs at the guard until the recover job clears it. Not run:
 * the installs (the copy is linked to the built package) and the `uses:` steps, among them the OIDC token exchange,
 * which needs GitHub. The workflow's security checklist is asserted in tests/unit/ci-workflow.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "../helpers/commands";
import { configSetAllArgs, repoRoot } from "../helpers/pulumi";
import {
    accountFor,
    cli,
    describeRequests,
    findSecrets,
    fingerprint,
    freshdeskType,
    instancesTagged,
    packageName,
    useE2E,
    workProgram,
} from "../helpers/stacks";
import { type JobInputs, type JobRun, runJob, type Workflow, type WorkflowStep } from "../helpers/workflow";

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

/** What the type check of each example printed and its exit code, once per file (every copy of one is the same). */
const typeChecks = new Map<string, Promise<{ output: string; code: number }>>();

/**
 * Type-checks an example (its copy `dir`) with its own tsconfig.json, against the built package's declarations. The
 * copies of one example are identical, so `tsc` runs for the first and the others get its result.
 */
async function typeCheck(name: string, dir: string): Promise<void> {
    let check = typeChecks.get(name);
    if (!check) {
        const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
        check = runCommand(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json"), "--noEmit"], {
            cwd: dir,
        }).then((result) => ({ output: `${result.stdout}${result.stderr}`, code: result.code }));
        typeChecks.set(name, check);
    }
    const { output, code } = await check;
    expect(output).toBe("");
    expect(code).toBe(0);
}

async function pulumi(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const result = await cli(ctx, dir, args, { ...fastTs, ...env });
    // What --show-secrets prints is meant to hold secrets; everything else is scanned.
    if (!args.includes("--show-secrets")) {
        printed += result.stdout + result.stderr;
    }
    if (result.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
}

/** Points a stack at the emulator and sets its secrets (and any plain `values`) in one `pulumi config set-all`. */
async function setSecrets(dir: string, stack: string, apiKey: string, values: Record<string, string> = {}) {
    const plain = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value }]));
    const config = { ...ctx.connectionConfig(), apiKey: { value: apiKey, secret: true }, ...plain };
    await pulumi(dir, [...configSetAllArgs(config), "--stack", stack]);
}

test("basic: up creates one instance, token secret; destroy deletes it", async () => {
    const dir = copyExample("basic");
    await typeCheck("basic", dir);
    const [account] = ctx.accounts.freshdesk;
    await pulumi(dir, ["stack", "init", "dev"]);
    await setSecrets(dir, "dev", account.apiKeys[0], { subdomain: account.subdomain });

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

/**
 * A copy of the package's sources (what its build and `npm pack` read, not bin/) with the repository's node_modules
 * linked, for `npm install` of a `file:` dependency: npm runs the package's `prepare` build where the package is,
 * and in the repository that would rewrite the bin/ that the suites running alongside this one load.
 */
function packageSource(): string {
    const dir = ctx.trackDir(fs.mkdtempSync(path.join(os.tmpdir(), "cef-package-source-")));
    const root = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { files: string[] };
    const build = JSON.parse(fs.readFileSync(path.join(repoRoot, "tsconfig.build.json"), "utf8")) as {
        include: string[];
    };
    const entries = new Set(["package.json", "tsconfig.json", "tsconfig.build.json", ...build.include]);
    for (const pattern of root.files) {
        entries.add(pattern.split("/")[0]);
    }
    entries.delete("bin");
    for (const entry of entries) {
        fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

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
    manifest.dependencies[packageName] = `file:${packageSource()}`;
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
    await setSecrets(dir, "dev", account.apiKeys[0], { subdomain: account.subdomain, instanceName: "installed-basic" });
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
    await typeCheck("per-environment", dir);
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
    const workflow = yaml.load(fs.readFileSync(workflowFile, "utf8")) as Workflow;
    const jobs = workflow.jobs;
    /** Installs the harness does itself: the copy is linked to the built package (the lockfile is checked apart). */
    const isInstall = (step: WorkflowStep) => step.run?.trim() === "npm ci";
    // The workflow's checklist and its README are asserted without running anything in tests/unit/ci-workflow.test.ts.

    test("pull-request job: runs end to end against the emulator from the installed package, and stops it", async () => {
        const dir = copyExample("ci");
        await typeCheck("ci", dir);
        // What `npm ci` puts in node_modules/.bin for the package's bin (the harness links the built package).
        const shim = path.join(dir, "node_modules", ".bin", "cloud-elements-emulator");
        fs.mkdirSync(path.dirname(shim), { recursive: true });
        fs.writeFileSync(
            shim,
            `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, "bin", "emulator", "cli.js")}" "$@"\n`,
            { mode: 0o755 },
        );
        // The CLI the harness puts on PATH is the one every job installs (pulumi/actions is not run).
        const cliVersion = (await cli(ctx, dir, ["version"])).stdout.trim().replace(/^v/, "");
        for (const job of Object.values(jobs)) {
            expect(job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with).toEqual({
                "pulumi-version": cliVersion,
            });
        }

        const run = await runJob(jobs["pull-request"], workflow, {
            directories: { ".": repoRoot, "examples/ci": dir },
            skip: isInstall,
            env: { ...fastTs, EMULATOR_PORT: "0" },
        });
        printed += run.output;
        try {
            expect(run.skipped).toHaveLength(2);
            if (!run.ok) {
                throw new Error(run.output);
            }
            expect(run.output).toMatch(/\+ 2 created/);
            expect(run.output).toMatch(/- 2 deleted/);
            // The last step stopped the emulator's whole process group (npx and the emulator under it).
            const group = Number(fs.readFileSync(path.join(run.runnerTemp, "emulator.pid"), "utf8"));
            await waitFor(() => !processGroupAlive(group), "the emulator to stop");
        } finally {
            fs.rmSync(run.runnerTemp, { recursive: true, force: true });
        }
    });

    describe("main: staging, preview-production, deploy-production, recover", () => {
        // Steps that need GitHub are not run: the installs (the copy is linked to the built package) and the `uses:`
        // steps, among them the OIDC exchange (pulumi/auth-actions), which the workflow skips on a file backend.
        const accountOf = (stack: string) => accountFor(ctx.accounts, stack === "prod" ? "acme" : "acme-staging");
        const inputs = (dir: string, stack: string, over: Partial<JobInputs> = {}): JobInputs => ({
            directories: { ".": repoRoot, "examples/ci": dir },
            skip: isInstall,
            env: fastTs,
            vars: {
                PULUMI_STATE_URL: ctx.backend.backendUrl,
                CLOUD_ELEMENTS_BASE_URL: ctx.baseUrl,
                FRESHDESK_SUBDOMAIN: accountOf(stack).subdomain,
            },
            ...over,
            secrets: {
                PULUMI_CONFIG_PASSPHRASE: ctx.backend.env.PULUMI_CONFIG_PASSPHRASE,
                CLOUD_ELEMENTS_USER_SECRET: ctx.accounts.userSecret,
                CLOUD_ELEMENTS_ORGANIZATION_SECRET: ctx.accounts.organizationSecret,
                FRESHDESK_API_KEY: accountOf(stack).apiKeys[0],
                ...over.secrets,
            },
        });
        const run = async (name: string, dir: string, stack: string, over: Partial<JobInputs> = {}) => {
            const result = await runJob(jobs[name], workflow, inputs(dir, stack, over));
            printed += result.output + result.summary;
            // What the jobs leave in $RUNNER_TEMP (previews, plans) holds no secret either.
            for (const file of fs.readdirSync(result.runnerTemp, { recursive: true }) as string[]) {
                const full = path.join(result.runnerTemp, file);
                if (fs.statSync(full).isFile()) {
                    printed += fs.readFileSync(full, "utf8");
                }
            }
            fs.rmSync(result.runnerTemp, { recursive: true, force: true });
            return result;
        };
        const failedAt = (result: JobRun) => result.ran.at(-1);
        const ciInstances = async (stack: string) =>
            (await instancesTagged(ctx.control, "deployed-by:ci")).filter((i) => i.tags.includes(`env:${stack}`));

        test("a missing stack is refused at the selection, with no Cloud Elements call; nothing is created", async () => {
            const dir = copyExample("ci");
            for (const [name, stack] of [
                ["staging", "staging"],
                ["preview-production", "prod"],
                ["deploy-production", "prod"],
            ]) {
                const mark = await ctx.log.mark();
                const refused = await run(name, dir, stack, {
                    needs: { "preview-production": { "change-summary": '{"create":2}' } },
                });
                expect([name, refused.ok, failedAt(refused)]).toEqual([
                    name,
                    false,
                    "Select the stack (created once by hand, never here)",
                ]);
                expect(refused.output).toContain(`::error::no stack ${stack} in this backend`);
                expect(describeRequests(await ctx.log.since(mark))).toEqual([]);
            }
            const stacks = await pulumi(dir, ["stack", "ls", "--json"]);
            expect(JSON.parse(stacks)).toEqual([]);
        });

        test("staging, then production's preview into the summary, then the approved deploy; a different change is refused", async () => {
            const setup = copyExample("ci");
            await typeCheck("ci", setup);
            // Created once by hand, as the README says.
            await pulumi(setup, ["stack", "init", "staging"]);
            await pulumi(setup, ["stack", "init", "prod"]);

            // Each job from a fresh checkout and a fresh runner: no Pulumi.<stack>.yaml, no login.
            const staging = await run("staging", copyExample("ci"), "staging");
            if (!staging.ok) {
                throw new Error(staging.output);
            }
            expect(staging.summary).toContain(`### staging at ${"0".repeat(40)}\n\`\`\`diff\n`);
            expect(staging.summary).toMatch(/\+ 2 to create/);
            const [stagingInstance] = await ciInstances("staging");
            expect(stagingInstance).toMatchObject({
                name: "support-staging",
                apiKeyFingerprint: fingerprint(accountOf("staging").apiKeys[0]),
            });
            expect(staging.output).toMatch(/token\s+\[secret\]/);

            let mark = await ctx.log.mark();
            const preview = await run("preview-production", copyExample("ci"), "prod");
            if (!preview.ok) {
                throw new Error(preview.output);
            }
            expect(preview.summary).toContain(`### prod at ${"0".repeat(40)}\n\`\`\`diff\n`);
            expect(preview.summary).toMatch(/\+ 2 to create/);
            expect(preview.outputs).toEqual({ "change-summary": '{"create":2}' });
            expect(describeRequests(await ctx.log.since(mark))).toEqual([]);
            expect(await ciInstances("prod")).toEqual([]);

            // A change summary other than the approved one: refused before the up, nothing written.
            mark = await ctx.log.mark();
            const other = await run("deploy-production", copyExample("ci"), "prod", {
                needs: { "preview-production": { "change-summary": '{"same":2}' } },
            });
            expect(other.ok).toBe(false);
            expect(failedAt(other)).toBe("Refuse a change other than the approved one");
            expect(other.output).toContain('::error::approved {"same":2}, would now make {"create":2}');
            expect(describeRequests(await ctx.log.since(mark))).toEqual([]);
            expect(await ciInstances("prod")).toEqual([]);

            const deployed = await run("deploy-production", copyExample("ci"), "prod", {
                needs: { "preview-production": preview.outputs },
            });
            if (!deployed.ok) {
                throw new Error(deployed.output);
            }
            const [instance] = await ciInstances("prod");
            expect(instance).toMatchObject({
                name: "support-prod",
                apiKeyFingerprint: fingerprint(accountOf("prod").apiKeys[0]),
            });
            expect(deployed.output).toMatch(/token\s+\[secret\]/);
            const outputs = JSON.parse(await pulumi(setup, ["stack", "output", "--json", "--stack", "prod"]));
            expect(outputs).toEqual({ instanceId: instance.id, token: "[secret]" });

            // The next preview finds no change, at the stated cost: one GET per instance per preview (two previews).
            mark = await ctx.log.mark();
            const again = await run("preview-production", copyExample("ci"), "prod");
            if (!again.ok) {
                throw new Error(again.output);
            }
            expect(again.outputs).toEqual({ "change-summary": '{"same":2}' });
            expect(describeRequests(await ctx.log.since(mark))).toEqual([
                `GET /instances/${instance.id} 200`,
                `GET /instances/${instance.id} 200`,
            ]);

            // Wrong credentials: the preview fails (a preview without --refresh would pass with 0 API calls).
            mark = await ctx.log.mark();
            const refused = await run("preview-production", copyExample("ci"), "prod", {
                secrets: { CLOUD_ELEMENTS_USER_SECRET: "not-the-user-secret" },
            });
            expect(refused.ok).toBe(false);
            expect(failedAt(refused)).toBe("Preview");
            expect(refused.output).toMatch(/401/);
            expect(describeRequests(await ctx.log.since(mark))).toEqual([`GET /instances/${instance.id} 401`]);

            // A killed up leaves a pending create (made here by a state edit, with a marker no instance carries):
            // every job stops at the guard before any Cloud Elements call, the recover job clears it, the guard passes.
            // `pulumi stack import` drops pending operations, so the file backend's checkpoint is edited in place.
            const stateFile = path.join(
                fileURLToPath(ctx.backend.backendUrl),
                ".pulumi",
                "stacks",
                "freshdesk-ci",
                "prod.json",
            );
            const checkpoint = JSON.parse(fs.readFileSync(stateFile, "utf8"));
            const latest = checkpoint.checkpoint.latest;
            const managed = latest.resources.find((r: { type: string }) => r.type === freshdeskType);
            latest.pending_operations = [
                {
                    type: "creating",
                    resource: {
                        ...managed,
                        urn: managed.urn.replace(/helpdesk$/, "helpdesk-interrupted"),
                        id: "",
                        outputs: {},
                        inputs: { ...managed.inputs, createMarker: "ci-interrupted-create" },
                    },
                },
            ];
            fs.writeFileSync(stateFile, JSON.stringify(checkpoint, null, 4));
            mark = await ctx.log.mark();
            const guarded = await run("preview-production", copyExample("ci"), "prod");
            expect(guarded.ok).toBe(false);
            expect(failedAt(guarded)).toBe("Refuse to go on over pending operations");
            expect(guarded.output).toContain("::error::1 pending operation(s): run the recover job");
            expect(describeRequests(await ctx.log.since(mark))).toEqual([]);

            const recoverDir = copyExample("ci");
            const recoverBin = path.join(recoverDir, "node_modules", ".bin", "cloudelements-freshdesk-recover");
            fs.mkdirSync(path.dirname(recoverBin), { recursive: true });
            fs.writeFileSync(
                recoverBin,
                `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, "bin", "cli", "recover.js")}" "$@"\n`,
                { mode: 0o755 },
            );
            const recovered = await run("recover", recoverDir, "prod", { inputs: { stack: "prod" } });
            if (!recovered.ok) {
                throw new Error(recovered.output);
            }
            expect(recovered.ran.at(-1)).toBe("Refuse to go on over pending operations");
            expect(recovered.summary).toContain("### recovery of prod at");
            expect(recovered.summary).toContain("ci-interrupted-create");
            expect(recovered.summary).toContain("dry run: nothing changed");
            expect((await ciInstances("prod")).map((i) => i.id)).toEqual([instance.id]);
            const after = await run("preview-production", copyExample("ci"), "prod");
            if (!after.ok) {
                throw new Error(after.output);
            }
            expect(after.outputs).toEqual({ "change-summary": '{"same":2}' });

            for (const stack of ["staging", "prod"]) {
                await cli(ctx, setup, ["destroy", "--yes", "--skip-preview", "--stack", stack], {
                    ...ctx.connectionEnv(),
                    FRESHDESK_SUBDOMAIN: accountOf(stack).subdomain,
                    FRESHDESK_API_KEY: accountOf(stack).apiKeys[0],
                });
                await pulumi(setup, ["stack", "rm", "--yes", stack]);
            }
            expect(await instancesTagged(ctx.control, "deployed-by:ci")).toEqual([]);
            expect(findSecrets(printed, ctx.knownSecrets())).toEqual([]);
            // About 30 CLI runs: minutes on a loaded machine (a limit, not a measure).
        }, 1_200_000);
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
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
