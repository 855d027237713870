#!/usr/bin/env bash
# Builds our Node.js language host (this folder) and copies the pulumi-resource-pulumi-nodejs shim into
# <out>/bin. It compiles with the same flags as ../build.sh, so it reuses the packages the CLI build left
# in the Go build cache and takes seconds.
# Usage: langhost/build.sh <out>
set -euo pipefail
root=${1:?usage: langhost/build.sh <output folder>}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw"
ver=$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3) # the CLI's version
mkdir -p "$root.partial/bin"
t=$(date +%s)
go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$ver" \
    -o "$root.partial/bin/pulumi-language-nodejs" ./langhost
echo "[toolchain] built pulumi-language-nodejs in $(($(date +%s) - t))s" >&2
install -m 0755 "$here/pulumi-resource-pulumi-nodejs" "$root.partial/bin/pulumi-resource-pulumi-nodejs"
rm -rf "$root"
mv "$root.partial" "$root"
