/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The software NetDMA provider: copies are done by the channel's owning
 * lcore.  It is the embedded default (no hardware needed) and, with fault
 * injection, the way to exercise Halted, the error DPC and Reset recovery.
 */
#ifndef NETDMA_CPU_H
#define NETDMA_CPU_H

#include <stdint.h>

#include "netdma_provider.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netdma_cpu_provider;

struct netdma_cpu_conf {
	const char *name;            /**< friendly name; default "cpu" */
	uint8_t major_version;       /**< 1 or 2; default 2.0 */
	uint8_t minor_version;
	uint32_t nb_channels;        /**< default 4 */
	uint32_t max_transfer_size;  /**< default 1 MiB */
	uint32_t ring_size;          /**< descriptors in flight; default 1024 */
	uint32_t burst;              /**< descriptors per poll; default 64 */
	/**
	 * Copies of at least this many bytes bypass the caches (non-temporal
	 * stores) unless the descriptor asks for DESTINATION_DCA_ENABLE: like a
	 * DMA engine, the software engine leaves the copying core's caches
	 * alone unless told the data is wanted there (spec §5.1 DCA).  0: the
	 * default, NETDMA_CPU_NT_THRESHOLD; UINT32_MAX: never; values under
	 * NETDMA_CPU_NT_MIN count as NETDMA_CPU_NT_MIN.
	 */
	uint32_t nt_threshold;
	/**
	 * Bytes copied per poll of one channel, at most (the first descriptor
	 * of a poll is always copied, whatever its size).  The engine copies
	 * at enqueue on the polling lcore: without a bound, one poll of one
	 * channel could copy burst x max_transfer_size bytes (64 MiB by
	 * default, tens of ms) while every other channel of that lcore waits.
	 * 0: the default, NETDMA_CPU_POLL_BYTES; UINT32_MAX: about no limit.
	 */
	uint32_t poll_bytes;
};

#define NETDMA_CPU_POLL_BYTES (256u << 10)
#define NETDMA_CPU_NT_THRESHOLD 4096u
#define NETDMA_CPU_NT_MIN 64u

/** Register and start a cpu provider. @return 0 or -errno. */
int netdma_cpu_provider_create(const struct netdma_cpu_conf *conf,
			       struct netdma_cpu_provider **out);
/** Stop (drain) and deregister. */
int netdma_cpu_provider_destroy(struct netdma_cpu_provider *p);

uint32_t netdma_cpu_provider_id(const struct netdma_cpu_provider *p);
struct netdma_provider *netdma_cpu_provider_handle(const struct netdma_cpu_provider *p);

/**
 * Fault injection: from now on, copy number @p fail_at (1-based, counted over
 * the provider's copies from this call) fails, and/or every @p fail_every-th
 * copy fails.  0 disables either.  A failed copy moves no byte; the engine
 * halts the channel and nothing after the failure is copied.
 */
void netdma_cpu_set_fault(struct netdma_cpu_provider *p, uint64_t fail_at, uint64_t fail_every);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_CPU_H */
