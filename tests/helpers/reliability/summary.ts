/**
 * The reliability summary: the rows each reliability file (and the randomized sequence check) counts, with faults
 * counted from the emulator's fault log, printed as Markdown and recorded per file and run for
 * `npm run report:reliability` (scripts/reliability-table.ts holds the format).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorControl } from "../../../emulator";
import {
    emptyRow,
    formatTable,
    type RunRecord,
    readRecords,
    recordsDir,
    type SummaryRow,
    totalRow,
} from "../../../scripts/reliability-table";
import { repoRoot } from "../pulumi";
import type { Reconciliation } from "./reconcile";

export { emptyRow, formatTable, type SummaryRow, totalRow } from "../../../scripts/reliability-table";

/** The jest process: a worker's parent, or this process when jest runs in band. */
function jestPid(): number {
    return typeof process.send === "function" ? process.ppid : process.pid;
}

/** This run's id: every file of one `npm test` (scripts/test.sh exports it) or of one jest process shares it. */
export function runId(): string {
    return process.env.RELIABILITY_RUN_ID ?? `jest-${jestPid()}`;
}

/** The command of this run, as scripts/test.sh exports it (else the jest process's command line, where readable). */
export function runCommand(): string {
    if (process.env.RELIABILITY_RUN_COMMAND) {
        return process.env.RELIABILITY_RUN_COMMAND;
    }
    try {
        const argv = fs.readFileSync(`/proc/${jestPid()}/cmdline`, "utf8").split("\0").filter(Boolean);
        return argv
            .map((a) =>
                !path.isAbsolute(a) ? a : a.startsWith(repoRoot) ? path.relative(repoRoot, a) : path.basename(a),
            )
            .join(" ");
    } catch {
        return "jest";
    }
}

/** Adds what a reconciliation found to a row: orphans, duplicates, resources whose instance is gone. */
export function tally(row: SummaryRow, rec: Reconciliation): void {
    row.reconciled = true;
    row.orphaned += rec.orphans.length;
    row.duplicated += rec.duplicates;
    row.lost += rec.dangling.length;
}

/** Where a case started: its time and the faults the emulator's fault log held then (see {@link countFaults}). */
export interface CaseStart {
    readonly at: number;
    readonly faultsBefore: ReadonlySet<string>;
}

/** Marks the start of a case whose faults {@link countFaults} will count. */
export async function startCase(control: EmulatorControl): Promise<CaseStart> {
    return { at: Date.now(), faultsBefore: new Set((await control.faultLog()).map((f) => f.id)) };
}

/** The faults armed since `start`: how many fired (shaped a request) and how many no request reached. */
export async function faultsSince(
    control: EmulatorControl,
    start: CaseStart,
): Promise<{ fired: number; unreached: number }> {
    const armed = (await control.faultLog()).filter((f) => !start.faultsBefore.has(f.id));
    const fired = armed.filter((f) => f.fired > 0).length;
    return { fired, unreached: armed.length - fired };
}

/**
 * Counts the faults armed since `start` into `row`, from the emulator's fault log: a fault that fired is injected,
 * and survived when the case ended `clean`; a fault no request reached is only counted as armed, never reached.
 */
export async function countFaults(
    row: SummaryRow,
    control: EmulatorControl,
    start: CaseStart,
    clean: boolean,
): Promise<void> {
    const { fired, unreached } = await faultsSince(control, start);
    row.faultsInjected += fired;
    if (clean) {
        row.faultsSurvived += fired;
    }
    row.faultsUnreached += unreached;
}

/** The rows one test file reports; {@link Summary.publish} prints and records them. */
export class Summary {
    private readonly rows = new Map<string, SummaryRow>();

    /** @param file The test file's short name, e.g. `reliability-faults`. */
    constructor(readonly file: string) {}

    /** The row of `area`, created empty on first use. */
    row(area: string): SummaryRow {
        let row = this.rows.get(area);
        if (!row) {
            row = emptyRow(area);
            this.rows.set(area, row);
        }
        return row;
    }

    /** All rows, in creation order. */
    all(): SummaryRow[] {
        return [...this.rows.values()];
    }

    /**
     * Prints this file's table and the table of every reliability file of this run so far (rows of earlier runs are
     * never mixed in), and writes this file's record for `npm run report:reliability`. Returns the printed text.
     */
    publish(): string {
        const rows = this.all();
        const record: RunRecord = {
            file: this.file,
            runId: runId(),
            command: runCommand(),
            finishedAt: new Date().toISOString(),
            rows,
        };
        const dir = recordsDir(repoRoot);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${this.file}.json`), `${JSON.stringify(record, null, 2)}\n`);
        const run = readRecords(dir).filter((r) => r.runId === record.runId);
        const allRows = run.sort((a, b) => a.file.localeCompare(b.file)).flatMap((r) => r.rows);
        const text =
            `\nReliability summary: ${this.file}\n${formatTable([...rows, totalRow(rows)])}\n` +
            `\nReliability summary: the reliability files of this run so far (run ${record.runId}: ` +
            `${run.map((r) => r.file).join(", ")})\n${formatTable([...allRows, totalRow(allRows)])}\n`;
        process.stdout.write(text);
        return text;
    }
}
