#!/bin/bash
# dtb.sh OUT PMEM_START PMEM_SIZE QEMU-ARGS...: the device tree QEMU's virt
# machine builds for QEMU-ARGS (the same -cpu, -smp and memory arguments as
# the boot), plus a pmem-region node over [PMEM_START, +PMEM_SIZE), so that
# the kernel's of_pmem driver makes /dev/pmem0 there. The boot must hide
# that range from the kernel with mem=, or the pmem probe fails with -EBUSY.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-}; start=${2:-}; size=${3:-}
[ -n "$out" ] && [[ $start =~ ^0x[0-9a-f]+$ ]] && [[ $size =~ ^0x[0-9a-f]+$ ]] ||
	die "usage: dtb.sh OUT PMEM_START PMEM_SIZE QEMU-ARGS... (addresses in lower-case hex, 0x...)"
shift 3
command -v dtc >/dev/null || die "dtc is missing: run scripts/deps.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
qemu-system-aarch64 -M "virt,dumpdtb=$tmp/virt.dtb" "$@" -nographic >"$tmp/qemu.log" 2>&1 ||
	{ cat "$tmp/qemu.log" >&2; die "QEMU could not dump its device tree"; }
dtc -q -I dtb -O dts -o "$tmp/virt.dts" "$tmp/virt.dtb"
# Two cells each for address and size, as the virt machine's root node has.
printf '/ {\n\tpmem@%x {\n\t\tcompatible = "pmem-region";\n\t\treg = <0x%x 0x%x 0x%x 0x%x>;\n\t};\n};\n' \
	"$start" $((start >> 32)) $((start & 0xffffffff)) $((size >> 32)) $((size & 0xffffffff)) \
	>>"$tmp/virt.dts"
dtc -q -I dts -O dtb -o "$out" "$tmp/virt.dts"
log "wrote $out (pmem-region at $start, $size bytes)"
