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

/*
 * Bumped when a file, counter name or ioctl changes meaning, or one is
 * added. 2: the GUP counters count pages taken (not only pins) and
 * special-PMD lookups (not only refusals); FASTFAULT_IOC_RESOLVE_PFN.
 * 3: FASTFAULT_TLB_NOTIFY_FILE. 4: FASTFAULT_DIR_SPF.
 */
#define FASTFAULT_ABI_VERSION	4

/* Feature directories under FASTFAULT_DEBUGFS_ROOT. */
#define FASTFAULT_DIR_FAULT	"fault"
#define FASTFAULT_DIR_RESERVE	"reserve"	/* kernels with CONFIG_ANON_RESERVE */
#define FASTFAULT_DIR_CONT	"cont"		/* arm64 kernels that fold PTE blocks */
#define FASTFAULT_DIR_GUP	"gup"		/* 6.1 with the series (ARCH_SUPPORTS_PMD_PFNMAP) */
#define FASTFAULT_DIR_VMA_LOCK	"vma_lock"	/* 6.4+ with CONFIG_PER_VMA_LOCK_STATS */
#define FASTFAULT_DIR_SPF	"spf"		/* CONFIG_SPECULATIVE_PAGE_FAULT */

/*
 * Counters in FASTFAULT_DIR_GUP. Pages taken (a reference or a pin) count
 * pages, once each, by the path that kept them; the others count calls.
 *   devmap_pmd_fast      pages GUP-fast took through devmap PMDs
 *   devmap_pmd_slow      pages GUP's slow path took through devmap PMDs
 *                        (not follow_page() lookups such as move_pages')
 *   special_pmd_fast     GUP-fast walks refused at a page-less (special) PMD
 *   special_pmd_slow     slow-path lookups that met a special PMD: one per
 *                        PMD, whether refused (pins) or stepped over
 *                        (MAP_POPULATE, mlock)
 *   longterm_refused     FOLL_LONGTERM requests refused (fsdax mappings)
 */
#define FASTFAULT_GUP_DEVMAP_PMD_FAST	"gup_devmap_pmd_fast"
#define FASTFAULT_GUP_DEVMAP_PMD_SLOW	"gup_devmap_pmd_slow"
#define FASTFAULT_GUP_SPECIAL_PMD_FAST	"gup_special_pmd_fast"
#define FASTFAULT_GUP_SPECIAL_PMD_SLOW	"gup_special_pmd_slow"
#define FASTFAULT_GUP_LONGTERM_REFUSED	"gup_longterm_refused"

/*
 * Test devices, root only. Each exists when the module is loaded with its
 * parameter, SIZE@START (memparse syntax, both 2 MiB aligned) naming RAM the
 * kernel does not use: boot with mem= below it. The two ranges must not
 * overlap each other, System RAM or persistent memory.
 *
 *   devmap=SIZE@START  ZONE_DEVICE pages (memremap_pages, as device-dax):
 *                      PMD mappings where a 2 MiB-aligned block fits in the
 *                      VMA, PTE mappings elsewhere; both devmap
 *   pfnmap=SIZE@START  no struct pages: VM_PFNMAP, PMD mappings where they
 *                      fit, PTEs elsewhere; both special. Also makes
 *                      FASTFAULT_MIXEDMAP_DEV.
 *
 * mmap() them MAP_SHARED (private mappings get -EINVAL); the file offset is
 * the offset into the range; a range past the end gets -EINVAL. Mappings
 * start 2 MiB aligned unless MAP_FIXED says otherwise.
 */
#define FASTFAULT_DEVMAP_DEV	"/dev/fastfault-devmap"
#define FASTFAULT_PFNMAP_DEV	"/dev/fastfault-pfnmap"
/*
 * The pfnmap range again, as VM_MIXEDMAP: a page-less DAX mapping, the
 * shape of the seed bug, which slow GUP reaches (VM_PFNMAP stops it first).
 */
#define FASTFAULT_MIXEDMAP_DEV	"/dev/fastfault-mixedmap"

/*
 * The page-table walker: write "<pid> <hex address>" to
 * FASTFAULT_DEBUGFS_ROOT "/walk", then read "name value" lines describing
 * the entry that maps it:
 *   level    0 none, 1 pte, 2 pmd (a block mapping)
 *   pfn      the page frame number (0 when level is 0)
 *   devmap   1 if the entry has the devmap bit
 *   special  1 if the entry has the special bit
 *   write    1 if the entry is writable
 *   cont     1 if the entry has the contiguous bit
 */
#define FASTFAULT_WALK_FILE	"walk"
#define FASTFAULT_WALK_NONE	0
#define FASTFAULT_WALK_PTE	1
#define FASTFAULT_WALK_PMD	2

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

/*
 * The secondary-TLB watcher: write a pid to count the invalidations a device
 * sharing that process's page tables would be sent (mmu notifier
 * ->invalidate_range), "off" to stop; read "name value" lines with these
 * names. Kernels without CONFIG_MMU_NOTIFIER refuse a pid with EOPNOTSUPP.
 */
#define FASTFAULT_TLB_NOTIFY_FILE	"tlb_notify"
#define FASTFAULT_TLB_NOTIFY_PID	"pid"
#define FASTFAULT_TLB_NOTIFY_INVALIDATIONS	"invalidations"
#define FASTFAULT_TLB_NOTIFY_BLOCKS	"blocks"	/* covering a whole 64 KiB block */

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

/*
 * The PFN behind an address of the caller's own VM_IO or VM_PFNMAP mapping,
 * resolved as KVM resolves guest memory that such a mapping backs: look the
 * entry up (follow_pfnmap_start(); follow_pte() on kernels without it), and
 * if there is none fault it in (fixup_user_fault()) and look again. Errors:
 * EINVAL for another kind of mapping or no entry even after the fault,
 * EFAULT for FASTFAULT_RESOLVE_WRITE on a read-only entry, EAGAIN when the
 * fault dropped mmap_lock (try again).
 */
struct fastfault_resolve_pfn {
	__u64 addr;		/* in: the user address */
	__u32 flags;		/* in: FASTFAULT_RESOLVE_WRITE or 0 */
	__u32 reserved0;	/* in: must be 0 */
	__u64 pfn;		/* out: the page frame number behind addr */
	__u32 writable;		/* out: 1 if the entry is writable */
	__u32 special;		/* out: 1 if the entry is special */
	__u64 reserved[2];	/* in: must be 0 */
};

#define FASTFAULT_RESOLVE_WRITE	(1U << 0)	/* resolve for a write */

#define FASTFAULT_IOC_MAGIC	'F'
#define FASTFAULT_IOC_VERSION	_IOWR(FASTFAULT_IOC_MAGIC, 0, struct fastfault_version)
#define FASTFAULT_IOC_RESOLVE_PFN \
	_IOWR(FASTFAULT_IOC_MAGIC, 1, struct fastfault_resolve_pfn)

#endif /* _UAPI_FASTFAULT_H */
