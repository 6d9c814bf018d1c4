#!/bin/sh
# Plan "check": the kselftests, through the kernel's kselftest runner.
# (KUnit suites have already run at boot; the host parses them from the console.)
# Fails when any test reports "not ok".
BASE_DIR=/kselftests
export BASE_DIR
. /kselftests/kselftest/runner.sh
cd /kselftests/fastfault || exit 1
# shellcheck disable=SC2046
run_many $(cat tests) | tee /tmp/kselftest.tap
! grep -q '^not ok' /tmp/kselftest.tap
