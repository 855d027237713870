/** Reading replayable sequences: what `npm run chaos -- --replay` and the regression test accept. */
import type { Sequence } from "./sequence";

/**
 * The sequences of a replay file's JSON: one sequence (`{seed?, steps}`), a list of them, or entries holding one as
 * `sequence` (a failure report of `npm run chaos`, the entries of tests/chaos/regressions.json).
 */
export function sequencesOf(json: unknown): Sequence[] {
    const items = Array.isArray(json) ? json : [json];
    return items.map((item) => {
        const sequence = (item as { sequence?: Sequence }).sequence ?? (item as Sequence);
        if (!Array.isArray(sequence?.steps)) {
            throw new Error("a replayed sequence needs a `steps` array");
        }
        return sequence;
    });
}
