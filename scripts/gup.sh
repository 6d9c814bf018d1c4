#!/bin/bash
# gup.sh RUNDIR: boot the debug kernel with the device memory of qemu.sh
# (DEVICE_MEMORY=1: the test devices' hidden RAM and emulated pmem) and plan
# gup, which runs the cases of selftests/gup.c; then scan the consoles and
# count the results. A boot whose kernel complains (oops, BUG, KASAN...) or
# hangs proves nothing after that point (the pinned source without the
# series, KERNEL=base, does so on many cases). Each case writes its name to
# the kernel log as it starts, so the first complaint on the console names
# the case that caused it: the cases before it keep their results, that
# case gets its own with the complaint, and a fresh boot goes on from the
# case after it. The cases that fail on KERNEL=base are the bugs the series
# fixes (the cover letter lists them).
#   in:  the debug kernel and initramfs (make initramfs-debug)
#   out: RUNDIR/results.txt (TAP, one named line per case), RUNDIR/boot1/,
#        RUNDIR/boot2/... (each boot: from which case, console, results),
#        verdict, scan.log, scan.exit; "N passed, N failed, N skipped"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

run=${1:-}
[ -n "$run" ] || die "usage: gup.sh RUNDIR"
export DEVICE_MEMORY=1
rm -rf "$run"
mkdir -p "$run"

# boot DIR TIMEOUT FROM: one boot of plan gup, the cases from number FROM on.
# oops=panic: an oops ends the boot at once (panic=-1, -no-reboot) instead
# of leaving a kernel that wedges until the timeout.
boot() {
	TIMEOUT=$2 APPEND="${APPEND:-} oops=panic ff.gup_from=$3" \
		"$(dirname "$0")/qemu.sh" debug gup "$1" || true
}

# result N CASE DIR [COMPLAINT]: case N's TAP line from boot DIR, named
# CASE, with COMPLAINT (the kernel's) appended when it is not a pass.
result() {
	local line
	line=$(grep -aE -m1 "^(not )?ok $1( |$)" "$3/results.txt" |
		sed -E "s/^(not )?ok $1( gup\.[^ ]*)?/\1ok $1 gup.$2/") ||
		line="not ok $1 gup.$2 # no result ($(cat "$3/verdict"): hung or oopsed)"
	case $line in ok*) [ -z "${4:-}" ] || line="not $line" ;; esac
	echo "$line${4:+ # kernel: $4}"
}

# culprit DIR: the first kernel complaint on DIR's console, as
# "CASE<TAB>complaint", CASE being the last case that started before it
# (empty if none had). Nothing if the console is clean.
culprit() {
	local first n
	first=$("$(dirname "$0")/scan-console.sh" "$1/console.log" | head -n 1) || true
	[ -n "$first" ] || return 0
	n=$(cut -d: -f2 <<<"$first")
	printf '%s\t%s\n' \
		"$(head -n "$n" "$1/console.log" | sed -n 's/.*fastfault-gup: case \([^ ]*\).*/\1/p' |
		   tail -n 1 | tr -d '\r')" \
		"$(cut -d: -f3- <<<"$first" | sed -E 's/^\[[ 0-9.]*\] //')"
}

# About 180 cases in a minute on the debug config; a kernel that hangs
# without an oops ends its boot at the timeout.
consoles=()
from=1 nboot=0 total=0
: >"$run/results.txt"
while :; do
	nboot=$((nboot + 1))
	dir=$run/boot$nboot
	log "boot $nboot: the cases from number $from on"
	boot "$dir" 240 "$from"
	consoles+=("$dir/console.log")
	if [ "$nboot" = 1 ]; then
		read -ra cases <<<"$(sed -n 's/^# cases: //p' "$dir/results.txt")"
		total=${#cases[@]}
		[ "$total" != 0 ] || die "the first boot named no cases: see $dir/console.log"
		sed -n '/^# fsdax/p' "$dir/results.txt" >>"$run/results.txt"
		echo "1..$total" >>"$run/results.txt"
	fi
	IFS=$'\t' read -r bad complaint <<<"$(culprit "$dir")" || true
	# Where this boot stops being trusted: at the case that made the kernel
	# complain; at the first case without a result if it hung; else the end.
	stop=$((total + 1))
	for ((n = from; n <= total; n++)); do
		c=${cases[n - 1]}
		if [ -n "$bad" ] && [ "$c" = "$bad" ]; then
			result "$n" "$c" "$dir" "$complaint" >>"$run/results.txt"
			stop=$n
			break
		fi
		if ! grep -aqE "^(not )?ok $n( |$)" "$dir/results.txt"; then
			result "$n" "$c" "$dir" "${complaint:-}" >>"$run/results.txt"
			stop=$n
			break
		fi
		result "$n" "$c" "$dir" >>"$run/results.txt"
	done
	# A complaint before any case started, or a stop with no case: give up
	# on the rest rather than loop.
	if [ -n "${complaint:-}" ] && [ -z "$bad" ]; then
		for ((n = stop + 1; n <= total; n++)); do
			echo "not ok $n gup.${cases[n - 1]} # not run: the kernel complained before any case" \
				>>"$run/results.txt"
		done
		break
	fi
	((stop <= total)) || break
	from=$((stop + 1))
	((from <= total)) || break
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
