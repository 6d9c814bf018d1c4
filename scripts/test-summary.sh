#!/bin/bash
# test-summary.sh: summary.sh counts each kind of result file right, including
# crashed binaries, truncated TAP and a boot with no KUnit output. Prints TAP.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
fx=$dir/tests/summary
cases=(
	"tap:$fx/kselftest.tap|2 passed, 2 failed, 1 skipped"
	"tap:$fx/truncated.tap|2 passed, 2 failed, 0 skipped"
	"gtest:$fx/gtest.log|26 passed, 2 failed, 1 skipped"
	"gtest:$fx/gtest-crashed.log|0 passed, 1 failed, 0 skipped"
	"kunit:$fx/kunit.log|20 passed, 2 failed, 2 skipped"
	"kunit:$fx/kunit-none.log|0 passed, 1 failed, 0 skipped"
	"tap:$fx/does-not-exist|0 passed, 1 failed, 0 skipped"
)
# Each failed case is named above the closing line, so that a log's tail
# says what failed.
named=(
	"tap:$fx/kselftest.tap|    failed: x.two"
	"tap:$fx/kselftest.tap|    failed: selftests: fastfault: b # exit=139"
	"tap:$fx/truncated.tap|    failed: 2 planned results missing"
	"gtest:$fx/gtest.log|    failed: Stats.MedianOfEven"
)
echo "TAP version 13"
echo "1..$((${#cases[@]} + ${#named[@]}))"
n=0 failed=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	arg=${c%%|*} want=${c#*|}
	got=$("$dir/summary.sh" "$arg" 2>&1 | tail -n 1 || true)
	if [ "$got" = "$want" ]; then
		echo "ok $n summary: ${arg##*/}"
	else
		echo "not ok $n summary: ${arg##*/}: got '$got', want '$want'"
		failed=1
	fi
done
for c in "${named[@]}"; do
	n=$((n + 1))
	arg=${c%%|*} want=${c#*|}
	got=$("$dir/summary.sh" "$arg" 2>&1 || true)
	if grep -qxF -- "$want" <<<"$got"; then
		echo "ok $n summary names: ${arg##*/}: ${want#*: }"
	else
		echo "not ok $n summary names: ${arg##*/}: no line '$want'"
		failed=1
	fi
done
exit $failed
