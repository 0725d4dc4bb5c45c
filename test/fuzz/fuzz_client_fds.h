/* SPDX-License-Identifier: BSD-3-Clause */
/* The fds a fuzzed client sends, and the fd census that catches leaks. */
#ifndef FUZZ_CLIENT_FDS_H
#define FUZZ_CLIENT_FDS_H

#include <stddef.h>

#include "fuzz_client_wire.h"

/** A new fd of @p kind; memfds and files get @p size bytes.  -1 on failure. */
int fz_fd_open(enum fz_fd kind, size_t size);

/** Does @p kind have memory a client can map? */
static inline int
fz_fd_mappable(enum fz_fd kind)
{
	return kind == FZ_FD_MEMFD_SEALED || kind == FZ_FD_MEMFD || kind == FZ_FD_FILE;
}

/** One message with @p n fds (0..FZ_MAX_FDS) over SCM_RIGHTS.  0 or -errno. */
int fz_send(int sock, const void *buf, size_t len, const int *fds, int n);

/** Open fds of this process (/proc/self/fd), or -1. */
int fz_count_fds(void);

/** Print the open fds (on a leak, before abort()). */
void fz_list_fds(void);

#endif
