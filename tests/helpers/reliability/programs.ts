/**
 * The reliability program directory (`tests/fixtures/reliability`: `count` instances and `dependents` after them,
 * all from stack config) on its own stack, the recovery command run as `npm run recover` runs it, and waiting for
 * the emulator to finish every request it received.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { programStack, repoRoot } from "../pulumi";
import { workProgram } from "../stacks";
import type { ClientTuning, ReliabilityContext } from "./context";
import type { Transcript } from "./transcript";

const fixture = path.join(repoRoot, "tests", "fixtures", "reliability");
const recoverScript = path.join(repoRoot, "bin", "cli", "recover.js");

/** A copy of the reliability program with its own stack `label`, configured for the context's emulator. */
export async function reliabilityProgram(
    ctx: ReliabilityContext,
    label: string,
    config: { count: number; dependents?: number; tuning?: ClientTuning },
): Promise<{ dir: string; stack: Stack; tag: string }> {
    const dir = ctx.trackDir(workProgram(fixture, label, "symlink"));
    const stack = await programStack({ backend: ctx.backend, workDir: dir, stackName: label });
    const [account] = ctx.accounts.freshdesk;
    const tag = `rel-${label}`;
    await stack.setAllConfig({
        ...ctx.connectionConfig(config.tuning ?? { maxRetries: 2 }),
        "reliability:count": { value: String(config.count) },
        "reliability:dependents": { value: String(config.dependents ?? 0) },
        "reliability:prefix": { value: tag },
        "reliability:tag": { value: tag },
        "reliability:subdomain": { value: account.subdomain },
        "reliability:apiKey": { value: account.apiKeys[0], secret: true },
    });
    return { dir, stack, tag };
}

/** Runs the recovery command as `npm run recover -- --stack <s> --cwd <dir>` runs it; the output joins `transcript`. */
export function runRecover(
    ctx: ReliabilityContext,
    dir: string,
    stackName: string,
    transcript?: Transcript,
): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            [recoverScript, "--stack", stackName, "--cwd", dir],
            { cwd: repoRoot, env: ctx.cliEnv(), maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
                const output = `${stdout}${stderr}`;
                transcript?.add(`recover ${stackName}`, output);
                resolve({ code, output });
            },
        );
    });
}

/**
 * Waits until the emulator has finished every request it received, and returns the request log's sequence number
 * of a probe sent last. The log records a request when it finishes, with a sequence number given on arrival: a
 * request still held by a `latency` or `delay` fault (its client may have left long ago) is a number missing below
 * the probe's. Pass the previous result as `from` to look only at what came after it.
 */
export async function emulatorIdle(ctx: ReliabilityContext, from = 0, timeoutMs = 60_000): Promise<number> {
    const probePath = `${new URL(ctx.baseUrl).pathname}/reliability-probe`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        // A path outside /instances: no fault of the suites matches it. It answers 404, which is all it is for.
        await ctx.api.request("GET", "/reliability-probe").catch(() => undefined);
        const entries = await ctx.log.all();
        const probe = Math.max(...entries.filter((e) => e.path === probePath).map((e) => e.seq));
        const seen = new Set(entries.map((e) => e.seq));
        let missing = 0;
        for (let seq = from + 1; seq < probe; seq++) {
            if (!seen.has(seq)) {
                missing++;
            }
        }
        if (missing === 0) {
            return probe;
        }
        if (Date.now() > deadline) {
            throw new Error(`the emulator still processes ${missing} request(s)`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}
