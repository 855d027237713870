#!/usr/bin/env bash
# Builds the official Pulumi YAML language host (module github.com/pulumi/pulumi-yaml, package
# cmd/pulumi-language-yaml, pinned in this folder's go.mod/go.sum) into $PULUMI_YAML_ROOT/bin.
# Called by scripts/toolchain.sh with a cache folder keyed on go.mod/go.sum; builds into a .partial
# folder first so an interrupted build never looks complete.
set -euo pipefail
cd "$(dirname "$0")"
root=${PULUMI_YAML_ROOT:?PULUMI_YAML_ROOT must name the output folder}
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw"
ver=$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi-yaml)
mkdir -p "$root.partial/bin"
t=$(date +%s)
go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$ver" \
    -o "$root.partial/bin/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
echo "[toolchain] built pulumi-language-yaml $ver in $(($(date +%s) - t))s" >&2
rm -rf "$root"
mv "$root.partial" "$root"
