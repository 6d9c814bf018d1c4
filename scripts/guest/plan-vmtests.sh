#!/bin/sh
# Plan "vmtests": the pinned tree's own mm selftests (tools/testing/selftests/vm,
# built by scripts/vmtests.sh), each run twice in this boot: with the
# series off (the reservation at never, speculative faults off), then on
# (always with the adaptive policy, speculative faults on, where the kernel
# has them). A test that passes with never must pass with always. One that fails both
# ways is compared case by case: each line by which it reports a failed case
# (khugepaged's "Fail", TAP's "not ok", run_vmtests' "[FAIL]") must appear
# with never too, or the switch broke that case. Only exit code 0 counts as
# a pass: kselftest's skip code is 4, but khugepaged returns its number of
# failed cases, so 4 can mean four failures.
# Finally the auditor checks every contiguous block left in the system.
R=/sys/kernel/mm/anon_reserve
SPF=/proc/sys/vm/speculative_page_fault
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
soft-dirty
compaction_test
thuge-gen
memfd_secret
migration
hugepage-mmap
hugepage-shm
map_hugetlb
hugepage-mremap huge/huge_mremap
hugepage-vmemmap
userfaultfd hugetlb 128 32
userfaultfd shmem 20 16'
# Not run: transhuge-stress loops until killed; on-fault-limit needs sudo;
# hmm-tests needs test_hmm.ko, which the initramfs does not carry;
# hugetlb-madvise splits a hugetlb VMA, and 6.1.192's __vma_adjust() calls
# hugetlb_split() before it takes i_mmap_rwsem, which lockdep reports as a
# WARNING (the base kernel's bug, not the series'; the console scan would
# fail the boot for it).

# hugetlb_pages CMD ARGS: how many 2 MiB huge pages the test needs. As
# run_vmtests.sh reserves them: 256 MiB (hugepage-mmap maps that much), only
# while a hugetlb test runs, so that the others have the memory.
hugetlb_pages() {
	case "$*" in
	hugepage-*|map_hugetlb|hugetlb-madvise*|"userfaultfd hugetlb"*) echo 128 ;;
	*) echo 0 ;;
	esac
}

run() { # run MODE ADAPTIVE CMD...: the exit code of CMD with the switches set
	echo "$1" >$R/enabled && echo "$2" >$R/adaptive || return 99
	# Speculative faults go with the reservation: off with never.
	if [ -w $SPF ]; then
		if [ "$1" = never ]; then echo 0; else echo 1; fi >$SPF || return 99
	fi
	shift 2
	# Each run starts from the same memory: the shrinkers split and free
	# what the run before left on the deferred split queue, then memory
	# is compacted. Without it, the always run of khugepaged, right after
	# its never run, failed to collapse 512 pages of different huge pages.
	echo 3 >/proc/sys/vm/drop_caches
	echo 1 >/proc/sys/vm/compact_memory
	hugetlb_pages "$@" >/proc/sys/vm/nr_hugepages || return 98
	cmd=$1
	shift
	timeout 300 "./$cmd" "$@" </dev/null >/tmp/vmtest.log 2>&1
}

# fail_lines LOG: the lines by which a test reports a failed case, with
# addresses blanked (they change from run to run), sorted.
fail_lines() {
	grep -E 'Fail|FAIL|not ok' "$1" | sed 's/0x[0-9a-f]*/ADDR/g' | sort -u
}

# The hugetlb tests need a hugetlbfs at ./huge and the SysV limits, as
# run_vmtests.sh sets them up; run() reserves their huge pages.
mkdir -p huge && mount -t hugetlbfs none huge
echo 268435456 >/proc/sys/kernel/shmmax
echo 4194304 >/proc/sys/kernel/shmall

insmod /fastfault/fastfault.ko 2>/dev/null
# mremap_test maps 2 GiB regions: more than this guest has, so let it
# overcommit, as a larger machine would not need to.
echo 1 >/proc/sys/vm/overcommit_memory
echo "TAP version 13"
echo "1..$(($(echo "$TESTS" | wc -l) + 1))"
n=0; failed=0
# $t unquoted below: a line of TESTS is the command and its arguments.
# shellcheck disable=SC2086
while read -r t; do
	n=$((n + 1))
	run never 0 $t; off=$?
	fail_lines /tmp/vmtest.log >/tmp/vmtest-never.fails
	run always 1 $t; on=$?
	fail_lines /tmp/vmtest.log >/tmp/vmtest-always.fails
	# The always lines that are not never lines (busybox has no comm; an
	# empty pattern file is left out, whatever grep makes of one).
	if [ -s /tmp/vmtest-never.fails ]; then
		only_always=$(grep -vxF -f /tmp/vmtest-never.fails /tmp/vmtest-always.fails)
	else
		only_always=$(cat /tmp/vmtest-always.fails)
	fi
	if [ "$on" = 0 ]; then
		echo "ok $n vm: $t"
	elif [ "$off" = 0 ]; then
		echo "not ok $n vm: $t # passes with never, fails with always ($on)"
		sed 's/^/# /' /tmp/vmtest.log | tail -20
		failed=1
	elif [ -n "$only_always" ]; then
		echo "not ok $n vm: $t # cases that fail only with always (never $off, always $on)"
		echo "$only_always" | sed 's/^/# /'
		failed=1
	elif [ -s /tmp/vmtest-always.fails ]; then
		echo "ok $n vm: $t # SKIP fails with never too, the same cases (never $off, always $on)"
		sed 's/^/# /' /tmp/vmtest-always.fails | head -5
	else
		echo "ok $n vm: $t # SKIP fails with never too, naming no case (never $off, always $on)"
		sed 's/^/# /' /tmp/vmtest.log | tail -3
	fi
done <<EOF_TESTS
$TESTS
EOF_TESTS
echo always >$R/enabled; echo 1 >$R/adaptive
[ -w $SPF ] && echo 1 >$SPF
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
