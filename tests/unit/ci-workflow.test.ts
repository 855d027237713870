/**
 * The CI recipe (`examples/ci/.github/workflows/pulumi.yml`) against its security checklist, without running it:
 * actionlint finds nothing in it (and does find the mistakes of a broken fixture, so that its silence means
 * something), and each checklist item the workflow can carry is asserted on the parsed YAML (pins, permissions,
 * timeouts, checkout credentials, caches, stack selection, refresh, pending-operations guard, preview before the
 * approval, staging first, concurrency, OIDC, where secrets go). The README is compared with the commands the jobs
 * run. tests/engine/e2e-examples.test.ts runs the jobs' `run:` steps against the emulator.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand } from "../helpers/commands";
import { jobCommands, splitCommands, type Workflow, type WorkflowJob, type WorkflowStep } from "../helpers/workflow";

// js-yaml comes with @pulumi/pulumi; only `load` is needed (the version comments are read from the raw lines).
const yaml: { load(text: string): unknown } = require("js-yaml");

// actionlint runs shellcheck over every run: script when it is installed: seconds on a busy machine.
jest.setTimeout(60_000);

const repoRoot = path.resolve(__dirname, "..", "..");
const ciDir = path.join(repoRoot, "examples", "ci");
const workflowFile = path.join(ciDir, ".github", "workflows", "pulumi.yml");
const brokenFixture = path.join(repoRoot, "tests", "fixtures", "ci", "broken-workflow.yml");
const text = fs.readFileSync(workflowFile, "utf8");
const workflow = yaml.load(text) as Workflow;
const readme = fs.readFileSync(path.join(ciDir, "README.md"), "utf8");
const jobs = workflow.jobs;

/** Jobs that hold a real environment's secrets (everything but the pull-request job). */
const deployJobNames = ["staging", "preview-production", "deploy-production", "recover"];
/** Jobs that change a stack. */
const writerNames = ["staging", "deploy-production", "recover"];
const job = (name: string): WorkflowJob => {
    const found = jobs[name];
    if (!found) {
        throw new Error(`no job ${name}`);
    }
    return found;
};
const usesOf = (j: WorkflowJob, action: string) => j.steps.filter((s) => s.uses?.startsWith(`${action}@`));
const stepIndex = (j: WorkflowJob, name: string) => {
    const at = j.steps.findIndex((s) => s.name === name);
    if (at < 0) {
        throw new Error(`no step ${name}`);
    }
    return at;
};
/** The run steps that call pulumi (or the recovery command, which does) with the given start. */
const commandIndexes = (j: WorkflowJob, pattern: RegExp) =>
    j.steps.flatMap((s, i) => (splitCommands(s.run ?? "").some((c) => pattern.test(c)) ? [i] : []));
const guardStep = "Refuse to go on over pending operations";
/** A GitHub expression as the workflow spells it: `${{ expr }}`. */
const gh = (expr: string) => `\${{ ${expr} }}`;

interface Finding {
    readonly kind: string;
    readonly line: number;
    readonly message: string;
}

async function actionlint(file: string): Promise<{ code: number; findings: Finding[]; stderr: string }> {
    const result = await runCommand("actionlint", ["-format", "{{json .}}", file], { cwd: repoRoot });
    const out = result.stdout.trim();
    return { code: result.code, findings: out === "" ? [] : JSON.parse(out), stderr: result.stderr };
}

describe("actionlint", () => {
    test("is on PATH (scripts/toolchain.sh builds it from tools/actionlint)", async () => {
        const version = await runCommand("actionlint", ["-version"], { cwd: repoRoot });
        expect(version.code).toBe(0);
        const pinned = fs.readFileSync(path.join(repoRoot, "tools", "actionlint", "go.mod"), "utf8");
        const [, want] = /github\.com\/rhysd\/actionlint (v[\d.]+)/.exec(pinned) ?? [];
        expect(version.stdout.split("\n")[0]).toBe(want);
    });

    test("finds nothing in the recipe", async () => {
        const result = await actionlint(workflowFile);
        expect(result.findings).toEqual([]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
    });

    test("finds each known mistake of a broken workflow (so that its silence above means something)", async () => {
        const result = await actionlint(brokenFixture);
        expect(result.code).toBe(1);
        expect(result.findings.map((f) => [f.kind, f.line])).toEqual([
            ["permissions", 12],
            ["expression", 20],
            ["job-needs", 21],
            ["syntax-check", 29],
        ]);
        expect(result.findings[1].message).toContain('"github.event.pull_request.title" is potentially untrusted');
    });
});

describe("the recipe's checklist", () => {
    test("triggers and jobs: pull requests, then staging → preview → deploy on main, recovery by hand", () => {
        expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push", "workflow_dispatch"]);
        expect(workflow.on.pull_request.branches).toEqual(["main"]);
        expect(workflow.on.push.branches).toEqual(["main"]);
        expect(workflow.on.workflow_dispatch.inputs).toMatchObject({
            stack: { type: "choice", options: ["staging", "prod"], required: true },
        });
        expect(text).not.toMatch(/pull_request_target/);
        expect(Object.keys(jobs).sort()).toEqual([...deployJobNames, "pull-request"].sort());
        expect(job("pull-request").if).toBe("github.event_name == 'pull_request'");
        for (const name of ["staging", "preview-production", "deploy-production"]) {
            expect(job(name).if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
        }
        expect(job("recover").if).toBe("github.event_name == 'workflow_dispatch'");
        // Staging first; production's preview job carries no approval; the deploy job does.
        expect(job("staging").needs).toBeUndefined();
        expect(job("preview-production").needs).toBe("staging");
        expect(job("deploy-production").needs).toBe("preview-production");
        expect(job("staging").environment).toBe("staging");
        expect(job("preview-production").environment).toBe("production-preview");
        expect(job("deploy-production").environment).toBe("production");
        expect(job("recover").environment).toBe(gh("inputs.stack == 'prod' && 'production' || 'staging'"));
        expect(job("pull-request").environment).toBeUndefined();
        for (const name of deployJobNames) {
            expect(job(name)["runs-on"]).toBe("ubuntu-latest");
        }
    });

    test("permissions: nothing at the top; contents read per job; id-token only where an environment is", () => {
        expect(workflow.permissions).toEqual({});
        expect(job("pull-request").permissions).toEqual({ contents: "read" });
        for (const name of deployJobNames) {
            expect(job(name).permissions).toEqual({ contents: "read", "id-token": "write" });
        }
        for (const [name, j] of Object.entries(jobs)) {
            if (j.permissions?.["id-token"] !== undefined) {
                expect([name, j.environment]).toEqual([name, expect.any(String)]);
            }
        }
    });

    test("every action is pinned to a full commit SHA with its version in a comment, the same in every job", () => {
        const lines = text.split("\n").filter((l) => /^\s*-?\s*uses:/.test(l));
        expect(lines.length).toBeGreaterThan(0);
        const pins = new Map<string, Set<string>>();
        for (const line of lines) {
            const match = /uses: ((actions|pulumi)\/[\w-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
            expect([line, match !== null]).toEqual([line, true]);
            if (!match) {
                continue;
            }
            pins.set(match[1], (pins.get(match[1]) ?? new Set()).add(`${match[3]} ${match[4]}`));
        }
        expect([...pins.keys()].sort()).toEqual([
            "actions/checkout",
            "actions/setup-node",
            "pulumi/actions",
            "pulumi/auth-actions",
        ]);
        for (const [action, versions] of pins) {
            expect([action, versions.size]).toEqual([action, 1]);
        }
        // The parsed `uses:` agree with the lines read above (no other form slipped through).
        const parsed = Object.values(jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
        expect(parsed).toHaveLength(lines.length);
        for (const uses of parsed) {
            expect(uses).toMatch(/^(actions|pulumi)\/[\w-]+@[0-9a-f]{40}$/);
        }
    });

    test("timeout-minutes on every job; the up stops gracefully well inside it", () => {
        for (const [name, j] of Object.entries(jobs)) {
            expect([name, typeof j["timeout-minutes"]]).toEqual([name, "number"]);
        }
        expect(job("pull-request")["timeout-minutes"]).toBe(15);
        for (const name of deployJobNames) {
            expect(job(name)["timeout-minutes"]).toBe(30);
        }
        for (const name of ["staging", "deploy-production"]) {
            const ups = jobCommands(job(name)).filter((c) => c.includes("pulumi up"));
            expect(ups).toEqual([
                'exec timeout --signal=INT --kill-after=10m 15m pulumi up --refresh --yes --stack "$PULUMI_STACK" --non-interactive',
            ]);
            // 15 minutes of up, 10 more to finish after the SIGINT, inside the job's limit.
            expect(15 + 10).toBeLessThan(job(name)["timeout-minutes"] ?? 0);
        }
    });

    test("every checkout drops its credentials; no dependency cache where secrets are", () => {
        for (const [name, j] of Object.entries(jobs)) {
            const checkouts = usesOf(j, "actions/checkout");
            expect([name, checkouts.length]).toEqual([name, 1]);
            expect(checkouts[0].with).toEqual({ "persist-credentials": false });
            const [setupNode] = usesOf(j, "actions/setup-node");
            if (name === "pull-request") {
                expect(setupNode.with).toMatchObject({ cache: "npm" });
            } else {
                expect(setupNode.with).toEqual({ "node-version": 22, "package-manager-cache": false });
            }
        }
        expect(text.match(/actions\/checkout@/g)).toHaveLength(text.match(/persist-credentials: false/g)?.length ?? 0);
    });

    test("secrets: none for pull-request code, none at workflow or job level, only in the steps that run pulumi", () => {
        expect(JSON.stringify(job("pull-request"))).not.toMatch(/secrets\./);
        expect(JSON.stringify(workflow.env ?? {})).not.toMatch(/secrets\./);
        for (const name of deployJobNames) {
            const j = job(name);
            expect(JSON.stringify(j.env ?? {})).not.toMatch(/secrets\./);
            const withSecrets = j.steps.filter((s) => JSON.stringify(s).includes("secrets."));
            expect(withSecrets.length).toBeGreaterThan(0);
            for (const step of withSecrets) {
                // Each runs pulumi (or the recovery command, which runs pulumi) and nothing else.
                const others = splitCommands(step.run ?? "").filter(
                    (c) =>
                        c !== "" &&
                        !/^(exec timeout --signal=INT --kill-after=10m 15m )?pulumi /.test(c) &&
                        !c.startsWith("npx cloudelements-freshdesk-recover "),
                );
                expect([step.name, others]).toEqual([step.name, []]);
                for (const value of Object.values(step.env ?? {})) {
                    expect(value).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
                }
            }
        }
        expect(text).not.toMatch(/--show-secrets|--debug/);
    });

    test("OIDC for Pulumi Cloud, no stored PULUMI_ACCESS_TOKEN; the token lives at least as long as the job", () => {
        expect(text).not.toMatch(/PULUMI_ACCESS_TOKEN/);
        for (const name of deployJobNames) {
            const j = job(name);
            const [auth] = usesOf(j, "pulumi/auth-actions");
            expect(auth.if).toBe("startsWith(vars.PULUMI_STATE_URL, 'https://')");
            expect(auth.with).toEqual({
                organization: gh("vars.PULUMI_ORGANIZATION"),
                "requested-token-type": "urn:pulumi:token-type:access_token:team",
                scope: `team:${gh("vars.PULUMI_TEAM")}`,
                "token-expiration": 3600,
                "cloud-url": gh("vars.PULUMI_STATE_URL"),
            });
            expect(Number(auth.with?.["token-expiration"])).toBeGreaterThanOrEqual((j["timeout-minutes"] ?? 0) * 60);
            // After the installs (their scripts never see the token), before the login.
            const at = j.steps.indexOf(auth);
            expect(at).toBeGreaterThan(stepIndex(j, "Install the project from its lockfile"));
            expect(at).toBeLessThan(stepIndex(j, "Log in to the state backend"));
        }
    });

    test("the stack is selected, never created, outside the pull-request job; a missing stack fails clearly", () => {
        expect(jobCommands(job("pull-request"))).toContain(
            'pulumi stack select --create "$PULUMI_STACK" --non-interactive',
        );
        for (const name of deployJobNames) {
            const commands = jobCommands(job(name));
            expect(commands.filter((c) => c.includes("--create"))).toEqual([]);
            expect(commands.filter((c) => c.startsWith("pulumi stack select"))).toEqual([
                'pulumi stack select "$PULUMI_STACK" --non-interactive || { echo "::error::no stack $PULUMI_STACK in this backend: create it once by hand (README.md)"; exit 1; }',
            ]);
        }
        expect(text.match(/--create/g)).toHaveLength(1);
        expect(text).not.toMatch(/upsert/);
    });

    test("every up refreshes first", () => {
        const ups = Object.values(jobs).flatMap((j) => jobCommands(j).filter((c) => /\bpulumi up\b/.test(c)));
        expect(ups.length).toBe(3);
        for (const up of ups) {
            expect(up).toContain("pulumi up --refresh ");
        }
    });

    test("a pending-operations guard before every preview and up of a real stack, and after a recovery", () => {
        const guard = [
            `pending="$(pulumi stack export --stack "$PULUMI_STACK" | jq '.deployment.pending_operations // [] | length')"`,
            '[ "$pending" = 0 ] || { echo "::error::$pending pending operation(s): run the recover job"; exit 1; }',
        ];
        for (const name of deployJobNames) {
            const j = job(name);
            const at = stepIndex(j, guardStep);
            expect(splitCommands(j.steps[at].run ?? "").filter(Boolean)).toEqual(guard);
            expect(at).toBeGreaterThan(stepIndex(j, "Select the stack (created once by hand, never here)"));
            for (const i of commandIndexes(j, /^(exec timeout .* )?pulumi (preview|up)\b/)) {
                expect(i).toBeGreaterThan(at);
            }
        }
        // The recovery: a plan (changing nothing) into the summary, then the recovery, then the guard proves it.
        const recover = job("recover");
        expect(jobCommands(recover).filter((c) => c.startsWith("npx cloudelements-freshdesk-recover"))).toEqual([
            'npx cloudelements-freshdesk-recover --stack "$PULUMI_STACK" --cwd . --dry-run >"$RUNNER_TEMP/recover-plan.txt"',
            'npx cloudelements-freshdesk-recover --stack "$PULUMI_STACK" --cwd .',
        ]);
        expect(recover.steps.at(-1)?.name).toBe(guardStep);
        expect(recover.env?.PULUMI_STACK).toBe(gh("inputs.stack"));
    });

    test("the approver sees the preview first: summary and change summary from a job without the gate", () => {
        const preview = job("preview-production");
        expect(preview.outputs).toEqual({ "change-summary": gh("steps.preview.outputs.change-summary") });
        const publish = preview.steps.find((s) => s.id === "preview");
        expect(publish?.run).toContain('>>"$GITHUB_STEP_SUMMARY"');
        expect(publish?.run).toContain(
            'echo "change-summary=$(jq -cS .changeSummary "$RUNNER_TEMP/preview.json")" >>"$GITHUB_OUTPUT"',
        );
        expect(jobCommands(preview).filter((c) => c.startsWith("pulumi preview"))).toEqual([
            'pulumi preview --refresh --diff --color never --stack "$PULUMI_STACK" --non-interactive >"$RUNNER_TEMP/preview.txt"',
            'pulumi preview --refresh --json --stack "$PULUMI_STACK" --non-interactive >"$RUNNER_TEMP/preview.json"',
        ]);
        // The deploy job refuses anything else than what was approved, before its up.
        const deploy = job("deploy-production");
        const compare = stepIndex(deploy, "Refuse a change other than the approved one");
        expect(deploy.steps[compare].env).toEqual({
            APPROVED_CHANGES: gh("needs.preview-production.outputs.change-summary"),
        });
        expect(compare).toBeGreaterThan(stepIndex(deploy, "Preview again"));
        expect(compare).toBeLessThan(stepIndex(deploy, "Deploy"));
    });

    test("staging runs exactly production's steps: the preview job's, then the deploy job's up and outputs", () => {
        const { env: stagingEnv, ...staging } = job("staging");
        const { env: previewEnv, ...preview } = job("preview-production");
        const deploy = job("deploy-production");
        expect(staging.steps).toEqual([...preview.steps, ...deploy.steps.slice(stepIndex(deploy, "Deploy"))]);
        expect(deploy.steps.slice(0, stepIndex(deploy, "Preview again"))).toEqual(
            preview.steps.slice(0, stepIndex(job("preview-production"), "Preview")),
        );
        expect({ ...stagingEnv, PULUMI_STACK: "prod" }).toEqual(previewEnv);
        expect(previewEnv).toEqual(deploy.env);
        expect(stagingEnv?.PULUMI_STACK).toBe("staging");
    });

    test("concurrency: one deployment per stack at a time, never one cancelled half-way", () => {
        expect(workflow.concurrency).toEqual({
            group: `pulumi-${gh("github.event_name == 'push' && 'main' || github.ref")}`,
            "cancel-in-progress": gh("github.event_name == 'pull_request'"),
        });
        expect(job("staging").concurrency).toEqual({ group: "pulumi-staging", "cancel-in-progress": false });
        expect(job("deploy-production").concurrency).toEqual({ group: "pulumi-prod", "cancel-in-progress": false });
        expect(job("preview-production").concurrency).toEqual({
            group: "pulumi-prod-preview",
            "cancel-in-progress": false,
        });
        // The recovery shares the group of the stack it repairs (inputs.stack is staging or prod).
        expect(job("recover").concurrency).toEqual({
            group: `pulumi-${gh("inputs.stack")}`,
            "cancel-in-progress": false,
        });
        expect(text).not.toMatch(/cancel-in-progress: true/);
        for (const name of writerNames) {
            expect(job(name).concurrency?.["cancel-in-progress"]).toBe(false);
        }
    });

    test("Dependabot keeps the pins current", () => {
        const dependabot = yaml.load(fs.readFileSync(path.join(ciDir, ".github", "dependabot.yml"), "utf8")) as {
            updates: { "package-ecosystem": string; directory: string }[];
        };
        expect(dependabot.updates.map((u) => [u["package-ecosystem"], u.directory])).toContainEqual([
            "github-actions",
            "/",
        ]);
    });
});

describe("the recipe's README", () => {
    const sectionOf = (title: string) => {
        const start = readme.indexOf(`## ${title}`);
        expect(start).toBeGreaterThanOrEqual(0);
        const end = readme.indexOf("\n## ", start + 3);
        return readme.slice(start, end < 0 ? undefined : end);
    };

    test("shows exactly the commands the workflow runs", () => {
        const section = sectionOf("The commands CI runs");
        const documented = [...section.matchAll(/^```bash\n([\s\S]*?)^```/gm)].flatMap((m) => splitCommands(m[1]));
        const run = Object.values(jobs).flatMap(jobCommands);
        const interesting = (c: string) =>
            /^(pulumi|npm|npx|setsid npx|exec timeout) /.test(c) || /^(pending|changes)=/.test(c);
        expect(run.filter(interesting).length).toBeGreaterThan(10);
        for (const command of run.filter(interesting)) {
            expect(documented).toContain(command);
        }
        for (const command of documented.filter(interesting)) {
            expect(run).toContain(command);
        }
    });

    test("carries the mandatory repository settings with their checks, and the recovery runbook", () => {
        const settings = sectionOf("Before the first run (mandatory)");
        for (const check of [
            "gh api repos/OWNER/REPO/environments/production --jq",
            "gh api repos/OWNER/REPO/environments/production/deployment-branch-policies",
            "gh secret list --env production",
            "gh api repos/OWNER/REPO/rules/branches/main",
            "gh api repos/OWNER/REPO/actions/permissions --jq .sha_pinning_required",
            "gh api repos/OWNER/REPO/actions/permissions/workflow",
        ]) {
            expect(settings).toContain(check);
        }
        expect(settings).toMatch(/prevent_self_review/);
        expect(settings).toMatch(/CODEOWNERS/);
        expect(settings).toMatch(/OIDC/);
        const runbook = sectionOf("Recovering an interrupted run");
        expect(runbook).toContain("pulumi cancel --yes --stack");
        expect(runbook).toMatch(/exit code 2/i);
    });

    test("names the steps the project's tests do not run, and why", () => {
        const section = sectionOf("What the project's tests run");
        const notRun = Object.values(jobs).flatMap((j) => j.steps.filter((s: WorkflowStep) => s.uses !== undefined));
        for (const action of new Set(notRun.map((s) => s.uses?.split("@")[0]))) {
            expect(section).toContain(`\`${action}\``);
        }
    });
});
