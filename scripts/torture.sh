#!/bin/bash
# torture.sh SECONDS SEED RUNDIR: boot the debug kernel with plan torture (the
# torture harness for SECONDS, seed SEED or, if empty, one from the clock),
# then scan its console and count its results.
#   in:  the debug kernel and initramfs (make initramfs-debug)
#   out: RUNDIR/results.txt (TAP, the harness's seed first), console.log,
#        verdict, scan.log, scan.exit; "N passed, N failed, N skipped"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${1:-} seed=${2:-} run=${3:-}
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -ge 1 ] && [ "$secs" -le 86400 ] ||
	die "SECONDS='$secs' is not a number from 1 to 86400"
[ -z "$seed" ] || [[ $seed =~ ^[0-9]+$ ]] || die "SEED='$seed' is not a decimal number"
[ -n "$run" ] || die "usage: torture.sh SECONDS SEED RUNDIR"

# The boot, the module and the checks after the run take about two minutes
# on the debug config; leave them five.
export TIMEOUT=$((secs + 300))
# page_owner=on: the harness finds leaked user pages by their allocation stacks.
export APPEND="${APPEND:-} page_owner=on ff.seconds=$secs${seed:+ ff.seed=$seed}"
"$(dirname "$0")/qemu.sh" debug torture "$run" || true
grep -a '^torture: seed\|^# figures\|MISMATCH\|FAILED' "$run/results.txt" >&2 || true
status=0
"$(dirname "$0")/scan-console.sh" "$run/console.log" >"$run/scan.log" || status=$?
echo "$status" >"$run/scan.exit"
cat "$run/scan.log"
"$(dirname "$0")/summary.sh" verdict:"$run/verdict" tap:"$run/results.txt" exit:"$run/scan.exit"
