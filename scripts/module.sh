#!/bin/bash
# module.sh CONFIG: build fastfault.ko against one built kernel config.
#   in:  module/, $BUILD_ROOT/CONFIG (scripts/build.sh)
#   out: out/CONFIG/module/fastfault.ko (built in a copy, so module/ stays clean)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cfg=${1:-}
check_config "$cfg"
bdir=$(build_dir "$cfg")
[ -f "$bdir/Module.symvers" ] || die "no kernel built for $cfg: run scripts/build.sh $cfg"
dst=$OUT/$cfg/module
mkdir -p "$dst"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod*' \
	--exclude=Module.symvers --exclude=modules.order "$REPO/module/" "$dst/src/"
# Keep build products from the last run: rsync only replaced changed sources.
kmake "$cfg" M="$dst/src" W=1 modules
cp "$dst/src/fastfault.ko" "$dst/fastfault.ko"
log "built $dst/fastfault.ko"
