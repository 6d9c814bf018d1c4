#!/bin/bash
# qemu.sh CONFIG PLAN RUNDIR: boot one built kernel under QEMU (TCG) and run a plan.
#   in:  $BUILD_ROOT/CONFIG/arch/arm64/boot/Image, out/CONFIG/initramfs.cpio.gz
#   env: CPU (cortex-a57|max, default max), MEM (default 1G), SMP (default 2),
#        NODES (NUMA nodes, 1 or 2, default 2: MEM split evenly),
#        APPEND (extra kernel arguments), TIMEOUT (seconds, default 900),
#        DEVICE_MEMORY (1: add the device memory of lib.sh past MEM, with
#        a pmem-region in the device tree, mem=MEM, and ff.devmap=,
#        ff.pfnmap= naming the test devices' ranges for the plan)
#   out: RUNDIR/console.log  the serial console
#        RUNDIR/results.txt  the plan's output and verdict (/dev/hvc0)
#        RUNDIR/data.txt     the plan's data, e.g. bench JSON (/dev/hvc1)
#        RUNDIR/verdict      pass, fail or lost (no verdict: crash, hang, timeout)
# Exits 0 only on pass.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}; plan=${2:-}; run=${3:-}
check_config "$cfg"
[ -n "$plan" ] && [ -n "$run" ] || die "usage: qemu.sh CONFIG PLAN RUNDIR"
CPU=${CPU:-max}; MEM=${MEM:-1G}; SMP=${SMP:-2}; NODES=${NODES:-2}
APPEND=${APPEND:-}; TIMEOUT=${TIMEOUT:-900}
case $CPU in cortex-a57) cpu=cortex-a57 ;; max) cpu=max,pauth-impdef=on ;;
	*) die "unknown CPU '$CPU' (expected cortex-a57 or max)" ;; esac
[[ $MEM =~ ^[0-9]+[MG]$ ]] || die "bad MEM '$MEM' (expected e.g. 1G or 1536M)"
[[ $SMP =~ ^[1-8]$ ]] || die "bad SMP '$SMP' (expected 1 to 8)"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "bad TIMEOUT '$TIMEOUT' (expected seconds)"
qemu_memory "$MEM" "$NODES" "$SMP" "$(device_memory_mib)"

image=$(build_dir "$cfg")/arch/arm64/boot/Image
initrd=$OUT/$cfg/initramfs.cpio.gz
[ -f "$image" ] || die "no kernel image $image: run scripts/build.sh $cfg"
[ -f "$initrd" ] || die "no initramfs $initrd: run scripts/initramfs.sh $cfg"
command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 is missing: run scripts/deps.sh"

mkdir -p "$run"
rm -f "$run"/{console.log,results.txt,data.txt,verdict}
device_memory "$run"
: >"$run/results.txt"; : >"$run/data.txt"
log "booting $cfg (cpu $CPU, $SMP cpus, $MEM, $NODES nodes) with plan $plan, timeout ${TIMEOUT}s"
start=$(date +%s)
set +e
timeout --kill-after=10 "$TIMEOUT" qemu-system-aarch64 \
	-M virt -cpu "$cpu" -smp "$SMP" "${QEMU_MEM_ARGS[@]}" \
	-nographic -no-reboot -monitor none \
	-serial "file:$run/console.log" \
	-kernel "$image" -initrd "$initrd" "${DEVMEM_QEMU_ARGS[@]}" \
	-append "console=ttyAMA0 panic=-1 ff.plan=$plan $DEVMEM_APPEND $APPEND" \
	-device virtio-serial-device \
	-chardev "file,id=results,path=$run/results.txt" \
	-device virtconsole,chardev=results \
	-chardev "file,id=data,path=$run/data.txt" \
	-device virtconsole,chardev=data \
	</dev/null >"$run/qemu.log" 2>&1
rc=$?
set -e
secs=$(( $(date +%s) - start ))
# Should the guest's tty settings not have applied, drop the CRs it added.
sed -i 's/\r$//' "$run/results.txt" "$run/data.txt"

verdict=$(sed -n 's/^fastfault-verdict: //p' "$run/results.txt" | tail -n 1)
case $verdict in pass|fail) ;; *) verdict=lost ;; esac
[ "$rc" = 124 ] && log "QEMU did not finish within ${TIMEOUT}s"
[ "$rc" = 0 ] || [ "$rc" = 124 ] || [ "$verdict" != lost ] || { log "QEMU exited $rc:"; cat "$run/qemu.log" >&2; }
echo "$verdict" >"$run/verdict"
log "verdict: $verdict after ${secs}s (console: $run/console.log)"
[ "$verdict" = pass ]
