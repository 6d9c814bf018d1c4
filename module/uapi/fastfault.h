/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fastfault debug module: the interface shared by the module, the kselftests
 * and the benchmark suite. Change it here only, so the three cannot drift.
 */
#ifndef _UAPI_FASTFAULT_H
#define _UAPI_FASTFAULT_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define FASTFAULT_DEBUGFS_ROOT	"/sys/kernel/debug/fastfault"

/* Bumped when a file, counter name or ioctl changes meaning. */
#define FASTFAULT_ABI_VERSION	1

/* Feature directories under FASTFAULT_DEBUGFS_ROOT. */
#define FASTFAULT_DIR_FAULT	"fault"
#define FASTFAULT_DIR_RESERVE	"reserve"	/* kernels with CONFIG_ANON_RESERVE */
#define FASTFAULT_DIR_CONT	"cont"		/* arm64 kernels that fold PTE blocks */

/*
 * The page-table auditor: write a pid or "all" to FASTFAULT_DEBUGFS_ROOT
 * "/audit", then read "name value" lines with these names, followed by one
 * "violation pid=<pid> addr=<hex> <reason>" line per violation listed.
 */
#define FASTFAULT_AUDIT_FILE	"audit"
/* The A/D scrambler (arm64): same interface; "blocks" counts those scrambled. */
#define FASTFAULT_SCRAMBLE_FILE	"scramble"
#define FASTFAULT_AUDIT_PROCESSES	"processes"
#define FASTFAULT_AUDIT_CONT_KB		"cont_kb"
#define FASTFAULT_AUDIT_BLOCKS		"blocks"
#define FASTFAULT_AUDIT_VIOLATIONS	"violations"

/* The longest line `stats` prints, terminator included. */
#define FASTFAULT_STATS_LINE_MAX	64

/*
 * ioctls on FASTFAULT_DEBUGFS_ROOT "/ctl". Every struct is validated before
 * use: unknown flags and non-zero reserved fields get -EINVAL.
 */
struct fastfault_version {
	__u32 abi_version;	/* out: FASTFAULT_ABI_VERSION */
	__u32 flags;		/* in: must be 0 */
	__u64 reserved[2];	/* in: must be 0 */
};

#define FASTFAULT_IOC_MAGIC	'F'
#define FASTFAULT_IOC_VERSION	_IOWR(FASTFAULT_IOC_MAGIC, 0, struct fastfault_version)

#endif /* _UAPI_FASTFAULT_H */
