#!/bin/sh
# Plan "movable": reserved pages and CMA (selftests/movable.c). make check
# boots it on one node with cma= on the kernel command line, large enough
# that movable allocations, reservations included, come from the CMA area
# first; the case then allocates all its free pages while a process holds a
# reservation in it. Fails when any test reports "not ok".
grep -q 'cma=' /proc/cmdline ||
	echo "# no cma= on the kernel command line: the case will skip"
cd /kselftests/fastfault || exit 1
./movable | tee /tmp/kselftest.tap
! grep -q '^not ok' /tmp/kselftest.tap
