#!/bin/bash
# board.sh KDIR: pack what a board needs to run our tests and benchmarks as
# under QEMU, into one tarball to copy to the board and unpack there:
#   fastfault-board/run.sh       the entry point (run as root; see it)
#   fastfault-board/fastfault.ko built against KDIR
#   fastfault-board/kselftests/  the static kselftests and the kernel's runner
#   fastfault-board/bench/       ffbench, static
#   fastfault-board/settings.sh  the benchmark settings, as plan bench uses them
#   in:  KDIR, the board kernel's build directory (built with the series, with
#        Module.symvers); out/debug/selftests (scripts/selftests.sh) and
#        out/bench/ffbench (make bench-bin)
#   out: out/board/fastfault-board.tar.gz
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=${1:-}
[ -n "$kdir" ] || die "usage: board.sh KDIR (the board kernel's build directory)"
[ -f "$kdir/Module.symvers" ] || die "no Module.symvers in KDIR=$kdir: build that kernel (and its modules) first"
tests=$OUT/debug/selftests bench=$OUT/bench/ffbench
for f in "$tests/tests" "$bench" "$TREE/tools/testing/selftests/kselftest/runner.sh"; do
	[ -e "$f" ] || die "missing $f (make initramfs-debug builds it)"
done

top=$OUT/board stage=$OUT/board/fastfault-board
rm -rf "$top"
mkdir -p "$stage/kselftests/kselftest" "$stage/kselftests/fastfault" "$stage/bench" "$top/module"
# The module, built in a copy of module/ against the board's kernel.
rsync -a --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod*' \
	--exclude=Module.symvers --exclude=modules.order "$REPO/module/" "$top/module/"
make -C "$kdir" M="$top/module" ARCH=arm64 CROSS_COMPILE="$CROSS" -s modules
cp "$top/module/fastfault.ko" "$stage/"
cp "$TREE/tools/testing/selftests/kselftest/runner.sh" "$stage/kselftests/kselftest/"
cp -a "$tests/." "$REPO/selftests/settings" "$stage/kselftests/fastfault/"
cp "$bench" "$stage/bench/"
cp "$REPO/scripts/guest/settings.sh" "$stage/"
cp "$REPO/scripts/guest/board-run.sh" "$stage/run.sh"
tar -C "$top" -czf "$top/fastfault-board.tar.gz" fastfault-board
log "packed $top/fastfault-board.tar.gz ($(du -k "$top/fastfault-board.tar.gz" | cut -f1) KiB): copy it to the board, then as root: tar xzf fastfault-board.tar.gz && fastfault-board/run.sh check"
