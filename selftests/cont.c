// SPDX-License-Identifier: GPL-2.0
/*
 * Contiguous PTE blocks (arm64): a chunk filled from the reservation is
 * folded into one PTE_CONT block, and every operation that changes one entry
 * of a block unfolds it first, keeping the data. The auditor checks the block
 * rules after each operation: QEMU ignores PTE_CONT, so it is the only proof.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fastfault.h"
#include "ff_util.h"

#ifndef MADV_COLD
#define MADV_COLD	20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define SWITCH		"/sys/kernel/mm/anon_reserve/enabled"
#define ADAPTIVE	"/sys/kernel/mm/anon_reserve/adaptive"
#define PAGE		4096UL
#define CHUNK		(64 * 1024UL)
#define CHUNKS		8UL
#define SIZE		(CHUNKS * CHUNK)

enum op {
	OP_NONE, OP_MUNMAP_PAGE, OP_MPROTECT_PAGE, OP_MPROTECT_HALF,
	OP_DONTNEED_PAGE, OP_FREE_PAGE, OP_COLD_PAGE, OP_PAGEOUT_PAGE,
	OP_MREMAP_MOVE, OP_FORK_WRITE, OP_MLOCK, OP_MUNMAP_ALL,
	OP_SCRAMBLED_FREE_PAGEOUT,
};

/* The page of the first block that single-page operations act on. */
#define VICTIM		5

static unsigned int pattern(size_t page)
{
	return 0xc0de0000u ^ (unsigned int)page;
}

/* Write every page's pattern but @skip's (-1: none). */
static void fill(char *p, size_t pages, long skip)
{
	size_t i;

	for (i = 0; i < pages; i++)
		if ((long)i != skip)
			*(unsigned int *)(p + i * PAGE) = pattern(i);
}

/* Pages that no longer hold their pattern, skipping @skip (-1: none). */
static size_t bad_pages(const char *p, size_t pages, long skip)
{
	size_t i, bad = 0;

	for (i = 0; i < pages; i++)
		if ((long)i != skip && *(const unsigned int *)(p + i * PAGE) != pattern(i))
			bad++;
	return bad;
}

static void audit_self(struct __test_metadata *_metadata, struct ff_audit *a)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, ff_audit_run(pid, a));
	EXPECT_EQ(0u, a->violations) TH_LOG("%s", a->report);
}

FIXTURE(cont) {
	char saved[64];
	char saved_adaptive[8];
	char *mem;
	size_t size;
};

FIXTURE_VARIANT(cont) {
	enum op op;
	bool unfolds;	/* the operation must unfold the first block */
	bool adaptive;	/* fill with the adaptive policy (whole chunks at once) */
};

FIXTURE_VARIANT_ADD(cont, fold_only) { .op = OP_NONE };
FIXTURE_VARIANT_ADD(cont, fold_adaptive) { .op = OP_NONE, .adaptive = true };
FIXTURE_VARIANT_ADD(cont, munmap_page) { .op = OP_MUNMAP_PAGE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, mprotect_page) { .op = OP_MPROTECT_PAGE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, mprotect_half) { .op = OP_MPROTECT_HALF, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, dontneed_page) { .op = OP_DONTNEED_PAGE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, free_page) { .op = OP_FREE_PAGE };
FIXTURE_VARIANT_ADD(cont, cold_page) { .op = OP_COLD_PAGE };
FIXTURE_VARIANT_ADD(cont, pageout_page) { .op = OP_PAGEOUT_PAGE };
FIXTURE_VARIANT_ADD(cont, mremap_move) { .op = OP_MREMAP_MOVE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, fork_write) { .op = OP_FORK_WRITE, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, mlock) { .op = OP_MLOCK };
FIXTURE_VARIANT_ADD(cont, munmap_all) { .op = OP_MUNMAP_ALL, .unfolds = true };
FIXTURE_VARIANT_ADD(cont, scrambled_free_pageout) { .op = OP_SCRAMBLED_FREE_PAGEOUT };

/*
 * MADV_FREE, a write, then reclaim, with the block's dirty state in an entry
 * other than the written page's (the scrambler puts it there, as hardware
 * may): reclaim must gather it, or it discards the written page as clean.
 */
static void scrambled_free_pageout(struct __test_metadata *_metadata, char *p)
{
	char *victim = p + VICTIM * PAGE;
	struct ff_audit s;
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, ff_scramble_run(pid, &s));
	EXPECT_EQ((uint64_t)CHUNKS, s.blocks);
	ASSERT_EQ(0, madvise(victim, PAGE, MADV_FREE));
	*(unsigned int *)victim = pattern(VICTIM);
	ASSERT_EQ(0, ff_scramble_run(pid, &s));
	/* The first pass may only clear the access flag; the second reclaims. */
	ASSERT_EQ(0, madvise(victim, PAGE, MADV_PAGEOUT));
	ASSERT_EQ(0, madvise(victim, PAGE, MADV_PAGEOUT));
	EXPECT_EQ(pattern(VICTIM), *(unsigned int *)victim);
}

FIXTURE_SETUP(cont)
{
	char buf[128], *l, *r;
	struct ff_audit a;

	if (access(SWITCH, W_OK))
		SKIP(return, "kernel without CONFIG_ANON_RESERVE");
	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
	if (access(FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_DIR_CONT, F_OK))
		SKIP(return, "kernel without contiguous PTE blocks");
	ASSERT_GT(ff_read_file(SWITCH, buf, sizeof(buf)), 0);
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	ASSERT_NE(NULL, r);
	*r = '\0';
	snprintf(self->saved, sizeof(self->saved), "%s", l + 1);
	ASSERT_EQ(0, ff_write_file(SWITCH, "always"));
	ASSERT_GT(ff_read_file(ADAPTIVE, self->saved_adaptive,
			       sizeof(self->saved_adaptive)), 0);
	/*
	 * The seed policy reserves every chunk, whatever this process did
	 * before; the adaptive one needs a clean history: see below.
	 */
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "0"));
	audit_self(_metadata, &a);	/* fault in what the auditor read needs */
	self->size = SIZE;
	self->mem = ff_mmap_aligned(SIZE, CHUNK);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(cont)
{
	if (self->mem && self->mem != MAP_FAILED)
		munmap(self->mem, self->size);
	if (self->saved[0])
		ff_write_file(SWITCH, self->saved);
	if (self->saved_adaptive[0])
		ff_write_file(ADAPTIVE, self->saved_adaptive);
}

static int child_writes_and_checks(char *p)
{
	*(unsigned int *)(p + VICTIM * PAGE) = 0xc41d;
	if (*(unsigned int *)(p + VICTIM * PAGE) != 0xc41d)
		return 1;
	return bad_pages(p, SIZE / PAGE, VICTIM) ? 2 : 0;
}

TEST_F(cont, operation_keeps_blocks_valid)
{
	const size_t pages = SIZE / PAGE;
	struct ff_audit before, folded, after;
	uint64_t folds0, folds1;
	char *p = self->mem, *q;
	long skip = -1;
	int status;
	pid_t pid;

	audit_self(_metadata, &before);
	if (variant->adaptive) {
		/*
		 * A fresh process has no history: the policy maps chunks page
		 * by page until two were dense, then whole chunks at once.
		 */
		ASSERT_EQ(0, ff_write_file(ADAPTIVE, "1"));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			struct ff_audit a;
			char me[16];
			uint64_t f0, f1;

			/*
			 * A first touch anywhere else moves the reservation:
			 * fault in the stack this child will use first.
			 */
			snprintf(me, sizeof(me), "%d", getpid());
			ff_audit_run(me, &a);
			ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &f0);
			fill(p, pages, -1);
			ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &f1);
			if (ff_audit_run(me, &a) || a.violations)
				_exit(1);
			if (f1 - f0 != CHUNKS)
				_exit(10 + (int)(f1 - f0));
			_exit(bad_pages(p, pages, -1) ? 2 : 0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		/* 1: violations, 2: bad data, 10 + n: n chunks folded of CHUNKS */
		ASSERT_EQ(0, WEXITSTATUS(status));
		ASSERT_EQ(0, ff_write_file(ADAPTIVE, "0"));
	}
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &folds0));
	fill(p, pages, -1);
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &folds1));
	audit_self(_metadata, &folded);
	EXPECT_EQ((uint64_t)CHUNKS, folds1 - folds0);
	ASSERT_EQ(before.cont_kb + CHUNKS * 64, folded.cont_kb) TH_LOG("%s", folded.report);

	switch (variant->op) {
	case OP_NONE:
		break;
	case OP_MUNMAP_PAGE:
		ASSERT_EQ(0, munmap(p + VICTIM * PAGE, PAGE));
		skip = VICTIM;
		break;
	case OP_MPROTECT_PAGE:
		ASSERT_EQ(0, mprotect(p + VICTIM * PAGE, PAGE, PROT_READ));
		break;
	case OP_MPROTECT_HALF:
		ASSERT_EQ(0, mprotect(p + CHUNK / 2, CHUNK / 2, PROT_READ));
		break;
	case OP_DONTNEED_PAGE:
		ASSERT_EQ(0, madvise(p + VICTIM * PAGE, PAGE, MADV_DONTNEED));
		EXPECT_EQ(0u, *(unsigned int *)(p + VICTIM * PAGE));
		skip = VICTIM;
		break;
	case OP_FREE_PAGE:
		ASSERT_EQ(0, madvise(p + VICTIM * PAGE, PAGE, MADV_FREE));
		/* A lazily freed page holds its data or zeroes until written. */
		*(unsigned int *)(p + VICTIM * PAGE) = pattern(VICTIM);
		break;
	case OP_COLD_PAGE:
		ASSERT_EQ(0, madvise(p + VICTIM * PAGE, PAGE, MADV_COLD));
		break;
	case OP_PAGEOUT_PAGE:
		ASSERT_EQ(0, madvise(p + VICTIM * PAGE, PAGE, MADV_PAGEOUT));
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
			_exit(child_writes_and_checks(p));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
		/* The child's write stayed in the child. */
		break;
	case OP_MLOCK:
		ASSERT_EQ(0, mlock(p, SIZE));
		break;
	case OP_MUNMAP_ALL:
		ASSERT_EQ(0, munmap(p, SIZE));
		self->mem = NULL;
		break;
	case OP_SCRAMBLED_FREE_PAGEOUT:
		scrambled_free_pageout(_metadata, p);
		break;
	}

	audit_self(_metadata, &after);
	if (variant->unfolds)
		EXPECT_LT(after.cont_kb, folded.cont_kb) TH_LOG("%s", after.report);
	if (variant->op == OP_NONE || variant->op == OP_MLOCK)
		EXPECT_EQ(folded.cont_kb, after.cont_kb);
	if (variant->op == OP_SCRAMBLED_FREE_PAGEOUT)
		TH_LOG("after scramble, MADV_FREE, write, MADV_PAGEOUT: %lu KiB still contiguous",
		       (unsigned long)after.cont_kb);
	if (variant->op != OP_MUNMAP_ALL)
		EXPECT_EQ(0u, bad_pages(p, pages, skip));
	if (variant->op == OP_MPROTECT_PAGE || variant->op == OP_MPROTECT_HALF)
		ASSERT_EQ(0, mprotect(p, SIZE, PROT_READ | PROT_WRITE));
	if (variant->op != OP_MUNMAP_ALL) {
		/* Everything still writes and reads back after the operation. */
		if (variant->op != OP_MUNMAP_PAGE)
			skip = -1;
		fill(p, pages, skip);
		EXPECT_EQ(0u, bad_pages(p, pages, skip));
	}
	audit_self(_metadata, &after);
}

TEST_HARNESS_MAIN
