#!/usr/bin/env bash
# `npm start`: the main job, runnable on a fresh clone. Provisions the toolchain, starts the bundled Cloud
# Elements emulator with its development accounts (instances persist in .emulator/state.json), creates the
# local stack `dev` (state in .pulumi-state, PULUMI_HOME in .pulumi-home: see scripts/demo-env.sh), runs
# `pulumi up --yes` on the main program and prints the outputs, the token as [secret]. Running it again converges:
# no duplicate instance.
#
# Demo configuration (the emulator's development accounts) is written only into a stack this script creates; the
# config of an existing stack is yours and is never overwritten. Only `cloudelements:baseUrl` follows the emulator
# when it still points to a previous emulator on this machine (another DEMO_EMULATOR_PORT).
#
# `npm start -- <pulumi command...>` runs any other pulumi command against the same emulator and stack,
# e.g. `npm start -- preview`, `npm start -- stack output --show-secrets`, `npm start -- destroy --yes`.
# Environment: DEMO_STACK (default dev), DEMO_EMULATOR_PORT (default 8765), and the PULUMI_* defaults of
# scripts/demo-env.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/toolchain.sh
# shellcheck disable=SC1091
source .toolchain/env.sh
# shellcheck source=scripts/demo-env.sh
source scripts/demo-env.sh
npx tsc -p tsconfig.build.json

stack=${DEMO_STACK:-dev}
port=${DEMO_EMULATOR_PORT:-8765}
mkdir -p .emulator

log=.emulator/emulator.log
node bin/emulator/cli.js --port "$port" --state .emulator/state.json >.emulator/url 2>"$log" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    grep -q "listening on" .emulator/url 2>/dev/null && break
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$log" >&2; echo "[start] the emulator did not start (is port $port busy? set DEMO_EMULATOR_PORT)" >&2; exit 1; }
    sleep 0.1
done
base_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' .emulator/url | head -1)
echo "[start] Cloud Elements emulator at $base_url (log: $log)" >&2

# Development accounts of the emulator (not real secrets): see docs/emulator.md.
eval "$(node -e '
    const { devAccounts } = require("./bin/emulator");
    const org = devAccounts.organizations[0];
    const fd = devAccounts.freshdesk[0];
    const q = (s) => "\x27" + s.replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
    console.log(`dev_org=${q(org.organizationSecret)} dev_user=${q(org.users[0].userSecret)}`);
    console.log(`dev_subdomain=${q(fd.subdomain)} dev_key=${q(fd.apiKeys[0])}`);
')"

created=false
if ! pulumi stack select "$stack" >/dev/null 2>&1; then
    pulumi stack init "$stack" >/dev/null
    created=true
    echo "[start] created stack '$stack' ($(demo_env_describe))" >&2
fi

if [ "$created" = true ]; then
    # Only into the stack just created: the emulator's development accounts (not real secrets, docs/emulator.md).
    pulumi config set cloudelements:baseUrl "$base_url"
    pulumi config set --secret cloudelements:userSecret "$dev_user"
    pulumi config set --secret cloudelements:organizationSecret "$dev_org"
    pulumi config set subdomain "$dev_subdomain"
    pulumi config set --secret apiKey "$dev_key"
else
    # An existing stack: check that its secrets decrypt before anything else, with the hint if they do not.
    check=$(mktemp)
    if ! pulumi config --show-secrets --json >/dev/null 2>"$check"; then
        cat "$check" >&2
        demo_passphrase_hint "$check" || true
        rm -f "$check"
        exit 1
    fi
    rm -f "$check"
    current=$(pulumi config get cloudelements:baseUrl 2>/dev/null || true)
    if [ -z "$current" ]; then
        echo "[start] stack '$stack' has no cloudelements:baseUrl: the provider uses CLOUD_ELEMENTS_BASE_URL if set (the demo emulator is at $base_url)" >&2
    elif [ "$current" != "$base_url" ]; then
        case "$current" in
            http://127.0.0.1:*/elements/api-v2)
                # What this script wrote for an emulator on another port: follow the emulator.
                pulumi config set cloudelements:baseUrl "$base_url"
                echo "[start] cloudelements:baseUrl moved from $current to this emulator, $base_url" >&2 ;;
            *)
                echo "[start] stack '$stack' uses cloudelements:baseUrl $current (left as you set it; the demo emulator is at $base_url)" >&2 ;;
        esac
    fi
fi

# A failing pulumi command whose cause is the passphrase gets the demo's hint.
run_pulumi() {
    local rc=0
    pulumi "$@" || rc=$?
    [ "$rc" -eq 0 ] || demo_passphrase_check "$root" "$stack"
    return "$rc"
}

if [ $# -gt 0 ]; then
    run_pulumi "$@"
    exit $?
fi

run_pulumi up --yes --skip-preview
echo
echo "Outputs of stack '$stack' (secrets stay [secret]):"
pulumi stack output
cat <<EOF

Next steps (each runs against the same emulator and local stack):
  npm start -- preview                          # what would change
  npm start -- stack output --show-secrets      # reveal the element token
  npm start -- config set --path 'tags[0]' team-a  # then npm start: updates in place
  npm start -- destroy --yes                    # delete the instance
  bash scripts/run.sh pulumi stack output       # the same stack, without starting the emulator
Environment: $(demo_env_describe); emulator data: .emulator/state.json
EOF
