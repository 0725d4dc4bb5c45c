/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Checked descriptors: what the Start/Append check of an in-process
 * channel found, kept for the engine's fetch so that a descriptor is read
 * and checked once (netdma_chain_check() writes, netdma_engine reads).
 *
 * The engine takes an entry only when it is at the entry's address in
 * order; otherwise, and whenever the consumer may have changed what was
 * checked (edits while suspended, spec §3.6; another address validator;
 * check at fetch switched on), it reads and checks the descriptor itself,
 * as it does for a service's channels, whose consumers may rewrite their
 * descriptors after any check.  A 1.x tail's link is read again when the
 * engine gets there (spec §3.5, §8 rule 5).
 *
 * Both sides run under the channel lock.  No EAL here.
 */
#ifndef NETDMA_CHECKED_H
#define NETDMA_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

#include "netdma_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One descriptor as checked (one segment: a page-break split is fetched again). */
struct netdma_checked_desc {
	netdma_iova_t pa;               /**< where it is */
	netdma_iova_t next;             /**< its next_descriptor */
	netdma_iova_t src, dst;         /**< COPY */
	uint32_t len;                   /**< COPY: transfer_size */
	uint32_t control_flags;
	uint8_t kind;                   /**< enum netdma_desc_kind, or NETDMA_CHECKED_REFETCH */
	uint8_t dca_context;            /**< CONTEXT_CHANGE: the target */
	uint8_t engine_flags;           /**< netdma_desc_engine_flags(control_flags, false) */
};

/** An entry the engine reads and checks at fetch (more than one segment). */
#define NETDMA_CHECKED_REFETCH 0xff

/**
 * The most entries one channel keeps (48 B each, 12 MiB): a consumer with
 * more descriptors outstanding has the rest checked again at fetch.
 */
#define NETDMA_CHECKED_MAX (1u << 18)

struct netdma_checked_fifo {
	struct netdma_checked_desc *e;  /**< NULL: nothing kept for this channel */
	uint32_t mask;                  /**< capacity - 1 */
	uint32_t head, tail;            /**< free-running: the engine takes at head */
	/**
	 * The engine may meet descriptors that are not here before the ones
	 * that are: keep nothing new until it has fetched everything it was
	 * given (netdma_engine clears it).
	 */
	bool blocked;
	/**
	 * Kept again after a block, while the engine may still have
	 * descriptors that were not kept ahead of the first entry: until it
	 * reaches that entry, one it meets that is not there is fetched and
	 * checked, and the entries stay.
	 */
	bool gap;
	/** An engine takes entries from here (netdma_engine_init): else keep nothing. */
	bool reader;
};

static inline uint32_t
netdma_checked_used(const struct netdma_checked_fifo *f)
{
	return f->tail - f->head;
}

/** Forget every entry; keep nothing until the engine has caught up. */
static inline void
netdma_checked_block(struct netdma_checked_fifo *f)
{
	f->head = f->tail;
	f->blocked = true;
	f->gap = false;
}

/** Forget every entry (a Start, Abort or Reset: nothing old is fetched again). */
static inline void
netdma_checked_flush(struct netdma_checked_fifo *f)
{
	f->head = f->tail;
	f->blocked = false;
	f->gap = false;
}

/**
 * Keep again after a block, once every entry is gone: what the engine
 * meets first may not be kept (netdma_checked_fifo.gap).
 */
static inline void
netdma_checked_unblock(struct netdma_checked_fifo *f)
{
	if (f->blocked && f->head == f->tail) {
		f->blocked = false;
		f->gap = true;
	}
}

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_CHECKED_H */
