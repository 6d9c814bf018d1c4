#!/bin/sh
# Plan "board": the board tarball (scripts/board.sh), unpacked and run in the
# guest exactly as a board user would: as root, from a scratch directory,
# with nothing of the initramfs's own tests on its paths. Runs the
# reservation and contiguous-block kselftests (run.sh blocks) and one short
# benchmark setting, then prints the tests' TAP for the host to count.
# Fails when any test reports "not ok" or the benchmark fails.
[ -f /board/fastfault-board.tar.gz ] || { echo "no /board/fastfault-board.tar.gz: run make board first"; exit 1; }
mkswap /dev/ram0 >/dev/null 2>&1 && swapon /dev/ram0
mkdir -p /root/board && cd /root/board || exit 1
tar xzf /board/fastfault-board.tar.gz || exit 1
./fastfault-board/run.sh blocks >/tmp/board.log 2>&1
tests=$?
sed -n '/^TAP version/,$p' fastfault-board/out/results.txt
./fastfault-board/run.sh bench reserve-adaptive 1 >/tmp/bench.log 2>&1
bench=$?
tail -n 3 /tmp/bench.log | sed 's/^/# /'
if [ "$bench" = 0 ] && [ -s fastfault-board/out/results.json ]; then
	echo "ok 100 board: run.sh bench wrote $(grep -o '"workload"' fastfault-board/out/results.json | wc -l) records"
else
	echo "not ok 100 board: run.sh bench failed ($bench)"
fi
[ "$tests" = 0 ] && [ "$bench" = 0 ]
