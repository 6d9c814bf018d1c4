// SPDX-License-Identifier: GPL-2.0
/*
 * fastfault.ko loads and unloads cleanly: 100 cycles, debugfs appears and
 * disappears with it, and kmemleak finds nothing left behind. Leaves the
 * module loaded for the tests that run after it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fastfault.h"
#include "ff_util.h"

#define LOAD_CYCLES	100
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

/* kmemleak only reports objects older than 5 s: wait them out. */
#define KMEMLEAK_MIN_AGE_S	6

static int kmemleak_count_reports(void)
{
	static char buf[1 << 20];
	int reports = 0;
	char *p = buf;

	if (ff_read_file(KMEMLEAK, buf, sizeof(buf)) < 0)
		return -1;
	while ((p = strstr(p, "unreferenced object")) != NULL) {
		reports++;
		p++;
	}
	return reports;
}

static void ensure_unloaded(struct __test_metadata *_metadata)
{
	if (ff_module_loaded())
		ASSERT_EQ(0, ff_module_unload());
}

TEST(load_unload_cycles)
{
	int i;

	ensure_unloaded(_metadata);
	for (i = 0; i < LOAD_CYCLES; i++) {
		ASSERT_EQ(0, ff_module_load(ff_module_path())) {
			TH_LOG("load %d of %d failed", i + 1, LOAD_CYCLES);
		}
		ASSERT_TRUE(ff_module_loaded());
		ASSERT_EQ(0, ff_module_unload()) {
			TH_LOG("unload %d of %d failed", i + 1, LOAD_CYCLES);
		}
		ASSERT_FALSE(ff_module_loaded());
	}
	ASSERT_EQ(0, ff_module_load(ff_module_path()));
}

TEST(double_load_is_refused)
{
	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
	EXPECT_EQ(-EEXIST, ff_module_load(ff_module_path()));
	EXPECT_TRUE(ff_module_loaded());
}

/*
 * The test devices' ranges (devmap=, pfnmap=: SIZE@START of hidden RAM) are
 * checked before anything is set up: a bad one fails the load with EINVAL,
 * and the kernel log says why. None of these ranges is ever mapped.
 */
TEST(bad_device_ranges_are_refused)
{
	static const char *const bad[] = {
		"devmap=foo",				/* not SIZE@START */
		"devmap=128M",				/* no START */
		"devmap=128M@",				/* empty START */
		"devmap=128M@0x90000000junk",		/* trailing junk */
		"devmap=0@0x90000000",			/* empty */
		"devmap=1M@0x90000000",			/* not whole 2 MiB blocks */
		"pfnmap=128M@0x90001000",		/* START not 2 MiB aligned */
		"pfnmap=2M@0xffffffffffe00000",		/* past the physical address space */
		"devmap=128M@0x40000000",		/* System RAM (QEMU virt's first) */
		"pfnmap=2M@0x40000000",
	};
	size_t i;

	if (ff_module_loaded())
		ASSERT_EQ(0, ff_module_unload());
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, ff_module_load_params(ff_module_path(), bad[i]))
			TH_LOG("insmod fastfault.ko %s", bad[i]);
		EXPECT_FALSE(ff_module_loaded()) {
			ff_module_unload();
		}
	}
	ASSERT_EQ(0, ff_module_load(ff_module_path()));
}

FIXTURE(kmemleak) {};
FIXTURE_SETUP(kmemleak) {}
FIXTURE_TEARDOWN(kmemleak) {}

/* Two kmemleak scans of all memory: minutes under KASAN, not seconds. */
TEST_F_TIMEOUT(kmemleak, no_leak_after_cycles, 600)
{
	int i, before, after;

	if (access(KMEMLEAK, R_OK))
		SKIP(return, "kernel without CONFIG_DEBUG_KMEMLEAK");

	/*
	 * Forget what was unreferenced before we started: let recent objects
	 * age enough to be reported, report them, then clear the list.
	 */
	sleep(KMEMLEAK_MIN_AGE_S);
	ASSERT_EQ(0, ff_write_file(KMEMLEAK, "scan"));
	ASSERT_EQ(0, ff_write_file(KMEMLEAK, "clear"));
	before = kmemleak_count_reports();
	ASSERT_GE(before, 0);

	ensure_unloaded(_metadata);
	for (i = 0; i < LOAD_CYCLES; i++) {
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
		/* Reading every file allocates and frees seq_file buffers. */
		ASSERT_EQ(0, ff_write_file(FASTFAULT_DEBUGFS_ROOT "/fault/reset", "1"));
		ASSERT_EQ(0, ff_module_unload());
	}
	sleep(KMEMLEAK_MIN_AGE_S);
	ASSERT_EQ(0, ff_write_file(KMEMLEAK, "scan"));
	after = kmemleak_count_reports();
	EXPECT_EQ(before, after) {
		static char buf[8192];

		ff_read_file(KMEMLEAK, buf, sizeof(buf));
		TH_LOG("kmemleak:\n%s", buf);
	}
	ASSERT_EQ(0, ff_module_load(ff_module_path()));
}

TEST_HARNESS_MAIN
