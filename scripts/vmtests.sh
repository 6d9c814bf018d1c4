#!/bin/bash
# vmtests.sh CONFIG: build the pinned tree's own mm selftests
# (tools/testing/selftests/vm) as static arm64 binaries.
#   in:  the tree, $BUILD_ROOT/CONFIG/usr-headers (scripts/build.sh CONFIG),
#        libcap-dev:arm64 and libnuma-dev:arm64 (scripts/deps.sh)
#   out: out/CONFIG/vmtests/<binaries>; scripts/guest/plan-vmtests.sh runs them
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}
check_config "$cfg"
hdrs=$(uapi_headers "$cfg")
dst=$OUT/$cfg/vmtests
mkdir -p "$dst"
# lib.mk writes the binaries to OUTPUT, so the tree stays clean.
make -s -C "$TREE/tools/testing/selftests/vm" ARCH=arm64 CROSS_COMPILE="$CROSS" \
	MACHINE=aarch64 OUTPUT="$dst" EXTRA_CFLAGS="-static -I$hdrs" \
	>"$dst/build.log" 2>&1 || { tail -20 "$dst/build.log" >&2; die "building the vm selftests failed"; }
log "built $(find "$dst" -maxdepth 1 -type f -perm -u+x | wc -l) vm selftests in $dst"
