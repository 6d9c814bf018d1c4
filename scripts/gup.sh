#!/bin/bash
# gup.sh RUNDIR: boot the debug kernel with the device memory of qemu.sh
# (DEVICE_MEMORY=1: the test devices' hidden RAM and emulated pmem) and plan
# gup, which runs the cases of selftests/gup.c; then scan the consoles and
# count the results. A boot whose kernel oopses proves nothing after the
# oops (the pinned source without the series, KERNEL=base, does): every case
# without a pass in the first boot runs again in a boot of its own, and its
# result there is the one kept, with the kernel's first complaint of that
# boot. The cases that fail on KERNEL=base are the bugs the series fixes
# (the cover letter lists them).
#   in:  the debug kernel and initramfs (make initramfs-debug)
#   out: RUNDIR/results.txt (TAP, one named line per case), RUNDIR/all/ (the
#        first boot), RUNDIR/alone/CASE/ (a case's own boot), verdict,
#        scan.log, scan.exit; "N passed, N failed, N skipped"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

run=${1:-}
[ -n "$run" ] || die "usage: gup.sh RUNDIR"
export DEVICE_MEMORY=1
rm -rf "$run"
mkdir -p "$run"

# boot DIR TIMEOUT [CASE]: one boot of plan gup, all cases or CASE alone.
boot() {
	TIMEOUT=$2 APPEND="${APPEND:-}${3:+ ff.gup=$3}" \
		"$(dirname "$0")/qemu.sh" debug gup "$1" || true
}

# result N CASE DIR: case N's TAP line from boot DIR, named CASE; with the
# first complaint of DIR's kernel when it is not a pass.
result() {
	local line complaint
	line=$(grep -aE -m1 "^(not )?ok $1( |$)" "$3/results.txt" |
		sed -E "s/^(not )?ok $1( gup\.[^ ]*)?/\1ok $1 gup.$2/") ||
		line="not ok $1 gup.$2 # no result ($(cat "$3/verdict"): hung or oopsed)"
	case $line in ok*) echo "$line"; return ;; esac
	complaint=$("$(dirname "$0")/scan-console.sh" "$3/console.log" | head -n 1 |
		sed -E 's/^[^:]*:[0-9]+://; s/^\[[ 0-9.]*\] //') || true
	echo "$line${complaint:+ # kernel: $complaint}"
}

# About 110 cases in half a minute on the debug config; a kernel that
# wedges after an oops ends the boot at its timeout.
boot "$run/all" 240
cases=$(sed -n 's/^# cases: //p' "$run/all/results.txt")
[ -n "$cases" ] || die "the first boot named no cases: see $run/all/console.log"
sed -n '/^# fsdax/p' "$run/all/results.txt" >"$run/results.txt"
echo "1..$(wc -w <<<"$cases")" >>"$run/results.txt"
consoles=("$run/all/console.log")
# After an oops, or in a boot that never ended, no failure is trusted.
trusted=1
grep -aq '^# the kernel complained' "$run/all/results.txt" && trusted=0
[ "$(cat "$run/all/verdict")" = lost ] && trusted=0
n=0
for c in $cases; do
	n=$((n + 1))
	line=$(result $n "$c" "$run/all")
	if [[ $line != ok* ]] && ((!trusted)); then
		log "case $c again, in a boot of its own"
		boot "$run/alone/$c" 120 "$c"
		consoles+=("$run/alone/$c/console.log")
		line=$(result $n "$c" "$run/alone/$c")
	fi
	echo "$line" >>"$run/results.txt"
done
verdict=pass
grep -aq '^not ok' "$run/results.txt" && verdict=fail
echo "$verdict" >"$run/verdict"
grep -a '^not ok\|^# fsdax' "$run/results.txt" >&2 || true
status=0
: >"$run/scan.log"
for c in "${consoles[@]}"; do
	"$(dirname "$0")/scan-console.sh" "$c" >>"$run/scan.log" || status=$?
done
echo "$status" >"$run/scan.exit"
cat "$run/scan.log"
"$(dirname "$0")/summary.sh" verdict:"$run/verdict" tap:"$run/results.txt" exit:"$run/scan.exit"
