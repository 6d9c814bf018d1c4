// SPDX-License-Identifier: GPL-2.0
/*
 * get_user_pages() and its neighbours on device mappings: devmap PMDs and
 * PTEs over ZONE_DEVICE pages (the module's devmap device, an fsdax file)
 * and page-less PFN-map PMDs (the module's pfnmap device), which every GUP
 * path must refuse cleanly, never oops. The seed bug: mmap(MAP_POPULATE) of
 * a DAX PMD mapping crashed in follow_trans_huge_pmd(). One fixture, a
 * variant per mapping type, a test per path; each test states its expected
 * result where it asserts it.
 *
 * Expected results ("full": the whole length moved, the data right):
 *
 * mixedmap_pmd is the pfnmap range mapped VM_MIXEDMAP: page-less PMDs that
 * slow GUP reaches (it stops VM_PFNMAP VMAs first), the seed bug's shape;
 * mixedmap_pte is the same range by special PTEs, and every path must
 * answer there as on mixedmap_pmd.
 *
 *   test                  devmap_pmd   devmap_pte   fsdax_pmd    pfnmap_pmd   mixedmap_*
 *   map_populate          mapped       mapped       mapped       mapped       mapped
 *                         (with the gup counters: one special-PMD lookup per PMD)
 *   mlock                 0            0            0            0 (special VMAs are skipped)
 *   madv_populate_*       0            0            0            EINVAL       0
 *   odirect_*, vmsplice   full         full         full         EFAULT       EEXIST
 *   process_vm_*v         full         full         full         EFAULT       EFAULT
 *   proc_pid_mem          full         full         full         full (->access) EIO
 *   gup/pin_test_fast     full         full         full         0 bytes      0 bytes
 *   pin_test_longterm     full         full         0 bytes      0 bytes      0 bytes
 *   fork, mprotect_ro_rw,
 *   munmap_partial,
 *   mremap_move           data kept, devmap (or special) bit kept, on every type
 *   move_pages_query      node|ENOENT  node|ENOENT  node|ENOENT  EFAULT       EFAULT
 *   pagemap_read          present, with the PFN, on every type (root reads PFNs)
 *   clear_refs            0, data kept, on every type
 *   madv_cold, _pageout   0, data kept, entries kept; EINVAL on pfnmap (VM_PFNMAP)
 *   smaps                 read, the mapping's Rss 0 kB, on every type
 *   smaps_rollup,
 *   numa_maps             read, on every type
 *   mbind_strict(_move)   0, data and entries kept, on every type
 *   exec_mapping          a PROT_EXEC mapping reads, entries at the type's level
 *   resolve_pfn           EINVAL       EINVAL       EINVAL       the PFN      EINVAL
 *                         (the module's KVM-style lookup of a PFN map's entries)
 *   memcg_v1_move         joined, data kept, on every type (skips without cgroup v1)
 *
 * FF_GUP_ONLY=<variant>.<test> in the environment runs that case alone, and
 * FF_GUP_FROM=N the cases from the Nth on (the others skip at once). Each
 * case writes "fastfault-gup: case <variant>.<test>" to the kernel log as it
 * starts, so that a kernel complaint on the console names the case that
 * caused it: scripts/gup.sh boots afresh after the case that made a kernel
 * without the series oops or hang, from the case after it.
 *
 * Where the kernel has the FASTFAULT_DIR_GUP counters, GUP through a devmap
 * PMD counts its pages (fast or slow path), GUP-fast refused at a special PMD
 * and FOLL_LONGTERM refused on fsdax count their calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mempolicy.h>
#include <linux/types.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fastfault.h"
#include "ff_util.h"

#define PAGE		4096UL
#define MIB		(1UL << 20)
#define PMD_SIZE	(2 * MIB)
#define MAX_LEN		(4 * MIB)	/* the longest variant */
#define IO_LEN		MIB		/* what the O_DIRECT tests move */
#define PIPE_LEN	(64UL << 10)	/* a default pipe's capacity */
#define RAM_DEV		"/dev/ram1"	/* /dev/ram0 is the check plan's swap */
#define DAX_MNT		"/mnt/dax"
/*
 * fs/ext2/file.c has no .huge_fault, no MAP_SYNC and no fallocate; ext4 has
 * them all, but fallocate only for extent-mapped files (mkfs.ext4, not
 * busybox's mke2fs).
 */
#define NO_PMD_DAX	"fsdax_pmd needs ext4 with extents, or xfs, -o dax on " DAX_MNT

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif

/* From the tree's mm/gup_test.h, which 6.1 does not export as uapi. */
#define GUP_TEST_FILE		"/sys/kernel/debug/gup_test"
#define GUP_FAST_BENCHMARK	_IOWR('g', 1, struct gup_test)
#define PIN_FAST_BENCHMARK	_IOWR('g', 2, struct gup_test)
#define PIN_LONGTERM_BENCHMARK	_IOWR('g', 3, struct gup_test)
#define FOLL_WRITE		0x01

struct gup_test {
	__u64 get_delta_usec;
	__u64 put_delta_usec;
	__u64 addr;
	__u64 size;		/* in: bytes from addr; out: how far GUP got */
	__u32 nr_pages_per_call;
	__u32 gup_flags;
	__u32 test_flags;
	__u32 which_pages[8];
};

/*
 * 6.1's harness runs a test's body even after its FIXTURE_SETUP skipped
 * (later harnesses return early): every test starts with this.
 */
#define RETURN_IF_SKIPPED()	do { if (_metadata->skip) return; } while (0)

/* Ordinary memory for the other end of each transfer; each test is its own process. */
static char buf[MAX_LEN] __attribute__((aligned(PAGE)));

static const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown errno";
}

/*
 * The data pattern: page i (counted from the base given) starts with the
 * word i ^ seed; the rest of the page repeats one byte derived from it. Word
 * stores and loads only, no libc string functions: these are device pages.
 */
static uint64_t body_word(uint64_t head)
{
	return 0x0101010101010101ULL * (uint8_t)(head ^ head >> 8 ^ 0xa5);
}

/* Write the pattern over bytes [from, to) of p, page aligned. */
static void fill(char *p, size_t from, size_t to, uint64_t seed)
{
	size_t off, w;

	for (off = from; off < to; off += PAGE) {
		uint64_t *q = (uint64_t *)(p + off), head = off / PAGE ^ seed;

		q[0] = head;
		for (w = 1; w < PAGE / sizeof(*q); w++)
			q[w] = body_word(head);
	}
}

/* How many pages of bytes [from, to) of p do not hold the pattern. */
static int bad_pages(const char *p, size_t from, size_t to, uint64_t seed)
{
	size_t off, w;
	int bad = 0;

	for (off = from; off < to; off += PAGE) {
		const uint64_t *q = (const uint64_t *)(p + off), head = off / PAGE ^ seed;

		for (w = 0; w < PAGE / sizeof(*q); w++)
			if (q[w] != (w ? body_word(head) : head))
				break;
		bad += w < PAGE / sizeof(*q);
	}
	return bad;
}

/* Reserve len bytes of address space, 2 MiB aligned, PROT_NONE. */
static char *reserve_aligned(size_t len)
{
	char *p, *at;

	p = mmap(NULL, len + PMD_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return p;
	at = (char *)(((uintptr_t)p + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
	if (at > p)
		munmap(p, at - p);
	munmap(at + len, p + PMD_SIZE - at);
	return at;
}

/* Touch addr in a child: the signal that killed it, 0 if none, -1 on error. */
static int touch_signal(const char *addr)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_DUMPABLE, 0);	/* no core dump of the device mapping */
		(void)*(volatile const char *)addr;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * The TAP number of <variant>.<test>: its place in the harness's run order
 * (fixtures, their variants, their tests), from 1; 0 if there is none.
 */
static unsigned long case_number(const char *variant, const char *test)
{
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	unsigned long n = 0;

	for (f = __fixture_list; f; f = f->next)
		for (v = f->variant; v; v = v->next)
			for (t = f->tests; t; t = t->next) {
				n++;
				if (!strcmp(v->name, variant) && !strcmp(t->name, test))
					return n;
			}
	return 0;
}

/*
 * Is <variant>.<test> the case FF_GUP_ONLY names (any case without it), and
 * not before case FF_GUP_FROM?
 */
static bool selected(const char *variant, const char *test)
{
	const char *only = getenv("FF_GUP_ONLY"), *from = getenv("FF_GUP_FROM");
	size_t n = strlen(variant);

	if (from && case_number(variant, test) < strtoul(from, NULL, 10))
		return false;
	return !only || (!strncmp(only, variant, n) && only[n] == '.' &&
			 !strcmp(only + n + 1, test));
}

/* Name the case in the kernel log, before anything it does can complain there. */
static void mark_case(const char *variant, const char *test)
{
	char line[128];

	snprintf(line, sizeof(line), "fastfault-gup: case %s.%s\n", variant, test);
	ff_write_file("/dev/kmsg", line);
}

/* Is DAX_MNT mounted with dax? Its filesystem type into fstype if so. */
static bool dax_mounted(char *fstype, size_t size)
{
	char line[512], mnt[256], type[32], opts[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %255s %31s %255s", mnt, type, opts) == 3 &&
			!strcmp(mnt, DAX_MNT) && strstr(opts, "dax");
	fclose(f);
	if (found)
		snprintf(fstype, size, "%s", type);
	return found;
}

FIXTURE(gup) {
	int fd;			/* the device, or the fsdax file */
	int gup_fd;		/* GUP_TEST_FILE, or -1 */
	int ram_fd;		/* RAM_DEV, O_DIRECT */
	int aux[2];		/* a pipe, or /proc/self/mem in aux[0] */
	char *mem;		/* the mapping under test, len bytes */
	char *second;		/* another mapping of the same range */
	char *spare;		/* reserved address space */
	size_t len;
	uint64_t seed;
	char path[64];		/* the fsdax file, to unlink */
	char fstype[32];
};

FIXTURE_VARIANT(gup) {
	const char *name;
	const char *dev;	/* the test device, unless fsdax */
	const char *param;	/* the module parameter that makes dev */
	bool fsdax;		/* a file under DAX_MNT instead */
	size_t len;
	off_t offset;
	int level;		/* FASTFAULT_WALK_* of every touched page */
	bool devmap;		/* the entries' bits */
	bool special;
	bool has_pages;		/* struct pages behind it: GUP must work, else fail cleanly */
	bool pfnmap_vma;	/* VM_PFNMAP: GUP refuses the VMA before any walk */
	int nopage_err;		/* errno of GUP for pages where there are none */
};

FIXTURE_VARIANT_ADD(gup, devmap_pmd) {
	.name = "devmap_pmd", .dev = FASTFAULT_DEVMAP_DEV, .param = "devmap", .len = 4 * MIB,
	.offset = 0, .level = FASTFAULT_WALK_PMD, .devmap = true, .has_pages = true };
/* Smaller than a PMD, so PTE-mapped. */
FIXTURE_VARIANT_ADD(gup, devmap_pte) {
	.name = "devmap_pte", .dev = FASTFAULT_DEVMAP_DEV, .param = "devmap", .len = MIB,
	.offset = 2 * MIB, .level = FASTFAULT_WALK_PTE, .devmap = true, .has_pages = true };
/* fsdax pages are ZONE_DEVICE pages too, mapped devmap. */
FIXTURE_VARIANT_ADD(gup, fsdax_pmd) {
	.name = "fsdax_pmd", .fsdax = true, .len = 4 * MIB,
	.offset = 0, .level = FASTFAULT_WALK_PMD, .devmap = true, .has_pages = true };
FIXTURE_VARIANT_ADD(gup, pfnmap_pmd) {
	.name = "pfnmap_pmd", .dev = FASTFAULT_PFNMAP_DEV, .param = "pfnmap", .len = 4 * MIB,
	.offset = 0, .level = FASTFAULT_WALK_PMD, .special = true, .has_pages = false,
	.pfnmap_vma = true, .nopage_err = EFAULT };
FIXTURE_VARIANT_ADD(gup, mixedmap_pmd) {
	.name = "mixedmap_pmd", .dev = FASTFAULT_MIXEDMAP_DEV, .param = "pfnmap", .len = 4 * MIB,
	.offset = 0, .level = FASTFAULT_WALK_PMD, .special = true, .has_pages = false,
	.nopage_err = EEXIST };
/*
 * The same PFNs by special PTEs: every GUP path must answer here as it does
 * on mixedmap_pmd, whatever level the driver mapped them at.
 */
FIXTURE_VARIANT_ADD(gup, mixedmap_pte) {
	.name = "mixedmap_pte", .dev = FASTFAULT_MIXEDMAP_DEV, .param = "pfnmap", .len = MIB,
	.offset = 2 * MIB, .level = FASTFAULT_WALK_PTE, .special = true, .has_pages = false,
	.nopage_err = EEXIST };

/*
 * Map the variant's range (again), with prot, and flags added. The devices pick a
 * 2 MiB-aligned address themselves; the fsdax file goes MAP_FIXED over a
 * reserved one, MAP_SYNC as a DAX user that flushes from userspace maps it.
 * Returns the mapping, or MAP_FAILED with errno set.
 */
static char *map_range_prot(FIXTURE_DATA(gup) *self, const FIXTURE_VARIANT(gup) *variant,
			    int prot, int flags)
{
	char *at, *p;
	int err;

	if (!variant->fsdax)
		return mmap(NULL, variant->len, prot, MAP_SHARED | flags, self->fd,
			    variant->offset);
	at = reserve_aligned(variant->len);
	if (at == MAP_FAILED)
		return at;
	p = mmap(at, variant->len, prot, MAP_SHARED_VALIDATE | MAP_SYNC | MAP_FIXED | flags,
		 self->fd, variant->offset);
	if (p == MAP_FAILED) {
		err = errno;
		munmap(at, variant->len);
		errno = err;
	}
	return p;
}

static char *map_range(FIXTURE_DATA(gup) *self, const FIXTURE_VARIANT(gup) *variant, int flags)
{
	return map_range_prot(self, variant, PROT_READ | PROT_WRITE, flags);
}

static void open_device(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
			const FIXTURE_VARIANT(gup) *variant)
{
	if (access(variant->dev, F_OK))
		SKIP(return, "no %s: fastfault.ko loaded without %s=SIZE@START",
		     variant->dev, variant->param);
	self->fd = open(variant->dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", variant->dev, errname(errno));
}

/*
 * A new file under DAX_MNT, its blocks allocated in one request: the best
 * chance of a 2 MiB-aligned extent.
 */
static void open_fsdax(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
		       const FIXTURE_VARIANT(gup) *variant)
{
	char path[sizeof(self->path)];

	if (!dax_mounted(self->fstype, sizeof(self->fstype)))
		SKIP(return, DAX_MNT " is not a filesystem mounted with -o dax");
	snprintf(path, sizeof(path), DAX_MNT "/gup-%d", getpid());
	self->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, self->fd) TH_LOG("create %s: %s", path, errname(errno));
	memcpy(self->path, path, sizeof(path));
	if (fallocate(self->fd, 0, 0, variant->len))
		SKIP(return, "%s: fallocate -> %s. " NO_PMD_DAX, self->fstype, errname(errno));
}

/*
 * Does the kernel have the series' gup counters? Exactly the kernels that
 * mark page-less PMDs special (CONFIG_ARCH_HAS_PMD_SPECIAL) do.
 */
static bool kernel_has_gup_counters(void)
{
	return !access(FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_DIR_GUP, F_OK);
}

/* The entry that maps addr: at level, with the variant's devmap and special bits. */
static void expect_entry(struct __test_metadata *_metadata, const FIXTURE_VARIANT(gup) *variant,
			 const char *addr, int level, struct ff_walk *w)
{
	/*
	 * arm64's pte_mkdevmap() sets PTE_SPECIAL as well as PTE_DEVMAP. A
	 * page-less PMD is special only with the series (pmd_special(), whose
	 * kernels have the gup counters): elsewhere the bit is not checked.
	 */
	const bool pte_devmap = variant->devmap && level == FASTFAULT_WALK_PTE;
	const bool check_special = !variant->special || level != FASTFAULT_WALK_PMD ||
				   kernel_has_gup_counters();
	const bool special = variant->special || pte_devmap;
	int r = ff_walk(getpid(), addr, w);

	ASSERT_EQ(0, r) TH_LOG("walk %p: %s", addr, errname(-r));
	if (!check_special)
		w->special = special;	/* not the kernel's to say */
	ASSERT_TRUE(w->level == level && w->devmap == variant->devmap && w->special == special)
		TH_LOG("%s at %p, expected level %d, devmap %d, special %d:\n%s", variant->name,
		       addr, level, variant->devmap, special, w->report);
}

FIXTURE_SETUP(gup)
{
	struct ff_walk w;
	char *p;
	int err;

	self->fd = self->gup_fd = self->ram_fd = self->aux[0] = self->aux[1] = -1;
	self->seed = (uint64_t)getpid() << 32 | 0x5eed;
	if (!selected(variant->name, _metadata->name))
		SKIP(return, "not selected: FF_GUP_ONLY=%s FF_GUP_FROM=%s", getenv("FF_GUP_ONLY"),
		     getenv("FF_GUP_FROM"));
	mark_case(variant->name, _metadata->name);
	if (!ff_module_loaded())
		SKIP(return, "fastfault.ko not loaded");
	if (variant->fsdax)
		open_fsdax(_metadata, self, variant);
	else
		open_device(_metadata, self, variant);
	if (_metadata->skip)
		return;
	p = map_range(self, variant, 0);
	err = errno;
	if (p == MAP_FAILED && variant->fsdax && err == EOPNOTSUPP)
		SKIP(return, "%s: no MAP_SYNC. " NO_PMD_DAX, self->fstype);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: mmap %zu bytes at offset %lld: %s", variant->name,
					variant->len, (long long)variant->offset, errname(err));
	self->mem = p;
	self->len = variant->len;
	if (variant->level == FASTFAULT_WALK_PMD)
		ASSERT_TRUE(((uintptr_t)p & (PMD_SIZE - 1)) == 0) TH_LOG("mapped at %p", p);
	fill(p, 0, self->len, self->seed);
	if (variant->fsdax && !ff_walk(getpid(), p, &w) && w.level == FASTFAULT_WALK_PTE)
		SKIP(return, "%s mapped the fsdax file with PTEs: no 2 MiB-aligned extent",
		     self->fstype);
	expect_entry(_metadata, variant, p, variant->level, &w);
	expect_entry(_metadata, variant, p + self->len - PAGE, variant->level, &w);
	self->gup_fd = open(GUP_TEST_FILE, O_RDWR | O_CLOEXEC);
}

FIXTURE_TEARDOWN(gup)
{
	char *const maps[] = { self->mem, self->second, self->spare };
	const int fds[] = { self->fd, self->gup_fd, self->ram_fd, self->aux[0], self->aux[1] };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(maps); i++)
		if (maps[i])
			munmap(maps[i], self->len);
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (self->path[0])
		unlink(self->path);
}

/*
 * The result r (errno err) of a call that goes through GUP: ok with struct
 * pages; -1 with fail_err, the clean refusal, without them.
 */
static void expect_result(struct __test_metadata *_metadata, const FIXTURE_VARIANT(gup) *variant,
			  const char *what, long r, int err, long ok, int fail_err)
{
	if (variant->has_pages) {
		ASSERT_EQ(ok, r) TH_LOG("%s: %s -> %ld (%s), expected %ld", variant->name, what,
					r, r < 0 ? errname(err) : "short", ok);
		TH_LOG("%s: %s -> %ld", variant->name, what, r);
		return;
	}
	ASSERT_TRUE(r == -1 && err == fail_err)
		TH_LOG("%s: %s -> %ld (%s), expected %s", variant->name, what, r,
		       r == -1 ? errname(err) : "no error", errname(fail_err));
	TH_LOG("%s: %s -> %s (clean)", variant->name, what, errname(err));
}

/* Make a call that goes through GUP and check its result with expect_result(). */
#define GUP_CALL(what, call, ok, fail_err) do {						\
	long __r = (long)(call);							\
	expect_result(_metadata, variant, what, __r, errno, (long)(ok), fail_err);	\
} while (0)

static uint64_t gup_counter(struct __test_metadata *_metadata, const char *name);

TEST_F(gup, map_populate)
{
	const bool counters = kernel_has_gup_counters();
	uint64_t lookups = 0;
	struct ff_walk w;
	char *second;
	int err;

	RETURN_IF_SKIPPED();
	if (counters)
		lookups = gup_counter(_metadata, FASTFAULT_GUP_SPECIAL_PMD_SLOW);
	/* Expected: a mapping for every type, populated without an oops. */
	second = map_range(self, variant, MAP_POPULATE);
	err = errno;
	ASSERT_NE(MAP_FAILED, second) TH_LOG("%s: mmap(MAP_POPULATE) -> %s", variant->name,
					     errname(err));
	self->second = second;
	TH_LOG("%s: mmap(MAP_POPULATE) -> mapped", variant->name);
	/*
	 * Populated before any touch: the entries are in place, PMDs where
	 * the variant has them (the fsdax file mapped MAP_SHARED_VALIDATE |
	 * MAP_SYNC | MAP_POPULATE included). Populating skips VM_PFNMAP.
	 */
	if (variant->pfnmap_vma) {
		ASSERT_EQ(0, ff_walk(getpid(), second + self->len - PAGE, &w));
		ASSERT_EQ(FASTFAULT_WALK_NONE, w.level) TH_LOG("%s", w.report);
	} else {
		expect_entry(_metadata, variant, second + self->len - PAGE, variant->level, &w);
	}
	/*
	 * GUP steps over a special PMD in one lookup, not one per page:
	 * populating mixedmap_pmd looks up each of its PMDs once. (Nothing
	 * else in the guest runs GUP meanwhile.)
	 */
	if (counters) {
		const bool special_pmds = variant->special && !variant->pfnmap_vma &&
					  variant->level == FASTFAULT_WALK_PMD;

		lookups = gup_counter(_metadata, FASTFAULT_GUP_SPECIAL_PMD_SLOW) - lookups;
		ASSERT_EQ(special_pmds ? self->len / PMD_SIZE : 0, lookups)
			TH_LOG("%s: MAP_POPULATE looked up special PMDs %llu times",
			       variant->name, (unsigned long long)lookups);
	}
	/* The first mapping's data shows in the second, and back. */
	ASSERT_EQ(0, bad_pages(second, 0, self->len, self->seed));
	fill(second, 0, self->len, ~self->seed);
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, ~self->seed));
	expect_entry(_metadata, variant, second, variant->level, &w);
}

TEST_F(gup, mlock)
{
	struct ff_walk w;

	RETURN_IF_SKIPPED();
	/* Expected: 0 for every type (mlock passes over VM_PFNMAP silently). */
	ASSERT_EQ(0, mlock(self->mem, self->len)) TH_LOG("mlock: %s", errname(errno));
	ASSERT_EQ(0, munlock(self->mem, self->len)) TH_LOG("munlock: %s", errname(errno));
	TH_LOG("%s: mlock, munlock -> 0", variant->name);
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, self->seed));
	expect_entry(_metadata, variant, self->mem, variant->level, &w);
}

/*
 * madvise() the whole mapping with advice that a VM_PFNMAP VMA refuses.
 * Expected: 0 and the data kept; EINVAL on VM_PFNMAP. Returns whether the
 * advice was taken.
 */
static bool madv_whole(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
		       const FIXTURE_VARIANT(gup) *variant, int advice, const char *name)
{
	int r, err;

	r = madvise(self->mem, self->len, advice);
	err = errno;
	ASSERT_EQ(variant->pfnmap_vma ? -1 : 0, r)
		TH_LOG("%s: %s -> %d (%s)", variant->name, name, r, errname(err));
	if (variant->pfnmap_vma)
		ASSERT_EQ(EINVAL, err) TH_LOG("%s: errno %s", variant->name, errname(err));
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, self->seed));
	return !variant->pfnmap_vma;
}

/*
 * MADV_POPULATE_*: GUP may walk the VMA, and only populates, so a present
 * page-less PMD counts as populated; GUP refuses VM_PFNMAP.
 */
TEST_F(gup, madv_populate_read)
{
	RETURN_IF_SKIPPED();
	madv_whole(_metadata, self, variant, MADV_POPULATE_READ, "MADV_POPULATE_READ");
}

TEST_F(gup, madv_populate_write)
{
	RETURN_IF_SKIPPED();
	madv_whole(_metadata, self, variant, MADV_POPULATE_WRITE, "MADV_POPULATE_WRITE");
}

/*
 * O_DIRECT between RAM_DEV, holding a pattern of its own, and the mapping,
 * whose pages the block layer pins: read() into it or write() from it.
 */
static void odirect(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
		    const FIXTURE_VARIANT(gup) *variant, bool write)
{
	const uint64_t on_ram = ~self->seed;

	self->ram_fd = open(RAM_DEV, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (self->ram_fd < 0)
		SKIP(return, "cannot open " RAM_DEV " O_DIRECT: %s", errname(errno));
	fill(buf, 0, IO_LEN, on_ram);
	ASSERT_EQ((ssize_t)IO_LEN, pwrite(self->ram_fd, buf, IO_LEN, 0))
		TH_LOG("O_DIRECT write to " RAM_DEV ": %s", errname(errno));
	if (!write) {
		GUP_CALL("O_DIRECT read() into the mapping",
			 pread(self->ram_fd, self->mem, IO_LEN, 0), IO_LEN, variant->nopage_err);
		ASSERT_EQ(0, bad_pages(self->mem, 0, IO_LEN,
				       variant->has_pages ? on_ram : self->seed));
		ASSERT_EQ(0, bad_pages(self->mem, IO_LEN, self->len, self->seed));
		return;
	}
	GUP_CALL("O_DIRECT write() from the mapping", pwrite(self->ram_fd, self->mem, IO_LEN, 0),
		 IO_LEN, variant->nopage_err);
	ASSERT_EQ((ssize_t)IO_LEN, pread(self->ram_fd, buf, IO_LEN, 0))
		TH_LOG("O_DIRECT read back: %s", errname(errno));
	ASSERT_EQ(0, bad_pages(buf, 0, IO_LEN, variant->has_pages ? self->seed : on_ram));
}

TEST_F(gup, odirect_read_into)
{
	RETURN_IF_SKIPPED();
	/* Expected: IO_LEN with struct pages; else nopage_err, the old data intact. */
	odirect(_metadata, self, variant, false);
}

TEST_F(gup, odirect_write_from)
{
	RETURN_IF_SKIPPED();
	/* Expected: IO_LEN with struct pages; else nopage_err, RAM_DEV untouched. */
	odirect(_metadata, self, variant, true);
}

/*
 * process_vm_readv/writev() on ourselves between buf and the mapping: the
 * remote side, the mapping, goes through GUP (pin_user_pages_remote()).
 */
static void process_vm(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
		       const FIXTURE_VARIANT(gup) *variant, bool write)
{
	struct iovec local = { buf, self->len }, remote = { self->mem, self->len };
	const bool moved = variant->has_pages;

	fill(buf, 0, self->len, ~self->seed);
	if (write) {
		GUP_CALL("process_vm_writev", process_vm_writev(getpid(), &local, 1, &remote, 1, 0),
			 self->len, EFAULT);
		ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, moved ? ~self->seed : self->seed));
		return;
	}
	GUP_CALL("process_vm_readv", process_vm_readv(getpid(), &local, 1, &remote, 1, 0),
		 self->len, EFAULT);
	ASSERT_EQ(0, bad_pages(buf, 0, self->len, moved ? self->seed : ~self->seed));
}

TEST_F(gup, process_vm_readv)
{
	RETURN_IF_SKIPPED();
	/* Expected: the whole length with struct pages; EFAULT on pfnmap. */
	process_vm(_metadata, self, variant, false);
}

TEST_F(gup, process_vm_writev)
{
	RETURN_IF_SKIPPED();
	/* Expected: the whole length with struct pages; EFAULT on pfnmap, data untouched. */
	process_vm(_metadata, self, variant, true);
}

TEST_F(gup, proc_pid_mem)
{
	const off_t at = (off_t)(uintptr_t)self->mem;
	/* The pfnmap device has ->access = generic_access_phys(), as MMIO drivers do. */
	const bool moved = variant->has_pages || variant->pfnmap_vma;
	ssize_t r;

	RETURN_IF_SKIPPED();
	self->aux[0] = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->aux[0]) TH_LOG("open /proc/self/mem: %s", errname(errno));
	/*
	 * Expected: the whole length both ways with struct pages (GUP), and
	 * on pfnmap through its ->access, which must find the PFN behind a
	 * PMD as well as behind a PTE; EIO on mixedmap (access_remote_vm()
	 * finds no page and no vm_ops->access).
	 */
	fill(buf, 0, self->len, ~self->seed);
	r = pread(self->aux[0], buf, self->len, at);
	ASSERT_TRUE(moved ? r == (ssize_t)self->len : r == -1 && errno == EIO)
		TH_LOG("%s: pread /proc/self/mem -> %zd (%s), expected %s", variant->name, r,
		       errname(errno), moved ? "all" : "EIO");
	ASSERT_EQ(0, bad_pages(buf, 0, self->len, moved ? self->seed : ~self->seed));
	fill(buf, 0, self->len, ~self->seed);
	r = pwrite(self->aux[0], buf, self->len, at);
	ASSERT_TRUE(moved ? r == (ssize_t)self->len : r == -1 && errno == EIO)
		TH_LOG("%s: pwrite /proc/self/mem -> %zd (%s), expected %s", variant->name, r,
		       errname(errno), moved ? "all" : "EIO");
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, moved ? ~self->seed : self->seed));
	TH_LOG("%s: /proc/self/mem -> %s", variant->name, moved ? "full, both ways" : "EIO");
}

TEST_F(gup, vmsplice)
{
	struct iovec iov = { self->mem, PIPE_LEN };

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, pipe2(self->aux, O_CLOEXEC));
	/* Expected: PIPE_LEN with struct pages; else nopage_err. */
	GUP_CALL("vmsplice", vmsplice(self->aux[1], &iov, 1, SPLICE_F_NONBLOCK), PIPE_LEN,
		 variant->nopage_err);
	if (!variant->has_pages)
		return;
	ASSERT_EQ((ssize_t)PIPE_LEN, read(self->aux[0], buf, PIPE_LEN));
	ASSERT_EQ(0, bad_pages(buf, 0, PIPE_LEN, self->seed));
}

/*
 * The GUP counter one gup_test call must raise, by *min at least, or NULL:
 * a devmap PMD counts its pages, fast or slow (GUP-fast leaves FOLL_LONGTERM
 * on devmap to the slow path); refusals count calls.
 */
static const char *expected_counter(const FIXTURE_VARIANT(gup) *variant, unsigned long cmd,
				    uint64_t *min)
{
	const bool fast = cmd != PIN_LONGTERM_BENCHMARK;

	*min = 1;
	if (variant->level != FASTFAULT_WALK_PMD)
		return NULL;
	if (variant->special && fast)
		return FASTFAULT_GUP_SPECIAL_PMD_FAST;
	/* Slow GUP stops a VM_PFNMAP VMA before it walks to the PMD. */
	if (variant->special)
		return variant->pfnmap_vma ? NULL : FASTFAULT_GUP_SPECIAL_PMD_SLOW;
	if (variant->fsdax && !fast)
		return FASTFAULT_GUP_LONGTERM_REFUSED;
	*min = variant->len / PAGE;
	return fast ? FASTFAULT_GUP_DEVMAP_PMD_FAST : FASTFAULT_GUP_DEVMAP_PMD_SLOW;
}

static uint64_t gup_counter(struct __test_metadata *_metadata, const char *name)
{
	uint64_t v = 0;
	int r = ff_counter_read(FASTFAULT_DIR_GUP, name, &v);

	ASSERT_EQ(0, r) TH_LOG("%s: %s", name, errname(-r));
	return v;
}

/*
 * One gup_test call over the whole mapping, FOLL_WRITE. Expected size: all
 * of it with struct pages, but for FOLL_LONGTERM on fsdax; none on pfnmap.
 */
static void gup_check(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
		      const FIXTURE_VARIANT(gup) *variant, unsigned long cmd, const char *what)
{
	const bool refused = !variant->has_pages ||
			     (variant->fsdax && cmd == PIN_LONGTERM_BENCHMARK);
	const uint64_t want = refused ? 0 : self->len;
	struct gup_test g = {
		.addr = (uintptr_t)self->mem, .size = self->len,
		.nr_pages_per_call = 512, .gup_flags = FOLL_WRITE,
	};
	uint64_t min, before = 0;
	const char *counter = expected_counter(variant, cmd, &min);
	bool counters;

	if (self->gup_fd < 0)
		SKIP(return, "no " GUP_TEST_FILE " (CONFIG_GUP_TEST)");
	counters = kernel_has_gup_counters();
	if (counter && counters)
		before = gup_counter(_metadata, counter);
	ASSERT_EQ(0, ioctl(self->gup_fd, cmd, &g)) TH_LOG("%s: %s", what, errname(errno));
	ASSERT_EQ(want, g.size) TH_LOG("%s: %s got through %llu bytes, expected %llu",
				       variant->name, what, (unsigned long long)g.size,
				       (unsigned long long)want);
	TH_LOG("%s: %s -> %llu of %zu bytes%s", variant->name, what, (unsigned long long)g.size,
	       self->len, refused ? " (refused, clean)" : "");
	if (counter && !counters)
		TH_LOG("no " FASTFAULT_DIR_GUP " counters (kernel without the series): unchecked");
	if (!counter || !counters)
		return;
	ASSERT_LE(min, gup_counter(_metadata, counter) - before)
		TH_LOG("%s: %s rose by less than %llu", what, counter, (unsigned long long)min);
}

TEST_F(gup, gup_test_fast)
{
	RETURN_IF_SKIPPED();
	/* Expected: the whole mapping with struct pages; 0 bytes on pfnmap. */
	gup_check(_metadata, self, variant, GUP_FAST_BENCHMARK, "GUP_FAST_BENCHMARK");
}

TEST_F(gup, pin_test_fast)
{
	RETURN_IF_SKIPPED();
	/* Expected: the whole mapping with struct pages; 0 bytes on pfnmap. */
	gup_check(_metadata, self, variant, PIN_FAST_BENCHMARK, "PIN_FAST_BENCHMARK");
}

TEST_F(gup, pin_test_longterm)
{
	RETURN_IF_SKIPPED();
	/*
	 * Expected: the whole mapping on the devmap device (pinnable long term,
	 * like device-dax); 0 bytes on fsdax (refused) and pfnmap.
	 */
	gup_check(_metadata, self, variant, PIN_LONGTERM_BENCHMARK, "PIN_LONGTERM_BENCHMARK");
}

/* In the forked child: check the data, then rewrite the first and last pages. */
static int child_rewrites(char *p, size_t len, uint64_t seed)
{
	if (bad_pages(p, 0, len, seed))
		return 1;
	fill(p, 0, PAGE, ~seed);
	fill(p, len - PAGE, len, ~seed);
	return 0;
}

TEST_F(gup, fork)
{
	struct ff_walk w;
	int status;
	pid_t pid;

	RETURN_IF_SKIPPED();
	/* Expected: the child sees the data and exits 0; its writes show here (MAP_SHARED). */
	pid = fork();
	ASSERT_LE(0, pid) TH_LOG("fork: %s", errname(errno));
	if (pid == 0)
		_exit(child_rewrites(self->mem, self->len, self->seed));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("%s: child status %#x", variant->name, status);
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("%s: the child found bad data", variant->name);
	ASSERT_EQ(0, bad_pages(self->mem, 0, PAGE, ~self->seed));
	ASSERT_EQ(0, bad_pages(self->mem, PAGE, self->len - PAGE, self->seed));
	ASSERT_EQ(0, bad_pages(self->mem, self->len - PAGE, self->len, ~self->seed));
	expect_entry(_metadata, variant, self->mem, variant->level, &w);
	TH_LOG("%s: fork -> child exit 0, its writes shared", variant->name);
}

TEST_F(gup, mprotect_ro_rw)
{
	struct ff_walk w;

	RETURN_IF_SKIPPED();
	/*
	 * Expected: each change keeps the entries' level and their devmap or
	 * special bit (6.1's arm64 pte_modify() drops PTE_DEVMAP), and only
	 * PROT_WRITE makes them writable.
	 */
	ASSERT_EQ(0, mprotect(self->mem, self->len, PROT_READ)) TH_LOG("%s", errname(errno));
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, self->seed));	/* re-touches */
	expect_entry(_metadata, variant, self->mem, variant->level, &w);
	ASSERT_EQ(0, w.write) TH_LOG("read-only, yet:\n%s", w.report);
	ASSERT_EQ(0, mprotect(self->mem, self->len, PROT_READ | PROT_WRITE))
		TH_LOG("%s", errname(errno));
	fill(self->mem, 0, self->len, ~self->seed);
	expect_entry(_metadata, variant, self->mem + self->len - PAGE, variant->level, &w);
	expect_entry(_metadata, variant, self->mem, variant->level, &w);
	ASSERT_EQ(1, w.write) TH_LOG("written, yet:\n%s", w.report);
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, ~self->seed));
	TH_LOG("%s: mprotect RO, RW -> level %d, devmap %d, special %d kept", variant->name,
	       w.level, w.devmap, w.special);
	/* GUP-fast still works on the re-protected entries (none on pfnmap). */
	if (self->gup_fd < 0)
		TH_LOG("no " GUP_TEST_FILE ": the GUP-fast pin after mprotect not tried");
	else
		gup_check(_metadata, self, variant, PIN_FAST_BENCHMARK, "PIN_FAST_BENCHMARK");
}

TEST_F(gup, munmap_partial)
{
	const size_t block = self->len < PMD_SIZE ? self->len : PMD_SIZE;
	const size_t hole = block / 2;
	struct ff_walk w;
	int sig;

	RETURN_IF_SKIPPED();
	/*
	 * Expected: the rest of the data intact; the first block mapped by
	 * PTEs afterwards (its PMD split), with the same bit; a later block
	 * still at the variant's level; SIGSEGV at the hole.
	 */
	ASSERT_EQ(0, munmap(self->mem + hole, PAGE)) TH_LOG("%s", errname(errno));
	ASSERT_EQ(0, bad_pages(self->mem, 0, hole, self->seed));
	ASSERT_EQ(0, bad_pages(self->mem, hole + PAGE, self->len, self->seed));
	expect_entry(_metadata, variant, self->mem + PAGE, FASTFAULT_WALK_PTE, &w);
	expect_entry(_metadata, variant, self->mem + hole + PAGE, FASTFAULT_WALK_PTE, &w);
	if (self->len > block)
		expect_entry(_metadata, variant, self->mem + block, variant->level, &w);
	sig = touch_signal(self->mem + hole);
	ASSERT_EQ(SIGSEGV, sig) TH_LOG("%s: touching the hole -> signal %d", variant->name, sig);
	TH_LOG("%s: munmap of one page -> PTEs around it, the hole SIGSEGVs", variant->name);
}

TEST_F(gup, mremap_move)
{
	char *old = self->mem, *to;
	unsigned char vec;
	struct ff_walk w;
	int r, err;

	RETURN_IF_SKIPPED();
	self->spare = reserve_aligned(self->len);
	ASSERT_NE(MAP_FAILED, self->spare) TH_LOG("reserve: %s", errname(errno));
	/*
	 * Expected: the whole mapping moves; data and entries (level, bit) at
	 * the new address; nothing left at the old one.
	 */
	to = mremap(old, self->len, self->len, MREMAP_MAYMOVE | MREMAP_FIXED, self->spare);
	err = errno;
	ASSERT_EQ(self->spare, to) TH_LOG("%s: mremap -> %s", variant->name, errname(err));
	self->mem = to;
	self->spare = NULL;
	ASSERT_EQ(0, bad_pages(to, 0, self->len, self->seed));
	expect_entry(_metadata, variant, to + self->len - PAGE, variant->level, &w);
	expect_entry(_metadata, variant, to, variant->level, &w);
	r = mincore(old, PAGE, &vec);
	err = errno;
	ASSERT_TRUE(r == -1 && err == ENOMEM) TH_LOG("%s: mincore at the old address -> %d (%s)",
						     variant->name, r, errname(err));
	TH_LOG("%s: mremap -> moved, level %d kept", variant->name, w.level);
}

TEST_F(gup, move_pages_query)
{
	void *pages[2] = { self->mem, self->mem + self->len - PAGE };
	int status[2] = { INT_MIN, INT_MIN };
	int i;

	RETURN_IF_SKIPPED();
	/*
	 * follow_page() without GUP's VMA checks: the seed oops's other door.
	 * Expected: each page's node or -ENOENT (device pages have no node to
	 * report) with struct pages; -EFAULT on pfnmap.
	 */
	ASSERT_EQ(0, syscall(__NR_move_pages, 0, 2, pages, NULL, status, 0))
		TH_LOG("%s: move_pages -> %s", variant->name, errname(errno));
	for (i = 0; i < 2; i++) {
		if (variant->has_pages) {
			ASSERT_TRUE(status[i] >= 0 || status[i] == -ENOENT)
				TH_LOG("%s: page %d status %d", variant->name, i, status[i]);
		} else {
			ASSERT_EQ(-EFAULT, status[i])
				TH_LOG("%s: page %d status %d", variant->name, i, status[i]);
		}
	}
	TH_LOG("%s: move_pages query -> status %d, %d", variant->name, status[0], status[1]);
}


/*
 * /proc/self/pagemap walks the PMD without GUP. Expected: present, with the
 * PFN the walker sees, wherever the walk goes; a VM_PFNMAP VMA is skipped
 * by the page walker, so it reads as not present. On a kernel without the
 * series the mixedmap PMD oopses here: pagemap looks at its struct page.
 */
TEST_F(gup, pagemap_read)
{
	struct ff_walk w;
	uint64_t entry;
	int r;

	RETURN_IF_SKIPPED();
	expect_entry(_metadata, variant, self->mem + PAGE, variant->level, &w);
	r = ff_pagemap_entry(self->mem + PAGE, &entry);
	ASSERT_EQ(0, r) TH_LOG("pagemap read: %s", errname(-r));
	if (variant->pfnmap_vma) {
		ASSERT_EQ(0ULL, entry & FF_PM_PRESENT) TH_LOG("%s: entry %#llx", variant->name,
							   (unsigned long long)entry);
		return;
	}
	ASSERT_TRUE((entry & FF_PM_PRESENT) && (entry & FF_PM_PFN_MASK) == w.pfn)
		TH_LOG("%s: pagemap entry %#llx, walker pfn %#llx", variant->name,
		       (unsigned long long)entry, (unsigned long long)w.pfn);
	TH_LOG("%s: pagemap present, pfn %#llx", variant->name, (unsigned long long)w.pfn);
}

/*
 * clear_refs clears the accessed bits of every mapping, page by page. Expected:
 * the write succeeds and the data stays. On a kernel without the series the
 * mixedmap PMD oopses here: clear_refs clears bits in its missing struct page.
 */
TEST_F(gup, clear_refs)
{
	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, ff_write_file("/proc/self/clear_refs", "1"));
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, self->seed));
	TH_LOG("%s: clear_refs 1 -> ok, data kept", variant->name);
}

/*
 * MADV_COLD and MADV_PAGEOUT walk the PMDs of any VMA that is not VM_PFNMAP,
 * VM_LOCKED or hugetlb, and look at the page of a huge one: a device page
 * is skipped (no rmap mapcount). Expected: 0, the data and the entries kept;
 * EINVAL on VM_PFNMAP. On a kernel without the series the mixedmap PMD oopses
 * here: the walk reads the mapcount of its missing struct page.
 */
static void madv_lru(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
		     const FIXTURE_VARIANT(gup) *variant, int advice, const char *name)
{
	struct ff_walk w;

	if (!madv_whole(_metadata, self, variant, advice, name))
		return;
	expect_entry(_metadata, variant, self->mem, variant->level, &w);
	TH_LOG("%s: %s -> 0, data and entries kept", variant->name, name);
}

TEST_F(gup, madv_cold)
{
	RETURN_IF_SKIPPED();
	madv_lru(_metadata, self, variant, MADV_COLD, "MADV_COLD");
}

TEST_F(gup, madv_pageout)
{
	RETURN_IF_SKIPPED();
	madv_lru(_metadata, self, variant, MADV_PAGEOUT, "MADV_PAGEOUT");
}

/*
 * Find the smaps (or numa_maps) block of the VMA at @addr in @text, a whole
 * such file: the line that starts with its address. NULL if none.
 */
static const char *vma_block(const char *text, const void *addr)
{
	char head[32];
	const char *line;
	size_t n;

	n = (size_t)snprintf(head, sizeof(head), "%lx", (unsigned long)(uintptr_t)addr);
	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, head, n) && (line[n] == '-' || line[n] == ' '))
			return line;
	return NULL;
}

/* Big enough for the smaps of a harness process: a few dozen VMAs. */
static char proc_text[256 << 10];

/*
 * /proc/self/smaps walks every PMD with the page walker and asks what page
 * is behind a huge one. Expected: the read succeeds on every type, and the
 * mapping's Rss is 0: device memory is no normal page at either level
 * (vm_normal_page() for PTEs, vm_normal_page_pmd() for PMDs), so the figure
 * does not depend on how the driver mapped it. On a kernel without the
 * series the mixedmap PMD oopses here (follow_trans_huge_pmd() on its
 * missing struct page), and a devmap PMD counts as Rss while devmap PTEs
 * do not.
 */
TEST_F(gup, smaps)
{
	const char *block, *rss;
	unsigned long rss_kb;
	ssize_t n;

	RETURN_IF_SKIPPED();
	n = ff_read_file("/proc/self/smaps", proc_text, sizeof(proc_text));
	ASSERT_LT(0, n) TH_LOG("read /proc/self/smaps: %s", errname((int)-n));
	ASSERT_GT((ssize_t)sizeof(proc_text) - 1, n) TH_LOG("smaps larger than the buffer");
	block = vma_block(proc_text, self->mem);
	ASSERT_NE(NULL, block) TH_LOG("%s: no smaps entry at %p", variant->name, self->mem);
	rss = strstr(block, "\nRss:");
	ASSERT_NE(NULL, rss);
	ASSERT_EQ(1, sscanf(rss, "\nRss: %lu kB", &rss_kb)) TH_LOG("%.40s", rss + 1);
	ASSERT_EQ(0UL, rss_kb) TH_LOG("%s: Rss %lu kB", variant->name, rss_kb);
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, self->seed));
	TH_LOG("%s: smaps read, Rss 0 kB", variant->name);
}

/* smaps_rollup takes the same walk over every VMA. Expected: it reads. */
TEST_F(gup, smaps_rollup)
{
	ssize_t n;

	RETURN_IF_SKIPPED();
	n = ff_read_file("/proc/self/smaps_rollup", proc_text, sizeof(proc_text));
	ASSERT_LT(0, n) TH_LOG("read /proc/self/smaps_rollup: %s", errname((int)-n));
	ASSERT_NE(NULL, strstr(proc_text, "\nRss:")) TH_LOG("%s", proc_text);
	TH_LOG("%s: smaps_rollup read", variant->name);
}

/*
 * numa_maps asks vm_normal_page_pmd() already. Expected: it reads on every
 * type, with a line for the mapping.
 */
TEST_F(gup, numa_maps)
{
	ssize_t n;

	RETURN_IF_SKIPPED();
	n = ff_read_file("/proc/self/numa_maps", proc_text, sizeof(proc_text));
	if (n == -ENOENT)
		SKIP(return, "no /proc/self/numa_maps (CONFIG_NUMA off)");
	ASSERT_LT(0, n) TH_LOG("read /proc/self/numa_maps: %s", errname((int)-n));
	ASSERT_NE(NULL, vma_block(proc_text, self->mem))
		TH_LOG("%s: no numa_maps line at %p", variant->name, self->mem);
	TH_LOG("%s: numa_maps read", variant->name);
}

/*
 * mbind(MPOL_BIND to node 0) with MPOL_MF_STRICT walks even VMAs that
 * cannot migrate, to fail with EIO on a misplaced page. Expected: 0 on
 * every type (no normal page behind any entry, so nothing is misplaced),
 * the data and entries kept. On a kernel without the series the pfnmap
 * and mixedmap PMDs oops here (queue_folios_pmd() on a missing folio).
 */
static void mbind_strict(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
			 const FIXTURE_VARIANT(gup) *variant, unsigned int flags, const char *what)
{
	unsigned long node0 = 1;
	struct ff_walk w;
	long r;

	r = syscall(__NR_mbind, self->mem, self->len, MPOL_BIND, &node0, 8 * sizeof(node0),
		    flags);
	if (r && errno == ENOSYS)
		SKIP(return, "no mbind() (CONFIG_NUMA off)");
	ASSERT_EQ(0, r) TH_LOG("%s: mbind(MPOL_BIND, %s) -> %s", variant->name, what,
			       errname(errno));
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, self->seed));
	expect_entry(_metadata, variant, self->mem, variant->level, &w);
	TH_LOG("%s: mbind(MPOL_BIND, %s) -> 0, data and entries kept", variant->name, what);
}

TEST_F(gup, mbind_strict)
{
	RETURN_IF_SKIPPED();
	mbind_strict(_metadata, self, variant, MPOL_MF_STRICT, "MPOL_MF_STRICT");
}

TEST_F(gup, mbind_strict_move)
{
	RETURN_IF_SKIPPED();
	mbind_strict(_metadata, self, variant, MPOL_MF_STRICT | MPOL_MF_MOVE,
		     "MPOL_MF_STRICT | MPOL_MF_MOVE");
}

/*
 * A PROT_READ | PROT_EXEC mapping: arm64 keeps the instruction cache in
 * step with an executable user entry as it installs it, from the entry's
 * page, unless the entry is special. Expected: the data reads through it
 * and the entries are at the variant's level, on every type. On a kernel
 * without the series a page-less PMD is not special, and installing it
 * oopses on the missing page.
 */
TEST_F(gup, exec_mapping)
{
	struct ff_walk w;
	char *p;

	RETURN_IF_SKIPPED();
	p = map_range_prot(self, variant, PROT_READ | PROT_EXEC, 0);
	if (p == MAP_FAILED && errno == EPERM)
		SKIP(return, "%s: PROT_EXEC refused (noexec mount?)", variant->name);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: mmap PROT_EXEC -> %s", variant->name,
					errname(errno));
	self->second = p;
	ASSERT_EQ(0, bad_pages(p, 0, self->len, self->seed));
	expect_entry(_metadata, variant, p, variant->level, &w);
	expect_entry(_metadata, variant, p + self->len - PAGE, variant->level, &w);
	TH_LOG("%s: PROT_EXEC mapping read, level %d", variant->name, w.level);
}

/* FASTFAULT_IOC_RESOLVE_PFN of @addr, retried while it says EAGAIN; 0 or -errno. */
static int resolve_pfn(int ctl, const void *addr, unsigned int flags,
		       struct fastfault_resolve_pfn *r)
{
	int tries;

	for (tries = 0; tries < 3; tries++) {
		memset(r, 0, sizeof(*r));
		r->addr = (uintptr_t)addr;
		r->flags = flags;
		if (!ioctl(ctl, FASTFAULT_IOC_RESOLVE_PFN, r))
			return 0;
		if (errno != EAGAIN)
			break;
	}
	return -errno;
}

/*
 * The module's KVM-style lookup (as hva_to_pfn_remapped() resolves guest
 * memory backed by a PFN map): the entry behind an address of a VM_PFNMAP
 * mapping, faulted in first where there is none. Expected on pfnmap: the
 * walker's PFN, special and writable, for an entry already there and for
 * one the lookup faults in, for a read and a write; EINVAL on the other
 * types, which KVM resolves through GUP instead. On a kernel without the
 * series the lookup is follow_pte(), whose VM_BUG_ON() fires on the PMD.
 */
TEST_F(gup, resolve_pfn)
{
	struct fastfault_resolve_pfn r;
	const char *addrs[3];
	struct ff_walk w;
	char *fresh;
	int ctl, i, ret;

	RETURN_IF_SKIPPED();
	ctl = open(FASTFAULT_DEBUGFS_ROOT "/ctl", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ctl) TH_LOG("open ctl: %s", errname(errno));
	self->aux[0] = ctl;
	fresh = map_range(self, variant, 0);	/* not touched: no entries yet */
	ASSERT_NE(MAP_FAILED, fresh) TH_LOG("mmap: %s", errname(errno));
	self->second = fresh;
	addrs[0] = self->mem;
	addrs[1] = self->mem + self->len - PAGE;
	addrs[2] = fresh + self->len / 2 + PAGE;
	for (i = 0; i < 3; i++) {
		const unsigned int flags = i == 2 ? FASTFAULT_RESOLVE_WRITE : 0;

		ret = resolve_pfn(ctl, addrs[i], flags, &r);
		if (!variant->pfnmap_vma) {
			ASSERT_EQ(-EINVAL, ret) TH_LOG("%s: resolve %p -> %s, expected EINVAL",
						       variant->name, addrs[i], errname(-ret));
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("%s: resolve %p -> %s", variant->name, addrs[i],
					 errname(-ret));
		ASSERT_EQ(0, ff_walk(getpid(), addrs[i], &w));
		ASSERT_EQ(variant->level, w.level) TH_LOG("%s", w.report);
		ASSERT_TRUE(r.pfn == w.pfn && r.writable == 1 && r.special == (__u32)w.special)
			TH_LOG("%s: resolve %p -> pfn %#llx writable %u special %u; walker:\n%s",
			       variant->name, addrs[i], (unsigned long long)r.pfn, r.writable,
			       r.special, w.report);
	}
	if (variant->pfnmap_vma)
		TH_LOG("%s: resolved the walker's PFNs, the last one faulted in", variant->name);
	else
		TH_LOG("%s: not a PFN map: EINVAL", variant->name);
}

#define MEMCG_V1	"/tmp/fastfault-memcg-v1"

/* Write our pid to @dir's cgroup.procs. */
static int join_cgroup(const char *dir)
{
	char path[128], pid[16];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return ff_write_file(path, pid);
}

/*
 * cgroup v1 charge moving: with memory.move_charge_at_immigrate set, a
 * task that joins a group has the pages it maps looked at to move their
 * charges, PMD by PMD. Expected: the move succeeds, the data is kept. On
 * a kernel without the series the mixedmap PMD oopses here
 * (get_mctgt_type_thp() on its missing struct page).
 */
TEST_F(gup, memcg_v1_move)
{
	int r;

	RETURN_IF_SKIPPED();
	mkdir(MEMCG_V1, 0700);
	if (mount("fastfault", MEMCG_V1, "cgroup", 0, "memory")) {
		r = errno;
		rmdir(MEMCG_V1);
		SKIP(return, "cannot mount the cgroup v1 memory controller: %s", errname(r));
	}
	r = mkdir(MEMCG_V1 "/from", 0700) || mkdir(MEMCG_V1 "/to", 0700);
	EXPECT_EQ(0, r) TH_LOG("mkdir: %s", errname(errno));
	if (!r)
		r = ff_write_file(MEMCG_V1 "/to/memory.move_charge_at_immigrate", "3");
	EXPECT_EQ(0, r) TH_LOG("move_charge_at_immigrate: %s", errname(-r));
	if (!r)
		r = join_cgroup(MEMCG_V1 "/from");
	EXPECT_EQ(0, r) TH_LOG("join from: %s", errname(-r));
	if (!r)
		r = join_cgroup(MEMCG_V1 "/to");
	EXPECT_EQ(0, r) TH_LOG("%s: join the moving group: %s", variant->name, errname(-r));
	join_cgroup(MEMCG_V1);
	rmdir(MEMCG_V1 "/from");
	rmdir(MEMCG_V1 "/to");
	umount(MEMCG_V1);
	rmdir(MEMCG_V1);
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, bad_pages(self->mem, 0, self->len, self->seed));
	TH_LOG("%s: moved between v1 memory groups with charge moving, data kept",
	       variant->name);
}

TEST_HARNESS_MAIN
