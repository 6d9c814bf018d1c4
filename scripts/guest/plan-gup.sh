#!/bin/sh
# Plan "gup": GUP on device memory (selftests/gup.c), booted with the device
# memory of scripts/qemu.sh DEVICE_MEMORY=1. Loads fastfault.ko with its
# test devices over the ranges named by ff.devmap= and ff.pfnmap=, sets up
# fsdax on the emulated pmem, then runs the gup cases under a timeout: all
# of them, only the one named by ff.gup=<variant>.<test>, or those from the
# Nth on with ff.gup_from=N. The harness's
# TAP goes out line by line as it comes, so that the host has every result
# up to an oops or a hang; scripts/gup.sh names the cases (from the list
# printed first) and, after a case that oopsed or hung, boots afresh from
# the case after it.
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
ALL_TIMEOUT=180
CASE_TIMEOUT=30
only=$(arg ff.gup)
from=$(arg ff.gup_from)

mkswap /dev/ram0 >/dev/null 2>&1 && swapon /dev/ram0
rmmod fastfault 2>/dev/null
insmod /fastfault/fastfault.ko devmap="$(arg ff.devmap)" pfnmap="$(arg ff.pfnmap)" ||
	{ echo "not ok 1 gup.module_load # insmod devmap=$(arg ff.devmap) pfnmap=$(arg ff.pfnmap) failed"; exit 1; }
case $only in ""|fsdax_*) /fastfault/fsdax-setup.sh /mnt/dax ;; esac

cd /kselftests/fastfault || exit 1
# The case names, in run order, from a run that selects none (every case
# skips at once): the harness names a case on its "#  OK|FAIL name" line
# only, and the TAP line of a skipped case carries no name.
echo "# cases:" $(FF_GUP_ONLY=none ./gup 2>/dev/null |
	sed -n 's/^# *\(OK\|FAIL\) *gup\.\([^ ]*\)$/\2/p')
secs=$ALL_TIMEOUT
if [ -n "$only" ]; then
	export FF_GUP_ONLY=$only
	secs=$CASE_TIMEOUT
fi
[ -z "$from" ] || export FF_GUP_FROM=$from
dmesg -c >/dev/null
# Pass the harness's output on line by line, without the skips of the cases
# not selected and their RUN and OK lines.
{ timeout "$secs" ./gup; echo $? >/tmp/gup.rc; } 2>&1 | awk -v only="$only" '
	/^# *$/ || /not selected: FF_GUP_ONLY/ { next }
	only != "" && /^# +(RUN|OK|FAIL) +gup\./ && index($0, "gup." only " ") == 0 &&
		substr($0, length($0) - length(only) + 1) != only { next }
	{ print; fflush() }'
rc=$(cat /tmp/gup.rc)
kernel=$(dmesg -c | grep -m1 -E 'BUG:|WARNING:|Oops|Unable to handle|KASAN|bad pmd|Bad page|Bad rss')
[ -z "$kernel" ] || echo "# the kernel complained: $kernel"
echo "# gup exited $rc"
[ "$rc" = 0 ] && [ -z "$kernel" ]
