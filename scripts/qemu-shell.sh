#!/bin/bash
# qemu-shell.sh CONFIG: boot one config with an interactive shell on the
# console (fastfault.ko is in /fastfault, the kselftests in /kselftests).
# DEVICE_MEMORY=1 adds the device memory of make gup (see lib.sh).
# Leave with `poweroff -f`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}
check_config "$cfg"
cpu=${CPU:-max}
[ "$cpu" = max ] && cpu=max,pauth-impdef=on
MEM=${MEM:-1G} SMP=${SMP:-2}
qemu_memory "$MEM" "${NODES:-2}" "$SMP" "$(device_memory_mib)"
mkdir -p "$OUT/shell"
device_memory "$OUT/shell"
exec qemu-system-aarch64 -M virt -cpu "$cpu" -smp "$SMP" "${QEMU_MEM_ARGS[@]}" \
	-nographic -no-reboot \
	-kernel "$(build_dir "$cfg")/arch/arm64/boot/Image" \
	-initrd "$OUT/$cfg/initramfs.cpio.gz" "${DEVMEM_QEMU_ARGS[@]}" \
	-append "console=ttyAMA0 panic=-1 ff.plan=shell $DEVMEM_APPEND ${APPEND:-}" \
	-device virtio-serial-device -chardev null,id=r -device virtconsole,chardev=r \
	-chardev null,id=d -device virtconsole,chardev=d
