#!/bin/bash
# summary.sh RESULT...: count test results and print the closing line
# "N passed, N failed, N skipped". Exits 1 if anything failed.
# Each RESULT is KIND:FILE, KIND one of
#   gtest      GoogleTest console output
#   tap        TAP, including kselftest output with one level of "# " nesting
#   kunit      the output of `kunit.py parse`
#   verdict    a file holding pass, fail or lost (one test: the boot itself)
#   exit       a file holding an exit status (one test: 0 is a pass)
set -euo pipefail

pass=0 fail=0 skip=0
add() { pass=$((pass + $1)); fail=$((fail + $2)); skip=$((skip + $3)); }
say() { printf '  %-10s %-50s %s\n' "$1" "$2" "$3"; }

count_gtest() {
	local p f s
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -n1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$1" | tail -n1)
	if [ -z "$p$f" ]; then
		echo "0 1 0"   # the binary did not get to its summary
	else
		echo "${p:-0} ${f:-0} ${s:-0}"
	fi
}

# TAP: count innermost results. A top-level "not ok" whose nested results
# hold no failure (a crash, a missing binary) counts as one failure itself.
count_tap() {
	awk '
	/^# (not )?ok [0-9]+/ {
		if ($0 ~ /# SKIP/) s++; else if ($2 == "not") { f++; inner_f++ } else p++
		inner++; next
	}
	/^(not )?ok [0-9]+/ {
		top_skip = ($0 ~ /# SKIP/)
		if (inner == 0) {
			if (top_skip) s++; else if ($1 == "not") f++; else p++
		} else if ($1 == "not" && inner_f == 0 && !top_skip) f++
		inner = 0; inner_f = 0; seen++
	}
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
	END {
		if (seen < plan) f += plan - seen   # planned tests that never reported
		if (seen == 0 && plan == 0) f++      # no TAP at all
		print p + 0, f + 0, s + 0
	}' "$1"
}

count_kunit() {
	local line p f s c
	line=$(grep -a 'Testing complete\.' "$1" | tail -n1 || true)
	if [ -z "$line" ]; then
		echo "0 1 0"
		return
	fi
	p=$(sed -n 's/.*passed: \([0-9]*\).*/\1/p' <<<"$line")
	f=$(sed -n 's/.*failed: \([0-9]*\).*/\1/p' <<<"$line")
	c=$(sed -n 's/.*crashed: \([0-9]*\).*/\1/p' <<<"$line")
	s=$(sed -n 's/.*skipped: \([0-9]*\).*/\1/p' <<<"$line")
	f=$(( ${f:-0} + ${c:-0} ))
	[ "${p:-0}" -gt 0 ] || [ "$f" -gt 0 ] || f=1   # no test ran: a failure
	echo "${p:-0} $f ${s:-0}"
}

# The names of the failed cases, and each failed assertion's own line,
# so that the tail of a CI log says what failed without the guest's files.
failed_tap() {
	awk '
	/^# not ok [0-9]+/ { sub(/^# not ok [0-9]+ /, ""); print; inner_f++; next }
	/^# # .*:Expected / { sub(/^# # /, "  "); print; next }
	/^not ok [0-9]+/ { if (inner_f == 0) { sub(/^not ok [0-9]+ /, ""); print } }
	/^(not )?ok [0-9]+/ { inner_f = 0; seen++ }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
	END { if (seen < plan) print plan - seen " planned results missing" }' "$1"
}

failed_gtest() {
	sed -n 's/^\[  FAILED  \] \([A-Za-z_][^ ]*\.[^ ]*\).*/\1/p' "$1" | sort -u
}

count_one_test() { # count_one_test FILE GOOD-VALUE
	if [ "$(cat "$1" 2>/dev/null)" = "$2" ]; then echo "1 0 0"; else echo "0 1 0"; fi
}

[ $# -gt 0 ] || { echo "usage: summary.sh KIND:FILE..." >&2; exit 2; }
failures=$(mktemp)
trap 'rm -f "$failures"' EXIT
echo "results:"
for arg in "$@"; do
	kind=${arg%%:*} file=${arg#*:}
	if [ ! -r "$file" ]; then
		say "$kind" "$file" "missing: 1 failed"
		add 0 1 0
		continue
	fi
	case $kind in
	gtest) read -r p f s < <(count_gtest "$file") ;;
	tap) read -r p f s < <(count_tap "$file") ;;
	kunit) read -r p f s < <(count_kunit "$file") ;;
	verdict) read -r p f s < <(count_one_test "$file" pass) ;;
	exit) read -r p f s < <(count_one_test "$file" 0) ;;
	*) echo "summary.sh: unknown kind '$kind'" >&2; exit 2 ;;
	esac
	say "$kind" "${file#"$PWD"/}" "$p passed, $f failed, $s skipped"
	add "$p" "$f" "$s"
	if [ "$f" -gt 0 ]; then
		case $kind in
		tap) failed_tap "$file" ;;
		gtest) failed_gtest "$file" ;;
		*) true ;;
		esac | head -n 8 | sed 's/^/    failed: /' >>"$failures"
	fi
done
cat "$failures"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
