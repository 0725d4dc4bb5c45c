/* SPDX-License-Identifier: BSD-3-Clause */
/* In-process backend: what the DPDK-only test files may also use. */
#ifndef NETDMA_CONF_DPDK_H
#define NETDMA_CONF_DPDK_H

#include <rte_common.h>

#include "conf.h"
#include "netdma_cpu.h"
#include "netdma_dmadev.h"
#include "netdma_lcore.h"
#include "netdma_provider.h"
#include "netdma_service.h"

static inline struct netdma_cpu_provider *
be_cpu(const struct backend *b)
{
	return b->kind == BE_CPU ? b->provider : NULL;
}

static inline struct netdma_dmadev_provider *
be_dma(const struct backend *b)
{
	return b->kind == BE_DMADEV ? b->provider : NULL;
}

/*
 * A backend of @p kind owned by one test, with the fixture's channel on it
 * (conf_lifecycle.c); NULL if either cannot be had.  Undo with
 * conf_test_backend_done().
 */
struct backend *conf_test_backend(enum backend_kind kind, uint8_t major, uint8_t minor,
				  uint32_t burst);
void conf_test_backend_done(void);

#endif
