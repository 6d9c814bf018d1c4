#!/bin/sh
# Plan "bench": load the module, run the benchmark suite once per setting
# (ff.setting=NAME[,NAME...] on the kernel command line; "auto" for every
# setting this kernel supports), ff.runs= runs each. The records go to the
# host on /dev/hvc1, then the counters are shown.
arg() { sed -n "s/.*$1=\([a-z0-9+.,_-]*\).*/\1/p" /proc/cmdline; }
settings=$(arg ff.setting); runs=$(arg ff.runs)
[ -z "$settings" ] || [ "$settings" = auto ] && settings=$(/fastfault/settings.sh list)
insmod /fastfault/fastfault.ko || exit 1
rm -f /tmp/results.json
for s in $(echo "$settings" | tr ',' ' '); do
	echo "fastfault-setting: $s"
	/fastfault/settings.sh apply "$s" || exit 1
	/bench/ffbench --json /tmp/results.json --append --setting "$s" --runs "${runs:-3}" || exit 1
done
cat /tmp/results.json >/dev/hvc1
echo "fastfault-counters:"
cat /sys/kernel/debug/fastfault/stats
