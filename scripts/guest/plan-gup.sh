#!/bin/sh
# Plan "gup": GUP on device memory (selftests/gup.c), booted with the device
# memory of scripts/qemu.sh DEVICE_MEMORY=1. Loads fastfault.ko with its
# test devices over the ranges named by ff.devmap= and ff.pfnmap=, sets up
# fsdax on the emulated pmem, then runs the gup cases. On a kernel without
# the series some cases oops or hang: then each case runs again alone,
# under a timeout, so that each costs that case only.
# Output: TAP, one line per case, the kernel's first complaint appended.
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
CASE_TIMEOUT=120

mkswap /dev/ram0 >/dev/null 2>&1 && swapon /dev/ram0
rmmod fastfault 2>/dev/null
insmod /fastfault/fastfault.ko devmap="$(arg ff.devmap)" pfnmap="$(arg ff.pfnmap)" ||
	{ echo "not ok 1 gup.module_load # insmod devmap=$(arg ff.devmap) pfnmap=$(arg ff.pfnmap) failed"; exit 1; }
/fastfault/fsdax-setup.sh /mnt/dax

cd /kselftests/fastfault || exit 1
dmesg -c >/dev/null
# The case names, in run order, from a run that selects none (every case
# skips at once). The harness names a case on its "#  OK|FAIL name" line; its
# TAP line carries the name only when the case did not skip.
cases=$(FF_GUP_ONLY=none ./gup 2>/dev/null | sed -n 's/^# *\(OK\|FAIL\) *gup\.\([^ ]*\)$/\2/p')
kernel_complaint() {
	dmesg -c | grep -m1 -E 'BUG:|WARNING:|Oops|Unable to handle|KASAN|bad pmd|Bad page|Bad rss'
}

# report N CASE OUT RC KERNEL: the TAP line of case N (named CASE) from the
# harness output OUT, exit status RC and the kernel's complaint, if any.
failed=0
report() {
	line=$(grep -E "^(not )?ok $1( |$)" "$3" | sed "s/^ok $1 # SKIP/ok $1 gup.$2 # SKIP/")
	[ -n "$line" ] || line="not ok $1 gup.$2 # lost: exit $4$([ "$4" = 124 ] && echo ", no end within ${CASE_TIMEOUT}s")"
	if [ -n "$5" ]; then
		case $line in ok*) line="not $line" ;; esac
		line="$line # kernel: $5"
	fi
	case $line in "not ok"*) failed=$((failed + 1)) ;; esac
	echo "$line"
}

echo "1..$(echo "$cases" | wc -l)"
# All cases in one run first. Should that run not finish, or the kernel
# complain, run each case alone instead, to tell which cases did it.
timeout 600 ./gup >/tmp/all.out 2>&1
rc=$?
kernel=$(kernel_complaint)
if [ "$rc" != 124 ] && [ -z "$kernel" ] && grep -q '^# Totals' /tmp/all.out; then
	grep '^#' /tmp/all.out | grep -v '^# *$'
	n=0
	for c in $cases; do
		n=$((n + 1))
		report $n "$c" /tmp/all.out "$rc" ""
	done
else
	echo "# the run of all cases ended with exit $rc${kernel:+ and the kernel log: $kernel}; each case alone now"
	n=0
	for c in $cases; do
		n=$((n + 1))
		FF_GUP_ONLY=$c timeout "$CASE_TIMEOUT" ./gup >/tmp/case.out 2>&1
		rc=$?
		kernel=$(kernel_complaint)
		# The case's own log, from its RUN line to its OK or FAIL line.
		sed -n "/^# *RUN *gup\.$c /,/^# *\(OK\|FAIL\) *gup\.$c\$/p" /tmp/case.out
		report $n "$c" /tmp/case.out "$rc" "$kernel"
	done
fi
echo "# gup: $n cases, $failed failed"
[ "$failed" = 0 ]
