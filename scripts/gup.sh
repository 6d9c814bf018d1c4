#!/bin/bash
# gup.sh RUNDIR: boot the debug kernel with the device memory of qemu.sh
# (DEVICE_MEMORY=1: the test devices' hidden RAM and emulated pmem) and plan
# gup, which runs the cases of selftests/gup.c; then scan the console and
# count the results. When that boot's kernel complained or the boot was lost
# (the pinned source without the series, KERNEL=base, oopses), every case
# that did not pass runs again in a boot of its own, and its result there
# is the one kept: no case is blamed for another's oops. The cases that fail
# on KERNEL=base are the bugs the series fixes (the cover letter lists them).
#   in:  the debug kernel and initramfs (make initramfs-debug)
#   out: RUNDIR/results.txt (TAP, one line per case), RUNDIR/all/ (the first
#        boot), RUNDIR/alone/CASE/ (the boots of one case), verdict,
#        scan.log, scan.exit; "N passed, N failed, N skipped"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

run=${1:-}
[ -n "$run" ] || die "usage: gup.sh RUNDIR"
export DEVICE_MEMORY=1
rm -rf "$run"
mkdir -p "$run"

# boot DIR [CASE]: one boot of plan gup, all cases or CASE alone.
boot() {
	APPEND="${APPEND:-}${2:+ ff.gup=$2}" "$(dirname "$0")/qemu.sh" debug gup "$1" || true
}

# About 100 cases in a minute on the debug config.
TIMEOUT=600 boot "$run/all"
cp "$run/all/results.txt" "$run/results.txt"
verdict=$(cat "$run/all/verdict")
consoles=("$run/all/console.log")
# After an oops the rest of a boot proves nothing: every case that did not
# pass gets a boot of its own.
if [ "$verdict" = lost ] || grep -aq '^# the kernel complained' "$run/all/results.txt"; then
	cases=$(sed -n 's/^# cases: //p' "$run/all/results.txt")
	[ -n "$cases" ] || die "the first boot named no cases: see $run/all/console.log"
	n=0
	for c in $cases; do
		n=$((n + 1))
		grep -aqE "^ok $n gup\.$c( |$)" "$run/all/results.txt" && continue
		log "case $c again, in a boot of its own"
		TIMEOUT=200 boot "$run/alone/$c" "$c"
		consoles+=("$run/alone/$c/console.log")
		line=$(grep -aE "^(not )?ok [0-9]+ gup\.$c( |$)" "$run/alone/$c/results.txt" |
			sed "s/^\(not \)\?ok [0-9]*/\1ok $n/") ||
			line="not ok $n gup.$c # lost in a boot of its own ($(cat "$run/alone/$c/verdict"))"
		grep -avE "^(not )?ok $n( |$)" "$run/results.txt" >"$run/results.tmp" || true
		echo "$line" >>"$run/results.tmp"
		mv "$run/results.tmp" "$run/results.txt"
	done
	verdict=pass
	grep -aq '^not ok' "$run/results.txt" && verdict=fail
fi
echo "$verdict" >"$run/verdict"
grep -a '^not ok\|^# fsdax' "$run/results.txt" >&2 || true
status=0
for c in "${consoles[@]}"; do
	"$(dirname "$0")/scan-console.sh" "$c" >>"$run/scan.log" || status=$?
done
echo "$status" >"$run/scan.exit"
cat "$run/scan.log"
"$(dirname "$0")/summary.sh" verdict:"$run/verdict" tap:"$run/results.txt" exit:"$run/scan.exit"
