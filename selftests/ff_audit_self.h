/* SPDX-License-Identifier: GPL-2.0 */
/*
 * audit_self() for the kselftests: run fastfault's page-table auditor on
 * this process and expect no violation. Include after kselftest_harness.h.
 */
#ifndef FF_AUDIT_SELF_H
#define FF_AUDIT_SELF_H

#include <stdio.h>
#include <unistd.h>

#include "ff_util.h"

/* The auditor over this process finds no bad contiguous block; report in @a. */
static inline void audit_self(struct __test_metadata *_metadata, struct ff_audit *a)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, ff_audit_run(pid, a));
	EXPECT_EQ(0u, a->violations) TH_LOG("%s", a->report);
}

#endif /* FF_AUDIT_SELF_H */
