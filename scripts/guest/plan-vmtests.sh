#!/bin/sh
# Plan "vmtests": the pinned tree's own mm selftests (tools/testing/selftests/vm,
# built by scripts/vmtests.sh), each run twice in this boot: with the
# reservation off (never), then at always with the adaptive policy on. A test
# that passes with never must pass with always; one that does not pass
# with never is reported as a skip, with both exit codes, since the switch
# did not break it. Only 0 counts as a pass: kselftest's skip code is 4, but
# khugepaged returns its number of failed cases, so 4 can mean four failures.
# Finally the auditor checks every contiguous block left in the system.
R=/sys/kernel/mm/anon_reserve
cd /vmtests || exit 1
[ -w $R/enabled ] || { echo "vmtests: this kernel has no $R"; exit 1; }

# One test a line: binary and arguments, as run_vmtests.sh runs them.
TESTS='map_fixed_noreplace
gup_test -u
gup_test -a
gup_test -ct -F 0x1 0 19 0x1000
userfaultfd anon 20 16
userfaultfd anon:dev 20 16
map_populate
mlock-random-test
mlock2-tests
mrelease_test
mremap_test
mremap_dontunmap
madv_populate
ksm_tests -M -p 10
ksm_tests -U
ksm_tests -Z -p 10 -z 0
ksm_tests -Z -p 10 -z 1
ksm_tests -N -m 1
ksm_tests -N -m 0
khugepaged
split_huge_page_test
soft-dirty'

run() { # run MODE ADAPTIVE CMD...: the exit code of CMD with the switch set
	echo "$1" >$R/enabled && echo "$2" >$R/adaptive || return 99
	shift 2
	timeout 300 ./"$@" </dev/null >/tmp/vmtest.log 2>&1
}

insmod /fastfault/fastfault.ko 2>/dev/null
# mremap_test maps 2 GiB regions: more than this guest has, so let it
# overcommit, as a larger machine would not need to.
echo 1 >/proc/sys/vm/overcommit_memory
echo "TAP version 13"
echo "1..$(($(echo "$TESTS" | wc -l) + 1))"
n=0; failed=0
while read -r t; do
	n=$((n + 1))
	run never 0 $t; off=$?
	run always 1 $t; on=$?
	if [ "$on" = 0 ]; then
		echo "ok $n vm: $t"
	elif [ "$off" != 0 ]; then
		echo "ok $n vm: $t # SKIP does not pass with the reservation off either (never $off, always $on)"
		sed 's/^/# /' /tmp/vmtest.log | tail -5
	else
		echo "not ok $n vm: $t # passes with never, fails with always ($on)"
		sed 's/^/# /' /tmp/vmtest.log | tail -20
		failed=1
	fi
done <<EOF_TESTS
$TESTS
EOF_TESTS
echo always >$R/enabled; echo 1 >$R/adaptive
n=$((n + 1))
echo all >/sys/kernel/debug/fastfault/audit
if grep -qx 'violations 0' /sys/kernel/debug/fastfault/audit; then
	echo "ok $n vm: auditor finds no bad contiguous block"
else
	echo "not ok $n vm: auditor finds no bad contiguous block"
	sed 's/^/# /' /sys/kernel/debug/fastfault/audit | head -20
	failed=1
fi
exit $failed
