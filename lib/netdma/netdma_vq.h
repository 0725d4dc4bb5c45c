/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Virtual channels: many NetDMA channels over one device queue (a dmadev
 * vchan: a CBDMA channel, a DSA work queue).  Each virtual channel is a
 * netdma_backend_ops backend of its own engine; their copies go into the
 * one device ring in the order they are made, a record per ring slot says
 * whose each is, and the device's in-order completions are routed back to
 * their channels, so each channel keeps its own order, its own error and
 * its own aborted ops, whatever the others do.  A channel's share of the
 * ring is bounded (the ring divided among the channels with work at the
 * device or waiting for room, in proportion to their weights), so one
 * channel's backlog cannot starve another.
 *
 * Pure: no EAL.  Not thread-safe: the owner of the queue (one lcore, or the
 * caller's lock) serialises every call on all of its channels.
 */
#ifndef NETDMA_VQ_H
#define NETDMA_VQ_H

#include <stdbool.h>
#include <stdint.h>

#include "netdma_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The device queue under the virtual channels.  Ops complete in order. */
struct netdma_vq_dev_ops {
	/** Enqueue one copy; @return 0 or -ENOSPC. */
	int (*copy)(void *dev, netdma_iova_t src, netdma_iova_t dst, uint32_t len,
		    uint64_t flags);
	/** Ring the doorbell. */
	void (*submit)(void *dev);
	/** Free slots for enqueue. */
	uint32_t (*capacity)(void *dev);
	/**
	 * @return how many ops finished successfully, in order, up to @p max;
	 * *has_error is set when the op after them failed.
	 */
	uint32_t (*completed)(void *dev, uint32_t max, bool *has_error);
	/**
	 * Up to @p max finished ops whatever their status, in order, each one's
	 * status in @p status (0: success; else the device's code, positive).
	 * Restarts a device halted by an error.  @return the number.
	 */
	uint32_t (*completed_status)(void *dev, uint32_t max, int *status);
};

struct netdma_vq;

/** One virtual channel's view of the queue (a netdma_backend_ops backend). */
struct netdma_vq_chan {
	struct netdma_vq *vq;
	uint32_t id;
	uint32_t inflight;     /**< its ops at the device, not yet routed back */
	uint32_t ok;           /**< routed back successful, not yet handed to its engine */
	bool failed;           /**< the op after those failed ... */
	int fail_status;       /**< ... with this device status */
	uint32_t after_fail;   /**< its ops that finished after the failed one */
	bool waiting;          /**< asked for room and got none since its last op */
	bool contending;       /**< ops at the device, or waiting: counts for shares */
	uint32_t weight;       /**< its share's weight among the contending (1 to 16) */
	uint64_t ops;          /**< ops it put into the device ring */
};

struct netdma_vq {
	const struct netdma_vq_dev_ops *ops;
	void *dev;
	uint32_t ring_mask;    /**< device ring size - 1 (a power of 2) */
	uint64_t head, tail;   /**< ops routed back / ops enqueued, free-running */
	uint16_t *owner;       /**< per ring slot: the virtual channel of its op */
	uint32_t nb_chans;
	struct netdma_vq_chan *chans;
	uint32_t contending;   /**< channels with ops at the device or waiting for room */
	uint32_t weights;      /**< the sum of their weights */
	uint64_t errors;       /**< failed ops routed to their channel */
};

/**
 * Make a queue of @p nb_chans virtual channels over a device ring of
 * @p ring_size slots (rounded up to a power of 2).  Memory from @p host, on
 * NUMA node @p socket (the device's; NETDMA_SOCKET_ANY: no preference).
 * @return 0, -EINVAL (no channel, over 65535, no ring), -ENOMEM.
 */
int netdma_vq_init(struct netdma_vq *vq, const struct netdma_vq_dev_ops *ops, void *dev,
		   uint32_t ring_size, uint32_t nb_chans, const struct netdma_engine_host *host,
		   int socket);
/** Give its memory back to @p host. */
void netdma_vq_fini(struct netdma_vq *vq, const struct netdma_engine_host *host);

/** The backend of virtual channel @p id, or NULL. */
struct netdma_vq_chan *netdma_vq_chan(struct netdma_vq *vq, uint32_t id);

/**
 * The weight of channel @p c's share of the ring, from its NetDMA channel
 * priority (spec §4.3: a lower value is a lower priority): priority + 1,
 * at most NETDMA_VQ_MAX_WEIGHT.
 */
#define NETDMA_VQ_MAX_WEIGHT 16
void netdma_vq_chan_set_priority(struct netdma_vq_chan *c, uint32_t priority);

/**
 * Its user has freed channel @p c: forget its wait and priority.  Its ops
 * still at the device stay counted and are routed back to it as ever: the
 * slot is busy until they are all back (netdma_vq_chan_busy()).
 */
void netdma_vq_chan_reset(struct netdma_vq_chan *c);

/**
 * Are ops of channel @p c's last user still at the device?  Takes what the
 * device has finished first, so call it where the queue's calls are
 * serialised (its lock).  A busy slot must not get a new user: the old ops'
 * completions would be handed to the new user's engine as its own.
 */
bool netdma_vq_chan_busy(struct netdma_vq_chan *c);

/**
 * Give channel @p c to a new user.  What the last one left routed back
 * (successes its engine never took, a failure, ops after it) is forgotten,
 * so that the new engine is handed its own ops only.
 * @return 0, or -EBUSY while the last user's ops are at the device.
 */
int netdma_vq_chan_take(struct netdma_vq_chan *c);

/** The ops every virtual channel's engine uses (be: its struct netdma_vq_chan). */
extern const struct netdma_backend_ops netdma_vq_backend_ops;

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_VQ_H */
