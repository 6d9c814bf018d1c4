#!/bin/bash
# scan-console.sh CONSOLE_LOG...: fail a run whose kernel console shows trouble,
# whatever the tests said.
#   in:  console logs saved by scripts/qemu.sh
#   out: the offending lines on stdout; exit 1 if there are any, 2 on bad input
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: scan-console.sh CONSOLE_LOG..." >&2; exit 2; }

# One extended regular expression per kind of splat. KASAN and lockdep reports
# also start with "BUG:" or "WARNING:"; they are named for clearer messages.
patterns=(
	'BUG:'
	'WARNING:'
	'Oops'
	'kernel BUG at'
	'Unable to handle kernel'
	'Kernel panic'
	'KASAN'
	'UBSAN'
	'possible (circular|recursive) locking'
	'INFO: (trying to register non-static key|lockdep)'
	'inconsistent lock state'
	'Bad rss-counter'
	'Bad page'
	': bad (pgd|p4d|pud|pmd|pte) [0-9a-f]+'
	'suspected memory leak'
	'blocked for more than [0-9]+ seconds'
	'rcu: INFO: .*stall'
)
regex=$(IFS='|'; echo "${patterns[*]}")

status=0
for log in "$@"; do
	[ -r "$log" ] || { echo "scan-console.sh: cannot read $log" >&2; exit 2; }
	if grep -naE -- "$regex" "$log" | head -n 20 | sed "s|^|$log:|"; then
		status=1
	fi
done
exit $status
