/**
 * Runs the `run:` steps of a GitHub Actions job locally, the way the runner would: `bash --noprofile --norc -eo
 * pipefail` per step, in the step's working directory, with the workflow, job and step `env:` (step wins), values a
 * step appends to `$GITHUB_ENV`, a fresh `$RUNNER_TEMP` and a fresh home (so nothing is logged in to Pulumi unless
 * the job does it), `$GITHUB_STEP_SUMMARY` and `$GITHUB_OUTPUT` files (the job's `outputs:` are evaluated from the
 * latter), and `${{ secrets.X }}`, `${{ vars.X }}`, `${{ inputs.X }}` (workflow_dispatch) and
 * `${{ needs.JOB.outputs.X }}` substituted from what the test passes (an unset name is the empty string, as on
 * GitHub). Any other expression fails the run: the harness would not know its value.
 *
 * `uses:` steps are not run: the test provides what they would (a checkout, Node on PATH, the Pulumi CLI on PATH)
 * and the caller checks their inputs; GitHub-only ones (the OIDC token exchange) have nothing to provide on a file
 * backend. Steps the caller skips (installs the test does itself) are listed by name.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCommand } from "./commands";
import { pulumiBinDir } from "./pulumi";

/** One step of a job. */
export interface WorkflowStep {
    readonly id?: string;
    readonly name?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly if?: string;
    readonly env?: Record<string, string>;
    readonly with?: Record<string, unknown>;
    readonly "working-directory"?: string;
}

/** One job of a workflow. */
export interface WorkflowJob {
    readonly if?: string;
    readonly needs?: string | readonly string[];
    readonly "runs-on"?: string;
    readonly "timeout-minutes"?: number;
    readonly permissions?: Record<string, string>;
    readonly outputs?: Record<string, string>;
    readonly environment?: string;
    readonly env?: Record<string, string>;
    readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
    readonly defaults?: { readonly run?: { readonly "working-directory"?: string } };
    readonly steps: readonly WorkflowStep[];
}

/** A parsed workflow file. */
export interface Workflow {
    readonly on: Record<string, { readonly branches?: readonly string[]; readonly inputs?: Record<string, unknown> }>;
    readonly env?: Record<string, string>;
    readonly permissions?: Record<string, string>;
    readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean | string };
    readonly jobs: Record<string, WorkflowJob>;
}

/** What a job run gets from outside. */
export interface JobInputs {
    /** Maps the job's working directories (e.g. `examples/ci`) to folders of the test's checkout. */
    readonly directories: Record<string, string>;
    readonly secrets?: Record<string, string>;
    readonly vars?: Record<string, string>;
    /** `inputs.X` of a workflow_dispatch run. */
    readonly inputs?: Record<string, string>;
    /** `needs.JOB.outputs.X`: the outputs of the jobs this one needs (see {@link JobRun.outputs}). */
    readonly needs?: Record<string, Record<string, string>>;
    /** Set last, over everything the workflow sets (e.g. a free port). */
    readonly env?: Record<string, string>;
    /** Steps not to run, by predicate (e.g. installs the test did itself); they are reported in `skipped`. */
    readonly skip?: (step: WorkflowStep) => boolean;
    /** Stop after the step with this name. */
    readonly until?: string;
}

/** What a job run did. */
export interface JobRun {
    readonly ok: boolean;
    /** Everything the steps printed, step by step. */
    readonly output: string;
    /** Names (or commands) of the steps that ran, and of the ones skipped by `skip`. */
    readonly ran: readonly string[];
    readonly skipped: readonly string[];
    /** The run's `$RUNNER_TEMP` (deleted by the caller when done). */
    readonly runnerTemp: string;
    /** What the steps wrote to `$GITHUB_STEP_SUMMARY`. */
    readonly summary: string;
    /** The job's `outputs:`, evaluated from what its steps wrote to `$GITHUB_OUTPUT`. */
    readonly outputs: Record<string, string>;
}

/** What an expression may refer to. */
type ExpressionValues = Pick<JobInputs, "secrets" | "vars" | "inputs" | "needs"> & {
    readonly steps?: Record<string, Record<string, string>>;
};

/**
 * `${{ secrets.X }}`, `${{ vars.X }}`, `${{ inputs.X }}`, `${{ needs.JOB.outputs.X }}` and `${{ steps.ID.outputs.X }}`
 * replaced; any other expression throws.
 */
export function substituteExpressions(text: string, values: ExpressionValues): string {
    return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, expr: string) => {
        const flat = /^(secrets|vars|inputs)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
        if (flat) {
            return values[flat[1] as "secrets" | "vars" | "inputs"]?.[flat[2]] ?? "";
        }
        const nested = /^(needs|steps)\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)$/.exec(expr);
        if (nested) {
            return values[nested[1] as "needs" | "steps"]?.[nested[2]]?.[nested[3]] ?? "";
        }
        throw new Error(`the harness cannot evaluate ${whole}`);
    });
}

function substituteAll(env: Record<string, string> | undefined, inputs: ExpressionValues): Record<string, string> {
    return Object.fromEntries(
        Object.entries(env ?? {}).map(([key, value]) => [key, substituteExpressions(String(value), inputs)]),
    );
}

/** `NAME=value` lines a step appended to `$GITHUB_ENV` or `$GITHUB_OUTPUT` (the single-line form). */
function readGithubEnv(file: string): Record<string, string> {
    const values: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) {
            values[line.slice(0, eq)] = line.slice(eq + 1);
        }
    }
    return values;
}

/**
 * The environment a fresh runner starts from: this process's, without anything that would point Pulumi or the
 * provider somewhere (backend, home, passphrase, access token, CLOUD_ELEMENTS_*), with the CLI on PATH.
 */
function runnerBaseEnv(runnerTemp: string): Record<string, string> {
    const base: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (value === undefined || key.startsWith("CLOUD_ELEMENTS_")) {
            continue;
        }
        if (["PULUMI_BACKEND_URL", "PULUMI_HOME", "PULUMI_ACCESS_TOKEN", "PULUMI_STACK"].includes(key)) {
            continue;
        }
        if (key.startsWith("PULUMI_CONFIG_PASSPHRASE")) {
            continue;
        }
        base[key] = value;
    }
    const home = path.join(runnerTemp, "home");
    fs.mkdirSync(home, { recursive: true });
    return {
        ...base,
        PATH: `${pulumiBinDir()}${path.delimiter}${process.env.PATH ?? ""}`,
        // The runner's ~/.pulumi: empty, so every backend login has to be the job's own.
        PULUMI_HOME: path.join(home, ".pulumi"),
        RUNNER_TEMP: runnerTemp,
        GITHUB_ENV: path.join(runnerTemp, "github-env"),
        GITHUB_STEP_SUMMARY: path.join(runnerTemp, "github-step-summary"),
        // A fixed commit: the harness runs a working tree, not a push.
        GITHUB_SHA: "0".repeat(40),
    };
}

/** Runs the job's `run:` steps (see the module comment). Never throws for a failing step: see `ok`. */
export async function runJob(job: WorkflowJob, workflow: Workflow, inputs: JobInputs): Promise<JobRun> {
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), "cef-runner-"));
    const base = runnerBaseEnv(runnerTemp);
    fs.writeFileSync(base.GITHUB_ENV, "");
    fs.writeFileSync(base.GITHUB_STEP_SUMMARY, "");
    const steps: Record<string, Record<string, string>> = {};
    let ok = true;
    let output = "";
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const step of job.steps) {
        const label = step.name ?? step.run ?? step.uses ?? "?";
        if (!ok && step.if !== "always()") {
            continue;
        }
        if (step.run === undefined) {
            continue;
        }
        if (inputs.skip?.(step)) {
            skipped.push(label);
            continue;
        }
        const workingDirectory = step["working-directory"] ?? job.defaults?.run?.["working-directory"] ?? ".";
        const cwd = inputs.directories[workingDirectory];
        if (!cwd) {
            throw new Error(`step "${label}": no folder for working-directory ${workingDirectory}`);
        }
        // A fresh $GITHUB_OUTPUT per step, as on the runner.
        const outputFile = path.join(runnerTemp, `github-output-${ran.length}`);
        fs.writeFileSync(outputFile, "");
        const values = { ...inputs, steps };
        const env = {
            ...base,
            GITHUB_OUTPUT: outputFile,
            ...substituteAll(workflow.env, values),
            ...substituteAll(job.env, values),
            ...readGithubEnv(base.GITHUB_ENV),
            ...substituteAll(step.env, values),
            ...inputs.env,
        };
        const script = substituteExpressions(step.run, values);
        const result = await runCommand("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
            cwd,
            env,
            replaceEnv: true,
        });
        ran.push(label);
        if (step.id !== undefined) {
            steps[step.id] = readGithubEnv(outputFile);
        }
        output += `--- ${label} (exit ${result.code})\n${result.stdout}${result.stderr}`;
        if (result.code !== 0) {
            ok = false;
        }
        if (step.name !== undefined && step.name === inputs.until) {
            break;
        }
    }
    const summary = fs.readFileSync(base.GITHUB_STEP_SUMMARY, "utf8");
    const outputs = ok ? substituteAll(job.outputs, { ...inputs, steps }) : {};
    return { ok, output, ran, skipped, runnerTemp, summary, outputs };
}

/**
 * The shell commands of a job's `run:` steps, one per line with backslash continuations joined, trimmed. Use it to
 * compare a README with the workflow.
 */
export function jobCommands(job: WorkflowJob): string[] {
    return job.steps
        .filter((s) => typeof s.run === "string")
        .flatMap((s) => splitCommands(s.run!))
        .filter((line) => line !== "");
}

/**
 * The lines of a shell snippet with `\` continuations and lines ending in `||` or `&&` joined, whitespace collapsed,
 * comments dropped.
 */
export function splitCommands(script: string): string[] {
    return script
        .replace(/\\\n\s*/g, " ")
        .replace(/(\|\||&&)\n\s*/g, "$1 ")
        .split("\n")
        .map((line) =>
            line
                .replace(/\s+#.*$/, "")
                .replace(/\s+/g, " ")
                .trim(),
        );
}
