#!/usr/bin/env bash
# Builds the pinned Pulumi CLI (`pulumi` only) into <out>/bin. Our Node.js language host and the
# dynamic-provider shim are built separately by langhost/build.sh, so that a change to the host does not
# rebuild the CLI (scripts/toolchain.sh caches the two under different keys).
# Usage: build.sh <out>   (or PULUMI_CLI_ROOT=<out> build.sh)
set -euo pipefail
root=${1:-${PULUMI_CLI_ROOT:?usage: build.sh <output folder>}}
cd "$(dirname "$0")"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw" PULUMI_SKIP_UPDATE_CHECK=true
ver=$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
mkdir -p "$root.partial/bin"
t=$(date +%s)
go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$ver" \
    -o "$root.partial/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
echo "[toolchain] built pulumi $ver in $(($(date +%s) - t))s" >&2
rm -rf "$root"
mv "$root.partial" "$root"
