/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The descriptor processor shared by this project's providers: a software
 * model of an I/OAT channel (spec §9) that walks NetDMA chains and drives a
 * copy backend (a dmadev vchan, or the CPU).
 *
 * It implements, for any backend: chain fetch in 1.x linked and 2.0 counted
 * style (spec §3.4, §3.5), the re-read of the tail on a 1.x Append, in-order
 * retirement (§6.1), the completion word (one release store per poll),
 * NULL and context-change descriptors, SERIALIZE (§13.4: the next descriptor
 * is not fetched until this one and its status are published), page break,
 * Suspend/Resume/Abort/Reset (§3.6–3.8), backend errors ending in HALTED
 * with an error DPC (§6.3), and the ISR/DPC upcalls (§6.2).
 *
 * The engine needs no EAL: memory, the clock and the upcalls into the
 * channel library come from a struct netdma_engine_host given at init, and
 * the completion word and descriptor rules from its struct
 * netdma_engine_conf.  The library's own host is netdma_engine_host_dpdk;
 * the unit tests run the engine over a fake host and backend.
 *
 * Every entry point is called with the library's channel lock held.
 */
#ifndef NETDMA_ENGINE_H
#define NETDMA_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netdma_chain.h"
#include "netdma_checked.h"
#include "netdma_provider.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The smallest power of 2 at least @p v, at most @p cap (a power of 2): ring sizes. */
static inline uint32_t
netdma_pow2_at_least(uint32_t v, uint32_t cap)
{
	uint32_t p = 1;

	while (p < v && p < cap)
		p <<= 1;
	return p;
}

/** A copy backend.  Ops complete in submission order. */
struct netdma_backend_ops {
	/** Enqueue one copy; @return 0, or -ENOSPC when the ring is full. */
	int (*copy)(void *be, netdma_iova_t src, netdma_iova_t dst,
		    uint32_t len, uint64_t flags);
	/** Ring the doorbell for everything enqueued. */
	void (*submit)(void *be);
	/** Free slots for enqueue. */
	uint32_t (*capacity)(void *be);
	/**
	 * @return how many ops finished successfully, in order, up to @p max;
	 * *has_error is set when the op after them failed.
	 */
	uint32_t (*completed)(void *be, uint32_t max, bool *has_error);
	/**
	 * Consume up to @p max finished ops whatever their status (failed ones
	 * included; restarts a halted device).  @return the number consumed.
	 */
	uint32_t (*discard)(void *be, uint32_t max);
	/**
	 * The device's status code of the failed op completed() just reported
	 * (e.g. enum rte_dma_status_code), for the channel's reason; 0 if not
	 * known.  Optional.
	 */
	int (*error_status)(void *be);
	/**
	 * Every op is done when copy() returns (the CPU): the poll retires what
	 * it fed at once.  An asynchronous device is asked for completions once
	 * per poll, before feeding; after feeding only descriptors that need no
	 * op (NULL, context change) retire.
	 */
	bool synchronous;
};

/** No NUMA preference: the host's default placement (SOCKET_ID_ANY in DPDK). */
#define NETDMA_SOCKET_ANY (-1)

/**
 * What the engine asks of whoever runs it.  Every member is required.
 * @p chan is the handle given to netdma_engine_init().
 */
struct netdma_engine_host {
	/**
	 * Zeroed memory of @p size bytes aligned to @p align (a power of 2), or
	 * NULL; on NUMA node @p socket if it can (NETDMA_SOCKET_ANY: anywhere).
	 */
	void *(*zalloc)(size_t size, size_t align, int socket);
	/** Release what zalloc gave. */
	void (*free)(void *p);
	/** A monotonic clock in microseconds (the Suspend drain timeout). */
	uint64_t (*now_us)(void);
	/**
	 * Is @p pa one of the library's own descriptors of @p chan (the
	 * power-up re-seed, spec §7.5), which no range check passes?
	 */
	bool (*desc_internal)(void *chan, netdma_iova_t pa);
	/**
	 * The channel halted (spec §6.3) at descriptor @p bad for reason @p why
	 * (a static string), with the device's status code @p status when a
	 * copy failed (0 otherwise); the completion word already says Halted.
	 * Record the reason and raise the error ISR and DPC (address 0).
	 */
	void (*halted)(void *chan, netdma_iova_t bad, const char *why, int status);
	/**
	 * A descriptor with INTERRUPT_ON_COMPLETION retired at @p pa, and its
	 * completion word is published: ISR then DPC (spec §6.2).
	 */
	void (*interrupt)(void *chan, netdma_iova_t pa);
	/**
	 * A Suspend that answered -EINPROGRESS has ended (spec §3.6): @p status
	 * 0 with @p last, the last descriptor processed (the completion word
	 * already says Suspend), or -ETIMEDOUT when the descriptors being
	 * processed did not complete in time and the channel runs on.  Not
	 * called when an error, Abort or Reset ends the drain first.
	 */
	void (*suspended)(void *chan, int status, netdma_iova_t last);
};

/** Engine settings, fixed at channel allocation. */
struct netdma_engine_conf {
	/**
	 * What every fetched descriptor is checked against, and how it is read:
	 * rules.fetch on a range-checked address, and on the next link, not yet
	 * checked, for a prefetch hint (so it only translates, never reads).
	 * The engine keeps its own window cache: rules.cache is ignored.
	 */
	struct netdma_check_rules rules;
	/**
	 * IOVA = VA: a descriptor is read at its IOVA, without calling
	 * rules.fetch (two calls a descriptor saved on the fast path).
	 */
	bool iova_is_va;
	volatile uint64_t *cw;      /**< the completion word (spec §6.1) */
	/**
	 * Chains as the consumer's call checked them (netdma_checked.h), taken
	 * instead of reading and checking a descriptor again; NULL: none.
	 */
	struct netdma_checked_fifo *checked;
	uint32_t ring_size;         /**< max descriptors in flight (power of 2) */
	uint32_t burst;             /**< max descriptors fetched per poll */
	/**
	 * Bytes fed to the backend per poll: once the descriptors fed in one
	 * poll reach it, the rest waits for the next poll (at least one
	 * descriptor is always fed).  For synchronous backends (the CPU), which
	 * copy at enqueue on the polling lcore, so that one channel's large
	 * descriptors do not hold up every other channel of that lcore.
	 * 0: no limit (asynchronous hardware).
	 */
	uint64_t poll_byte_budget;
	/**
	 * Bytes with the backend at once, at most (at least one descriptor).
	 * What a Suspend must wait for, since the descriptors being processed
	 * complete first (spec §3.6): a bound keeps that wait short on an
	 * lcore other channels share.  0: no limit.
	 */
	uint64_t max_inflight_bytes;
	/**
	 * The NUMA node of the in-flight ring: the device's, whose completions
	 * the poll reads it beside.  0 is node 0: NETDMA_SOCKET_ANY for no
	 * preference.
	 */
	int socket;
};

enum netdma_engine_state {
	NETDMA_ENG_STOPPED,     /**< allocated, or halted: needs Start */
	NETDMA_ENG_RUNNING,
	NETDMA_ENG_SUSPENDED,
};

struct netdma_engine_inflight {
	netdma_iova_t pa;
	uint32_t control_flags;
	uint32_t bytes;
	uint8_t nops;           /**< backend ops of this descriptor (0 for NULL) */
};

struct netdma_engine {
	const struct netdma_backend_ops *ops;
	void *be;
	const struct netdma_engine_host *host;
	void *chan_handle;              /**< passed to the host's callbacks */
	volatile uint64_t *cw;          /**< completion word */
	struct netdma_check_rules rules;
	bool iova_is_va;                /**< netdma_engine_conf.iova_is_va */
	struct netdma_range_cache range_cache;  /**< emptied at every feed */
	struct netdma_checked_fifo *checked;    /**< netdma_engine_conf.checked */
	uint32_t burst;
	uint64_t poll_byte_budget;      /**< 0: no limit */
	uint64_t max_inflight_bytes;    /**< 0: no limit */
	uint64_t inflight_bytes;        /**< of the descriptors between head and tail */
	enum netdma_engine_state state;

	/* where the chain continues */
	netdma_iova_t next_pa;          /**< next descriptor to fetch (0: none) */
	netdma_iova_t tail_pa;          /**< last fetched descriptor */
	uint32_t remaining;             /**< 2.0: descriptors left to fetch */
	uint32_t seg_left;              /**< 2.0: ... of the Start/Append being fetched */
	bool reread_tail;               /**< 1.x: Append while on the tail */
	bool serialize_wait;            /**< SERIALIZE: hold fetch until drained */
	bool fence_next;
	bool halting;                   /**< bad descriptor met: halt once drained */
	bool suspending;                /**< Suspend waits for the backend (spec §3.6) */
	uint64_t suspend_deadline_us;   /**< ... until then, or the channel runs on */
	/**
	 * Nothing of the chain given to the last Start has been fetched: a
	 * Resume continues at its head, not after the old chain's last
	 * descriptor (spec §3.4: the rest of the old chain is abandoned).
	 */
	bool at_new_head;
	netdma_iova_t halt_pa;
	const char *halt_why;
	uint8_t dca_target;             /**< last context-change target */
	bool internal_chain;            /**< the library's re-seed chain (spec §7.5) */
	/**
	 * 1.x: descriptors still allowed before the chain counts as cyclic.
	 * NETDMA_CHAIN_MAX at Start, NETDMA_CHAIN_MAX more at each Append and
	 * Resume (each may legitimately bring that many), so a chain nobody
	 * walked for loops (a channel checked only as the engine fetches, as
	 * netdmad's are) cannot run forever.
	 */
	uint32_t fetch_budget;

	/* descriptors with the backend, oldest first */
	struct netdma_engine_inflight *ring;
	uint32_t ring_mask;
	uint32_t head, tail;            /**< free-running indexes */
	uint32_t head_ops_done;         /**< ops of ring[head] already completed */
	uint32_t pending_ops;           /**< ops with the backend, not yet completed */
	uint32_t zombie_ops;            /**< aborted ops still owned by the backend */
	/**
	 * pending_ops when the backend last had no room (0: it had): nothing
	 * is fed until fewer are pending.
	 */
	uint32_t starved_pending;

	netdma_iova_t last_retired;     /**< 0: none since Start/Reset */
	uint64_t descriptors_retired;
	uint64_t bytes_copied;

	/*
	 * 2.0: the Appends after the one being fetched (seg_left), oldest
	 * first: when the engine reaches one, the link it is at must be that
	 * Append's head (netdma_prelink_check()), for a chain nobody walked at
	 * the call.  Past NETDMA_ENGINE_APPENDS waiting Appends the counts merge
	 * into the last one, whose head alone is checked.  Cold, and a
	 * kilobyte: last, after the fields every descriptor touches.
	 */
#define NETDMA_ENGINE_APPENDS 64
	struct {
		netdma_iova_t head;
		uint32_t count;
	} appends[NETDMA_ENGINE_APPENDS];
	uint32_t appends_first, appends_nb;
};

/**
 * Prepare @p eng: the in-flight ring comes from host->zalloc, on conf->socket.
 * @param chan_handle given back to every callback of @p host.
 * @return 0, or -ENOMEM.
 */
int netdma_engine_init(struct netdma_engine *eng, const struct netdma_engine_conf *conf,
		       const struct netdma_engine_host *host,
		       const struct netdma_backend_ops *ops, void *be, void *chan_handle);
/** Give the ring back to the host. */
void netdma_engine_fini(struct netdma_engine *eng);

/* The provider callbacks, ready to be called by a provider's own. */
int netdma_engine_start(struct netdma_engine *eng, netdma_iova_t pa, uint32_t count);
int netdma_engine_append(struct netdma_engine *eng, netdma_iova_t pa, uint32_t count);
int netdma_engine_suspend(struct netdma_engine *eng, netdma_iova_t *last);
int netdma_engine_resume(struct netdma_engine *eng);
int netdma_engine_abort(struct netdma_engine *eng);
int netdma_engine_reset(struct netdma_engine *eng);
int netdma_engine_poll(struct netdma_engine *eng);
int netdma_engine_query(struct netdma_engine *eng, struct netdma_chan_progress *p);

/* ---- the library's host (lib/netdma, with EAL) ---------------------------- */

/**
 * rte_zmalloc_socket memory (on any node when the one asked for has none
 * free), the timer cycles, and the channel library's upcalls:
 * netdma_chan_desc_internal(), netdma_chan_set_error() with netdma_isr() and
 * netdma_interrupt_dpc().  @p chan is a channel handle.
 */
extern const struct netdma_engine_host netdma_engine_host_dpdk;

/**
 * Fill @p conf's rules (the provider's version and limits, the channel's
 * address validator, IOVA translation) and completion word from channel
 * handle @p chan_handle; the caller sets the rest.
 */
void netdma_engine_conf_from_chan(struct netdma_engine_conf *conf, void *chan_handle);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_ENGINE_H */
