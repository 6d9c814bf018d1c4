/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FF_DEVMEM_H
#define _FF_DEVMEM_H

int ff_devmem_init(void);
void ff_devmem_exit(void);

#endif /* _FF_DEVMEM_H */
