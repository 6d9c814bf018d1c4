#!/bin/sh
# Plan "blocks": the reservation, contiguous-block and speculative-fault
# kselftests alone (faults without mmap_lock map reserved chunks too), through
# the kernel's kselftest runner. make check boots it on CPU=cortex-a57, which
# has no hardware access-flag or dirty-bit management (as Cortex-A53/A57/A72
# boards have not): there every access to an aged page and every first write
# to a clean one faults, and those faults must keep blocks folded and valid.
# Fails when any test reports "not ok".
BASE_DIR=/kselftests
export BASE_DIR
. /kselftests/kselftest/runner.sh

# Swap on a brd RAM disk, as plan "check" has it: the swap-out cases need it.
if mkswap /dev/ram0 >/dev/null 2>&1 && swapon /dev/ram0; then
	echo "# swap: $(sed -n 's|^\(/dev/ram0.*\)|\1|p' /proc/swaps)"
else
	echo "# swap: none (mkswap or swapon on /dev/ram0 failed); tests that need it skip"
fi

cd /kselftests/fastfault || exit 1
run_many reserve cont spf | tee /tmp/kselftest.tap
! grep -q '^not ok' /tmp/kselftest.tap
