#!/bin/bash
# compare.sh RUNS: the full bench on three kernels under the same QEMU
# settings, side by side (make compare). The kernels, as the records name them:
#   6.1             the pinned base, untouched (KERNEL=base)
#   6.1+fastfault   the base with the series (KERNEL=series)
#   6.12            Debian's linux-source-6.12, untouched (KERNEL=6.12): mTHP,
#                   contiguous PTEs and per-VMA locks
# Each runs every setting it has (scripts/guest/settings.sh). The RUNS are
# split over up to three rounds, each booting the three kernels in turn: a
# slow spell of the host (minutes long, 1.5x slower, on the machines this
# was measured on) then falls on every kernel alike, not on the one that
# happened to boot in it. A console with a kernel complaint in it fails
# the comparison.
#   in:  each kernel's bench Image and initramfs (make initramfs-bench KERNEL=K)
#   out: out/compare/results.json (every record, tagged by kernel), table.md,
#        spf-share.md (spf-contended's rate over spf-alone's per kernel and
#        setting), compare.md (the kernels, the table, the share, the
#        counters of each kernel's last boot), compare.png and compare.svg;
#        each boot's files in out/compare/boot-K-ROUND/
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=${1:-3}
[[ $runs =~ ^[1-9][0-9]?$ ]] || die "bad RUNS '$runs' (1 to 99)"
command -v gnuplot >/dev/null || die "gnuplot is missing: run scripts/deps.sh compare"
dir=$REPO/out/compare
tools=$REPO/out/bench
[ -x "$tools/ffcompare" ] || die "no $tools/ffcompare: run make bench-bin"
rm -rf "$dir"
mkdir -p "$dir"

label() {
	case $1 in
	base) echo "$LINUX_SERIES" ;;
	series) echo "$LINUX_SERIES+fastfault" ;;
	*) echo "$1" ;;
	esac
}

rounds=$((runs < 3 ? runs : 3))
for round in $(seq "$rounds"); do
	# This round's share of the runs: RUNS / rounds, the rest to the first.
	n=$((runs / rounds + (round <= runs % rounds ? 1 : 0)))
	for k in base series "$REF_SERIES"; do
		log "kernel $(label "$k"), round $round of $rounds: the full bench, $n runs each"
		FASTFAULT_KERNEL=$k APPEND="${APPEND:-} ff.kernel=$(label "$k")" \
			"$REPO/scripts/bench.sh" auto "$n" >"$dir/bench-$k-$round.log" 2>&1 || {
			cat "$dir/bench-$k-$round.log" >&2
			die "the bench boot of kernel $k failed"
		}
		kernel_dirs "$k"
		boot=$dir/boot-$k-$round
		cp -r "$OUT/bench/boot" "$boot"
		# Figures from a kernel that complained are not figures to compare.
		"$REPO/scripts/scan-console.sh" "$boot/console.log" >&2 ||
			die "the console of kernel $k shows trouble (above): $boot/console.log"
	done
done

results=()
for k in base series "$REF_SERIES"; do
	"$tools/ffcompare" --combine "$dir/data-$k.json" "$dir"/boot-"$k"-*/data.txt
	results+=("$dir/data-$k.json")
done

"$tools/ffcompare" "$dir" "${results[@]}" >/dev/null
gnuplot -e "dir='$dir'" "$REPO/scripts/compare.gp"

# compare.md: what was run, the table, the counters of each boot.
npatches=0
for p in "$REPO"/patches/[0-9]*.patch; do
	case ${p##*/} in 0000-*) ;; *) npatches=$((npatches + 1)) ;; esac
done
{
	echo "Kernels, each booted $rounds time(s) in turn under QEMU (TCG, cpu ${CPU:-max}," \
		"${SMP:-2} CPUs, ${MEM:-1G} on ${NODES:-2} nodes), bench config, $runs run(s) of each" \
		"workload over the boots, the settings of a boot taking turns, medians:"
	echo
	echo "- $(label base): Debian linux-source-$LINUX_SERIES $LINUX_VERSION, untouched"
	echo "- $(label series): the same with the $npatches patches of patches/"
	echo "- $(label "$REF_SERIES"): Debian linux-source-$REF_SERIES $REF_VERSION, untouched," \
		"with ARM64_CONTPTE and per-VMA locks (configs/$REF_SERIES.config)"
	echo
	cat "$dir/table.md"
	if [ -s "$dir/spf-share.md" ]; then
		echo
		cat "$dir/spf-share.md"
	fi
	for k in base series "$REF_SERIES"; do
		echo
		echo "Counters after the last $(label "$k") boot (/sys/kernel/debug/fastfault/stats):"
		echo '```'
		sed -n '/^fastfault-counters:/,/^fastfault-verdict/p' "$dir/boot-$k-$rounds/results.txt" |
			sed '1d;$d'
		echo '```'
	done
} >"$dir/compare.md"
cat "$dir/table.md"
if [ -s "$dir/spf-share.md" ]; then
	echo
	cat "$dir/spf-share.md"
fi
log "wrote $dir/compare.md, results.json, compare.png and compare.svg"
