#!/usr/bin/env bash
# `bash scripts/run.sh [--build] <command...>`: runs a command with the project's toolchain (Node 22, the Pulumi
# CLI, offline Pulumi defaults) and the demo environment of `npm start` (scripts/demo-env.sh: its backend,
# PULUMI_HOME and passphrase, each unless you exported your own), so that `bash scripts/run.sh pulumi stack output`
# and `npm run recover -- --stack dev` find the demo stack.
#
#   --build   first compiles the TypeScript sources to bin/ (the emulator, bench and recover commands run from there)
#
# The command's exit status is passed through. When a pulumi or recover command fails and the stack's secrets do
# not decrypt with the passphrase in use, a hint says which passphrase the demo uses.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ] || [ $# -eq 0 ]; then
    sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit 0
fi
bash "$root/scripts/toolchain.sh"
# shellcheck disable=SC1091
source "$root/.toolchain/env.sh"
# shellcheck source=scripts/demo-env.sh
source "$root/scripts/demo-env.sh"
if [ "${1:-}" = --build ]; then
    shift
    (cd "$root" && npx tsc -p tsconfig.build.json)
fi

status=0
"$@" || status=$?
case "$*" in *pulumi* | *recover*) is_pulumi=true ;; *) is_pulumi=false ;; esac
if [ "$status" -ne 0 ] && [ "$is_pulumi" = true ]; then
    # The stack the command named (pulumi's and recover's --stack/-s), else the selected one; the program is the
    # current directory when it has one (npm runs scripts in the repository root: the main program).
    stack=""
    prev=""
    for arg in "$@"; do
        case "$prev" in --stack | -s) stack=$arg ;; esac
        case "$arg" in --stack=*) stack=${arg#--stack=} ;; esac
        prev=$arg
    done
    dir=$PWD
    [ -f "$dir/Pulumi.yaml" ] || dir=$root
    demo_passphrase_check "$dir" "$stack"
fi
exit "$status"
