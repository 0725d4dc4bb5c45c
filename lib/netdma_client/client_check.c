/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chains (1.x and 2.0) are checked here, in the client's own process, before they are
 * posted: the same pure checks the library runs in-process (netdma_chain.c,
 * spec §3.4, §3.5, §4.1, §5.1), against this client's own memory: its data
 * regions, never a command ring, never a completion word.  netdmad then
 * leaves the chain unwalked at Start/Append (netdma_chan_set_check_at_fetch)
 * and checks each descriptor as its engine fetches it.  This check gives the
 * caller its error at the call; the daemon's keeps the daemon safe from a
 * client that skips this one.  Each side walks the chain once, on its own
 * CPU, instead of the poller walking it twice.
 *
 * The address check is on every descriptor and both its buffers, so its
 * common case is a per-thread window from the last answer, valid while the
 * generation stands (bumped whenever a completion word or a region goes).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client_internal.h"

#define MAX_CWS 1024   /* the daemon's limit per client */

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t cw_iovas[MAX_CWS];
static struct netdma_cw_set cws = { .iova = cw_iovas, .max = MAX_CWS };
static uint32_t generation;     /* windows computed under an older one are void */
static bool local_check = true;

/* windows of this thread's last checks (netdma_range_cache), and their generation */
static __thread struct netdma_range_cache cache;
static __thread uint32_t cache_gen = UINT32_MAX;

void
netdma_client_set_local_check(bool enable)
{
	__atomic_store_n(&local_check, enable, __ATOMIC_RELAXED);
}

static void
bump_generation(void)
{
	__atomic_store_n(&generation, generation + 1, __ATOMIC_RELEASE);
}

int
netdma_cl_cw_add(netdma_iova_t iova)
{
	int ret;

	pthread_mutex_lock(&check_lock);
	ret = netdma_cw_set_add(&cws, iova);
	if (ret == 0)
		bump_generation();
	pthread_mutex_unlock(&check_lock);
	return ret;
}

void
netdma_cl_cw_del(netdma_iova_t iova)
{
	pthread_mutex_lock(&check_lock);
	netdma_cw_set_del(&cws, iova);
	bump_generation();
	pthread_mutex_unlock(&check_lock);
}

void
netdma_cl_check_regions_changed(void)
{
	pthread_mutex_lock(&check_lock);
	bump_generation();
	pthread_mutex_unlock(&check_lock);
}

void
netdma_cl_check_forget_all(void)
{
	pthread_mutex_lock(&check_lock);
	cws.nb = 0;   /* the daemon dropped every channel with the connection */
	bump_generation();
	pthread_mutex_unlock(&check_lock);
}

/* The data region holding [iova, iova+len), by IOVA. */
static struct client_region *
data_region_of_iova(netdma_iova_t iova, uint64_t len)
{
	struct client_region *r;

	for (r = __atomic_load_n(&netdma_cl_state.regions, __ATOMIC_ACQUIRE); r != NULL; r = r->next)
		if (r->kind == NETDMA_REGION_DATA && iova >= r->iova && len <= r->size &&
		    iova - r->iova <= r->size - len)
			return r;
	return NULL;
}

/* Slow path, under check_lock: the region narrowed to the words around iova. */
static bool
window_of(netdma_iova_t iova, uint64_t len, uint64_t *lo, uint64_t *hi)
{
	struct client_region *r = data_region_of_iova(iova, len);

	if (r == NULL)
		return false;
	*lo = r->iova;
	*hi = r->iova + r->size;
	return netdma_cw_set_clip(&cws, iova, len, lo, hi);
}

/* The validator's slow path (netdma_range_win_t): the chain check caches its windows. */
static bool
range_win(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo, netdma_iova_t *hi)
{
	bool ok;

	(void)ctx;
	pthread_mutex_lock(&check_lock);
	ok = window_of(iova, len, lo, hi);
	pthread_mutex_unlock(&check_lock);
	return ok;
}

/* range_win() has already placed [pa, pa+64) in a data region. */
static const struct netdma_descriptor *
fetch(void *ctx, netdma_iova_t pa)
{
	static __thread const struct client_region *last;
	static __thread uint32_t last_gen;
	uint32_t gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
	const struct client_region *r = last;

	(void)ctx;
	if (r == NULL || last_gen != gen || pa < r->iova ||
	    pa - r->iova > r->size - sizeof(struct netdma_descriptor)) {
		r = data_region_of_iova(pa, sizeof(struct netdma_descriptor));
		if (r == NULL)
			return NULL;
		last = r;        /* until a region goes (the generation moves) */
		last_gen = gen;
	}
	return (const struct netdma_descriptor *)(const void *)((const char *)r->base + (pa - r->iova));
}

int
netdma_cl_chain_check(struct netdma_chan_core *k, const struct client_chain_rules *cr,
		      enum netdma_chan_event op, const void *head_va, netdma_iova_t head, uint32_t count,
		      netdma_iova_t *prelink)
{
	struct netdma_check_rules rules = {
		.major_version = k->major_version,
		.max_transfer_size = cr->max_transfer_size,
		.max_address = cr->max_address,
		.range_win = range_win,
		.cache = &cache,
		.fetch = fetch,
	};
	uint32_t gen;
	int ret;

	if (!__atomic_load_n(&local_check, __ATOMIC_RELAXED)) {
		/*
		 * Only the daemon checks memory and chains; what is left here is
		 * what cannot be posted at all (no head, one this process cannot
		 * name), in the order the core gives.
		 */
		struct netdma_check_rules any = { .major_version = k->major_version };
		bool at_fetch = k->check_at_fetch;

		k->check_at_fetch = true;
		ret = head == NETDMA_BAD_IOVA || head_va == NULL ?
			netdma_core_check_submit(k, op, head_va, head, count, &any, prelink) : 0;
		k->check_at_fetch = at_fetch;
		*prelink = 0;
		return ret;
	}
	/*
	 * Windows outlive the call while no completion word or region changes;
	 * a change during the walk voids its answer: walk again.
	 */
	do {
		gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
		if (cache_gen != gen) {
			netdma_range_cache_reset(&cache);
			cache_gen = gen;
		}
		ret = netdma_core_check_submit(k, op, head_va, head, count, &rules, prelink);
	} while (ret >= 0 && __atomic_load_n(&generation, __ATOMIC_ACQUIRE) != gen);
	return ret;
}
