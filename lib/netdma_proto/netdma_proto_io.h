/* SPDX-License-Identifier: BSD-3-Clause */
/* Message I/O of the netdmad protocol, shared by the daemon and the client. */
#ifndef NETDMA_PROTO_IO_H
#define NETDMA_PROTO_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NETDMA_PROTO_MAX_FDS 4

/**
 * Zero the @p size bytes of @p msg and fill its header (struct
 * netdma_msg_hdr): magic, this protocol's version, @p type, @p size, @p seq.
 */
void netdma_proto_hdr(void *msg, uint16_t type, size_t size, uint32_t seq);

/** Send one message, with @p fd attached when >= 0.  @return 0 or -errno. */
int netdma_proto_send(int sock, const void *buf, size_t len, int fd);

/**
 * Receive one message without blocking; up to @p max_fds fds land in @p fds
 * (extra ones are closed).  @return its length, -ECONNRESET on EOF,
 * -EMSGSIZE when it did not fit (the fds are still returned), or -errno.
 */
ssize_t netdma_proto_recv(int sock, void *buf, size_t len, int *fds, int max_fds, int *nfds);

#endif
