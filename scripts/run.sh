#!/usr/bin/env bash
# Runs a command with the project's toolchain (Node 22, the Pulumi CLI, offline Pulumi defaults).
# `--build` first compiles the TypeScript sources to bin/ (the emulator, bench and recover commands run from there).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/toolchain.sh"
# shellcheck disable=SC1091
source "$root/.toolchain/env.sh"
if [ "${1:-}" = --build ]; then
    shift
    (cd "$root" && npx tsc -p tsconfig.build.json)
fi
exec "$@"
