/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * netdma consumer API: what an application uses to move bytes through
 * NetDMA channels.
 *
 *     application ──► netdma_chan_* ──► channel (state machine, spec §8)
 *                                          │ provider callbacks (spec §3)
 *                                          ▼
 *                     provider (drivers/cpu, drivers/dmadev) ──► engine
 *                                          │ completion word + DPC
 *     owner lcore: netdma_lcore_poll() ◄───┘
 *
 * Call order: netdma_provider_list() → netdma_chan_alloc() →
 * netdma_chan_start() → netdma_chan_append()* → ... → netdma_chan_free().
 * Descriptors are struct netdma_descriptor chains in DMA-visible memory
 * (netdma_mem_alloc()); addresses inside them are IOVAs (netdma_virt2iova()).
 *
 * Chains follow the provider's version (spec §1): 1.x providers walk
 * NULL-terminated lists and ignore the count; 2.0 providers take exactly
 * `count` descriptors and the last one's next_descriptor pre-links the head
 * of the next Append.
 *
 * Progress is reported through the channel's completion word (spec §6.1):
 * read it with netdma_completion_read().  The optional interrupt callback
 * runs on the channel's owning lcore (spec §6.2).
 *
 * Errors: every int function returns 0 (or a count) on success and -errno on
 * failure, changing nothing on failure:
 *   -EINVAL  malformed argument or descriptor (see netdma_chan_last_error())
 *   -ERANGE  zero or over-maximum transfer size
 *   -ELOOP   a 1.x chain that never ends (cycle)
 *   -E2BIG   a chain longer than NETDMA_CHAIN_MAX
 *   -EFAULT  an address outside the caller's DMA-visible memory
 *   -EPERM   the call is not allowed in the channel's state (spec §8)
 *   -EBUSY   work is still outstanding (Free, Deregister)
 *   -ENOTSUP the provider does not implement an optional operation
 *   -EAGAIN  the provider is powered down; retry after power-up
 *   -ENODEV  no such provider, provider not started, or channel revoked
 *
 * MT-safety: a channel serves one client (spec rule 13); its calls may come
 * from any thread and are serialised by the library.
 *
 * Handles: a call with a NULL or freed channel returns -EINVAL (a string
 * function: "no channel ...") and touches nothing; one whose provider was
 * stopped returns -ENODEV (only Free works).  Freed channel memory is never
 * returned to the heap but kept for reuse, oldest first, so a stale handle
 * finds a dead channel rather than freed memory.  Limit (ABA): once that
 * memory is reused by a later netdma_chan_alloc(), the stale handle names
 * the new channel and its calls act on it; handles must not be used after
 * Free.  A pointer that never was a channel is undefined behaviour.
 *
 * This header uses libc types only: the daemon client library implements
 * the same API.
 */
#ifndef NETDMA_H
#define NETDMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netdma_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest chain accepted by one Start/Append/Resume. */
#define NETDMA_CHAIN_MAX (1u << 20)
/** Returned by netdma_virt2iova() for memory the engines cannot reach. */
#define NETDMA_BAD_IOVA UINT64_MAX
#define NETDMA_NAME_MAX 64

struct netdma_chan;

/**
 * Interrupt-on-completion callback (the "DPC", spec §2.6, §6.2).
 * @param last_completed IOVA of the last retired descriptor that asked for an
 *   interrupt (a watermark: everything before it has retired too), or 0 when
 *   the channel halted on an error.
 */
typedef void (*netdma_intr_cb_t)(struct netdma_chan *chan,
				 netdma_iova_t last_completed, void *arg);

/** What a consumer may know about a provider. */
struct netdma_provider_info {
	uint32_t id;                     /**< argument of netdma_chan_alloc() */
	char name[NETDMA_NAME_MAX];      /**< friendly name */
	uint8_t major_version;           /**< provider NetDMA version */
	uint8_t minor_version;
	bool started;                    /**< netdma_provider_start() done */
	bool powered_down;
	uint32_t flags;                  /**< NETDMA_PROVIDER_CHARACTERISTICS_* */
	uint32_t channel_count;          /**< actual channels (attributes) */
	uint32_t channels_in_use;
	uint32_t maximum_transfer_size;
	uint64_t maximum_address_space;
};

/**
 * List the registered providers.
 * @return the number of providers registered (may exceed @p max; only
 *   min(max, return) entries are written).
 */
int netdma_provider_list(struct netdma_provider_info *infos, unsigned int max);

/** @return the id of the provider named @p name, or -ENOENT. */
int netdma_provider_find(const char *name);

/** Channel allocation request (maps onto spec §4.3 channel parameters). */
struct netdma_chan_conf {
	/** Lcores allowed to own the channel: bit n = lcore 64*group+n; 0 = any. */
	uint64_t lcore_mask;
	uint16_t lcore_group;
	uint32_t priority;               /**< clamped by the provider */
	/** Completion word: 8-byte aligned, DMA-visible (required). */
	volatile uint64_t *completion_word;
	netdma_intr_cb_t intr_cb;        /**< optional */
	void *intr_arg;
};

/**
 * Allocate a channel (spec §3.2).  The completion word is set to ARMED.
 * @param[out] chan the channel; netdma_chan_lcore() tells its owner lcore.
 * @return 0; -EINVAL (NULL argument, misaligned completion word, an lcore
 *   mask that allows no enabled lcore); -EFAULT (completion word not in
 *   DMA-visible memory); -ENODEV (no such provider, or not started);
 *   -EAGAIN (provider powered down); -ENOSPC (no free channel); -ENOMEM;
 *   -EDQUOT (through netdmad: a quota; netdma_client_last_error() says which).
 */
int netdma_chan_alloc(uint32_t provider_id, const struct netdma_chan_conf *conf,
		      struct netdma_chan **chan);

/** The lcore that owns the channel (spec CpuNumber), or -EINVAL for a bad handle. */
int netdma_chan_lcore(const struct netdma_chan *chan);

/**
 * NetDMA version of the channel's provider, as major<<8 | minor (still
 * answered once the provider is stopped), or -EINVAL for a bad handle.
 */
int netdma_chan_version(const struct netdma_chan *chan);

/**
 * Start a chain (spec §3.4, rule 5).  On a running channel the descriptors
 * already with the engine finish and the rest of the old chain is dropped.
 * The whole chain is checked first; a bad chain returns an error and nothing
 * is handed to the engine.  @p count is ignored by 1.x providers and must be
 * >= 1 for 2.0 providers.
 */
int netdma_chan_start(struct netdma_chan *chan, struct netdma_descriptor *head,
		      uint32_t count);

/**
 * Append a chain to a started channel (spec §3.5, rule 6).  1.x: patch the
 * old tail's next_descriptor to @p head *before* this call.  2.0: @p head
 * must be the slot the previous chain's last descriptor pre-linked.
 */
int netdma_chan_append(struct netdma_chan *chan, struct netdma_descriptor *head,
		       uint32_t count);

/**
 * Suspend (spec §3.6): descriptors already with the engine complete, the
 * completion word becomes SUSPEND, and @p last receives the IOVA of the last
 * processed descriptor (0 if none since Start).
 */
int netdma_chan_suspend(struct netdma_chan *chan, netdma_iova_t *last);

/** Resume (spec §3.6): re-read the last processed descriptor's next pointer. */
int netdma_chan_resume(struct netdma_chan *chan);

/** Abort (spec §3.7): stop now, report HALTED; Start is required next. */
int netdma_chan_abort(struct netdma_chan *chan);

/** Reset (spec §3.8): Abort and forget every earlier descriptor. */
int netdma_chan_reset(struct netdma_chan *chan);

/**
 * Free the channel (spec §3.3).  -EBUSY while work is outstanding: let it
 * finish, or Abort and poll until the engine has let go of the memory.
 * Outstanding is what an engine could still read or write: descriptors it
 * holds, ops of aborted ones it has not handed back, and in a started
 * channel (running, suspending or suspended) descriptors it has still to
 * fetch - a suspended channel's too, since Resume would fetch them.  A
 * provider Stop (spec §2.4) waits for what the engine holds, then frees
 * the channel; a suspended channel's unfetched descriptors are abandoned.
 */
int netdma_chan_free(struct netdma_chan *chan);

/** Channel counters. */
struct netdma_chan_stats {
	uint64_t starts;
	uint64_t appends;
	uint64_t descriptors_retired;
	uint64_t bytes_copied;
	uint64_t interrupts;          /**< DPCs delivered */
	uint64_t errors;              /**< halts caused by errors */
	uint32_t outstanding;         /**< descriptors with the engine */
	uint64_t completion_word;     /**< current value */
	int state;                    /**< enum netdma_chan_state */
};

int netdma_chan_stats_get(const struct netdma_chan *chan, struct netdma_chan_stats *st);

/** Human-readable reason of the channel's last failure ("" if none). */
const char *netdma_chan_last_error(const struct netdma_chan *chan);

/** Channel states of spec §8. */
enum netdma_chan_state {
	NETDMA_CHAN_ALLOCATED = 0,
	NETDMA_CHAN_RUNNING,
	NETDMA_CHAN_SUSPENDED,
	NETDMA_CHAN_HALTED,
	NETDMA_CHAN_REVOKED,   /**< its provider stopped; only Free is valid */
	/**
	 * Between a Suspend and the end of the descriptors the engine was
	 * processing (spec §3.6): the channel fetches nothing new; Abort,
	 * Reset and Free are accepted, and the suspend completes on a poll.
	 */
	NETDMA_CHAN_SUSPENDING,
	NETDMA_CHAN_STATE_MAX,
};

const char *netdma_chan_state_name(int state);

/** Allocate zeroed DMA-visible memory (64-byte aligned at least). */
void *netdma_mem_alloc(size_t size, size_t align);
void netdma_mem_free(void *ptr);

/** IOVA of @p va, or NETDMA_BAD_IOVA if no engine can reach it. */
netdma_iova_t netdma_virt2iova(const void *va);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_H */
