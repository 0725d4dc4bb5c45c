/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Hooks for a service that embeds the library and serves other processes'
 * channels, like netdmad: it validates their memory itself, checks their
 * chains in their own process, and hands its pollers work they do not see
 * through this library's calls.  Neither an application nor a provider
 * needs them.  Not installed.
 */
#ifndef NETDMA_SERVICE_H
#define NETDMA_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "netdma.h"
#include "netdma_chain.h"
#include "netdma_core.h"
#include "netdma_lcore.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- providers ------------------------------------------------------------ */

/**
 * netdma_provider_list() from provider id @p first on: for a list sent a
 * page at a time (netdmad's NETDMA_MSG_PROVIDERS, telemetry), or one
 * provider's info (@p max 1, then check the id).  Any thread.
 * @param first
 *   The smallest id wanted.
 * @param[out] infos
 *   Array of @p max entries, in id order; NULL to count only.
 * @param max
 *   Number of entries of @p infos.
 * @return
 *   The number of registered providers with an id of at least @p first; it
 *   may exceed @p max, and only the first min(@p max, return) are written.
 */
int netdma_provider_list_from(uint32_t first, struct netdma_provider_info *infos, unsigned int max);

/* ---- a channel's memory and chain checks -------------------------------- */

/**
 * Address validator, replaceable per channel (the daemon uses its regions).
 * @param ctx
 *   The context given with it.
 * @param iova
 *   Start of a range a descriptor names.
 * @param len
 *   Its length in bytes.
 * @return
 *   true if the channel's engine may read or write the range.
 */
typedef bool (*netdma_addr_check_t)(void *ctx, netdma_iova_t iova, uint64_t len);
/**
 * Replace the channel's validator (NULL: the default).  Either way, the
 * library's own memory is refused (netdma_chan_addr_ok()).
 * @param chan
 *   The channel.
 * @param fn
 *   The validator, called with the channel lock held; NULL: DPDK memory.
 * @param ctx
 *   Its context.
 * @return 0, or -EINVAL for a bad channel handle.
 */
int netdma_chan_set_addr_check(struct netdma_chan *chan, netdma_addr_check_t fn, void *ctx);
/**
 * The same with a validator that gives the window of its yes
 * (netdma_range_win_t): the engine then checks a poll's later descriptors
 * inside that window without calling it.  The window is trusted for one
 * poll pass, which runs under the channel lock: whoever takes memory away
 * must first make the validator refuse it, then take the channel lock (or
 * see the channel idle) before unmapping.  The window is narrowed so that
 * it never holds the library's own descriptors (netdma_chan_addr_win()).
 * @param chan
 *   The channel.
 * @param fn
 *   The validator; NULL: the default, as netdma_chan_set_addr_check().
 * @param ctx
 *   Its context.
 * @return 0, or -EINVAL for a bad channel handle.
 */
int netdma_chan_set_addr_window_check(struct netdma_chan *chan, netdma_range_win_t fn, void *ctx);

/**
 * Start and Append check the head descriptor's alignment and address (and,
 * 2.0, the count), but not the chain behind it; the engine still copies out
 * and checks every descriptor it fetches, and a bad one halts the channel
 * with an error DPC (spec §6.3).  For a caller whose consumer has already
 * checked the chain in its own process (netdmad: libnetdma_client checks
 * before it posts), so the chain is not walked twice on the poller.
 * 2.0: the pre-link rule (spec §3.5) is then the consumer's side's to
 * enforce: the engine follows the links, each one checked as it is fetched.
 * 1.x: nothing walks the linked chain for cycles, so the engine halts the
 * channel ("1.x chain longer than NETDMA_CHAIN_MAX descriptors since the
 * last Start/Append, or cyclic") once it has fetched more than
 * NETDMA_CHAIN_MAX descriptors per Start, Append and Resume it was given
 * (the engine applies that bound to every 1.x chain).
 * @param chan
 *   The channel.
 * @param enable
 *   true: check heads only; false (the default): whole chains.
 * @return 0, or -EINVAL for a bad channel handle.
 */
int netdma_chan_set_check_at_fetch(struct netdma_chan *chan, bool enable);

/**
 * Drain timeout of netdma_provider_stop() and power-down, per channel
 * (default 5000 ms).  Not synchronised: set it before providers stop.
 * @param ms
 *   Milliseconds.
 */
void netdma_set_drain_timeout_ms(unsigned int ms);

/* ---- pollers that do more than this library's work ---------------------- */

/**
 * What a poll loop runs each turn.
 * @param lcore_id
 *   The poller's lcore.
 * @return
 *   > 0 when it did work, else 0.
 */
typedef int (*netdma_poll_fn_t)(unsigned int lcore_id);

/**
 * Like netdma_poller_start(), with @p fn instead of netdma_lcore_poll(): an
 * application (netdmad) that has more to do per turn than the engines.
 * @p fn must call netdma_lcore_poll(lcore_id) itself.
 * @param lcore_id
 *   As for netdma_poller_start().
 * @param conf
 *   As for netdma_poller_start().
 * @param fn
 *   What each turn runs; NULL: netdma_lcore_poll().
 * @return
 *   As netdma_poller_start().
 */
int netdma_poller_start_fn(unsigned int lcore_id, const struct netdma_poller_conf *conf,
			   netdma_poll_fn_t fn);

/**
 * Let writes to @p fd (an eventfd) wake @p lcore_id's parked poller too: a
 * doorbell of its own for each party that hands the poller work some other
 * way than this library's calls (netdmad's client channels).  The poller
 * never reads @p fd, so whoever shares it can neither steal another
 * party's wake-up nor block the poller.  Remove it with
 * netdma_poller_unwatch_fd() before closing it: the watch lasts as long as
 * any process holds the file open.
 * @param lcore_id
 *   The poller's lcore.
 * @param fd
 *   The doorbell.
 * @return 0, -ENOENT (no poller was ever started on the lcore), -EBADF
 *   (@p fd < 0), or another -errno of epoll_ctl().
 */
int netdma_poller_watch_fd(unsigned int lcore_id, int fd);

/**
 * Undo netdma_poller_watch_fd().
 * @param lcore_id
 *   The poller's lcore.
 * @param fd
 *   The doorbell.
 * @return 0, -ENOENT (no poller was ever started on the lcore), or -errno
 *   of epoll_ctl() (-ENOENT too: @p fd was not watched).
 */
int netdma_poller_unwatch_fd(unsigned int lcore_id, int fd);

/**
 * Be told of every state change of @p chan (netdmad publishes the state to
 * its client).  @p cb runs once at once with the current state (event
 * NETDMA_EV_MAX), then under the channel lock at each change; it must not
 * call into the channel.
 * @param chan
 *   The channel.
 * @param cb
 *   The function; NULL stops it.
 * @param arg
 *   Its first argument.
 * @return 0, or -EINVAL for a bad channel handle.
 */
int netdma_chan_set_state_cb(struct netdma_chan *chan, netdma_core_state_cb_t cb, void *arg);

/**
 * Suspend without waiting (spec §3.6), for a caller that must not block,
 * such as a poller other channels share.  The channel stops fetching at
 * once; what the engine holds completes on the channel's later polls.
 * @param chan
 *   The channel.
 * @return 0 when it is suspended already (netdma_chan_suspend_poll() gives
 *   the last descriptor), -EINPROGRESS when descriptors being processed
 *   must complete first, or the errors of netdma_chan_suspend().
 */
int netdma_chan_suspend_begin(struct netdma_chan *chan);

/**
 * Where a Suspend begun by netdma_chan_suspend_begin() stands.
 * @param chan
 *   The channel.
 * @param[out] last
 *   The last descriptor processed, once suspended.
 * @return 0 suspended, -EINPROGRESS still draining, -ETIMEDOUT the
 *   descriptors did not complete in time and the channel runs on, -EIO an
 *   error, Abort or Reset halted it first, -ENODEV revoked, -EINVAL bad
 *   arguments.
 */
int netdma_chan_suspend_poll(struct netdma_chan *chan, netdma_iova_t *last);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_SERVICE_H */
