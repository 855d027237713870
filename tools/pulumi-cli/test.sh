#!/usr/bin/env bash
# Runs the Go tests of tools/pulumi-cli (our language host) with the flags of build.sh and langhost/build.sh,
# so they reuse the packages the toolchain build compiled; only vet and the test binary are new (about
# 100 s once on 2 cores, seconds afterwards). Offline: -mod=readonly needs nothing beyond the module cache
# that the build filled. Needs `go` and `node` (the tests start node) on PATH. Extra arguments go to go test
# (scripts/test.sh passes -json).
set -euo pipefail
cd "$(dirname "$0")"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw"
exec go test -count=1 -trimpath -tags osusergo,grpcnotrace "$@" ./...
