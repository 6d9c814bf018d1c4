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
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ff_util.h"
#include "ff_audit_self.h"
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
	"uffd", "policy", "mlocked", "access", "pmd", "pte_present", "swap",
	"ptl_busy", "pmd_changed", "no_memory", "file_fault",
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

/* A write pass over the region: the thread's faults, the counters around it. */
struct spf_writes {
	struct spf_counts a, b;
	long faults;
};

static int write_counted(char *mem, uint64_t salt, struct spf_writes *w)
{
	long flt0;

	if (read_spf(&w->a))
		return -1;
	flt0 = thread_minflt();
	write_pattern(mem, PAGES, salt);
	w->faults = thread_minflt() - flt0;
	return read_spf(&w->b);
}

/* At least 95% of the pass's faults handled without mmap_lock. */
static int most_faults_speculated(const struct spf_writes *w)
{
	return (w->b.success - w->a.success) * 100 >= (uint64_t)w->faults * 95;
}

static void log_writes(struct __test_metadata *_metadata, const struct spf_writes *w)
{
	TH_LOG("%ld faults: %lu attempts, %lu succeeded, %lu aborted", w->faults,
	       (unsigned long)(w->b.attempt - w->a.attempt),
	       (unsigned long)(w->b.success - w->a.success),
	       (unsigned long)(w->b.aborts - w->a.aborts));
}

/*
 * Write faults on empty PTEs of a private anonymous VMA with an anon_vma,
 * in a process of two threads: nearly all of them speculate and succeed,
 * and every attempt is counted once, as a success or an abort.
 */
TEST_F(spf, write_faults_succeed_without_mmap_lock)
{
	struct spf_writes w;

	ASSERT_EQ(0, write_counted(self->mem, 0x5a, &w));
	EXPECT_EQ(0u, bad_pattern(self->mem, PAGES, 0x5a));
	log_writes(_metadata, &w);
	EXPECT_EQ(w.b.attempt - w.a.attempt,
		  (w.b.success - w.a.success) + (w.b.aborts - w.a.aborts));
	EXPECT_TRUE(most_faults_speculated(&w));
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

/* A write after a read replaces the zero page with a page of its own. */
TEST_F(spf, write_after_read_copies_the_zero_page)
{
	size_t i, nonzero = 0;
	struct spf_writes w;

	for (i = 0; i < PAGES; i++)
		nonzero += *(volatile char *)(self->mem + i * PAGE) != 0;
	ASSERT_EQ(0u, nonzero);
	ASSERT_EQ(0, write_counted(self->mem, 0x44, &w));
	EXPECT_EQ(0u, bad_pattern(self->mem, PAGES, 0x44));
	log_writes(_metadata, &w);
	EXPECT_TRUE(most_faults_speculated(&w));
}

/*
 * After fork, the parent's writes copy the pages it shares with the child:
 * the child still reads what was there at fork, the parent what it wrote,
 * and the copies are made without mmap_lock. The auditor then checks the
 * contiguous blocks that the copies broke up.
 */
TEST_F(spf, copy_on_write_after_fork)
{
	struct spf_writes w;
	int go[2], status;
	pid_t pid;
	struct ff_audit audit;

	write_pattern(self->mem, PAGES, 0x11);
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(bad_pattern(self->mem, PAGES, 0x11) ? 1 : 0);
	}
	close(go[0]);
	ASSERT_EQ(0, write_counted(self->mem, 0x22, &w));
	ASSERT_EQ(1, write(go[1], "x", 1));
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the child saw the parent's writes (status %#x)", status);
	EXPECT_EQ(0u, bad_pattern(self->mem, PAGES, 0x22));
	log_writes(_metadata, &w);
	EXPECT_LE((long)PAGES, w.faults);
	EXPECT_TRUE(most_faults_speculated(&w));
	audit_self(_metadata, &audit);
}

#define UFFD_PAGES	16U

/* Answer @n missing faults on @uffd with pages whose first word is their address. */
struct uffd_server {
	int uffd;
	unsigned int n, served;
};

static void *uffd_serve(void *arg)
{
	struct uffd_server *srv = arg;
	static char page[PAGE] __attribute__((aligned(PAGE)));

	while (srv->served < srv->n) {
		struct uffdio_copy copy = { .len = PAGE };
		struct uffd_msg msg;

		if (read(srv->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			break;
		copy.dst = msg.arg.pagefault.address & ~(PAGE - 1);
		*(uint64_t *)page = copy.dst;
		copy.src = (uintptr_t)page;
		if (ioctl(srv->uffd, UFFDIO_COPY, &copy))
			break;
		srv->served++;
	}
	return NULL;
}

/*
 * A VMA that userfaultfd watches for missing pages is left to the classic
 * path, which hands each fault to the monitor: every fault is counted as
 * spf_abort_uffd, and reads what the monitor put there.
 */
TEST_F(spf, userfaultfd_vma_falls_back_and_works)
{
	struct uffd_server srv = { .n = UFFD_PAGES };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	uint64_t uffd0, uffd1;
	size_t i, bad = 0;
	pthread_t server;

	srv.uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (srv.uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(srv.uffd, UFFDIO_API, &api));
	/* The anon_vma exists: only the registration sends the faults back. */
	reg.range.start = (uintptr_t)self->mem;
	reg.range.len = UFFD_PAGES * PAGE;
	ASSERT_EQ(0, ioctl(srv.uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF, "spf_abort_uffd", &uffd0));
	ASSERT_EQ(0, pthread_create(&server, NULL, uffd_serve, &srv));
	for (i = 0; i < UFFD_PAGES; i++) {
		char *p = self->mem + i * PAGE;

		bad += *(volatile uint64_t *)p != (uintptr_t)p;
	}
	pthread_join(server, NULL);
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF, "spf_abort_uffd", &uffd1));
	close(srv.uffd);
	EXPECT_EQ(0u, bad);
	EXPECT_EQ(UFFD_PAGES, srv.served);
	EXPECT_LE((uint64_t)UFFD_PAGES, uffd1 - uffd0);
}

/* Pages of [p, p + pages * PAGE) not mapped now: each write to one faults. */
static long pages_not_mapped(const char *p, size_t pages)
{
	unsigned char vec[64];
	size_t i, done;
	long absent = 0;

	for (done = 0; done < pages; done += i) {
		size_t n = pages - done < sizeof(vec) ? pages - done : sizeof(vec);

		if (mincore((void *)(p + done * PAGE), n * PAGE, vec))
			return -errno;
		for (i = 0; i < n; i++)
			absent += !(vec[i] & 1);
	}
	return absent;
}

/*
 * An mlocked VMA is left to the classic path (mlock's page batches turn
 * interrupts back on, which the PTE lock of a fault without mmap_lock
 * cannot allow): every fault in it is counted as spf_abort_mlocked, none
 * as spf_abort_policy, and the data is there.
 *
 * The faults expected are the pages not mapped before each write, asked of
 * mincore() page by page: the reservation may map ahead, and the thread's
 * minflt also counts faults outside the VMA (its stack, the test's text).
 */
TEST_F(spf, mlocked_vma_falls_back_counted_as_mlocked)
{
	const size_t pages = 64;
	uint64_t locked0, locked1, policy0, policy1;
	long absent, expected = 0;
	size_t i;

	/* On fault: the pages come in through the faults below. */
	if (mlock2(self->mem, pages * PAGE, MLOCK_ONFAULT))
		SKIP(return, "mlock2: %s", strerror(errno));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF, "spf_abort_mlocked", &locked0));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF, "spf_abort_policy", &policy0));
	for (i = 0; i < pages; i++) {
		absent = pages_not_mapped(self->mem + i * PAGE, 1);
		ASSERT_LE(0, absent) TH_LOG("mincore: %s", strerror(-absent));
		expected += absent;
		/* Page i holds i ^ 0x4c, as write_pattern() writes it. */
		write_pattern(self->mem + i * PAGE, 1, i ^ 0x4c);
	}
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF, "spf_abort_mlocked", &locked1));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF, "spf_abort_policy", &policy1));
	EXPECT_EQ(0u, bad_pattern(self->mem, pages, 0x4c));
	TH_LOG("%ld faults expected, %lu counted as mlocked", expected,
	       (unsigned long)(locked1 - locked0));
	EXPECT_LT(0, expected);
	EXPECT_LE((uint64_t)expected, locked1 - locked0);
	EXPECT_EQ(policy0, policy1);
	EXPECT_EQ(0, pages_not_mapped(self->mem, pages));
	EXPECT_EQ(0, munlock(self->mem, pages * PAGE));
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

static sigjmp_buf signal_jump;
static volatile sig_atomic_t signal_code;

static void on_signal(int sig, siginfo_t *info, void *uc)
{
	signal_code = info->si_code;
	siglongjmp(signal_jump, 1);
}

/* Read or write @p; the si_code of the signal @sig it raised, or 0. */
static int touch_signal(char *p, int write, int sig)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	struct sigaction old;
	int code = 0;

	sigaction(sig, &sa, &old);
	signal_code = 0;
	if (sigsetjmp(signal_jump, 1) == 0) {
		if (write)
			*(volatile char *)p = 1;
		else
			(void)*(volatile char *)p;
	}
	code = signal_code;
	sigaction(sig, &old, NULL);
	return code;
}

static int write_signal(char *p)
{
	return touch_signal(p, 1, SIGSEGV);
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

#define FILE_SIZE	(1UL << 20)	/* the file read cases' memfd */
#define FILE_PAGES	(FILE_SIZE / PAGE)

/* Page @i of generation @gen: its first words are @gen and @i. */
static int write_file_page(int fd, size_t i, uint64_t gen)
{
	uint64_t words[2] = { gen, i };

	return pwrite(fd, words, sizeof(words), i * PAGE) == sizeof(words) ? 0 : -1;
}

/* A memfd of @pages pages of generation @gen, or -1. */
static int memfd_of(size_t pages, uint64_t gen)
{
	int fd = memfd_create("spf", MFD_CLOEXEC);
	size_t i;

	if (fd < 0)
		return -1;
	for (i = 0; i < pages; i++) {
		if (write_file_page(fd, i, gen)) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static size_t bad_file_pages(const char *p, size_t pages, uint64_t gen)
{
	size_t i, bad = 0;

	for (i = 0; i < pages; i++) {
		const volatile uint64_t *w = (const uint64_t *)(p + i * PAGE);

		bad += w[0] != gen || w[1] != i;
	}
	return bad;
}

/*
 * Reads of a file whose pages are in the page cache: fault-around maps
 * each page and its neighbours without mmap_lock, shared or private, and
 * the data is the file's. A write to the private mapping then goes to the
 * classic path (->fault and a copy), counted as spf_abort_file_fault, and
 * leaves the file as it was.
 */
TEST_F(spf, file_read_faults_map_the_page_cache)
{
	static const int flags[] = { MAP_SHARED, MAP_PRIVATE };
	uint64_t ff0, ff1;
	struct spf_counts a, b;
	long flt0, faults;
	size_t i;
	char *p;
	int fd;

	fd = memfd_of(FILE_PAGES, 0x1f);
	ASSERT_LE(0, fd);
	for (i = 0; i < 2; i++) {
		p = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, flags[i], fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		/* The first reads set up the page tables; the classic path does. */
		ASSERT_EQ(0u, bad_file_pages(p, FILE_PAGES, 0x1f));
		ASSERT_EQ(0, madvise(p, FILE_SIZE, MADV_DONTNEED));
		ASSERT_EQ(0, read_spf(&a));
		flt0 = thread_minflt();
		EXPECT_EQ(0u, bad_file_pages(p, FILE_PAGES, 0x1f));
		faults = thread_minflt() - flt0;
		ASSERT_EQ(0, read_spf(&b));
		TH_LOG("%s: %ld faults: %lu attempts, %lu succeeded",
		       i ? "private" : "shared", faults,
		       (unsigned long)(b.attempt - a.attempt),
		       (unsigned long)(b.success - a.success));
		/* Fault-around: far fewer faults than pages. */
		EXPECT_GT((long)FILE_PAGES / 2, faults);
		EXPECT_GE((b.success - a.success) * 100, (uint64_t)faults * 95);
		if (flags[i] == MAP_PRIVATE) {
			ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF,
						     "spf_abort_file_fault", &ff0));
			p[PAGE] = 1;
			ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF,
						     "spf_abort_file_fault", &ff1));
			EXPECT_LE(1u, ff1 - ff0);
			EXPECT_EQ(1, p[PAGE]);
		}
		munmap(p, FILE_SIZE);
	}
	p = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0u, bad_file_pages(p, FILE_PAGES, 0x1f));
	munmap(p, FILE_SIZE);
	close(fd);
}

/*
 * A read past the end of a file raises SIGBUS, as on the classic path: the
 * page is not in the page cache, so the fault goes back for ->fault.
 */
TEST_F(spf, file_read_past_the_end_raises_sigbus)
{
	uint64_t ff0, ff1;
	char *p;
	int fd;

	fd = memfd_of(1, 0x2e);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0u, bad_file_pages(p, 1, 0x2e));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF, "spf_abort_file_fault", &ff0));
	EXPECT_EQ(BUS_ADRERR, touch_signal(p + PAGE, 0, SIGBUS));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_SPF, "spf_abort_file_fault", &ff1));
	EXPECT_LE(1u, ff1 - ff0);
	munmap(p, 2 * PAGE);
	close(fd);
}

struct truncater {
	int fd;
	volatile int stop;
	uint64_t gen;		/* the last generation written whole */
	unsigned long failures;
};

/* Truncate the file to nothing and write it again, one generation a loop. */
static void *truncate_loop(void *arg)
{
	struct truncater *t = arg;
	uint64_t gen = t->gen;
	size_t i;

	while (!t->stop) {
		gen++;
		t->failures += ftruncate(t->fd, 0) != 0;
		for (i = 0; i < FILE_PAGES; i++)
			t->failures += write_file_page(t->fd, i, gen) != 0;
		__atomic_store_n(&t->gen, gen, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * The first two words of @p in @w, read with on_signal() installed for
 * SIGBUS; -1 if a read raised it (the page was past the end just then).
 */
static int read_words(const char *p, uint64_t w[2])
{
	if (sigsetjmp(signal_jump, 1))
		return -1;
	w[0] = ((const volatile uint64_t *)p)[0];
	w[1] = ((const volatile uint64_t *)p)[1];
	return 0;
}

/*
 * Read faults on a file that a sibling truncates and writes again, in a
 * loop: each read either raises SIGBUS (the page is past the end just
 * then) or finds the page's own index and a generation no older than the
 * one written whole before the pass began. A page left mapped by a fault
 * that raced the truncation would show an older generation.
 */
TEST_F(spf, file_truncated_under_read_faults)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	struct truncater t = { .gen = 1 };
	struct ff_audit audit;
	time_t end = time(NULL) + RACE_SECONDS;
	struct sigaction old;
	unsigned long passes = 0, stale = 0, sigbus = 0;
	struct spf_counts a, b;
	pthread_t truncater;
	size_t i;
	char *p;

	t.fd = memfd_of(FILE_PAGES, t.gen);
	ASSERT_LE(0, t.fd);
	p = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, t.fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0u, bad_file_pages(p, FILE_PAGES, t.gen));
	ASSERT_EQ(0, read_spf(&a));
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, &old));
	ASSERT_EQ(0, pthread_create(&truncater, NULL, truncate_loop, &t));
	while (time(NULL) < end) {
		uint64_t gen = __atomic_load_n(&t.gen, __ATOMIC_ACQUIRE);
		uint64_t w[2];

		for (i = 0; i < FILE_PAGES; i++) {
			if (read_words(p + i * PAGE, w))
				sigbus++;
			else
				stale += w[1] != i || w[0] < gen;
		}
		passes++;
	}
	t.stop = 1;
	pthread_join(truncater, NULL);
	sigaction(SIGBUS, &old, NULL);
	ASSERT_EQ(0, read_spf(&b));
	TH_LOG("%lu passes, %lu generations, %lu SIGBUS; %lu attempts, %lu succeeded",
	       passes, (unsigned long)t.gen, sigbus,
	       (unsigned long)(b.attempt - a.attempt),
	       (unsigned long)(b.success - a.success));
	EXPECT_EQ(0u, stale);
	EXPECT_EQ(0u, t.failures);
	EXPECT_LT(2u, t.gen);
	EXPECT_LT(0u, b.success - a.success);
	munmap(p, FILE_SIZE);
	close(t.fd);
	audit_self(_metadata, &audit);
}

/*
 * What a racing writer thread does, in a loop: to the other half of the
 * faulters' VMA (SAME), to a VMA of its own (NEIGHBOUR), or to the whole
 * mm (fork). The faulters' half itself never changes.
 */
enum race_writer {
	RACE_MMAP_NEIGHBOUR, RACE_MPROTECT_NEIGHBOUR, RACE_MPROTECT_SAME,
	RACE_PROT_NONE_SAME, RACE_DONTNEED_SAME, RACE_FREE_SAME,
	RACE_PAGEOUT_SAME, RACE_MUNMAP_SAME, RACE_MREMAP_SAME,
	RACE_MLOCK_SAME, RACE_MBIND_SAME, RACE_FORK,
};

#define NEIGHBOUR_SIZE	(1UL << 20)

struct race {
	char *mem;
	char *neighbour;	/* RACE_MPROTECT_NEIGHBOUR's VMA */
	char *scratch;		/* where RACE_MREMAP_SAME moves the half to */
	enum race_writer writer;
	volatile int stop;
	unsigned long loops, failures;
};

/* mbind(2) without libnuma: node 0 only, or the default policy back. */
static long bind_to_node0(void *p, size_t len, int bind)
{
	unsigned long nodes = 1;

	return syscall(__NR_mbind, p, len, bind ? MPOL_BIND : MPOL_DEFAULT,
		       bind ? &nodes : NULL, bind ? 8 * sizeof(nodes) : 0, 0);
}

/* One loop of @r's writer; nonzero if a call failed. */
static int race_step(struct race *r)
{
	char *half = r->mem + SIZE / 2;
	size_t len = SIZE / 2;
	int status, err = 0;
	pid_t pid;
	char *q;

	switch (r->writer) {
	case RACE_MMAP_NEIGHBOUR:
		q = mmap(NULL, NEIGHBOUR_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			return 1;
		memset(q, 2, NEIGHBOUR_SIZE);
		return munmap(q, NEIGHBOUR_SIZE);
	case RACE_MPROTECT_NEIGHBOUR:
		err |= mprotect(r->neighbour, NEIGHBOUR_SIZE, PROT_READ);
		err |= mprotect(r->neighbour, NEIGHBOUR_SIZE, PROT_READ | PROT_WRITE);
		r->neighbour[r->loops % NEIGHBOUR_SIZE] = 3;
		return err;
	case RACE_MPROTECT_SAME:
		err |= mprotect(half, len, PROT_READ);
		return err | mprotect(half, len, PROT_READ | PROT_WRITE);
	case RACE_PROT_NONE_SAME:
		err |= mprotect(half, len, PROT_NONE);
		return err | mprotect(half, len, PROT_READ | PROT_WRITE);
	case RACE_DONTNEED_SAME:
		return madvise(half, len, MADV_DONTNEED);
	case RACE_FREE_SAME:
		memset(half, 4, len);
		return madvise(half, len, MADV_FREE);
	case RACE_PAGEOUT_SAME:
		memset(half, 5, len);
		return madvise(half, len, MADV_PAGEOUT);
	case RACE_MUNMAP_SAME:
		err |= munmap(half, len);
		q = mmap(half, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (q != half)
			return 1;
		half[0] = 6;
		return err;
	case RACE_MREMAP_SAME:
		half[0] = 7;
		q = mremap(half, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, r->scratch);
		if (q != r->scratch)
			return 1;
		q = mremap(r->scratch, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, half);
		if (q != half || half[0] != 7)
			return 1;
		return 0;
	case RACE_MLOCK_SAME:
		err |= mlock(half, len);
		return err | munlock(half, len);
	case RACE_MBIND_SAME:
		err |= bind_to_node0(half, len, 1);
		return err | bind_to_node0(half, len, 0);
	case RACE_FORK:
		/* The faulters' pages become copy-on-write in the parent. */
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(0);
		return waitpid(pid, &status, 0) != pid || !WIFEXITED(status);
	}
	return 1;
}

static void *race_writer(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		r->failures += race_step(r) != 0;
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
	struct ff_audit audit;
	time_t end = time(NULL) + RACE_SECONDS;
	struct spf_counts a, b;
	unsigned long passes = 0, bad = 0;
	pthread_t writer;

	if (writer_does == RACE_MPROTECT_NEIGHBOUR) {
		/* VM_NORESERVE: it never merges with the faulters' VMA. */
		r.neighbour = mmap(NULL, NEIGHBOUR_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		ASSERT_NE(MAP_FAILED, r.neighbour);
	}
	if (writer_does == RACE_MREMAP_SAME) {
		r.scratch = mmap(NULL, SIZE / 2, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, r.scratch);
	}
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
	EXPECT_EQ(0u, r.failures) TH_LOG("the writer's calls failed %lu times", r.failures);
	EXPECT_LT(0u, r.loops);
	EXPECT_LT(0u, b.success - a.success);
	if (r.neighbour) {
		/* Faults beside a VMA that changes must not go back for it. */
		EXPECT_GE((b.success - a.success) * 100, (b.attempt - a.attempt) * 95);
		munmap(r.neighbour, NEIGHBOUR_SIZE);
	}
	if (r.scratch)
		munmap(r.scratch, SIZE / 2);
	audit_self(_metadata, &audit);
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

TEST_F(spf, faults_race_mprotect_of_a_neighbour)
{
	race(_metadata, self->mem, RACE_MPROTECT_NEIGHBOUR);
}

TEST_F(spf, faults_race_prot_none_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_PROT_NONE_SAME);
}

TEST_F(spf, faults_race_madv_free_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_FREE_SAME);
}

TEST_F(spf, faults_race_madv_pageout_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_PAGEOUT_SAME);
}

TEST_F(spf, faults_race_munmap_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_MUNMAP_SAME);
}

TEST_F(spf, faults_race_mremap_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_MREMAP_SAME);
}

TEST_F(spf, faults_race_mlock_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_MLOCK_SAME);
}

TEST_F(spf, faults_race_mbind_of_the_same_vma)
{
	race(_metadata, self->mem, RACE_MBIND_SAME);
}

/* Copy-on-write after fork, under the faulters' writes (bugzilla 217624). */
TEST_F(spf, faults_race_fork)
{
	race(_metadata, self->mem, RACE_FORK);
}

TEST_HARNESS_MAIN
