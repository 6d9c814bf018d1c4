#!/bin/sh
# Plan "torture": the torture harness (selftests/torture.c) for ff.seconds=
# seconds (60) with seed ff.seed= (from the clock if not given), all at once:
# mm workers with the anon_reserve switches flipping, two threads a worker
# faulting into the same chunks while the shrinkers run every 10 ms, a memory
# hog near OOM, fastfault.ko loaded and unloaded in a loop, its files fuzzed.
# The harness prints its seed first and its checks as TAP. This plan adds
# one check: no allocation for a reservation entered direct reclaim, from
# the stack of every mm_vmscan_direct_reclaim_begin event of the run. One
# reservation in twenty is made to fail (fail_page_alloc, debug config) to
# drive the fallback.
secs=$(sed -n 's/.*ff\.seconds=\([0-9]*\).*/\1/p' /proc/cmdline)
seed=$(sed -n 's/.*ff\.seed=\([0-9]*\).*/\1/p' /proc/cmdline)
T=/sys/kernel/tracing
EV=$T/events/vmscan/mm_vmscan_direct_reclaim_begin

# Swap on a RAM disk as in plan check; /dev/ram1 takes the O_DIRECT traffic.
mkswap /dev/ram0 >/dev/null 2>&1 && swapon /dev/ram0
insmod /fastfault/fastfault.ko || exit 1

mount -t tracefs tracefs $T 2>/dev/null
tracing=0
if [ -d "$EV" ]; then
	echo 8192 >$T/buffer_size_kb
	echo 1 >$T/options/stacktrace && echo 1 >"$EV/enable" && tracing=1
fi

/kselftests/fastfault/torture -t "${secs:-60}" ${seed:+-s "$seed"} \
	-M /fastfault/fastfault.ko -F -H -C -I 5
rc=$?

if [ "$tracing" = 1 ]; then
	echo 0 >"$EV/enable"
	events=$(grep -c 'mm_vmscan_direct_reclaim_begin:' $T/trace)
	ours=$(grep -c 'anon_reserve' $T/trace)
	lost=$(sed -n 's/.*entries-in-buffer\/entries-written: \([0-9]*\)\/\([0-9]*\).*/\2-\1/p' $T/trace)
	echo "# direct reclaim: $events entries to it traced (written-kept: $lost), $ours stack frames in anon_reserve"
	if [ "$ours" = 0 ]; then
		echo "ok 100 torture: no reservation allocation entered direct reclaim"
	else
		echo "not ok 100 torture: a reservation allocation entered direct reclaim"
		grep -B2 -A12 -m3 'anon_reserve' $T/trace | sed 's/^/# /'
		rc=1
	fi
else
	echo "ok 100 torture: direct reclaim check # SKIP no tracefs event $EV"
fi
# A seed repeats a run: the same seed and operation count give the same
# sequence digest, another seed another one (one worker, no helpers).
repeat() { /kselftests/fastfault/torture -w 1 -T 2 -n 300 -X -d '' -s "$1" |
	sed -n 's/^# sequence digest //p'; }
d1=$(repeat 4242); d2=$(repeat 4242); d3=$(repeat 4243)
if [ -n "$d1" ] && [ "$d1" = "$d2" ] && [ "$d1" != "$d3" ]; then
	echo "ok 101 torture: seed 4242 repeats its sequence ($d1 twice; seed 4243: $d3)"
else
	echo "not ok 101 torture: seed 4242 gave digests '$d1' and '$d2' (seed 4243: '$d3')"
	rc=1
fi
exit $rc
