#!/bin/bash
# selftests.sh CONFIG: build the kselftests as static arm64 binaries.
#   in:  selftests/, the tree's tools/testing/selftests, $BUILD_ROOT/CONFIG/usr-headers
#   out: out/CONFIG/selftests/<test binaries> and its list of tests, in run order
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}
check_config "$cfg"
hdrs=$(uapi_headers "$cfg")
dst=$OUT/$cfg/selftests
mkdir -p "$dst"
make -s -C "$REPO/selftests" KSFT="$TREE/tools/testing/selftests" OUTPUT="$dst" \
	CC="${CROSS}gcc" KHDR_INCLUDES="-isystem $hdrs"
make -s -C "$REPO/selftests" KSFT="$TREE/tools/testing/selftests" OUTPUT="$dst" \
	--no-print-directory -f Makefile -f - <<<'print-tests: ; @echo $(notdir $(TEST_GEN_PROGS))' \
	print-tests >"$dst/tests"
log "built $(wc -w <"$dst/tests") kselftests in $dst"
