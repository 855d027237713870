/**
 * `npm run report:reliability`: writes the reliability table of the last run of the reliability suites (the records
 * under `tests/.work/reliability/` sharing the newest run id; rows of older runs are never mixed in) into
 * docs/reliability.md between `<!-- reliability-table:start -->` and `<!-- reliability-table:end -->`, with the
 * run's command and date. Exit 1 when there is no record (run the suites first).
 */
import * as path from "node:path";
import { writeMarkedBlock } from "./markers";
import { formatTable, lastRun, type RunRecord, readRecords, recordsDir, totalRow } from "./reliability-table";

/** The Markdown block for the records of one run. */
export function reliabilityBlock(run: readonly RunRecord[]): string {
    const rows = run.flatMap((r) => r.rows);
    const finished = run.map((r) => r.finishedAt).sort();
    return [
        `Printed by \`npm run report:reliability\` from the run \`${run[0].command}\` that finished ` +
            `${finished[finished.length - 1]} (files: ${run.map((r) => r.file).join(", ")}).`,
        "",
        formatTable([...rows, totalRow(rows)]),
    ].join("\n");
}

function main(): number {
    const root = path.resolve(__dirname, "..", "..");
    const run = lastRun(readRecords(recordsDir(root)));
    if (run.length === 0) {
        process.stderr.write(
            "report:reliability: no reliability records; run the suites first (npm test -- tests/engine)\n",
        );
        return 1;
    }
    const target = path.join(root, "docs", "reliability.md");
    writeMarkedBlock(target, "reliability-table", reliabilityBlock(run));
    process.stdout.write(`${reliabilityBlock(run)}\n\nwritten to ${path.relative(root, target)}\n`);
    return 0;
}

if (require.main === module) {
    process.exitCode = main();
}
