/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The torture harness (make torture): shared state of its processes.
 * torture.c runs the mm workers and the checks; torture_module.c the module
 * cycler, the debugfs/ioctl fuzzer and the unprivileged-access probe.
 */
#ifndef TORTURE_H
#define TORTURE_H

#include <stdint.h>
#include <sys/types.h>

/* A seeded generator (xorshift64*): one per thread, so runs reproduce. */
struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* A number in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* Figures every process adds to, in a MAP_SHARED page. */
struct torture_stats {
	uint64_t ops;			/* mm operations run */
	uint64_t mismatches;		/* pages whose data was wrong */
	uint64_t forks;			/* children that checked their copy */
	uint64_t switch_flips;		/* writes to the anon_reserve switches */
	uint64_t odirect;		/* O_DIRECT transfers into or out of mappings */
	uint64_t module_loads, module_unloads, module_busy;
	uint64_t fuzz_calls;		/* writes, reads and ioctls fed bad input */
	uint64_t fuzz_accepted;		/* of which the module accepted */
	uint64_t unpriv_allowed;	/* opens or ioctls an unprivileged uid got */
	uint64_t unpriv_tries;
	uint64_t hog_peak_kb;		/* most memory the hog held */
	uint64_t digest;		/* of every thread's operations */
	int stop;			/* set by the parent at the end of a round */
	int stop_all;			/* set at the end of the run (hog, holder) */
};

#define STAT_ADD(st, field, n) __atomic_add_fetch(&(st)->field, (n), __ATOMIC_RELAXED)

/* Processes of torture_module.c; each returns when st->stop is set. */
void module_cycler(struct torture_stats *st, const char *ko, uint64_t seed);
void debugfs_fuzzer(struct torture_stats *st, uint64_t seed);
/* Fork an unprivileged child that tries every fastfault file. */
void unprivileged_probe(struct torture_stats *st);

#endif /* TORTURE_H */
