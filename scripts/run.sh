#!/usr/bin/env bash
# Runs a command with the project's toolchain (Node 22, the Pulumi CLI, offline Pulumi defaults).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/toolchain.sh"
# shellcheck disable=SC1091
source "$root/.toolchain/env.sh"
exec "$@"
