/**
 * The reliability summary table: the rows each reliability file (and the randomized sequence check) counts, printed
 * as Markdown and merged into one file so that the combined table of every file's latest run can be asserted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorControl } from "../../../emulator";
import { repoRoot } from "../pulumi";
import type { Reconciliation } from "./reconcile";

/** One row of the reliability summary. */
export interface SummaryRow {
    area: string;
    cases: number;
    /** Faults that fired: the emulator's fault log shows they shaped at least one request. */
    faultsInjected: number;
    /** Faults that fired in a case that ended clean (nothing orphaned, duplicated or lost). */
    faultsSurvived: number;
    /** Faults armed that no request reached (not counted as injected or survived). */
    faultsUnreached: number;
    badInputsTried: number;
    badInputsRejected: number;
    orphaned: number;
    duplicated: number;
    /** Resources in state whose instance no longer exists (dangling). */
    lost: number;
    /** Whether orphaned, duplicated and lost were measured (a reconciliation was tallied): printed as `-` if not. */
    reconciled?: boolean;
    secretsFound: number;
    seconds: number;
}

const columns: [keyof SummaryRow, string][] = [
    ["area", "area"],
    ["cases", "cases"],
    ["faultsInjected", "faults injected (fired)"],
    ["faultsSurvived", "faults survived"],
    ["faultsUnreached", "armed, never reached"],
    ["badInputsTried", "bad inputs tried"],
    ["badInputsRejected", "rejected cleanly"],
    ["orphaned", "orphaned"],
    ["duplicated", "duplicated"],
    ["lost", "lost"],
    ["secretsFound", "secrets in output"],
    ["seconds", "seconds"],
];

const reconciliationColumns: (keyof SummaryRow)[] = ["orphaned", "duplicated", "lost"];

/** The file where every reliability test file merges its rows (latest run of each file wins). */
export const summaryFile = path.join(repoRoot, "tests", ".work", "reliability-summary.json");

/** Formats rows as a Markdown table (the form docs/reliability.md uses). */
export function formatTable(rows: readonly SummaryRow[]): string {
    const header = `| ${columns.map(([, title]) => title).join(" | ")} |`;
    const rule = `|${columns.map(([key]) => (key === "area" ? "---" : "---:")).join("|")}|`;
    const cell = (row: SummaryRow, key: keyof SummaryRow) => {
        if (key === "seconds") return Math.round(row.seconds);
        if (reconciliationColumns.includes(key) && !row.reconciled) return "-";
        return row[key] ?? 0;
    };
    const body = rows.map((row) => `| ${columns.map(([key]) => cell(row, key)).join(" | ")} |`);
    return [header, rule, ...body].join("\n");
}

/** Sums rows into a total row. */
export function totalRow(rows: readonly SummaryRow[], area = "total"): SummaryRow {
    const total = emptyRow(area);
    for (const row of rows) {
        total.reconciled ||= row.reconciled;
        for (const [key] of columns) {
            if (key !== "area") {
                (total[key] as number) += (row[key] as number | undefined) ?? 0;
            }
        }
    }
    return total;
}

function emptyRow(area: string): SummaryRow {
    return {
        area,
        cases: 0,
        faultsInjected: 0,
        faultsSurvived: 0,
        faultsUnreached: 0,
        badInputsTried: 0,
        badInputsRejected: 0,
        orphaned: 0,
        duplicated: 0,
        lost: 0,
        secretsFound: 0,
        seconds: 0,
    };
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
    if (clean) row.faultsSurvived += fired;
    row.faultsUnreached += unreached;
}

/** The rows one test file reports; {@link Summary.publish} prints them and merges them into {@link summaryFile}. */
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
     * Prints this file's table and the merged table of every reliability file's latest run to stdout, and
     * persists this file's rows. Returns the printed text.
     */
    publish(): string {
        const rows = this.all();
        let merged: Record<string, { finishedAt: string; rows: SummaryRow[] }> = {};
        try {
            merged = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
        } catch {
            // First file of the first run.
        }
        merged[this.file] = { finishedAt: new Date().toISOString(), rows };
        fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
        fs.writeFileSync(summaryFile, `${JSON.stringify(merged, null, 2)}\n`);
        const allRows = Object.keys(merged)
            .sort()
            .flatMap((file) => merged[file].rows);
        const text =
            `\nReliability summary: ${this.file}\n${formatTable([...rows, totalRow(rows)])}\n` +
            `\nReliability summary: all reliability files (latest run of each, ${summaryFile})\n` +
            `${formatTable([...allRows, totalRow(allRows)])}\n`;
        process.stdout.write(text);
        return text;
    }
}
