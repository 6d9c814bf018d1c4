// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table walker: which entry maps one user address of one process,
 * at which level, with which software bits. The GUP tests use it to check
 * that a device mapping is PMD-mapped and stays devmap (or special) across
 * mprotect(), split and mremap().
 *
 * Interface: write "<pid> <hex address>" to fastfault/walk; read "name
 * value" lines: level (0 none, 1 pte, 2 pmd), pfn, devmap, special, write,
 * cont. A write that fails leaves level 0.
 *
 * Also the KVM-style lookup behind FASTFAULT_IOC_RESOLVE_PFN: the PFN behind
 * an address of the caller's own PFN map, found the way KVM finds the PFN
 * behind guest memory that such a mapping backs.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <fastfault.h>
#include "ff_compat.h"
#include "ff_entry.h"

struct ff_entry {
	unsigned int level;
	unsigned long pfn;
	bool devmap, special, write, cont;
};

/* The last lookup; ff_entry_lock serialises lookups and reads of it. */
static DEFINE_MUTEX(ff_entry_lock);
static struct ff_entry ff_last;

static void ff_entry_from_pte(struct ff_entry *e, pte_t pte, unsigned int level)
{
	e->level = level;
	e->pfn = pte_pfn(pte);
	e->devmap = pte_devmap(pte);
	e->special = pte_special(pte);
	e->write = pte_write(pte);
#ifdef CONFIG_ARM64
	e->cont = pte_cont(pte);
#endif
}

/* Look @addr up in @mm, under its mmap_lock and the PMD or PTE lock. */
static void ff_entry_lookup(struct mm_struct *mm, unsigned long addr,
			    struct ff_entry *e)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;
	spinlock_t *ptl;	/* the PMD lock, then the PTE lock */

	pgd = pgd_offset(mm, addr);
	if (pgd_none(READ_ONCE(*pgd)) || pgd_bad(READ_ONCE(*pgd)))
		return;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(READ_ONCE(*p4d)) || p4d_bad(READ_ONCE(*p4d)))
		return;
	pud = pud_offset(p4d, addr);
	if (pud_none(READ_ONCE(*pud)) || pud_leaf(READ_ONCE(*pud)) ||
	    pud_bad(READ_ONCE(*pud)))
		return;
	pmd = pmd_offset(pud, addr);
	ptl = pmd_lock(mm, pmd);
	if (pmd_present(*pmd) && pmd_leaf(*pmd)) {
		ff_entry_from_pte(e, pmd_pte(*pmd), FASTFAULT_WALK_PMD);
		e->pfn += (addr & ~PMD_MASK) >> PAGE_SHIFT;
	}
	spin_unlock(ptl);
	if (e->level || pmd_none(READ_ONCE(*pmd)) ||
	    !pmd_present(READ_ONCE(*pmd)) || pmd_bad(READ_ONCE(*pmd)))
		return;
	pte = ff_pte_map_lock(mm, pmd, addr, &ptl);
	if (!pte)	/* 6.5+: the table went away since the check above */
		return;
	if (pte_present(*pte))
		ff_entry_from_pte(e, *pte, FASTFAULT_WALK_PTE);
	ff_pte_unmap_unlock(pte, ptl);
}

static int ff_entry_run(pid_t nr, unsigned long addr, struct ff_entry *e)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;

	pid = find_get_pid(nr);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -ESRCH;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	/* A VMA keeps the page tables below it from being freed. */
	if (vma_lookup(mm, addr))
		ff_entry_lookup(mm, addr, e);
	mmap_read_unlock(mm);
	mmput(mm);
	return 0;
}

/*
 * Look the entry behind @addr up, as hva_to_pfn_remapped() does: through
 * follow_pfnmap_start() where the kernel has it, else follow_pte(), which
 * 6.1's KVM uses and which knows PTEs only. Under mmap_lock for read.
 */
#ifdef FF_HAVE_FOLLOW_PFNMAP
static int ff_resolve_once(struct vm_area_struct *vma, unsigned long addr,
			   struct fastfault_resolve_pfn *r)
{
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };
	int ret = follow_pfnmap_start(&args);

	if (ret)
		return ret;
	r->pfn = args.pfn;
	r->writable = args.writable;
	r->special = args.special;
	follow_pfnmap_end(&args);
	return 0;
}
#else
static int ff_resolve_once(struct vm_area_struct *vma, unsigned long addr,
			   struct fastfault_resolve_pfn *r)
{
	spinlock_t *ptl;
	pte_t *ptep;
	int ret = follow_pte(vma->vm_mm, addr, &ptep, &ptl);

	if (ret)
		return ret;
	r->pfn = pte_pfn(*ptep);
	r->writable = pte_write(*ptep);
	r->special = pte_special(*ptep);
	pte_unmap_unlock(ptep, ptl);
	return 0;
}
#endif

/*
 * Resolve @r->addr in the caller's mm: look the entry up; if there is
 * none, fault it in with fixup_user_fault() and look again, as KVM does
 * (GUP refuses VM_IO and VM_PFNMAP). -EAGAIN if the fault dropped
 * mmap_lock: the caller tries again.
 */
static int ff_resolve(struct fastfault_resolve_pfn *r)
{
	const bool write = r->flags & FASTFAULT_RESOLVE_WRITE;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool unlocked = false;
	int ret;

	if (!mm)
		return -EINVAL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = vma_lookup(mm, r->addr);
	if (!vma || !(vma->vm_flags & (VM_IO | VM_PFNMAP))) {
		ret = -EINVAL;	/* KVM takes GUP's way for these */
		goto out;
	}
	ret = ff_resolve_once(vma, r->addr, r);
	if (ret) {
		ret = fixup_user_fault(mm, r->addr,
				       write ? FAULT_FLAG_WRITE : 0, &unlocked);
		/* It took mmap_lock again, but the VMA may be gone. */
		if (unlocked)
			ret = -EAGAIN;
		if (!ret)
			ret = ff_resolve_once(vma, r->addr, r);
	}
	if (!ret && write && !r->writable)
		ret = -EFAULT;	/* KVM: KVM_PFN_ERR_RO_FAULT */
out:
	mmap_read_unlock(mm);
	return ret;
}

long ff_ioc_resolve_pfn(void __user *uarg)
{
	struct fastfault_resolve_pfn r;
	long ret;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	if ((r.flags & ~FASTFAULT_RESOLVE_WRITE) || r.reserved0 ||
	    r.reserved[0] || r.reserved[1] || r.addr >= TASK_SIZE)
		return -EINVAL;
	r.pfn = 0;
	r.writable = r.special = 0;
	ret = ff_resolve(&r);
	if (ret)
		return ret;
	if (copy_to_user(uarg, &r, sizeof(r)))
		return -EFAULT;
	return 0;
}

/* "<pid> <hex address>": a positive pid and a user address. */
static ssize_t ff_entry_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct ff_entry e = { };
	unsigned long addr;
	char buf[48];
	int nr, ret;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%d %lx", &nr, &addr) != 2 || nr <= 0 ||
	    addr >= TASK_SIZE)
		return -EINVAL;
	ret = ff_entry_run(nr, addr, &e);
	mutex_lock(&ff_entry_lock);
	ff_last = e;
	mutex_unlock(&ff_entry_lock);
	return ret ? ret : count;
}

static int ff_entry_show(struct seq_file *m, void *unused)
{
	struct ff_entry e;

	mutex_lock(&ff_entry_lock);
	e = ff_last;
	mutex_unlock(&ff_entry_lock);
	seq_printf(m, "level %u\n", e.level);
	seq_printf(m, "pfn %lu\n", e.pfn);
	seq_printf(m, "devmap %d\n", e.devmap);
	seq_printf(m, "special %d\n", e.special);
	seq_printf(m, "write %d\n", e.write);
	seq_printf(m, "cont %d\n", e.cont);
	return 0;
}

static int ff_entry_open(struct inode *inode, struct file *file)
{
	return single_open(file, ff_entry_show, NULL);
}

static const struct file_operations ff_entry_fops = {
	.owner = THIS_MODULE,
	.open = ff_entry_open,
	.read = seq_read,
	.write = ff_entry_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void ff_entry_create(struct dentry *root)
{
	debugfs_create_file(FASTFAULT_WALK_FILE, 0600, root, NULL,
			    &ff_entry_fops);
}
