/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOVA to pointer without a call where IOVA = VA: per copy, on the fast path
 * of the engine and of drivers/cpu.  It reads a library global, so it is for
 * this library and this project's drivers only; never installed (a provider
 * outside the tree calls netdma_iova2virt()).
 */
#ifndef NETDMA_IOVA_INTERNAL_H
#define NETDMA_IOVA_INTERNAL_H

#include <stdint.h>

#include "netdma_provider.h"

/* 1 in IOVA-as-VA mode, 0 not, -1 not asked yet (set by the library). */
extern int netdma_iova_mode_va;

static inline void *
netdma_iova2virt_inline(netdma_iova_t iova)
{
	if (__builtin_expect(netdma_iova_mode_va == 1, 1))
		return (void *)(uintptr_t)iova;
	return netdma_iova2virt(iova);
}

#endif /* NETDMA_IOVA_INTERNAL_H */
