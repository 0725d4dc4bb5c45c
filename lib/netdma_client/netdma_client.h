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
 * and netdmad accepts them, [limits] hugetlb_regions; else 4 KiB); interrupt
 * callbacks run on a thread of the client (or the application polls
 * netdma_client_chan_fd() and calls netdma_client_chan_dispatch()); a
 * completion word may not be the source or destination of a descriptor;
 * only a NULL channel handle is detected (a freed one is undefined
 * behaviour).  netdma.h says, function by function, what else differs.
 *
 * Transfer calls (Start, Append, Suspend, Resume, Abort, Reset) go through
 * the channel's command ring in shared memory, without a system call; the
 * other calls are requests on the daemon's socket, one at a time per
 * process.
 *
 * Connection errors: a call that sends a request to netdmad (provider
 * lookups, channel allocation and Free, counters, new memory regions, and
 * the first call, which connects) may return, besides its own errors:
 *   -ENOENT, -ECONNREFUSED, -EACCES  no daemon listens at the socket path,
 *            or this process may not use it (the implicit connect)
 *   -EPROTONOSUPPORT  netdmad speaks no protocol version this library does
 *   -EUSERS, -EMFILE, -ENOMEM  netdmad turned the connection away (too many
 *            connections, out of fds or memory)
 *   -ECONNRESET, -EPIPE  netdmad went away
 *   -ESHUTDOWN  netdmad is shutting down
 *   -ETIMEDOUT  no reply within netdma_client_set_timeout_ms()
 *   -EPROTO  a reply this library does not understand
 *   -ENOTCONN  no connection (given up, or disconnected)
 * netdma_client_last_error() then gives netdmad's reason where it sent
 * one.  After a request fails with -ECONNRESET, -EPIPE, -ESHUTDOWN,
 * -ETIMEDOUT, -EUSERS or -EMFILE the connection is given up and not
 * reopened by itself: calls that would connect return -ECONNRESET, other
 * requests -ENOTCONN and transfer calls -ENODEV, until
 * netdma_client_disconnect() and a new connect.
 */
#ifndef NETDMA_CLIENT_H
#define NETDMA_CLIENT_H

#include "netdma.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Connect to netdmad and agree on a protocol version.  The first call of
 * the API connects implicitly with @p socket_path NULL; call this first to
 * use another socket.  Not while other threads use the library, and not on
 * an open connection (netdma_client_disconnect() first).
 *
 * @param socket_path
 *   The daemon's socket; NULL: $NETDMA_SOCKET, else
 *   /run/netdma/netdmad.sock.
 * @return
 *   - 0: connected.
 *   - -ENAMETOOLONG: @p socket_path is too long for a Unix socket.
 *   - -ENOENT, -ECONNREFUSED, -EACCES, or another -errno of socket() and
 *     connect(): no daemon listens there, or this process may not use it;
 *     netdma_client_last_error() says which, and the fix (start netdmad,
 *     join the socket's group).
 *   - -EPROTONOSUPPORT, -EUSERS, -EMFILE, -ENOMEM, -ESHUTDOWN,
 *     -ETIMEDOUT, -EPROTO, -ECONNRESET, -EPIPE: the connection errors
 *     above, during the HELLO exchange; the socket is closed again.
 */
int netdma_client_connect(const char *socket_path);

/**
 * Why netdmad refused this thread's last refused request (a quota, a
 * limit, a bad argument, a connection turned away), in words with what to
 * do about it.  Channel calls also set netdma_chan_last_error().
 *
 * @return
 *   A NUL-terminated string of this thread, never NULL: "" if no request
 *   of this thread was refused yet.  A later successful request does not
 *   clear it.
 */
const char *netdma_client_last_error(void);

/**
 * Close the connection: netdmad frees this process's channels, and every
 * block of netdma_mem_alloc() is unmapped.  Free the channels and stop
 * using the memory first; no other thread may be in a call.  A later call
 * connects again.
 */
void netdma_client_disconnect(void);

/**
 * The channel's interrupt fd: it becomes readable when a DPC is due.  For
 * an application that delivers DPCs in its own event loop
 * (netdma_client_set_intr_thread(false)); the interrupt thread otherwise
 * owns it.
 *
 * @param chan
 *   The channel.
 * @return
 *   - >= 0: the fd; call netdma_client_chan_dispatch() when it is readable.
 *   - -1: the channel was allocated without an interrupt callback, so it
 *     has no fd.
 *   - -EINVAL: @p chan is NULL.
 */
int netdma_client_chan_fd(const struct netdma_chan *chan);

/**
 * Run the channel's pending DPCs (its interrupt callback: a watermark, then
 * an error DPC if the channel halted) on the calling thread.  One thread
 * at a time per channel, and not while the interrupt thread watches it.
 * Before an error DPC, netdma_chan_last_error() is loaded with the daemon's
 * reason for the halt (a request to the daemon), as in-process.
 *
 * @param chan
 *   The channel.
 * @return
 *   - >= 0: how many callbacks ran (0: none was due).
 *   - -ECONNRESET: netdmad let go of the channel; no DPC will come (its fd
 *     stays readable: stop watching it).
 *   - -EINVAL: @p chan is NULL or has no interrupt fd.
 */
int netdma_client_chan_dispatch(struct netdma_chan *chan);

/**
 * Deliver DPCs on a thread of this library (default) or leave them to the
 * application's event loop (false: netdma_client_chan_fd()).  Applies to
 * channels allocated afterwards.
 *
 * @param enable
 *   true: the interrupt thread; false: the application dispatches.
 */
void netdma_client_set_intr_thread(bool enable);

/**
 * Check chains in this process before posting them (default true): a bad
 * chain is then refused at the call with -errno and a reason, and netdmad
 * does not walk the chain again at Start/Append.  With false, the chain
 * goes to the daemon unchecked and the daemon's own check, as its engine
 * fetches each descriptor, refuses a bad one by halting the channel
 * (status Halted, an error DPC; spec §6.3): for testing that check.
 * Process-wide, from the next Start or Append on.
 *
 * @param enable
 *   true: check here; false: leave it to the daemon's engine.
 */
void netdma_client_set_local_check(bool enable);

/**
 * How long one request or transfer command waits for netdmad's answer.
 * Process-wide.
 *
 * @param ms
 *   Milliseconds; 0 restores the default, 5000.
 */
void netdma_client_set_timeout_ms(unsigned int ms);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_CLIENT_H */
