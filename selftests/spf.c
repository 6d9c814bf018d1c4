// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative page faults (CONFIG_SPECULATIVE_PAGE_FAULT): faults handled
 * without mmap_lock, validated under the PTE lock, falling back to the
 * classic path. Each case checks the data it faulted in, and the module's
 * counters (FASTFAULT_DIR_SPF); the race cases run the page-table auditor
 * afterwards. Kernels without the feature skip.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ff_util.h"
#include "fastfault.h"

#define PAGE		4096UL
#define SIZE		(8UL << 20)	/* the faulters' region */
#define PAGES		(SIZE / PAGE)
#define SYSCTL		"/proc/sys/vm/speculative_page_fault"
#define RACE_SECONDS	3

struct spf_counts {
	uint64_t attempt, success, aborts;
};

static const char *const abort_names[] = {
	"no_vma", "vma_marked", "vma_changed", "not_anon", "no_anon_vma",
	"uffd", "policy", "access", "pmd", "pte_present", "swap", "ptl_busy",
	"pmd_changed", "no_memory",
};

static int read_spf(struct spf_counts *c)
{
	char name[64];
	uint64_t v;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (ff_counter_read(FASTFAULT_DIR_SPF, "spf_attempt", &c->attempt) ||
	    ff_counter_read(FASTFAULT_DIR_SPF, "spf_success", &c->success))
		return -1;
	for (i = 0; i < sizeof(abort_names) / sizeof(abort_names[0]); i++) {
		snprintf(name, sizeof(name), "spf_abort_%s", abort_names[i]);
		if (ff_counter_read(FASTFAULT_DIR_SPF, name, &v))
			return -1;
		c->aborts += v;
	}
	return 0;
}

static long thread_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/* A second thread, asleep: the mm has two users, so faults speculate. */
static void *sleeper(void *arg)
{
	pause();
	return NULL;
}

FIXTURE(spf)
{
	pthread_t sleeper;
	char saved[16];
	char *mem;
};

FIXTURE_SETUP(spf)
{
	struct spf_counts c;

	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
	if (access(SYSCTL, W_OK) || read_spf(&c))
		SKIP(return, "kernel without CONFIG_SPECULATIVE_PAGE_FAULT");
	ASSERT_LT(0, ff_read_file(SYSCTL, self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, ff_write_file(SYSCTL, "1"));
	ASSERT_EQ(0, pthread_create(&self->sleeper, NULL, sleeper, NULL));
	self->mem = ff_mmap_aligned(SIZE, 2UL << 20);
	ASSERT_NE(MAP_FAILED, self->mem);
	/*
	 * The first write sets up the anon_vma and the PTE tables, which
	 * only the classic path does; MADV_DONTNEED keeps the tables.
	 */
	memset(self->mem, 1, SIZE);
	ASSERT_EQ(0, madvise(self->mem, SIZE, MADV_DONTNEED));
}

FIXTURE_TEARDOWN(spf)
{
	if (self->mem && self->mem != MAP_FAILED)
		munmap(self->mem, SIZE);
	self->saved[strcspn(self->saved, "\n")] = '\0';
	if (self->saved[0])
		ff_write_file(SYSCTL, self->saved);
}

/* Write every page: its index in each word of the page's first line. */
static void write_pattern(char *p, size_t pages, uint64_t salt)
{
	size_t i;

	for (i = 0; i < pages; i++)
		*(uint64_t *)(p + i * PAGE) = i ^ salt;
}

static size_t bad_pattern(const char *p, size_t pages, uint64_t salt)
{
	size_t i, bad = 0;

	for (i = 0; i < pages; i++)
		bad += *(const uint64_t *)(p + i * PAGE) != (i ^ salt);
	return bad;
}

/*
 * Write faults on empty PTEs of a private anonymous VMA with an anon_vma,
 * in a process of two threads: nearly all of them speculate and succeed,
 * and every attempt is counted once, as a success or an abort.
 */
TEST_F(spf, write_faults_succeed_without_mmap_lock)
{
	struct spf_counts a, b;
	long flt0, flt1;

	ASSERT_EQ(0, read_spf(&a));
	flt0 = thread_minflt();
	write_pattern(self->mem, PAGES, 0x5a);
	flt1 = thread_minflt();
	ASSERT_EQ(0, read_spf(&b));
	EXPECT_EQ(0u, bad_pattern(self->mem, PAGES, 0x5a));
	TH_LOG("%ld faults: %lu attempts, %lu succeeded, %lu aborted",
	       flt1 - flt0, (unsigned long)(b.attempt - a.attempt),
	       (unsigned long)(b.success - a.success),
	       (unsigned long)(b.aborts - a.aborts));
	EXPECT_EQ(b.attempt - a.attempt, (b.success - a.success) + (b.aborts - a.aborts));
	EXPECT_GE((b.success - a.success) * 100, (uint64_t)(flt1 - flt0) * 95);
}

/* Read faults map the zero page, speculatively too, and read zeroes. */
TEST_F(spf, read_faults_see_zeroes)
{
	struct spf_counts a, b;
	size_t i, nonzero = 0;

	ASSERT_EQ(0, read_spf(&a));
	for (i = 0; i < PAGES; i++)
		nonzero += *(volatile char *)(self->mem + i * PAGE) != 0;
	ASSERT_EQ(0, read_spf(&b));
	EXPECT_EQ(0u, nonzero);
	EXPECT_LT(0u, b.success - a.success);
}

/* With the switch at 0, nothing is attempted. */
TEST_F(spf, switch_off_attempts_nothing)
{
	struct spf_counts a, b;

	ASSERT_EQ(0, ff_write_file(SYSCTL, "0"));
	ASSERT_EQ(0, read_spf(&a));
	write_pattern(self->mem, PAGES, 0x33);
	ASSERT_EQ(0, read_spf(&b));
	EXPECT_EQ(0u, bad_pattern(self->mem, PAGES, 0x33));
	EXPECT_EQ(a.attempt, b.attempt);
}

/*
 * A process of one thread gains nothing from it: never attempted. The
 * child reads the counters itself, while the parent (two threads) only
 * waits; the kernel's counters are global.
 */
static int single_thread_child(void)
{
	struct spf_counts a, b;
	char *p = ff_mmap_aligned(SIZE, 2UL << 20);

	if (p == MAP_FAILED)
		return 2;
	memset(p, 1, SIZE);
	madvise(p, SIZE, MADV_DONTNEED);
	if (read_spf(&a))
		return 3;
	write_pattern(p, PAGES, 0x77);
	if (read_spf(&b))
		return 3;
	if (bad_pattern(p, PAGES, 0x77))
		return 4;
	return a.attempt == b.attempt ? 0 : 1;
}

TEST_F(spf, single_thread_attempts_nothing)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(single_thread_child());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("1: attempts counted, 2: no memory, 3: no counters, 4: bad data");
}

/* Bad input to the switch is refused and changes nothing. */
TEST_F(spf, switch_rejects_bad_input)
{
	static const char *const bad[] = { "2", "-1", "yes" };
	char now[16] = "";
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ret = ff_write_file(SYSCTL, bad[i]);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("writing '%s'", bad[i]);
	}
	ASSERT_LT(0, ff_read_file(SYSCTL, now, sizeof(now)));
	EXPECT_STREQ("1\n", now);
}

static sigjmp_buf segv_jump;
static volatile sig_atomic_t segv_code;

static void on_segv(int sig, siginfo_t *info, void *uc)
{
	segv_code = info->si_code;
	siglongjmp(segv_jump, 1);
}

/* Write @p; the si_code of the SIGSEGV it raised, or 0. */
static int write_signal(char *p)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	struct sigaction old;
	int code = 0;

	sigaction(SIGSEGV, &sa, &old);
	segv_code = 0;
	if (sigsetjmp(segv_jump, 1) == 0)
		*(volatile char *)p = 1;
	code = segv_code;
	sigaction(SIGSEGV, &old, NULL);
	return code;
}

/* The signals of the classic path: unmapped, PROT_NONE, read-only. */
TEST_F(spf, signals_are_unchanged)
{
	char *p = self->mem;

	ASSERT_EQ(0, munmap(p + SIZE - 2 * PAGE, 2 * PAGE));
	EXPECT_EQ(SEGV_MAPERR, write_signal(p + SIZE - PAGE));
	ASSERT_EQ(0, mprotect(p, 2 * PAGE, PROT_NONE));
	EXPECT_EQ(SEGV_ACCERR, write_signal(p + PAGE));
	ASSERT_EQ(0, mprotect(p, 2 * PAGE, PROT_READ));
	EXPECT_EQ(SEGV_ACCERR, write_signal(p + PAGE));
	EXPECT_EQ(0, *(volatile char *)(p + PAGE));
	ASSERT_EQ(0, mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, write_signal(p + PAGE));
}

/* What a racing writer thread does to the layout, in a loop. */
enum race_writer { RACE_MMAP_NEIGHBOUR, RACE_MPROTECT_SAME, RACE_DONTNEED_SAME };

struct race {
	char *mem;
	enum race_writer writer;
	volatile int stop;
	unsigned long loops;
};

static void *race_writer(void *arg)
{
	struct race *r = arg;
	char *half = r->mem + SIZE / 2;
	char *q;

	while (!r->stop) {
		switch (r->writer) {
		case RACE_MMAP_NEIGHBOUR:
			q = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (q != MAP_FAILED) {
				memset(q, 2, 1 << 20);
				munmap(q, 1 << 20);
			}
			break;
		case RACE_MPROTECT_SAME:
			/* Read-only and back: the faulters' half never changes. */
			mprotect(half, SIZE / 2, PROT_READ);
			mprotect(half, SIZE / 2, PROT_READ | PROT_WRITE);
			break;
		case RACE_DONTNEED_SAME:
			madvise(half, SIZE / 2, MADV_DONTNEED);
			break;
		}
		r->loops++;
	}
	return NULL;
}

/*
 * Fault the first half of the region again and again while a sibling
 * changes the layout: every pass reads back what it wrote, and the
 * auditor finds the page tables sound afterwards.
 */
static void race(struct __test_metadata *_metadata, char *mem,
		 enum race_writer writer_does)
{
	struct race r = { .mem = mem, .writer = writer_does };
	time_t end = time(NULL) + RACE_SECONDS;
	struct spf_counts a, b;
	unsigned long passes = 0, bad = 0;
	struct ff_audit audit;
	pthread_t writer;
	char pid[16];

	ASSERT_EQ(0, read_spf(&a));
	ASSERT_EQ(0, pthread_create(&writer, NULL, race_writer, &r));
	while (time(NULL) < end) {
		write_pattern(mem, PAGES / 2, passes);
		bad += bad_pattern(mem, PAGES / 2, passes);
		madvise(mem, SIZE / 2, MADV_DONTNEED);
		passes++;
	}
	r.stop = 1;
	pthread_join(writer, NULL);
	ASSERT_EQ(0, read_spf(&b));
	TH_LOG("%lu passes, %lu writer loops; %lu attempts, %lu succeeded, %lu aborted",
	       passes, r.loops, (unsigned long)(b.attempt - a.attempt),
	       (unsigned long)(b.success - a.success),
	       (unsigned long)(b.aborts - a.aborts));
	EXPECT_EQ(0u, bad);
	EXPECT_LT(0u, b.success - a.success);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, ff_audit_run(pid, &audit));
	EXPECT_EQ(0u, audit.violations) TH_LOG("%s", audit.report);
}

TEST_F(spf, faults_race_mmap_of_a_neighbour)
{
	race(_metadata, self->mem, RACE_MMAP_NEIGHBOUR);
}

TEST_F(spf, faults_race_mprotect_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_MPROTECT_SAME);
}

TEST_F(spf, faults_race_dontneed_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_DONTNEED_SAME);
}

TEST_HARNESS_MAIN
