/**
 * The reliability summary: the rows each reliability test file counts (one JSON record per file and run, under
 * `tests/.work/reliability/`), formatted as the Markdown table `npm test` prints and `npm run report:reliability`
 * writes into docs/reliability.md. Shared by the test helpers and the report command, so both print the same table.
 */
import * as fs from "node:fs";
import * as path from "node:path";

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

/** What one test file of one run counted. */
export interface RunRecord {
    /** The test file's short name, e.g. `reliability-faults`. */
    file: string;
    /** Shared by every file of one `npm test` (or jest) run. */
    runId: string;
    /** The command of the run, e.g. `npm test -- tests/engine/reliability`. */
    command: string;
    finishedAt: string;
    rows: SummaryRow[];
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

/** A row with every count at 0. */
export function emptyRow(area: string): SummaryRow {
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

/** Formats rows as a Markdown table. */
export function formatTable(rows: readonly SummaryRow[]): string {
    const header = `| ${columns.map(([, title]) => title).join(" | ")} |`;
    const rule = `|${columns.map(([key]) => (key === "area" ? "---" : "---:")).join("|")}|`;
    const cell = (row: SummaryRow, key: keyof SummaryRow) => {
        if (key === "seconds") {
            return Math.round(row.seconds);
        }
        if (reconciliationColumns.includes(key) && !row.reconciled) {
            return "-";
        }
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

/** Where the test files write their records (`<file>.json`, the last run of each file). */
export function recordsDir(repoRoot: string): string {
    return path.join(repoRoot, "tests", ".work", "reliability");
}

/** Every record in `dir` (none when it does not exist). */
export function readRecords(dir: string): RunRecord[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".json"))
        .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as RunRecord);
}

/** The records of the last run (the run of the most recently finished record), by file name; none if no record. */
export function lastRun(records: readonly RunRecord[]): RunRecord[] {
    const latest = [...records].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)).pop();
    if (!latest) {
        return [];
    }
    return records.filter((r) => r.runId === latest.runId).sort((a, b) => a.file.localeCompare(b.file));
}
