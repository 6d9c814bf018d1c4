# Shared definitions for the scripts in this directory; sourced, not run.
# Every path a user may override is set here, once, with its default.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../configs/pins.env
. "$REPO/configs/pins.env"

CACHE=${FASTFAULT_CACHE:-$HOME/.cache/fastfault}
TREE=$CACHE/linux-$LINUX_SERIES          # git tree: base commit + series
BUILD_ROOT=$CACHE/build                   # one O= directory per config
OUT=${FASTFAULT_OUT:-$REPO/out}
CROSS=aarch64-linux-gnu-
BASE_TAG=fastfault-base
SERIES_STAMP=$TREE/.git/fastfault-series  # "<patches hash> <HEAD>" of the last sync
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
