#!/bin/bash
# gup.sh RUNDIR: boot the debug kernel with the device memory of qemu.sh
# (DEVICE_MEMORY=1: the test devices' hidden RAM and emulated pmem) and plan
# gup, which runs every case of selftests/gup.c alone; then scan the console
# and count the results. With KERNEL=base the same cases run on the pinned
# source without the series: the cases that fail there are the bugs the
# series fixes (the cover letter lists them).
#   in:  the debug kernel and initramfs (make initramfs-debug)
#   out: RUNDIR/results.txt (TAP, one line per case), console.log, verdict,
#        scan.log, scan.exit; "N passed, N failed, N skipped"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

run=${1:-}
[ -n "$run" ] || die "usage: gup.sh RUNDIR"
# About 50 cases of a few seconds each on the debug config; on the base
# kernel a hung case waits out its 120 s timeout.
export TIMEOUT=1800 DEVICE_MEMORY=1
"$(dirname "$0")/qemu.sh" debug gup "$run" || true
grep -a '^not ok\|^# fsdax' "$run/results.txt" >&2 || true
status=0
"$(dirname "$0")/scan-console.sh" "$run/console.log" >"$run/scan.log" || status=$?
echo "$status" >"$run/scan.exit"
cat "$run/scan.log"
"$(dirname "$0")/summary.sh" verdict:"$run/verdict" tap:"$run/results.txt" exit:"$run/scan.exit"
