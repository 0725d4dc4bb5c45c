/* SPDX-License-Identifier: BSD-3-Clause */
/* cache_flush=1: start a scenario with its buffers out of every cache. */
#ifndef NETDMA_PERF_CACHE_H
#define NETDMA_PERF_CACHE_H

#include <stddef.h>

static inline void
perf_flush_cache(const void *p, size_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	const char *c = p;
	size_t i;

	for (i = 0; i < len; i += 64)
		__builtin_ia32_clflush(c + i);
	__builtin_ia32_mfence();
#else
	(void)p;
	(void)len;
#endif
}

#endif
