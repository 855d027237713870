#!/usr/bin/env bash
# `npm test`: provisions the toolchain, builds, type-checks, and runs every jest suite (unit, emulator and
# the suites that drive the real Pulumi CLI) and the Go tests of our language host (tools/pulumi-cli).
# Extra arguments go to jest and run only those suites, without the Go tests (e.g. `npm test -- tests/unit`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/toolchain.sh
# shellcheck disable=SC1091
source .toolchain/env.sh
echo "[test] node $(node --version), $(pulumi version), from $PULUMI_CLI_BIN" >&2

# The provider's serialized stub requires the compiled implementation (bin/provider), so build first.
npx tsc -p tsconfig.build.json
npx tsc -p tsconfig.json --noEmit

report=$(mktemp)
go_report=$(mktemp)
trap 'rm -f "$report" "$go_report"' EXIT
set +e
go_status=0
if [ $# -eq 0 ]; then
    if command -v go >/dev/null; then
        echo "[test] go test tools/pulumi-cli (our language host)" >&2
        bash tools/pulumi-cli/test.sh -json >"$go_report"
        go_status=$?
    else
        echo '{"Action":"fail","Package":"tools/pulumi-cli","Output":"go not found on PATH: the Go tests of our language host need the Go toolchain that builds it\n"}' >"$go_report"
        go_status=1
    fi
fi
npx jest --json --outputFile="$report" "$@"
status=$?
set -e
# jest's and go's summaries are not in the form CI reads: print the Go results like `go test`, then one plain
# closing line for both from their reports (a Go build failure counts as one failed test).
node -e '
    const fs = require("fs");
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const go = { pass: 0, fail: 0, skip: 0 };
    const output = new Map(); // "<package> <test>" -> output, for failures
    const tests = new Map(); // package -> finished tests
    for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
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
            go.fail++; // the package did not build or its tests did not start
            process.stdout.write((output.get(id) ?? "") + (output.get(`${e.FailedBuild} `) ?? "") + (e.Output ?? ""));
        }
        console.log(`[go] ${e.Action === "pass" ? "ok  " : e.Action.toUpperCase()} ${pkg} (${n} tests)`);
    }
    console.log(`Tests: ${r.numPassedTests + go.pass} passed, ${r.numFailedTests + go.fail} failed, ${r.numPendingTests + r.numTodoTests + go.skip} skipped`);
' "$report" "$go_report" || echo "Tests: 0 passed, 1 failed"
[ "$go_status" -eq 0 ] || status=1
exit $status
