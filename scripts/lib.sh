# Shared definitions for the scripts in this directory; sourced, not run.
# Every path a user may override is set here, once, with its default.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../configs/pins.env
. "$REPO/configs/pins.env"

CACHE=${FASTFAULT_CACHE:-$HOME/.cache/fastfault}
SERIES_TREE=$CACHE/linux-$LINUX_SERIES   # git tree: base commit + series
BASE_TAG=fastfault-base
SERIES_STAMP=$SERIES_TREE/.git/fastfault-series  # "<patches hash> <HEAD>" of the last sync
# Which kernel the build, test and boot scripts work on: "series" (the
# patched tree), "base" (the pinned source untouched, a second work tree
# of the same repository) or "6.12" (Debian's linux-source-$REF_SERIES,
# untouched: the later kernel make compare measures against), each with its
# own build directories and outputs: kernel_dirs KERNEL sets TREE,
# BUILD_ROOT and OUT for one.
kernel_dirs() {
	case $1 in
	series)	TREE=$SERIES_TREE; BUILD_ROOT=$CACHE/build; OUT=${FASTFAULT_OUT:-$REPO/out} ;;
	base)	TREE=$CACHE/linux-$LINUX_SERIES-base; BUILD_ROOT=$CACHE/build-base
		OUT=${FASTFAULT_OUT:-$REPO/out/base} ;;
	"$REF_SERIES")
		TREE=$CACHE/linux-$REF_SERIES; BUILD_ROOT=$CACHE/build-$REF_SERIES
		OUT=${FASTFAULT_OUT:-$REPO/out/$REF_SERIES} ;;
	*)	printf 'unknown KERNEL %s (expected series, base or %s)\n' "$1" "$REF_SERIES" >&2
		exit 1 ;;
	esac
}
KERNEL=${FASTFAULT_KERNEL:-series}
kernel_dirs "$KERNEL"
CROSS=aarch64-linux-gnu-
CONFIGS="debug bench"

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# check_config NAME: NAME must be one of $CONFIGS.
check_config() {
	case " $CONFIGS " in
	*" $1 "*) ;;
	*) die "unknown CONFIG '$1' (expected one of: $CONFIGS)" ;;
	esac
}

build_dir() { echo "$BUILD_ROOT/$1"; }

# uapi_headers CONFIG: the include directory of CONFIG's headers_install,
# which scripts/build.sh makes; the userspace builds compile against it.
uapi_headers() {
	local h
	h=$(build_dir "$1")/usr-headers/include
	[ -d "$h" ] || die "no uapi headers in $h: run scripts/build.sh $1"
	echo "$h"
}

# patches_hash: one hash over the series files in order, empty series included.
patches_hash() {
	(cd "$REPO/patches" && cat /dev/null $(ls -- *.patch 2>/dev/null | grep -v '^0000-') ) |
		sha256sum | cut -d' ' -f1
}

kmake() {
	local cfg=$1; shift
	make -C "$TREE" O="$(build_dir "$cfg")" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" -j"$(nproc)" -s "$@"
}

# mem_mib SIZE: SIZE (like 1G or 1536M) in MiB.
mem_mib() {
	local n=${1%[MG]}
	[ "${1: -1}" = G ] && n=$((n * 1024))
	echo "$n"
}

# Device memory of the GUP boots (qemu.sh with DEVICE_MEMORY=1): past the
# guest's RAM, which starts at 0x40000000 on QEMU's virt machine, come
# DEVMAP_MIB for fastfault.ko's devmap device, PFNMAP_MIB for its pfnmap
# device and PMEM_MIB of emulated pmem (a device-tree pmem-region), all
# hidden from the kernel with mem=MEM.
RAM_BASE=$((0x40000000))
DEVMAP_MIB=128
PFNMAP_MIB=128
PMEM_MIB=256

# device_memory_mib: the MiB of device memory the boot adds past MEM.
device_memory_mib() {
	case ${DEVICE_MEMORY:-0} in
	0) echo 0 ;;
	1) echo $((DEVMAP_MIB + PFNMAP_MIB + PMEM_MIB)) ;;
	*) die "bad DEVICE_MEMORY '$DEVICE_MEMORY' (expected 0 or 1)" ;;
	esac
}

# device_memory DIR: with DEVICE_MEMORY=1, write DIR/virt.dtb (QEMU's device
# tree for $cpu, $SMP and QEMU_MEM_ARGS, plus the pmem-region) and set
# DEVMEM_QEMU_ARGS (-dtb it) and DEVMEM_APPEND (mem=MEM, and ff.devmap=,
# ff.pfnmap= for the plan to load fastfault.ko with). Both empty without.
device_memory() {
	local devmap pfnmap pmem
	DEVMEM_QEMU_ARGS=() DEVMEM_APPEND=
	[ "$(device_memory_mib)" != 0 ] || return 0
	devmap=$((RAM_BASE + $(mem_mib "$MEM") * 1048576))
	pfnmap=$((devmap + DEVMAP_MIB * 1048576))
	pmem=$((pfnmap + PFNMAP_MIB * 1048576))
	"$REPO/scripts/dtb.sh" "$1/virt.dtb" "$(printf '%#x' $pmem)" \
		"$(printf '%#x' $((PMEM_MIB * 1048576)))" -cpu "$cpu" -smp "$SMP" "${QEMU_MEM_ARGS[@]}"
	DEVMEM_QEMU_ARGS=(-dtb "$1/virt.dtb")
	DEVMEM_APPEND="mem=$MEM ff.devmap=${DEVMAP_MIB}M@$(printf '%#x' $devmap)"
	DEVMEM_APPEND+=" ff.pfnmap=${PFNMAP_MIB}M@$(printf '%#x' $pfnmap)"
}

# qemu_memory MEM NODES SMP: set QEMU_MEM_ARGS, the QEMU arguments for the
# guest's memory: MEM in all, on NODES NUMA nodes (1 or 2). With 2, MEM is
# split evenly and CPU i goes to node i % 2, so that tests can move pages
# between nodes (move_pages(2)) and allocations fall back from one node to
# the other, as on a real machine. The memory is preallocated on the host:
# otherwise the guest's first touch of each page costs a host page fault,
# or a 2 MiB host THP, and the figures of whatever runs first are off by
# up to 10x (random-4k: 0.64 s before warm-up, 0.06 s after).
#
# qemu_memory MEM NODES SMP HIDDEN: the same, with HIDDEN MiB more at the top
# of the last node, for the kernel to be kept out of with mem=MEM.
qemu_memory() {
	local mem=$1 nodes=$2 smp=$3 hidden=${4:-0} mib half i size
	mib=$(mem_mib "$mem")
	case $nodes in
	1) QEMU_MEM_ARGS=(-m "$((mib + hidden))M" -mem-prealloc); return 0 ;;
	2) QEMU_MEM_ARGS=(-m "$((mib + hidden))M") ;;
	*) die "bad NODES '$nodes' (expected 1 or 2)" ;;
	esac
	half=$((mib / 2))
	# Whole 128 MiB sparsemem sections per node (arm64, 4 KiB pages): Linux
	# expects no section to span two nodes.
	((half % 128 == 0)) || die "MEM=$mem does not split into 2 nodes of whole 128 MiB sections"
	for i in 0 1; do
		size=$half
		[ "$i" = 1 ] && size=$((half + hidden))
		QEMU_MEM_ARGS+=(-object "memory-backend-ram,id=m$i,size=${size}M,prealloc=on"
				-numa "node,nodeid=$i,memdev=m$i")
	done
	# QEMU 7.2's virt machine makes -smp N one socket of N cores.
	for ((i = 0; i < smp; i++)); do
		QEMU_MEM_ARGS+=(-numa "cpu,node-id=$((i % 2)),core-id=$i")
	done
}
