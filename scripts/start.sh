#!/usr/bin/env bash
# `npm start`: the main job, runnable on a fresh clone. Provisions the toolchain, starts the bundled Cloud
# Elements emulator with its development accounts (instances persist in .emulator/state.json), creates the
# local stack `dev` (state in .pulumi-state, PULUMI_HOME in .pulumi-home), runs `pulumi up --yes` on the main
# program and prints the outputs, the token as [secret]. Running it again converges: no duplicate instance.
#
# `npm start -- <pulumi command...>` runs any other pulumi command against the same emulator and stack,
# e.g. `npm start -- preview`, `npm start -- stack output --show-secrets`, `npm start -- destroy --yes`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/toolchain.sh
# shellcheck disable=SC1091
source .toolchain/env.sh
npx tsc -p tsconfig.build.json

stack=${DEMO_STACK:-dev}
port=${DEMO_EMULATOR_PORT:-8765}
mkdir -p .emulator .pulumi-state .pulumi-home
export PULUMI_BACKEND_URL="file://$root/.pulumi-state"
export PULUMI_HOME="$root/.pulumi-home"
# The demo stack's secrets are encrypted with this passphrase unless you bring your own.
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-local-demo-passphrase}

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
    const { DEV_ACCOUNTS } = require("./bin/emulator");
    const org = DEV_ACCOUNTS.organizations[0];
    const fd = DEV_ACCOUNTS.freshdesk[0];
    const q = (s) => "\x27" + s.replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
    console.log(`dev_org=${q(org.organizationSecret)} dev_user=${q(org.users[0].userSecret)}`);
    console.log(`dev_subdomain=${q(fd.subdomain)} dev_key=${q(fd.apiKeys[0])}`);
')"

pulumi stack select --create "$stack" >/dev/null
pulumi config set cloudelements:baseUrl "$base_url"
if [ "$stack" = dev ] && ! pulumi config get cloudelements:userSecret >/dev/null 2>&1; then
    pulumi config set --secret cloudelements:userSecret "$dev_user"
    pulumi config set --secret cloudelements:organizationSecret "$dev_org"
    pulumi config set subdomain "$dev_subdomain"
    pulumi config set --secret apiKey "$dev_key"
fi

if [ $# -gt 0 ]; then
    pulumi "$@"
    exit $?
fi

pulumi up --yes --skip-preview
echo
echo "Outputs of stack '$stack' (secrets stay [secret]):"
pulumi stack output
cat <<EOF

Next steps (each runs against the same emulator and local stack):
  npm start -- preview                          # what would change
  npm start -- stack output --show-secrets      # reveal the element token
  npm start -- config set --path 'tags[0]' team-a  # then npm start: updates in place
  npm start -- destroy --yes                    # delete the instance
State: .pulumi-state (passphrase: \$PULUMI_CONFIG_PASSPHRASE, default local-demo-passphrase); emulator data: .emulator/state.json
EOF
