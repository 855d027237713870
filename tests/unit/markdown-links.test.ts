/**
 * Every relative link in the repository's Markdown files resolves: files, folders and `#headings`, in the same file
 * and in others. The check is remark-validate-links run by remark-cli with the repository's `.remarkrc.json` (web
 * links are not followed: no network), the same command as `npm run lint:links`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const remark = path.join(root, "node_modules", ".bin", "remark");

/** Runs the link check on `files` (relative to `cwd`); `report` is what remark printed, one warning a line. */
function checkLinks(cwd: string, files: string[]): { status: number | null; report: string } {
    const result = spawnSync(
        remark,
        [
            "--rc-path",
            path.join(root, ".remarkrc.json"),
            "--frail",
            "--quiet",
            "--no-stdout",
            "--color=false",
            ...files,
        ],
        { cwd, encoding: "utf8", timeout: 60_000 },
    );
    if (result.error) {
        throw result.error;
    }
    return { status: result.status, report: `${result.stdout}${result.stderr}` };
}

test("every tracked Markdown file's relative links and anchors resolve", () => {
    const listed = spawnSync("git", ["ls-files", "-z", "--", "*.md"], { cwd: root, encoding: "utf8" });
    expect(listed.status).toBe(0);
    const files = listed.stdout.split("\0").filter((f) => f !== "" && !f.split("/").includes("node_modules"));
    expect(files).toEqual(expect.arrayContaining(["README.md", "CHANGELOG.md", "docs/reliability.md"]));

    const { status, report } = checkLinks(root, files);
    expect(report).toBe("");
    expect(status).toBe(0);
});

test("the check fails on a missing file, a missing heading and a missing heading in another file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "markdown-links-"));
    try {
        fs.writeFileSync(
            path.join(dir, "index.md"),
            [
                "# Index",
                "",
                "[fine](other.md#present) [fine](#index) [fine](https://example.invalid/never-fetched)",
                "",
                "[gone](missing.md) [no anchor](#absent) [no anchor there](other.md#absent)",
                "",
            ].join("\n"),
        );
        fs.writeFileSync(path.join(dir, "other.md"), "# Other\n\n## Present\n");

        const { status, report } = checkLinks(dir, ["index.md", "other.md"]);
        expect(status).toBe(1);
        const problems = report.match(/remark-validate-links:[\w-]+/g);
        expect(problems).toEqual([
            "remark-validate-links:missing-file",
            "remark-validate-links:missing-heading",
            "remark-validate-links:missing-heading-in-file",
        ]);
        expect(report).toContain("`missing.md`");
        expect(report).not.toContain("#present");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
