#!/bin/bash
# build.sh CONFIG: configure and build the kernel in the cache for one config.
#   in:  $TREE (scripts/tree.sh), configs/base.config + configs/CONFIG.config
#        (+ configs/$REF_SERIES.config for KERNEL=$REF_SERIES)
#   out: $BUILD_ROOT/CONFIG/arch/arm64/boot/Image, modules, and the uapi
#        headers in $BUILD_ROOT/CONFIG/usr-headers (for static test binaries)
# Incremental: ccache plus one O= directory per config. Fails when
# olddefconfig drops an option that a fragment asks for.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}
check_config "$cfg"
bdir=$(build_dir "$cfg")
mkdir -p "$bdir" "$CCACHE_DIR"
command -v ccache >/dev/null || die "ccache is missing: run scripts/deps.sh"
command -v "${CROSS}gcc" >/dev/null || die "${CROSS}gcc is missing: run scripts/deps.sh"

fragments="$REPO/configs/base.config $REPO/configs/$cfg.config"
[ "$KERNEL" != "$REF_SERIES" ] || fragments="$fragments $REPO/configs/$REF_SERIES.config"
cat "$TREE/kernel/configs/tiny-base.config" $fragments >"$bdir/fastfault.allconfig"

# Regenerate .config only when the fragments changed, so that a rebuild after
# a source change does not touch it.
if ! cmp -s "$bdir/fastfault.allconfig" "$bdir/fastfault.allconfig.used" ||
   [ ! -f "$bdir/.config" ]; then
	log "configuring $cfg"
	kmake "$cfg" KCONFIG_ALLCONFIG="$bdir/fastfault.allconfig" allnoconfig >/dev/null
	cp "$bdir/fastfault.allconfig" "$bdir/fastfault.allconfig.used"
fi
kmake "$cfg" olddefconfig >/dev/null

# Every option a fragment asks for must be in the final .config.
dropped=0
while read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qx -- "$line" "$bdir/.config" && continue ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		grep -q -- "^$opt=" "$bdir/.config" || continue ;;
	*) continue ;;
	esac
	# An option the series adds is absent from a tree without the series
	# (the pinned base, for comparison runs): note it and go on.
	name=${line#\# }; name=${name%%=*}; name=${name%% *}; name=${name#CONFIG_}
	if ! grep -rqx --include='Kconfig*' "\(menu\)\?config $name" "$TREE"; then
		log "note: $line is not in this tree's Kconfig (a series option?): skipped"
		continue
	fi
	log "dropped by olddefconfig: $line"
	dropped=1
done < <(cat $fragments)
[ "$dropped" = 0 ] || { rm -f "$bdir/fastfault.allconfig.used"; die "config $cfg lost options (above); fix their dependencies in configs/"; }

log "building $cfg kernel in $bdir"
kmake "$cfg" Image modules
kmake "$cfg" headers_install INSTALL_HDR_PATH="$bdir/usr-headers" >/dev/null
log "built $bdir/arch/arm64/boot/Image"
