#!/bin/bash
# series-check.sh [FIRST]: the series is bisectable and clean. For each patch
# in order: it applies with git am, the kernel builds (bench config), the C
# files it touches have no more W=1 warnings than before it, and checkpatch
# --strict finds nothing. With FIRST (a patch number), the patches before it
# are applied and built once, unchecked, and the checks start there: for a
# v2 that changed only the later patches. Works with zero patches.
#   in:  patches/*.patch, $TREE (for the base commit), the bench .config
#   out: a line per patch; exit 1 on the first failure
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ "$KERNEL" = series ] || die "only for the series tree (KERNEL=series)"

work=$CACHE/series-check
bdir=$BUILD_ROOT/series-check
mapfile -t patches < <(ls "$REPO"/patches/*.patch 2>/dev/null | grep -v '/0000-' || true)
if [ "${#patches[@]}" = 0 ]; then
	log "0 patches: nothing to check"
	exit 0
fi
[ -f "$(build_dir bench)/.config" ] || die "no bench .config: run scripts/build.sh bench"
first=${1:-1}
[[ $first =~ ^[1-9][0-9]*$ ]] && ((first <= ${#patches[@]})) ||
	die "FIRST must be a patch number from 1 to ${#patches[@]}, not '$first'"

git -C "$TREE" worktree remove --force "$work" >/dev/null 2>&1 || rm -rf "$work"
git -C "$TREE" worktree prune
git -C "$TREE" worktree add -q --detach "$work" "$BASE_TAG"
mkdir -p "$bdir"
cp "$(build_dir bench)/.config" "$bdir/.config"
smake() {
	make -C "$work" O="$bdir" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" -j"$(nproc)" -s "$@"
}
smake olddefconfig >/dev/null

# w1_warnings FILE.c...: W=1 warnings of these files at the current commit.
w1_warnings() {
	local f n=0 objs=()
	for f in "$@"; do
		[ -f "$work/$f" ] && objs+=("${f%.c}.o")
	done
	[ "${#objs[@]}" = 0 ] && { echo 0; return; }
	for f in "${objs[@]}"; do rm -f "$bdir/$f"; done
	n=$(smake W=1 "${objs[@]}" 2>&1 | grep -c 'warning:' || true)
	echo "$n"
}

i=0
for p in "${patches[@]:0:first-1}"; do
	i=$((i + 1))
	git -C "$work" am -q "$p" || { git -C "$work" am --abort; die "${p##*/} does not apply"; }
done
if ((i > 0)); then
	smake olddefconfig >/dev/null
	smake Image modules || die "the kernel with patches 1 to $i does not build"
	log "applied and built patches 1 to $i, unchecked"
fi
for p in "${patches[@]:first-1}"; do
	i=$((i + 1))
	name=${p##*/}
	mapfile -t cfiles < <(sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "$p")
	before=$(w1_warnings "${cfiles[@]}")
	git -C "$work" am -q "$p" || { git -C "$work" am --abort; die "$name does not apply"; }
	smake olddefconfig >/dev/null	# take the defaults of options the patch adds
	smake Image modules || die "$name: the kernel does not build"
	after=$(w1_warnings "${cfiles[@]}")
	[ "$after" -le "$before" ] || die "$name: W=1 warnings in its C files went from $before to $after"
	# Debian's python3 first: spdxcheck.py needs its python3-ply and python3-git.
	(cd "$work" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict -q --no-summary "$p") ||
		die "$name: checkpatch --strict complains (above)"
	log "ok $i $name (W=1 warnings $before -> $after)"
done
git -C "$TREE" worktree remove --force "$work"
log "${#patches[@]} patches apply, build and pass checkpatch --strict"
