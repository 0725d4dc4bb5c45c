/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Polling: the in-process replacement for interrupts (DESIGN.md "Polling
 * replaces interrupts").  Every channel is owned by one lcore; whoever runs
 * netdma_lcore_poll() for that lcore is the channel's engine and DPC context.
 *
 * Three ways to run it:
 *  - an embedding pipeline calls netdma_lcore_poll(rte_lcore_id()) in its loop;
 *  - netdma_poller_start() launches a backing-off poll loop on a worker lcore;
 *  - netdma_service_register() wraps the poll as an rte_service.
 */
#ifndef NETDMA_LCORE_H
#define NETDMA_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Poll every channel owned by @p lcore_id once and deliver pending DPCs.
 * @return the amount of work done (0 when idle), or -EINVAL.
 */
int netdma_lcore_poll(unsigned int lcore_id);

struct netdma_chan;

/**
 * Poll one channel once, as netdma_lcore_poll() polls each channel of its
 * lcore, and deliver its pending DPC; call it on the channel's owner lcore
 * (netdma_chan_lcore()).  For a caller that decides channel by channel
 * when an engine may run: netdmad's test build steps an engine only when
 * its client asks.  Waits for a call of another thread on the channel.
 * @return the amount of work done (0 when idle), or -EINVAL (NULL).
 */
int netdma_chan_poll(struct netdma_chan *chan);

/** Backoff policy of netdma_poller_start() loops. */
/**
 * Told when a poller parks (@p parked true) and when it wakes, from the
 * poller's own thread.  netdmad mirrors it into its clients' command rings
 * so that a client knows to ring the doorbell (netdma_poller_wake_fd()).
 */
typedef void (*netdma_park_fn_t)(unsigned int lcore_id, bool parked);

struct netdma_poller_conf {
	uint32_t spin_polls;     /**< idle polls before sleeping (default 2000) */
	uint32_t max_sleep_us;   /**< longest idle sleep (default 50) */
	/**
	 * Idle this long, with nothing outstanding on any channel of the lcore,
	 * the poller parks: it blocks on its eventfd until a Start, Append or
	 * other call hands it work, or park_timeout_ms passes.  Default 1000;
	 * UINT32_MAX never parks.
	 */
	uint32_t park_after_us;
	uint32_t park_timeout_ms; /**< a parked poller still looks this often (default 100) */
	netdma_park_fn_t park_fn; /**< optional */
};

/**
 * Launch a poll loop on worker lcore @p lcore_id (rte_eal_remote_launch).
 * Idle loops back off: spin, then sleep 1 µs doubling to max_sleep_us.
 * @return 0, -EINVAL (not a usable worker lcore), -EBUSY (already running).
 */
int netdma_poller_start(unsigned int lcore_id, const struct netdma_poller_conf *conf);

/** What a poll loop runs each turn; @return > 0 when it did work. */
typedef int (*netdma_poll_fn_t)(unsigned int lcore_id);

/**
 * Like netdma_poller_start(), with @p fn instead of netdma_lcore_poll(): an
 * application (netdmad) that has more to do per turn than the engines.
 * @p fn must call netdma_lcore_poll(lcore_id) itself.
 */
int netdma_poller_start_fn(unsigned int lcore_id, const struct netdma_poller_conf *conf,
			   netdma_poll_fn_t fn);

/**
 * The eventfd that wakes @p lcore_id's parked poller: write any 8-byte
 * value.  Calls of this library wake it themselves.  The poller reads it,
 * so it is not to be shared with another process: give such a process a
 * doorbell of its own (netdma_poller_watch_fd()).
 * @return the fd, or -ENOENT (no poller).
 */
int netdma_poller_wake_fd(unsigned int lcore_id);

/**
 * Let writes to @p fd (an eventfd) wake @p lcore_id's parked poller too: a
 * doorbell of its own for each party that hands the poller work some other
 * way than this library's calls (netdmad's client channels).  The poller
 * never reads @p fd, so whoever shares it can neither steal another
 * party's wake-up nor block the poller.  Remove it with
 * netdma_poller_unwatch_fd() before closing it: the watch lasts as long as
 * any process holds the file open.
 * @return 0, -ENOENT (no poller was ever started on the lcore), -errno.
 */
int netdma_poller_watch_fd(unsigned int lcore_id, int fd);

/** Undo netdma_poller_watch_fd(). @return 0, -ENOENT, -errno. */
int netdma_poller_unwatch_fd(unsigned int lcore_id, int fd);

/** Parks and wake-ups of @p lcore_id's poller so far (telemetry). */
int netdma_poller_park_stats(unsigned int lcore_id, uint64_t *parks, uint64_t *wakeups);

/** Stop the loop on @p lcore_id and wait for it. @return 0 or -ENOENT. */
int netdma_poller_stop(unsigned int lcore_id);

/** Stop every poller started with netdma_poller_start(). */
void netdma_poller_stop_all(void);

/**
 * Register an rte_service that polls the channels owned by @p lcore_id and
 * map it to that lcore if it is a service lcore.
 * @return 0 and the id in @p service_id, or -errno.
 */
int netdma_service_register(unsigned int lcore_id, uint32_t *service_id);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_LCORE_H */
