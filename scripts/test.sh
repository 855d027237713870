#!/usr/bin/env bash
# `npm test`: provisions the toolchain, builds, type-checks, and runs every jest suite (unit, emulator and
# the suites that drive the real Pulumi CLI) and the Go tests of our language host (tools/pulumi-cli).
# Extra arguments go to jest and run only those suites, without the Go tests (e.g. `npm test -- tests/unit`).
# `--unit` first (`npm run test:unit`): only the unit and emulator suites, no CLI, no build, no plugin, no Go tests.
# In a git checkout it also fails when the tests leave new or changed files in the working tree.
set -euo pipefail
unit=false
if [ "${1:-}" = --unit ]; then
    unit=true
    shift
    set -- --selectProjects unit "$@"
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/toolchain.sh
# shellcheck disable=SC1091
source .toolchain/env.sh
echo "[test] node $(node --version), $(pulumi version), from $PULUMI_CLI_BIN" >&2

# The one type check of sources and tests (jest only transpiles). The engine suites need bin/ (the serialized stub
# requires the compiled implementation) and the provider plugin (.plugin/), built alongside it; the unit and emulator
# suites run from the sources, so `--unit` builds nothing and type-checks while jest runs.
npx tsc -p tsconfig.json --noEmit &
typecheck=$!
if [ "$unit" != true ]; then
    npx tsc -p tsconfig.build.json
    node bin/scripts/plugin-build.js >/dev/null
    wait "$typecheck"
fi

# One id for every reliability file of this run, so that `npm run report:reliability` writes the rows of this run
# only (scripts/reliability-table.ts); the command goes next to the table.
RELIABILITY_RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)-$$"
RELIABILITY_RUN_COMMAND="npm test${*:+ -- $*}"
export RELIABILITY_RUN_ID RELIABILITY_RUN_COMMAND

report=$(mktemp)
serial_report=$(mktemp)
go_report=$(mktemp)
before=$(mktemp)
trap 'rm -f "$report" "$serial_report" "$go_report" "$before"' EXIT
serial=(tests/engine/reliability-interrupt.test.ts tests/engine/langhost-parity.test.ts)
# The suites must leave the tree as they found it (no lockfiles, stack files or state next to the sources). In a git
# checkout, what `git status` shows after jest is compared with what it showed before.
in_git=false
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    in_git=true
    git status --porcelain --untracked-files=all | sort >"$before"
fi
set +e
go_status=0
go_pid=""
if [ $# -eq 0 ]; then
    if command -v go >/dev/null; then
        # Alongside the parallel jest run, whose engine suites mostly wait on the CLI; done before the serial one.
        echo "[test] go test tools/pulumi-cli (our language host), in the background" >&2
        bash tools/pulumi-cli/test.sh -json >"$go_report" &
        go_pid=$!
    else
        echo '{"Action":"fail","Package":"tools/pulumi-cli","Output":"go not found on PATH: the Go tests of our language host need the Go toolchain that builds it\n"}' >"$go_report"
        go_status=1
    fi
fi
if [ $# -eq 0 ]; then
    # The whole suite also checks the provider's coverage threshold (jest.config.js); a chosen subset does not.
    # Suites that interrupt the CLI mid-operation or compare its durations run afterwards, one at a time, so that
    # the files running side by side (jest.config.js maxWorkers) do not load the machine under them.
    npx jest --json --outputFile="$report" --coverage --testPathIgnorePatterns /node_modules/ "${serial[@]}"
    jest_status=$?
    if [ -n "$go_pid" ]; then
        wait "$go_pid"
        go_status=$?
    fi
    npx jest --json --outputFile="$serial_report" --runInBand "${serial[@]}"
    serial_status=$?
    [ "$serial_status" -eq 0 ] || jest_status=$serial_status
else
    npx jest --json --outputFile="$report" "$@"
    jest_status=$?
fi
status=$jest_status
if [ "$unit" = true ]; then
    if ! wait "$typecheck"; then
        echo "[test] the type check failed (tsc -p tsconfig.json --noEmit, above)" >&2
        status=1
    fi
fi
set -e
left=""
if [ "$in_git" = true ]; then
    left=$(git status --porcelain --untracked-files=all | sort | comm -13 "$before" -)
    if [ -n "$left" ]; then
        echo "[test] the tests left files in the working tree (add them to .gitignore only if they are meant to exist):" >&2
        echo "$left" >&2
        [ "$status" -ne 0 ] || status=1
    fi
fi
# jest's and go's summaries are not in the form CI reads: one plain closing line for both.
node scripts/test-summary.cjs "$report$( [ $# -eq 0 ] && echo ",$serial_report")" "$( [ $# -eq 0 ] && echo "$go_report")" "$left" "$jest_status" || echo "Tests: 0 passed, 1 failed"
[ "$go_status" -eq 0 ] || status=1
exit $status
