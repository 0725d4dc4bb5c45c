/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A channel's memory: DMA-visible allocation, IOVA translation, and the
 * address checks every descriptor and buffer passes (the default DPDK
 * memory validator, or a service's own), which never let a consumer name
 * the library's re-seed slots (spec §7.5).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_per_lcore.h>

#include "netdma_chain.h"
#include "netdma_internal.h"

/* ---- memory --------------------------------------------------------- */

void *
netdma_mem_alloc(size_t size, size_t align)
{
	return rte_zmalloc("netdma", size, align < 64 ? 64 : align);
}

void
netdma_mem_free(void *ptr)
{
	rte_free(ptr);
}

/*
 * The memseg list of an address.  Descriptors and buffers checked one after
 * the other almost always share one, and EAL's lookup walks every list: keep
 * the last hit per thread, revalidated against the live list (an
 * unregistered list has no base any more, so a stale hit cannot pass).
 */
static RTE_DEFINE_PER_LCORE(const struct rte_memseg_list *, last_msl);

static const struct rte_memseg_list *
msl_of(const void *va)
{
	const struct rte_memseg_list *m = RTE_PER_LCORE(last_msl);

	if (m != NULL && m->base_va != NULL &&
	    (uintptr_t)va - (uintptr_t)m->base_va < m->len)
		return m;
	m = rte_mem_virt2memseg_list(va);
	RTE_PER_LCORE(last_msl) = m;
	return m;
}

netdma_iova_t
netdma_virt2iova(const void *va)
{
	rte_iova_t iova;

	/* in IOVA-as-VA mode rte_mem_virt2iova() accepts any address: ask EAL */
	if (va == NULL || msl_of(va) == NULL)
		return NETDMA_BAD_IOVA;
	iova = rte_mem_virt2iova(va);
	return iova == RTE_BAD_IOVA ? NETDMA_BAD_IOVA : iova;
}

/* The IOVA mode is fixed once EAL is up; asking EAL each time costs a call. */
int netdma_iova_mode_va = -1;

static inline bool
iova_is_va(void)
{
	if (unlikely(netdma_iova_mode_va < 0))
		netdma_iova_mode_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	return netdma_iova_mode_va == 1;
}

static inline void *
iova2virt(netdma_iova_t iova)
{
	if (likely(iova_is_va()))
		return (void *)(uintptr_t)iova;
	return rte_mem_iova2virt(iova);
}

void *
netdma_iova2virt(netdma_iova_t iova)
{
	return iova2virt(iova);
}

/*
 * Default validator: the whole range lies in one DPDK memseg list.  Inline:
 * it runs for every descriptor and both its buffers, at Append and at fetch.
 */
static inline bool
in_dpdk_memory(netdma_iova_t iova, uint64_t len)
{
	const char *va = iova2virt(iova);
	const struct rte_memseg_list *msl;

	if (va == NULL || len == 0)
		return false;
	msl = msl_of(va);
	if (msl == NULL)
		return false;
	if (!iova_is_va())   /* IOVA contiguity only within a memseg */
		return rte_mem_virt2memseg(va, msl) == rte_mem_virt2memseg(va + len - 1, msl);
	return (uintptr_t)va + len <= (uintptr_t)msl->base_va + msl->len;
}

bool
netdma_dpdk_range_ok(void *ctx __rte_unused, netdma_iova_t iova, uint64_t len)
{
	return in_dpdk_memory(iova, len);
}

/*
 * Does [iova, iova+len) touch the channel's re-seed slots (spec §7.5)?  They
 * are library memory in the same heap as the consumer's: no consumer range
 * may name them, whatever the validator says (issue 9, hole 2).
 */
static inline bool
touches_reseed(const struct netdma_chan *c, netdma_iova_t iova, uint64_t len)
{
	netdma_iova_t end = iova + len;

	if (end < iova)   /* wraps: it covers everything above iova */
		return iova < c->reseed_iova + NETDMA_RESEED_BYTES;
	return iova < c->reseed_iova + NETDMA_RESEED_BYTES && end > c->reseed_iova;
}

/*
 * Shrink a validator's window [*lo, *hi) around [iova, iova+len) so that it
 * leaves the re-seed slots out: the engines and the chain check answer
 * later ranges from cached windows without asking again.
 */
static inline void
narrow_window(const struct netdma_chan *c, netdma_iova_t iova, netdma_iova_t *lo,
	      netdma_iova_t *hi)
{
	netdma_iova_t r = c->reseed_iova, r_end = r + NETDMA_RESEED_BYTES;

	if (iova < r)
		*hi = RTE_MIN(*hi, r);
	else
		*lo = RTE_MAX(*lo, r_end);
}

bool
netdma_chan_addr_ok(void *handle, netdma_iova_t iova, uint64_t len)
{
	struct netdma_chan *c = handle;

	if (unlikely(touches_reseed(c, iova, len)))
		return false;
	/* the default validator, without the indirect call */
	if (likely(c->addr_check == netdma_dpdk_range_ok))
		return in_dpdk_memory(iova, len);
	if (c->addr_win != NULL) {
		netdma_iova_t lo, hi;

		return c->addr_win(c->addr_ctx, iova, len, &lo, &hi);
	}
	return c->addr_check(c->addr_ctx, iova, len);
}

bool
netdma_chan_addr_win(void *handle, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo,
		     netdma_iova_t *hi)
{
	struct netdma_chan *c = handle;
	const struct rte_memseg_list *msl;

	if (unlikely(touches_reseed(c, iova, len)))
		return false;
	if (c->addr_win != NULL) {
		if (!c->addr_win(c->addr_ctx, iova, len, lo, hi))
			return false;
	} else if (likely(c->addr_check == netdma_dpdk_range_ok) && iova_is_va()) {
		if (!in_dpdk_memory(iova, len))
			return false;
		/* the whole list: one VA reservation, every part of it passes the same test */
		msl = msl_of((const void *)(uintptr_t)iova);
		*lo = (uintptr_t)msl->base_va;
		*hi = (uintptr_t)msl->base_va + msl->len;
	} else {
		if (!netdma_chan_addr_ok(handle, iova, len))
			return false;
		*lo = iova;
		*hi = iova + len;
	}
	narrow_window(c, iova, lo, hi);
	return true;
}

bool
netdma_chan_desc_internal(void *handle, netdma_iova_t pa)
{
	const struct netdma_chan *c = handle;

	return pa == c->reseed_iova || pa == c->reseed_iova + sizeof(*c->reseed);
}

int
netdma_chan_set_addr_check(struct netdma_chan *c, netdma_addr_check_t fn, void *ctx)
{
	if (!netdma_chan_live(c))
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	c->addr_check = fn != NULL ? fn : netdma_dpdk_range_ok;
	c->addr_win = NULL;
	c->addr_ctx = fn != NULL ? ctx : NULL;
	netdma_checked_block(&c->checked);   /* checked against the old one */
	rte_spinlock_unlock(&c->lock);
	return 0;
}

int
netdma_chan_set_addr_window_check(struct netdma_chan *c, netdma_range_win_t fn, void *ctx)
{
	if (fn == NULL)
		return netdma_chan_set_addr_check(c, NULL, NULL);
	if (!netdma_chan_live(c))
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	c->addr_check = NULL;   /* addr_win answers */
	c->addr_win = fn;
	c->addr_ctx = ctx;
	netdma_checked_block(&c->checked);
	rte_spinlock_unlock(&c->lock);
	return 0;
}


const struct netdma_descriptor *
netdma_desc_fetch_va(void *ctx __rte_unused, netdma_iova_t pa)
{
	return netdma_iova2virt_inline(pa);
}

void
netdma_chan_check_rules(struct netdma_chan *c, struct netdma_check_rules *rules)
{
	memset(rules, 0, sizeof(*rules));
	rules->major_version = c->prov->c.major_version;
	rules->max_transfer_size = c->prov->attr.maximum_transfer_size;
	rules->max_address = c->prov->attr.maximum_address_space;
	rules->range_ok = netdma_chan_addr_ok;
	rules->range_win = netdma_chan_addr_win;   /* one call, not two */
	rules->range_ctx = c;
	rules->fetch = netdma_desc_fetch_va;
	rules->fetch_ctx = c;
	rules->iova_is_va = iova_is_va();
}
