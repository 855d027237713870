// Prints the one closing line CI reads ("Tests: N passed, N failed, N skipped") for `npm test`, from jest's JSON
// report and `go test -json` output (either may be missing), and prints failing Go tests' output like `go test`.
// Usage: node scripts/test-summary.cjs <jest report[,jest report...]> <go report or ""> <files left in the tree or "">
//   [jest status]
// Files the suites left in the working tree count as one failed check; a Go package that failed without running
// a test (a build failure) counts as one failed test; so does a suite that could not run, and a jest run that failed
// with no failed test (the coverage threshold). Before that line it lists the ten slowest test files.
const fs = require("node:fs");
const path = require("node:path");

const [jestReport, goReport, left, jestStatus] = process.argv.slice(2);
// Several jest reports (runs of one `npm test`), comma-separated, count as one.
const jest = { numPassedTests: 0, numFailedTests: 0, numRuntimeErrorTestSuites: 0, numPendingTests: 0, numTodoTests: 0 };
jest.testResults = [];
for (const file of jestReport.split(",")) {
    const one = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const key of Object.keys(jest)) {
        if (key === "testResults") jest.testResults.push(...(one.testResults ?? []));
        else jest[key] += one[key] ?? 0;
    }
}
const go = { pass: 0, fail: 0, skip: 0 };
if (goReport) {
    const output = new Map(); // "<package> <test>" -> output, for failures
    const tests = new Map(); // package -> finished tests
    for (const line of fs.readFileSync(goReport, "utf8").split("\n")) {
        if (!line.startsWith("{")) continue;
        const e = JSON.parse(line);
        const pkg = e.Package ?? e.ImportPath;
        const id = `${pkg} ${e.Test ?? ""}`;
        if (e.Action === "output" || e.Action === "build-output") output.set(id, (output.get(id) ?? "") + e.Output);
        if (!["pass", "fail", "skip"].includes(e.Action)) continue;
        if (e.Test) {
            go[e.Action]++;
            tests.set(pkg, (tests.get(pkg) ?? 0) + 1);
            if (e.Action === "fail") process.stdout.write(output.get(id) ?? "");
            continue;
        }
        const n = tests.get(pkg) ?? 0;
        if (e.Action === "fail" && n === 0) {
            go.fail++;
            process.stdout.write((output.get(id) ?? "") + (output.get(`${e.FailedBuild} `) ?? "") + (e.Output ?? ""));
        }
        console.log(`[go] ${e.Action === "pass" ? "ok  " : e.Action.toUpperCase()} ${pkg} (${n} tests)`);
    }
}
// The ten slowest test files (wall time each, several run at once), to see where the suite's time goes.
const files = (jest.testResults ?? [])
    .filter((r) => r.startTime && r.endTime)
    .map((r) => ({ name: path.relative(process.cwd(), r.name), seconds: (r.endTime - r.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds);
if (files.length > 1) {
    console.log("[test] slowest files:");
    for (const f of files.slice(0, 10)) console.log(`[test] ${f.seconds.toFixed(1).padStart(7)} s  ${f.name}`);
}
const passed = jest.numPassedTests + go.pass;
const suitesNotRun = jest.numRuntimeErrorTestSuites ?? 0;
const otherFailure = jest.numFailedTests + suitesNotRun === 0 && Number(jestStatus || 0) !== 0 ? 1 : 0;
const failed = jest.numFailedTests + suitesNotRun + otherFailure + go.fail + (left ? 1 : 0);
const skipped = jest.numPendingTests + jest.numTodoTests + go.skip;
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
