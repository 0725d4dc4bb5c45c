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
 *
 * Telemetry: the first provider registration of the process registers
 * /netdma/channel/list and /netdma/channel/info,<id> (likewise provider and
 * poller) with rte_telemetry, served on the EAL telemetry socket unless EAL
 * ran with --no-telemetry (doc/telemetry.rst).
 */
#ifndef NETDMA_LCORE_H
#define NETDMA_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Poll every channel owned by @p lcore_id once: run its engine (feed,
 * retire, publish the completion word) and deliver its pending DPC (spec
 * §6.2), outside the channel's lock.  A channel another thread is in a call
 * on is skipped until the next poll.  Call it on @p lcore_id itself, so
 * that DPCs run on the owning lcore; callers on other threads are
 * serialised with it, not refused.
 *
 * @param lcore_id
 *   The lcore whose channels to poll.
 * @return
 *   - >= 0: the work done (0: idle).
 *   - -EINVAL: @p lcore_id is not below RTE_MAX_LCORE.
 */
int netdma_lcore_poll(unsigned int lcore_id);

struct netdma_chan;

/**
 * Poll one channel once, as netdma_lcore_poll() polls each channel of its
 * lcore, and deliver its pending DPC.  For a caller that decides channel by
 * channel when an engine may run (netdmad's test build steps an engine only
 * when its client asks).  Call it on the channel's owner lcore
 * (netdma_chan_lcore()) so that DPCs run there; it waits for a call of
 * another thread on the channel.
 *
 * @param chan
 *   The channel.
 * @return
 *   - >= 0: the work done (0: idle).
 *   - -EINVAL: @p chan is NULL.
 */
int netdma_chan_poll(struct netdma_chan *chan);

/**
 * Told when a poller parks (@p parked true) and when it wakes, from the
 * poller's own thread.  netdmad mirrors it into its clients' command rings
 * so that a client knows to ring the doorbell.
 *
 * @param lcore_id
 *   The poller's lcore.
 * @param parked
 *   true: about to block; false: polling again.
 */
typedef void (*netdma_park_fn_t)(unsigned int lcore_id, bool parked);

/** Backoff policy of netdma_poller_start() loops; 0 in a field: its default. */
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
 * Launch a poll loop of netdma_lcore_poll() on worker lcore @p lcore_id
 * (rte_eal_remote_launch()).  Idle loops back off: spin, then sleep 1 µs
 * doubling to max_sleep_us, then park.  Call from the main lcore.
 *
 * @param lcore_id
 *   An enabled worker lcore, not running anything.
 * @param conf
 *   The backoff policy; NULL: every default.  Copied.
 * @return
 *   - 0: the loop runs.
 *   - -EINVAL: @p lcore_id is the main lcore, not enabled, or out of range.
 *   - -EBUSY: a poller already runs there, or the lcore is busy.
 *   - another -errno: its eventfd or epoll set could not be made, or the
 *     launch failed (-EPIPE).
 */
int netdma_poller_start(unsigned int lcore_id, const struct netdma_poller_conf *conf);

/**
 * The eventfd that wakes @p lcore_id's parked poller: write any 8-byte
 * value.  Calls of this library wake it themselves.  The poller reads it,
 * so it is not to be shared with another process (a service gives each
 * process a doorbell of its own: netdma_poller_watch_fd(), netdma_service.h).
 *
 * @param lcore_id
 *   The poller's lcore.
 * @return
 *   - >= 0: the fd; do not close it.
 *   - -ENOENT: no poller runs on @p lcore_id.
 */
int netdma_poller_wake_fd(unsigned int lcore_id);

/**
 * Parks and wake-ups of @p lcore_id's poller since it started (telemetry).
 * Any thread.
 *
 * @param lcore_id
 *   The poller's lcore.
 * @param[out] parks
 *   Times it blocked.
 * @param[out] wakeups
 *   Times it was woken before its park timeout.
 * @return
 *   - 0: success.
 *   - -ENOENT: no poller runs on @p lcore_id.
 */
int netdma_poller_park_stats(unsigned int lcore_id, uint64_t *parks, uint64_t *wakeups);

/**
 * Stop the loop on @p lcore_id and wait for it to return.  Call from the
 * main lcore.
 *
 * @param lcore_id
 *   The poller's lcore.
 * @return
 *   - 0: stopped.
 *   - -ENOENT: no poller runs on @p lcore_id.
 */
int netdma_poller_stop(unsigned int lcore_id);

/** Stop every running poll loop and wait for them.  Call from the main lcore. */
void netdma_poller_stop_all(void);

/**
 * Register an rte_service that polls the channels owned by @p lcore_id and
 * set it running.  If @p lcore_id is a service lcore (EAL -s, or
 * rte_service_lcore_add()), the service is mapped to it, and runs there
 * once that lcore is started (rte_service_lcore_start()).  Any other lcore
 * is not mapped: it runs the service itself
 * (rte_service_run_iter_on_app_lcore()), so that the DPCs of its channels
 * run on it (spec §6.2).  Call it once per lcore, from the main lcore.
 *
 * @param lcore_id
 *   The lcore whose channels the service polls.
 * @param[out] service_id
 *   The service's id; written on success only.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p lcore_id out of range or @p service_id NULL; or
 *     @p lcore_id stopped being a service lcore before it was mapped.
 *   - -ENOSPC: EAL has no free service slot.
 *   - another -errno of rte_service: setting it running or mapping it
 *     failed.  On every failure the service is unregistered again.
 */
int netdma_service_register(unsigned int lcore_id, uint32_t *service_id);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_LCORE_H */
