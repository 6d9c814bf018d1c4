// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fastfault.h"
#include "ff_util.h"

ssize_t ff_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

int ff_write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

int ff_stats_lookup(const char *text, const char *name, uint64_t *value)
{
	size_t nlen = strlen(name);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, name, nlen) && line[nlen] == ' ') {
			char *end;

			errno = 0;
			*value = strtoull(line + nlen + 1, &end, 10);
			if (errno || end == line + nlen + 1 ||
			    (*end != '\n' && *end != '\0'))
				return -EINVAL;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

int ff_counter_read(const char *feature, const char *name, uint64_t *value)
{
	char path[256], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/stats", FASTFAULT_DEBUGFS_ROOT, feature);
	n = ff_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return ff_stats_lookup(buf, name, value);
}

int ff_module_loaded(void)
{
	struct stat st;

	return stat(FASTFAULT_DEBUGFS_ROOT, &st) == 0;
}

int ff_module_load(const char *path)
{
	return ff_module_load_params(path, "");
}

int ff_module_load_params(const char *path, const char *params)
{
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

int ff_module_unload(void)
{
	if (syscall(SYS_delete_module, "fastfault", O_NONBLOCK))
		return -errno;
	return 0;
}

const char *ff_module_path(void)
{
	const char *p = getenv("FASTFAULT_KO");

	return p && *p ? p : "/fastfault/fastfault.ko";
}

int ff_pagemap_entry(const void *addr, uint64_t *entry)
{
	long page = sysconf(_SC_PAGESIZE);
	ssize_t n;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, entry, sizeof(*entry),
		  (off_t)((uintptr_t)addr / page * sizeof(*entry)));
	close(fd);
	if (n != sizeof(*entry))
		return n < 0 ? -errno : -EIO;
	return 0;
}

int ff_pagemap_pfn(const void *addr, uint64_t *pfn)
{
	uint64_t entry;
	int ret;

	ret = ff_pagemap_entry(addr, &entry);
	if (ret)
		return ret;
	if (!(entry & FF_PM_PRESENT))
		return -ENOENT;
	*pfn = entry & FF_PM_PFN_MASK;
	return 0;
}

void *ff_mmap_aligned(size_t size, size_t align)
{
	char *p, *aligned;

	p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return MAP_FAILED;
	aligned = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (aligned > p)
		munmap(p, aligned - p);
	munmap(aligned + size, p + align - aligned);
	return aligned;
}

long ff_rss_kb(void)
{
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	if (n != 2)
		return -1;
	return (long)(resident * (unsigned long)sysconf(_SC_PAGESIZE) / 1024);
}

static int ff_walk_run(const char *path, const char *target, struct ff_audit *out)
{
	ssize_t n;
	int ret;

	ret = ff_write_file(path, target);
	if (ret)
		return ret;
	n = ff_read_file(path, out->report, sizeof(out->report));
	if (n < 0)
		return (int)n;
	if (ff_stats_lookup(out->report, FASTFAULT_AUDIT_PROCESSES, &out->processes) ||
	    ff_stats_lookup(out->report, FASTFAULT_AUDIT_CONT_KB, &out->cont_kb) ||
	    ff_stats_lookup(out->report, FASTFAULT_AUDIT_BLOCKS, &out->blocks) ||
	    ff_stats_lookup(out->report, FASTFAULT_AUDIT_VIOLATIONS, &out->violations))
		return -EPROTO;
	return 0;
}

int ff_reserve_save(struct ff_reserve_saved *s)
{
	char buf[128], *l, *r;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	n = ff_read_file(FF_RESERVE_ENABLED, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r || (size_t)(r - l - 1) >= sizeof(s->enabled))
		return -EPROTO;
	n = ff_read_file(FF_RESERVE_ADAPTIVE, s->adaptive, sizeof(s->adaptive));
	if (n <= 0) {
		s->adaptive[0] = '\0';
		return n < 0 ? (int)n : -EPROTO;
	}
	memcpy(s->enabled, l + 1, r - l - 1);
	return 0;
}

void ff_reserve_restore(const struct ff_reserve_saved *s)
{
	if (s->enabled[0])
		ff_write_file(FF_RESERVE_ENABLED, s->enabled);
	if (s->adaptive[0])
		ff_write_file(FF_RESERVE_ADAPTIVE, s->adaptive);
}

int ff_audit_run(const char *target, struct ff_audit *out)
{
	return ff_walk_run(FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_AUDIT_FILE, target, out);
}

int ff_scramble_run(const char *target, struct ff_audit *out)
{
	return ff_walk_run(FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_SCRAMBLE_FILE, target, out);
}

int ff_walk(pid_t pid, const void *addr, struct ff_walk *out)
{
	static const char path[] = FASTFAULT_DEBUGFS_ROOT "/" FASTFAULT_WALK_FILE;
	static const char *const names[] = {
		"level", "pfn", "devmap", "special", "write", "cont",
	};
	uint64_t v[sizeof(names) / sizeof(names[0])];
	char cmd[64];
	size_t i;
	ssize_t n;
	int ret;

	snprintf(cmd, sizeof(cmd), "%d 0x%lx", (int)pid, (unsigned long)(uintptr_t)addr);
	ret = ff_write_file(path, cmd);
	if (ret)
		return ret;
	n = ff_read_file(path, out->report, sizeof(out->report));
	if (n < 0)
		return (int)n;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ff_stats_lookup(out->report, names[i], &v[i]))
			return -EPROTO;
	out->level = (int)v[0];
	out->pfn = v[1];
	out->devmap = (int)v[2];
	out->special = (int)v[3];
	out->write = (int)v[4];
	out->cont = (int)v[5];
	return 0;
}

int ff_proc_sum(const char *path, const char *name, long *sum)
{
	static char buf[128 * 1024];
	size_t len = strlen(name);
	ssize_t got;
	int matched = 0;
	char *s;

	got = ff_read_file(path, buf, sizeof(buf));
	if (got < 0)
		return (int)got;
	*sum = 0;
	for (s = buf; s && *s; s = strchr(s, '\n')) {
		s += strspn(s, "\n ");
		if (!strncmp(s, name, len) && (s[len] == ' ' || s[len] == ':')) {
			*sum += strtol(s + len + 1, NULL, 10);
			matched++;
		}
	}
	return matched;
}

static int ff_fail_knob(const char *knob, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FF_FAIL_PAGE_ALLOC "%s", knob);
	return ff_write_file(path, val);
}

int ff_fail_nowait_order4(unsigned int percent, int this_task_only)
{
	static const char *const knobs[][2] = {
		{ "min-order", "4" }, { "ignore-gfp-wait", "Y" },
		{ "ignore-gfp-highmem", "N" }, { "verbose", "0" },
		{ "interval", "1" }, { "times", "-1" },
	};
	char val[16];
	size_t i;
	int ret;

	if (!percent) {
		ret = this_task_only ? ff_write_file("/proc/self/make-it-fail", "0") : 0;
		return ff_fail_knob("probability", "0") ?: ret;
	}
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		ret = ff_fail_knob(knobs[i][0], knobs[i][1]);
		if (ret)
			return ret;
	}
	ret = ff_fail_knob("task-filter", this_task_only ? "Y" : "N");
	if (ret)
		return ret;
	snprintf(val, sizeof(val), "%u", percent);
	ret = ff_fail_knob("probability", val);
	if (ret || !this_task_only)
		return ret;
	return ff_write_file("/proc/self/make-it-fail", "1");
}
