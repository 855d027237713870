#!/usr/bin/env bash
# Builds actionlint (module github.com/rhysd/actionlint, package cmd/actionlint, pinned in this folder's
# go.mod/go.sum) into $ACTIONLINT_ROOT/bin. Called by scripts/toolchain.sh with a cache folder keyed on
# go.mod/go.sum/build.sh; builds into a .partial folder first so an interrupted build never looks complete.
set -euo pipefail
cd "$(dirname "$0")"
root=${ACTIONLINT_ROOT:?ACTIONLINT_ROOT must name the output folder}
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw"
ver=$(go list -m -f '{{.Version}}' github.com/rhysd/actionlint)
mkdir -p "$root.partial/bin"
t=$(date +%s)
go build -trimpath -ldflags "-s -w" \
    -o "$root.partial/bin/actionlint" github.com/rhysd/actionlint/cmd/actionlint
echo "[toolchain] built actionlint $ver in $(($(date +%s) - t))s" >&2
rm -rf "$root"
mv "$root.partial" "$root"
