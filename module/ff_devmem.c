// SPDX-License-Identifier: GPL-2.0
/*
 * Test devices for GUP on device memory: RAM the kernel was told not to
 * use (mem= on the command line), mapped into user space with PMDs where a
 * 2 MiB block fits in the VMA and PTEs elsewhere.
 *
 *   /dev/fastfault-devmap    devmap=SIZE@START: ZONE_DEVICE pages made by
 *                            memremap_pages() (MEMORY_DEVICE_GENERIC, as
 *                            device-dax), inserted as devmap PFNs
 *   /dev/fastfault-pfnmap    pfnmap=SIZE@START: no struct pages, VM_PFNMAP
 *   /dev/fastfault-mixedmap  the pfnmap range again, VM_MIXEDMAP: a
 *                            page-less DAX mapping, the shape of the seed
 *                            bug (MAP_POPULATE oopsed in
 *                            follow_trans_huge_pmd())
 *
 * The files' mapping belongs to an S_DAX inode of our own, as device-dax
 * does, so that the fault path offers PMD faults (->huge_fault) for them.
 * Each open file pins the module; each mapping holds its file. A pin that
 * outlives both (an io_uring fixed buffer) must be dropped before rmmod, as
 * with device-dax: the pages go with the module.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/huge_mm.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/memremap.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pfn_t.h>
#include <linux/pseudo_fs.h>

#include <fastfault.h>
#include "ff_compat.h"
#include "ff_devmem.h"

#define FF_DAX_MAGIC	0x66666478	/* "ffdx" */

static char *devmap;
module_param(devmap, charp, 0400);
MODULE_PARM_DESC(devmap, "SIZE@START of hidden RAM for " FASTFAULT_DEVMAP_DEV);
static char *pfnmap;
module_param(pfnmap, charp, 0400);
MODULE_PARM_DESC(pfnmap, "SIZE@START of hidden RAM for " FASTFAULT_PFNMAP_DEV
		 " and " FASTFAULT_MIXEDMAP_DEV);

enum ff_devmem_kind { FF_DEVMAP, FF_PFNMAP, FF_MIXEDMAP };

struct ff_devmem {
	enum ff_devmem_kind kind;
	const char *name;		/* device node and resource name */
	struct range range;		/* physical, inclusive end */
	u64 pfn_flags;			/* pfn_t flags of the inserts */
	vm_flags_t vm_flags;		/* added to every VMA */
	struct inode *inode;		/* S_DAX: its mapping is the files' */
	struct miscdevice misc;
	bool registered;
};

static struct ff_devmem ff_devmems[] = {
	{ .kind = FF_DEVMAP, .name = "fastfault-devmap",
	  .pfn_flags = PFN_DEV | PFN_MAP },
	{ .kind = FF_PFNMAP, .name = "fastfault-pfnmap",
	  .pfn_flags = PFN_DEV, .vm_flags = VM_PFNMAP },
	{ .kind = FF_MIXEDMAP, .name = "fastfault-mixedmap",
	  .pfn_flags = PFN_DEV, .vm_flags = VM_MIXEDMAP },
};

static struct dev_pagemap ff_pgmap;	/* the devmap range's pages */
static bool ff_pgmap_live;
static struct resource *ff_res[2];	/* the claimed devmap, pfnmap ranges */
static struct vfsmount *ff_dax_mnt;

/* The address backing page @pgoff of @d: false past the end. */
static bool ff_devmem_phys(const struct ff_devmem *d, pgoff_t pgoff,
			   phys_addr_t *phys)
{
	if (pgoff >= range_len(&d->range) >> PAGE_SHIFT)
		return false;
	*phys = d->range.start + ((phys_addr_t)pgoff << PAGE_SHIFT);
	return true;
}

/*
 * A PMD fits when the 2 MiB block around the address lies in the VMA and
 * in the range, and starts on a 2 MiB physical boundary.
 */
static bool ff_devmem_pmd_phys(const struct ff_devmem *d,
			       struct vm_fault *vmf, phys_addr_t *phys)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK;
	pgoff_t pgoff;

	if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end)
		return false;
	pgoff = vma->vm_pgoff + ((haddr - vma->vm_start) >> PAGE_SHIFT);
	return ff_devmem_phys(d, pgoff, phys) && IS_ALIGNED(*phys, PMD_SIZE) &&
	       *phys + PMD_SIZE - 1 <= d->range.end;
}

static vm_fault_t ff_devmem_huge_fault(struct vm_fault *vmf,
				       FF_HUGE_FAULT_ARG size)
{
	struct ff_devmem *d = vmf->vma->vm_private_data;
	phys_addr_t phys;

	if (!ff_huge_fault_is_pmd(size) || !ff_devmem_pmd_phys(d, vmf, &phys))
		return VM_FAULT_FALLBACK;
	return vmf_insert_pfn_pmd(vmf, phys_to_pfn_t(phys, d->pfn_flags),
				  vmf->flags & FAULT_FLAG_WRITE);
}

static vm_fault_t ff_devmem_fault(struct vm_fault *vmf)
{
	struct ff_devmem *d = vmf->vma->vm_private_data;
	phys_addr_t phys;

	if (!ff_devmem_phys(d, vmf->pgoff, &phys))
		return VM_FAULT_SIGBUS;
	if (d->kind == FF_PFNMAP)
		return vmf_insert_pfn(vmf->vma, vmf->address, PHYS_PFN(phys));
	return vmf_insert_mixed(vmf->vma, vmf->address,
				phys_to_pfn_t(phys, d->pfn_flags));
}

static const struct vm_operations_struct ff_devmem_vm_ops = {
	.fault = ff_devmem_fault,
	.huge_fault = ff_devmem_huge_fault,
};

/*
 * The VM_PFNMAP device, as a driver of MMIO does it: GUP cannot reach its
 * PFNs, so access_remote_vm() (/proc/PID/mem, ptrace) comes through
 * ->access, which maps the PFN behind the address (follow_pte(), or
 * follow_pfnmap_start() with the series, which knows leaf PMDs too).
 */
static const struct vm_operations_struct ff_pfnmap_vm_ops = {
	.fault = ff_devmem_fault,
	.huge_fault = ff_devmem_huge_fault,
#ifdef CONFIG_HAVE_IOREMAP_PROT
	.access = generic_access_phys,
#endif
};

static int ff_devmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ff_devmem *d = file->private_data;
	u64 size = range_len(&d->range);
	unsigned long len = vma->vm_end - vma->vm_start;

	/* Private (COW) mappings of PFNs without pages cannot work. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff > size >> PAGE_SHIFT ||
	    len > size - ((u64)vma->vm_pgoff << PAGE_SHIFT))
		return -EINVAL;
	vm_flags_set(vma, d->vm_flags | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = d->kind == FF_PFNMAP ? &ff_pfnmap_vm_ops :
					     &ff_devmem_vm_ops;
	vma->vm_private_data = d;
	return 0;
}

/* Open: root only; the file's mapping becomes the S_DAX inode's. */
static int ff_devmem_open(struct inode *inode, struct file *file)
{
	struct ff_devmem *d = container_of(file->private_data,
					   struct ff_devmem, misc);

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	file->private_data = d;
	file->f_mapping = d->inode->i_mapping;
	return 0;
}

static const struct file_operations ff_devmem_fops = {
	.owner = THIS_MODULE,
	.open = ff_devmem_open,
	.mmap = ff_devmem_mmap,
	.get_unmapped_area = thp_get_unmapped_area,
	.llseek = noop_llseek,
};

static int ff_dax_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, FF_DAX_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type ff_dax_fs_type = {
	.name = "fastfault_dax",
	.init_fs_context = ff_dax_init_fs_context,
	.kill_sb = kill_anon_super,
};

/*
 * Parse "SIZE@START" of parameter @param into @r. Both 2 MiB aligned, and
 * the range must not be RAM the kernel uses: memremap_pages() would warn.
 */
static int ff_parse_range(const char *param, const char *arg, struct range *r)
{
	char *end;
	u64 size, start;

	size = memparse(arg, &end);
	if (end == arg || *end != '@')
		goto bad;
	arg = end + 1;
	start = memparse(arg, &end);
	if (end == arg || (*end && *end != '\n'))
		goto bad;
	if (!size || !IS_ALIGNED(size, PMD_SIZE) || !IS_ALIGNED(start, PMD_SIZE) ||
	    start + size < start || start + size - 1 > PHYS_MASK) {
		pr_err("fastfault: %s=%s: SIZE and START must be non-zero multiples of 2 MiB within the physical address space\n",
		       param, arg);
		return -EINVAL;
	}
	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("fastfault: %s=%s: overlaps System RAM (boot with mem= below it)\n",
		       param, arg);
		return -EINVAL;
	}
	r->start = start;
	r->end = start + size - 1;
	return 0;
bad:
	pr_err("fastfault: %s=%s: expected SIZE@START, e.g. 128M@0x90000000\n",
	       param, arg);
	return -EINVAL;
}

static int ff_claim(unsigned int i, const struct range *r, const char *name)
{
	ff_res[i] = request_mem_region(r->start, range_len(r), name);
	if (!ff_res[i]) {
		pr_err("fastfault: %s range %#llx-%#llx is busy (claimed by another driver or the other range)\n",
		       name, r->start, r->end);
		return -EBUSY;
	}
	return 0;
}

static int ff_make_pages(const struct range *r)
{
	void *addr;

	ff_pgmap.type = MEMORY_DEVICE_GENERIC;
	ff_pgmap.range = *r;
	ff_pgmap.nr_range = 1;
	addr = memremap_pages(&ff_pgmap, NUMA_NO_NODE);
	if (IS_ERR(addr)) {
		pr_err("fastfault: memremap_pages(%#llx-%#llx): %ld\n",
		       r->start, r->end, PTR_ERR(addr));
		return PTR_ERR(addr);
	}
	ff_pgmap_live = true;
	return 0;
}

static int ff_devmem_register(struct ff_devmem *d, const struct range *r)
{
	int ret;

	d->range = *r;
	d->inode = alloc_anon_inode(ff_dax_mnt->mnt_sb);
	if (IS_ERR(d->inode)) {
		ret = PTR_ERR(d->inode);
		d->inode = NULL;
		return ret;
	}
	/* A character device's DAX inode: device-dax, not fsdax. */
	d->inode->i_mode = S_IFCHR | 0600;
	d->inode->i_flags |= S_DAX;
	d->misc.minor = MISC_DYNAMIC_MINOR;
	d->misc.name = d->name;
	d->misc.fops = &ff_devmem_fops;
	d->misc.mode = 0600;
	ret = misc_register(&d->misc);
	if (ret)
		return ret;
	d->registered = true;
	return 0;
}

void ff_devmem_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ff_devmems); i++) {
		struct ff_devmem *d = &ff_devmems[i];

		if (d->registered)
			misc_deregister(&d->misc);
		d->registered = false;
		if (d->inode)
			iput(d->inode);
		d->inode = NULL;
	}
	if (ff_pgmap_live)
		memunmap_pages(&ff_pgmap);
	ff_pgmap_live = false;
	for (i = 0; i < ARRAY_SIZE(ff_res); i++) {
		if (ff_res[i])
			release_mem_region(ff_res[i]->start,
					   resource_size(ff_res[i]));
		ff_res[i] = NULL;
	}
	if (ff_dax_mnt)
		kern_unmount(ff_dax_mnt);
	ff_dax_mnt = NULL;
}

/* Set up the devices the parameters ask for; none without them. */
int ff_devmem_init(void)
{
	struct range dr, pr;
	int ret;

	if (!devmap && !pfnmap)
		return 0;
	ret = devmap ? ff_parse_range("devmap", devmap, &dr) : 0;
	if (!ret && pfnmap)
		ret = ff_parse_range("pfnmap", pfnmap, &pr);
	if (ret)
		return ret;
	ff_dax_mnt = kern_mount(&ff_dax_fs_type);
	if (IS_ERR(ff_dax_mnt)) {
		ret = PTR_ERR(ff_dax_mnt);
		ff_dax_mnt = NULL;
		return ret;
	}
	if (devmap) {
		ret = ff_claim(0, &dr, "fastfault-devmap");
		if (!ret)
			ret = ff_make_pages(&dr);
		if (!ret)
			ret = ff_devmem_register(&ff_devmems[FF_DEVMAP], &dr);
		if (ret)
			goto err;
	}
	if (pfnmap) {
		ret = ff_claim(1, &pr, "fastfault-pfnmap");
		if (!ret)
			ret = ff_devmem_register(&ff_devmems[FF_PFNMAP], &pr);
		if (!ret)
			ret = ff_devmem_register(&ff_devmems[FF_MIXEDMAP], &pr);
		if (ret)
			goto err;
	}
	return 0;
err:
	ff_devmem_exit();
	return ret;
}
