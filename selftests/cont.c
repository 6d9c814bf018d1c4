// SPDX-License-Identifier: GPL-2.0
/*
 * Contiguous PTE blocks (arm64): a chunk filled from the reservation is
 * folded into one PTE_CONT block, and every operation that changes one entry
 * of a block unfolds it first, keeping the data. The auditor checks the block
 * rules after each operation: QEMU ignores PTE_CONT, so it is the only proof.
 *
 * Each operation acts on a range of pages: one page inside the first block,
 * or sixteen pages from that page on, which end inside the second block. An
 * operation must unfold the whole of each block its range meets, not stop
 * at the range's edges; the blocks it does not meet stay folded.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fastfault.h"
#include "ff_util.h"
#include "ff_audit_self.h"

#define SWITCH		FF_RESERVE_ENABLED
#define ADAPTIVE	FF_RESERVE_ADAPTIVE
#define KSM_DIR		"/sys/kernel/mm/ksm"
#define NODE1		"/sys/devices/system/node/node1"
#define PAGE		4096UL
#define CHUNK		(64 * 1024UL)
#define CHUNK_PAGES	(CHUNK / PAGE)
#define CHUNKS		8UL
#define SIZE		(CHUNKS * CHUNK)
#define PAGES		(SIZE / PAGE)
/* How long ksmd may take to merge the twins; it scans twice before it merges. */
#define KSM_TIMEOUT_S	30

enum op {
	OP_NONE, OP_MUNMAP, OP_MPROTECT, OP_DONTNEED, OP_FREE, OP_COLD,
	OP_PAGEOUT, OP_MREMAP_MOVE, OP_FORK_WRITE, OP_MLOCK,
	OP_SCRAMBLED_FREE_PAGEOUT, OP_SWAPOUT, OP_KSM, OP_MIGRATE,
	OP_MREMAP_PART, OP_CLEAR_REFS, OP_UFFD_WP,
};

/* The page of the first block that single-page operations act on. */
#define VICTIM		5

/* Ranges, in pages of the mapping, that the variants act on. */
#define ONE		.first = VICTIM, .pages = 1
#define ACROSS		.first = VICTIM, .pages = CHUNK_PAGES	/* 5..20: blocks 0, 1 */
#define HALF		.first = CHUNK_PAGES / 2, .pages = CHUNK_PAGES / 2
#define WHOLE		.first = 0, .pages = PAGES

static unsigned int pattern(size_t page)
{
	return 0xc0de0000u ^ (unsigned int)page;
}

static bool in_range(size_t i, size_t first, size_t n)
{
	return i >= first && i < first + n;
}

/* Write every page's pattern but those of [first, first + n). */
static void fill(char *p, size_t first, size_t n)
{
	size_t i;

	for (i = 0; i < PAGES; i++)
		if (!in_range(i, first, n))
			*(unsigned int *)(p + i * PAGE) = pattern(i);
}

/* Pages that no longer hold their pattern, but for [first, first + n). */
static size_t bad_pages(const char *p, size_t first, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < PAGES; i++)
		if (!in_range(i, first, n) &&
		    *(const unsigned int *)(p + i * PAGE) != pattern(i))
			bad++;
	return bad;
}

/*
 * Keep this process's stack out of the reservation (MADV_NOHUGEPAGE; THP is
 * madvise-only here, so nothing else changes): a new stack page in the
 * middle of a test may be reserved and, at the chunk's second fault, fold
 * the whole chunk, which the audits would count with ours.
 */
static int stack_not_reserved(void)
{
	unsigned long start, end;
	char line[256];
	int ret = -ENOENT;
	FILE *maps;

	maps = fopen("/proc/self/maps", "r");
	if (!maps)
		return -errno;
	while (fgets(line, sizeof(line), maps)) {
		if (!strstr(line, "[stack]") ||
		    sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		ret = madvise((void *)start, end - start, MADV_NOHUGEPAGE) ? -errno : 0;
		break;
	}
	fclose(maps);
	return ret;
}

/* The ksmd knobs the KSM variants set, in the order they are set. */
enum { KSM_PAGES_TO_SCAN, KSM_SLEEP_MILLISECS, KSM_RUN, KSM_KNOBS };
static const char * const ksm_knobs[KSM_KNOBS] = {
	[KSM_PAGES_TO_SCAN] = "pages_to_scan",
	[KSM_SLEEP_MILLISECS] = "sleep_millisecs",
	[KSM_RUN] = "run",
};

FIXTURE(cont) {
	struct ff_reserve_saved saved;
	char *mem;
	size_t size;
	char *twin;		/* OP_KSM: the pages the victims merge with */
	size_t twin_size;
	char ksm_saved[KSM_KNOBS][32];	/* the knobs' values before the test, once set */
	int uffd;
};

FIXTURE_VARIANT(cont) {
	enum op op;
	size_t first;		/* first page of the range the op acts on */
	size_t pages;		/* and its length */
	bool unfolds;		/* the op must unfold every block the range meets */
	bool keeps_folds;	/* the op must leave every block folded */
	bool unfolds_all;	/* the op unfolds blocks outside its range too */
	bool adaptive;		/* fill with the adaptive policy (whole chunks at once) */
	bool refolds;		/* undone and written again, every block folds again */
};

FIXTURE_VARIANT_ADD(cont, fold_only) { .op = OP_NONE, .keeps_folds = true };
FIXTURE_VARIANT_ADD(cont, fold_adaptive) {
	.op = OP_NONE, .keeps_folds = true, .adaptive = true };
FIXTURE_VARIANT_ADD(cont, munmap_page) { .op = OP_MUNMAP, ONE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, munmap_across) { .op = OP_MUNMAP, ACROSS, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, munmap_all) { .op = OP_MUNMAP, WHOLE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, mprotect_page) { .op = OP_MPROTECT, ONE, .unfolds = true,
	.refolds = true };
FIXTURE_VARIANT_ADD(cont, mprotect_half) { .op = OP_MPROTECT, HALF, .unfolds = true,
	.refolds = true };
FIXTURE_VARIANT_ADD(cont, mprotect_across) { .op = OP_MPROTECT, ACROSS, .unfolds = true,
	.refolds = true };
FIXTURE_VARIANT_ADD(cont, dontneed_page) { .op = OP_DONTNEED, ONE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, dontneed_across) { .op = OP_DONTNEED, ACROSS, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, free_page) { .op = OP_FREE, ONE };
FIXTURE_VARIANT_ADD(cont, free_across) { .op = OP_FREE, ACROSS };
FIXTURE_VARIANT_ADD(cont, cold_page) { .op = OP_COLD, ONE };
FIXTURE_VARIANT_ADD(cont, cold_across) { .op = OP_COLD, ACROSS };
FIXTURE_VARIANT_ADD(cont, pageout_page) { .op = OP_PAGEOUT, ONE };
FIXTURE_VARIANT_ADD(cont, pageout_across) { .op = OP_PAGEOUT, ACROSS };
FIXTURE_VARIANT_ADD(cont, mremap_move) { .op = OP_MREMAP_MOVE, WHOLE, .unfolds = true };
/*
 * fork write-protects every entry of the parent: every block unfolds. Once
 * the child is gone, the parent's writes reuse its pages: they fold again.
 */
FIXTURE_VARIANT_ADD(cont, fork_write) {
	.op = OP_FORK_WRITE, ONE, .unfolds = true, .unfolds_all = true, .refolds = true };
FIXTURE_VARIANT_ADD(cont, fork_write_across) {
	.op = OP_FORK_WRITE, ACROSS, .unfolds = true, .unfolds_all = true, .refolds = true };
FIXTURE_VARIANT_ADD(cont, mlock) { .op = OP_MLOCK, WHOLE, .keeps_folds = true };
/* mlock of part of a block splits the VMA inside it: no block may span two. */
FIXTURE_VARIANT_ADD(cont, mlock_page) { .op = OP_MLOCK, ONE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, mlock_across) { .op = OP_MLOCK, ACROSS, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, scrambled_free_pageout) { .op = OP_SCRAMBLED_FREE_PAGEOUT, ONE };
FIXTURE_VARIANT_ADD(cont, scrambled_free_pageout_across) {
	.op = OP_SCRAMBLED_FREE_PAGEOUT, ACROSS };
FIXTURE_VARIANT_ADD(cont, swapout_page) { .op = OP_SWAPOUT, ONE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, swapout_across) { .op = OP_SWAPOUT, ACROSS, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, ksm_page) { .op = OP_KSM, ONE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, ksm_across) { .op = OP_KSM, ACROSS, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, migrate_page) { .op = OP_MIGRATE, ONE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, migrate_across) { .op = OP_MIGRATE, ACROSS, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, mremap_part_page) { .op = OP_MREMAP_PART, ONE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, mremap_part_across) {
	.op = OP_MREMAP_PART, ACROSS, .unfolds = true };
/* The young-bit helpers test and clear a whole block: nothing unfolds. */
FIXTURE_VARIANT_ADD(cont, clear_refs) { .op = OP_CLEAR_REFS, WHOLE, .keeps_folds = true };
FIXTURE_VARIANT_ADD(cont, uffd_wp_page) { .op = OP_UFFD_WP, ONE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, uffd_wp_across) { .op = OP_UFFD_WP, ACROSS, .unfolds = true };

FIXTURE_SETUP(cont)
{
	struct ff_audit a;

	self->uffd = -1;
	if (access(SWITCH, W_OK))
		SKIP(return, "kernel without CONFIG_ANON_RESERVE");
	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
	if (access(FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_DIR_CONT, F_OK))
		SKIP(return, "kernel without contiguous PTE blocks");
	ASSERT_EQ(0, ff_reserve_save(&self->saved));
	ASSERT_EQ(0, ff_write_file(SWITCH, "always"));
	/*
	 * The seed policy reserves every chunk, whatever this process did
	 * before; the adaptive one needs a clean history: see below.
	 */
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "0"));
	ASSERT_EQ(0, stack_not_reserved());
	audit_self(_metadata, &a);	/* fault in what the auditor read needs */
	self->size = SIZE;
	self->mem = ff_mmap_aligned(SIZE, CHUNK);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(cont)
{
	char path[128];
	size_t i;

	if (self->uffd >= 0)
		close(self->uffd);
	if (self->mem && self->mem != MAP_FAILED)
		munmap(self->mem, self->size);
	if (self->twin)
		munmap(self->twin, self->twin_size);
	/* ksmd stops first ("run" is last), then its scan rate is restored. */
	for (i = KSM_KNOBS; i-- > 0;) {
		if (!self->ksm_saved[i][0])
			continue;
		snprintf(path, sizeof(path), "%s/%s", KSM_DIR, ksm_knobs[i]);
		ff_write_file(path, self->ksm_saved[i]);
	}
	ff_reserve_restore(&self->saved);
}

/* The child's writes in the range are its own: COW breaks every page. */
static int child_writes_and_checks(char *p, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < first + n; i++)
		*(unsigned int *)(p + i * PAGE) = 0xc41d;
	for (i = first; i < first + n; i++)
		if (*(unsigned int *)(p + i * PAGE) != 0xc41d)
			return 1;
	return bad_pages(p, first, n) ? 2 : 0;
}

/*
 * MADV_FREE, a write, then reclaim, with the block's dirty state in an entry
 * other than the written page's (the scrambler puts it there, as hardware
 * may): reclaim must gather it, or it discards the written page as clean.
 */
static void scrambled_free_pageout(struct __test_metadata *_metadata, char *p,
				   size_t first, size_t n)
{
	char *at = p + first * PAGE;
	struct ff_audit s;
	char pid[16];
	size_t i;

	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, ff_scramble_run(pid, &s));
	EXPECT_EQ((uint64_t)CHUNKS, s.blocks);
	ASSERT_EQ(0, madvise(at, n * PAGE, MADV_FREE));
	for (i = first; i < first + n; i++)
		*(unsigned int *)(p + i * PAGE) = pattern(i);
	ASSERT_EQ(0, ff_scramble_run(pid, &s));
	/* The first pass may only clear the access flag; the second reclaims. */
	ASSERT_EQ(0, madvise(at, n * PAGE, MADV_PAGEOUT));
	ASSERT_EQ(0, madvise(at, n * PAGE, MADV_PAGEOUT));
	for (i = first; i < first + n; i++)
		EXPECT_EQ(pattern(i), *(unsigned int *)(p + i * PAGE));
}

static bool have_swap(void)
{
	char buf[1024], *nl;

	if (ff_read_file("/proc/swaps", buf, sizeof(buf)) <= 0)
		return false;
	nl = strchr(buf, '\n');		/* past the header line */
	return nl && nl[1];
}

/*
 * Reclaim the range with swap present: every page must be a swap entry right
 * after (pagemap bit 62), and read back from swap later.
 */
static void swapout(struct __test_metadata *_metadata, char *p, size_t first,
		    size_t n)
{
	uint64_t entry;
	size_t i;

	if (!have_swap())
		SKIP(return, "no swap in /proc/swaps (the check plan swaps on /dev/ram0)");
	ASSERT_EQ(0, madvise(p + first * PAGE, n * PAGE, MADV_PAGEOUT));
	for (i = first; i < first + n; i++) {
		ASSERT_EQ(0, ff_pagemap_entry(p + i * PAGE, &entry));
		EXPECT_NE(0u, entry & FF_PM_SWAPPED)
			TH_LOG("page %zu not swapped out: pagemap %#llx", i,
			       (unsigned long long)entry);
	}
}

/* Set a ksmd knob, saving its value first for the teardown. */
static int ksm_set(FIXTURE_DATA(cont) *self, size_t knob, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", KSM_DIR, ksm_knobs[knob]);
	if (!self->ksm_saved[knob][0] &&
	    ff_read_file(path, self->ksm_saved[knob], sizeof(self->ksm_saved[knob])) <= 0)
		return -EIO;
	return ff_write_file(path, value);
}

/* Do the pages of the range and their twins map the same PFNs? */
static bool ksm_merged(const char *p, const char *twin, size_t first, size_t n)
{
	uint64_t a, b;
	size_t i;

	for (i = 0; i < n; i++)
		if (ff_pagemap_pfn(p + (first + i) * PAGE, &a) ||
		    ff_pagemap_pfn(twin + i * PAGE, &b) || a != b)
			return false;
	return true;
}

/*
 * KSM merges each page of the range with a twin of identical content in
 * another mapping: it write-protects the page, then maps the shared KSM page
 * in its place, both changes to one entry of a block.
 */
static void ksm(struct __test_metadata *_metadata, FIXTURE_DATA(cont) *self,
		size_t first, size_t n)
{
	char *p = self->mem, *twin;
	time_t deadline;
	size_t i;

	if (access(KSM_DIR, F_OK))
		SKIP(return, "kernel without CONFIG_KSM");
	self->twin_size = n * PAGE;
	twin = mmap(NULL, self->twin_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, twin);
	self->twin = twin;
	/* Unreserved, so never folded: the audit's cont_kb counts our blocks only. */
	ASSERT_EQ(0, madvise(twin, self->twin_size, MADV_NOHUGEPAGE));
	memcpy(twin, p + first * PAGE, self->twin_size);
	/* The whole mapping, so that the VMA is not split; only twins merge. */
	ASSERT_EQ(0, madvise(p, SIZE, MADV_MERGEABLE));
	ASSERT_EQ(0, madvise(twin, self->twin_size, MADV_MERGEABLE));
	ASSERT_EQ(0, ksm_set(self, KSM_PAGES_TO_SCAN, "10000"));
	ASSERT_EQ(0, ksm_set(self, KSM_SLEEP_MILLISECS, "10"));
	ASSERT_EQ(0, ksm_set(self, KSM_RUN, "1"));
	deadline = time(NULL) + KSM_TIMEOUT_S;
	while (!ksm_merged(p, twin, first, n) && time(NULL) < deadline)
		usleep(100 * 1000);
	ASSERT_EQ(0, ksm_set(self, KSM_RUN, "0"));
	ASSERT_TRUE(ksm_merged(p, twin, first, n))
		TH_LOG("ksmd did not merge the %zu twins in %d s", n, KSM_TIMEOUT_S);
	for (i = 0; i < n; i++)
		EXPECT_EQ(pattern(first + i), *(unsigned int *)(twin + i * PAGE));
}

/* A write to a merged page breaks COW: the twin keeps the old content. */
static void ksm_break_cow(struct __test_metadata *_metadata,
			  FIXTURE_DATA(cont) *self, size_t first, size_t n)
{
	char *p = self->mem;
	uint64_t a, b;
	size_t i;

	for (i = first; i < first + n; i++)
		*(unsigned int *)(p + i * PAGE) = ~pattern(i);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(~pattern(first + i), *(unsigned int *)(p + (first + i) * PAGE));
		EXPECT_EQ(pattern(first + i), *(unsigned int *)(self->twin + i * PAGE));
		ASSERT_EQ(0, ff_pagemap_pfn(p + (first + i) * PAGE, &a));
		ASSERT_EQ(0, ff_pagemap_pfn(self->twin + i * PAGE, &b));
		EXPECT_NE(a, b);
	}
}

/* Move each page of the range to the other NUMA node. */
static void migrate(struct __test_metadata *_metadata, char *p, size_t first,
		    size_t n)
{
	int nodes[CHUNK_PAGES], status[CHUNK_PAGES];
	uint64_t pfn[CHUNK_PAGES], moved;
	void *pages[CHUNK_PAGES];
	size_t i;

	if (access(NODE1, F_OK))
		SKIP(return, "one NUMA node: boot the guest with NODES=2");
	ASSERT_LE(n, CHUNK_PAGES);
	for (i = 0; i < n; i++) {
		pages[i] = p + (first + i) * PAGE;
		ASSERT_EQ(0, ff_pagemap_pfn(pages[i], &pfn[i]));
	}
	/* With no nodes, move_pages(2) says where each page is. */
	ASSERT_EQ(0, syscall(__NR_move_pages, 0, n, pages, NULL, status, 0));
	for (i = 0; i < n; i++) {
		ASSERT_GE(status[i], 0) TH_LOG("page %zu: %s", first + i, strerror(-status[i]));
		nodes[i] = !status[i];
	}
	ASSERT_EQ(0, syscall(__NR_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(nodes[i], status[i]) TH_LOG("page %zu", first + i);
		ASSERT_EQ(0, ff_pagemap_pfn(pages[i], &moved));
		EXPECT_NE(pfn[i], moved) TH_LOG("page %zu", first + i);
	}
}

/* mremap the range out of its blocks, then back to where it was. */
static void mremap_part(struct __test_metadata *_metadata, char *p, size_t first,
			size_t n)
{
	char *at = p + first * PAGE, *away;
	size_t i;

	away = mmap(NULL, n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, away);
	ASSERT_EQ(away, mremap(at, n * PAGE, n * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, away));
	for (i = 0; i < n; i++)
		EXPECT_EQ(pattern(first + i), *(unsigned int *)(away + i * PAGE));
	ASSERT_EQ(at, mremap(away, n * PAGE, n * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, at));
}

/*
 * Clear the referenced state ("1": the young-bit helpers, which act on a
 * whole block) and the soft-dirty state ("4"). arm64 6.1 has no
 * HAVE_ARCH_SOFT_DIRTY, so "4" only exercises the page-table walk.
 */
static void clear_refs(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, ff_write_file("/proc/self/clear_refs", "1"));
	ASSERT_EQ(0, ff_write_file("/proc/self/clear_refs", "4"));
}

/*
 * userfaultfd write-protection of the range. arm64 6.1 has none (no
 * HAVE_ARCH_USERFAULTFD_WP), so this skips there; where it exists, the range
 * stays protected until uffd_unprotect(), after the audit: a write to it
 * would wait for a handler this test does not have.
 */
static void uffd_wp(struct __test_metadata *_metadata, FIXTURE_DATA(cont) *self,
		    size_t first, size_t n)
{
	struct uffdio_writeprotect wp = { 0 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };

	self->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (self->uffd < 0)
		SKIP(return, "kernel without CONFIG_USERFAULTFD");
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_API, &api));
	if (!(api.features & UFFD_FEATURE_PAGEFAULT_FLAG_WP))
		SKIP(return, "no userfaultfd write-protect (arm64 6.1: no HAVE_ARCH_USERFAULTFD_WP)");
	reg.range.start = (unsigned long)self->mem;
	reg.range.len = SIZE;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_REGISTER, &reg));
	wp.range.start = (unsigned long)(self->mem + first * PAGE);
	wp.range.len = n * PAGE;
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_WRITEPROTECT, &wp));
}

static void uffd_unprotect(struct __test_metadata *_metadata,
			   FIXTURE_DATA(cont) *self, size_t first, size_t n)
{
	struct uffdio_writeprotect wp = { 0 };

	wp.range.start = (unsigned long)(self->mem + first * PAGE);
	wp.range.len = n * PAGE;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_WRITEPROTECT, &wp));
	close(self->uffd);
	self->uffd = -1;
}

/*
 * Fill with the adaptive policy in a fresh child: a fresh process has no
 * history, so the policy maps chunks page by page until two were dense, then
 * whole chunks at once. A first touch anywhere else would move the
 * reservation and, left sparse, make the policy back off: the stack takes
 * no reservations (stack_not_reserved()), and nothing else is touched.
 */
static void fold_adaptive_child(struct __test_metadata *_metadata, char *p)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "1"));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct ff_audit a;
		char me[16];
		uint64_t f0, f1;

		snprintf(me, sizeof(me), "%d", getpid());
		ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &f0);
		fill(p, 0, 0);
		ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &f1);
		if (ff_audit_run(me, &a) || a.violations)
			_exit(1);
		if (f1 - f0 != CHUNKS)
			_exit(10 + (int)(f1 - f0));
		_exit(bad_pages(p, 0, 0) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	/* 1: violations, 2: bad data, 10 + n: n chunks folded of CHUNKS */
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "0"));
}

/*
 * How many KiB of blocks may stay unfolded after an operation is undone.
 * After fork, the parent's writes reuse its pages, except a page that a
 * CPU's LRU batch still holds: it has a second reference, and 6.1's
 * do_wp_page() copies it (CPU=cortex-a57 saw one block of eight stay
 * unfolded). A batch holds at most 15 pages, two blocks' worth at most:
 * on this guest's two CPUs, four blocks.
 */
static uint64_t refold_slack_kb(enum op op)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return op == OP_FORK_WRITE ? (uint64_t)(2 * cpus) * 64 : 0;
}

TEST_F_TIMEOUT(cont, operation_keeps_blocks_valid, 2 * KSM_TIMEOUT_S + 30)
{
	const size_t first = variant->first, n = variant->pages;
	/* The blocks the range meets, in KiB. */
	const uint64_t range_kb =
		n ? ((first + n - 1) / CHUNK_PAGES - first / CHUNK_PAGES + 1) * 64 : 0;
	struct ff_audit before, folded, after;
	size_t gone = 0;	/* pages of the range with no data left: [first, first + gone) */
	uint64_t folds0, folds1;
	char *p = self->mem, *q;
	int status;
	size_t i;
	pid_t pid;

	audit_self(_metadata, &before);
	if (variant->adaptive)
		fold_adaptive_child(_metadata, p);
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &folds0));
	fill(p, 0, 0);
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &folds1));
	audit_self(_metadata, &folded);
	EXPECT_EQ((uint64_t)CHUNKS, folds1 - folds0);
	ASSERT_EQ(before.cont_kb + CHUNKS * 64, folded.cont_kb) TH_LOG("%s", folded.report);

	switch (variant->op) {
	case OP_NONE:
		break;
	case OP_MUNMAP:
		ASSERT_EQ(0, munmap(p + first * PAGE, n * PAGE));
		gone = n;
		if (n == PAGES)
			self->mem = NULL;
		break;
	case OP_MPROTECT:
		ASSERT_EQ(0, mprotect(p + first * PAGE, n * PAGE, PROT_READ));
		break;
	case OP_DONTNEED:
		ASSERT_EQ(0, madvise(p + first * PAGE, n * PAGE, MADV_DONTNEED));
		for (i = first; i < first + n; i++)
			EXPECT_EQ(0u, *(unsigned int *)(p + i * PAGE));
		gone = n;
		break;
	case OP_FREE:
		ASSERT_EQ(0, madvise(p + first * PAGE, n * PAGE, MADV_FREE));
		/* A lazily freed page holds its data or zeroes until written. */
		for (i = first; i < first + n; i++)
			*(unsigned int *)(p + i * PAGE) = pattern(i);
		break;
	case OP_COLD:
		ASSERT_EQ(0, madvise(p + first * PAGE, n * PAGE, MADV_COLD));
		break;
	case OP_PAGEOUT:
		ASSERT_EQ(0, madvise(p + first * PAGE, n * PAGE, MADV_PAGEOUT));
		break;
	case OP_MREMAP_MOVE:
		q = ff_mmap_aligned(SIZE, CHUNK);
		ASSERT_NE(MAP_FAILED, q);
		ASSERT_EQ(q, mremap(p, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, q));
		self->mem = p = q;
		break;
	case OP_FORK_WRITE:
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(child_writes_and_checks(p, first, n));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
		/* The child's writes stayed in the child: checked below. */
		break;
	case OP_MLOCK:
		ASSERT_EQ(0, mlock(p + first * PAGE, n * PAGE));
		break;
	case OP_SCRAMBLED_FREE_PAGEOUT:
		scrambled_free_pageout(_metadata, p, first, n);
		break;
	case OP_SWAPOUT:
		swapout(_metadata, p, first, n);
		break;
	case OP_KSM:
		ksm(_metadata, self, first, n);
		break;
	case OP_MIGRATE:
		migrate(_metadata, p, first, n);
		break;
	case OP_MREMAP_PART:
		mremap_part(_metadata, p, first, n);
		break;
	case OP_CLEAR_REFS:
		clear_refs(_metadata);
		break;
	case OP_UFFD_WP:
		uffd_wp(_metadata, self, first, n);
		break;
	}
	if (_metadata->skip)
		return;

	audit_self(_metadata, &after);
	if (variant->unfolds)
		EXPECT_LE(after.cont_kb + range_kb, folded.cont_kb) TH_LOG("%s", after.report);
	if (!variant->unfolds_all)	/* blocks the range does not meet stay folded */
		EXPECT_GE(after.cont_kb + range_kb, folded.cont_kb) TH_LOG("%s", after.report);
	if (variant->keeps_folds)
		EXPECT_EQ(folded.cont_kb, after.cont_kb) TH_LOG("%s", after.report);
	if (variant->op == OP_SCRAMBLED_FREE_PAGEOUT)
		TH_LOG("after scramble, MADV_FREE, write, MADV_PAGEOUT: %lu KiB still contiguous",
		       (unsigned long)after.cont_kb);
	if (!self->mem)
		return;		/* munmap_all: nothing left to check */
	EXPECT_EQ(0u, bad_pages(p, first, gone));

	if (variant->op == OP_KSM)
		ksm_break_cow(_metadata, self, first, n);
	if (variant->op == OP_UFFD_WP)
		uffd_unprotect(_metadata, self, first, n);
	if (variant->op == OP_MPROTECT)
		ASSERT_EQ(0, mprotect(p, SIZE, PROT_READ | PROT_WRITE));
	/* Everything still writes and reads back after the operation. */
	if (variant->op != OP_MUNMAP)
		gone = 0;
	fill(p, first, gone);
	EXPECT_EQ(0u, bad_pages(p, first, gone));
	audit_self(_metadata, &after);
	/* Every page as it was before the operation: one TLB entry a block again. */
	if (variant->refolds)
		EXPECT_LE(folded.cont_kb, after.cont_kb + refold_slack_kb(variant->op))
			TH_LOG("%s", after.report);
}

/*
 * NUMA hinting makes a range's entries inaccessible to see who touches
 * them, which unfolds each block it meets; each hinting fault then makes
 * one entry accessible again in place. Once the last entry of a block is
 * back, the block must fold again, as after mprotect() back. The pages are
 * on this CPU's node, so no hinting fault migrates one. The scanner leaves
 * alone the pages of a single-threaded mm that are already on the node it
 * runs on: a second thread, asleep, makes this mm a threaded one.
 */
#define NUMA_BALANCING	"/proc/sys/kernel/numa_balancing"
#define NUMA_HINT_WAIT_S	20

static void *sleeper(void *arg)
{
	pause();
	return NULL;
}

static uint64_t proc_vmstat(const char *name)
{
	long sum = 0;

	ff_proc_sum("/proc/vmstat", name, &sum);
	return (uint64_t)sum;
}

/* Spin without touching the range until an audit finds a block unfolded. */
static int wait_for_hinting(uint64_t folded_kb)
{
	time_t end = time(NULL) + NUMA_HINT_WAIT_S;
	volatile unsigned long spin;
	struct ff_audit a;
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	while (time(NULL) < end) {
		for (spin = 0; spin < 20UL * 1000 * 1000; spin++)
			;	/* run, so that the scheduler tick scans this mm */
		if (ff_audit_run(pid, &a) == 0 && a.cont_kb < folded_kb)
			return 0;
	}
	return -1;
}

TEST(numa_hinting_folds_blocks_again)
{
	struct ff_reserve_saved saved;
	struct ff_audit before, folded, hinted, after, unmapped;
	uint64_t hints0, hints1;
	char old[16] = "0";
	pthread_t second;
	cpu_set_t cpu0;
	char *p;
	size_t i;

	if (access(NUMA_BALANCING, W_OK))
		SKIP(return, "kernel without NUMA_BALANCING");
	if (access(NODE1, F_OK))
		SKIP(return, "one NUMA node: nothing to balance");
	if (access(SWITCH, W_OK))
		SKIP(return, "kernel without CONFIG_ANON_RESERVE");
	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
	if (access(FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_DIR_CONT, F_OK))
		SKIP(return, "kernel without contiguous PTE blocks");
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	ASSERT_LT(0, ff_read_file(NUMA_BALANCING, old, sizeof(old) - 1));
	ASSERT_EQ(0, ff_reserve_save(&saved));
	ASSERT_EQ(0, ff_write_file(SWITCH, "always"));
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "0"));
	ASSERT_EQ(0, stack_not_reserved());
	audit_self(_metadata, &before);
	p = ff_mmap_aligned(SIZE, CHUNK);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, 0, 0);
	audit_self(_metadata, &folded);
	ASSERT_EQ(before.cont_kb + CHUNKS * 64, folded.cont_kb) TH_LOG("%s", folded.report);
	hints0 = proc_vmstat("numa_hint_faults");

	ASSERT_EQ(0, pthread_create(&second, NULL, sleeper, NULL));
	ASSERT_EQ(0, ff_write_file(NUMA_BALANCING, "1"));
	EXPECT_EQ(0, wait_for_hinting(folded.cont_kb))
		TH_LOG("no block unfolded by hinting in %d s", NUMA_HINT_WAIT_S);
	/* No more scans: each entry made inaccessible faults back once. */
	ASSERT_EQ(0, ff_write_file(NUMA_BALANCING, "0"));
	audit_self(_metadata, &hinted);
	EXPECT_EQ(0u, bad_pages(p, 0, 0));
	for (i = 0; i < PAGES; i++)
		(void)*(volatile char *)(p + i * PAGE);
	hints1 = proc_vmstat("numa_hint_faults");
	audit_self(_metadata, &after);
	/*
	 * Hinting also unfolds blocks outside the range (a .bss buffer that
	 * a /proc read wrote whole), which nothing reads again: what unmapping
	 * the range takes away is its own share of the audit.
	 */
	ASSERT_EQ(0, munmap(p, SIZE));
	audit_self(_metadata, &unmapped);
	TH_LOG("hinting faults %lu; contiguous KiB: folded %lu, hinted %lu, after %lu, of it in the range %lu",
	       (unsigned long)(hints1 - hints0), (unsigned long)folded.cont_kb,
	       (unsigned long)hinted.cont_kb, (unsigned long)after.cont_kb,
	       (unsigned long)(after.cont_kb - unmapped.cont_kb));
	EXPECT_LT(0u, hints1 - hints0);
	EXPECT_EQ(CHUNKS * 64, after.cont_kb - unmapped.cont_kb) TH_LOG("%s", after.report);

	old[strcspn(old, "\n")] = '\0';
	ff_write_file(NUMA_BALANCING, old);
	ff_reserve_restore(&saved);
}

TEST_HARNESS_MAIN
