#!/bin/bash
# test-scan-console.sh: the console scan is itself tested. Each log under
# scripts/tests/console/ holds one failure pattern and must be caught;
# clean.log must pass. Prints TAP.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
logs=("$dir"/tests/console/*.log)
echo "TAP version 13"
echo "1..${#logs[@]}"
n=0 failed=0
for log in "${logs[@]}"; do
	n=$((n + 1))
	name=${log##*/}
	want=1
	[ "$name" = clean.log ] && want=0
	set +e
	"$dir/scan-console.sh" "$log" >/dev/null 2>&1
	got=$?
	set -e
	if [ "$got" = "$want" ]; then
		echo "ok $n scan-console: $name"
	else
		echo "not ok $n scan-console: $name (exit $got, expected $want)"
		failed=1
	fi
done
exit $failed
