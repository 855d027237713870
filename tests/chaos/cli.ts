/**
 * `npm run chaos -- --seed S --runs N [--steps K]`: the randomized sequence check. Runs seeds S .. S+N-1, each a
 * sequence of K steps (default 8) drawn from its seed, through the real CLI against one emulator (see runner.ts for
 * the invariant). `--replay <file>` runs the sequence(s) of a JSON file instead: a printed `{seed, steps}`, a list of
 * them, or the regression file (tests/chaos/regressions.json).
 *
 * Every failing sequence is printed as JSON and written to `tests/.work/chaos-failures/<name>.json`, ready for
 * `--replay` and for tests/chaos/regressions.json. Exit code 1 when any run violated the invariant, 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../helpers/pulumi";
import { startReliability } from "../helpers/reliability";
import { sequencesOf } from "./replay";
import { type RunResult, runSequence } from "./runner";
import { generateSequence, type Sequence } from "./sequence";

const usage = "usage: npm run chaos -- --seed <integer> [--runs <n>] [--steps <k>] | --replay <file.json>";

function integer(value: string | undefined, name: string, fallback?: number): number {
    if (value === undefined && fallback !== undefined) {
        return fallback;
    }
    if (value === undefined || !/^\d+$/.test(value)) {
        throw new Error(`--${name} must be a non-negative integer`);
    }
    return Number(value);
}

async function main(): Promise<number> {
    let sequences: { name: string; sequence: Sequence }[];
    try {
        const { values } = parseArgs({
            options: {
                seed: { type: "string" },
                runs: { type: "string" },
                steps: { type: "string" },
                replay: { type: "string" },
            },
        });
        if (values.replay !== undefined) {
            sequences = sequencesOf(JSON.parse(fs.readFileSync(values.replay, "utf8"))).map((sequence, i) => ({
                name: `replay-${sequence.seed ?? "x"}-${i}-${process.pid}`,
                sequence,
            }));
        } else {
            const seed = integer(values.seed, "seed");
            const runs = integer(values.runs, "runs", 1);
            const steps = integer(values.steps, "steps", 8);
            // Zero runs (or steps) would check nothing and still exit 0.
            if (runs < 1) {
                throw new Error("--runs must be at least 1");
            }
            if (steps < 1) {
                throw new Error("--steps must be at least 1");
            }
            sequences = Array.from({ length: runs }, (_, i) => ({
                name: `seed-${seed + i}-${process.pid}`,
                sequence: generateSequence(seed + i, steps),
            }));
        }
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n${usage}\n`);
        return 2;
    }

    const ctx = await startReliability("chaos");
    const results: RunResult[] = [];
    try {
        for (const { name, sequence } of sequences) {
            process.stdout.write(`\n== ${name} (seed ${sequence.seed ?? "-"}, ${sequence.steps.length} steps)\n`);
            const result = await runSequence(ctx, sequence, name, {
                progress: (line) => process.stdout.write(`   ${line}\n`),
            });
            results.push(result);
            if (result.violations.length > 0) {
                const file = path.join(repoRoot, "tests", ".work", "chaos-failures", `${name}.json`);
                fs.mkdirSync(path.dirname(file), { recursive: true });
                const report = { found: new Date().toISOString(), violations: result.violations, sequence };
                fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
                process.stdout.write(
                    `   FAILED: replay with \`npm run chaos -- --replay ${path.relative(repoRoot, file)}\`` +
                        (sequence.seed !== undefined
                            ? ` or \`--seed ${sequence.seed} --runs 1 --steps ${sequence.steps.length}\``
                            : "") +
                        `\n${JSON.stringify(sequence)}\n`,
                );
            }
        }
    } finally {
        await ctx.close();
    }
    const failed = results.filter((r) => r.violations.length > 0);
    const seconds = results.map((r) => r.seconds);
    process.stdout.write(
        `\nchaos: ${results.length} run(s), ${failed.length} violated the invariant` +
            (failed.length > 0 ? ` (${failed.map((r) => r.sequence.seed ?? r.stack).join(", ")})` : "") +
            `; ${results.reduce((n, r) => n + r.faults, 0)} faults armed: ` +
            `${results.reduce((n, r) => n + r.faultsFired, 0)} fired (injected), ` +
            `${results.reduce((n, r) => n + r.faultsUnreached, 0)} armed, never reached; ` +
            `${results.reduce((n, r) => n + r.failedSteps, 0)} failed steps (allowed); ` +
            `seconds per run: min ${Math.min(...seconds).toFixed(0)}, max ${Math.max(...seconds).toFixed(0)}, ` +
            `mean ${(seconds.reduce((a, b) => a + b, 0) / seconds.length).toFixed(0)}\n`,
    );
    return failed.length > 0 ? 1 : 0;
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (error) => {
        process.stderr.write(`chaos: ${(error as Error).stack ?? error}\n`);
        process.exitCode = 1;
    },
);
