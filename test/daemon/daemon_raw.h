/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hostile client's tools (daemon_raw.c): the raw protocol with no library
 * in between, sealed and unsealed memfds, and what /proc and telemetry say
 * of the daemon.
 */
#ifndef NETDMA_DAEMON_RAW_H
#define NETDMA_DAEMON_RAW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netdma_proto.h"

/* A connection to @p sock, or -1. */
int raw_connect(const char *sock);
void raw_hdr(void *msg, uint16_t type, size_t size);
/*
 * Send @p len bytes (+ an fd) and read the reply into @p reply (@p rlen
 * bytes; NULL for the header only).  @return its result, 1 for no reply,
 * 2 when the send failed.  @p reason (NETDMA_REASON_MAX bytes, may be
 * NULL) gets a failure's reason, or "".
 */
int raw_call(int fd, const void *msg, size_t len, int send_fd, void *reply, size_t rlen,
	     char *reason);
int raw_hello(int fd);
/* Register @p mfd as a region of @p kind; @return its id or -errno (and @p reason). */
int raw_region(int fd, int mfd, uint64_t size, uint32_t kind, char *reason);
/* A memfd of @p size, sealed against shrinking (as netdmad requires) or not. */
int sealed_memfd(uint64_t size);
int unsealed_memfd(uint64_t size);

/*
 * CPU time of process @p pid's main thread in clock ticks; -1 on error.
 * netdmad serves its socket there (other threads poll engines).
 */
long proc_cpu_ticks(pid_t pid);
/* Lines of @p path holding @p needle. */
long file_count_lines(const char *path, const char *needle);
/*
 * A number from netdmad's telemetry: @p cmd (e.g. "/netdmad/stats") on the
 * socket of EAL file prefix @p prefix, the value of "@p key" (the first
 * after "@p within" when that is not NULL).  -1 on error.
 */
long long telemetry_value(const char *prefix, const char *cmd, const char *within,
			  const char *key);

#endif
