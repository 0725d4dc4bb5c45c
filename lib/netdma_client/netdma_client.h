/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Daemon-backed implementation of the netdma consumer API (netdma.h): link
 * libnetdma_client instead of libnetdma and the same calls go to netdmad.
 * libc only; no DPDK in the client.
 *
 * Differences a client sees: memory from netdma_mem_alloc() lives in shared
 * memfd regions registered with the daemon, sealed against shrinking (in
 * hugepages when the environment has NETDMA_HUGETLB=1, the machine has them
 * and netdmad accepts them, [limits] hugetlb_regions; else 4 KiB); interrupt callbacks run on a
 * thread of the client (or the application polls netdma_client_chan_fd()
 * and calls netdma_client_chan_dispatch()); a completion word may not be
 * the source or destination of a descriptor.
 */
#ifndef NETDMA_CLIENT_H
#define NETDMA_CLIENT_H

#include "netdma.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Connect to netdmad.  @p socket_path NULL: $NETDMA_SOCKET, else
 * /run/netdma/netdmad.sock.  Called implicitly by the first API call.
 * @return 0, -ECONNREFUSED/-ENOENT (no daemon), -EPROTO (version), -errno.
 */
int netdma_client_connect(const char *socket_path);

/**
 * Why netdmad refused this thread's last request (a quota, a limit, a bad
 * argument, a connection turned away), in words with what to do about it;
 * "" if it gave no reason.  Channel calls also set netdma_chan_last_error().
 */
const char *netdma_client_last_error(void);

/** Close the connection; the daemon frees this client's channels. */
void netdma_client_disconnect(void);

/** Interrupt delivery: an fd that becomes readable when a DPC is due. */
int netdma_client_chan_fd(const struct netdma_chan *chan);
/**
 * Run the channel's pending DPCs on the calling thread.  Before an error
 * DPC, netdma_chan_last_error() is loaded with the daemon's reason for the
 * halt (a request to the daemon), as in-process.
 * @return how many ran; -ECONNRESET once the daemon has let go of the
 *   channel (its fd then stays readable: stop watching it); -EINVAL.
 */
int netdma_client_chan_dispatch(struct netdma_chan *chan);
/**
 * Deliver DPCs on a client thread (default) or leave them to the
 * application's event loop (false).  Set before allocating channels.
 */
void netdma_client_set_intr_thread(bool enable);

/**
 * Check 2.0 chains in this process before posting them (default true): a
 * bad chain is then refused at the call with -errno and a reason, and
 * netdmad does not walk the chain again at Start/Append.  With false, the
 * chain goes to the daemon unchecked and the daemon's own check, as its
 * engine fetches each descriptor, refuses a bad one by halting the channel
 * (status Halted, an error DPC; spec §6.3): for testing that check.
 */
void netdma_client_set_local_check(bool enable);

/** Timeout of one command or request to the daemon, in ms (default 5000). */
void netdma_client_set_timeout_ms(unsigned int ms);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_CLIENT_H */
