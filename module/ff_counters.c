// SPDX-License-Identifier: GPL-2.0
/*
 * Feature directories of kernel event counters, shown relative to the last
 * write to `reset`.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/mm.h>

#include "fastfault.h"

/* Serialises baseline updates against reads of the counters they offset. */
static DEFINE_MUTEX(ff_baseline_lock);

/* A counter file's private data: which counter of which feature. */
struct ff_counter_file {
	struct ff_feature *feature;
	unsigned int index;
};

/* Snapshot of every vm event, summed over online CPUs. Caller frees. */
static unsigned long *ff_snapshot_events(void)
{
	unsigned long *events;

	events = kcalloc(NR_VM_EVENT_ITEMS, sizeof(*events), GFP_KERNEL);
	if (events)
		all_vm_events(events);
	return events;
}

static unsigned long ff_value(const struct ff_feature *f, unsigned int i,
			      const unsigned long *events)
{
	return events[f->counters[i].item] - f->baseline[i];
}

static int ff_counter_show(struct seq_file *m, void *unused)
{
	struct ff_counter_file *cf = m->private;
	unsigned long *events = ff_snapshot_events();

	if (!events)
		return -ENOMEM;
	mutex_lock(&ff_baseline_lock);
	seq_printf(m, "%lu\n", ff_value(cf->feature, cf->index, events));
	mutex_unlock(&ff_baseline_lock);
	kfree(events);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ff_counter);

void ff_feature_show_stats(struct ff_feature *f, struct seq_file *m,
			   const char *prefix)
{
	unsigned long *events = ff_snapshot_events();
	unsigned int i;

	if (!events) {
		seq_puts(m, "error -ENOMEM\n");
		return;
	}
	mutex_lock(&ff_baseline_lock);
	for (i = 0; i < f->nr_counters; i++)
		seq_printf(m, "%s%s %lu\n", prefix, f->counters[i].name,
			   ff_value(f, i, events));
	mutex_unlock(&ff_baseline_lock);
	kfree(events);
}

static int ff_stats_show(struct seq_file *m, void *unused)
{
	ff_feature_show_stats(m->private, m, "");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ff_stats);

static int ff_feature_reset(struct ff_feature *f)
{
	unsigned long *events = ff_snapshot_events();
	unsigned int i;

	if (!events)
		return -ENOMEM;
	mutex_lock(&ff_baseline_lock);
	for (i = 0; i < f->nr_counters; i++)
		f->baseline[i] = events[f->counters[i].item];
	mutex_unlock(&ff_baseline_lock);
	kfree(events);
	return 0;
}

/* `reset` takes exactly "1" (a trailing newline is allowed). */
static ssize_t ff_reset_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct ff_feature *f = file->private_data;
	unsigned int val;
	int ret;

	if (kstrtouint_from_user(ubuf, count, 10, &val) || val != 1)
		return -EINVAL;
	ret = ff_feature_reset(f);
	return ret ? ret : count;
}

static const struct file_operations ff_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ff_reset_write,
	.llseek = noop_llseek,
};

/*
 * Allocate and zero @f's counters. Nothing is visible yet: readers of the
 * root `stats` file walk every feature, so each must be whole before any
 * file of the module appears (ff_feature_publish()).
 */
int ff_feature_init(struct ff_feature *f)
{
	unsigned int i;
	int ret;

	f->baseline = kcalloc(f->nr_counters, sizeof(*f->baseline), GFP_KERNEL);
	f->files = kcalloc(f->nr_counters, sizeof(*f->files), GFP_KERNEL);
	if (!f->baseline || !f->files) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < f->nr_counters; i++) {
		f->files[i].feature = f;
		f->files[i].index = i;
	}
	ret = ff_feature_reset(f);
	if (ret)
		goto err;
	return 0;
err:
	ff_feature_free(f);
	return ret;
}

/* Create @f's directory of counter files under @parent. */
void ff_feature_publish(struct ff_feature *f, struct dentry *parent)
{
	unsigned int i;

	f->dir = debugfs_create_dir(f->name, parent);
	for (i = 0; i < f->nr_counters; i++)
		debugfs_create_file(f->counters[i].name, 0400, f->dir,
				    &f->files[i], &ff_counter_fops);
	debugfs_create_file("stats", 0400, f->dir, f, &ff_stats_fops);
	debugfs_create_file("reset", 0200, f->dir, f, &ff_reset_fops);
}

/* Call after the directory is gone from debugfs: no reader is left then. */
void ff_feature_free(struct ff_feature *f)
{
	kfree(f->files);
	kfree(f->baseline);
	f->files = NULL;
	f->baseline = NULL;
}
