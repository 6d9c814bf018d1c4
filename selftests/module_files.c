// SPDX-License-Identifier: GPL-2.0
/*
 * fastfault.ko's debugfs interface: the files exist, are root only, reject
 * bad writes with -EINVAL, count from zero after a reset, and the ctl ioctl
 * validates its argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fastfault.h"
#include "ff_util.h"

#define ROOT FASTFAULT_DEBUGFS_ROOT

static const char *const ff_files[] = {
	ROOT "/version", ROOT "/stats", ROOT "/ctl",
	ROOT "/fault/pgfault", ROOT "/fault/pgmajfault",
	ROOT "/fault/stats", ROOT "/fault/reset", ROOT "/audit",
	ROOT "/" FASTFAULT_TLB_NOTIFY_FILE,
};

/* Files that only read: a write must fail with -EINVAL. */
static const char *const ff_readonly_files[] = {
	ROOT "/version", ROOT "/stats", ROOT "/fault/pgfault", ROOT "/fault/stats",
};

static ssize_t write_bytes(const char *path, const void *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

FIXTURE(module) {};

FIXTURE_SETUP(module)
{
	if (!ff_module_loaded())
		ASSERT_EQ(0, ff_module_load(ff_module_path()));
}

FIXTURE_TEARDOWN(module) {}

TEST_F(module, files_are_root_only)
{
	struct stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ff_files); i++) {
		ASSERT_EQ(0, stat(ff_files[i], &st)) {
			TH_LOG("%s: %s", ff_files[i], strerror(errno));
		}
		EXPECT_EQ(0u, st.st_uid);
		EXPECT_EQ(0u, st.st_mode & 077) {
			TH_LOG("%s has mode %o", ff_files[i], st.st_mode & 0777);
		}
	}
}

/* The secondary-TLB watcher takes a pid or "off", nothing else. */
TEST_F(module, tlb_notify_rejects_bad_input)
{
	static const char *const bad[] = { "abc", "0", "-5", "12x", "99999999999" };
	const char *path = ROOT "/" FASTFAULT_TLB_NOTIFY_FILE;
	char buf[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, write_bytes(path, bad[i], strlen(bad[i])))
			TH_LOG("wrote '%s'", bad[i]);
	/* A pid that no process has. */
	EXPECT_EQ(-ESRCH, write_bytes(path, "4000000", 7));
	EXPECT_EQ(3, write_bytes(path, "off", 3));
	ASSERT_GT(ff_read_file(path, buf, sizeof(buf)), 0);
	EXPECT_NE(NULL, strstr(buf, "pid 0\n"));
}

TEST_F(module, version_names_abi)
{
	char buf[256];
	uint64_t abi;

	ASSERT_GT(ff_read_file(ROOT "/version", buf, sizeof(buf)), 0);
	ASSERT_EQ(0, ff_stats_lookup(buf, "abi_version", &abi));
	EXPECT_EQ((uint64_t)FASTFAULT_ABI_VERSION, abi);
}

TEST_F(module, stats_lines_are_name_value)
{
	char buf[4096], *line, *save;
	int lines = 0;

	ASSERT_GT(ff_read_file(ROOT "/stats", buf, sizeof(buf)), 0);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[FASTFAULT_STATS_LINE_MAX];
		unsigned long long v;
		char extra;

		EXPECT_EQ(2, sscanf(line, "%63s %llu%c", name, &v, &extra)) {
			TH_LOG("bad stats line '%s'", line);
		}
		lines++;
	}
	EXPECT_GE(lines, 2);
}

TEST_F(module, bad_writes_get_einval)
{
	static char big[1 << 16];
	size_t i;

	EXPECT_EQ(-EINVAL, write_bytes(ROOT "/fault/reset", "2", 1));
	EXPECT_EQ(-EINVAL, write_bytes(ROOT "/fault/reset", "0", 1));
	EXPECT_EQ(-EINVAL, write_bytes(ROOT "/fault/reset", "one", 3));
	EXPECT_EQ(-EINVAL, write_bytes(ROOT "/fault/reset", "1x", 2));
	EXPECT_EQ(-EINVAL, write_bytes(ROOT "/fault/reset", "", 0));
	EXPECT_EQ(-EINVAL, write_bytes(ROOT "/fault/reset", "-1", 2));
	memset(big, '1', sizeof(big));
	EXPECT_EQ(-EINVAL, write_bytes(ROOT "/fault/reset", big, sizeof(big)));
	for (i = 0; i < ARRAY_SIZE(ff_readonly_files); i++) {
		const char *path = ff_readonly_files[i];

		EXPECT_EQ(-EINVAL, write_bytes(path, "1", 1))
			TH_LOG("write to %s", path ? path : "?");
	}
	/* The good write still works after all that. */
	EXPECT_EQ(2, write_bytes(ROOT "/fault/reset", "1\n", 2));
}

TEST_F(module, reset_counts_from_zero)
{
	const size_t pages = 64, page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t before, after;
	char *p;
	size_t i;

	ASSERT_EQ(0, ff_write_file(ROOT "/fault/reset", "1"));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_FAULT, "pgfault", &before));
	p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* One fault per page: no THP, no 64 KiB chunk mapped at once. */
	ASSERT_EQ(0, madvise(p, pages * page, MADV_NOHUGEPAGE));
	for (i = 0; i < pages; i++)
		p[i * page] = 1;
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_FAULT, "pgfault", &after));
	munmap(p, pages * page);
	/* Other tasks may fault too, so at least ours. */
	EXPECT_GE(after - before, pages);
	/* A fresh reset brings the count back below what we just added. */
	ASSERT_EQ(0, ff_write_file(ROOT "/fault/reset", "1"));
	ASSERT_EQ(0, ff_counter_read(FASTFAULT_DIR_FAULT, "pgfault", &before));
	EXPECT_LT(before, pages);
}

TEST_F(module, ioctl_validates_argument)
{
	struct fastfault_version v;
	int fd;

	fd = open(ROOT "/ctl", O_RDWR);
	ASSERT_GE(fd, 0);

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, ioctl(fd, FASTFAULT_IOC_VERSION, &v));
	EXPECT_EQ((__u32)FASTFAULT_ABI_VERSION, v.abi_version);

	memset(&v, 0, sizeof(v));
	v.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);

	memset(&v, 0, sizeof(v));
	v.reserved[1] = 7;
	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_VERSION, (void *)16));
	EXPECT_EQ(EFAULT, errno);

	EXPECT_EQ(-1, ioctl(fd, _IO(FASTFAULT_IOC_MAGIC, 99), 0));
	EXPECT_EQ(ENOTTY, errno);

	EXPECT_EQ(-EINVAL, write_bytes(ROOT "/ctl", "1", 1));
	close(fd);
}

/*
 * FASTFAULT_IOC_RESOLVE_PFN refuses what is not the caller's PFN map, and
 * bad flags, reserved fields and addresses, with EINVAL; it changes nothing.
 */
TEST_F(module, resolve_pfn_validates_argument)
{
	static char anon[4096] __attribute__((aligned(4096)));
	struct fastfault_resolve_pfn r;
	int fd;

	fd = open(ROOT "/ctl", O_RDWR);
	ASSERT_GE(fd, 0);
	anon[0] = 1;

	memset(&r, 0, sizeof(r));
	r.addr = (uintptr_t)anon;
	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_RESOLVE_PFN, &r));
	EXPECT_EQ(EINVAL, errno);	/* ordinary memory: KVM would use GUP */

	memset(&r, 0, sizeof(r));
	r.addr = (uintptr_t)anon;
	r.flags = 2;
	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_RESOLVE_PFN, &r));
	EXPECT_EQ(EINVAL, errno);

	memset(&r, 0, sizeof(r));
	r.addr = (uintptr_t)anon;
	r.reserved0 = 1;
	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_RESOLVE_PFN, &r));
	EXPECT_EQ(EINVAL, errno);

	memset(&r, 0, sizeof(r));
	r.addr = ~0ULL;
	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_RESOLVE_PFN, &r));
	EXPECT_EQ(EINVAL, errno);

	memset(&r, 0, sizeof(r));
	r.addr = 0;	/* nothing mapped there */
	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_RESOLVE_PFN, &r));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, ioctl(fd, FASTFAULT_IOC_RESOLVE_PFN, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, anon[0]);
	close(fd);
}

TEST_F(module, unprivileged_is_denied)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		size_t i;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		for (i = 0; i < ARRAY_SIZE(ff_files); i++) {
			int fd = open(ff_files[i], O_RDONLY);

			if (fd >= 0 || errno != EACCES)
				_exit(3);
			fd = open(ff_files[i], O_WRONLY);
			if (fd >= 0 || errno != EACCES)
				_exit(4);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
