/**
 * The writers of generated figures: the marked-block replacement both report commands use (it must replace exactly
 * the marked block, or refuse), and the reliability block built from the last run's records only.
 */
import { markers, replaceMarkedBlock } from "../../scripts/markers";
import { emptyRow, lastRun, type RunRecord } from "../../scripts/reliability-table";
import { reliabilityBlock } from "../../scripts/report-reliability";

const { start, end } = markers("figures");

describe("replaceMarkedBlock", () => {
    const before = `# Title\n\nIntro ${"x".repeat(10)}\n\n${start}\nold table\n| a | b |\n${end}\n\nAfter: kept.\n`;

    it("replaces exactly the text between the markers and keeps everything else byte for byte", () => {
        const after = replaceMarkedBlock(before, "figures", "new table\n");
        expect(after).toBe(`# Title\n\nIntro ${"x".repeat(10)}\n\n${start}\nnew table\n${end}\n\nAfter: kept.\n`);
        // Idempotent: writing the same content again changes nothing.
        expect(replaceMarkedBlock(after, "figures", "new table")).toBe(after);
    });

    it("leaves other blocks alone", () => {
        const other = markers("other");
        const text = `${other.start}\nkeep\n${other.end}\n${before}`;
        expect(replaceMarkedBlock(text, "figures", "new")).toContain(`${other.start}\nkeep\n${other.end}`);
    });

    it.each([
        ["no markers", "# Title\n"],
        ["a start marker only", `${start}\n`],
        ["a doubled start marker", `${start}\n${start}\n${end}\n`],
        ["end before start", `${end}\nx\n${start}\n`],
    ])("refuses %s", (_label, text) => {
        expect(() => replaceMarkedBlock(text, "figures", "new")).toThrow();
    });
});

describe("the reliability block", () => {
    const row = (area: string, fired: number, unreached: number) => ({
        ...emptyRow(area),
        cases: 1,
        faultsInjected: fired,
        faultsSurvived: fired,
        faultsUnreached: unreached,
    });
    const record = (file: string, runId: string, finishedAt: string, rows = [row(file, 1, 0)]): RunRecord => ({
        file,
        runId,
        command: `npm test -- ${runId}`,
        finishedAt,
        rows,
    });

    it("takes the rows of the last run only, never rows of an older run", () => {
        const records = [
            record("reliability-faults", "old", "2026-01-01T00:00:00Z"),
            record("reliability-edges", "old", "2026-01-01T00:05:00Z"),
            record("reliability-faults", "new", "2026-02-01T00:00:00Z", [row("matrix", 3, 1)]),
        ];
        const run = lastRun(records);
        expect(run.map((r) => r.file)).toEqual(["reliability-faults"]);
        const block = reliabilityBlock(run);
        expect(block).toContain("`npm test -- new`");
        expect(block).toContain("2026-02-01T00:00:00Z");
        expect(block).toContain("| matrix | 1 | 3 | 3 | 1 |");
        expect(block).toContain("| total | 1 | 3 | 3 | 1 |");
        expect(block).not.toContain("reliability-edges");
    });

    it("shows unmeasured reconciliation columns as '-' and measured ones as numbers", () => {
        const measured = { ...row("measured", 0, 0), reconciled: true };
        const block = reliabilityBlock([record("f", "r", "2026-01-01T00:00:00Z", [row("unmeasured", 0, 0), measured])]);
        expect(block).toMatch(/\| unmeasured \| 1 \| 0 \| 0 \| 0 \| 0 \| 0 \| - \| - \| - \| 0 \| 0 \|/);
        expect(block).toMatch(/\| measured \| 1 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \|/);
    });
});
