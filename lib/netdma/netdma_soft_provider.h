/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * An engine-backed NetDMA provider: registers a provider whose channels are
 * netdma_engine instances over a driver's copy backend.  drivers/cpu and
 * drivers/dmadev are thin layers over this; a driver supplies only the
 * backend ops and per-channel backend setup.
 */
#ifndef NETDMA_SOFT_PROVIDER_H
#define NETDMA_SOFT_PROVIDER_H

#include "netdma_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netdma_soft_provider;

struct netdma_soft_provider_conf {
	const char *name;               /**< friendly name (required) */
	uint8_t major_version;          /**< 1 or 2 */
	uint8_t minor_version;
	uint32_t flags;                 /**< characteristics flags */
	uint32_t nb_channels;
	void *device;                   /**< PhysicalDeviceObject: rte_device or NULL */
	struct netdma_provider_attributes attr; /**< size and channel count are filled in */
	uint32_t ring_size;             /**< descriptors in flight per channel */
	uint32_t burst;                 /**< descriptors fetched per poll */
	uint64_t poll_byte_budget;      /**< netdma_engine_conf; 0: no limit */
	uint64_t max_inflight_bytes;    /**< netdma_engine_conf; 0: no limit */
	const struct netdma_backend_ops *ops;
	/** Create the backend of channel @p idx; required. */
	int (*chan_init)(void *drv, uint32_t idx, void **be);
	/** Release it; optional. */
	void (*chan_fini)(void *drv, uint32_t idx, void *be);
	void *drv;
};

/** Register and start the provider. @return 0 or -errno. */
int netdma_soft_provider_create(const struct netdma_soft_provider_conf *conf,
				struct netdma_soft_provider **out);

/** Stop (draining every channel) and deregister; frees @p sp. */
int netdma_soft_provider_destroy(struct netdma_soft_provider *sp);

struct netdma_provider *netdma_soft_provider_handle(const struct netdma_soft_provider *sp);
uint32_t netdma_soft_provider_id(const struct netdma_soft_provider *sp);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_SOFT_PROVIDER_H */
