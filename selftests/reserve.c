// SPDX-License-Identifier: GPL-2.0
/*
 * The per-mm 64 KiB anonymous reservation (mm/anon_reserve.c): which faults
 * use it, that a touched chunk is physically contiguous, that sparse touching
 * costs no more RSS than without it, and that every path that should give
 * reserved pages back does (munmap, VMA split, exit). Counters come from
 * fastfault.ko's reserve/ directory; PFNs from /proc/self/pagemap.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/swap.h>
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
#define PAGE		4096UL
#define CHUNK		(64 * 1024UL)
#define CHUNK_PAGES	(CHUNK / PAGE)
#define STACK_SIZE	(256 * 1024UL)

struct counts {
	uint64_t alloc, alloc_fail, hit, release, reclaim, skip, map_ahead, returned;
};

static void read_counts(struct __test_metadata *_metadata, struct counts *c)
{
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_alloc", &c->alloc));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_alloc_fail",
				     &c->alloc_fail));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_hit", &c->hit));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_release",
				     &c->release));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_reclaim",
				     &c->reclaim));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_skip", &c->skip));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_map_ahead",
				     &c->map_ahead));
	/* Pages given back unmapped to their reservation: newer kernels. */
	if (ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_return", &c->returned))
		c->returned = 0;
}

static void delta(const struct counts *a, const struct counts *b, struct counts *d)
{
	d->alloc = b->alloc - a->alloc;
	d->alloc_fail = b->alloc_fail - a->alloc_fail;
	d->hit = b->hit - a->hit;
	d->release = b->release - a->release;
	d->reclaim = b->reclaim - a->reclaim;
	d->skip = b->skip - a->skip;
	d->map_ahead = b->map_ahead - a->map_ahead;
	d->returned = b->returned - a->returned;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Write a pattern that names the page, so a misplaced page shows. */
static void fill(char *p, size_t bytes, unsigned int seed)
{
	size_t i;

	for (i = 0; i < bytes; i += PAGE)
		*(unsigned int *)(p + i) = seed ^ (unsigned int)(i / PAGE);
}

static int check(const char *p, size_t bytes, unsigned int seed)
{
	size_t i;

	for (i = 0; i < bytes; i += PAGE)
		if (*(const unsigned int *)(p + i) != (seed ^ (unsigned int)(i / PAGE)))
			return -1;
	return 0;
}

FIXTURE(reserve) {
	struct ff_reserve_saved saved;
	char *mem;
	size_t size;
};

FIXTURE_SETUP(reserve)
{
	struct counts warm;

	if (access(SWITCH, W_OK))
		SKIP(return, "kernel without CONFIG_ANON_RESERVE");
	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
	ASSERT_EQ(0, ff_reserve_save(&self->saved));
	ASSERT_EQ(0, ff_write_file(SWITCH, "always"));
	/*
	 * Most cases test the seed policy; the adaptive ones switch it on.
	 * Switch it off before the faults below: under the adaptive policy
	 * they would leave this mm backing off for a number of faults that
	 * depends on the code layout, and the adaptive cases would start with
	 * that remainder (adaptive_backs_off_after_failed_allocation saw its
	 * failed reservation skipped, with one fault of backoff left).
	 */
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "0"));
	/*
	 * Cases count this process's faults exactly, so fault in everything
	 * it maps now, text included: each case is a forked child, which
	 * faults its text in again, 64 KiB at a time, and whether fill() or
	 * minflt() are in a window the setup already touched depends on the
	 * code layout (a one-function change elsewhere made dense_write count
	 * 129 faults instead of 128).
	 */
	ASSERT_EQ(0, mlockall(MCL_CURRENT));
	ASSERT_EQ(0, munlockall());
	self->mem = NULL;
	/*
	 * The reservation is per mm: any fault of this process in another chunk
	 * moves it. Fault in the stack that reading the counters needs now, so
	 * that reading them later faults nothing.
	 */
	read_counts(_metadata, &warm);
}

FIXTURE_TEARDOWN(reserve)
{
	if (self->mem)
		munmap(self->mem, self->size);
	ff_reserve_restore(&self->saved);
}

static char *map_chunks(FIXTURE_DATA(reserve) *self, size_t chunks)
{
	self->size = chunks * CHUNK;
	self->mem = ff_mmap_aligned(self->size, CHUNK);
	return self->mem == MAP_FAILED ? NULL : self->mem;
}

TEST_F(reserve, dense_write_is_contiguous_per_chunk)
{
	const size_t chunks = 64;
	struct counts a, b, d;
	size_t c, i;
	char *p;

	long faults;

	ASSERT_NE(NULL, p = map_chunks(self, chunks));
	read_counts(_metadata, &a);
	faults = minflt();
	fill(p, self->size, 0x5eed);
	faults = minflt() - faults;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);

	EXPECT_EQ(0, check(p, self->size, 0x5eed));
	EXPECT_EQ(chunks, d.alloc);
	EXPECT_EQ(0u, d.alloc_fail);
	/*
	 * The first fault in a chunk reserves it and maps one page; the second
	 * hits the reservation and maps the other fourteen with it.
	 */
	EXPECT_EQ(chunks, d.hit);
	EXPECT_EQ(chunks * (CHUNK_PAGES - 2), d.map_ahead);
	EXPECT_EQ((long)(2 * chunks), faults);
	for (c = 0; c < chunks; c++) {
		uint64_t first, pfn;

		ASSERT_EQ(0, ff_pagemap_pfn(p + c * CHUNK, &first));
		ASSERT_NE(0u, first) TH_LOG("pagemap shows no PFNs: not root?");
		EXPECT_EQ(0u, first % CHUNK_PAGES) TH_LOG("chunk %zu at pfn %#lx", c,
							  (unsigned long)first);
		for (i = 1; i < CHUNK_PAGES; i++) {
			ASSERT_EQ(0, ff_pagemap_pfn(p + c * CHUNK + i * PAGE, &pfn));
			EXPECT_EQ(first + i, pfn) TH_LOG("chunk %zu page %zu", c, i);
		}
	}
}

TEST_F(reserve, sparse_touch_costs_no_extra_rss)
{
	const size_t chunks = 256;
	long rss_never, rss_always, before;
	struct counts a, b, d;
	size_t c;
	char *p;

	/* Without the reservation first, as the reference. */
	ASSERT_EQ(0, ff_write_file(SWITCH, "never"));
	ASSERT_NE(NULL, p = map_chunks(self, chunks));
	before = ff_rss_kb();
	for (c = 0; c < chunks; c++)
		p[c * CHUNK] = 1;
	rss_never = ff_rss_kb() - before;
	munmap(p, self->size);

	ASSERT_EQ(0, ff_write_file(SWITCH, "always"));
	ASSERT_NE(NULL, p = map_chunks(self, chunks + 1));
	p[chunks * CHUNK] = 1;	/* the reservation is now in this mapping */
	read_counts(_metadata, &a);
	before = ff_rss_kb();
	for (c = 0; c < chunks; c++)
		p[c * CHUNK] = 1;
	rss_always = ff_rss_kb() - before;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);

	TH_LOG("sparse RSS: never %ld KiB, always %ld KiB", rss_never, rss_always);
	EXPECT_LE(rss_always, rss_never + 16);
	EXPECT_EQ(chunks, d.alloc);
	/* Each new reservation gave the 15 unused pages of the one before back. */
	EXPECT_EQ(chunks * (CHUNK_PAGES - 1), d.release);
}

TEST_F(reserve, read_faults_keep_the_zero_page)
{
	struct counts a, b, d;
	volatile char *p;
	unsigned int sum = 0;
	size_t i;

	ASSERT_NE(NULL, p = map_chunks(self, 4));
	read_counts(_metadata, &a);
	for (i = 0; i < self->size; i += PAGE)
		sum += p[i];
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(0u, sum);
	EXPECT_EQ(0u, d.alloc);
	EXPECT_EQ(0u, d.hit);
}

TEST_F(reserve, nohugepage_vma_is_not_reserved)
{
	struct counts a, b, d;
	char *p;

	ASSERT_NE(NULL, p = map_chunks(self, 4));
	ASSERT_EQ(0, madvise(p, self->size, MADV_NOHUGEPAGE));
	read_counts(_metadata, &a);
	fill(p, self->size, 1);
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(0u, d.alloc);
	EXPECT_EQ(0u, d.hit);
	EXPECT_EQ(0, check(p, self->size, 1));
}

TEST_F(reserve, never_switches_it_off)
{
	struct counts a, b, d;
	char *p;

	ASSERT_EQ(0, ff_write_file(SWITCH, "never"));
	ASSERT_NE(NULL, p = map_chunks(self, 4));
	read_counts(_metadata, &a);
	fill(p, self->size, 2);
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(0u, d.alloc);
	EXPECT_EQ(0u, d.hit);
}

TEST_F(reserve, madvise_mode_needs_madv_hugepage)
{
	struct counts a, b, d;
	char *p;

	ASSERT_EQ(0, ff_write_file(SWITCH, "madvise"));
	ASSERT_NE(NULL, p = map_chunks(self, 4));
	read_counts(_metadata, &a);
	fill(p, 2 * CHUNK, 3);
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(0u, d.alloc);

	ASSERT_EQ(0, madvise(p + 2 * CHUNK, 2 * CHUNK, MADV_HUGEPAGE));
	read_counts(_metadata, &a);
	fill(p + 2 * CHUNK, 2 * CHUNK, 4);
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(2u, d.alloc);
}

struct uffd_server {
	int uffd;
	size_t faults;		/* how many to serve before returning */
	int error;
};

/* Resolve missing faults by copying in a zero page, like a lazy loader. */
static void *uffd_serve(void *arg)
{
	static char zero[PAGE] __attribute__((aligned(PAGE)));
	struct uffd_server *srv = arg;
	size_t served = 0;

	while (served < srv->faults) {
		struct pollfd pfd = { .fd = srv->uffd, .events = POLLIN };
		struct uffdio_copy copy = { 0 };
		struct uffd_msg msg;

		if (poll(&pfd, 1, 10000) != 1 ||
		    read(srv->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT) {
			srv->error = 1;
			return NULL;
		}
		copy.dst = msg.arg.pagefault.address & ~(PAGE - 1);
		copy.src = (unsigned long)zero;
		copy.len = PAGE;
		if (ioctl(srv->uffd, UFFDIO_COPY, &copy)) {
			srv->error = 2;
			return NULL;
		}
		served++;
	}
	return NULL;
}

TEST_F(reserve, userfaultfd_vma_is_not_reserved)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct uffd_server srv = { 0 };
	struct counts a, b, d;
	pthread_attr_t attr;
	pthread_t server;
	void *stack;
	char *p;

	ASSERT_NE(NULL, p = map_chunks(self, 4));
	srv.uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_GE(srv.uffd, 0);
	ASSERT_EQ(0, ioctl(srv.uffd, UFFDIO_API, &api));
	reg.range.start = (unsigned long)p;
	reg.range.len = self->size;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(srv.uffd, UFFDIO_REGISTER, &reg));
	srv.faults = self->size / PAGE;
	/*
	 * The server's stack is populated now, so that its own faults do not
	 * show in the counters below.
	 */
	stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, stack);
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setstack(&attr, stack, STACK_SIZE));
	ASSERT_EQ(0, pthread_create(&server, &attr, uffd_serve, &srv));

	read_counts(_metadata, &a);
	fill(p, self->size, 5);
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	pthread_join(server, NULL);
	pthread_attr_destroy(&attr);
	munmap(stack, STACK_SIZE);
	close(srv.uffd);

	EXPECT_EQ(0, srv.error);
	EXPECT_EQ(0u, d.alloc);
	EXPECT_EQ(0u, d.hit);
	EXPECT_EQ(0, check(p, self->size, 5));
}

TEST_F(reserve, munmap_gives_unused_pages_back)
{
	struct counts a, b, d;
	char *p;

	ASSERT_NE(NULL, p = map_chunks(self, 1));
	p[0] = 1;
	read_counts(_metadata, &a);
	ASSERT_EQ(0, munmap(p, self->size));
	self->mem = NULL;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(CHUNK_PAGES - 1, d.release);
}

TEST_F(reserve, split_inside_chunk_gives_unused_pages_back)
{
	struct counts a, b, d;
	char *p;

	ASSERT_NE(NULL, p = map_chunks(self, 2));
	p[0] = 1;
	read_counts(_metadata, &a);
	/* mprotect of half the chunk splits the VMA inside it. */
	ASSERT_EQ(0, mprotect(p + CHUNK / 2, CHUNK / 2, PROT_READ));
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(CHUNK_PAGES - 1, d.release);

	/* A split on a chunk boundary leaves the reservation alone. */
	p[CHUNK + PAGE] = 1;
	read_counts(_metadata, &a);
	ASSERT_EQ(0, mprotect(p + CHUNK, CHUNK, PROT_READ));
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(0u, d.release);
}

TEST_F(reserve, fork_child_inherits_no_reservation)
{
	struct counts a, b, d;
	int status;
	pid_t pid;
	char *p;

	ASSERT_NE(NULL, p = map_chunks(self, 1));
	p[0] = 'p';
	read_counts(_metadata, &a);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Page 1 is empty in the child too: a new reservation, no hit. */
		p[PAGE] = 'c';
		p[0] = 'c';	/* COW of the parent's page */
		_exit(p[PAGE] == 'c' && p[0] == 'c' ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(1u, d.alloc);
	EXPECT_EQ(0u, d.hit);
	/* The child's exit gave its reservation back. */
	EXPECT_EQ(CHUNK_PAGES - 1, d.release);

	/* The parent's data is its own, and its reservation still serves it. */
	EXPECT_EQ('p', p[0]);
	EXPECT_EQ(0, p[PAGE]);
	read_counts(_metadata, &a);
	p[2 * PAGE] = 'p';
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(1u, d.hit);
}

TEST_F(reserve, shrinker_takes_reserved_pages_back)
{
	struct counts a, b, d;
	char *p;

	ASSERT_NE(NULL, p = map_chunks(self, 1));
	p[0] = 1;
	read_counts(_metadata, &a);
	/* drop_caches=2 runs every shrinker, as memory pressure would. */
	ASSERT_EQ(0, ff_write_file("/proc/sys/vm/drop_caches", "2"));
	p[PAGE] = 2;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_GE(d.reclaim, CHUNK_PAGES - 1);
	/* The reservation is gone: the next fault in the chunk reserves anew. */
	EXPECT_EQ(1u, d.alloc);
	EXPECT_EQ(0u, d.hit);
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(2, p[PAGE]);
}

/*
 * The GFP_NOWAIT fallback, forced with fail_page_alloc (debug config): a
 * failed order-4 allocation is counted, the fault maps one ordinary page,
 * and each later fault in the chunk tries again. Once allocations succeed
 * again the next fault reserves.
 */
TEST_F(reserve, failed_allocation_falls_back_to_one_page)
{
	struct counts a, b, d;
	int ret;
	char *p;

	if (access(FF_FAIL_PAGE_ALLOC "probability", W_OK))
		SKIP(return, "kernel without CONFIG_FAIL_PAGE_ALLOC and its debugfs");
	/*
	 * The seed policy (the fixture's): every fault in a chunk with no
	 * reservation tries to reserve. The adaptive one may be backing off
	 * after the fixture's own faults and not try at all.
	 */
	ASSERT_NE(NULL, p = map_chunks(self, 2));
	read_counts(_metadata, &a);
	/* Reservations are the only such allocations this task's faults make. */
	ASSERT_EQ(0, ff_fail_nowait_order4(100, 1));
	p[0] = 1;
	p[PAGE] = 2;
	ret = ff_fail_nowait_order4(0, 1);
	read_counts(_metadata, &b);
	ASSERT_EQ(0, ret);
	delta(&a, &b, &d);
	EXPECT_EQ(2u, d.alloc_fail);
	EXPECT_EQ(0u, d.alloc);
	EXPECT_EQ(0u, d.hit);
	EXPECT_EQ(0u, d.map_ahead);
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(2, p[PAGE]);

	/* Allocations work again: the next chunk reserves. */
	read_counts(_metadata, &a);
	p[CHUNK] = 3;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(1u, d.alloc);
	EXPECT_EQ(0u, d.alloc_fail);
	EXPECT_EQ(3, p[CHUNK]);
}

/*
 * The adaptive policy scores each CPU's reservation slot apart: a case
 * that counts its verdicts fault by fault stays on the CPU it starts on,
 * or a migration halfway starts it afresh in another slot (a57 runs saw
 * adaptive_backs_off_after_failed_allocation skip 1 fault, not 16).
 */
static void stay_on_this_cpu(struct __test_metadata *_metadata)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	ASSERT_LE(0, cpu);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
}

TEST_F(reserve, adaptive_maps_dense_chunks_at_first_fault)
{
	const size_t chunks = 64;
	struct counts a, b, d;
	long faults;
	char *p;

	stay_on_this_cpu(_metadata);
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "1"));
	ASSERT_NE(NULL, p = map_chunks(self, chunks));
	read_counts(_metadata, &a);
	faults = minflt();
	fill(p, self->size, 0xada);
	faults = minflt() - faults;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	TH_LOG("adaptive dense: %ld faults for %zu chunks, %lu pages mapped ahead",
	       faults, chunks, (unsigned long)d.map_ahead);
	EXPECT_EQ(0, check(p, self->size, 0xada));
	/* Page by page until ANON_RESERVE_DENSE chunks were dense, then one each. */
	EXPECT_LE(faults, (long)(chunks + 3 * CHUNK_PAGES));
	EXPECT_GE(d.map_ahead, (chunks - 3) * (CHUNK_PAGES - 1));
}

TEST_F(reserve, adaptive_backs_off_on_sparse_touch)
{
	const size_t chunks = 256;
	struct counts a, b, d;
	size_t c;
	char *p;

	stay_on_this_cpu(_metadata);
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "1"));
	ASSERT_NE(NULL, p = map_chunks(self, chunks));
	read_counts(_metadata, &a);
	for (c = 0; c < chunks; c++)
		p[c * CHUNK] = 1;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	TH_LOG("adaptive sparse: %lu reservations, %lu faults skipped for %zu chunks",
	       (unsigned long)d.alloc, (unsigned long)d.skip, chunks);
	/* One reservation in about every ANON_RESERVE_BACKOFF + 1 faults. */
	EXPECT_LE(d.alloc, chunks / 8);
	EXPECT_EQ(0u, d.map_ahead);
}

/*
 * A failed reservation backs off as a sparse chunk does: the next
 * ANON_RESERVE_BACKOFF (16) faults take ordinary pages without asking the
 * allocator for a block, and the one after reserves again.
 */
TEST_F(reserve, adaptive_backs_off_after_failed_allocation)
{
	struct counts a, b, d;
	int ret;
	size_t i;
	char *p;

	if (access(FF_FAIL_PAGE_ALLOC "probability", W_OK))
		SKIP(return, "kernel without CONFIG_FAIL_PAGE_ALLOC and its debugfs");
	stay_on_this_cpu(_metadata);
	ASSERT_NE(NULL, p = map_chunks(self, 3));
	/*
	 * A dense chunk next to the one that fails, filled under the seed
	 * policy: the adaptive one then judges it dense and tries to reserve,
	 * where the fixture's own sparse faults would have made it back off.
	 */
	fill(p + CHUNK, CHUNK, 0x8);
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "1"));
	read_counts(_metadata, &a);
	ASSERT_EQ(0, ff_fail_nowait_order4(100, 1));
	p[0] = 1;
	ret = ff_fail_nowait_order4(0, 1);
	read_counts(_metadata, &b);
	ASSERT_EQ(0, ret);
	delta(&a, &b, &d);
	EXPECT_EQ(0u, d.skip) TH_LOG("the mm was backing off already");
	EXPECT_EQ(1u, d.alloc_fail);
	EXPECT_EQ(0u, d.alloc);

	/* Sixteen faults: pages 1-15 of the first chunk, page 0 of the third. */
	read_counts(_metadata, &a);
	for (i = 1; i < CHUNK_PAGES; i++)
		p[i * PAGE] = (char)i;
	p[2 * CHUNK] = 16;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(16u, d.skip);
	EXPECT_EQ(0u, d.alloc + d.alloc_fail);

	read_counts(_metadata, &a);
	p[2 * CHUNK + PAGE] = 17;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(1u, d.alloc);
	for (i = 1; i < CHUNK_PAGES; i++)
		EXPECT_EQ((char)i, p[i * PAGE]);
	EXPECT_EQ(0, check(p + CHUNK, CHUNK, 0x8));
}

/* The first CPU of NUMA node @node, or -1. */
static int node_first_cpu(int node)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	if (ff_read_file(path, buf, sizeof(buf)) <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	return atoi(buf);
}

/* The node of each page of @p, @pages long, by move_pages() query. */
static int page_nodes(char *p, size_t pages, int *status)
{
	void **addrs = calloc(pages, sizeof(*addrs));
	long ret;
	size_t i;

	if (!addrs)
		return -ENOMEM;
	for (i = 0; i < pages; i++)
		addrs[i] = p + i * PAGE;
	ret = syscall(SYS_move_pages, 0, pages, addrs, NULL, status, 0);
	free(addrs);
	return ret ? -errno : 0;
}

/*
 * A VMA's mempolicy decides where its reserved blocks come from, as it
 * does for ordinary pages. The task runs on node 0 and the VMA is bound or
 * interleaved elsewhere, so the task's own policy would answer differently.
 */
#define NEEDS_TWO_NODES() do { \
	if (access("/sys/devices/system/node/node1", F_OK)) \
		SKIP(return, "one NUMA node: boot with NODES=2"); \
} while (0)

static void write_under_policy(struct __test_metadata *_metadata,
			       FIXTURE_DATA(reserve) *self, int mode, unsigned long nodes,
			       int *status)
{
	const size_t chunks = 64;
	struct counts a, b, d;
	cpu_set_t cpus;
	int cpu;
	char *p;

	cpu = node_first_cpu(0);
	ASSERT_GE(cpu, 0);
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	ASSERT_NE(NULL, p = map_chunks(self, chunks));
	ASSERT_EQ(0, syscall(SYS_mbind, p, self->size, mode, &nodes, 8 * sizeof(nodes), 0));
	read_counts(_metadata, &a);
	fill(p, self->size, 0x90);
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(chunks, d.alloc);
	ASSERT_EQ(0, page_nodes(p, chunks * CHUNK_PAGES, status));
	EXPECT_EQ(0, check(p, self->size, 0x90));
}

#define POLICY_PAGES	(64 * CHUNK_PAGES)

TEST_F(reserve, mbind_bind_places_every_page_on_its_node)
{
	static int status[POLICY_PAGES];
	size_t i, elsewhere = 0;

	NEEDS_TWO_NODES();
	write_under_policy(_metadata, self, MPOL_BIND, 1UL << 1, status);
	for (i = 0; i < POLICY_PAGES; i++)
		elsewhere += status[i] != 1;
	EXPECT_EQ(0u, elsewhere) TH_LOG("%zu of %lu pages not on node 1", elsewhere,
					 POLICY_PAGES);
}

/* Interleaved by chunk: each block comes whole from one node, both used. */
TEST_F(reserve, mbind_interleave_spreads_whole_chunks)
{
	static int status[POLICY_PAGES];
	size_t c, i, mixed = 0, on1 = 0;

	NEEDS_TWO_NODES();
	write_under_policy(_metadata, self, MPOL_INTERLEAVE, 3, status);
	for (c = 0; c < POLICY_PAGES / CHUNK_PAGES; c++) {
		for (i = 1; i < CHUNK_PAGES; i++)
			mixed += status[c * CHUNK_PAGES + i] != status[c * CHUNK_PAGES];
		on1 += status[c * CHUNK_PAGES] == 1;
	}
	EXPECT_EQ(0u, mixed);
	EXPECT_GT(on1, 0u);
	EXPECT_LT(on1, POLICY_PAGES / CHUNK_PAGES);
}

TEST_F(reserve, adaptive_switch_rejects_bad_input)
{
	char buf[16];
	int fd;

	fd = open(ADAPTIVE, O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, write(fd, "maybe", 5));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "1"));
	ASSERT_GT(ff_read_file(ADAPTIVE, buf, sizeof(buf)), 0);
	EXPECT_STREQ("1\n", buf);
}

TEST_F(reserve, switch_rejects_bad_input)
{
	char buf[128];
	int fd;

	fd = open(SWITCH, O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, write(fd, "sometimes", 9));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	ASSERT_EQ(0, ff_write_file(SWITCH, "madvise\n"));
	ASSERT_GT(ff_read_file(SWITCH, buf, sizeof(buf)), 0);
	EXPECT_STREQ("always [madvise] never\n", buf);
}

/*
 * The page identity: each reservation takes 16 pages; the faulting page is
 * counted by alloc itself, each other one must be mapped (hit, map_ahead),
 * given back (release) or reclaimed by the shrinker (reclaim). A page a
 * fault was handed and gave back unmapped (returned) is counted again when
 * it is handed out again. A shortfall is a page the counters lost track of,
 * an excess one counted twice.
 */
static void expect_every_page_accounted(struct __test_metadata *_metadata,
					const struct counts *d)
{
	EXPECT_EQ(CHUNK_PAGES * d->alloc + d->returned,
		  d->alloc + d->hit + d->map_ahead + d->release + d->reclaim)
		TH_LOG("alloc %lu alloc_fail %lu hit %lu map_ahead %lu release %lu reclaim %lu "
		       "returned %lu", (unsigned long)d->alloc, (unsigned long)d->alloc_fail,
		       (unsigned long)d->hit, (unsigned long)d->map_ahead,
		       (unsigned long)d->release, (unsigned long)d->reclaim,
		       (unsigned long)d->returned);
}

/*
 * Sum of the "<name> N" lines of a /proc file (one per zone in zoneinfo).
 * Static buffer: a first call faults it in, later ones fault nothing, which
 * the counter reads around them need.
 */
static long proc_sum(const char *path, const char *name)
{
	long sum;

	return ff_proc_sum(path, name, &sum) < 0 ? -1 : sum;
}

/*
 * Free memory in KiB: MemFree, plus the pages the per-CPU lists hold
 * ("count:" in zoneinfo's pagesets). Freed pages go to those lists first,
 * up to their "high" mark (MiB each here), and MemFree does not count them.
 */
static long free_kb(void)
{
	return proc_sum("/proc/meminfo", "MemFree:") +
	       proc_sum("/proc/zoneinfo", "count") * (long)(PAGE / 1024);
}

/*
 * Free memory plus slab, in KiB. The child's exit frees its task, mm and
 * VMAs into slab caches, and under KASAN into its quarantine, which keeps
 * up to 1/32 of memory in slab pages: MiB that are not free, and not a
 * leak of reserved pages either, which never go to slab.
 */
static long free_and_slab_kb(void)
{
	return free_kb() + proc_sum("/proc/meminfo", "Slab:");
}

/*
 * free_and_slab_kb() once it reaches at_least, or its best after a second.
 * RCU and the per-CPU free lists return pages a little after the exit; a
 * real leak never comes back, however long this waits.
 */
static long free_and_slab_kb_reaching(long at_least)
{
	long best = free_and_slab_kb(), now;
	int try;

	for (try = 0; try < 20 && best < at_least; try++) {
		ff_write_file("/proc/sys/vm/drop_caches", "3");
		usleep(50 * 1000);
		now = free_and_slab_kb();
		if (now > best)
			best = now;
	}
	return best;
}

/* A child that faults densely, sparsely, then fills the sparse chunks. */
static void dense_and_sparse(size_t chunks)
{
	char *p = ff_mmap_aligned(2 * chunks * CHUNK, CHUNK);
	char *sparse = p + chunks * CHUNK;
	size_t c;

	if (p == MAP_FAILED)
		_exit(1);
	fill(p, chunks * CHUNK, 0xd);
	for (c = 0; c < chunks; c++)
		sparse[c * CHUNK] = 1;
	/*
	 * Each chunk reserved anew, with its first page already mapped: the
	 * reserved page that cannot be mapped there must be counted too.
	 */
	for (c = 0; c < chunks; c++)
		fill(sparse + c * CHUNK + PAGE, CHUNK - PAGE, 0x5);
	_exit(0);
}

/*
 * The child's exit gives back every page it reserved: the counters account
 * for all of them, and free memory (with slab) comes back to its level
 * before the child.
 */
TEST_F(reserve, exit_accounts_every_reserved_page)
{
	const size_t chunks = 64;	/* 4 MiB dense, 4 MiB sparse then filled */
	const long tolerance_kb = 2048;
	struct counts a, b, d;
	long free0, free1;
	int status;
	pid_t pid;

	free_and_slab_kb();	/* fault in its buffer and stack first */
	/* The same floor of page cache as the reads after the child drop to. */
	ASSERT_EQ(0, ff_write_file("/proc/sys/vm/drop_caches", "3"));
	free0 = free_and_slab_kb();
	read_counts(_metadata, &a);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		dense_and_sparse(chunks);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	read_counts(_metadata, &b);
	free1 = free_and_slab_kb_reaching(free0 - tolerance_kb);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	delta(&a, &b, &d);
	expect_every_page_accounted(_metadata, &d);
	EXPECT_GE(d.alloc, 2 * chunks);
	TH_LOG("free memory and slab %ld KiB before the child, %ld KiB after",
	       free0, free1);
	EXPECT_GE(free1, free0 - tolerance_kb);
}

/*
 * Exit tears the whole mm down: no CPU can use its addresses any more, so
 * its blocks need no break-before-make and no TLB flush each (arm64 does
 * not even flush leaf entries for a full-mm teardown). The child folds
 * sixteen chunks and exits; none of its blocks may count as unfolded.
 * Kernels without contiguous blocks skip.
 */
TEST_F(reserve, exit_unfolds_no_block)
{
	const size_t chunks = 16;
	uint64_t fold0, fold1, clear0, clear1;
	int status;
	pid_t pid;

	if (ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &fold0))
		SKIP(return, "kernel without contiguous PTE blocks");
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_unfold_clear", &clear0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p = ff_mmap_aligned(chunks * CHUNK, CHUNK);

		if (p == MAP_FAILED)
			_exit(1);
		fill(p, chunks * CHUNK, 0x3e);
		_exit(check(p, chunks * CHUNK, 0x3e) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold", &fold1));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_unfold_clear", &clear1));
	TH_LOG("child folded %llu blocks; %llu unfolded to clear an entry",
	       (unsigned long long)(fold1 - fold0), (unsigned long long)(clear1 - clear0));
	EXPECT_GE(fold1 - fold0, chunks);
	EXPECT_EQ(0u, clear1 - clear0);
}

/*
 * execve() replaces the mm: the old one's reservation must be given back,
 * as at exit, and the new program's reservations too when it exits.
 */
TEST_F(reserve, execve_gives_the_reservation_back)
{
	struct counts a, b, d;
	int status;
	pid_t pid;
	char *p;

	ASSERT_NE(NULL, p = map_chunks(self, 1));
	read_counts(_metadata, &a);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		p[0] = 1;	/* reserves the chunk: fifteen pages unused */
		execl("/bin/sh", "sh", "-c", "exit 0", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	read_counts(_metadata, &b);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	delta(&a, &b, &d);
	expect_every_page_accounted(_metadata, &d);
	EXPECT_GE(d.release, CHUNK_PAGES - 1);
}

/*
 * Threads of one mm that fault into the same few chunks while another
 * thread keeps the shrinker running. A fault that hits the reservation maps
 * the rest of its chunk from it; meanwhile another thread may reserve
 * elsewhere, the shrinker may take the block, and a third thread may reserve
 * the same chunk again with a new block. The rest mapped must still come
 * from the faulting page's own block, and never include the faulting page's
 * own entry: a page of the new block mapped there is overwritten a moment
 * later and leaks, its RSS count with it ("Bad rss-counter" when the mm
 * goes, a page that never comes back).
 */
#define RACE_THREADS	6
#define RACE_CHUNKS	2
#define RACE_SECONDS	20

struct race {
	char *mem;
	volatile int stop;
	pthread_barrier_t start;
};

static void *race_faulter(void *arg)
{
	struct race *rc = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;

	pthread_barrier_wait(&rc->start);
	while (!rc->stop) {
		char *chunk = rc->mem + (rand_r(&seed) % RACE_CHUNKS) * CHUNK;

		/* Two faults: the second one maps the rest of the chunk. */
		chunk[(rand_r(&seed) % CHUNK_PAGES) * PAGE] = 1;
		chunk[(rand_r(&seed) % CHUNK_PAGES) * PAGE] = 2;
		madvise(chunk, CHUNK, MADV_DONTNEED);
	}
	return NULL;
}

/* Runs the shrinker for RACE_SECONDS, then stops the faulters. */
static void *race_shrinker(void *arg)
{
	struct race *rc = arg;
	time_t end;

	pthread_barrier_wait(&rc->start);
	end = time(NULL) + RACE_SECONDS;
	/* Not flat out: the faulters need the CPUs more. */
	while (time(NULL) < end) {
		ff_write_file("/proc/sys/vm/drop_caches", "2");
		usleep(10 * 1000);
	}
	rc->stop = 1;
	return NULL;
}

/* The child: RACE_THREADS faulters and one shrinker thread; 0 on success. */
static int race_child(void)
{
	pthread_t faulters[RACE_THREADS], shrinker;
	struct race rc = { 0 };
	int i;

	rc.mem = ff_mmap_aligned(RACE_CHUNKS * CHUNK, CHUNK);
	if (rc.mem == MAP_FAILED)
		return 1;
	if (pthread_barrier_init(&rc.start, NULL, RACE_THREADS + 1))
		return 2;
	if (pthread_create(&shrinker, NULL, race_shrinker, &rc))
		return 3;
	for (i = 0; i < RACE_THREADS; i++)
		if (pthread_create(&faulters[i], NULL, race_faulter, &rc))
			return 3;
	pthread_join(shrinker, NULL);
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(faulters[i], NULL);
	return 0;
}

/*
 * The counters are global, and the race's shrinker thread takes back the
 * reservations of every mm, not only the child's. One that another process
 * (this one, the test runner) held before the window would add up to
 * fifteen pages reclaimed with no allocation in the window (a57 saw 353135
 * against 353120). So read the counters at a moment when no mm holds a
 * reservation: give every reservation back, read, give back again and read
 * again. The two reads agree only if nothing was reserved, taken or given
 * back between them, and at the first read nothing was held (the second
 * give-back would have counted it), so each block counted in the window was
 * allocated and given back inside it. The kselftest runner's processes
 * write this test's output meanwhile, and may fault.
 */
#define SETTLE_TRIES	50

static void read_counts_settled(struct __test_metadata *_metadata, struct counts *c)
{
	struct counts again;
	int i;

	for (i = 0; i < SETTLE_TRIES; i++) {
		ASSERT_EQ(0, ff_write_file("/proc/sys/vm/drop_caches", "2"));
		read_counts(_metadata, c);
		ASSERT_EQ(0, ff_write_file("/proc/sys/vm/drop_caches", "2"));
		read_counts(_metadata, &again);
		if (!memcmp(c, &again, sizeof(again)))
			return;
		usleep(10 * 1000);
	}
	ASSERT_TRUE(0) TH_LOG("reservations kept changing in %d tries", SETTLE_TRIES);
}

/* Does the kernel log from @fd on (opened at its end) name @what? */
static int kmsg_says(int fd, const char *what)
{
	char rec[1024];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: read on */
		if (n <= 0)
			return 0;
		rec[n] = '\0';
		if (strstr(rec, what))
			return 1;
	}
}

/*
 * An exited mm is checked ("Bad rss-counter") when its last reference goes,
 * and a CPU that ran it last may hold it as its lazy TLB mm until it next
 * switches to a user task. Run on each CPU in turn, so that each does.
 */
static void drop_lazy_mms(void)
{
	long cpu, cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t all, one;

	if (sched_getaffinity(0, sizeof(all), &all))
		return;
	for (cpu = 0; cpu < cpus; cpu++) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (!sched_setaffinity(0, sizeof(one), &one))
			usleep(10 * 1000);
	}
	sched_setaffinity(0, sizeof(all), &all);
}

TEST_F_TIMEOUT(reserve, threads_refilling_one_chunk_leak_nothing, RACE_SECONDS + 60)
{
	struct counts a, b, d;
	int status, kmsg;
	pid_t pid;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_GE(kmsg, 0);
	ASSERT_EQ(0, lseek(kmsg, 0, SEEK_END) < 0);
	read_counts_settled(_metadata, &a);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(race_child());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	drop_lazy_mms();
	read_counts_settled(_metadata, &b);
	delta(&a, &b, &d);
	TH_LOG("alloc %lu hit %lu map_ahead %lu release %lu reclaim %lu",
	       (unsigned long)d.alloc, (unsigned long)d.hit, (unsigned long)d.map_ahead,
	       (unsigned long)d.release, (unsigned long)d.reclaim);
	EXPECT_GT(d.map_ahead, 0u);
	EXPECT_GT(d.reclaim, 0u);
	expect_every_page_accounted(_metadata, &d);
	EXPECT_EQ(0, kmsg_says(kmsg, "Bad rss-counter"));
	close(kmsg);
}

/*
 * Threads of one mm on different CPUs. Each CPU reserves in a slot of its
 * own in the mm (mm/anon_reserve.c), so a thread filling a chunk does not
 * lose its block to another thread filling another chunk meanwhile, and
 * every chunk is one aligned, physically contiguous, folded block; and
 * threads that fill the same chunks take pages from whichever slot holds
 * the chunk. Each filler is pinned to its CPU; the kernel cannot be asked
 * which CPU a fault ran on, so a filler that could not be pinned skips.
 */
#define SLOT_THREADS	2
#define SLOT_CHUNKS	32

struct slot_filler {
	pthread_t thread;
	pthread_barrier_t *start;
	char *mem;
	size_t first;	/* the first page it writes, */
	size_t stride;	/* and every stride-th one after it */
	size_t pages;
	unsigned int seed;
	int cpu;
	int pinned;
};

static void *slot_fill(void *arg)
{
	struct slot_filler *f = arg;
	cpu_set_t one;
	size_t i;

	CPU_ZERO(&one);
	CPU_SET(f->cpu, &one);
	f->pinned = !pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	pthread_barrier_wait(f->start);
	for (i = f->first; i < f->pages; i += f->stride)
		*(unsigned int *)(f->mem + i * PAGE) = f->seed ^ (unsigned int)i;
	return NULL;
}

/* Pages of the filler's share that do not hold what it wrote. */
static size_t slot_bad_pages(const struct slot_filler *f)
{
	size_t i, bad = 0;

	for (i = f->first; i < f->pages; i += f->stride)
		bad += *(unsigned int *)(f->mem + i * PAGE) != (f->seed ^ (unsigned int)i);
	return bad;
}

/* Run the fillers, each on its CPU; 0, or -1 if one could not be pinned. */
static int slot_run(struct __test_metadata *_metadata, struct slot_filler *f,
		    unsigned int n)
{
	pthread_barrier_t start;
	unsigned int i;
	int pinned = 1;

	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, n));
	for (i = 0; i < n; i++) {
		f[i].start = &start;
		ASSERT_EQ(0, pthread_create(&f[i].thread, NULL, slot_fill, &f[i]));
	}
	for (i = 0; i < n; i++) {
		pthread_join(f[i].thread, NULL);
		pinned &= f[i].pinned;
	}
	pthread_barrier_destroy(&start);
	return pinned ? 0 : -1;
}

/*
 * Chunks of [p, p + chunks * CHUNK) that are not one aligned run of PFNs;
 * with @verbose, each is named in the log.
 */
static size_t chunks_not_contiguous(struct __test_metadata *_metadata,
				    const char *p, size_t chunks, int verbose)
{
	uint64_t first, pfn = 0;
	size_t c, i, bad = 0;

	for (c = 0; c < chunks; c++) {
		ASSERT_EQ(0, ff_pagemap_pfn(p + c * CHUNK, &first));
		ASSERT_NE(0u, first) TH_LOG("pagemap shows no PFNs: not root?");
		if (first % CHUNK_PAGES) {
			bad++;
			if (verbose)
				TH_LOG("chunk %zu: page 0 at pfn %#lx, not 64 KiB aligned", c,
				       (unsigned long)first);
			continue;
		}
		for (i = 1; i < CHUNK_PAGES; i++) {
			ASSERT_EQ(0, ff_pagemap_pfn(p + c * CHUNK + i * PAGE, &pfn));
			if (pfn != first + i)
				break;
		}
		if (i == CHUNK_PAGES)
			continue;
		bad++;
		if (verbose)
			TH_LOG("chunk %zu: page %zu at pfn %#lx, page 0 at %#lx", c, i,
			       (unsigned long)pfn, (unsigned long)first);
	}
	return bad;
}

TEST_F(reserve, threads_on_two_cpus_fill_different_chunks_whole)
{
	struct slot_filler f[SLOT_THREADS] = { 0 };
	uint64_t evict0, evict1;
	struct counts a, b, d;
	struct ff_audit audit;
	const char *policy;
	unsigned int i, round;
	size_t bad;
	char *p;

	if (sysconf(_SC_NPROCESSORS_ONLN) < SLOT_THREADS)
		SKIP(return, "fewer than %d CPUs", SLOT_THREADS);
	ASSERT_NE(NULL, p = map_chunks(self, 2 * SLOT_THREADS * SLOT_CHUNKS));
	/* The seed policy, then the adaptive one, each on fresh chunks. */
	for (round = 0; round < 2; round++) {
		policy = round ? "1" : "0";
		ASSERT_EQ(0, ff_write_file(ADAPTIVE, policy));
		ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE,
					     "anon_reserve_slot_evict", &evict0));
		for (i = 0; i < SLOT_THREADS; i++) {
			f[i].mem = p + (round * SLOT_THREADS + i) * SLOT_CHUNKS * CHUNK;
			f[i].first = 0;
			f[i].stride = 1;
			f[i].pages = SLOT_CHUNKS * CHUNK_PAGES;
			f[i].seed = 0x51075 + i;
			f[i].cpu = i;
		}
		read_counts(_metadata, &a);
		if (slot_run(_metadata, f, SLOT_THREADS))
			SKIP(return, "could not pin a thread to each CPU");
		read_counts(_metadata, &b);
		delta(&a, &b, &d);
		TH_LOG("adaptive %s: alloc %lu alloc_fail %lu skip %lu hit %lu map_ahead %lu "
		       "release %lu returned %lu", policy, (unsigned long)d.alloc,
		       (unsigned long)d.alloc_fail, (unsigned long)d.skip, (unsigned long)d.hit,
		       (unsigned long)d.map_ahead, (unsigned long)d.release,
		       (unsigned long)d.returned);
		ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE,
					     "anon_reserve_slot_evict", &evict1));
		/*
		 * A chunk can be cut only where a page of it came from no
		 * reservation: a fault the adaptive policy served with one
		 * page (the switch to it backs off first: the last chunk of
		 * the seed round looks sparse to it), or a failed
		 * allocation. Never because the other thread took its block.
		 */
		bad = 0;
		for (i = 0; i < SLOT_THREADS; i++) {
			EXPECT_EQ(0u, slot_bad_pages(&f[i])) TH_LOG("adaptive %s, thread %u",
								     policy, i);
			bad += chunks_not_contiguous(_metadata, f[i].mem, SLOT_CHUNKS, 1);
		}
		EXPECT_LE(bad, d.skip + d.alloc_fail) TH_LOG("adaptive %s: %lu chunks cut",
							     policy, (unsigned long)bad);
		TH_LOG("adaptive %s: %lu slot evictions", policy,
		       (unsigned long)(evict1 - evict0));
	}
	/* Every block right; those of the seed round all folded. */
	audit_self(_metadata, &audit);
	EXPECT_LE((uint64_t)(SLOT_THREADS * SLOT_CHUNKS), audit.blocks)
		TH_LOG("%s", audit.report);
}

TEST_F(reserve, threads_on_two_cpus_fill_the_same_chunks)
{
	struct slot_filler f[SLOT_THREADS] = { 0 };
	struct counts a, b, d;
	struct ff_audit audit;
	unsigned int i;
	char *p;

	if (sysconf(_SC_NPROCESSORS_ONLN) < SLOT_THREADS)
		SKIP(return, "fewer than %d CPUs", SLOT_THREADS);
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "1"));
	read_counts_settled(_metadata, &a);
	ASSERT_NE(NULL, p = map_chunks(self, SLOT_CHUNKS));
	/* Thread i writes pages i, i + 2, ...: both write every chunk. */
	for (i = 0; i < SLOT_THREADS; i++) {
		f[i].mem = p;
		f[i].first = i;
		f[i].stride = SLOT_THREADS;
		f[i].pages = SLOT_CHUNKS * CHUNK_PAGES;
		f[i].seed = 0x5a3e + i;
		f[i].cpu = i;
	}
	if (slot_run(_metadata, f, SLOT_THREADS))
		SKIP(return, "could not pin a thread to each CPU");
	for (i = 0; i < SLOT_THREADS; i++)
		EXPECT_EQ(0u, slot_bad_pages(&f[i])) TH_LOG("thread %u", i);
	audit_self(_metadata, &audit);
	TH_LOG("%lu of %d chunks contiguous, %lu blocks folded",
	       (unsigned long)(SLOT_CHUNKS - chunks_not_contiguous(_metadata, p, SLOT_CHUNKS, 0)),
	       SLOT_CHUNKS, (unsigned long)audit.blocks);
	ASSERT_EQ(0, munmap(p, self->size));
	self->mem = NULL;
	read_counts_settled(_metadata, &b);
	delta(&a, &b, &d);
	expect_every_page_accounted(_metadata, &d);
}

/*
 * Pages mapped ahead are charged without the memcg OOM killer behind them:
 * a group that can hold what its task touches must not be OOM-killed for
 * the pages mapped ahead of it. The child writes densely until its group,
 * without swap, is MEMCG_SLACK short of memory.max, then touches two pages
 * in each of four more chunks: each second touch maps fourteen pages
 * ahead, 224 KiB in all, which cannot all be charged.
 */
#define CGROUP2		"/sys/fs/cgroup"
#define MEMCG_DIR	CGROUP2 "/fastfault-reserve"
#define MEMCG_MAX	(3 * 1024 * 1024L)
#define MEMCG_SLACK	(24 * 1024L)

/* The value of the line "@name N" of a memory.stat read into @stat. */
static int stat_line(const char *stat, const char *name, long *value)
{
	const char *line = stat;
	size_t len = strlen(name);

	for (; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			*value = atol(line + len + 1);
			return 0;
		}
	}
	return -1;
}

/* The value of the line "@name N" of the group's memory.stat. */
static int memcg_stat(const char *name, long *value)
{
	static char stat[4096];

	if (ff_read_file(MEMCG_DIR "/memory.stat", stat, sizeof(stat)) <= 0)
		return -1;
	return stat_line(stat, name, value);
}

static void write_up_to_the_limit(void)
{
	const size_t extra = 4;
	long anon, file, kernel, current, chunks;
	char *p, *q;
	size_t c, i;

	/*
	 * What the group holds: memory.current also counts the charges each
	 * CPU keeps in stock for the group, up to 256 KiB of them.
	 */
	if (memcg_stat("anon", &anon) || memcg_stat("file", &file) ||
	    memcg_stat("kernel", &kernel))
		_exit(1);
	current = anon + file + kernel;
	chunks = (MEMCG_MAX - MEMCG_SLACK - current - 2 * extra * PAGE) / CHUNK;
	if (chunks < 1)
		_exit(2);

	p = ff_mmap_aligned((chunks + extra) * CHUNK, CHUNK);
	if (p == MAP_FAILED)
		_exit(1);
	fill(p, chunks * CHUNK, 0xc6);
	for (c = 0, q = p + chunks * CHUNK; c < extra; c++, q += CHUNK) {
		q[0] = 1;
		q[PAGE] = 2;
	}
	if (check(p, chunks * CHUNK, 0xc6))
		_exit(4);
	for (c = 0, q = p + chunks * CHUNK; c < extra; c++, q += CHUNK) {
		if (q[0] != 1 || q[PAGE] != 2)
			_exit(5);
		for (i = 2; i < CHUNK_PAGES; i++)
			if (q[i * PAGE])
				_exit(6);	/* mapped ahead or not, it reads zero */
	}
	_exit(0);
}

/* Mount cgroup v2 if nothing is there; returns 1 if this mounted it. */
static int cgroup2_mount(struct __test_metadata *_metadata)
{
	if (!access(CGROUP2 "/cgroup.controllers", F_OK))
		return 0;
	ASSERT_EQ(0, mount("cgroup2", CGROUP2, "cgroup2", 0, NULL));
	return 1;
}

/*
 * Make the memory cgroup @dir afresh, mounting cgroup v2 first if nothing
 * is mounted there (*mounted says so, for the caller to unmount). Returns
 * NULL, or why the case must be skipped.
 */
static const char *memcg_make(struct __test_metadata *_metadata, const char *dir,
			      int *mounted)
{
	*mounted = 0;
	if (access(CGROUP2, F_OK))
		return "no " CGROUP2 " to mount cgroup v2 on";
	*mounted = cgroup2_mount(_metadata);
	if (ff_write_file(CGROUP2 "/cgroup.subtree_control", "+memory"))
		return "no cgroup v2 memory controller (bound to v1?)";
	rmdir(dir);
	ASSERT_EQ(0, mkdir(dir, 0755));
	return NULL;
}

TEST_F(reserve, memcg_limit_is_not_oom_killed_by_map_ahead)
{
	char events[1024], pid_s[16];
	long oom_kills = -1;
	int status, mounted;
	struct counts a, b, d;
	const char *why;
	char *line;
	pid_t pid;

	why = memcg_make(_metadata, MEMCG_DIR, &mounted);
	if (why)
		SKIP(goto out, "%s", why);
	snprintf(pid_s, sizeof(pid_s), "%ld", MEMCG_MAX);
	ASSERT_EQ(0, ff_write_file(MEMCG_DIR "/memory.max", pid_s));
	ASSERT_EQ(0, ff_write_file(MEMCG_DIR "/memory.swap.max", "0"));
	read_counts(_metadata, &a);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		snprintf(pid_s, sizeof(pid_s), "%d", getpid());
		if (ff_write_file(MEMCG_DIR "/cgroup.procs", pid_s))
			_exit(3);
		write_up_to_the_limit();
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	read_counts(_metadata, &b);
	ASSERT_LT(0, ff_read_file(MEMCG_DIR "/memory.events", events, sizeof(events)));
	line = strstr(events, "oom_kill ");
	if (line)
		oom_kills = atol(line + strlen("oom_kill "));
	line = strstr(events, "max ");
	TH_LOG("memory.max reached %ld times", line ? atol(line + strlen("max ")) : -1L);
	if (ff_read_file(MEMCG_DIR "/memory.peak", events, sizeof(events)) > 0)
		TH_LOG("memory.peak %s", events);
	rmdir(MEMCG_DIR);
	delta(&a, &b, &d);
	TH_LOG("alloc %lu hit %lu map_ahead %lu release %lu", (unsigned long)d.alloc,
	       (unsigned long)d.hit, (unsigned long)d.map_ahead, (unsigned long)d.release);
	EXPECT_FALSE(WIFSIGNALED(status)) TH_LOG("child killed by signal %d", WTERMSIG(status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child exit status %d", WEXITSTATUS(status));
	EXPECT_EQ(0, oom_kills);
	EXPECT_GT(d.map_ahead, 0u);
	/* Some pages mapped ahead could not be charged, and went back. */
	EXPECT_GT(d.release, 0u);
out:
	if (mounted)
		umount(CGROUP2);
}

/*
 * A dense chunk is mapped whole with its rmap and LRU counted once for the
 * sixteen pages (page_add_new_anon_rmap_block(), lru_add_block_vma()): the
 * group's anon and anon LRU sizes must still move by every page, and back.
 * memory.stat may lag by the updates each CPU has not yet flushed (under
 * 64 pages a CPU, and as many again before a read flushes): LRU_SLACK
 * covers them, far below the 15 pages a chunk a per-chunk miscount loses.
 */
#define LRU_DIR		CGROUP2 "/fastfault-reserve-lru"
#define LRU_BYTES	(16 * 1024 * 1024L)
#define LRU_SLACK	(2 * 1024 * 1024L)

struct anon_sizes {
	long mapped, lru;
};

static void read_anon_sizes(struct __test_metadata *_metadata, struct anon_sizes *s)
{
	long inactive, active;
	static char stat[4096];

	ASSERT_LT(0, ff_read_file(LRU_DIR "/memory.stat", stat, sizeof(stat)));
	ASSERT_EQ(0, stat_line(stat, "anon", &s->mapped));
	ASSERT_EQ(0, stat_line(stat, "inactive_anon", &inactive));
	ASSERT_EQ(0, stat_line(stat, "active_anon", &active));
	s->lru = inactive + active;
}

/* The child: join the group, then write, unmap and exit at the parent's word. */
static void lru_child(int to_parent, int from_parent)
{
	char pid_s[16], c = 0;
	char *p;

	snprintf(pid_s, sizeof(pid_s), "%d", getpid());
	if (ff_write_file(LRU_DIR "/cgroup.procs", pid_s))
		_exit(3);
	p = ff_mmap_aligned(LRU_BYTES, CHUNK);
	if (p == MAP_FAILED)
		_exit(4);
	if (write(to_parent, &c, 1) != 1 || read(from_parent, &c, 1) != 1)
		_exit(5);
	fill(p, LRU_BYTES, 0x1ab);
	if (check(p, LRU_BYTES, 0x1ab))
		_exit(6);
	if (write(to_parent, &c, 1) != 1 || read(from_parent, &c, 1) != 1)
		_exit(5);
	munmap(p, LRU_BYTES);
	if (write(to_parent, &c, 1) != 1 || read(from_parent, &c, 1) != 1)
		_exit(5);
	_exit(0);
}

TEST_F(reserve, chunks_mapped_whole_count_every_page_as_anon_on_the_lru)
{
	struct anon_sizes before, written, unmapped;
	int up[2], down[2], status, mounted;
	uint64_t empty0, empty1;
	const char *why;
	char c = 0;
	pid_t pid;

	why = memcg_make(_metadata, LRU_DIR, &mounted);
	if (why)
		SKIP(goto out, "%s", why);
	ASSERT_EQ(0, ff_write_file(ADAPTIVE, "1"));
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold_empty", &empty0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		lru_child(up[1], down[0]);

	ASSERT_EQ(1, read(up[0], &c, 1));
	read_anon_sizes(_metadata, &before);
	ASSERT_EQ(1, write(down[1], &c, 1));
	ASSERT_EQ(1, read(up[0], &c, 1));
	read_anon_sizes(_metadata, &written);
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_CONT, "cont_pte_fold_empty", &empty1));
	ASSERT_EQ(1, write(down[1], &c, 1));
	ASSERT_EQ(1, read(up[0], &c, 1));
	read_anon_sizes(_metadata, &unmapped);
	ASSERT_EQ(1, write(down[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	rmdir(LRU_DIR);

	TH_LOG("anon %ld -> %ld -> %ld, anon LRU %ld -> %ld -> %ld; %llu chunks mapped whole",
	       before.mapped, written.mapped, unmapped.mapped, before.lru, written.lru,
	       unmapped.lru, (unsigned long long)(empty1 - empty0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child exit status %d", WEXITSTATUS(status));
	/* Most of the 256 chunks were mapped whole, not page by page. */
	EXPECT_GE(empty1 - empty0, LRU_BYTES / CHUNK / 2);
	EXPECT_LE(labs(written.mapped - before.mapped - LRU_BYTES), LRU_SLACK);
	EXPECT_LE(labs(written.lru - before.lru - LRU_BYTES), LRU_SLACK);
	EXPECT_LE(labs(unmapped.mapped - before.mapped), LRU_SLACK);
	EXPECT_LE(labs(unmapped.lru - before.lru), LRU_SLACK);
out:
	if (mounted)
		umount(CGROUP2);
}

/*
 * Page aging on a folded block, as reclaim, DAMON and page_idle see it: the
 * block's sixteen pages are sixteen folios, aged one by one. Aging the
 * first must not make the others look cold. On a CPU without hardware
 * access-flag management (CPU=cortex-a57) each access after aging faults,
 * and that fault must set the flag without unfolding the block.
 */
#define PAGE_IDLE	"/sys/kernel/mm/page_idle/bitmap"

/* The 64 idle bits of the bitmap word that holds @pfn. */
static int idle_word(uint64_t pfn, uint64_t *bits, int set)
{
	off_t off = (off_t)(pfn / 64) * sizeof(*bits);
	int fd = open(PAGE_IDLE, set ? O_WRONLY : O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = set ? pwrite(fd, bits, sizeof(*bits), off) : pread(fd, bits, sizeof(*bits), off);
	close(fd);
	return n == sizeof(*bits) ? 0 : -EIO;
}

TEST_F(reserve, idle_tracking_ages_each_page_of_a_folded_block)
{
	uint64_t pfn, block_bits, bits;
	volatile char *v;
	struct ff_walk w;
	cpu_set_t cpus;
	size_t i;
	char *p;

	if (access(PAGE_IDLE, W_OK))
		SKIP(return, "kernel without CONFIG_IDLE_PAGE_TRACKING");
	/* One CPU: its LRU batch is the one the filler below drains. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	ASSERT_NE(NULL, p = map_chunks(self, 3));
	fill(p, CHUNK, 0x1d);
	/* page_idle sees only pages on the LRU: push the block out of the batch. */
	fill(p + CHUNK, 2 * CHUNK, 0x1e);
	ASSERT_EQ(0, ff_walk(getpid(), p, &w));
	ASSERT_EQ(1, w.cont) TH_LOG("the chunk did not fold: %s", w.report);
	ASSERT_EQ(0, ff_pagemap_pfn(p, &pfn));
	block_bits = 0xffffULL << (pfn % 64);

	/* Mark the block idle, which clears its access flags. */
	bits = block_bits;
	ASSERT_EQ(0, idle_word(pfn, &bits, 1));
	ASSERT_EQ(0, idle_word(pfn, &bits, 0));
	ASSERT_EQ(block_bits, bits & block_bits) TH_LOG("pages not on the LRU");
	/*
	 * Aging clears the access flags in the entries, not in the TLB, and
	 * 6.1 flushes no TLB for clear_refs "1" either: an access through
	 * an entry the TLB still holds sets no flag. (The test passed as long
	 * as other CPUs' folds and unfolds kept flushing every TLB.) The block
	 * was faulted in on CPU 0 alone: access it from CPU 1, whose TLB never
	 * held it, so that each access walks the entries again.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(1, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		SKIP(return, "one CPU: no TLB that never held the block");
	v = p;
	for (i = 1; i < CHUNK_PAGES; i++)
		(void)v[i * PAGE];

	ASSERT_EQ(0, idle_word(pfn, &bits, 0));
	/* Page 0 may look young through a neighbour's entry; 1-15 must. */
	EXPECT_EQ(0u, bits & block_bits & ~(1ULL << (pfn % 64)))
		TH_LOG("idle bits %#llx of block %#llx", (unsigned long long)(bits & block_bits),
		       (unsigned long long)block_bits);
	ASSERT_EQ(0, ff_walk(getpid(), p, &w));
	EXPECT_EQ(1, w.cont) TH_LOG("the block unfolded: %s", w.report);
	EXPECT_EQ(0, check(p, CHUNK, 0x1d));
}

/*
 * A fold rewrites sixteen live entries: a device that shares the page
 * tables (an IOMMU with SVA) must hear of it through the mmu notifier for
 * secondary TLBs, which the CPU's TLB flush does not call. The module's
 * tlb_notify stands in for such a device. The fold happens in the fault
 * path, where nothing else sends this process such an invalidation.
 */
#define TLB_NOTIFY	FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_TLB_NOTIFY_FILE

static void tlb_notify_counts(struct __test_metadata *_metadata, uint64_t *calls,
			      uint64_t *blocks)
{
	static char buf[256];

	ASSERT_LT(0, ff_read_file(TLB_NOTIFY, buf, sizeof(buf)));
	ASSERT_EQ(0, ff_stats_lookup(buf, FASTFAULT_TLB_NOTIFY_INVALIDATIONS, calls));
	ASSERT_EQ(0, ff_stats_lookup(buf, FASTFAULT_TLB_NOTIFY_BLOCKS, blocks));
}

TEST_F(reserve, folding_a_block_reaches_secondary_tlbs)
{
	uint64_t calls0, blocks0, calls, blocks;
	char pid_s[16];
	struct ff_walk w;
	int ret;
	char *p;

	ASSERT_NE(NULL, p = map_chunks(self, 1));
	snprintf(pid_s, sizeof(pid_s), "%d", getpid());
	ret = ff_write_file(TLB_NOTIFY, pid_s);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "kernel without CONFIG_MMU_NOTIFIER");
	ASSERT_EQ(0, ret);
	tlb_notify_counts(_metadata, &calls0, &blocks0);
	fill(p, CHUNK, 0x7b);
	tlb_notify_counts(_metadata, &calls, &blocks);
	ASSERT_EQ(0, ff_walk(getpid(), p, &w));
	ff_write_file(TLB_NOTIFY, "off");
	ASSERT_EQ(1, w.cont) TH_LOG("the chunk did not fold: %s", w.report);
	TH_LOG("secondary TLB invalidations: %llu, %llu of whole blocks",
	       (unsigned long long)(calls - calls0), (unsigned long long)(blocks - blocks0));
	EXPECT_GE(blocks - blocks0, 1u);
	EXPECT_EQ(0, check(p, CHUNK, 0x7b));
}

/*
 * memory_failure() cannot take a reserved page, which is neither free nor
 * on the LRU: it only marks it poisoned. The reservation must not hand it
 * out, neither at a fault nor in the pages it maps ahead.
 */
#define HWPOISON_CORRUPT	"/sys/kernel/debug/hwpoison/corrupt-pfn"
#define KPF_HWPOISON		19

static int page_poisoned(uint64_t pfn)
{
	uint64_t flags;
	ssize_t n;
	int fd;

	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, &flags, sizeof(flags), (off_t)(pfn * sizeof(flags)));
	close(fd);
	if (n != sizeof(flags))
		return -EIO;
	return !!(flags & (1ULL << KPF_HWPOISON));
}

/* Poison @pfn, which nothing maps; memory_failure() answers EBUSY for it. */
static void poison(struct __test_metadata *_metadata, uint64_t pfn)
{
	char val[32];

	snprintf(val, sizeof(val), "%llu", (unsigned long long)pfn);
	ff_write_file(HWPOISON_CORRUPT, val);
	ASSERT_EQ(1, page_poisoned(pfn)) TH_LOG("pfn %#llx not marked poisoned",
						(unsigned long long)pfn);
}

TEST_F(reserve, poisoned_reserved_pages_are_not_handed_out)
{
	uint64_t base, pfn;
	struct counts a, b, d;
	size_t i;
	char *p;

	if (access(HWPOISON_CORRUPT, W_OK))
		SKIP(return, "kernel without CONFIG_MEMORY_FAILURE and HWPOISON_INJECT");
	ASSERT_NE(NULL, p = map_chunks(self, 1));
	p[0] = 1;
	ASSERT_EQ(0, ff_pagemap_pfn(p, &base));
	/* Page 1, the next fault's, and page 5, one to be mapped ahead. */
	poison(_metadata, base + 1);
	poison(_metadata, base + 5);

	read_counts(_metadata, &a);
	p[PAGE] = 2;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	ASSERT_EQ(0, ff_pagemap_pfn(p + PAGE, &pfn));
	EXPECT_NE(base + 1, pfn) TH_LOG("the poisoned page was mapped at its fault");
	EXPECT_EQ(0u, d.hit);
	EXPECT_EQ(1u, d.release);

	/* The third fault maps the rest ahead, all but page 5. */
	read_counts(_metadata, &a);
	p[2 * PAGE] = 3;
	read_counts(_metadata, &b);
	delta(&a, &b, &d);
	EXPECT_EQ(1u, d.hit);
	EXPECT_EQ(CHUNK_PAGES - 4, d.map_ahead);
	EXPECT_EQ(1u, d.release);
	for (i = 0; i < CHUNK_PAGES; i++) {
		if (ff_pagemap_pfn(p + i * PAGE, &pfn))
			continue;	/* page 5: not mapped yet */
		EXPECT_NE(base + 5, pfn) TH_LOG("the poisoned page was mapped at page %zu", i);
	}
	p[5 * PAGE] = 6;
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(2, p[PAGE]);
	EXPECT_EQ(3, p[2 * PAGE]);
	EXPECT_EQ(6, p[5 * PAGE]);
}

/* What the hog saw, sent to the parent through a pipe. */
struct hog_report {
	long steps;		/* MiB written */
	long quiet_steps;	/* of which, with no shrinker run meanwhile */
	uint64_t quiet_attempts;	/* reservation attempts in those */
	uint64_t attempts;	/* in all steps: alloc + alloc_fail */
	uint64_t alloc_fail;
	long stop_kb;		/* MemFree it stopped at or below */
	long free_kb;		/* MemFree when it stopped */
	long held_s;		/* how long it held the memory */
	long reserved_kb;	/* AnonReserved when it let go */
};

#define HOG_STEP	(1024 * 1024UL)
#define HOG_HOLD_S	20

/* Sum of the zones' @name ("min", "low") watermarks, in KiB. */
static long watermarks_kb(const char *name)
{
	return proc_sum("/proc/zoneinfo", name) * (long)(PAGE / 1024);
}

/* Direct reclaim stalls, over all zone types. */
static long allocstalls(void)
{
	return proc_sum("/proc/vmstat", "allocstall_dma") +
	       proc_sum("/proc/vmstat", "allocstall_dma32") +
	       proc_sum("/proc/vmstat", "allocstall_normal") +
	       proc_sum("/proc/vmstat", "allocstall_movable");
}

/*
 * Reservation attempts (alloc + alloc_fail), failures and pages reclaimed
 * so far, from one read of the stats file; zeroes if it cannot be read.
 */
static void reserve_stats(uint64_t *attempts, uint64_t *alloc_fail, uint64_t *reclaim)
{
	static char buf[4096];
	uint64_t alloc = 0;

	*alloc_fail = *reclaim = 0;
	if (ff_read_file(FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_DIR_RESERVE "/stats",
			 buf, sizeof(buf)) > 0) {
		ff_stats_lookup(buf, "anon_reserve_alloc", &alloc);
		ff_stats_lookup(buf, "anon_reserve_alloc_fail", alloc_fail);
		ff_stats_lookup(buf, "anon_reserve_reclaim", reclaim);
	}
	*attempts = alloc + *alloc_fail;
}

/*
 * Write anonymous memory 1 MiB at a time, each step chunk-aligned (16 chunks,
 * each reserving at its first fault), until kswapd has run. kswapd is woken
 * when an ordinary allocation finds every zone below its low watermark; it
 * then runs and, with little to reclaim (swap on a RAM disk frees no
 * memory), calls the shrinker, which gives back half of what it counts at
 * each call.
 *
 * The order-4 blocks are allocated with THP's light flags, which never wake
 * kswapd, and take a zone below low down to min when the other zones have
 * no free order-4 block left. So neither the blocks nor MemFree say when
 * kswapd wakes: a hog that stopped at MemFree halfway between the sums of
 * the min and low watermarks had one node at min and the other still above
 * low, and kswapd asleep (kswapd runs 0 in one boot, 34 in the next). Each
 * step also writes one page of a MADV_NOHUGEPAGE region, which is never
 * reserved: an ordinary order-0 fault, which wakes kswapd once every zone
 * is below low. The hog stops once kswapd has run with MemFree below the
 * sum of the low watermarks: a run counted earlier may be a high-order
 * wake-up (a fork's stack) that found the node balanced and reclaimed
 * nothing, after which kswapd slept through the whole hold. MemFree an
 * eighth of the way from the sum of the min watermarks to that of the low
 * ones only stops a hog that never saw kswapd run, short of direct reclaim
 * and the OOM killer.
 *
 * It holds until no page is left reserved anywhere (AnonReserved 0: its
 * own chunks are written whole, so what is left is the parent's), or
 * HOG_HOLD_S, then exits.
 *
 * A step in which the shrinker ran may take more attempts than 16: a fault
 * in a chunk whose reservation was just reclaimed reserves again. The steps
 * with no reclaim between the counter reads that bracket them (a /proc read
 * apart, so that a reclaim's count has landed) must take exactly 16.
 */
static void hog(int fd)
{
	uint64_t at0, fail0, at, fail, rc, at_prev = 0, rc_prev = 0;
	long total = proc_sum("/proc/meminfo", "MemTotal:") * 1024L;
	long kswapd_runs = proc_sum("/proc/vmstat", "pageoutrun");
	size_t pinch_pages = total / HOG_STEP + 1;
	struct hog_report r = { 0 };
	char *q, *pinch;
	size_t i;

	pinch = mmap(NULL, pinch_pages * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pinch == MAP_FAILED || madvise(pinch, pinch_pages * PAGE, MADV_NOHUGEPAGE))
		_exit(2);
	r.stop_kb = watermarks_kb("min") + (watermarks_kb("low") - watermarks_kb("min")) / 8;
	reserve_stats(&at0, &fail0, &rc);
	for (;;) {
		r.free_kb = proc_sum("/proc/meminfo", "MemFree:");
		reserve_stats(&at, &fail, &rc);
		if (r.steps && rc == rc_prev) {
			r.quiet_steps++;
			r.quiet_attempts += at - at_prev;
		}
		at_prev = at;
		rc_prev = rc;
		if (proc_sum("/proc/vmstat", "pageoutrun") > kswapd_runs &&
		    r.free_kb <= watermarks_kb("low"))
			break;
		if (r.free_kb <= r.stop_kb || r.steps * (long)HOG_STEP > total)
			break;
		q = ff_mmap_aligned(HOG_STEP, CHUNK);
		if (q == MAP_FAILED)
			break;
		for (i = 0; i < HOG_STEP; i += PAGE)
			q[i] = 1;
		pinch[r.steps * PAGE] = 1;
		r.steps++;
	}
	r.attempts = at - at0;
	r.alloc_fail = fail - fail0;
	while (r.held_s < HOG_HOLD_S && proc_sum("/proc/meminfo", "AnonReserved:") > 0) {
		sleep(1);
		r.held_s++;
	}
	r.reserved_kb = proc_sum("/proc/meminfo", "AnonReserved:");
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

/*
 * Swap every device in /proc/swaps off and on again: swapoff brings every
 * swapped page back to memory, so the swap is left empty. Returns 0 or -errno.
 */
static int swap_empty(void)
{
	char buf[1024], dev[256], *line;
	int ret = 0;

	if (ff_read_file("/proc/swaps", buf, sizeof(buf)) < 0)
		return -errno;
	for (line = strchr(buf, '\n'); line && sscanf(line + 1, "%255s", dev) == 1;
	     line = strchr(line + 1, '\n')) {
		if (swapoff(dev) || swapon(dev, 0))
			ret = -errno;
	}
	return ret;
}

/*
 * Real memory pressure, not drop_caches: a hog fills memory down to the
 * watermarks (both nodes: the default policy falls back to the remote one).
 * The parent's reserved pages must be given back by the shrinker, every
 * reservation attempt must be counted, and the hog must not be OOM-killed.
 */
TEST_F_TIMEOUT(reserve, pressure_returns_reservations_without_oom, 280)
{
	long kswapd_runs, stalls, slabs_scanned, swapped, oom_kills;
	uint64_t attempts, fail, reclaim;
	struct hog_report r;
	struct counts a, b, c, d;
	int status, fds[2];
	pid_t pid;
	char *p;

	/*
	 * The hog's pages may come from a CMA area, and the watermarks of its
	 * faults count free CMA pages; the kernel's own allocations (page
	 * tables, slab) cannot use them. With a CMA area no level of MemFree
	 * both wakes kswapd for the hog and keeps the kernel's allocations
	 * above min: with 16 MiB of CMA (DMA_CMA's default) the hog either
	 * never woke kswapd or was OOM-killed for a page table.
	 */
	if (proc_sum("/proc/meminfo", "CmaTotal:") > 0)
		SKIP(return, "a CMA area (CmaTotal %ld kB): boot without one",
		     proc_sum("/proc/meminfo", "CmaTotal:"));
	ASSERT_NE(NULL, p = map_chunks(self, 1));
	/* Fault in the buffers of what the hog and the checks below read. */
	proc_sum("/proc/zoneinfo", "low");
	reserve_stats(&attempts, &fail, &reclaim);
	ASSERT_EQ(0, pipe(fds));
	p[0] = 1;	/* the parent's reservation: fifteen pages unused */
	kswapd_runs = proc_sum("/proc/vmstat", "pageoutrun");
	stalls = allocstalls();
	slabs_scanned = proc_sum("/proc/vmstat", "slabs_scanned");
	swapped = proc_sum("/proc/vmstat", "pswpout");
	oom_kills = proc_sum("/proc/vmstat", "oom_kill");
	read_counts(_metadata, &a);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		hog(fds[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	read_counts(_metadata, &b);
	/* The parent's reservation was among those reclaimed: this reserves anew. */
	p[PAGE] = 2;
	read_counts(_metadata, &c);
	/*
	 * kswapd filled the swap with other processes' pages (the hog's went
	 * with it): empty it, so that the tests after this one can swap.
	 */
	EXPECT_EQ(0, swap_empty());
	ASSERT_FALSE(WIFSIGNALED(status)) TH_LOG("hog killed by signal %d", WTERMSIG(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ((ssize_t)sizeof(r), read(fds[0], &r, sizeof(r)));
	delta(&b, &c, &d);
	EXPECT_EQ(1u, d.alloc);
	EXPECT_EQ(0u, d.hit);
	EXPECT_EQ(1, p[0]);

	delta(&a, &b, &d);
	TH_LOG("hog: %ld MiB down to MemFree %ld KiB (stop at %ld), held %ld s, %ld KiB left reserved",
	       r.steps, r.free_kb, r.stop_kb, r.held_s, r.reserved_kb);
	TH_LOG("hog: %lu reservation attempts (%lu failed), %lu in %ld steps without reclaim",
	       (unsigned long)r.attempts, (unsigned long)r.alloc_fail,
	       (unsigned long)r.quiet_attempts, r.quiet_steps);
	TH_LOG("meanwhile: kswapd runs %ld, direct reclaim stalls %ld, pages swapped out %ld",
	       proc_sum("/proc/vmstat", "pageoutrun") - kswapd_runs, allocstalls() - stalls,
	       proc_sum("/proc/vmstat", "pswpout") - swapped);
	TH_LOG("meanwhile: slab objects scanned %ld, reserved pages reclaimed %lu",
	       proc_sum("/proc/vmstat", "slabs_scanned") - slabs_scanned,
	       (unsigned long)d.reclaim);
	EXPECT_EQ(0, proc_sum("/proc/vmstat", "oom_kill") - oom_kills);
	/* Every chunk-first fault tried to reserve, and each try was counted. */
	EXPECT_EQ(r.quiet_steps * (HOG_STEP / CHUNK), r.quiet_attempts);
	EXPECT_GE(r.attempts, r.steps * (HOG_STEP / CHUNK));
	EXPECT_EQ(r.attempts, d.alloc + d.alloc_fail);
	/*
	 * No page identity here: the shrinker also took reservations made
	 * before the window, by this process and others.
	 */
	EXPECT_GE(d.reclaim, CHUNK_PAGES - 1);
}

TEST_HARNESS_MAIN
