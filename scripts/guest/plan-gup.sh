#!/bin/sh
# Plan "gup": GUP on device memory (selftests/gup.c), booted with the device
# memory of scripts/qemu.sh DEVICE_MEMORY=1. Loads fastfault.ko with its
# test devices over the ranges named by ff.devmap= and ff.pfnmap=, sets up
# fsdax on the emulated pmem, then runs the gup cases: all of them, or only
# the one named by ff.gup=<variant>.<test>, under a timeout. After an oops
# (the kernel without the series has them) nothing that runs later in the
# boot can be trusted: scripts/gup.sh then boots afresh for each case that
# did not pass, so that no case is blamed for another.
# Output: TAP, one line per case, the kernel's first complaint appended.
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
ALL_TIMEOUT=180
CASE_TIMEOUT=60
only=$(arg ff.gup)

mkswap /dev/ram0 >/dev/null 2>&1 && swapon /dev/ram0
rmmod fastfault 2>/dev/null
insmod /fastfault/fastfault.ko devmap="$(arg ff.devmap)" pfnmap="$(arg ff.pfnmap)" ||
	{ echo "not ok 1 gup.module_load # insmod devmap=$(arg ff.devmap) pfnmap=$(arg ff.pfnmap) failed"; exit 1; }
case $only in ""|fsdax_*) /fastfault/fsdax-setup.sh /mnt/dax ;; esac

cd /kselftests/fastfault || exit 1
dmesg -c >/dev/null
kernel_complaint() {
	dmesg -c | grep -m1 -E 'BUG:|WARNING:|Oops|Unable to handle|KASAN|bad pmd|Bad page|Bad rss'
}

# The case names, in run order, from a run that selects none (every case
# skips at once). The harness names a case on its "#  OK|FAIL name" line; its
# TAP line carries the name only when the case did not skip.
cases=$(FF_GUP_ONLY=none ./gup 2>/dev/null | sed -n 's/^# *\(OK\|FAIL\) *gup\.\([^ ]*\)$/\2/p')

# report N CASE OUT RC KERNEL: the TAP line of case N (named CASE) from the
# harness output OUT, exit status RC and the kernel's complaint, if any.
failed=0
report() {
	line=$(grep -E "^(not )?ok $1( |$)" "$3" | sed "s/^ok $1 # SKIP/ok $1 gup.$2 # SKIP/")
	[ -n "$line" ] || line="not ok $1 gup.$2 # lost: exit $4$([ "$4" = 124 ] && echo ", no end in time")"
	if [ -n "$5" ]; then
		case $line in ok*) line="not $line" ;; esac
		line="$line # kernel: $5"
	fi
	case $line in "not ok"*) failed=$((failed + 1)) ;; esac
	echo "$line"
}

# run_alone N CASE: run case N by itself and report it.
run_alone() {
	FF_GUP_ONLY=$2 timeout "$CASE_TIMEOUT" ./gup >/tmp/case.out 2>&1
	rc=$?
	kernel=$(kernel_complaint)
	# The case's own log, from its RUN line to its OK or FAIL line.
	sed -n "/^# *RUN *gup\.$2 /,/^# *\(OK\|FAIL\) *gup\.$2\$/p" /tmp/case.out
	report "$1" "$2" /tmp/case.out "$rc" "$kernel"
}

echo "# cases:" $cases
echo "1..$(echo "$cases" | wc -l)"
n=0
if [ -n "$only" ]; then
	for c in $cases; do
		n=$((n + 1))
		[ "$c" = "$only" ] && run_alone $n "$c"
	done
	[ "$failed" = 0 ]
	exit
fi
timeout "$ALL_TIMEOUT" ./gup >/tmp/all.out 2>&1
rc=$?
kernel=$(kernel_complaint)
grep '^#' /tmp/all.out | grep -v '^# *$'
[ -z "$kernel" ] || echo "# the kernel complained during the run: $kernel"
for c in $cases; do
	n=$((n + 1))
	report $n "$c" /tmp/all.out "$rc" ""
done
echo "# gup: $n cases, $failed failed"
[ "$failed" = 0 ]
