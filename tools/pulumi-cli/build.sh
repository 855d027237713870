#!/usr/bin/env bash
# Builds the pinned Pulumi CLI and this folder's Node.js language host into $PULUMI_CLI_ROOT/bin,
# plus the pulumi-resource-pulumi-nodejs shim that starts dynamic providers.
# The official language host module has no version tags and the module proxy does not serve it,
# so ./langhost is our own implementation of the LanguageRuntime service (see its README).
set -euo pipefail
cd "$(dirname "$0")"
root=${PULUMI_CLI_ROOT:?PULUMI_CLI_ROOT must name the output folder}
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw" PULUMI_SKIP_UPDATE_CHECK=true
ver=$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
flags=(-trimpath -tags osusergo,grpcnotrace
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$ver")
mkdir -p "$root.partial/bin"
t=$(date +%s)
go build "${flags[@]}" -o "$root.partial/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
echo "[toolchain] built pulumi $ver in $(($(date +%s) - t))s" >&2
t=$(date +%s)
go build "${flags[@]}" -o "$root.partial/bin/pulumi-language-nodejs" ./langhost
echo "[toolchain] built pulumi-language-nodejs in $(($(date +%s) - t))s" >&2
# Same behaviour as the script the official CLI bundles: resolve the SDK from the program
# directory (the engine starts plugins there) and hand over the engine's arguments.
cat >"$root.partial/bin/pulumi-resource-pulumi-nodejs" <<'SHIM'
#!/bin/sh
script=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || exit 1
exec node "$script" "$@"
SHIM
chmod +x "$root.partial/bin/pulumi-resource-pulumi-nodejs"
rm -rf "$root"
mv "$root.partial" "$root"
