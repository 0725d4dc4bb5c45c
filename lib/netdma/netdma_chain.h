/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Descriptor and chain checking, and the translation of one descriptor into
 * engine copies.  Pure functions with no EAL dependency: the library checks
 * whole chains before a Start/Append/Resume reaches a provider, and the
 * engine re-checks every descriptor it fetches (a consumer may rewrite a
 * chain while the channel is suspended, and the daemon trusts no client).
 */
#ifndef NETDMA_CHAIN_H
#define NETDMA_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "netdma_types.h"

struct netdma_checked_fifo;

#ifdef __cplusplus
extern "C" {
#endif

/** Reads descriptor @p pa (already checked 64-byte aligned); NULL if unreachable. */
typedef const struct netdma_descriptor *(*netdma_desc_fetch_t)(void *ctx, netdma_iova_t pa);
/** Is [iova, iova+len) usable memory? */
typedef bool (*netdma_range_ok_t)(void *ctx, netdma_iova_t iova, uint64_t len);

/**
 * A validator that also says how far its yes reaches: on true, every range
 * inside [*lo, *hi) (which holds [iova, iova+len)) would get a yes too.
 */
typedef bool (*netdma_range_win_t)(void *ctx, netdma_iova_t iova, uint64_t len,
				   netdma_iova_t *lo, netdma_iova_t *hi);

/**
 * The last windows a netdma_range_win_t gave, so that the next descriptors'
 * ranges are checked with two compares instead of a call.  Whoever owns one
 * empties it (netdma_range_cache_reset) at least once per pass over a chain
 * (one Append, one engine poll), so no answer outlives the memory it was
 * about by more than that pass.
 */
#define NETDMA_RANGE_WINDOWS 4
struct netdma_range_cache {
	netdma_iova_t lo[NETDMA_RANGE_WINDOWS], hi[NETDMA_RANGE_WINDOWS];
	unsigned int next;
	unsigned int last;  /**< the window of the last yes: asked first */
	uint64_t gen;   /**< the owner's memory generation the windows hold for */
};

static inline void
netdma_range_cache_reset(struct netdma_range_cache *c)
{
	unsigned int i;

	for (i = 0; i < NETDMA_RANGE_WINDOWS; i++)
		c->lo[i] = c->hi[i] = 0;
	c->next = 0;
	c->last = 0;
}

/** Empty @p c unless its windows were computed under generation @p gen. */
static inline void
netdma_range_cache_sync(struct netdma_range_cache *c, uint64_t gen)
{
	if (c->gen != gen) {
		netdma_range_cache_reset(c);
		c->gen = gen;
	}
}

/** A cached window holding [iova, iova+len), copied to lo and hi; false if none. */
static inline bool
netdma_range_cache_find(struct netdma_range_cache *c, netdma_iova_t iova, uint64_t len,
			netdma_iova_t *lo, netdma_iova_t *hi)
{
	unsigned int i;

	for (i = 0; i < NETDMA_RANGE_WINDOWS; i++)
		if (iova >= c->lo[i] && iova + len <= c->hi[i]) {
			*lo = c->lo[i];
			*hi = c->hi[i];
			c->last = i;
			return true;
		}
	return false;
}

/** Remember window [lo, hi), replacing the oldest. */
static inline void
netdma_range_cache_put(struct netdma_range_cache *c, netdma_iova_t lo, netdma_iova_t hi)
{
	c->lo[c->next] = lo;
	c->hi[c->next] = hi;
	c->last = c->next;
	c->next = (c->next + 1) % NETDMA_RANGE_WINDOWS;
}

/** The rules a descriptor is checked against. */
struct netdma_check_rules {
	uint8_t major_version;          /**< 1 or 2 (spec §1) */
	uint32_t max_transfer_size;     /**< provider attribute */
	uint64_t max_address;           /**< highest reachable address; 0 = no limit */
	netdma_range_ok_t range_ok;     /**< NULL = accept every range */
	void *range_ctx;
	netdma_range_win_t range_win;   /**< used instead of range_ok when set */
	struct netdma_range_cache *cache; /**< windows of range_win; may be NULL */
	netdma_desc_fetch_t fetch;      /**< for chain walking */
	void *fetch_ctx;
	/**
	 * A descriptor is at its IOVA in this process (IOVA as VA): a walk
	 * reads it there without calling fetch, and asks the next ones into
	 * the cache.
	 */
	bool iova_is_va;
	/**
	 * Where netdma_chain_check() keeps what it checked for the engine's
	 * fetch (netdma_checked.h), all of a chain or none of it; NULL: nowhere.
	 */
	struct netdma_checked_fifo *keep;
};

/**
 * Is [iova, iova+len) usable under @p rules (non-zero, no wrap, under
 * max_address, and a yes from the validator or a cached window)?
 */
bool netdma_range_check(const struct netdma_check_rules *rules, netdma_iova_t iova, uint64_t len);

/** Where the bytes of one descriptor go: at most 3 segments (page breaks). */
struct netdma_segment {
	netdma_iova_t src;
	netdma_iova_t dst;
	uint32_t len;
};
#define NETDMA_MAX_SEGMENTS 3

/** Kind of descriptor, after checking. */
enum netdma_desc_kind {
	NETDMA_DESC_COPY,
	NETDMA_DESC_NULL,            /**< NULL_TRANSFER: nothing to move */
	NETDMA_DESC_CONTEXT_CHANGE,  /**< 2.0 DCA context change: nothing to move */
};

/**
 * Check one descriptor (spec §4.1, §5.1).
 * @param reason receives a static explanation on failure (may be NULL).
 * @return the netdma_desc_kind (>= 0), or -EINVAL (reserved bits, 2.0 flags
 *   on a 1.x provider, unknown op type), -ERANGE (zero or over-maximum size,
 *   page break past the second page), -EFAULT (address out of range).
 */
int netdma_desc_check(const struct netdma_descriptor *d,
		      const struct netdma_check_rules *rules, const char **reason);

/**
 * netdma_desc_check() that also returns the copy's segments (0 for NULL and
 * context-change descriptors), so the engine does not split twice.
 */
int netdma_desc_check_split(const struct netdma_descriptor *d,
			    const struct netdma_check_rules *rules, const char **reason,
			    struct netdma_segment segs[NETDMA_MAX_SEGMENTS], unsigned int *nsegs);

/**
 * Split a checked COPY descriptor into engine segments, following the 2.0
 * page-break rule (spec §5.1: continue at next_*_address at the end of the
 * first 4 KB page).  @return the number of segments (1..3).
 */
unsigned int netdma_desc_segments(const struct netdma_descriptor *d,
				  struct netdma_segment segs[NETDMA_MAX_SEGMENTS]);

/**
 * The count of a Start/Append (spec §1, §3.5): ignored by 1.x; 1 to
 * NETDMA_CHAIN_MAX in 2.0.  @return 0, -EINVAL (0) or -E2BIG, with a static
 * @p why.
 */
int netdma_chain_count_check(uint8_t major_version, uint32_t count, const char **why);

/**
 * Check a chain before it is handed to an engine.
 * 1.x: follow next_descriptor from @p head to 0 (count ignored), refusing
 * cycles (-ELOOP) and chains over NETDMA_CHAIN_MAX (-E2BIG).
 * 2.0: exactly @p count descriptors (count 0 → -EINVAL); the last one's
 * next_descriptor must be a non-zero, 64-byte aligned pre-link.
 * @param[out] last IOVA of the chain's last descriptor (may be NULL).
 * @param[out] bad IOVA of the offending descriptor on failure (may be NULL).
 * With rules->keep, each checked descriptor is added there; on failure the
 * caller takes back what this call added.
 * @return the number of descriptors, or -errno (see netdma_desc_check()).
 */
int netdma_chain_check(netdma_iova_t head, uint32_t count,
		       const struct netdma_check_rules *rules,
		       netdma_iova_t *last, netdma_iova_t *bad, const char **reason);

/**
 * The 2.0 pre-link rule (spec §3.5, §13 rule 6): an Append's first
 * descriptor is the slot the previous chain's last one pre-linked.  Checked
 * at the call when the chain was walked, else by the engine when it gets
 * there.  @return 0, or -EINVAL with a static @p why.
 */
int netdma_prelink_check(netdma_iova_t prelink, netdma_iova_t head, const char **why);

/** Engine op flags for a descriptor (DESIGN.md flag mapping, spec §11). */
#define NETDMA_ENGINE_FENCE  (1u << 0) /**< = RTE_DMA_OP_FLAG_FENCE */
#define NETDMA_ENGINE_LLC    (1u << 2) /**< = RTE_DMA_OP_FLAG_LLC */

/**
 * Op flags for the first copy of a descriptor: SERIALIZE on the previous
 * descriptor becomes a fence on this one; DESTINATION_DCA_ENABLE becomes the
 * LLC hint; NO_SNOOP has no dmadev equivalent and is ignored (a hint).
 */
uint64_t netdma_desc_engine_flags(uint32_t control_flags, bool prev_serialize);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_CHAIN_H */
