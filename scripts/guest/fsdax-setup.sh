#!/bin/sh
# fsdax-setup.sh DIR: turn the emulated pmem (a device-tree pmem-region,
# /dev/pmem0 in raw mode) into an fsdax namespace with 2 MiB alignment,
# write the ext4 image made by scripts/initramfs.sh to it and mount it at
# DIR with -o dax.
# Prints what it did as "# fsdax: ..." lines; exits non-zero with the
# reason when a step fails (no pmem, no dax). No ndctl: sysfs alone.
dir=$1
ND=/sys/bus/nd
ns=namespace0.0
say() { echo "# fsdax: $*"; }
fail() { say "not set up: $*"; exit 1; }

[ -e $ND/devices/$ns ] || fail "no $ns (no pmem-region in the device tree?)"
region=$(basename "$(dirname "$(readlink -f $ND/devices/$ns)")")
pfn=$(cat $ND/devices/$region/pfn_seed 2>/dev/null)
[ -n "$pfn" ] || fail "$region has no pfn_seed (CONFIG_NVDIMM_PFN?)"

# The namespace's raw block device goes; a pfn device takes the namespace,
# with its struct pages kept on the pmem itself ("pmem" mode).
echo $ns >$ND/drivers/nd_pmem/unbind 2>/dev/null
echo $ns >$ND/devices/$pfn/namespace || fail "$pfn: cannot take $ns"
cat /proc/sys/kernel/random/uuid >$ND/devices/$pfn/uuid || fail "$pfn: uuid"
echo pmem >$ND/devices/$pfn/mode || fail "$pfn: mode"
echo 2097152 >$ND/devices/$pfn/align || fail "$pfn: align"
echo $pfn >$ND/drivers/nd_pmem/bind || fail "$pfn: bind to nd_pmem"
dax=$(cat /sys/block/pmem0/queue/dax 2>/dev/null)
[ "$dax" = 1 ] || fail "/sys/block/pmem0/queue/dax is '$dax'"
say "/dev/pmem0 is $pfn on $region, $(cat /sys/block/pmem0/size) sectors, dax 1"

# 4 KiB blocks (DAX needs the page size), extents, 2 MiB stripes.
gunzip -c /fastfault/ext4.img.gz >/dev/pmem0 || fail "writing the ext4 image to /dev/pmem0"
mkdir -p "$dir"
mount -t ext4 -o dax /dev/pmem0 "$dir" || fail "mount -t ext4 -o dax"
say "ext4 mounted at $dir: $(grep " $dir " /proc/mounts)"
