/* SPDX-License-Identifier: BSD-3-Clause */
/* The sources' bytes, in test-netdma-perf and netdma-perf-client alike. */
#ifndef NETDMA_PERF_FILL_H
#define NETDMA_PERF_FILL_H

#include <stdint.h>

/* Byte j of buffer k: neighbouring buffers always differ, so a copy to the wrong one shows. */
static inline void
perf_fill(uint8_t *p, uint32_t k, uint32_t bs)
{
	uint32_t j;

	for (j = 0; j < bs; j++)
		p[j] = (uint8_t)(j * 131 + k * 7 + (k >> 8) * 13 + 1);
}

#endif
