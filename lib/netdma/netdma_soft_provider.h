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
	/**
	 * NUMA node of the device: the channels and their engines' rings are
	 * allocated there (netdma_engine_conf.socket).  0 is node 0:
	 * NETDMA_SOCKET_ANY for no preference.
	 */
	int socket;
	const struct netdma_backend_ops *ops;
	/** Create the backend of channel @p idx, polled on @p lcore; required. */
	int (*chan_init)(void *drv, uint32_t idx, unsigned int lcore, void **be);
	/** Release it; optional. */
	void (*chan_fini)(void *drv, uint32_t idx, void *be);
	/**
	 * Is work of channel @p idx's last user still at the device (a shared
	 * queue's slot whose ops have not all come back)?  Allocation passes
	 * over such a channel; optional.
	 */
	bool (*chan_busy)(void *drv, uint32_t idx);
	/**
	 * The lcore channel @p idx must be polled on, or -1 for any; optional.
	 * Channels that share a device queue share its owner lcore.
	 */
	int (*chan_lcore)(void *drv, uint32_t idx);
	/** Told the consumer's ChannelPriority (spec §4.3) of backend @p be; optional. */
	void (*chan_priority)(void *be, uint32_t priority);
	/**
	 * Take (@p lock true) or release the device queue of backend @p be
	 * around an engine call that may touch it (poll, Suspend); optional.
	 * One lock per call, not per copy: the queue's channels are polled on
	 * one lcore, and other threads (a Suspend waiting, a Stop draining)
	 * only rarely.
	 */
	void (*queue_lock)(void *be, bool lock);
	void *drv;
};

/**
 * Register and start an engine-backed provider (spec §2.1, §2.3): each
 * NetDMA channel is a netdma_engine over a backend that conf->chan_init
 * creates when the channel is allocated.  Any thread, once EAL is
 * initialised.
 *
 * @param conf
 *   The provider; copied (the name too).
 * @param[out] out
 *   The provider.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p conf or @p out is NULL; no name, ops or chan_init; no
 *     channel; or netdma_register_provider() or netdma_provider_start()
 *     refused the version, flags or attributes.
 *   - -ENOMEM: out of memory.
 *   - -ENOSPC: 64 providers are registered already.
 */
int netdma_soft_provider_create(const struct netdma_soft_provider_conf *conf,
				struct netdma_soft_provider **out);

/**
 * Stop the provider (draining every channel, as netdma_provider_stop()) and
 * deregister it; frees @p sp.  Blocks.
 *
 * @param sp
 *   The provider.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p sp is NULL.
 */
int netdma_soft_provider_destroy(struct netdma_soft_provider *sp);

/**
 * @param sp
 *   The provider.
 * @return
 *   Its registry handle (netdma_provider.h).
 */
struct netdma_provider *netdma_soft_provider_handle(const struct netdma_soft_provider *sp);

/**
 * @param sp
 *   The provider.
 * @return
 *   Its provider id, for netdma_chan_alloc().
 */
uint32_t netdma_soft_provider_id(const struct netdma_soft_provider *sp);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_SOFT_PROVIDER_H */
