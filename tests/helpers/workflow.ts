/**
 * Runs the `run:` steps of a GitHub Actions job locally, the way the runner would: `bash --noprofile --norc -eo
 * pipefail` per step, in the step's working directory, with the workflow, job and step `env:` (step wins), values a
 * step appends to `$GITHUB_ENV`, a fresh `$RUNNER_TEMP` and a fresh home (so nothing is logged in to Pulumi unless
 * the job does it), and `${{ secrets.X }}` / `${{ vars.X }}` substituted from what the test passes (an unset name is
 * the empty string, as on GitHub). Any other expression fails the run: the harness would not know its value.
 *
 * `uses:` steps are not run: the test provides what they would (a checkout, Node on PATH, the Pulumi CLI on PATH)
 * and the caller checks their inputs. Steps the caller skips (installs the test does itself) are listed by name.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCommand } from "./commands";
import { pulumiBinDir } from "./pulumi";

/** One step of a job. */
export interface WorkflowStep {
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
    readonly environment?: string;
    readonly env?: Record<string, string>;
    readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
    readonly defaults?: { readonly run?: { readonly "working-directory"?: string } };
    readonly steps: readonly WorkflowStep[];
}

/** A parsed workflow file. */
export interface Workflow {
    readonly on: Record<string, { readonly branches?: readonly string[] }>;
    readonly env?: Record<string, string>;
    readonly permissions?: Record<string, string>;
    readonly jobs: Record<string, WorkflowJob>;
}

/** What a job run gets from outside. */
export interface JobInputs {
    /** Maps the job's working directories (e.g. `examples/ci`) to folders of the test's checkout. */
    readonly directories: Record<string, string>;
    readonly secrets?: Record<string, string>;
    readonly vars?: Record<string, string>;
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
}

/** `${{ secrets.X }}` and `${{ vars.X }}` replaced; any other expression throws. */
export function substituteExpressions(text: string, inputs: Pick<JobInputs, "secrets" | "vars">): string {
    return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, expr: string) => {
        const match = /^(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
        if (!match) throw new Error(`the harness cannot evaluate ${whole}`);
        return (match[1] === "secrets" ? inputs.secrets : inputs.vars)?.[match[2]] ?? "";
    });
}

function substituteAll(env: Record<string, string> | undefined, inputs: JobInputs): Record<string, string> {
    return Object.fromEntries(
        Object.entries(env ?? {}).map(([key, value]) => [key, substituteExpressions(String(value), inputs)]),
    );
}

/** `NAME=value` lines a step appended to `$GITHUB_ENV` (the single-line form). */
function readGithubEnv(file: string): Record<string, string> {
    const values: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
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
        if (value === undefined || key.startsWith("CLOUD_ELEMENTS_")) continue;
        if (["PULUMI_BACKEND_URL", "PULUMI_HOME", "PULUMI_ACCESS_TOKEN", "PULUMI_STACK"].includes(key)) continue;
        if (key.startsWith("PULUMI_CONFIG_PASSPHRASE")) continue;
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
    };
}

/** Runs the job's `run:` steps (see the module comment). Never throws for a failing step: see `ok`. */
export async function runJob(job: WorkflowJob, workflow: Workflow, inputs: JobInputs): Promise<JobRun> {
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), "cef-runner-"));
    const base = runnerBaseEnv(runnerTemp);
    fs.writeFileSync(base.GITHUB_ENV, "");
    let ok = true;
    let output = "";
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const step of job.steps) {
        const label = step.name ?? step.run ?? step.uses ?? "?";
        if (!ok && step.if !== "always()") continue;
        if (step.run === undefined) continue;
        if (inputs.skip?.(step)) {
            skipped.push(label);
            continue;
        }
        const workingDirectory = step["working-directory"] ?? job.defaults?.run?.["working-directory"] ?? ".";
        const cwd = inputs.directories[workingDirectory];
        if (!cwd) throw new Error(`step "${label}": no folder for working-directory ${workingDirectory}`);
        const env = {
            ...base,
            ...substituteAll(workflow.env, inputs),
            ...substituteAll(job.env, inputs),
            ...readGithubEnv(base.GITHUB_ENV),
            ...substituteAll(step.env, inputs),
            ...inputs.env,
        };
        const script = substituteExpressions(step.run, inputs);
        const result = await runCommand("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
            cwd,
            env,
            replaceEnv: true,
        });
        ran.push(label);
        output += `--- ${label} (exit ${result.code})\n${result.stdout}${result.stderr}`;
        if (result.code !== 0) ok = false;
        if (step.name !== undefined && step.name === inputs.until) break;
    }
    return { ok, output, ran, skipped, runnerTemp };
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

/** The lines of a shell snippet with `\` continuations joined and whitespace collapsed, comments dropped. */
export function splitCommands(script: string): string[] {
    return script
        .replace(/\\\n\s*/g, " ")
        .split("\n")
        .map((line) =>
            line
                .replace(/\s+#.*$/, "")
                .replace(/\s+/g, " ")
                .trim(),
        );
}
