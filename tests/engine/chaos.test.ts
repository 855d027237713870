/**
 * The randomized sequence check's fixed budget inside `npm test`: a few seeds drawn by the generator, and every
 * sequence the runner (`npm run chaos`) ever found violating the invariant, replayed from
 * tests/chaos/regressions.json. Each run goes through the real CLI against the emulator (see tests/chaos/runner.ts
 * for the invariant: every resource in state on a live instance carrying its marker, no orphan, no duplicate, no
 * secret in output). Failed steps are allowed; a violated invariant fails the test with the step-by-step log.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { sequencesOf } from "../chaos/replay";
import { type RunResult, runSequence } from "../chaos/runner";
import { generateSequence, type Sequence } from "../chaos/sequence";
import { repoRoot } from "../helpers/pulumi";
import { Summary, useReliability } from "../helpers/reliability";

jest.setTimeout(600_000);

/** Seeds of the fixed budget and their length (with the regressions: about 4 min on a loaded 2-core machine). */
const budget = { seeds: [20, 23], steps: 4 };

const regressions = sequencesOf(
    JSON.parse(fs.readFileSync(path.join(repoRoot, "tests", "chaos", "regressions.json"), "utf8")),
);

const ctx = useReliability("chaos");
const summary = new Summary("reliability-chaos");

function count(result: RunResult, area: string): void {
    const row = summary.row(area);
    row.cases++;
    // The invariant is checked against the emulator after every step: orphans, duplicates and lost are measured.
    row.reconciled = true;
    row.faultsInjected += result.faultsFired;
    if (result.violations.length === 0) {
        row.faultsSurvived += result.faultsFired;
    }
    row.faultsUnreached += result.faultsUnreached;
    for (const violation of result.violations) {
        for (const problem of violation.problems) {
            if (/^orphan/.test(problem)) {
                row.orphaned++;
            }
            if (/^duplicate|both point at/.test(problem)) {
                row.duplicated++;
            }
            if (/\(lost\)$/.test(problem)) {
                row.lost++;
            }
            if (/^secret/.test(problem)) {
                row.secretsFound++;
            }
        }
    }
    row.seconds += result.seconds;
}

async function check(sequence: Sequence, name: string, area: string): Promise<void> {
    const result = await runSequence(ctx, sequence, name);
    count(result, area);
    process.stdout.write(`[chaos] ${name}: ${result.seconds.toFixed(0)} s\n  ${result.log.join("\n  ")}\n`);
    expect({ sequence: JSON.stringify(sequence), violations: result.violations }).toEqual({
        sequence: JSON.stringify(sequence),
        violations: [],
    });
}

test.each(budget.seeds)(
    "seed %i: the invariant holds after every step and after the final refresh + up",
    async (seed) => {
        await check(generateSequence(seed, budget.steps), `seed-${seed}`, "chaos: random sequences");
    },
);

const replayed = regressions.map((sequence, i) => [i, sequence] as const);
if (replayed.length > 0) {
    test.each(replayed)(
        "regression %i (a sequence the runner once found): the invariant holds",
        async (i, sequence) => {
            await check(sequence, `regression-${i}`, "chaos: regression sequences");
        },
    );
}

test("summary: no run of the randomized check violated the invariant", () => {
    summary.publish();
    for (const row of summary.all()) {
        expect(row.faultsSurvived).toBe(row.faultsInjected);
        expect(row.orphaned).toBe(0);
        expect(row.duplicated).toBe(0);
        expect(row.lost).toBe(0);
        expect(row.secretsFound).toBe(0);
    }
});
