#!/bin/bash
# qemu-shell.sh CONFIG: boot one config with an interactive shell on the
# console (fastfault.ko is in /fastfault, the kselftests in /kselftests).
# Leave with `poweroff -f`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}
check_config "$cfg"
cpu=${CPU:-max}
[ "$cpu" = max ] && cpu=max,pauth-impdef=on
qemu_memory "${MEM:-1G}" "${NODES:-2}" "${SMP:-2}"
exec qemu-system-aarch64 -M virt -cpu "$cpu" -smp "${SMP:-2}" "${QEMU_MEM_ARGS[@]}" \
	-nographic -no-reboot \
	-kernel "$(build_dir "$cfg")/arch/arm64/boot/Image" \
	-initrd "$OUT/$cfg/initramfs.cpio.gz" \
	-append "console=ttyAMA0 panic=-1 ff.plan=shell ${APPEND:-}" \
	-device virtio-serial-device -chardev null,id=r -device virtconsole,chardev=r \
	-chardev null,id=d -device virtconsole,chardev=d
