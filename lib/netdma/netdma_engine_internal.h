/* SPDX-License-Identifier: BSD-3-Clause */
/* What the engine's two halves (netdma_engine.c, netdma_engine_fetch.c) share. */
#ifndef NETDMA_ENGINE_INTERNAL_H
#define NETDMA_ENGINE_INTERNAL_H

#include "netdma_engine.h"

#define ENG_LIKELY(x) __builtin_expect(!!(x), 1)
#define ENG_MIN(a, b) ((a) < (b) ? (a) : (b))

/* spec §11: one 64-bit release store, after the data it reports */
static inline void
netdma_engine_publish(struct netdma_engine *eng, netdma_iova_t pa, enum netdma_transfer_status st)
{
	__atomic_store_n(eng->cw, netdma_completion_encode(pa, st), __ATOMIC_RELEASE);
}

/* 1.x: an Append met the tail already fetched; its re-read is work to come too */
static inline bool
netdma_engine_more_to_fetch(const struct netdma_engine *eng)
{
	return eng->rules.major_version >= 2 ? eng->remaining > 0 :
		eng->next_pa != 0 || eng->reread_tail;
}

/* One more chain's worth of 1.x fetches (Append, Resume); saturates. */
static inline void
netdma_engine_budget_add(struct netdma_engine *eng)
{
	eng->fetch_budget = eng->fetch_budget > UINT32_MAX - NETDMA_CHAIN_MAX ? UINT32_MAX :
		eng->fetch_budget + NETDMA_CHAIN_MAX;
}

/* Fetch nothing more: the chain's continuation is forgotten. */
void netdma_engine_stop_fetching(struct netdma_engine *eng);
/* spec §6.3, §11: error → Halted, error DPC (address 0), Start required. */
void netdma_engine_halt_on_error(struct netdma_engine *eng, netdma_iova_t bad, const char *why,
				 int status);
/* A descriptor failed its check at fetch: halt once the backend has let go. */
void netdma_engine_halt_at_fetch(struct netdma_engine *eng, netdma_iova_t bad, const char *why);
/* The link of a descriptor fetched earlier, its memory checked again; 0 when halting. */
netdma_iova_t netdma_engine_reread_link(struct netdma_engine *eng, netdma_iova_t pa);
/* Fetch and hand to the backend what the chain has ready; @return descriptors fed. */
uint32_t netdma_engine_feed(struct netdma_engine *eng);

#endif /* NETDMA_ENGINE_INTERNAL_H */
