// SPDX-License-Identifier: GPL-2.0
/*
 * torture: seeded, reproducible random mm stress for the fastfault series
 * (make torture). Worker processes, each with several threads, run random
 * sequences of mmap, munmap, mprotect, mremap, madvise, fork, mlock,
 * process_vm_readv/writev, O_DIRECT I/O and verified writes over their own
 * regions, while the anon_reserve switches flip underneath them. Each page
 * holds a pattern naming its region and version, so a lost, stale or
 * misplaced page shows as a mismatch.
 *
 * Alongside, on request: a memory hog near OOM, fastfault.ko loaded and
 * unloaded in a loop, its debugfs files and ioctl fed bad input, and an
 * unprivileged probe. After the run: the auditor over every process, the
 * reservation accounting (every reserved page mapped, released, reclaimed
 * or still held), free memory back to its level before the run, and no
 * OOM kill.
 *
 * A thread's operations depend only on the seed, its worker and thread
 * number: with -w 1 -T 1 -n OPS a run repeats exactly; with more threads
 * each repeats its own sequence, interleaved as the scheduler pleases.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fastfault.h"
#include "ff_util.h"
#include "torture.h"

#define PAGE		4096UL
#define CHUNK		(64 * 1024UL)
#define MAX_REGIONS	12		/* per thread */
#define MAX_PAGES	512		/* 2 MiB: a region never grows past it */
#define DIO_SLOT	(64 * 1024UL)	/* each thread's share of the block device */
#define SWITCH		FF_RESERVE_ENABLED
#define ADAPTIVE	FF_RESERVE_ADAPTIVE
/* Speculative page faults (patch "mm: speculative page faults ..."): 0 or 1. */
#define SPF_SWITCH	"/proc/sys/vm/speculative_page_fault"

/* xorshift64*, seeded through splitmix64 so that nearby seeds diverge. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1;
}

uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

enum kind { ANON_PRIVATE, ANON_SHARED, FILE_PRIVATE, FILE_SHARED, NR_KINDS };
static const char *const kind_names[] = {
	"anon-private", "anon-shared", "file-private", "file-shared",
};

/* Per page of a region: what it must hold. */
#define PG_RO		0x1	/* mprotect()ed read-only */
#define PG_LOCKED	0x2	/* mlock() was asked: madvise may refuse it */
#define PG_MAYBE_ZERO	0x4	/* MADV_FREE: the old data or zeroes */

struct region {
	char *addr;		/* NULL: the slot is free */
	size_t pages;
	enum kind kind;
	int fd;			/* file kinds: an unlinked tmpfs file */
	size_t off;		/* file kinds: page offset of addr in it */
	int split;		/* file kinds: another region maps the same file */
	uint32_t id;
	uint32_t ver[MAX_PAGES];	/* 0: zeroes */
	uint8_t flags[MAX_PAGES];
};

struct worker {
	struct torture_stats *st;
	struct rng rng;
	unsigned int worker, thread;
	uint64_t max_ops;		/* 0: until the deadline */
	uint64_t digest;		/* FNV-1a over the operations run */
	uint32_t next_ver;
	uint32_t next_id;
	int dio_fd;			/* -1: no O_DIRECT device */
	off_t dio_off;			/* this thread's slot on it */
	struct region r[MAX_REGIONS];
	char last_op[96];		/* for mismatch reports */
	pthread_rwlock_t *holes;	/* the process's, see op_map() */
};

static struct torture_stats *stats;
static uint64_t run_seed;
static unsigned int round_no;	/* the warm-up is round 1: each round has its own streams */

/* Report through write(2): a forked child of a threaded process must not
 * take stdio's locks, which another thread may have held at fork time.
 */
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write(STDOUT_FILENO, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* The two words that name page @i of @r at version @ver. */
static uint64_t head_word(const struct region *r, uint32_t ver)
{
	return ver ? ((uint64_t)r->id << 32 | ver) : 0;
}

static uint64_t tail_word(const struct region *r, uint32_t ver)
{
	return ver ? ~head_word(r, ver) : 0;
}

static uint64_t *page_head(const struct region *r, size_t i)
{
	return (uint64_t *)(r->addr + i * PAGE);
}

static uint64_t *page_tail(const struct region *r, size_t i)
{
	return (uint64_t *)(r->addr + (i + 1) * PAGE) - 1;
}

static int page_ok(const struct region *r, size_t i, uint64_t head, uint64_t tail)
{
	if (head == head_word(r, r->ver[i]) && tail == tail_word(r, r->ver[i]))
		return 1;
	return (r->flags[i] & PG_MAYBE_ZERO) && head == 0 && tail == 0;
}

static void mismatch(struct worker *w, const struct region *r, size_t i,
		     uint64_t head, uint64_t tail, const char *where)
{
	STAT_ADD(w->st, mismatches, 1);
	say("torture: MISMATCH seed %" PRIu64 " worker %u thread %u (%s): %s region %u page %zu of %zu flags %#x: "
	    "head %#" PRIx64 " tail %#" PRIx64 ", expected version %u (%#" PRIx64 ")%s; last op: %s\n",
	    run_seed, w->worker, w->thread, where, kind_names[r->kind], r->id, i, r->pages,
	    r->flags[i], head, tail, r->ver[i], head_word(r, r->ver[i]),
	    (r->flags[i] & PG_MAYBE_ZERO) ? " or zeroes" : "", w->last_op);
}

static void verify_range(struct worker *w, struct region *r, size_t first, size_t n,
			 const char *where)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		uint64_t head = *(volatile uint64_t *)page_head(r, i);
		uint64_t tail = *(volatile uint64_t *)page_tail(r, i);

		if (!page_ok(r, i, head, tail))
			mismatch(w, r, i, head, tail, where);
	}
}

static uint32_t new_version(struct worker *w)
{
	if (++w->next_ver == 0)
		w->next_ver = 1;
	return w->next_ver;
}

static int range_has(const struct region *r, size_t first, size_t n, uint8_t flag)
{
	size_t i;

	for (i = first; i < first + n; i++)
		if (r->flags[i] & flag)
			return 1;
	return 0;
}

static void write_range(struct worker *w, struct region *r, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		if (r->flags[i] & PG_RO)
			continue;
		r->ver[i] = new_version(w);
		r->flags[i] &= ~PG_MAYBE_ZERO;
		*page_head(r, i) = head_word(r, r->ver[i]);
		*page_tail(r, i) = tail_word(r, r->ver[i]);
	}
}

static int is_private(const struct region *r)
{
	return r->kind == ANON_PRIVATE || r->kind == FILE_PRIVATE;
}

static struct region *pick_region(struct worker *w)
{
	unsigned int i, start = (unsigned int)rng_below(&w->rng, MAX_REGIONS);

	for (i = 0; i < MAX_REGIONS; i++) {
		struct region *r = &w->r[(start + i) % MAX_REGIONS];

		if (r->addr)
			return r;
	}
	return NULL;
}

static struct region *free_slot(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < MAX_REGIONS; i++)
		if (!w->r[i].addr)
			return &w->r[i];
	return NULL;
}

/* A random sub-range [*first, *first + *n) of @r, at most @max pages. */
static void pick_range(struct worker *w, const struct region *r, size_t max,
		       size_t *first, size_t *n)
{
	*first = rng_below(&w->rng, r->pages);
	*n = 1 + rng_below(&w->rng, r->pages - *first < max ? r->pages - *first : max);
}

static void drop_region(struct region *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->addr = NULL;
	r->pages = 0;
}

static int new_file(size_t pages)
{
	int fd = memfd_create("torture", 0);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)(pages * PAGE))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * mmap: a new region of a random kind and size, placed by the kernel, or
 * on purpose off a 64 KiB boundary (inside a PROT_NONE area of our own, so
 * that MAP_FIXED replaces nothing of another thread's).
 *
 * A MAP_FIXED mmap or an mremap to a fixed address that fails may already
 * have unmapped what was at the target: the address range is free for a
 * moment, and our munmap() of it afterwards would hit whatever another
 * thread's mmap() placed there meanwhile. So those operations hold the
 * process's `holes` lock for writing, and whatever asks the kernel for a
 * new place (mmap without an address, mremap allowed to move) holds it for
 * reading. Everything else runs unlocked, against all of these.
 */
static void op_map(struct worker *w)
{
	static const size_t sizes[] = { 1, 3, 16, 17, 32, 48, 64, 128, 256, 512 };
	struct region *r = free_slot(w);
	size_t pages = sizes[rng_below(&w->rng, sizeof(sizes) / sizeof(sizes[0]))];
	int misalign = rng_below(&w->rng, 3) == 0;
	enum kind kind = (enum kind)rng_below(&w->rng, 8);
	int flags, fd = -1;
	char *area = NULL, *p;

	if (!r)
		return;
	kind = kind >= NR_KINDS ? ANON_PRIVATE : kind;	/* half of them */
	flags = (kind == ANON_SHARED || kind == FILE_SHARED) ? MAP_SHARED : MAP_PRIVATE;
	if (kind == ANON_PRIVATE || kind == ANON_SHARED)
		flags |= MAP_ANONYMOUS;
	else if ((fd = new_file(pages)) < 0)
		return;
	snprintf(w->last_op, sizeof(w->last_op), "mmap %s %zu pages%s",
		 kind_names[kind], pages, misalign ? " misaligned" : "");
	if (misalign)
		pthread_rwlock_wrlock(w->holes);
	else
		pthread_rwlock_rdlock(w->holes);
	if (misalign) {
		area = mmap(NULL, (pages * PAGE) + 2 * CHUNK, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (area == MAP_FAILED) {
			pthread_rwlock_unlock(w->holes);
			goto fail;
		}
		p = (char *)(((uintptr_t)area + CHUNK) & ~(CHUNK - 1)) +
		    (1 + rng_below(&w->rng, 15)) * PAGE;
		p = mmap(p, pages * PAGE, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0);
		if (p != MAP_FAILED) {
			munmap(area, (size_t)(p - area));
			munmap(p + pages * PAGE,
			       (size_t)(area + pages * PAGE + 2 * CHUNK - (p + pages * PAGE)));
		} else {
			munmap(area, pages * PAGE + 2 * CHUNK);
		}
	} else {
		p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, flags, fd, 0);
	}
	pthread_rwlock_unlock(w->holes);
	if (p == MAP_FAILED)
		goto fail;
	memset(r->ver, 0, sizeof(r->ver));
	memset(r->flags, 0, sizeof(r->flags));
	r->addr = p;
	r->pages = pages;
	r->kind = kind;
	r->fd = fd;
	r->off = 0;
	r->split = 0;
	r->id = (w->worker << 24) | (w->thread << 16) | (++w->next_id & 0xffff);
	if (rng_below(&w->rng, 2))
		write_range(w, r, 0, pages);
	return;
fail:
	if (fd >= 0)
		close(fd);
}

/* Forget pages [first, first + n) of @r's arrays, shifting the rest down. */
static void cut_pages(struct region *r, size_t first, size_t n)
{
	size_t rest = r->pages - first - n;

	memmove(&r->ver[first], &r->ver[first + n], rest * sizeof(r->ver[0]));
	memmove(&r->flags[first], &r->flags[first + n], rest);
	r->pages -= n;
}

/* munmap: the whole region, its head or tail, or a hole that splits it. */
static void op_unmap(struct worker *w, struct region *r)
{
	struct region *second;
	size_t first, n;

	pick_range(w, r, r->pages, &first, &n);
	snprintf(w->last_op, sizeof(w->last_op), "munmap %s pages %zu+%zu of %zu",
		 kind_names[r->kind], first, n, r->pages);
	if (first + n < r->pages && first > 0) {
		second = free_slot(w);
		if (!second)
			return;
		if (munmap(r->addr + first * PAGE, n * PAGE))
			return;
		*second = *r;
		second->fd = r->fd >= 0 ? dup(r->fd) : -1;
		cut_pages(second, 0, first + n);
		second->addr = r->addr + (first + n) * PAGE;
		second->off = r->off + first + n;
		second->split = r->split = r->fd >= 0;
		r->pages = first;
		return;
	}
	if (munmap(r->addr + first * PAGE, n * PAGE))
		return;
	if (n == r->pages) {
		drop_region(r);
		return;
	}
	cut_pages(r, first, n);
	if (first == 0) {
		r->addr += n * PAGE;
		r->off += n;
	}
}

static void op_mprotect(struct worker *w, struct region *r)
{
	int ro = rng_below(&w->rng, 2);
	size_t first, n, i;

	pick_range(w, r, 64, &first, &n);
	snprintf(w->last_op, sizeof(w->last_op), "mprotect %s pages %zu+%zu %s",
		 kind_names[r->kind], first, n, ro ? "ro" : "rw");
	if (mprotect(r->addr + first * PAGE, n * PAGE, ro ? PROT_READ : PROT_READ | PROT_WRITE))
		return;
	for (i = first; i < first + n; i++)
		r->flags[i] = ro ? r->flags[i] | PG_RO : r->flags[i] & ~PG_RO;
}

/* mremap: move, grow (new pages are zeroes) or shrink the whole region. */
static void op_mremap(struct worker *w, struct region *r)
{
	size_t pages = 1 + rng_below(&w->rng, MAX_PAGES);
	int how = (int)rng_below(&w->rng, 3);
	char *p;

	/*
	 * A shared anonymous mapping is a shmem file of its first size: pages
	 * grown past it would SIGBUS. A file region split in two shares its
	 * file: growing one would run into the other's pages.
	 */
	if (how == 0 || (pages > r->pages && (r->kind == ANON_SHARED || r->split)))
		pages = r->pages;
	snprintf(w->last_op, sizeof(w->last_op), "mremap %s %zu -> %zu pages%s",
		 kind_names[r->kind], r->pages, pages, how == 0 ? " move" : "");
	/* Cut what an earlier shrink left in the file, then make room. */
	if (r->fd >= 0 && pages > r->pages &&
	    (ftruncate(r->fd, (off_t)((r->off + r->pages) * PAGE)) ||
	     ftruncate(r->fd, (off_t)((r->off + pages) * PAGE))))
		return;
	if (how == 0) {
		char *dst;

		pthread_rwlock_wrlock(w->holes);
		dst = mmap(NULL, pages * PAGE, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		p = MAP_FAILED;
		if (dst != MAP_FAILED) {
			p = mremap(r->addr, r->pages * PAGE, pages * PAGE,
				   MREMAP_MAYMOVE | MREMAP_FIXED, dst);
			if (p == MAP_FAILED)
				munmap(dst, pages * PAGE);
		}
		pthread_rwlock_unlock(w->holes);
	} else {
		pthread_rwlock_rdlock(w->holes);
		p = mremap(r->addr, r->pages * PAGE, pages * PAGE, MREMAP_MAYMOVE);
		pthread_rwlock_unlock(w->holes);
	}
	if (p == MAP_FAILED)
		return;
	if (pages > r->pages) {
		/* Grown pages take the protection of the region's first page. */
		memset(&r->ver[r->pages], 0, (pages - r->pages) * sizeof(r->ver[0]));
		memset(&r->flags[r->pages], r->flags[0] & (PG_RO | PG_LOCKED), pages - r->pages);
	}
	r->addr = p;
	r->pages = pages;
}

static void op_madvise(struct worker *w, struct region *r)
{
	static const struct { int advice; const char *name; } advices[] = {
		{ MADV_DONTNEED, "DONTNEED" }, { MADV_FREE, "FREE" },
		{ MADV_COLD, "COLD" }, { MADV_PAGEOUT, "PAGEOUT" },
		{ MADV_POPULATE_READ, "POPULATE_READ" },
		{ MADV_POPULATE_WRITE, "POPULATE_WRITE" },
		{ MADV_HUGEPAGE, "HUGEPAGE" }, { MADV_NOHUGEPAGE, "NOHUGEPAGE" },
	};
	unsigned int a = (unsigned int)rng_below(&w->rng, sizeof(advices) / sizeof(advices[0]));
	int advice = advices[a].advice;
	size_t first, n, i;

	pick_range(w, r, 64, &first, &n);
	snprintf(w->last_op, sizeof(w->last_op), "madvise %s %s pages %zu+%zu",
		 advices[a].name, kind_names[r->kind], first, n);
	/* A locked page makes DONTNEED and FREE fail part-way: keep off them. */
	if ((advice == MADV_DONTNEED || advice == MADV_FREE) &&
	    range_has(r, first, n, PG_LOCKED))
		return;
	if (advice == MADV_POPULATE_WRITE && range_has(r, first, n, PG_RO))
		return;
	if (madvise(r->addr + first * PAGE, n * PAGE, advice))
		return;
	for (i = first; i < first + n; i++) {
		if (advice == MADV_DONTNEED && is_private(r)) {
			/* Private file pages go back to the file: zeroes, never written. */
			r->ver[i] = 0;
			r->flags[i] &= ~PG_MAYBE_ZERO;
		} else if (advice == MADV_FREE && r->kind == ANON_PRIVATE && r->ver[i]) {
			r->flags[i] |= PG_MAYBE_ZERO;
		}
	}
}

static void op_mlock(struct worker *w, struct region *r)
{
	int lock = rng_below(&w->rng, 2);
	size_t first, n, i;

	pick_range(w, r, 32, &first, &n);
	snprintf(w->last_op, sizeof(w->last_op), "%s %s pages %zu+%zu",
		 lock ? "mlock" : "munlock", kind_names[r->kind], first, n);
	if (lock) {
		/* Marked first: a failed mlock may still have locked part. */
		for (i = first; i < first + n; i++)
			r->flags[i] |= PG_LOCKED;
		(void)mlock(r->addr + first * PAGE, n * PAGE);
	} else if (!munlock(r->addr + first * PAGE, n * PAGE)) {
		for (i = first; i < first + n; i++)
			r->flags[i] &= ~PG_LOCKED;
	}
}

/* @remote: the head and tail words of pages [first, first + n) of @r. */
static void page_words_iov(const struct region *r, size_t first, size_t n,
			   struct iovec *remote)
{
	size_t i;

	for (i = 0; i < n; i++) {
		remote[2 * i] = (struct iovec){ page_head(r, first + i), 8 };
		remote[2 * i + 1] = (struct iovec){ page_tail(r, first + i), 8 };
	}
}

/* process_vm_readv on this process: the words read must be the pages'. */
static void op_vm_readv(struct worker *w, struct region *r)
{
	uint64_t words[2 * 16];
	struct iovec local = { words, 0 }, remote[2 * 16];
	size_t first, n, i;
	ssize_t got;

	pick_range(w, r, 16, &first, &n);
	snprintf(w->last_op, sizeof(w->last_op), "process_vm_readv %s pages %zu+%zu",
		 kind_names[r->kind], first, n);
	page_words_iov(r, first, n, remote);
	local.iov_len = 16 * n;
	got = process_vm_readv(getpid(), &local, 1, remote, 2 * n, 0);
	if (got != (ssize_t)(16 * n)) {
		say("torture: process_vm_readv read %zd of %zu bytes: %s\n", got, 16 * n,
		    strerror(errno));
		STAT_ADD(w->st, mismatches, 1);
		return;
	}
	for (i = 0; i < n; i++)
		if (!page_ok(r, first + i, words[2 * i], words[2 * i + 1]))
			mismatch(w, r, first + i, words[2 * i], words[2 * i + 1],
				 "process_vm_readv");
}

/* process_vm_writev on this process: new versions, written by the kernel. */
static void op_vm_writev(struct worker *w, struct region *r)
{
	uint64_t words[2 * 16];
	uint32_t vers[16];
	struct iovec local = { words, 0 }, remote[2 * 16];
	size_t first, n, i;
	ssize_t put;

	pick_range(w, r, 16, &first, &n);
	if (range_has(r, first, n, PG_RO))
		return;
	snprintf(w->last_op, sizeof(w->last_op), "process_vm_writev %s pages %zu+%zu",
		 kind_names[r->kind], first, n);
	for (i = 0; i < n; i++) {
		vers[i] = new_version(w);
		words[2 * i] = head_word(r, vers[i]);
		words[2 * i + 1] = tail_word(r, vers[i]);
	}
	page_words_iov(r, first, n, remote);
	local.iov_len = 16 * n;
	put = process_vm_writev(getpid(), &local, 1, remote, 2 * n, 0);
	if (put != (ssize_t)(16 * n)) {
		say("torture: process_vm_writev wrote %zd of %zu bytes: %s\n", put, 16 * n,
		    strerror(errno));
		STAT_ADD(w->st, mismatches, 1);
		return;
	}
	for (i = 0; i < n; i++) {
		r->ver[first + i] = vers[i];
		r->flags[first + i] &= ~PG_MAYBE_ZERO;
	}
}

/*
 * O_DIRECT: one page out of the mapping to the block device (GUP reads it),
 * then back into another page of the mapping (GUP writes it). Both pages
 * must then hold the first page's data.
 */
static void op_odirect(struct worker *w, struct region *r)
{
	size_t src = rng_below(&w->rng, r->pages), dst = rng_below(&w->rng, r->pages);

	if (w->dio_fd < 0 || (r->flags[src] & PG_MAYBE_ZERO) || (r->flags[dst] & PG_RO))
		return;
	snprintf(w->last_op, sizeof(w->last_op), "O_DIRECT %s page %zu -> device -> page %zu",
		 kind_names[r->kind], src, dst);
	if (pwrite(w->dio_fd, r->addr + src * PAGE, PAGE, w->dio_off) != (ssize_t)PAGE ||
	    pread(w->dio_fd, r->addr + dst * PAGE, PAGE, w->dio_off) != (ssize_t)PAGE) {
		say("torture: O_DIRECT %s failed: %s\n", w->last_op, strerror(errno));
		STAT_ADD(w->st, mismatches, 1);
		return;
	}
	r->ver[dst] = r->ver[src];
	r->flags[dst] &= ~PG_MAYBE_ZERO;
	verify_range(w, r, dst, 1, "O_DIRECT read");
	STAT_ADD(w->st, odirect, 1);
}

/*
 * fork: the child checks its copy of this thread's regions, writes its
 * private pages (copy-on-write) and checks them again; the parent writes
 * its own meanwhile. Other threads' regions may be mid-change at the fork,
 * so the child leaves them alone.
 */
static void op_fork(struct worker *w)
{
	unsigned int i;
	int status;
	pid_t pid;

	snprintf(w->last_op, sizeof(w->last_op), "fork");
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		uint64_t before = __atomic_load_n(&w->st->mismatches, __ATOMIC_RELAXED);

		for (i = 0; i < MAX_REGIONS; i++) {
			struct region *r = &w->r[i];

			if (!r->addr)
				continue;
			verify_range(w, r, 0, r->pages, "fork child, before writing");
			if (is_private(r)) {
				write_range(w, r, 0, r->pages);
				verify_range(w, r, 0, r->pages, "fork child, after writing");
			}
		}
		STAT_ADD(w->st, forks, 1);
		_exit(__atomic_load_n(&w->st->mismatches, __ATOMIC_RELAXED) != before);
	}
	for (i = 0; i < MAX_REGIONS; i++) {
		struct region *r = &w->r[i];
		size_t first, n;

		if (!r->addr || !is_private(r))
			continue;
		pick_range(w, r, 32, &first, &n);
		write_range(w, r, first, n);
	}
	if (waitpid(pid, &status, 0) == pid && WIFSIGNALED(status)) {
		say("torture: fork child killed by signal %d\n", WTERMSIG(status));
		STAT_ADD(w->st, mismatches, 1);
	}
	for (i = 0; i < MAX_REGIONS; i++)
		if (w->r[i].addr)
			verify_range(w, &w->r[i], 0, w->r[i].pages, "fork parent, after the child");
}

static void op_write(struct worker *w, struct region *r)
{
	size_t first, n;

	pick_range(w, r, 128, &first, &n);
	snprintf(w->last_op, sizeof(w->last_op), "write %s pages %zu+%zu",
		 kind_names[r->kind], first, n);
	write_range(w, r, first, n);
}

static void op_verify(struct worker *w, struct region *r)
{
	snprintf(w->last_op, sizeof(w->last_op), "verify %s", kind_names[r->kind]);
	verify_range(w, r, 0, r->pages, "verify");
}

/* One random operation; weights favour data traffic over layout changes. */
static void one_op(struct worker *w)
{
	struct region *r = pick_region(w);
	unsigned int op = (unsigned int)rng_below(&w->rng, 100);

	if (!r || op < 8) {
		op_map(w);
		return;
	}
	if (op < 14)
		op_unmap(w, r);
	else if (op < 20)
		op_mprotect(w, r);
	else if (op < 26)
		op_mremap(w, r);
	else if (op < 40)
		op_madvise(w, r);
	else if (op < 42)
		op_fork(w);
	else if (op < 46)
		op_mlock(w, r);
	else if (op < 50)
		op_vm_readv(w, r);
	else if (op < 54)
		op_vm_writev(w, r);
	else if (op < 58)
		op_odirect(w, r);
	else if (op < 85)
		op_write(w, r);
	else
		op_verify(w, r);
	/* A region whose every page went read-only would only be read. */
	if (r->addr && rng_below(&w->rng, 4) == 0)
		verify_range(w, r, 0, r->pages, "after the op");
}

/*
 * Fold the operation just run, as last_op names it (kind, region, pages),
 * into the thread's digest: two runs with one seed and -n give the same
 * digests when they ran the same sequences.
 */
static void digest_op(struct worker *w)
{
	const unsigned char *c;

	for (c = (const unsigned char *)w->last_op; *c; c++)
		w->digest = (w->digest ^ *c) * 0x100000001b3ULL;
	w->digest = (w->digest ^ '\n') * 0x100000001b3ULL;
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	uint64_t done = 0;
	unsigned int i;

	while (!__atomic_load_n(&w->st->stop, __ATOMIC_RELAXED) &&
	       (!w->max_ops || done < w->max_ops)) {
		w->last_op[0] = '\0';
		one_op(w);
		digest_op(w);
		done++;
		if ((done & 63) == 0)
			STAT_ADD(w->st, ops, 64);
	}
	STAT_ADD(w->st, ops, done & 63);
	/* Threads finish in any order: a sum does not depend on it. */
	STAT_ADD(w->st, digest, w->digest * (2 * ((uint64_t)w->worker << 8 | w->thread) + 1));
	for (i = 0; i < MAX_REGIONS; i++) {
		if (!w->r[i].addr)
			continue;
		verify_range(w, &w->r[i], 0, w->r[i].pages, "at the end");
		munmap(w->r[i].addr, w->r[i].pages * PAGE);
		drop_region(&w->r[i]);
	}
	return NULL;
}

struct options {
	unsigned int seconds, workers, threads;
	uint64_t seed, max_ops;
	const char *dio_dev;		/* block device for O_DIRECT */
	const char *module;		/* -M: cycle this .ko */
	int fuzz, hog, flip;
	int share;			/* -C: two threads a worker share chunks */
	unsigned int inject;		/* -I: percent of reservations made to fail */
	long leak_tolerance_kb;
};

/* A worker process's threads share one; see op_map(). */
static pthread_rwlock_t worker_holes = PTHREAD_RWLOCK_INITIALIZER;
static struct worker *crash_workers;	/* this worker process's threads */
static unsigned int crash_threads;

/*
 * A worker that takes SIGSEGV or SIGBUS says where, in which of its regions
 * and after which operation, then dies of the signal: with the seed, that
 * is what a report needs.
 */
static void crash_report(int sig, siginfo_t *si, void *uc)
{
	unsigned int t, i;

	say("torture: %s at %p (si_code %d), seed %" PRIu64 "\n", sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
	    si->si_addr, si->si_code, run_seed);
	for (t = 0; t < crash_threads; t++) {
		struct worker *w = &crash_workers[t];

		say("torture:   worker %u thread %u, last op: %s\n", w->worker, w->thread, w->last_op);
		for (i = 0; i < MAX_REGIONS; i++) {
			struct region *r = &w->r[i];
			char *a = si->si_addr;

			if (r->addr && a >= r->addr && a < r->addr + r->pages * PAGE)
				say("torture:   in %s region %u page %zu of %zu, flags %#x\n",
				    kind_names[r->kind], r->id, (size_t)(a - r->addr) / PAGE,
				    r->pages, r->flags[(a - r->addr) / PAGE]);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * -C: two more threads in each worker process fault into the same chunks,
 * thread 0 into the even pages of each, thread 1 into the odd ones. Each
 * drops some of its pages (MADV_DONTNEED, which unfolds the block) and
 * writes them again, so that both keep refilling the reservation for the
 * same chunks at once while the reclaimer takes it away: the race in which
 * pages mapped ahead come from the wrong block. A page holds its worker,
 * thread, chunk, page and version: a page mapped from the other thread's
 * refill, or lost, shows as a mismatch.
 */
#define SHARE_CHUNKS	16
#define SHARE_PAGES	(SHARE_CHUNKS * CHUNK / PAGE)

struct sharer {
	struct torture_stats *st;
	struct rng rng;
	unsigned int worker, parity;
	char *mem;			/* SHARE_CHUNKS chunks, 64 KiB aligned */
	uint32_t ver[SHARE_PAGES];	/* of this thread's pages; 0: zeroes */
};

static uint64_t share_pattern(const struct sharer *s, size_t page, uint32_t ver)
{
	return (uint64_t)ver << 32 | s->worker << 24 | s->parity << 23 | page;
}

/*
 * Check one of this thread's pages, if written: reading an empty one would
 * map the zero page, and the next write would then copy it instead of
 * taking a page from the reservation.
 */
static void share_check(struct sharer *s, size_t page)
{
	const uint64_t *p = (const uint64_t *)(s->mem + page * PAGE);
	uint64_t want = share_pattern(s, page, s->ver[page]);

	if (!s->ver[page] || (p[0] == want && p[PAGE / sizeof(*p) - 1] == want))
		return;
	say("torture: MISMATCH seed %" PRIu64 " worker %u sharer %u page %zu: "
	    "%#" PRIx64 "/%#" PRIx64 ", want %#" PRIx64 "\n", run_seed, s->worker, s->parity,
	    page, p[0], p[PAGE / sizeof(*p) - 1], want);
	STAT_ADD(s->st, mismatches, 1);
}

static void *sharer_thread(void *arg)
{
	struct sharer *s = arg;
	uint64_t done = 0;

	while (!__atomic_load_n(&s->st->stop, __ATOMIC_RELAXED)) {
		size_t chunk = rng_below(&s->rng, SHARE_CHUNKS), i;

		for (i = s->parity; i < CHUNK / PAGE; i += 2) {
			size_t page = chunk * (CHUNK / PAGE) + i;
			uint64_t *p = (uint64_t *)(s->mem + page * PAGE);

			share_check(s, page);
			if (rng_below(&s->rng, 4) == 0) {
				madvise(p, PAGE, MADV_DONTNEED);
				s->ver[page] = 0;
			}
			s->ver[page]++;
			p[0] = p[PAGE / sizeof(*p) - 1] = share_pattern(s, page, s->ver[page]);
		}
		if ((++done & 63) == 0)
			STAT_ADD(s->st, ops, 64);
	}
	for (size_t page = s->parity; page < SHARE_PAGES; page += 2)
		share_check(s, page);
	return NULL;
}

/* Start the two sharers of worker @idx; 0, or -1 if they could not start. */
static int start_sharers(const struct options *o, unsigned int idx, struct sharer *s,
			 pthread_t *tid)
{
	char *mem = ff_mmap_aligned(SHARE_CHUNKS * CHUNK, CHUNK);
	unsigned int t;

	if (mem == MAP_FAILED)
		return -1;
	for (t = 0; t < 2; t++) {
		s[t] = (struct sharer){ .st = stats, .worker = idx, .parity = t, .mem = mem };
		rng_seed(&s[t].rng, o->seed, (uint64_t)round_no << 16 | idx << 8 | 0xc0 | t);
		if (pthread_create(&tid[t], NULL, sharer_thread, &s[t]))
			return -1;
	}
	return 0;
}

static void worker_process(const struct options *o, unsigned int idx)
{
	struct sigaction sa = { .sa_sigaction = crash_report, .sa_flags = SA_SIGINFO };

	static struct sharer sharers[2];
	pthread_t tid[16], share_tid[2];
	uint64_t dev_size = 0;
	struct worker *w;
	unsigned int t;
	int dio_fd = -1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (o->dio_dev) {
		dio_fd = open(o->dio_dev, O_RDWR | O_DIRECT);
		if (dio_fd >= 0 && ioctl(dio_fd, BLKGETSIZE64, &dev_size))
			dev_size = 0;
	}
	w = calloc(o->threads, sizeof(*w));
	if (!w)
		_exit(2);
	crash_workers = w;
	crash_threads = o->threads;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (t = 0; t < o->threads; t++) {
		w[t].st = stats;
		w[t].worker = idx;
		w[t].thread = t;
		w[t].max_ops = o->max_ops;
		w[t].holes = &worker_holes;
		w[t].digest = 0xcbf29ce484222325ULL;
		w[t].dio_off = (off_t)((idx * o->threads + t) * DIO_SLOT);
		/* Threads whose slot is past the device's end do no O_DIRECT. */
		w[t].dio_fd = (uint64_t)w[t].dio_off + DIO_SLOT <= dev_size ? dio_fd : -1;
		rng_seed(&w[t].rng, o->seed, (uint64_t)round_no << 16 | idx << 8 | t);
		for (unsigned int i = 0; i < MAX_REGIONS; i++)
			w[t].r[i].fd = -1;
		if (pthread_create(&tid[t], NULL, worker_thread, &w[t]))
			_exit(2);
	}
	if (o->share && start_sharers(o, idx, sharers, share_tid))
		_exit(2);
	for (t = 0; t < o->threads; t++)
		pthread_join(tid[t], NULL);
	for (t = 0; o->share && t < 2; t++)
		pthread_join(share_tid[t], NULL);
	_exit(0);
}

/*
 * Flip the anon_reserve switches, and vm.speculative_page_fault where the
 * kernel has it, at random, every 20-200 ms: faults in flight then meet
 * the other setting. Ends with the reservation at always and adaptive on,
 * and speculation as the flipper found it.
 */
static void switch_flipper(uint64_t seed)
{
	static const char *const modes[] = { "always", "always", "madvise", "never" };
	char spf[8] = "";
	struct rng rng;
	unsigned int kinds = 2;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rng_seed(&rng, seed, 0xf11b);
	if (ff_read_file(SPF_SWITCH, spf, sizeof(spf)) > 0)
		kinds = 3;
	while (!__atomic_load_n(&stats->stop, __ATOMIC_RELAXED)) {
		switch (rng_below(&rng, kinds)) {
		case 0:
			ff_write_file(SWITCH, modes[rng_below(&rng, 4)]);
			break;
		case 1:
			ff_write_file(ADAPTIVE, rng_below(&rng, 2) ? "1" : "0");
			break;
		default:
			ff_write_file(SPF_SWITCH, rng_below(&rng, 2) ? "1" : "0");
			break;
		}
		STAT_ADD(stats, switch_flips, 1);
		usleep(20000 + (useconds_t)rng_below(&rng, 180000));
	}
	ff_write_file(SWITCH, "always");
	ff_write_file(ADAPTIVE, "1");
	if (spf[0])
		ff_write_file(SPF_SWITCH, spf);
	_exit(0);
}

/* "Name:   N kB" of /proc/meminfo, in KiB; -1 if absent. */
static long meminfo_kb(const char *name)
{
	long kb;

	return ff_proc_sum("/proc/meminfo", name, &kb) > 0 ? kb : -1;
}

/* A /proc/vmstat counter; -1 if absent. */
static long vmstat(const char *name)
{
	long v;

	return ff_proc_sum("/proc/vmstat", name, &v) > 0 ? v : -1;
}

/*
 * A hog that holds memory close to OOM. While more than @floor_kb + 1 MiB
 * is free it takes half of the excess (1 to 64 MiB, 8 near the floor,
 * populated at once); as soon as less than @give_back_kb is free it gives
 * back its last 8 MiB or more; otherwise it touches what it holds, one
 * page of each block.
 */
static void memory_hog(long floor_kb, long give_back_kb)
{
	static struct { char *p; size_t len; } blocks[4096];
	size_t held = 0, held_kb = 0, i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!__atomic_load_n(&stats->stop_all, __ATOMIC_RELAXED)) {
		long free_kb = meminfo_kb("MemFree");

		if (free_kb > floor_kb + 1024 && held < 4096) {
			size_t len = ((size_t)(free_kb - floor_kb) / 2 / 1024 + 1) << 20;

			/*
			 * Memory is only looked at between steps: 64 MiB ones
			 * far from the floor, 8 MiB ones near it.
			 */
			if (len > (64UL << 20))
				len = 64UL << 20;
			if (free_kb < floor_kb + 128 * 1024 && len > (8UL << 20))
				len = 8UL << 20;
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

			if (p != MAP_FAILED) {
				blocks[held].p = p;
				blocks[held++].len = len;
				held_kb += len >> 10;
			}
		} else if (free_kb < give_back_kb && held) {
			size_t freed = 0;

			while (held && freed < (8UL << 20)) {
				held--;
				munmap(blocks[held].p, blocks[held].len);
				freed += blocks[held].len;
			}
			held_kb -= freed >> 10;
			continue;
		} else {
			for (i = 0; i < held; i++)
				blocks[i].p[(size_t)rand() % blocks[i].len] ^= 1;
			usleep(10000);
		}
		if (held_kb > __atomic_load_n(&stats->hog_peak_kb, __ATOMIC_RELAXED))
			__atomic_store_n(&stats->hog_peak_kb, held_kb, __ATOMIC_RELAXED);
	}
	_exit(0);
}

/*
 * Keep a reservation held nearly all the time, for the hog's pressure to
 * reclaim: touch page 0 of a chunk (the block is reserved, fifteen pages
 * unused), wait, touch page 1 (the rest is mapped: a dense chunk), and go on
 * two chunks further, where no dense run continues, so nothing is mapped
 * ahead and the next block is held again.
 */
static void reservation_holder(void)
{
	const size_t chunks = 128;
	char *p = ff_mmap_aligned(chunks * CHUNK, CHUNK);
	size_t c = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (p == MAP_FAILED)
		_exit(2);
	while (!__atomic_load_n(&stats->stop_all, __ATOMIC_RELAXED)) {
		p[c * CHUNK] = 1;
		usleep(200000);
		p[c * CHUNK + PAGE] = 1;
		c += 2;
		if (c >= chunks) {
			madvise(p, chunks * CHUNK, MADV_DONTNEED);
			c = 0;
		}
	}
	_exit(0);
}

/* The reservation counters of /proc/vmstat, and the pages held now. */
struct reserve_books {
	long alloc, alloc_fail, hit, map_ahead, release, reclaim, returned, held_pages;
};

/*
 * Read them with nothing moving: AnonReserved before and after the vmstat
 * read must agree, or another process reserved meanwhile and we read again.
 */
static int read_books(struct reserve_books *b)
{
	int tries;

	for (tries = 0; tries < 20; tries++) {
		long held = meminfo_kb("AnonReserved");

		b->alloc = vmstat("anon_reserve_alloc");
		b->alloc_fail = vmstat("anon_reserve_alloc_fail");
		b->hit = vmstat("anon_reserve_hit");
		b->map_ahead = vmstat("anon_reserve_map_ahead");
		b->release = vmstat("anon_reserve_release");
		b->reclaim = vmstat("anon_reserve_reclaim");
		/* Pages given back unmapped to their reservation (newer kernels). */
		b->returned = vmstat("anon_reserve_return");
		if (b->returned < 0)
			b->returned = 0;
		b->held_pages = held / (long)(PAGE / 1024);
		if (held < 0 || b->alloc < 0)
			return -1;
		if (meminfo_kb("AnonReserved") == held)
			return 0;
	}
	return -1;
}

/* The speculative fault events of /proc/vmstat (spf_*), by name. */
#define SPF_EVENTS	24
struct spf_books {
	unsigned int n;
	char name[SPF_EVENTS][40];
	long value[SPF_EVENTS];
};

/* Read every spf_* event; n stays 0 on a kernel without them. */
static void read_spf_books(struct spf_books *b)
{
	char line[96];
	FILE *f = fopen("/proc/vmstat", "r");

	b->n = 0;
	if (!f)
		return;
	while (b->n < SPF_EVENTS && fgets(line, sizeof(line), f))
		if (!strncmp(line, "spf_", 4) &&
		    sscanf(line, "%39s %ld", b->name[b->n], &b->value[b->n]) == 2)
			b->n++;
	fclose(f);
}

/* @name's count in @b, or 0. */
static long spf_event(const struct spf_books *b, const char *name)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		if (!strcmp(b->name[i], name))
			return b->value[i];
	return 0;
}

/*
 * What speculation did in the run, each abort reason that moved on its
 * own line. Returns how many faults it handled, or -1 without the events.
 */
static long report_spf(const struct spf_books *b0, const struct spf_books *b1)
{
	long handled = spf_event(b1, "spf_success") - spf_event(b0, "spf_success");
	unsigned int i;

	if (!b1->n)
		return -1;
	printf("# speculative faults: %ld attempted, %ld handled\n",
	       spf_event(b1, "spf_attempt") - spf_event(b0, "spf_attempt"), handled);
	for (i = 0; i < b1->n; i++) {
		long d = b1->value[i] - spf_event(b0, b1->name[i]);

		if (d && !strncmp(b1->name[i], "spf_abort_", 10))
			printf("#   %s %ld\n", b1->name[i], d);
	}
	return handled;
}

/*
 * Where memory is, from /proc/meminfo, with the page cache and reclaimable
 * slab dropped first. A page that is in none of these places and not free
 * is lost: the leak check compares "unaccounted" before and after the run.
 * On the debug kernel it moves by up to ~25 MiB with no leak (per-cpu page
 * lists, the KASAN shadow of vmalloc areas freed lazily after hundreds of
 * module loads), hence the 64 MiB default tolerance; page_owner is the
 * exact check for user pages.
 */
static const char *const mem_fields[] = {
	"MemFree", "AnonPages", "Shmem", "Cached", "Buffers", "SwapCached",
	"Slab", "PageTables", "KernelStack", "VmallocUsed", "Percpu",
	"AnonReserved", "Unevictable",
};
#define NR_MEM_FIELDS	(sizeof(mem_fields) / sizeof(mem_fields[0]))

struct mem_snapshot {
	long kb[NR_MEM_FIELDS];
	long unaccounted;	/* MemTotal minus all the above (Shmem is in Cached) */
};

static void mem_snapshot(struct mem_snapshot *m)
{
	long sum = 0;
	size_t i;

	sync();
	ff_write_file("/proc/sys/vm/drop_caches", "3");
	for (i = 0; i < NR_MEM_FIELDS; i++) {
		m->kb[i] = meminfo_kb(mem_fields[i]);
		/* Shmem and Unevictable pages are already in Cached or AnonPages. */
		if (m->kb[i] > 0 && strcmp(mem_fields[i], "Shmem") &&
		    strcmp(mem_fields[i], "Unevictable"))
			sum += m->kb[i];
	}
	m->unaccounted = meminfo_kb("MemTotal") - sum;
}

/* One "# memory:" line of what changed by more than 1 MiB. */
static void mem_report(const struct mem_snapshot *a, const struct mem_snapshot *b)
{
	size_t i;

	printf("# memory after - before (KiB):");
	for (i = 0; i < NR_MEM_FIELDS; i++)
		if (labs(b->kb[i] - a->kb[i]) >= 1024)
			printf(" %s %+ld", mem_fields[i], b->kb[i] - a->kb[i]);
	printf(" unaccounted %+ld\n", b->unaccounted - a->unaccounted);
}

/*
 * Audit every process every few seconds while the run goes on, not only
 * what is left at its end. Skipped while the cycler has the module out.
 */
static void audit_during_run(unsigned int seconds, uint64_t *audits, uint64_t *violations,
			     uint64_t *max_cont_kb)
{
	static struct ff_audit a;
	time_t end = time(NULL) + seconds;

	while (time(NULL) < end) {
		sleep(seconds < 5 ? 1 : 5);
		if (ff_audit_run("all", &a))
			continue;
		(*audits)++;
		*violations += a.violations;
		if (a.violations)
			printf("torture: auditor during the run:\n%s\n", a.report);
		if (a.cont_kb > *max_cont_kb)
			*max_cont_kb = a.cont_kb;
	}
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t SECONDS] [-s SEED] [-w WORKERS] [-T THREADS] [-n OPS]\n"
		"          [-d BLOCKDEV] [-M MODULE.ko] [-F] [-H] [-C] [-I PERCENT] [-X] [-l LEAK_KB]\n"
		"  -t  run time, 1-86400 seconds (60)\n"
		"  -s  seed (default: from the clock; printed first either way)\n"
		"  -w  worker processes, 1-16 (3); -T threads each, 1-16 (2)\n"
		"  -n  stop each thread after OPS operations (0: at the deadline)\n"
		"  -d  block device for O_DIRECT transfers (/dev/ram1; '' for none)\n"
		"  -M  load and unload this fastfault.ko in a loop meanwhile\n"
		"  -F  feed fastfault's debugfs files and ioctl bad input; probe as uid 65534\n"
		"  -H  run a memory hog that keeps the guest near OOM, and a process that\n"
		"      holds a reservation for it to reclaim\n"
		"  -C  two more threads a worker fault into the same chunks, and the\n"
		"      shrinkers run every 10 ms\n"
		"  -I  fail PERCENT of order-4 no-reclaim allocations (fail_page_alloc)\n"
		"  -X  leave the anon_reserve switches alone (default: flip them)\n"
		"  -l  leak check tolerance: memory found nowhere after the run, KiB (65536)\n", prog);
	exit(2);
}

static unsigned long number(const char *s, unsigned long lo, unsigned long hi,
			    const char *what, const char *prog)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: %s '%s' is not a number from %lu to %lu\n",
			prog, what, s, lo, hi);
		usage(prog);
	}
	return v;
}

/*
 * A seed when none is given: from the kernel's random pool, as a guest
 * without an RTC boots with the same clock every time.
 */
static uint64_t random_seed(void)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return seed % 1000000000000ULL;	/* short enough to type back */
}

static void parse(int argc, char **argv, struct options *o)
{
	int c;

	*o = (struct options){ .seconds = 60, .workers = 3, .threads = 2,
			       .seed = random_seed(),
			       .dio_dev = "/dev/ram1", .flip = 1, .leak_tolerance_kb = 65536 };
	while ((c = getopt(argc, argv, "t:s:w:T:n:d:M:FHCI:Xl:h")) != -1) {
		switch (c) {
		case 't': o->seconds = number(optarg, 1, 86400, "-t", argv[0]); break;
		case 's': o->seed = number(optarg, 0, ULONG_MAX, "-s", argv[0]); break;
		case 'w': o->workers = number(optarg, 1, 16, "-w", argv[0]); break;
		case 'T': o->threads = number(optarg, 1, 16, "-T", argv[0]); break;
		case 'n': o->max_ops = number(optarg, 0, ULONG_MAX, "-n", argv[0]); break;
		case 'd': o->dio_dev = *optarg ? optarg : NULL; break;
		case 'M': o->module = optarg; break;
		case 'F': o->fuzz = 1; break;
		case 'H': o->hog = 1; break;
		case 'C': o->share = 1; break;
		case 'I': o->inject = number(optarg, 0, 100, "-I", argv[0]); break;
		case 'X': o->flip = 0; break;
		case 'l': o->leak_tolerance_kb = number(optarg, 0, 1 << 30, "-l", argv[0]); break;
		default: usage(argv[0]);
		}
	}
	if (optind != argc)
		usage(argv[0]);
}

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0)
		fn();
	return pid;
}

static struct options opts;
static void run_flipper(void) { switch_flipper(opts.seed); }

/*
 * -C: run every shrinker every 10 ms, the reservations' included, so that
 * the sharers' reservation is taken away under them all the time.
 */
static void run_reclaimer(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!__atomic_load_n(&stats->stop, __ATOMIC_RELAXED)) {
		ff_write_file("/proc/sys/vm/drop_caches", "2");
		usleep(10000);
	}
	_exit(0);
}
/*
 * Sum of the zones' @name watermarks ("min", "low"), in KiB. Below low
 * kswapd wakes; below min allocations enter direct reclaim.
 */
static long watermarks_kb(const char *name)
{
	long pages;

	return ff_proc_sum("/proc/zoneinfo", name, &pages) > 0 ? pages * (long)(PAGE / 1024) : 0;
}

#define WMARK_SCALE	"/proc/sys/vm/watermark_scale_factor"
#define WMARK_BOOST	"/proc/sys/vm/watermark_boost_factor"

/*
 * Pressure without OOM. The guest has almost no swap and no page cache to
 * drop, so little can be reclaimed, and the gap between the min watermark
 * (where allocations stall and the OOM killer waits) and the low one
 * (where kswapd wakes) is a few MiB: a hog held inside it got OOM-killed by
 * the first burst of allocations (a fork copying its parent). So the parent
 * widens the gap (watermark_scale_factor 1000: a tenth of memory) and turns
 * watermark boosting off (a boost after fragmentation once raised min by
 * 47 MiB under the hog's feet, and the hog was OOM-killed), and the hog
 * keeps free memory between min and low, three quarters of the way up:
 * kswapd runs all the time, reservations are reclaimed and GFP_NOWAIT
 * order-4 allocations fail for real, while tens of MiB stay between every
 * allocation and the OOM killer.
 */
static void run_hog(void)
{
	long low = watermarks_kb("low"), min = watermarks_kb("min");

	memory_hog(min + (low - min) * 3 / 4, min + (low - min) / 2);
}

static void run_holder(void) { reservation_holder(); }
static void run_cycler(void) { module_cycler(stats, opts.module, opts.seed); _exit(0); }
static void run_fuzzer(void) { debugfs_fuzzer(stats, opts.seed); _exit(0); }

static int tap_n;
static int tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d torture: ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return ok;
}

#define PAGE_OWNER	"/sys/kernel/debug/page_owner"

/* Stacks of user memory: anonymous, copy-on-write, shmem pages, page tables. */
static const char *const user_page_frames[] = {
	"anon_reserve_", "do_anonymous_page", "wp_page_copy", "do_cow_fault",
	"shmem_alloc", "pte_alloc_one",
};
/* Pages that such a path allocated for the kernel's own caches. */
static const char *const cache_frames[] = {
	"allocate_slab", "new_slab", "slab_alloc", "stack_depot", "kasan_", "kmemleak",
};

static int has_any(const char *text, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(text, names[i]))
			return 1;
	return 0;
}

/*
 * Pages of user memory that a torture process other than this one
 * allocated and that are still allocated, from page_owner (one record a
 * read). After every such process has exited, each is a leak. Returns the
 * count, or -1 without page_owner (boot with page_owner=on). The first
 * record found goes to @first.
 */
static long owner_leaks(char *first, size_t first_size)
{
	static char rec[16384];
	char me[32];
	long leaked = 0;
	ssize_t n;
	int fd;

	fd = open(PAGE_OWNER, O_RDONLY);
	if (fd < 0)
		return -1;
	snprintf(me, sizeof(me), "tgid %d (", getpid());
	first[0] = '\0';
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0) {
		unsigned int order;

		rec[n] = '\0';
		if (!strstr(rec, "(torture)") || strstr(rec, me) ||
		    !has_any(rec, user_page_frames, sizeof(user_page_frames) / sizeof(user_page_frames[0])) ||
		    has_any(rec, cache_frames, sizeof(cache_frames) / sizeof(cache_frames[0])))
			continue;
		if (sscanf(rec, "Page allocated via order %u", &order) != 1)
			order = 0;
		leaked += 1L << order;
		if (leaked <= 10)
			printf("# still allocated (we are %d): %.*s\n", getpid(), (int)strcspn(rec, "\n"), rec);
		if (!first[0]) {
			size_t len = strnlen(rec, first_size - 1);

			memcpy(first, rec, len);
			first[len] = '\0';
		}
	}
	close(fd);
	return leaked;
}

/*
 * A page a process mapped just before it exited can still be held by a
 * per-CPU batch on its way to the LRU (lru_add, mlock and the other
 * pagevecs, up to 15 pages each): its last reference goes only when that
 * CPU drains the batch, which an idle CPU may not do for a long time. CI
 * once saw 13 such pages as a leak. Writing compact_memory drains the
 * batches of every CPU first (lru_add_drain_all()); a page still allocated
 * after that is held by something else.
 */
static void drain_lru_batches(void)
{
	if (ff_write_file("/proc/sys/vm/compact_memory", "1"))
		printf("# cannot write /proc/sys/vm/compact_memory: per-CPU LRU batches not drained\n");
}

/*
 * One round: the workers and helpers for @seconds (or -n operations), the
 * auditor every few seconds meanwhile. Returns how many processes ended
 * badly; *nhelpers says how many helpers there were.
 */
static unsigned int run_round(unsigned int seconds, int have_switch, unsigned int *nhelpers,
			      uint64_t *audits, uint64_t *violations, uint64_t *max_cont)
{
	pid_t workers[16], helpers[8];
	unsigned int i, n = 0, bad = 0;
	int status;

	__atomic_store_n(&stats->stop, 0, __ATOMIC_RELAXED);
	round_no++;
	for (i = 0; i < opts.workers; i++) {
		workers[i] = fork();
		if (workers[i] == 0)
			worker_process(&opts, i);
	}
	if (opts.flip && have_switch)
		helpers[n++] = spawn(run_flipper);

	if (opts.module)
		helpers[n++] = spawn(run_cycler);
	if (opts.fuzz)
		helpers[n++] = spawn(run_fuzzer);
	if (opts.share)
		helpers[n++] = spawn(run_reclaimer);

	if (!opts.max_ops) {
		audit_during_run(seconds, audits, violations, max_cont);
		__atomic_store_n(&stats->stop, 1, __ATOMIC_RELAXED);
	}
	for (i = 0; i < opts.workers; i++)
		if (waitpid(workers[i], &status, 0) != workers[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			printf("torture: worker %u ended with status %#x\n", i, status);
			bad++;
		}
	__atomic_store_n(&stats->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++)
		if (helpers[i] < 0 || waitpid(helpers[i], &status, 0) != helpers[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("torture: helper %u ended with status %#x\n", i, status);
			bad++;
		}
	*nhelpers = n;
	return bad;
}

int main(int argc, char **argv)
{
	unsigned int nhelpers = 0, failed = 0, procs_failed = 0, warmup;
	struct reserve_books b0, b1;
	int have_books, have_switch;
	struct mem_snapshot mem0, mem1;
	uint64_t audits = 0, audit_violations = 0, audit_max_cont = 0, ops0;
	long ooms0, kswapd0, stalls0;
	struct spf_books spf0, spf1;
	long spf_handled;
	struct timespec t0, t1;
	struct ff_audit audit;
	struct ff_reserve_saved switches;
	static char leak_example[4096];
	pid_t pressure[2] = { -1, -1 };
	char wmark_scale[16] = "", wmark_boost[16] = "";
	unsigned int i;
	int status;
	double secs;
	long leaked;

	parse(argc, argv, &opts);
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_seed = opts.seed;
	/*
	 * A first quarter of the run lets the hog fill memory and the rest
	 * settle: the figures and the reservation accounting cover the rest.
	 */
	warmup = opts.max_ops ? 0 : opts.seconds / 4;
	printf("torture: seed %" PRIu64 " seconds %u (warm-up %u) workers %u threads %u%s%s%s%s%s",
	       opts.seed, opts.seconds, warmup, opts.workers, opts.threads,
	       opts.module ? " module-cycle" : "", opts.fuzz ? " fuzz" : "",
	       opts.hog ? " hog" : "", opts.flip ? " flip" : "",
	       opts.share ? " shared-chunks" : "");
	printf(opts.inject ? " inject %u%%\n" : "\n", opts.inject);
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED)
		return 2;
	memset(stats, 0, sizeof(*stats));	/* ours in page_owner, not a child's */

	/* Every feature on; remember the switches to put them back. */
	have_switch = !ff_reserve_save(&switches);
	if (have_switch) {
		ff_write_file(SWITCH, "always");
		ff_write_file(ADAPTIVE, "1");
	}
	/* Every task's reservations fail that often, while everything runs. */
	if (opts.inject && ff_fail_nowait_order4(opts.inject, 0)) {
		printf("torture: -I needs CONFIG_FAIL_PAGE_ALLOC and " FF_FAIL_PAGE_ALLOC "\n");
		return 2;
	}
	if (opts.fuzz)
		unprivileged_probe(stats);

	/*
	 * Memory before anything runs: a snapshot under the hog's pressure
	 * misses up to 140 MiB that reclaim holds in flight, which would hide
	 * a leak of that size.
	 */
	mem_snapshot(&mem0);
	/* The books and the reclaim figures cover the whole run too. */
	have_books = read_books(&b0) == 0;
	read_spf_books(&spf0);
	ooms0 = vmstat("oom_kill");
	kswapd0 = vmstat("pageoutrun");
	stalls0 = vmstat("allocstall_normal") + vmstat("allocstall_dma");
	/* The hog and the holder span both rounds: the hog takes a while to fill memory. */
	if (opts.hog) {
		if (ff_read_file(WMARK_SCALE, wmark_scale, sizeof(wmark_scale)) <= 0 ||
		    ff_write_file(WMARK_SCALE, "1000") ||
		    ff_read_file(WMARK_BOOST, wmark_boost, sizeof(wmark_boost)) <= 0 ||
		    ff_write_file(WMARK_BOOST, "0"))
			printf("torture: cannot set %s and %s: the hog may get OOM-killed\n",
			       WMARK_SCALE, WMARK_BOOST);
		pressure[0] = spawn(run_hog);
		pressure[1] = spawn(run_holder);
	}
	if (warmup)
		procs_failed += run_round(warmup, have_switch, &nhelpers, &audits,
					  &audit_violations, &audit_max_cont);
	ops0 = stats->ops;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	procs_failed += run_round(opts.seconds - warmup, have_switch, &nhelpers, &audits,
				  &audit_violations, &audit_max_cont);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	__atomic_store_n(&stats->stop_all, 1, __ATOMIC_RELAXED);
	if (wmark_scale[0])
		ff_write_file(WMARK_SCALE, wmark_scale);
	if (wmark_boost[0])
		ff_write_file(WMARK_BOOST, wmark_boost);
	for (i = 0; opts.hog && i < 2; i++) {
		if (pressure[i] < 0 || waitpid(pressure[i], &status, 0) != pressure[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("torture: %s ended with status %#x\n", i ? "holder" : "hog", status);
			procs_failed++;
		}
	}
	if (opts.inject)
		ff_fail_nowait_order4(0, 0);
	ff_reserve_restore(&switches);

	printf("TAP version 13\n");
	failed |= !tap(procs_failed == 0, "%u worker and %u helper processes a round%s, "
		       "%u ended badly", opts.workers, nhelpers,
		       opts.hog ? ", a hog and a holder" : "", procs_failed);
	failed |= !tap(stats->mismatches == 0, "%" PRIu64 " data mismatches in %" PRIu64
		       " operations", stats->mismatches, stats->ops);
	if (audits)
		failed |= !tap(audit_violations == 0, "auditor during the run: %" PRIu64
			       " violations in %" PRIu64 " audits, up to %" PRIu64 " KiB in cont blocks",
			       audit_violations, audits, audit_max_cont);
	if (ff_audit_run("all", &audit) == 0)
		failed |= !tap(audit.violations == 0, "auditor: %" PRIu64 " violations, %" PRIu64
			       " KiB in %" PRIu64 " cont blocks over %" PRIu64 " processes",
			       audit.violations, audit.cont_kb, audit.blocks, audit.processes);
	else
		tap(1, "auditor # SKIP fastfault.ko not loaded");
	if (have_books && read_books(&b1) == 0) {
		long alloc = b1.alloc - b0.alloc, hit = b1.hit - b0.hit;
		long ahead = b1.map_ahead - b0.map_ahead, rel = b1.release - b0.release;
		long recl = b1.reclaim - b0.reclaim, held = b1.held_pages - b0.held_pages;
		long ret = b1.returned - b0.returned;

		/* A page handed out, given back and handed out again counts twice. */
		failed |= !tap(16 * alloc + ret == alloc + hit + ahead + rel + recl + held,
			       "every reserved page accounted: 16 x %ld reserved + %ld returned "
			       "= %ld mapped + %ld hit + %ld ahead + %ld released + %ld reclaimed "
			       "+ %ld held", alloc, ret, alloc, hit, ahead, rel, recl, held);
		printf("# reservation fallbacks (GFP_NOWAIT failed): %ld; kswapd runs %ld, "
		       "direct reclaim stalls %ld\n", b1.alloc_fail - b0.alloc_fail,
		       vmstat("pageoutrun") - kswapd0,
		       vmstat("allocstall_normal") + vmstat("allocstall_dma") - stalls0);
		if (opts.inject)
			failed |= !tap(b1.alloc_fail > b0.alloc_fail,
				       "%ld failed reservations fell back to one page",
				       b1.alloc_fail - b0.alloc_fail);
		if (opts.hog)
			failed |= !tap(recl > 0, "under the hog (peak %" PRIu64 " KiB, kswapd ran %ld "
				       "times), the shrinker reclaimed %ld reserved pages",
				       stats->hog_peak_kb, vmstat("pageoutrun") - kswapd0, recl);
	} else {
		tap(1, "reservation accounting # SKIP no AnonReserved in /proc/meminfo");
	}
	read_spf_books(&spf1);
	spf_handled = report_spf(&spf0, &spf1);
	/* The workers are threaded and the switch is on (half the time with -F). */
	if (spf_handled >= 0)
		failed |= !tap(spf_handled > 0,
			       "threaded workers had faults handled without mmap_lock");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	leaked = owner_leaks(leak_example, sizeof(leak_example));
	if (leaked > 0) {
		printf("# %ld pages before the per-CPU LRU batches were drained\n", leaked);
		drain_lru_batches();
		leaked = owner_leaks(leak_example, sizeof(leak_example));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (leaked < 0) {
		tap(1, "no user page leaked # SKIP no " PAGE_OWNER " (boot with page_owner=on)");
	} else {
		failed |= !tap(leaked == 0, "%ld pages of user memory that torture processes "
			       "allocated are still allocated after they exited and the per-CPU "
			       "LRU batches were drained (page_owner, read in %.0f s)", leaked,
			       (double)(t1.tv_sec - t0.tv_sec));
		if (leaked)
			printf("# the first of them:\n%s", leak_example);
	}
	mem_snapshot(&mem1);
	mem_report(&mem0, &mem1);
	failed |= !tap(mem1.unaccounted - mem0.unaccounted <= opts.leak_tolerance_kb,
		       "no memory lost: unaccounted %ld KiB before, %ld KiB after (tolerance %ld KiB); "
		       "free %ld -> %ld KiB", mem0.unaccounted, mem1.unaccounted,
		       opts.leak_tolerance_kb, mem0.kb[0], mem1.kb[0]);
	failed |= !tap(mem1.kb[1] - mem0.kb[1] <= opts.leak_tolerance_kb &&
		       mem1.kb[2] - mem0.kb[2] <= opts.leak_tolerance_kb,
		       "anonymous and shmem memory back: AnonPages %+ld KiB, Shmem %+ld KiB",
		       mem1.kb[1] - mem0.kb[1], mem1.kb[2] - mem0.kb[2]);
	failed |= !tap(vmstat("oom_kill") == ooms0, "%ld OOM kills in the whole run",
		       vmstat("oom_kill") - ooms0);
	if (opts.fuzz) {
		failed |= !tap(stats->unpriv_allowed == 0,
			       "uid 65534 got %" PRIu64 " of %" PRIu64 " opens and ioctls",
			       stats->unpriv_allowed, stats->unpriv_tries);
		tap(1, "fuzz: %" PRIu64 " bad inputs, %" PRIu64 " accepted (valid by chance)",
		    stats->fuzz_calls, stats->fuzz_accepted);
	}
	if (opts.module)
		tap(1, "module: %" PRIu64 " loads, %" PRIu64 " unloads, %" PRIu64 " busy",
		    stats->module_loads, stats->module_unloads, stats->module_busy);
	printf("# figures (after the warm-up): seed %" PRIu64 " seconds %.1f ops %" PRIu64 " ops_per_s %.0f "
	       "mismatches %" PRIu64 " forks %" PRIu64 " odirect %" PRIu64 " switch_flips %"
	       PRIu64 " hog_peak_kb %" PRIu64 "\n", opts.seed, secs, stats->ops - ops0,
	       (stats->ops - ops0) / secs, stats->mismatches, stats->forks, stats->odirect,
	       stats->switch_flips, stats->hog_peak_kb);
	printf("# sequence digest %016" PRIx64 "\n", stats->digest);
	if (failed)
		printf("torture: FAILED; rerun with -s %" PRIu64 " to repeat each thread's operations\n",
		       opts.seed);
	return failed;
}
