/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels fastfault.ko builds for: the pinned 6.1
 * (with or without the series) and 6.12, which make compare measures
 * against. Everything version-dependent is here, so that the rest of the
 * module is written once.
 */
#ifndef _FASTFAULT_COMPAT_H
#define _FASTFAULT_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/*
 * The output-address bits of a PTE: PTE_ADDR_MASK in 6.1; 6.12 has
 * PTE_ADDR_LOW, plus PTE_ADDR_HIGH with 52-bit physical addresses.
 */
#if defined(PTE_ADDR_MASK)
#define FF_PTE_ADDR_MASK	PTE_ADDR_MASK
#elif defined(PHYS_TO_PTE_ADDR_MASK)
#define FF_PTE_ADDR_MASK	PHYS_TO_PTE_ADDR_MASK
#else
#define FF_PTE_ADDR_MASK	PTE_ADDR_LOW
#endif

/*
 * ->huge_fault() takes an enum page_entry_size up to 6.5 and the page
 * order from 6.6. FF_HUGE_FAULT_ARG is the parameter, ff_huge_fault_is_pmd()
 * tells whether a PMD is asked for.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define FF_HUGE_FAULT_ARG	enum page_entry_size
static inline bool ff_huge_fault_is_pmd(enum page_entry_size size)
{
	return size == PE_SIZE_PMD;
}
#else
#define FF_HUGE_FAULT_ARG	unsigned int
static inline bool ff_huge_fault_is_pmd(unsigned int order)
{
	return order == PMD_ORDER;
}
#endif

/* vma->vm_flags became read-only in 6.3, written through vm_flags_set(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * ff_pte_map_lock(): map and lock the PTE table under @pmd, as
 * pte_offset_map_lock() does. Callers hold mmap_lock for read and have seen
 * a table at @pmd.
 *
 * Up to 6.4 a table cannot go away under mmap_lock, and the kernel's own
 * helper does the work. From 6.5 khugepaged may free a table under
 * mmap_lock for read, after RCU, and the helper that copes with that
 * (__pte_offset_map_lock()) is not exported: so read the PMD once under
 * rcu_read_lock(), lock the table it points to and check that the PMD
 * still does. NULL if there is no table (any more): nothing to look at.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
static inline pte_t *ff_pte_map_lock(struct mm_struct *mm, pmd_t *pmd,
				     unsigned long addr, spinlock_t **ptlp)
{
	return pte_offset_map_lock(mm, pmd, addr, ptlp);
}

static inline void ff_pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	pte_unmap_unlock(pte, ptl);
}
#else
static inline pte_t *ff_pte_map_lock(struct mm_struct *mm, pmd_t *pmd,
				     unsigned long addr, spinlock_t **ptlp)
{
	spinlock_t *ptl;
	pmd_t pmdval;

	rcu_read_lock();
	pmdval = pmdp_get_lockless(pmd);
	if (!pmd_present(pmdval) || pmd_leaf(pmdval) || pmd_bad(pmdval))
		goto none;
	ptl = pte_lockptr(mm, &pmdval);
	spin_lock(ptl);
	if (!pmd_same(pmdval, pmdp_get_lockless(pmd))) {
		spin_unlock(ptl);
		goto none;
	}
	*ptlp = ptl;
	return pte_offset_kernel(&pmdval, addr);
none:
	rcu_read_unlock();
	return NULL;
}

static inline void ff_pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	spin_unlock(ptl);
	rcu_read_unlock();
}
#endif

/*
 * The series' GUP counters (mm/gup.c, patch "mm/gup: count pages taken
 * through devmap PMDs ...") exist on 6.1 with the series only, which is
 * exactly where 6.1 has ARCH_SUPPORTS_PMD_PFNMAP.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0) && \
	defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP)
#define FF_HAVE_GUP_COUNTERS 1
#endif

/*
 * follow_pfnmap_start(): the lookup of PFN maps at any level, in mainline
 * from 6.12 and in the series on 6.1. Without it, KVM-style lookups use
 * follow_pte(), as 6.1's KVM does.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) || \
	defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP)
#define FF_HAVE_FOLLOW_PFNMAP 1
#endif

#endif /* _FASTFAULT_COMPAT_H */
