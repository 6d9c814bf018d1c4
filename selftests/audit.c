// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table auditor (fastfault/audit): it walks this process and every
 * process, reports in the documented format, finds no violation in a system
 * that has done nothing wrong, and rejects bad input with a clear error.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fastfault.h"
#include "ff_util.h"

#define AUDIT FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_AUDIT_FILE

static ssize_t write_str(const char *s, size_t len)
{
	ssize_t n;
	int fd = open(AUDIT, O_WRONLY);

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

FIXTURE(audit) {};

FIXTURE_SETUP(audit)
{
	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
}

FIXTURE_TEARDOWN(audit) {}

TEST_F(audit, walks_this_process)
{
	const size_t size = 8 << 20;
	struct ff_audit a;
	char pid[16];
	char *p;
	size_t i;

	p = ff_mmap_aligned(size, 64 << 10);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < size; i += 4096)
		p[i] = 1;
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, ff_audit_run(pid, &a));
	munmap(p, size);
	EXPECT_EQ(1u, a.processes);
	EXPECT_EQ(0u, a.violations) TH_LOG("%s", a.report);
	EXPECT_EQ(a.blocks * 64, a.cont_kb);
	EXPECT_LE(a.cont_kb, size / 1024 + 1024);
}

TEST_F(audit, walks_every_process)
{
	struct ff_audit a;

	ASSERT_EQ(0, ff_audit_run("all", &a));
	/* init and this test at least */
	EXPECT_GE(a.processes, 2u);
	EXPECT_EQ(0u, a.violations) TH_LOG("%s", a.report);
}

TEST_F(audit, rejects_bad_input)
{
	static char big[4096];

	EXPECT_EQ(-EINVAL, write_str("abc", 3));
	EXPECT_EQ(-EINVAL, write_str("-1", 2));
	EXPECT_EQ(-EINVAL, write_str("0", 1));
	EXPECT_EQ(-EINVAL, write_str("", 0));
	EXPECT_EQ(-EINVAL, write_str("12abc", 5));
	EXPECT_EQ(-ESRCH, write_str("999999", 6));
	memset(big, '1', sizeof(big));
	EXPECT_EQ(-EINVAL, write_str(big, sizeof(big)));
	/* A good request still works after all of that. */
	EXPECT_EQ(3, write_str("all", 3));
}

TEST_HARNESS_MAIN
