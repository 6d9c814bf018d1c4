// SPDX-License-Identifier: GPL-2.0
/*
 * `tlb_notify`: what a device sharing a process's page tables would be told.
 *
 * An IOMMU with shared virtual addressing caches the CPU's page-table entries
 * in its own TLB, and learns that they changed only through the mmu notifier
 * callback for secondary TLBs (->invalidate_range in 6.1,
 * ->arch_invalidate_secondary_tlbs from 6.6). QEMU's virt machine has no such
 * device, so this file stands in for one: it registers a notifier on one
 * process and counts the invalidations it would have received. Folding or
 * unfolding a contiguous block rewrites sixteen live entries, which must
 * reach such a device as an invalidation covering the block.
 *
 * Write a pid to watch that process (the counts start at zero; a process
 * watched before is let go), "off" to stop. Read: the pid, the number of
 * invalidations, and how many covered a whole 64 KiB-aligned block.
 * Kernels without CONFIG_MMU_NOTIFIER refuse a pid with -EOPNOTSUPP.
 */
#include <linux/debugfs.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "ff_notify.h"

#define FF_BLOCK_SIZE	(16 * PAGE_SIZE)

struct ff_notify {
	struct mmu_notifier mn;
	pid_t pid;
	atomic_long_t invalidations;
	atomic_long_t blocks;	/* of which, covering a whole aligned block */
};

/* Serializes watching and letting go; the counters are atomic. */
static DEFINE_MUTEX(ff_notify_lock);
static struct ff_notify *ff_watched;

#ifdef CONFIG_MMU_NOTIFIER
/* Called under the PTE lock, like a device's TLB invalidation: no sleeping. */
static void ff_notify_invalidate(struct mmu_notifier *mn, struct mm_struct *mm,
				 unsigned long start, unsigned long end)
{
	struct ff_notify *n = container_of(mn, struct ff_notify, mn);
	unsigned long block = ALIGN_DOWN(start, FF_BLOCK_SIZE);

	atomic_long_inc(&n->invalidations);
	if (block + FF_BLOCK_SIZE <= end)
		atomic_long_inc(&n->blocks);
}

static const struct mmu_notifier_ops ff_notify_ops = {
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
	.invalidate_range = ff_notify_invalidate,
#else
	.arch_invalidate_secondary_tlbs = ff_notify_invalidate,
#endif
};

/* Stop watching, if watching. Caller holds ff_notify_lock. */
static void ff_notify_stop(void)
{
	struct ff_notify *n = ff_watched;

	if (!n)
		return;
	ff_watched = NULL;
	/* Waits for callbacks in flight; drops the mm reference register took. */
	mmu_notifier_unregister(&n->mn, n->mn.mm);
	kfree(n);
}

static int ff_notify_watch(pid_t nr)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct ff_notify *n;
	struct pid *pid;
	int ret;

	pid = find_get_pid(nr);
	task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	put_pid(pid);
	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -EINVAL;	/* a kernel thread, or exiting */
	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n) {
		mmput(mm);
		return -ENOMEM;
	}
	n->pid = nr;
	n->mn.ops = &ff_notify_ops;
	ff_notify_stop();
	/* Takes mmap_lock for write and a reference on the mm. */
	ret = mmu_notifier_register(&n->mn, mm);
	mmput(mm);
	if (ret) {
		kfree(n);
		return ret;
	}
	ff_watched = n;
	return 0;
}
#else
static void ff_notify_stop(void)
{
}

static int ff_notify_watch(pid_t nr)
{
	return -EOPNOTSUPP;
}
#endif

static ssize_t ff_notify_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[16];
	int nr, ret = 0;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (!sysfs_streq(buf, "off") && (kstrtoint(buf, 10, &nr) || nr <= 0))
		return -EINVAL;
	mutex_lock(&ff_notify_lock);
	if (sysfs_streq(buf, "off"))
		ff_notify_stop();
	else
		ret = ff_notify_watch(nr);
	mutex_unlock(&ff_notify_lock);
	return ret ? ret : count;
}

static int ff_notify_show(struct seq_file *m, void *unused)
{
	struct ff_notify *n;

	mutex_lock(&ff_notify_lock);
	n = ff_watched;
	seq_printf(m, "pid %d\n", n ? n->pid : 0);
	seq_printf(m, "invalidations %ld\n",
		   n ? atomic_long_read(&n->invalidations) : 0);
	seq_printf(m, "blocks %ld\n", n ? atomic_long_read(&n->blocks) : 0);
	mutex_unlock(&ff_notify_lock);
	return 0;
}

static int ff_notify_open(struct inode *inode, struct file *file)
{
	return single_open(file, ff_notify_show, NULL);
}

static const struct file_operations ff_notify_fops = {
	.owner = THIS_MODULE,
	.open = ff_notify_open,
	.read = seq_read,
	.write = ff_notify_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void ff_notify_create(struct dentry *root)
{
	debugfs_create_file("tlb_notify", 0600, root, NULL, &ff_notify_fops);
}

/* After the file is gone: nothing can start watching again. */
void ff_notify_exit(void)
{
	mutex_lock(&ff_notify_lock);
	ff_notify_stop();
	mutex_unlock(&ff_notify_lock);
}
