#!/bin/bash
# deps.sh [compare]: install what the build, the boot and the tests need,
# idempotently; with "compare" (make compare), also gnuplot and the later
# kernel's source. KERNEL=$REF_SERIES needs that source too.
#   in:  configs/pins.env (linux-source and busybox versions)
#   out: Debian packages on the host; arm64 busybox in $CACHE/busybox/bin/busybox
# Runs apt-get only when something is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HOST_PKGS="linux-source-$LINUX_SERIES gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
	qemu-system-arm flex bison bc libssl-dev libelf-dev ccache cpio rsync kmod
	device-tree-compiler e2fsprogs python3 python3-ply python3-git g++ make libgtest-dev nlohmann-json3-dev"
ARM64_PKGS="libcap-dev:arm64 libnuma-dev:arm64"
# Pinned packages: NAME=VERSION, checked against what apt offers.
PINNED="linux-source-$LINUX_SERIES=$LINUX_VERSION"
case ${1:-} in
"") ;;
compare) HOST_PKGS="$HOST_PKGS gnuplot-nox" ;;
*) die "unknown argument '$1' (expected nothing or compare)" ;;
esac
if [ "${1:-}" = compare ] || [ "$KERNEL" = "$REF_SERIES" ]; then
	PINNED="$PINNED linux-source-$REF_SERIES=$REF_VERSION"
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
mkdir -p "$CACHE"

installed() { # installed PKG [VERSION]
	local v
	v=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null) || return 1
	case $v in "install ok installed "*) ;; *) return 1 ;; esac
	[ -z "${2:-}" ] || [ "${v##* }" = "$2" ]
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	log "apt-get update"
	$SUDO apt-get update -q >/dev/null || die "apt-get update failed"
	apt_updated=1
}

dpkg --print-foreign-architectures | grep -qx arm64 || {
	log "enabling the arm64 architecture for multiarch packages"
	$SUDO dpkg --add-architecture arm64
	apt_updated=
}

missing=
for p in $HOST_PKGS $ARM64_PKGS; do
	installed "$p" || missing="$missing $p"
done
for pin in $PINNED; do
	installed "${pin%%=*}" "${pin#*=}" || missing="$missing $pin"
done

if [ -n "$missing" ]; then
	apt_update
	for pin in $PINNED; do
		pkg=${pin%%=*} version=${pin#*=}
		offered=$(apt-cache madison "$pkg" | awk -F'|' '{gsub(/ /, "", $2); print $2}' | sort -u)
		grep -qxF -- "$version" <<<"$offered" && continue
		die "$pkg=$version is not offered by apt any more.
  To move the pin on purpose, set its VERSION and SHA256 (the sha256 of
  /usr/src/$pkg.tar.xz) in configs/pins.env or the environment;
  offered now: $(echo $offered)"
	done
	log "installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --allow-downgrades $missing \
		>"$CACHE/apt-install.log" 2>&1 || {
		tail -20 "$CACHE/apt-install.log" >&2
		die "apt-get install failed (log: $CACHE/apt-install.log)"
	}
fi

# arm64 busybox for the initramfs, unpacked into the cache (not installed).
bb=$CACHE/busybox/bin/busybox
if [ ! -x "$bb" ]; then
	apt_update
	mkdir -p "$CACHE/debs"
	log "downloading busybox-static:arm64=$BUSYBOX_VERSION"
	(cd "$CACHE/debs" && apt-get download -q "busybox-static:arm64=$BUSYBOX_VERSION" >/dev/null) ||
		die "cannot download busybox-static:arm64=$BUSYBOX_VERSION (set BUSYBOX_VERSION in configs/pins.env)"
	rm -rf "$CACHE/busybox.tmp"
	dpkg-deb -x "$CACHE"/debs/busybox-static_*_arm64.deb "$CACHE/busybox.tmp"
	rm -rf "$CACHE/busybox"
	mv "$CACHE/busybox.tmp" "$CACHE/busybox"
fi
file_type=$(od -An -tx1 -j18 -N2 "$bb" | tr -d ' ')
[ "$file_type" = b700 ] || die "$bb is not an arm64 ELF binary"
log "dependencies present"
