/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FASTFAULT_INTERNAL_H
#define _FASTFAULT_INTERNAL_H

#include <linux/dcache.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/vm_event_item.h>

/* One kernel event counter, shown under a feature directory. */
struct ff_counter {
	const char *name;
	enum vm_event_item item;
};

/*
 * A feature directory: one read-only file per counter, `stats` with every
 * counter as a "name value" line, and `reset`, which makes every value count
 * from zero again. The kernel counters themselves are never written: a reset
 * records a baseline and the files show the difference.
 */
struct ff_counter_file;

struct ff_feature {
	const char *name;
	const struct ff_counter *counters;
	unsigned int nr_counters;

	/* baseline[i] is counters[i] at the last reset; under ff_baseline_lock. */
	unsigned long *baseline;
	struct dentry *dir;
	struct ff_counter_file *files;	/* one per counter: its file's data */
};

int ff_feature_init(struct ff_feature *f);
void ff_feature_publish(struct ff_feature *f, struct dentry *parent);
void ff_feature_free(struct ff_feature *f);
void ff_feature_show_stats(struct ff_feature *f, struct seq_file *m,
			   const char *prefix);

#endif /* _FASTFAULT_INTERNAL_H */
