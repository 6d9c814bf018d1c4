#!/bin/sh
# settings.sh list | apply NAME: the benchmark settings, each a set of sysfs
# switches. "list" prints the settings this kernel supports; "apply" sets one.
# Every setting sets every switch, so the order settings run in does not matter.
RESERVE=/sys/kernel/mm/anon_reserve
# gup-devmap runs the gup-pin workload alone, on fastfault.ko's devmap
# device (PMDs) instead of anonymous 4 KiB PTEs: see plan-bench.sh.
DEVMAP=/dev/fastfault-devmap

has_reserve() { [ -w $RESERVE/enabled ]; }

set_reserve() { # set_reserve MODE ADAPTIVE
	has_reserve || return 0
	echo "$1" >$RESERVE/enabled || return 1
	echo "$2" >$RESERVE/adaptive || return 1
}

need_reserve() {
	has_reserve || { echo "settings.sh: this kernel has no $RESERVE" >&2; exit 1; }
}

case $1 in
list)
	echo base
	has_reserve && echo reserve-seed && echo reserve-adaptive
	[ -e $DEVMAP ] && echo gup-devmap
	;;
apply)
	case $2 in
	base) set_reserve never 0 ;;
	reserve-seed) need_reserve; set_reserve always 0 ;;
	reserve-adaptive) need_reserve; set_reserve always 1 ;;
	gup-devmap)
		[ -e $DEVMAP ] || { echo "settings.sh: no $DEVMAP (fastfault.ko without devmap=)" >&2; exit 1; }
		set_reserve never 0 ;;
	*) echo "settings.sh: unknown setting '$2'" >&2; exit 1 ;;
	esac
	;;
*)
	echo "usage: settings.sh list | apply NAME" >&2
	exit 1
	;;
esac
