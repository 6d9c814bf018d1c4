#!/bin/sh
# run.sh check | blocks | bench [SETTING[,SETTING...] [RUNS]]: fastfault's
# tests or benchmarks on a board whose kernel has the series, as root, from
# the unpacked tarball (scripts/board.sh). The same runs as make check's
# first and second boots and make bench, with the same output:
#   check   every kselftest, through the kernel's kselftest runner
#   blocks  the reservation and contiguous-block kselftests alone
#   bench   ffbench for each setting (default: every setting this kernel
#           has), RUNS runs each (3)
# Results go to out/ beside this script: results.txt (TAP) and verdict
# (pass or fail) for the tests, results.json for the benchmarks.
# No set -e: the kernel's runner.sh, sourced below, is not written for it.
here=$(cd "$(dirname "$0")" && pwd) || exit 2
out=$here/out
mkdir -p "$out" || exit 2
[ "$(id -u)" = 0 ] || { echo "run.sh: run it as root" >&2; exit 2; }
# The kselftests load the module from here, not from /fastfault.
FASTFAULT_KO=$here/fastfault.ko
export FASTFAULT_KO

run_tests() { # run_tests TEST...
	BASE_DIR=$here/kselftests
	export BASE_DIR
	. "$here/kselftests/kselftest/runner.sh"
	cd "$here/kselftests/fastfault" || return 1
	run_many "$@" | tee "$out/results.txt"
	if grep -q '^not ok' "$out/results.txt"; then echo fail; else echo pass; fi >"$out/verdict"
	echo "run.sh: verdict $(cat "$out/verdict"); TAP in $out/results.txt"
	[ "$(cat "$out/verdict")" = pass ]
}

case ${1:-} in
check)
	# shellcheck disable=SC2046
	run_tests $(cat "$here/kselftests/fastfault/tests") ;;
blocks)
	run_tests reserve cont ;;
bench)
	settings=${2:-auto} runs=${3:-3}
	grep -q '^fastfault ' /proc/modules || insmod "$FASTFAULT_KO" || exit 1
	[ "$settings" = auto ] && settings=$("$here/settings.sh" list)
	rm -f "$out/results.json"
	for s in $(echo "$settings" | tr ',' ' '); do
		echo "run.sh: setting $s"
		"$here/settings.sh" apply "$s" || exit 1
		"$here/bench/ffbench" --json "$out/results.json" --append --setting "$s" \
			--runs "$runs" || exit 1
	done
	echo "run.sh: records in $out/results.json; counters:"
	cat /sys/kernel/debug/fastfault/stats ;;
*)
	echo "usage: run.sh check | blocks | bench [SETTING[,SETTING...] [RUNS]]" >&2
	exit 2 ;;
esac
