#!/usr/bin/env bash
# `npm test`: provisions the toolchain, builds, type-checks, and runs every jest suite (unit, emulator and
# the suites that drive the real Pulumi CLI). Extra arguments go to jest (e.g. `npm test -- tests/unit`).
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
# The provider plugin (schema + staged folder + archive under .plugin/) for the plugin-*.test.ts suites.
node bin/scripts/plugin-build.js >/dev/null

report=$(mktemp)
trap 'rm -f "$report"' EXIT
set +e
npx jest --json --outputFile="$report" "$@"
status=$?
set -e
# jest's summary is not in the form CI reads; print the plain closing line from its report.
node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || echo "Tests: 0 passed, 1 failed"
exit $status
