/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FF_NOTIFY_H
#define _FF_NOTIFY_H

#include <linux/dcache.h>

void ff_notify_create(struct dentry *root);
void ff_notify_exit(void);

#endif /* _FF_NOTIFY_H */
