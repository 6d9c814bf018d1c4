// SPDX-License-Identifier: GPL-2.0
/*
 * The torture harness's module side: fastfault.ko loaded and unloaded in a
 * loop, every file under its debugfs directory (and the anon_reserve sysfs
 * switches) fed random, oversize, empty and unmapped input while that goes
 * on, and a probe that everything is closed to an unprivileged uid.
 * Success is what does not happen: no splat on the console (the host scans
 * it), no process of ours killed, nothing granted to uid 65534.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "fastfault.h"
#include "ff_util.h"
#include "torture.h"

#define MAX_FILES	64
#define PATH_LEN	512
#define BIG_WRITE	(68 * 1024)	/* past any buffer a debugfs file should take */

static const char *const extra_files[] = {
	"/sys/kernel/mm/anon_reserve/enabled",
	"/sys/kernel/mm/anon_reserve/adaptive",
};

static int stopping(const struct torture_stats *st)
{
	return __atomic_load_n(&st->stop, __ATOMIC_RELAXED);
}

/* Every regular file under @dir (recursively), appended to @files. */
static unsigned int list_files(const char *dir, char files[][PATH_LEN], unsigned int n)
{
	struct dirent *e;
	struct stat sb;
	DIR *d = opendir(dir);

	if (!d)
		return n;
	while (n < MAX_FILES && (e = readdir(d))) {
		char path[PATH_LEN + 256];

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= PATH_LEN ||
		    stat(path, &sb))
			continue;
		if (S_ISDIR(sb.st_mode))
			n = list_files(path, files, n);
		else if (S_ISREG(sb.st_mode))
			memcpy(files[n++], path, strlen(path) + 1);	/* < PATH_LEN: checked */
	}
	closedir(d);
	return n;
}

/*
 * Load and unload fastfault.ko until told to stop, then leave it loaded.
 * An unload while a file is open fails with EBUSY or EAGAIN: counted, and
 * tried again.
 */
void module_cycler(struct torture_stats *st, const char *ko, uint64_t seed)
{
	struct rng rng;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rng_seed(&rng, seed, 0x30d);
	while (!stopping(st)) {
		if (ff_module_loaded()) {
			int ret = ff_module_unload();

			if (!ret)
				STAT_ADD(st, module_unloads, 1);
			else if (ret == -EBUSY || ret == -EAGAIN)
				STAT_ADD(st, module_busy, 1);
		} else if (!ff_module_load(ko)) {
			STAT_ADD(st, module_loads, 1);
		}
		usleep(10000 + (useconds_t)rng_below(&rng, 90000));
	}
	if (!ff_module_loaded() && !ff_module_load(ko))
		STAT_ADD(st, module_loads, 1);
}

static void random_bytes(struct rng *rng, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)rng_next(rng);
	/* Half the time printable: closer to what a parser half-accepts. */
	if (len && rng_below(rng, 2))
		for (i = 0; i < len; i++)
			buf[i] = "0123456789 -+allnevrysdmx\n\t"[(unsigned char)buf[i] % 28];
}

/* One bad input to @path. Returns 1 if the kernel took it, 0 if it refused. */
static int fuzz_one(struct rng *rng, const char *path, char *buf, char *unmapped)
{
	int fd, kind = (int)rng_below(rng, 8), took;
	size_t len = 0;
	ssize_t n;

	fd = open(path, (kind < 6 ? O_WRONLY : O_RDONLY) | O_NONBLOCK);
	if (fd < 0)
		return 0;
	switch (kind) {
	case 0:		/* random bytes, up to a page */
	case 1:
		len = 1 + rng_below(rng, 4096);
		random_bytes(rng, buf, len);
		n = write(fd, buf, len);
		break;
	case 2:		/* nothing */
		n = write(fd, buf, 0);
		break;
	case 3:		/* oversize */
		len = BIG_WRITE;
		random_bytes(rng, buf, len);
		n = write(fd, buf, len);
		break;
	case 4:		/* from an unmapped address */
		n = write(fd, unmapped, 1 + rng_below(rng, 64));
		break;
	case 5:		/* the ioctl: random command, good or bad pointer */
		n = ioctl(fd, rng_below(rng, 2) ? FASTFAULT_IOC_VERSION :
			  (unsigned long)rng_next(rng) & 0xffffffffUL,
			  rng_below(rng, 2) ? (void *)buf : (void *)unmapped);
		break;
	case 6:		/* read into an unmapped address */
		n = read(fd, unmapped, 1 + rng_below(rng, 4096));
		break;
	default:	/* read from a random offset */
		n = pread(fd, buf, 1 + rng_below(rng, 4096),
			  (off_t)rng_below(rng, 1 << 20) - 4096);
		break;
	}
	took = n >= 0;
	close(fd);
	return took;
}

/*
 * Feed every file bad input until told to stop. The file list is taken
 * again each round: the module cycler makes it come and go.
 */
void debugfs_fuzzer(struct torture_stats *st, uint64_t seed)
{
	static char files[MAX_FILES][PATH_LEN];
	char *buf, *unmapped;
	struct rng rng;
	unsigned int n, i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rng_seed(&rng, seed, 0xf022);
	buf = malloc(BIG_WRITE);
	/* An address that is surely unmapped: mapped, then unmapped again. */
	unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!buf || unmapped == MAP_FAILED)
		_exit(2);
	munmap(unmapped, 4096);
	while (!stopping(st)) {
		n = list_files(FASTFAULT_DEBUGFS_ROOT, files, 0);
		for (i = 0; i < sizeof(extra_files) / sizeof(extra_files[0]); i++)
			snprintf(files[n++], PATH_LEN, "%s", extra_files[i]);
		for (i = 0; i < n && !stopping(st); i++) {
			if (fuzz_one(&rng, files[i], buf, unmapped))
				STAT_ADD(st, fuzz_accepted, 1);
			STAT_ADD(st, fuzz_calls, 1);
		}
		usleep(1000);
	}
	free(buf);
}

/*
 * As uid and gid 65534, open every file under the debugfs root and the
 * directory itself for reading and writing, and try the ioctl on ctl:
 * each must be refused. Counted in st->unpriv_*.
 */
void unprivileged_probe(struct torture_stats *st)
{
	static char files[MAX_FILES][PATH_LEN];
	struct fastfault_version v;
	unsigned int n, i;
	int status, fd;
	pid_t pid;

	n = list_files(FASTFAULT_DEBUGFS_ROOT, files, 0);
	snprintf(files[n++], PATH_LEN, "%s", FASTFAULT_DEBUGFS_ROOT);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		for (i = 0; i < n; i++) {
			int modes[] = { O_RDONLY, O_WRONLY }, m;

			for (m = 0; m < 2; m++) {
				STAT_ADD(st, unpriv_tries, 1);
				fd = open(files[i], modes[m]);
				if (fd < 0)
					continue;
				fprintf(stderr, "torture: uid 65534 opened %s (%s)\n", files[i],
					m ? "write" : "read");
				STAT_ADD(st, unpriv_allowed, 1);
				memset(&v, 0, sizeof(v));
				STAT_ADD(st, unpriv_tries, 1);
				if (!ioctl(fd, FASTFAULT_IOC_VERSION, &v))
					STAT_ADD(st, unpriv_allowed, 1);
				close(fd);
			}
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		STAT_ADD(st, unpriv_allowed, 1);
}
