#!/bin/sh
# Plan "bench": load the module, run the benchmark suite in each setting
# (ff.setting=NAME[,NAME...] on the kernel command line; "auto" for every
# setting this kernel supports), ff.runs= runs of each, the settings taken
# in turn run by run; a setting named twice gets twice the runs. The records
# go to the host on /dev/hvc1, then the counters are shown. With ff.devmap= (the boot's
# device memory) the module makes its devmap device, for setting gup-devmap.
# ff.kernel= names the kernel in the records (make compare); default uname -r.
# ff.workload=NAME[,NAME...] runs those workloads alone; default every one.
arg() { sed -n "s/.*$1=\([a-zA-Z0-9+.,_@-]*\).*/\1/p" /proc/cmdline; }
settings=$(arg ff.setting); runs=$(arg ff.runs); devmap=$(arg ff.devmap)
kernel=$(arg ff.kernel)
workloads=
for w in $(arg ff.workload | tr ',' ' '); do workloads="$workloads --workload $w"; done
insmod /fastfault/fastfault.ko ${devmap:+devmap=$devmap} || exit 1
[ -z "$settings" ] || [ "$settings" = auto ] && settings=$(/fastfault/settings.sh list)
rm -f /tmp/results.json
# One run of each setting in turn, ff.runs times: a slow spell of the host
# (seconds long under TCG) then costs every setting alike, where nine runs
# of one setting in a row could all fall in it. ffbench --append adds each
# run to its record, and the medians are over all of them.
run=0
while [ "$run" -lt "${runs:-3}" ]; do
	run=$((run + 1))
	for s in $(echo "$settings" | tr ',' ' '); do
		echo "fastfault-setting: $s (run $run of ${runs:-3})"
		/fastfault/settings.sh apply "$s" || exit 1
		only=$workloads
		[ "$s" = gup-devmap ] && only="--workload gup-pin --pin-device /dev/fastfault-devmap"
		# shellcheck disable=SC2086
		/bench/ffbench --json /tmp/results.json --append --setting "$s" --runs 1 \
			${kernel:+--kernel "$kernel"} $only >/dev/null || exit 1
	done
done
cat /tmp/results.json >/dev/hvc1
echo "fastfault-counters:"
cat /sys/kernel/debug/fastfault/stats || exit 1
# 6.8+ counts 64 KiB mTHP faults per size, not in the vm events above.
mthp=/sys/kernel/mm/transparent_hugepage/hugepages-64kB/stats
for f in "$mthp"/anon_fault_*; do
	if [ -r "$f" ]; then echo "mthp-64kB.${f##*/} $(cat "$f")"; fi
done
exit 0
