/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * NetDMA provider over an rte_dma device: ioat (CBDMA) and idxd (DSA) on
 * VFIO-bound hardware, dma_skeleton without hardware.  One provider per
 * device; many NetDMA channels over each of its vchans (a CBDMA channel, a
 * DSA work queue): channels_per_vchan, multiplexed by netdma_vq.
 */
#ifndef NETDMA_DMADEV_H
#define NETDMA_DMADEV_H

#include <stdint.h>

#include "netdma_provider.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netdma_dmadev_provider;

/** The most NetDMA channels one vchan carries. */
#define NETDMA_DMADEV_MAX_VIRTUAL 1024

struct netdma_dmadev_conf {
	const char *name;             /**< friendly name; default the device name */
	uint8_t major_version;        /**< 1 or 2; default 2.0 */
	uint8_t minor_version;
	uint16_t nb_channels;         /**< vchans to use; default all the device has */
	/**
	 * NetDMA channels multiplexed over each vchan (virtual channels: a
	 * CBDMA channel or DSA work queue is one vchan, and serves this many
	 * consumers); 1 to NETDMA_DMADEV_MAX_VIRTUAL, default 1.  The channels
	 * of one vchan are polled on one lcore, the first one's.
	 */
	uint32_t channels_per_vchan;
	/**
	 * With @p pin_lcore, @p lcore polls every vchan of the device and its
	 * channels are allocated there only; without, each vchan takes the
	 * lcore of its first channel.
	 */
	bool pin_lcore;
	unsigned int lcore;
	uint16_t ring_size;           /**< descriptors per vchan; default 1024, clamped */
	uint32_t max_transfer_size;   /**< default 1 MiB (the CBDMA limit) */
	uint32_t burst;               /**< descriptors per poll; default 64 */
	/**
	 * Bytes one channel may have with the device at once (at least one
	 * descriptor); default 0, no limit.  A Suspend waits for them (spec
	 * §3.6) on the polling lcore: netdmad bounds them so that no client's
	 * Suspend holds up the other channels of that lcore for long.
	 */
	uint64_t max_inflight_bytes;
};

/**
 * Configure and start dmadev @p dev_id, then register and start a provider
 * over it.  @return 0, -EINVAL (no such device, no mem-to-mem copy), -ENOTSUP,
 * or the dmadev error.
 */
int netdma_dmadev_provider_create(int16_t dev_id, const struct netdma_dmadev_conf *conf,
				  struct netdma_dmadev_provider **out);

/** Stop the provider (draining it), stop the device, deregister. */
int netdma_dmadev_provider_destroy(struct netdma_dmadev_provider *p);

uint32_t netdma_dmadev_provider_id(const struct netdma_dmadev_provider *p);
struct netdma_provider *netdma_dmadev_provider_handle(const struct netdma_dmadev_provider *p);

/**
 * Fault injection, for tests: from now on, copy number @p fail_at (1-based,
 * counted over the provider's copies, all its vchans, from this call)
 * fails, and/or every @p fail_every-th copy fails.  0 disables either;
 * failed ops already at the device still fail.
 *
 * It behaves as a device that does not handle errors (no
 * RTE_DMA_CAPA_HANDLES_ERRORS: CBDMA before Ice Lake): the failed op keeps
 * its ring slot but moves no byte; the device reports the ops before it,
 * then an error, and nothing more until its status is read
 * (rte_dma_completed_status()), which gives @p status and restarts the
 * device after it.  The NetDMA channel whose op it was halts (spec §6.3:
 * Halted, the error DPC, the status in its reason); the other channels of
 * the vchan go on.
 *
 * @param status
 *   The enum rte_dma_status_code the failed op reports; 0:
 *   RTE_DMA_STATUS_INVALID_SRC_ADDR.
 *
 * Any thread: it waits for the provider's queue locks, so a poll never
 * sees half a setting.
 */
void netdma_dmadev_set_fault(struct netdma_dmadev_provider *p, uint64_t fail_at,
			     uint64_t fail_every, int status);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_DMADEV_H */
