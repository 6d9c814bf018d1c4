#!/bin/sh
# Plan "bench": load the module, run the benchmark suite with the setting and
# run count from the kernel command line (ff.setting=, ff.runs=), send the
# results to the host on /dev/hvc1, then show the counters.
arg() { sed -n "s/.*$1=\([a-z0-9+._-]*\).*/\1/p" /proc/cmdline; }
setting=$(arg ff.setting); runs=$(arg ff.runs)
insmod /fastfault/fastfault.ko || exit 1
/bench/ffbench --json /tmp/results.json --setting "${setting:-base}" --runs "${runs:-3}" || exit 1
cat /tmp/results.json >/dev/hvc1
echo "fastfault-counters:"
cat /sys/kernel/debug/fastfault/stats
