#!/bin/bash
# tree.sh: make the kernel tree in the cache match patches/.
#   in:  /usr/src/linux-source-$LINUX_SERIES.tar.xz (checked against configs/pins.env),
#        patches/*.patch
#   out: $TREE, a git tree whose first commit is the untouched source, tagged
#        $BASE_TAG, with the series applied on top by git am.
# KERNEL=base: a second work tree of it at $BASE_TAG. KERNEL=$REF_SERIES: a
# tree of its own from /usr/src/linux-source-$REF_SERIES.tar.xz, untouched.
# A tree whose series differs from patches/ is reset to the base and re-applied.
# A tree holding commits that were never exported is left alone: run
# `make export` first, or remove the tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# create_base SERIES VERSION SHA256: make $TREE a git tree of the untouched
# /usr/src/linux-source-SERIES.tar.xz, checked against SHA256, tagged $BASE_TAG.
create_base() {
	local series=$1 version=$2 sha=$3 tarball=/usr/src/linux-source-$1.tar.xz
	[ -f "$tarball" ] || die "$tarball is missing: run scripts/deps.sh"
	log "checking sha256 of $tarball"
	echo "$sha  $tarball" | sha256sum --quiet -c - ||
		die "$tarball does not match the pinned sha256 $sha (configs/pins.env)"
	local tmp=$CACHE/extract.$$
	rm -rf "$tmp"; mkdir -p "$tmp"
	log "extracting $tarball"
	tar -C "$tmp" -xJf "$tarball"
	git -C "$tmp/linux-source-$series" init -q -b master
	# Debian's top-level .gitignore ignores every top-level entry: add with -f.
	git -C "$tmp/linux-source-$series" add -f -A
	git -C "$tmp/linux-source-$series" -c user.name=fastfault \
		-c user.email=fastfault@localhost commit -q \
		-m "Linux $version (Debian linux-source-$series), untouched"
	git -C "$tmp/linux-source-$series" tag "$BASE_TAG"
	echo "$version $sha" >"$tmp/linux-source-$series/.git/fastfault-base"
	rm -rf "$TREE"
	mv "$tmp/linux-source-$series" "$TREE"
	rmdir "$tmp"
}

# Apply the series in a second work tree, then move the main tree to the
# result: git rewrites only the files that differ, so the build stays
# incremental (resetting the main tree to the base would touch every file
# any patch changes, headers included).
apply_series() {
	local apply=$CACHE/apply-tree p
	if ! git -C "$apply" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		rm -rf "$apply"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$apply" "$BASE_TAG"
	fi
	git -C "$apply" am --abort >/dev/null 2>&1 || true
	git -C "$apply" checkout -q -f --detach "$BASE_TAG"
	for p in "$REPO"/patches/*.patch; do
		[ -e "$p" ] || continue
		case ${p##*/} in 0000-*) continue ;; esac
		if ! git -C "$apply" am -q "$p" >"$CACHE/am.log" 2>&1; then
			git -C "$apply" am --abort >/dev/null 2>&1 || true
			cat "$CACHE/am.log" >&2
			die "patch ${p##*/} does not apply to the series before it"
		fi
	done
	git -C "$TREE" checkout -q -f master
	git -C "$TREE" reset -q --hard "$(git -C "$apply" rev-parse HEAD)"
	echo "$(patches_hash) $(git -C "$TREE" rev-parse HEAD)" >"$SERIES_STAMP"
	log "series applied: $(git -C "$TREE" rev-list --count "$BASE_TAG"..HEAD) patches"
}

mkdir -p "$CACHE"
# KERNEL=$REF_SERIES: the later kernel, untouched; made again when its pin moves.
if [ "$KERNEL" = "$REF_SERIES" ]; then
	[ "$(cat "$TREE/.git/fastfault-base" 2>/dev/null)" = "$REF_VERSION $REF_SHA256" ] ||
		create_base "$REF_SERIES" "$REF_VERSION" "$REF_SHA256"
	log "$REF_SERIES tree: $TREE ($REF_VERSION)"
	exit 0
fi
# KERNEL=base: a second work tree of the series tree, at the base commit.
if [ "$KERNEL" = base ]; then
	FASTFAULT_KERNEL=series "$0"
	if ! git -C "$TREE" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		rm -rf "$TREE"
		git -C "$SERIES_TREE" worktree prune
		git -C "$SERIES_TREE" worktree add -q --detach "$TREE" "$BASE_TAG"
	fi
	[ "$(git -C "$TREE" rev-parse HEAD)" = "$(git -C "$TREE" rev-parse "$BASE_TAG^{commit}")" ] ||
		git -C "$TREE" checkout -q -f --detach "$BASE_TAG"
	log "base tree: $TREE at $BASE_TAG"
	exit 0
fi
if ! git -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null 2>&1; then
	create_base "$LINUX_SERIES" "$LINUX_VERSION" "$LINUX_SHA256"
	apply_series
	exit 0
fi

read -r stamp_hash stamp_head <"$SERIES_STAMP" 2>/dev/null || stamp_hash= stamp_head=
head=$(git -C "$TREE" rev-parse HEAD)

# A new pin (configs/pins.env) means a new base: start again from the tarball.
if [ "$(cat "$TREE/.git/fastfault-base" 2>/dev/null)" != "$LINUX_VERSION $LINUX_SHA256" ]; then
	[ -z "$stamp_head" ] || [ "$head" = "$stamp_head" ] ||
		die "the pinned base changed but the tree has unexported commits: run make export first"
	log "the pinned base changed: recreating the tree"
	create_base "$LINUX_SERIES" "$LINUX_VERSION" "$LINUX_SHA256"
	apply_series
	exit 0
fi
if [ "$stamp_hash" = "$(patches_hash)" ]; then
	[ "$head" = "$stamp_head" ] ||
		log "note: the tree has commits not in patches/ yet; building them (make export saves them)"
	exit 0
fi
if [ -n "$stamp_head" ] && [ "$head" != "$stamp_head" ]; then
	die "patches/ changed and the tree has unexported commits too; export or drop them (git -C $TREE reset --hard $stamp_head)"
fi
log "patches/ changed: re-applying the series"
apply_series
