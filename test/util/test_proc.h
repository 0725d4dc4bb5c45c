/* SPDX-License-Identifier: BSD-3-Clause */
/* What /proc says of a process, for the tests that count its resources. */
#ifndef NETDMA_TEST_PROC_H
#define NETDMA_TEST_PROC_H

#include <sys/types.h>

/* Open file descriptors of process @p pid (the count's own included when it is the caller); -1 if unreadable. */
int proc_fd_count(pid_t pid);

#endif
