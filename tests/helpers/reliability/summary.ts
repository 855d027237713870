/**
 * The reliability summary table: the rows each reliability file (and the randomized sequence check) counts, printed
 * as Markdown and merged into one file so that the combined table of every file's latest run can be asserted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../pulumi";
import type { Reconciliation } from "./reconcile";

/** One row of the reliability summary. */
export interface SummaryRow {
    area: string;
    cases: number;
    faultsInjected: number;
    faultsSurvived: number;
    badInputsTried: number;
    badInputsRejected: number;
    orphaned: number;
    duplicated: number;
    /** Resources in state whose instance no longer exists (dangling). */
    lost: number;
    secretsFound: number;
    seconds: number;
}

const columns: [keyof SummaryRow, string][] = [
    ["area", "area"],
    ["cases", "cases"],
    ["faultsInjected", "faults injected"],
    ["faultsSurvived", "faults survived"],
    ["badInputsTried", "bad inputs tried"],
    ["badInputsRejected", "rejected cleanly"],
    ["orphaned", "orphaned"],
    ["duplicated", "duplicated"],
    ["lost", "lost"],
    ["secretsFound", "secrets in output"],
    ["seconds", "seconds"],
];

/** The file where every reliability test file merges its rows (latest run of each file wins). */
export const summaryFile = path.join(repoRoot, "tests", ".work", "reliability-summary.json");

/** Formats rows as a Markdown table (the form docs/reliability.md uses). */
export function formatTable(rows: readonly SummaryRow[]): string {
    const header = `| ${columns.map(([, title]) => title).join(" | ")} |`;
    const rule = `|${columns.map(([key]) => (key === "area" ? "---" : "---:")).join("|")}|`;
    const body = rows.map(
        (row) =>
            `| ${columns.map(([key]) => (key === "seconds" ? Math.round(row.seconds) : (row[key] ?? 0))).join(" | ")} |`,
    );
    return [header, rule, ...body].join("\n");
}

/** Sums rows into a total row. */
export function totalRow(rows: readonly SummaryRow[], area = "total"): SummaryRow {
    const total = emptyRow(area);
    for (const row of rows) {
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
    row.orphaned += rec.orphans.length;
    row.duplicated += rec.duplicates;
    row.lost += rec.dangling.length;
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
        // Reliability files run side by side: a rename is atomic, so another file never reads half a summary.
        const partial = `${summaryFile}.${process.pid}`;
        fs.writeFileSync(partial, `${JSON.stringify(merged, null, 2)}\n`);
        fs.renameSync(partial, summaryFile);
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
