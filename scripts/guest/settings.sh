#!/bin/sh
# settings.sh list | apply NAME: the benchmark settings, each a set of sysfs
# and sysctl switches. "list" prints the settings this kernel supports;
# "apply" sets one. Every setting sets every switch this kernel has, so the
# order settings run in does not matter.
RESERVE=/sys/kernel/mm/anon_reserve
# Speculative page faults (the series' part 4): on (1) by default, so every
# setting but spf turns them off.
SPF=/proc/sys/vm/speculative_page_fault
# gup-devmap runs the gup-pin workload alone, on fastfault.ko's devmap
# device (PMDs) instead of anonymous 4 KiB PTEs: see plan-bench.sh.
DEVMAP=/dev/fastfault-devmap
# Multi-size THP (6.8+): one enabled switch per folio size.
THP=/sys/kernel/mm/transparent_hugepage
has_mthp() { [ -w $THP/hugepages-64kB/enabled ]; }

# set_mthp SIZE: SIZE (like 64kB) always, every other size never; none:
# every size never. A no-op on kernels without multi-size THP. Sizes that
# anonymous memory cannot use (8kB) have a directory but no enabled file.
set_mthp() {
	has_mthp || return 0
	for d in "$THP"/hugepages-*kB; do
		[ -e "$d/enabled" ] || continue
		if [ "$d" = "$THP/hugepages-$1" ]; then
			echo always >"$d/enabled" || return 1
		else
			echo never >"$d/enabled" || return 1
		fi
	done
}

has_reserve() { [ -w $RESERVE/enabled ]; }

set_reserve() { # set_reserve MODE ADAPTIVE
	has_reserve || return 0
	echo "$1" >$RESERVE/enabled || return 1
	echo "$2" >$RESERVE/adaptive || return 1
}

need_reserve() {
	has_reserve || { echo "settings.sh: this kernel has no $RESERVE" >&2; exit 1; }
}

has_spf() { [ -w $SPF ]; }

set_spf() { # set_spf 0|1; a no-op on kernels without the sysctl
	has_spf || return 0
	echo "$1" >$SPF || return 1
}

case $1 in
list)
	echo base
	has_reserve && echo reserve-seed && echo reserve-adaptive
	has_mthp && echo mthp-64k
	has_spf && echo spf
	[ -e $DEVMAP ] && echo gup-devmap
	;;
apply)
	case $2 in
	base) set_reserve never 0 && set_mthp none && set_spf 0 ;;
	reserve-seed) need_reserve; set_reserve always 0 && set_spf 0 ;;
	reserve-adaptive) need_reserve; set_reserve always 1 && set_spf 0 ;;
	mthp-64k)
		has_mthp || { echo "settings.sh: this kernel has no $THP/hugepages-64kB" >&2; exit 1; }
		set_mthp 64kB && set_spf 0 ;;
	spf)
		has_spf || { echo "settings.sh: this kernel has no $SPF" >&2; exit 1; }
		set_reserve never 0 && set_mthp none && set_spf 1 ;;
	gup-devmap)
		[ -e $DEVMAP ] || { echo "settings.sh: no $DEVMAP (fastfault.ko without devmap=)" >&2; exit 1; }
		set_reserve never 0 && set_mthp none && set_spf 0 ;;
	*) echo "settings.sh: unknown setting '$2'" >&2; exit 1 ;;
	esac
	;;
*)
	echo "usage: settings.sh list | apply NAME" >&2
	exit 1
	;;
esac
