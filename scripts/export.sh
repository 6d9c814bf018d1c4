#!/bin/bash
# export.sh: regenerate patches/ from the kernel tree in the cache.
#   in:  $TREE commits after $BASE_TAG; patches/cover.txt (first line: the
#        cover letter's subject; the rest: its body)
#   out: patches/0000-cover-letter.patch and one NNNN-*.patch per commit,
#        made by git format-patch --cover-letter --base
# Commit patches/ afterwards: the cache may not outlive the machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ "$KERNEL" = series ] || die "only for the series tree (KERNEL=series)"

git -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null ||
	die "no kernel tree at $TREE: run scripts/tree.sh"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "the tree has uncommitted changes: commit them (git commit -s) first"
count=$(git -C "$TREE" rev-list --count "$BASE_TAG..HEAD")
cover=$REPO/patches/cover.txt
[ "$count" = 0 ] || [ -s "$cover" ] || die "write the cover letter in $cover first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$count" != 0 ]; then
	git -C "$TREE" config branch.master.description "$(cat "$cover")"
	git -C "$TREE" format-patch -q --cover-letter --cover-from-description=subject \
		--base="$BASE_TAG" -o "$tmp" "$BASE_TAG..HEAD"
fi
rm -f "$REPO"/patches/*.patch
if [ "$count" != 0 ]; then
	cp "$tmp"/*.patch "$REPO/patches/"
fi
echo "$(patches_hash) $(git -C "$TREE" rev-parse HEAD)" >"$SERIES_STAMP"
log "exported $count patches to patches/ (now commit them)"
