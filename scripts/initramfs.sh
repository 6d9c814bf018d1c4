#!/bin/bash
# initramfs.sh CONFIG: pack the guest userspace for one kernel config.
#   in:  $CACHE/busybox (scripts/deps.sh), out/CONFIG/module/fastfault.ko,
#        out/CONFIG/selftests (scripts/selftests.sh), out/bench/ffbench,
#        out/CONFIG/vmtests (scripts/vmtests.sh),
#        scripts/guest/ (init and plans)
#   out: out/CONFIG/initramfs.cpio.gz
# KERNEL=$REF_SERIES boots run the benchmarks alone (make compare): the
# kselftests and the tree's vm selftests are built for 6.1 only, and left out.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}
check_config "$cfg"
ko=$OUT/$cfg/module/fastfault.ko
tests=$OUT/$cfg/selftests
bench=$OUT/bench/ffbench
vmtests=$OUT/$cfg/vmtests
bench_only=
[ "$KERNEL" != "$REF_SERIES" ] || bench_only=1
need=("$CACHE/busybox/bin/busybox" "$ko" "$bench")
[ -n "$bench_only" ] || need+=("$tests/tests" "$vmtests/madv_populate")
for f in "${need[@]}"; do
	[ -e "$f" ] || die "missing $f (build it first: see the Makefile)"
done

root=$OUT/$cfg/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,fastfault,bench} \
	"$root/kselftests/kselftest" "$root/kselftests/fastfault"
cp "$CACHE/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$REPO/scripts/guest/init" "$root/init"
cp "$REPO/scripts/guest/timeout" "$root/usr/bin/timeout"
cp "$REPO"/scripts/guest/plan-*.sh "$REPO/scripts/guest/settings.sh" \
	"$REPO/scripts/guest/fsdax-setup.sh" "$root/fastfault/"
cp "$ko" "$root/fastfault/"
cp "$bench" "$root/bench/"
# The board tarball, where make board made one: plan board runs it.
if [ -f "$OUT/board/fastfault-board.tar.gz" ]; then
	mkdir -p "$root/board"
	cp "$OUT/board/fastfault-board.tar.gz" "$root/board/"
fi
if [ -z "$bench_only" ]; then
	cp "$TREE/tools/testing/selftests/kselftest/runner.sh" "$root/kselftests/kselftest/"
	cp -a "$tests/." "$REPO/selftests/settings" "$root/kselftests/fastfault/"
	# The tree's own mm selftests (plan vmtests).
	mkdir -p "$root/vmtests"
	find "$vmtests" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/vmtests/" \;
fi

# The fsdax filesystem (plan gup): ext4 made here, as busybox's mke2fs makes
# ext2 only; extents, no journal, allocations aligned to 2 MiB stripes so
# that a file's blocks can back PMD mappings. The guest writes it to the
# fsdax namespace. 48 MiB: writing it takes the guest about 15 s.
img=$OUT/$cfg/ext4.img
rm -f "$img"
# mkfs.ext4 is in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin mkfs.ext4 -q -F -b 4096 -O ^has_journal -E stride=512,stripe_width=512,lazy_itable_init=0 \
	-m 0 "$img" 48M || die "mkfs.ext4 of the fsdax image failed"
gzip -1 -c "$img" >"$root/fastfault/ext4.img.gz"
rm -f "$img"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$OUT/$cfg/initramfs.cpio.gz.tmp"
mv "$OUT/$cfg/initramfs.cpio.gz.tmp" "$OUT/$cfg/initramfs.cpio.gz"
log "packed $OUT/$cfg/initramfs.cpio.gz ($(du -k "$OUT/$cfg/initramfs.cpio.gz" | cut -f1) KiB)"
