#!/bin/sh
# Plan "check": the kselftests, through the kernel's kselftest runner.
# (KUnit suites have already run at boot; the host parses them from the console.)
# Fails when any test reports "not ok".
BASE_DIR=/kselftests
export BASE_DIR
. /kselftests/kselftest/runner.sh

# Swap on a brd RAM disk (CONFIG_BLK_DEV_RAM, 4 MiB by default; brd.rd_size=
# on the kernel command line makes it bigger): the tests that swap pages out
# need some and SKIP without it. Small on purpose: swapping to RAM frees no
# memory, so a large swap would only slow the memory-pressure test down.
if mkswap /dev/ram0 >/dev/null 2>&1 && swapon /dev/ram0; then
	echo "# swap: $(sed -n 's|^\(/dev/ram0.*\)|\1|p' /proc/swaps)"
else
	echo "# swap: none (mkswap or swapon on /dev/ram0 failed); tests that need it skip"
fi

cd /kselftests/fastfault || exit 1
# shellcheck disable=SC2046
run_many $(cat tests) | tee /tmp/kselftest.tap
! grep -q '^not ok' /tmp/kselftest.tap
