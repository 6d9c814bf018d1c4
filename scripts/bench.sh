#!/bin/bash
# bench.sh SETTINGS RUNS [WORKLOADS]: boot the bench kernel and run the
# benchmark suite once per setting (comma-separated; auto: every setting the
# kernel supports, see scripts/guest/settings.sh), every workload or those
# named (comma-separated, as ffbench --list names them).
#   in:  the bench kernel and out/bench/initramfs (make initramfs-bench)
#   out: out/bench/results.json (one record per workload), the table on stdout,
#        the boot's files in out/bench/boot/
set -euo pipefail
. "$(dirname "$0")/lib.sh"

setting=${1:-auto}; runs=${2:-3}; workload=${3:-}
names='^[a-z0-9][a-z0-9+._-]*(,[a-z0-9][a-z0-9+._-]*)*$'
[[ $setting =~ $names ]] || die "bad SETTING '$setting' (NAME[,NAME...])"
[[ -z $workload || $workload =~ $names ]] ||
	die "bad WORKLOAD '$workload' (NAME[,NAME...], see ffbench --list)"
[[ $runs =~ ^[1-9][0-9]?$ ]] || die "bad RUNS '$runs' (1 to 99)"
run=$OUT/bench/boot
# DEVICE_MEMORY: RAM past MEM for the devmap device of setting gup-devmap.
APPEND="${APPEND:-} ff.setting=$setting ff.runs=$runs${workload:+ ff.workload=$workload}" \
	DEVICE_MEMORY=1 \
	"$(dirname "$0")/qemu.sh" bench bench "$run" || {
	sed -n '/^fastfault-plan/,$p' "$run/results.txt" >&2
	die "the benchmark boot did not pass (verdict $(cat "$run/verdict"))"
}
cp "$run/data.txt" "$OUT/bench/results.json"
"$OUT/bench/fftable" "$OUT/bench/results.json"
log "wrote $OUT/bench/results.json"
