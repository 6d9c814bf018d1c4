/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kselftests and the benchmark suite: reads of the
 * fastfault debugfs files, pagemap and the auditor. C, so both can use it.
 */
#ifndef FF_UTIL_H
#define FF_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Read a whole file into buf (NUL-terminated). Returns bytes read or -errno. */
ssize_t ff_read_file(const char *path, char *buf, size_t size);

/* Write a string to a file in one write(). Returns 0 or -errno. */
int ff_write_file(const char *path, const char *s);

/*
 * Find "name value" in a stats text (one pair a line). Returns 0 and sets
 * *value, or -ENOENT. Exact name match: "pgfault" does not match "pgfault2".
 */
int ff_stats_lookup(const char *text, const char *name, uint64_t *value);

/* ff_stats_lookup on FASTFAULT_DEBUGFS_ROOT/<feature>/stats. */
int ff_counter_read(const char *feature, const char *name, uint64_t *value);

/* Is fastfault.ko loaded (its debugfs root present)? */
int ff_module_loaded(void);

/* Load fastfault.ko from path (finit_module) / unload it. 0 or -errno. */
int ff_module_load(const char *path);
/* The same, with module parameters ("name=value ..."). */
int ff_module_load_params(const char *path, const char *params);
int ff_module_unload(void);

/* The module path: $FASTFAULT_KO, else /fastfault/fastfault.ko. */
const char *ff_module_path(void);

/* The reservation's sysfs switches (kernels with CONFIG_ANON_RESERVE). */
#define FF_RESERVE_ENABLED	"/sys/kernel/mm/anon_reserve/enabled"
#define FF_RESERVE_ADAPTIVE	"/sys/kernel/mm/anon_reserve/adaptive"

/* The switches as a test found them; empty until ff_reserve_save(). */
struct ff_reserve_saved {
	char enabled[32];	/* the selected mode, without its brackets */
	char adaptive[8];
};

/*
 * Save both switches into @s, for ff_reserve_restore(). Returns 0, or
 * -errno (-EPROTO: no "[mode]" selected in the enabled file).
 */
int ff_reserve_save(struct ff_reserve_saved *s);

/* Put back what ff_reserve_save() saved; nothing if it saved nothing. */
void ff_reserve_restore(const struct ff_reserve_saved *s);

/* Bits of a /proc/self/pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define FF_PM_PRESENT	(1ULL << 63)
#define FF_PM_SWAPPED	(1ULL << 62)
#define FF_PM_PFN_MASK	((1ULL << 55) - 1)	/* bits 0-54, when present */

/*
 * The raw 64-bit /proc/self/pagemap entry of the page holding @addr in this
 * process. Returns 0 and sets *entry, or -errno.
 */
int ff_pagemap_entry(const void *addr, uint64_t *entry);

/*
 * The PFN mapping @addr in this process, from /proc/self/pagemap (root
 * only: others read 0). Returns 0 and sets *pfn, -ENOENT if the page is not
 * present, or -errno.
 */
int ff_pagemap_pfn(const void *addr, uint64_t *pfn);

struct ff_audit {
	uint64_t processes;
	uint64_t cont_kb;
	uint64_t blocks;
	uint64_t violations;
	char report[4096];	/* the whole report, for logs */
};

/*
 * Run the module's page-table auditor on @target ("all" or a pid) and read
 * its report. Returns 0, or -errno (-ENOENT: no auditor, module not loaded).
 */
int ff_audit_run(const char *target, struct ff_audit *out);

/*
 * Run the A/D scrambler on @target: each valid block's access and dirty
 * state moves into one random entry, as hardware may leave it.
 */
int ff_scramble_run(const char *target, struct ff_audit *out);

/*
 * Sum the values of the lines of a /proc file that start (after blanks)
 * with @name followed by a blank or a colon: "MemFree:" lines of meminfo,
 * "pageoutrun" of vmstat, each zone's "low" of zoneinfo. Returns how many
 * lines matched and sets *sum, or -errno. One static buffer: not for
 * threads; once it is faulted in, later calls fault nothing.
 */
int ff_proc_sum(const char *path, const char *name, long *sum);

/* The entry that maps an address, as FASTFAULT_WALK_FILE reports it. */
struct ff_walk {
	int level;		/* FASTFAULT_WALK_NONE, _PTE or _PMD */
	uint64_t pfn;		/* 0 when level is FASTFAULT_WALK_NONE */
	int devmap;		/* the entry's bits, 0 or 1 each */
	int special;
	int write;
	int cont;
	char report[512];	/* the whole report, for logs */
};

/*
 * Walk @pid's page tables to the entry that maps @addr, with the module's
 * walker. Returns 0, or -errno (-ENOENT: no walker, module not loaded;
 * -EPROTO: the report lacks a line).
 */
int ff_walk(pid_t pid, const void *addr, struct ff_walk *out);

/* The fail_page_alloc fault injection (CONFIG_FAIL_PAGE_ALLOC, debugfs). */
#define FF_FAIL_PAGE_ALLOC	"/sys/kernel/debug/fail_page_alloc/"

/*
 * Make @percent of the kernel's order-4 and larger allocations that may not
 * enter reclaim fail (a reservation's, among them): for this task only
 * (task-filter and /proc/self/make-it-fail) or for every task. @percent 0
 * stops it. Returns 0 or -errno.
 */
int ff_fail_nowait_order4(unsigned int percent, int this_task_only);

/* mmap @size bytes of private anonymous memory aligned to @align. */
void *ff_mmap_aligned(size_t size, size_t align);

/* This process's resident set in KiB, from /proc/self/statm; -1 on error. */
long ff_rss_kb(void);

/* madvise() advice newer than some libcs' headers. */
#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#ifdef __cplusplus
}
#endif

#endif /* FF_UTIL_H */
