#!/bin/bash
# initramfs.sh CONFIG: pack the guest userspace for one kernel config.
#   in:  $CACHE/busybox (scripts/deps.sh), out/CONFIG/module/fastfault.ko,
#        out/CONFIG/selftests (scripts/selftests.sh), out/bench/ffbench,
#        out/CONFIG/vmtests (scripts/vmtests.sh),
#        scripts/guest/ (init and plans)
#   out: out/CONFIG/initramfs.cpio.gz
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}
check_config "$cfg"
ko=$OUT/$cfg/module/fastfault.ko
tests=$OUT/$cfg/selftests
bench=$OUT/bench/ffbench
vmtests=$OUT/$cfg/vmtests
for f in "$CACHE/busybox/bin/busybox" "$ko" "$tests/tests" "$bench" "$vmtests/madv_populate"; do
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
cp "$REPO"/scripts/guest/plan-*.sh "$REPO/scripts/guest/settings.sh" "$root/fastfault/"
cp "$ko" "$root/fastfault/"
cp "$TREE/tools/testing/selftests/kselftest/runner.sh" "$root/kselftests/kselftest/"
cp -a "$tests/." "$REPO/selftests/settings" "$root/kselftests/fastfault/"
cp "$bench" "$root/bench/"
# The tree's own mm selftests (plan vmtests).
mkdir -p "$root/vmtests"
find "$vmtests" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/vmtests/" \;

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$OUT/$cfg/initramfs.cpio.gz.tmp"
mv "$OUT/$cfg/initramfs.cpio.gz.tmp" "$OUT/$cfg/initramfs.cpio.gz"
log "packed $OUT/$cfg/initramfs.cpio.gz ($(du -k "$OUT/$cfg/initramfs.cpio.gz" | cut -f1) KiB)"
