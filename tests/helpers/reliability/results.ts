/**
 * CLI results as data: an Automation API operation that never throws ({@link attempt}) and the state as
 * `pulumi stack export` prints it ({@link exportState}).
 */
import type { Stack } from "@pulumi/pulumi/automation";
import type { UntypedDeployment } from "../../../cli/deployment";
import { runPulumi, type TestBackend } from "../pulumi";
import type { Transcript } from "./transcript";

/** The outcome of an Automation API operation, failures included, with everything the CLI printed. */
export interface OpResult {
    readonly ok: boolean;
    /** stdout and stderr as printed (for a failure, the CommandError's message, which holds both). */
    readonly output: string;
    readonly seconds: number;
}

/** Runs `op` and never throws: a failed command becomes `{ok: false, output}`. */
export async function attempt(
    op: (collect: { onOutput: (s: string) => void; onError: (s: string) => void }) => Promise<unknown>,
): Promise<OpResult> {
    const chunks: string[] = [];
    const collect = { onOutput: (s: string) => chunks.push(s), onError: (s: string) => chunks.push(s) };
    const t0 = Date.now();
    try {
        await op(collect);
        return { ok: true, output: chunks.join(""), seconds: (Date.now() - t0) / 1000 };
    } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, output: `${chunks.join("")}\n${message}`, seconds: (Date.now() - t0) / 1000 };
    }
}

/**
 * The stack's state as `pulumi stack export` prints it (secrets encrypted; `stack.exportStack()` of the Automation
 * API passes `--show-secrets`, so it is not what a user or a CI log sees), also recorded in the transcript (as
 * `label`) when one is given.
 */
export async function exportState(
    stack: Stack,
    backend: TestBackend,
    transcript?: Transcript,
    label = "export",
): Promise<UntypedDeployment> {
    const result = await runPulumi(["stack", "export", "--stack", stack.name], {
        cwd: stack.workspace.workDir,
        backend,
    });
    if (result.code !== 0) {
        throw new Error(`pulumi stack export failed:\n${result.stdout}${result.stderr}`);
    }
    transcript?.add(label, result.stdout);
    return JSON.parse(result.stdout) as UntypedDeployment;
}
