/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FF_AUDIT_H
#define _FF_AUDIT_H

#include <linux/dcache.h>
#include <linux/pgtable.h>
#include <linux/types.h>

enum ff_block_verdict {
	FF_BLOCK_OK,
	FF_BLOCK_PARTIAL,
	FF_BLOCK_INVALID,
	FF_BLOCK_PFN_MISALIGNED,
	FF_BLOCK_PFN_GAP,
	FF_BLOCK_ATTR_MISMATCH,
	FF_BLOCK_CROSSES_VMA,
	FF_BLOCK_NONE,		/* no entry carries the contiguous bit */
};

struct ff_audit_violation {
	pid_t pid;
	unsigned long addr;
	enum ff_block_verdict verdict;
};

struct ff_audit_report {
	unsigned long processes;
	unsigned long cont_kb;
	unsigned long blocks;
	unsigned long violations;
	unsigned int nr_listed;
	struct ff_audit_violation listed[32];
};

enum ff_block_verdict ff_audit_check_group(const pte_t *ptes, unsigned int n,
					   bool in_one_vma);
void ff_audit_create(struct dentry *root);

#endif /* _FF_AUDIT_H */
