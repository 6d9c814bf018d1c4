// SPDX-License-Identifier: GPL-2.0
/*
 * fastfault.ko: debugfs front end for the fastfault series.
 *
 * /sys/kernel/debug/fastfault/
 *   version   "name value" lines: ABI version and the kernel it was built for
 *   stats     every feature's counters as "feature.counter value" lines
 *   ctl       ioctls from uapi/fastfault.h
 *   audit     the page-table auditor (see ff_audit.c)
 *   walk      the entry mapping one address of one process (see ff_entry.c)
 *   <feature>/ one file per counter, stats, reset (see ff_counters.c)
 *
 * It also builds for Linux 6.12 (make compare), where the auditor measures
 * mainline's contiguous PTEs the same way; ff_compat.h holds what differs.
 *
 * With the devmap= or pfnmap= parameters it also makes the test devices for
 * GUP on device memory (see ff_devmem.c).
 *
 * Everything is root only. Writes that are not understood get -EINVAL.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <generated/utsrelease.h>

#include <fastfault.h>
#include "fastfault.h"
#include "ff_audit.h"
#include "ff_compat.h"
#include "ff_devmem.h"
#include "ff_entry.h"
#include "ff_notify.h"

static struct dentry *ff_root;

/* Fault counters the base kernel already keeps: the reference for the rest. */
static const struct ff_counter ff_fault_counters[] = {
	{ "pgfault", PGFAULT },
	{ "pgmajfault", PGMAJFAULT },
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	{ "thp_fault_alloc", THP_FAULT_ALLOC },
	{ "thp_fault_fallback", THP_FAULT_FALLBACK },
#endif
};

#ifdef CONFIG_ANON_RESERVE
/* The series' 64 KiB anonymous reservation (mm/anon_reserve.c). */
static const struct ff_counter ff_reserve_counters[] = {
	{ "anon_reserve_alloc", ANON_RESERVE_ALLOC },
	{ "anon_reserve_alloc_fail", ANON_RESERVE_ALLOC_FAIL },
	{ "anon_reserve_hit", ANON_RESERVE_HIT },
	{ "anon_reserve_release", ANON_RESERVE_RELEASE },
	{ "anon_reserve_reclaim", ANON_RESERVE_RECLAIM },
	{ "anon_reserve_skip", ANON_RESERVE_SKIP },
	{ "anon_reserve_map_ahead", ANON_RESERVE_MAP_AHEAD },
#ifdef ANON_RESERVE_MAX_SLOTS
	{ "anon_reserve_slot_evict", ANON_RESERVE_SLOT_EVICT },
	{ "anon_reserve_return", ANON_RESERVE_RETURN },
#endif
};
#endif

#ifdef arch_fold_contig_ptes
/* arm64 contiguous blocks of user PTEs (arch/arm64/mm/contig.c). */
static const struct ff_counter ff_cont_counters[] = {
	{ "cont_pte_fold", CONT_PTE_FOLD },
	{ "cont_pte_unfold_set", CONT_PTE_UNFOLD_SET },
	{ "cont_pte_unfold_clear", CONT_PTE_UNFOLD_CLEAR },
	{ "cont_pte_unfold_wrprotect", CONT_PTE_UNFOLD_WRPROTECT },
	{ "cont_pte_unfold_access", CONT_PTE_UNFOLD_ACCESS },
#ifdef arch_unfold_contig_at
	{ "cont_pte_unfold_split", CONT_PTE_UNFOLD_SPLIT },
#endif
#ifdef arch_set_contig_ptes
	{ "cont_pte_fold_empty", CONT_PTE_FOLD_EMPTY },
	{ "cont_pte_clear_whole", CONT_PTE_CLEAR_WHOLE },
#endif
};
#endif

#ifdef FF_HAVE_GUP_COUNTERS
/* GUP on devmap and page-less PMDs (mm/gup.c). */
static const struct ff_counter ff_gup_counters[] = {
	{ FASTFAULT_GUP_DEVMAP_PMD_FAST, GUP_DEVMAP_PMD_FAST },
	{ FASTFAULT_GUP_DEVMAP_PMD_SLOW, GUP_DEVMAP_PMD_SLOW },
	{ FASTFAULT_GUP_SPECIAL_PMD_FAST, GUP_SPECIAL_PMD_FAST },
	{ FASTFAULT_GUP_SPECIAL_PMD_SLOW, GUP_SPECIAL_PMD_SLOW },
	{ FASTFAULT_GUP_LONGTERM_REFUSED, GUP_LONGTERM_REFUSED },
};
#endif

#ifdef CONFIG_SPECULATIVE_PAGE_FAULT
/* Faults without mmap_lock (mm/memory.c): tries, successes, aborts by reason. */
static const struct ff_counter ff_spf_counters[] = {
	{ "spf_attempt", SPF_ATTEMPT },
	{ "spf_success", SPF_SUCCESS },
	{ "spf_abort_no_vma", SPF_ABORT_NO_VMA },
	{ "spf_abort_vma_marked", SPF_ABORT_VMA_MARKED },
	{ "spf_abort_vma_changed", SPF_ABORT_VMA_CHANGED },
	{ "spf_abort_not_anon", SPF_ABORT_NOT_ANON },
	{ "spf_abort_no_anon_vma", SPF_ABORT_NO_ANON_VMA },
	{ "spf_abort_uffd", SPF_ABORT_UFFD },
	{ "spf_abort_policy", SPF_ABORT_POLICY },
	{ "spf_abort_mlocked", SPF_ABORT_MLOCKED },
	{ "spf_abort_access", SPF_ABORT_ACCESS },
	{ "spf_abort_pmd", SPF_ABORT_PMD },
	{ "spf_abort_pte_present", SPF_ABORT_PTE_PRESENT },
	{ "spf_abort_swap", SPF_ABORT_SWAP },
	{ "spf_abort_ptl_busy", SPF_ABORT_PTL_BUSY },
	{ "spf_abort_pmd_changed", SPF_ABORT_PMD_CHANGED },
	{ "spf_abort_no_memory", SPF_ABORT_NO_MEMORY },
	{ "spf_abort_file_fault", SPF_ABORT_FILE_FAULT },
};
#endif

#ifdef CONFIG_PER_VMA_LOCK_STATS
/* Faults under per-VMA locks (6.4+): the later answer to mmap_lock contention. */
static const struct ff_counter ff_vma_lock_counters[] = {
	{ "vma_lock_success", VMA_LOCK_SUCCESS },
	{ "vma_lock_abort", VMA_LOCK_ABORT },
	{ "vma_lock_retry", VMA_LOCK_RETRY },
	{ "vma_lock_miss", VMA_LOCK_MISS },
};
#endif

static struct ff_feature ff_features[] = {
	{
		.name = FASTFAULT_DIR_FAULT,
		.counters = ff_fault_counters,
		.nr_counters = ARRAY_SIZE(ff_fault_counters),
	},
#ifdef CONFIG_ANON_RESERVE
	{
		.name = FASTFAULT_DIR_RESERVE,
		.counters = ff_reserve_counters,
		.nr_counters = ARRAY_SIZE(ff_reserve_counters),
	},
#endif
#ifdef arch_fold_contig_ptes
	{
		.name = FASTFAULT_DIR_CONT,
		.counters = ff_cont_counters,
		.nr_counters = ARRAY_SIZE(ff_cont_counters),
	},
#endif
#ifdef FF_HAVE_GUP_COUNTERS
	{
		.name = FASTFAULT_DIR_GUP,
		.counters = ff_gup_counters,
		.nr_counters = ARRAY_SIZE(ff_gup_counters),
	},
#endif
#ifdef CONFIG_SPECULATIVE_PAGE_FAULT
	{
		.name = FASTFAULT_DIR_SPF,
		.counters = ff_spf_counters,
		.nr_counters = ARRAY_SIZE(ff_spf_counters),
	},
#endif
#ifdef CONFIG_PER_VMA_LOCK_STATS
	{
		.name = FASTFAULT_DIR_VMA_LOCK,
		.counters = ff_vma_lock_counters,
		.nr_counters = ARRAY_SIZE(ff_vma_lock_counters),
	},
#endif
};

static int ff_version_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "abi_version %d\n", FASTFAULT_ABI_VERSION);
	seq_printf(m, "kernel %s\n", UTS_RELEASE);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ff_version);

static int ff_root_stats_show(struct seq_file *m, void *unused)
{
	char prefix[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ff_features); i++) {
		snprintf(prefix, sizeof(prefix), "%s.", ff_features[i].name);
		ff_feature_show_stats(&ff_features[i], m, prefix);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ff_root_stats);

static long ff_ioc_version(void __user *uarg)
{
	struct fastfault_version v;

	if (copy_from_user(&v, uarg, sizeof(v)))
		return -EFAULT;
	if (v.flags || v.reserved[0] || v.reserved[1])
		return -EINVAL;
	v.abi_version = FASTFAULT_ABI_VERSION;
	if (copy_to_user(uarg, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static long ff_ctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case FASTFAULT_IOC_VERSION:
		return ff_ioc_version((void __user *)arg);
	case FASTFAULT_IOC_RESOLVE_PFN:
		return ff_ioc_resolve_pfn((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ff_ctl_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = ff_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

#ifdef ANON_RESERVE_MAX_SLOTS
/*
 * reserve/slots_in_use: the reservation slots that hold a block now, over
 * all mms. A level, not an event count: reset leaves it alone.
 */
static int ff_slots_in_use_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%lu\n", anon_reserve_slots_in_use());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ff_slots_in_use);

static void ff_reserve_levels_create(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ff_features); i++)
		if (!strcmp(ff_features[i].name, FASTFAULT_DIR_RESERVE))
			debugfs_create_file("slots_in_use", 0400,
					    ff_features[i].dir, NULL,
					    &ff_slots_in_use_fops);
}
#else
static void ff_reserve_levels_create(void)
{
}
#endif

static void ff_free_features(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ff_features); i++)
		ff_feature_free(&ff_features[i]);
}

static int __init fastfault_init(void)
{
	unsigned int i;
	int ret;

	/*
	 * Everything a file can reach is set up before the first file
	 * appears: a reader may open one the moment it exists, while this
	 * function still runs (the torture harness's fuzzer did).
	 */
	for (i = 0; i < ARRAY_SIZE(ff_features); i++) {
		ret = ff_feature_init(&ff_features[i]);
		if (ret)
			goto err;
	}
	ret = ff_devmem_init();
	if (ret)
		goto err;

	ff_root = debugfs_create_dir("fastfault", NULL);
	if (IS_ERR(ff_root)) {
		ret = PTR_ERR(ff_root);
		goto err_devmem;
	}
	debugfs_create_file("version", 0400, ff_root, NULL, &ff_version_fops);
	debugfs_create_file("stats", 0400, ff_root, NULL, &ff_root_stats_fops);
	debugfs_create_file("ctl", 0600, ff_root, NULL, &ff_ctl_fops);
	ff_audit_create(ff_root);
	ff_entry_create(ff_root);
	ff_notify_create(ff_root);
	for (i = 0; i < ARRAY_SIZE(ff_features); i++)
		ff_feature_publish(&ff_features[i], ff_root);
	ff_reserve_levels_create();
	return 0;
err_devmem:
	ff_devmem_exit();
err:
	ff_free_features();
	return ret;
}

static void __exit fastfault_exit(void)
{
	debugfs_remove_recursive(ff_root);
	ff_notify_exit();
	ff_devmem_exit();
	ff_free_features();
}

module_init(fastfault_init);
module_exit(fastfault_exit);
MODULE_DESCRIPTION("fastfault counters, test devices and page-table auditor");
MODULE_LICENSE("GPL");
