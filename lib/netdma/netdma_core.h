/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The channel core: every NetDMA rule about a channel that does not move
 * bytes, written once and called from the three places a channel lives
 * (the in-process library, the client library, netdmad through the
 * library).  Pure: no EAL, no locks, no allocation; the caller serialises
 * calls on one core.
 *
 * It owns:
 *  - the state machine of spec §8 as a table, driven by one transition
 *    function (netdma_core_event()) for consumer calls and engine events
 *    alike, which logs every change "old -> new";
 *  - the Start/Append argument and chain checks (spec §3.4, §3.5, §4.1,
 *    §5.1) and the 2.0 pre-link rule (spec §3.5, §13 rule 6);
 *  - the reason string of the last refusal;
 *  - the completion-word set no descriptor may touch (struct netdma_cw_set).
 */
#ifndef NETDMA_CORE_H
#define NETDMA_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "netdma.h"
#include "netdma_chain.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What netdma_state_next() returns for Free: the channel is gone. */
#define NETDMA_CHAN_FREED NETDMA_CHAN_STATE_MAX

/**
 * What moves a channel: the consumer's calls (the first NETDMA_OP_MAX
 * values) and what happens to it underneath.
 */
enum netdma_chan_event {
	NETDMA_OP_START = 0,
	NETDMA_OP_APPEND,
	NETDMA_OP_SUSPEND,
	NETDMA_OP_RESUME,
	NETDMA_OP_ABORT,
	NETDMA_OP_RESET,
	NETDMA_OP_FREE,
	NETDMA_EV_DRAINED,        /**< a Suspend's descriptors completed (spec §3.6) */
	NETDMA_EV_DRAIN_TIMEOUT,  /**< they did not in time: the channel runs on */
	NETDMA_EV_ERROR,          /**< the engine halted on an error (spec §6.3) */
	NETDMA_EV_REVOKE,         /**< the provider stopped (spec §2.4) */
	NETDMA_EV_POWER_UP,       /**< re-seeded after power-up (spec §7.5) */
	NETDMA_EV_MAX,
};
/** The consumer's calls: the events a consumer may cause. */
#define NETDMA_OP_MAX (NETDMA_OP_FREE + 1)

/**
 * The state after @p ev in state @p state.
 * @return the new enum netdma_chan_state (NETDMA_CHAN_FREED for Free),
 *   -EPERM if spec §8 forbids it in that state, -ENODEV on a revoked
 *   channel (except Free), -EINVAL for out-of-range arguments.
 */
int netdma_state_next(int state, enum netdma_chan_event ev);

/** "start", "drained", ...; "?" out of range. */
const char *netdma_event_name(enum netdma_chan_event ev);

/** Length of a channel's reason string, terminator included. */
#define NETDMA_CORE_ERR_LEN 160

/** Told of every state change (for logs, and for netdmad to publish it). */
typedef void (*netdma_core_state_cb_t)(void *arg, int old_state, int new_state,
				       enum netdma_chan_event ev);

/** One channel's core. Zero it, then netdma_core_init(). */
struct netdma_chan_core {
	int state;                  /**< enum netdma_chan_state */
	uint8_t major_version;      /**< the provider's: chain style (spec §1) */
	/**
	 * Chains are not walked at the call: only the head is checked here and
	 * the engine checks each descriptor it fetches (netdmad: no client's
	 * chain is walked on a shared poller).
	 */
	bool check_at_fetch;
	/** The engine lost the old tail (power-up re-seed): the next Append starts. */
	bool restart_on_append;
	/**
	 * Appends taken while suspended with restart_on_append: the engine
	 * must not run them before Resume, which starts them (deferred_head,
	 * deferred_count: the first one's head, the counts of all).
	 */
	bool deferred;
	netdma_iova_t deferred_head;
	uint32_t deferred_count;
	/** 2.0: the slot the next Append must start at; 0 when unknown. */
	netdma_iova_t prelink;
	netdma_core_state_cb_t on_state;
	void *on_state_arg;
	char last_error[NETDMA_CORE_ERR_LEN];
};

/** A new channel's core: ALLOCATED, chains of @p major_version style. */
void netdma_core_init(struct netdma_chan_core *k, uint8_t major_version,
		      netdma_core_state_cb_t on_state, void *arg);

/** Record why the last call failed (printf format); also returns @p err. */
int netdma_core_fail(struct netdma_chan_core *k, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Would @p ev be taken in the current state?  On a refusal the reason is
 * recorded.  @return the state it leads to, or -errno as netdma_state_next().
 */
int netdma_core_allows(struct netdma_chan_core *k, enum netdma_chan_event ev);

/**
 * The one transition function: take @p ev, tell on_state of a change.
 * What a state change implies for the chain is done here too: entering
 * HALTED or ALLOCATED forgets the pre-link and a pending re-seed (spec §8
 * rule 3: a Start comes next); power-up sets restart_on_append.
 * @return the new state, or -errno (state unchanged, reason recorded).
 */
int netdma_core_event(struct netdma_chan_core *k, enum netdma_chan_event ev);

/**
 * Check a Start or Append before any of it reaches an engine: the state
 * first (spec §8), then the head (@p head_va non-NULL and 64-byte aligned,
 * @p head its IOVA or NETDMA_BAD_IOVA), then the chain under @p rules
 * (whole, or only the head with check_at_fetch), then the 2.0 pre-link.
 * @param[out] prelink 2.0: where this chain's last descriptor points (the
 *   next Append's head); 0 when not walked.
 * @return 0, or -EPERM/-ENODEV (state), -EINVAL, -E2BIG, -ERANGE, -ELOOP,
 *   -EFAULT (see netdma_chain_check()), with the reason recorded.
 */
int netdma_core_check_submit(struct netdma_chan_core *k, enum netdma_chan_event op,
			     const void *head_va, netdma_iova_t head, uint32_t count,
			     const struct netdma_check_rules *rules, netdma_iova_t *prelink);

/** Where a checked Start/Append goes. */
enum netdma_submit_route {
	NETDMA_ROUTE_APPEND,   /**< the provider's append_dma */
	NETDMA_ROUTE_START,    /**< its start_dma: a Start, or the first Append after a re-seed */
	NETDMA_ROUTE_DEFER,    /**< held for Resume (suspended after a re-seed) */
};

/** The route of @p op now (spec §3.4, §3.5, §7.5). */
enum netdma_submit_route netdma_core_route(const struct netdma_chan_core *k,
					   enum netdma_chan_event op);

/**
 * Resume of a channel that holds deferred Appends: take them (the caller
 * starts the engine there instead of resuming it).  @return false if none.
 */
bool netdma_core_take_deferred(struct netdma_chan_core *k, netdma_iova_t *head,
			       uint32_t *count);

/**
 * The engine took (or, NETDMA_ROUTE_DEFER, the core holds) a Start/Append
 * of @p count descriptors at @p head checked by netdma_core_check_submit():
 * the transition, and @p prelink remembered for the next Append.
 */
void netdma_core_submitted(struct netdma_chan_core *k, enum netdma_chan_event op,
			   netdma_iova_t head, uint32_t count, netdma_iova_t prelink);

/**
 * Completion words: no descriptor may read or write one (the engine
 * writes them).  Sorted, so that a check is a binary search; readers may
 * look at it lock-free under a seqlock (nb is checked against max).
 */
struct netdma_cw_set {
	uint64_t *iova;     /**< max entries, owned by the caller */
	uint32_t nb;
	uint32_t max;
};

/** @return 0, -ENOSPC when full. */
int netdma_cw_set_add(struct netdma_cw_set *s, uint64_t iova);
/** @return 0, -ENOENT when absent. */
int netdma_cw_set_del(struct netdma_cw_set *s, uint64_t iova);
/**
 * Does [iova, iova+len) stay clear of every word?  If so, narrow the
 * window [*lo, *hi) (which holds the range) to the words on either side,
 * so that every range inside it gets the same answer.
 */
bool netdma_cw_set_clip(const struct netdma_cw_set *s, uint64_t iova, uint64_t len,
			uint64_t *lo, uint64_t *hi);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_CORE_H */
