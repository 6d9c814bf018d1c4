// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table auditor: walks a process's user page tables and checks
 * every arm64 contiguous-bit block against the architecture's rules.
 *
 * QEMU ignores PTE_CONT, so a misprogrammed block never faults under
 * emulation; on hardware it is CONSTRAINED UNPREDICTABLE. This walk is the
 * proof that blocks are right. A block is valid when all 16 entries of a
 * 64 KiB-aligned range are valid and carry PTE_CONT, the first PFN is
 * 16-aligned and the rest follow it, the attributes are identical except the
 * access flag and dirty state, and the range lies in one VMA.
 *
 * The A/D scrambler (fastfault/scramble, same interface) moves each valid
 * block's access and dirty state into one random entry, as hardware may.
 *
 * Interface: write a pid, or "all", to fastfault/audit; read the report:
 *   "name value" lines (processes, cont_kb, blocks, violations), then one
 *   "violation pid=<pid> addr=<hex> <reason>" line per violation (the first
 *   FF_AUDIT_MAX_LISTED of them).
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/tlbflush.h>

#include "fastfault.h"
#include "ff_audit.h"
#include "ff_compat.h"

#define FF_AUDIT_MAX_LISTED	ARRAY_SIZE(ff_report.listed)

/* The last report; ff_audit_lock serialises audits and report reads. */
static DEFINE_MUTEX(ff_audit_lock);
static struct ff_audit_report ff_report;

#ifdef CONFIG_ARM64
#define FF_CONT_PTES		CONT_PTES
#define FF_CONT_SIZE		CONT_PTE_SIZE
/* Bits that may differ between the entries of one block. */
static pteval_t ff_ad_bits(pteval_t v)
{
	pteval_t bits = PTE_AF | PTE_DIRTY;

	/* A writable (DBM) entry records hardware dirty as !PTE_RDONLY. */
	if (v & PTE_WRITE)
		bits |= PTE_RDONLY;
	return bits;
}

static bool ff_pte_cont(pte_t pte)
{
	return pte_cont(pte);
}
#else
/* Other architectures have no contiguous bit: nothing to find. */
#define FF_CONT_PTES		16
#define FF_CONT_SIZE		(16 * PAGE_SIZE)
static pteval_t ff_ad_bits(pteval_t v) { return 0; }
static bool ff_pte_cont(pte_t pte) { return false; }
#endif

static const char * const ff_violation_names[] = {
	[FF_BLOCK_OK] = "ok",
	[FF_BLOCK_PARTIAL] = "partial: some entries lack PTE_CONT",
	[FF_BLOCK_INVALID] = "invalid: an entry of the block is not valid",
	[FF_BLOCK_PFN_MISALIGNED] = "pfn_misaligned: first PFN not 16-aligned",
	[FF_BLOCK_PFN_GAP] = "pfn_gap: PFNs not consecutive",
	[FF_BLOCK_ATTR_MISMATCH] = "attr_mismatch: attributes differ",
	[FF_BLOCK_CROSSES_VMA] = "crosses_vma: block not inside one VMA",
};

/*
 * Check one 64 KiB-aligned group of entries. Returns FF_BLOCK_NONE when no
 * entry has PTE_CONT, FF_BLOCK_OK for a valid block, else the first rule the
 * group breaks.
 */
enum ff_block_verdict ff_audit_check_group(const pte_t *ptes, unsigned int n,
					   bool in_one_vma)
{
	pteval_t first = pte_val(ptes[0]);
	unsigned int i, ncont = 0;

	for (i = 0; i < n; i++)
		ncont += ff_pte_cont(ptes[i]);
	if (!ncont)
		return FF_BLOCK_NONE;
	for (i = 0; i < n; i++)
		if (!pte_present(ptes[i]) || !pte_valid(ptes[i]))
			return FF_BLOCK_INVALID;
	if (ncont != n)
		return FF_BLOCK_PARTIAL;
	if (pte_pfn(ptes[0]) % n)
		return FF_BLOCK_PFN_MISALIGNED;
	for (i = 1; i < n; i++) {
		pteval_t v = pte_val(ptes[i]);
		pteval_t ignore = ff_ad_bits(first) | ff_ad_bits(v);

		if (pte_pfn(ptes[i]) != pte_pfn(ptes[0]) + i)
			return FF_BLOCK_PFN_GAP;
		if (((v ^ first) & ~FF_PTE_ADDR_MASK & ~ignore) != 0)
			return FF_BLOCK_ATTR_MISMATCH;
	}
	if (!in_one_vma)
		return FF_BLOCK_CROSSES_VMA;
	return FF_BLOCK_OK;
}

static void ff_report_violation(struct ff_audit_report *rep, pid_t pid,
				unsigned long addr, enum ff_block_verdict v)
{
	rep->violations++;
	if (rep->nr_listed < FF_AUDIT_MAX_LISTED) {
		rep->listed[rep->nr_listed].pid = pid;
		rep->listed[rep->nr_listed].addr = addr;
		rep->listed[rep->nr_listed].verdict = v;
		rep->nr_listed++;
	}
}

/*
 * What to do with each 64 KiB-aligned group of entries: called with the PTE
 * lock held, @ptep pointing at the group's first entry.
 */
struct ff_walk {
	void (*group)(struct ff_walk *w, struct vm_area_struct *vma,
		      unsigned long addr, pte_t *ptep);
	struct ff_audit_report *rep;
	pid_t pid;
};

static void ff_audit_group(struct ff_walk *w, struct vm_area_struct *vma,
			   unsigned long addr, pte_t *ptep)
{
	pte_t ptes[FF_CONT_PTES];
	enum ff_block_verdict v;
	unsigned int i;
	bool one_vma;

	for (i = 0; i < FF_CONT_PTES; i++)
		ptes[i] = READ_ONCE(ptep[i]);
	one_vma = addr >= vma->vm_start && addr + FF_CONT_SIZE <= vma->vm_end;
	v = ff_audit_check_group(ptes, FF_CONT_PTES, one_vma);
	if (v == FF_BLOCK_OK) {
		w->rep->blocks++;
		w->rep->cont_kb += FF_CONT_SIZE / SZ_1K;
	} else if (v != FF_BLOCK_NONE) {
		ff_report_violation(w->rep, w->pid, addr, v);
	}
}

#ifdef CONFIG_ARM64
/*
 * Move a valid block's access flag and dirty state into one random entry,
 * as hardware may record them: every other entry becomes old and clean.
 * Whoever reads those bits from one entry of a block, and not from all of
 * them, then sees the wrong answer here too, not only on hardware.
 */
static void ff_scramble_group(struct ff_walk *w, struct vm_area_struct *vma,
			      unsigned long addr, pte_t *ptep)
{
	unsigned int i, keep = get_random_u32_below(FF_CONT_PTES);
	bool young = false, dirty = false;
	pte_t ptes[FF_CONT_PTES];

	for (i = 0; i < FF_CONT_PTES; i++) {
		ptes[i] = READ_ONCE(ptep[i]);
		young |= pte_young(ptes[i]);
		dirty |= pte_dirty(ptes[i]);
	}
	if (ff_audit_check_group(ptes, FF_CONT_PTES, true) != FF_BLOCK_OK)
		return;
	for (i = 0; i < FF_CONT_PTES; i++) {
		pte_t pte = pte_mkold(pte_mkclean(ptes[i]));

		if (i == keep && young)
			pte = pte_mkyoung(pte);
		if (i == keep && dirty)
			pte = pte_mkdirty(pte);
		set_pte(ptep + i, pte);
	}
	flush_tlb_range(vma, addr, addr + FF_CONT_SIZE);
	w->rep->blocks++;
	w->rep->cont_kb += FF_CONT_SIZE / SZ_1K;
}
#endif

/* Call w->group for the groups of one PTE table that start in [start, end). */
static void ff_walk_pte_table(struct ff_walk *w, struct mm_struct *mm,
			      pmd_t *pmd, unsigned long start,
			      unsigned long end, struct vm_area_struct *vma)
{
	unsigned long addr;
	spinlock_t *ptl;
	pte_t *pte;

	for (addr = start; addr < end; addr += FF_CONT_SIZE) {
		/* NULL: the table went away since ff_pte_table_pmd() */
		pte = ff_pte_map_lock(mm, pmd, addr, &ptl);
		if (!pte)
			return;
		w->group(w, vma, addr, pte);
		ff_pte_unmap_unlock(pte, ptl);
	}
}

/* The PMD of @addr if it points to a PTE table, else NULL. */
static pmd_t *ff_pte_table_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd, pmdval;

	if (pgd_none_or_clear_bad(pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none_or_clear_bad(p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(READ_ONCE(*pud)) || pud_leaf(READ_ONCE(*pud)) ||
	    pud_bad(READ_ONCE(*pud)))
		return NULL;
	pmd = pmd_offset(pud, addr);
	pmdval = READ_ONCE(*pmd);
	if (pmd_none(pmdval) || !pmd_present(pmdval) || pmd_leaf(pmdval) ||
	    pmd_bad(pmdval))
		return NULL;
	return pmd;
}

/* Walk one mm's user page tables. The caller holds a reference on it. */
static void ff_walk_mm(struct ff_walk *w, struct mm_struct *mm)
{
	unsigned long next_group = 0;
	struct vm_area_struct *vma;
	VMA_ITERATOR(vmi, mm, 0);

	mmap_read_lock(mm);
	for_each_vma(vmi, vma) {
		unsigned long addr = max(ALIGN_DOWN(vma->vm_start, FF_CONT_SIZE),
					 next_group);

		while (addr < vma->vm_end) {
			unsigned long table_end = pmd_addr_end(addr, vma->vm_end);
			pmd_t *pmd = ff_pte_table_pmd(mm, addr);

			table_end = ALIGN(table_end, FF_CONT_SIZE);
			if (pmd)
				ff_walk_pte_table(w, mm, pmd, addr, table_end,
						  vma);
			addr = table_end;
			cond_resched();
		}
		next_group = addr;
	}
	mmap_read_unlock(mm);
	w->rep->processes++;
}

static int ff_walk_pid(struct pid *pid, struct ff_walk *w)
{
	struct task_struct *task = get_pid_task(pid, PIDTYPE_PID);
	struct mm_struct *mm;

	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	if (mm) {
		w->pid = pid_nr(pid);
		ff_walk_mm(w, mm);
		mmput(mm);
	}
	put_task_struct(task);
	return 0;
}

static int ff_walk_all(struct ff_walk *w)
{
	struct task_struct *p;
	struct pid **pids;
	unsigned int n = 0, cap, i;

	/* Count, then collect: processes forked in between may be missed. */
	cap = 64;
	rcu_read_lock();
	for_each_process(p)
		cap++;
	rcu_read_unlock();
	pids = kvcalloc(cap, sizeof(*pids), GFP_KERNEL);
	if (!pids)
		return -ENOMEM;
	rcu_read_lock();
	for_each_process(p) {
		if (n == cap)
			break;
		if (!(p->flags & PF_KTHREAD))
			pids[n++] = get_pid(task_pid(p));
	}
	rcu_read_unlock();
	for (i = 0; i < n; i++) {
		ff_walk_pid(pids[i], w);	/* a process may have exited */
		put_pid(pids[i]);
	}
	kvfree(pids);
	return 0;
}

/* Parse "all" or a pid and walk it into ff_report. */
static int ff_walk_run(struct ff_walk *w, const char *arg)
{
	struct pid *pid;
	int nr, ret;

	w->rep = &ff_report;
	memset(w->rep, 0, sizeof(*w->rep));
	if (sysfs_streq(arg, "all"))
		return ff_walk_all(w);
	if (kstrtoint(arg, 10, &nr) || nr <= 0)
		return -EINVAL;
	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	ret = ff_walk_pid(pid, w);
	put_pid(pid);
	return ret;
}

/* Writes to `audit` (and `scramble`): a pid or "all", then walk it. */
static ssize_t ff_walk_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct ff_walk w = { .group = file_inode(file)->i_private };
	char buf[16];
	int ret;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	mutex_lock(&ff_audit_lock);
	ret = ff_walk_run(&w, buf);
	if (ret)
		memset(&ff_report, 0, sizeof(ff_report));
	mutex_unlock(&ff_audit_lock);
	return ret ? ret : count;
}

static int ff_audit_show(struct seq_file *m, void *unused)
{
	const struct ff_audit_report *rep = &ff_report;
	unsigned int i;

	mutex_lock(&ff_audit_lock);
	seq_printf(m, "processes %lu\n", rep->processes);
	seq_printf(m, "cont_kb %lu\n", rep->cont_kb);
	seq_printf(m, "blocks %lu\n", rep->blocks);
	seq_printf(m, "violations %lu\n", rep->violations);
	for (i = 0; i < rep->nr_listed; i++)
		seq_printf(m, "violation pid=%d addr=%#lx %s\n",
			   rep->listed[i].pid, rep->listed[i].addr,
			   ff_violation_names[rep->listed[i].verdict]);
	mutex_unlock(&ff_audit_lock);
	return 0;
}

static int ff_audit_open(struct inode *inode, struct file *file)
{
	return single_open(file, ff_audit_show, NULL);
}

static const struct file_operations ff_audit_fops = {
	.owner = THIS_MODULE,
	.open = ff_audit_open,
	.read = seq_read,
	.write = ff_walk_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void ff_audit_create(struct dentry *root)
{
	debugfs_create_file("audit", 0600, root, ff_audit_group, &ff_audit_fops);
#ifdef CONFIG_ARM64
	/* Reading `scramble` reports the blocks it scrambled, as `audit` does. */
	debugfs_create_file("scramble", 0600, root, ff_scramble_group,
			    &ff_audit_fops);
#endif
}
