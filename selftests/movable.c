// SPDX-License-Identifier: GPL-2.0
/*
 * Reserved pages and the allocations that need whole ranges of movable
 * memory (mm/anon_reserve.c, anon_reserve_drain_range()).
 *
 * A reserved page is neither free nor movable: it is off the LRU and in no
 * mapping, and alloc_contig_range() (CMA) runs no shrinker. The kernel must
 * give back the reservations in the range itself, or a sleeping process
 * keeps a CMA allocation from succeeding.
 *
 * Needs a boot with a large CMA area: make check boots plan "movable" with
 * cma= on one node (scripts/guest/plan-movable.sh), so that movable
 * allocations, reservations included, come from the CMA area first (the
 * allocator does so while more than half of the zone's free memory is CMA).
 * Without it the case skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fastfault.h"
#include "ff_util.h"

#define PAGE		4096UL
#define CHUNK		(64 * 1024UL)
#define CHUNK_PAGES	(CHUNK / PAGE)
/* The CMA area of dma-contiguous, which cma= sizes. */
#define CMA_DEBUGFS	"/sys/kernel/debug/cma/reserved"
/* How many chunks to reserve, one after another, looking for one in CMA. */
#define SEARCH_CHUNKS	1024

FIXTURE(movable) {
	struct ff_reserve_saved saved;
	char *mem;
	size_t size;
};

FIXTURE_SETUP(movable)
{
	self->mem = MAP_FAILED;
	if (access(FF_RESERVE_ENABLED, W_OK))
		SKIP(return, "kernel without CONFIG_ANON_RESERVE");
	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
	ASSERT_EQ(0, ff_reserve_save(&self->saved));
	/* The seed policy: every new chunk reserves, and maps its first page only. */
	ASSERT_EQ(0, ff_write_file(FF_RESERVE_ENABLED, "always"));
	ASSERT_EQ(0, ff_write_file(FF_RESERVE_ADAPTIVE, "0"));
	self->size = SEARCH_CHUNKS * CHUNK;
	self->mem = ff_mmap_aligned(self->size, CHUNK);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(movable)
{
	if (self->mem != MAP_FAILED)
		munmap(self->mem, self->size);
	ff_reserve_restore(&self->saved);
}

/* A decimal number from a CMA debugfs file of the area. */
static int cma_read(const char *name, unsigned long *value)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), CMA_DEBUGFS "/%s", name);
	if (ff_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	*value = strtoul(buf, NULL, 10);
	return 0;
}

/* Allocate (or free) @pages pages of the area through CMA debugfs. */
static int cma_write(const char *name, unsigned long pages)
{
	char path[96], val[32];

	snprintf(path, sizeof(path), CMA_DEBUGFS "/%s", name);
	snprintf(val, sizeof(val), "%lu", pages);
	return ff_write_file(path, val);
}

static uint64_t release_count(struct __test_metadata *_metadata)
{
	uint64_t v;

	EXPECT_EQ(0, ff_counter_read(FASTFAULT_DIR_RESERVE, "anon_reserve_release", &v));
	return v;
}

/*
 * A process holds a reservation in the CMA area, and all of the area that
 * is free is allocated at once: there is no other range to try, so the
 * allocation succeeds only if the reservation is given back. (The DMA
 * atomic pool takes a few pages of the area at boot.)
 */
TEST_F(movable, cma_allocation_gives_reserved_pages_back)
{
	unsigned long base, count, used, free_run;
	uint64_t pfn = 0, moved, rel0, rel1;
	size_t i, c;
	char *q = NULL;
	int ret;

	if (cma_read("base_pfn", &base) || cma_read("count", &count) ||
	    cma_read("used", &used) || cma_read("maxchunk", &free_run))
		SKIP(return, "kernel without CONFIG_CMA_DEBUGFS and DMA_CMA");
	/* One free run: a reservation anywhere in the area is inside it. */
	if (free_run != count - used)
		SKIP(return, "the CMA area's free pages are not one run: %lu of %lu",
		     free_run, count - used);
	/* Each chunk's first write reserves a new block, and gives the last back. */
	for (c = 0; c < SEARCH_CHUNKS; c++) {
		q = self->mem + c * CHUNK;
		q[0] = 0x5a;
		ASSERT_EQ(0, ff_pagemap_pfn(q, &pfn));
		if (pfn >= base && pfn < base + count)
			break;
	}
	if (c == SEARCH_CHUNKS)
		SKIP(return, "no reservation in the CMA area (%lu pages at %#lx): boot with cma=",
		     count, base);
	TH_LOG("chunk %zu reserved at pfn %#llx, in the CMA area of %lu pages at %#lx",
	       c, (unsigned long long)pfn, count, base);

	rel0 = release_count(_metadata);
	ret = cma_write("alloc", free_run);
	rel1 = release_count(_metadata);
	TH_LOG("allocating the %lu free pages of the area: %s; %llu reserved pages given back",
	       free_run, ret ? strerror(-ret) : "done", (unsigned long long)(rel1 - rel0));
	ASSERT_EQ(0, ret);
	EXPECT_LE(CHUNK_PAGES - 1, rel1 - rel0);
	ASSERT_EQ(0, ff_pagemap_pfn(q, &moved));
	EXPECT_FALSE(moved >= base && moved < base + count)
		TH_LOG("page 0 still at pfn %#llx, inside the area", (unsigned long long)moved);
	for (i = 0; i <= c; i++)
		EXPECT_EQ(0x5a, self->mem[i * CHUNK]) TH_LOG("chunk %zu lost its data", i);
	EXPECT_EQ(0, cma_write("free", free_run));
}

TEST_HARNESS_MAIN
