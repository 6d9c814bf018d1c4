/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FF_ENTRY_H
#define _FF_ENTRY_H

#include <linux/dcache.h>

void ff_entry_create(struct dentry *root);
long ff_ioc_resolve_pfn(void __user *uarg);

#endif /* _FF_ENTRY_H */
