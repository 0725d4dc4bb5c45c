/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A netdma_engine over rte_dma: each NetDMA descriptor becomes one rte_dma
 * copy (two or three across a 2.0 page break), SERIALIZE becomes a fence on
 * the next op, DESTINATION_DCA_ENABLE the LLC hint (DESIGN.md flag mapping).
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_dmadev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "dmadev_internal.h"

RTE_LOG_REGISTER_SUFFIX(netdma_dmadev_logtype, dmadev, INFO);

/* engine flags pass straight through to rte_dma */
static_assert(NETDMA_ENGINE_FENCE == RTE_DMA_OP_FLAG_FENCE, "fence bit");
static_assert(NETDMA_ENGINE_LLC == RTE_DMA_OP_FLAG_LLC, "llc bit");

/*
 * ---- the device queue under netdma_vq: rte_dma on one vchan ----------------
 * Each op takes one branch to dmadev_fault.c, never taken unless a test
 * armed a fault (netdma_dmadev_set_fault()) or its failed ops are still out.
 */

static int
dq_copy(void *dev, netdma_iova_t src, netdma_iova_t dst, uint32_t len, uint64_t flags)
{
	struct ddma_queue *q = dev;
	int ret;

	if (unlikely(q->p->fault.armed))
		return netdma_ddma_fault_copy(q, src, dst, len, flags);
	ret = rte_dma_copy(q->p->dev_id, q->vchan, src, dst, len, flags);
	return ret < 0 ? ret : 0;
}

static void
dq_submit(void *dev)
{
	struct ddma_queue *q = dev;

	rte_dma_submit(q->p->dev_id, q->vchan);
}

static uint32_t
dq_capacity(void *dev)
{
	struct ddma_queue *q = dev;

	return rte_dma_burst_capacity(q->p->dev_id, q->vchan);
}

static uint32_t
dq_completed(void *dev, uint32_t max, bool *has_error)
{
	struct ddma_queue *q = dev;
	uint16_t last;

	if (unlikely(q->fault.active))
		return netdma_ddma_fault_completed(q, max, has_error);
	return rte_dma_completed(q->p->dev_id, q->vchan, (uint16_t)RTE_MIN(max, (uint32_t)UINT16_MAX),
				 &last, has_error);
}

uint32_t
netdma_ddma_statuses(struct ddma_queue *q, uint32_t max, int *status, uint16_t *last)
{
	enum rte_dma_status_code st[64];
	uint16_t n, i;

	n = rte_dma_completed_status(q->p->dev_id, q->vchan, (uint16_t)RTE_MIN(max, RTE_DIM(st)),
				     last, st);
	for (i = 0; i < n; i++) {
		status[i] = st[i] == RTE_DMA_STATUS_SUCCESSFUL ? 0 : (int)st[i];
		if (st[i] != RTE_DMA_STATUS_SUCCESSFUL)
			DDMA_LOG(NOTICE, "%s vchan %u: op failed with status %d\n", q->p->name,
				 q->vchan, (int)st[i]);
	}
	return n;
}

/* rte_dma_completed_status() also restarts ioat/idxd after an error */
static uint32_t
dq_completed_status(void *dev, uint32_t max, int *status)
{
	struct ddma_queue *q = dev;
	uint16_t last;

	if (unlikely(q->fault.active))
		return netdma_ddma_fault_completed_status(q, max, status);
	return netdma_ddma_statuses(q, max, status, &last);
}

static const struct netdma_vq_dev_ops dq_ops = {
	.copy = dq_copy,
	.submit = dq_submit,
	.capacity = dq_capacity,
	.completed = dq_completed,
	.completed_status = dq_completed_status,
};

/* ---- the soft provider's hooks ---------------------------------------------- */

static inline struct ddma_queue *
queue_of(struct netdma_dmadev_provider *p, uint32_t idx)
{
	return &p->queues[idx / p->per_queue];
}

static int
ddma_chan_lcore(void *drv, uint32_t idx)
{
	return __atomic_load_n(&queue_of(drv, idx)->lcore, __ATOMIC_ACQUIRE);
}

static int
ddma_chan_init(void *drv, uint32_t idx, unsigned int lcore, void **be)
{
	struct netdma_dmadev_provider *p = drv;
	struct ddma_queue *q = queue_of(p, idx);
	struct netdma_vq_chan *c = netdma_vq_chan(&q->vq, idx % p->per_queue);
	int ret;

	rte_spinlock_lock(&q->lock);
	/* -EBUSY if the slot's last user's ops are still at the device */
	ret = netdma_vq_chan_take(c);
	if (ret == 0 && q->users == 0 && !q->pinned)
		__atomic_store_n(&q->lcore, (int)lcore, __ATOMIC_RELEASE);
	else if (ret == 0 && q->lcore != (int)lcore)
		ret = -EINVAL;   /* raced with another allocation on this vchan */
	if (ret == 0) {
		q->users++;
		*be = c;
	}
	rte_spinlock_unlock(&q->lock);
	return ret;
}

/* The slot's last user still has ops at the device (counted after a harvest). */
static bool
ddma_chan_busy(void *drv, uint32_t idx)
{
	struct netdma_dmadev_provider *p = drv;
	struct ddma_queue *q = queue_of(p, idx);
	bool busy;

	rte_spinlock_lock(&q->lock);
	busy = netdma_vq_chan_busy(netdma_vq_chan(&q->vq, idx % p->per_queue));
	rte_spinlock_unlock(&q->lock);
	return busy;
}

static void
ddma_chan_fini(void *drv, uint32_t idx, void *be)
{
	struct ddma_queue *q = queue_of(drv, idx);

	rte_spinlock_lock(&q->lock);
	netdma_vq_chan_reset(be);
	if (--q->users == 0 && !q->pinned)
		__atomic_store_n(&q->lcore, -1, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&q->lock);
}

static void
ddma_chan_priority(void *be, uint32_t priority)
{
	struct netdma_vq_chan *c = be;
	struct ddma_queue *q = c->vq->dev;

	rte_spinlock_lock(&q->lock);
	netdma_vq_chan_set_priority(c, priority);
	rte_spinlock_unlock(&q->lock);
}

static void
ddma_queue_lock(void *be, bool lock)
{
	struct ddma_queue *q = ((struct netdma_vq_chan *)be)->vq->dev;

	if (lock)
		rte_spinlock_lock(&q->lock);
	else
		rte_spinlock_unlock(&q->lock);
}

/* Set the device up: one mem-to-mem vchan per NetDMA channel. */
static int
configure_device(struct netdma_dmadev_provider *p, const struct rte_dma_info *info,
		 uint16_t nb_vchans, uint16_t ring)
{
	struct rte_dma_conf dc = { .nb_vchans = nb_vchans };
	struct rte_dma_vchan_conf vc = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = RTE_MAX(info->min_desc, RTE_MIN(info->max_desc, ring)),
	};
	uint16_t i;
	int ret;

	ret = rte_dma_configure(p->dev_id, &dc);
	if (ret < 0) {
		DDMA_LOG(ERR, "%s: rte_dma_configure failed: %d\n", p->name, ret);
		return ret;
	}
	for (i = 0; i < nb_vchans; i++) {
		ret = rte_dma_vchan_setup(p->dev_id, i, &vc);
		if (ret < 0) {
			DDMA_LOG(ERR, "%s: vchan %u setup (%u descriptors) failed: %d\n",
				 p->name, i, vc.nb_desc, ret);
			return ret;
		}
	}
	ret = rte_dma_start(p->dev_id);
	if (ret < 0)
		DDMA_LOG(ERR, "%s: rte_dma_start failed: %d\n", p->name, ret);
	return ret;
}

static void
free_queues(struct netdma_dmadev_provider *p)
{
	uint16_t i;

	for (i = 0; i < p->nb_queues; i++) {
		netdma_vq_fini(&p->queues[i].vq, &netdma_engine_host_dpdk);
		netdma_ddma_fault_fini(&p->queues[i]);
	}
	rte_free(p->queues);
	rte_free(p);
}

/*
 * Where the rings the device and its poller share go: the device's NUMA
 * node, unless it has none (-1) or no memory there.  The allocator falls
 * back to any node as well if the node runs out later.
 */
static int
ring_socket(const struct rte_dma_info *info)
{
	struct rte_malloc_socket_stats st;

	if (info->numa_node < 0)
		return SOCKET_ID_ANY;
	if (rte_malloc_get_socket_stats(info->numa_node, &st) < 0 || st.heap_totalsz_bytes == 0)
		return SOCKET_ID_ANY;
	return info->numa_node;
}

int
netdma_dmadev_provider_create(int16_t dev_id, const struct netdma_dmadev_conf *conf,
			      struct netdma_dmadev_provider **out)
{
	struct netdma_soft_provider_conf sc;
	struct netdma_dmadev_provider *p;
	struct rte_dma_info info;
	uint32_t per_queue, ring;
	uint16_t nb, i;
	int ret, socket;

	if (out == NULL || !rte_dma_is_valid(dev_id))
		return -EINVAL;
	ret = rte_dma_info_get(dev_id, &info);
	if (ret < 0)
		return ret;
	if (!(info.dev_capa & RTE_DMA_CAPA_MEM_TO_MEM) || !(info.dev_capa & RTE_DMA_CAPA_OPS_COPY)) {
		DDMA_LOG(ERR, "%s: no mem-to-mem copy capability\n", info.dev_name);
		return -ENOTSUP;
	}
	nb = conf != NULL && conf->nb_channels ? conf->nb_channels : info.max_vchans;
	if (nb == 0 || nb > info.max_vchans) {
		DDMA_LOG(ERR, "%s: %u vchans asked, device has %u\n", info.dev_name, nb,
			 info.max_vchans);
		return -EINVAL;
	}
	per_queue = conf != NULL && conf->channels_per_vchan ? conf->channels_per_vchan : 1;
	if (per_queue > NETDMA_DMADEV_MAX_VIRTUAL) {
		DDMA_LOG(ERR, "%s: %u channels per vchan asked, at most %u\n", info.dev_name,
			 per_queue, NETDMA_DMADEV_MAX_VIRTUAL);
		return -EINVAL;
	}
	ring = RTE_MAX(info.min_desc, RTE_MIN(info.max_desc,
			conf != NULL && conf->ring_size ? conf->ring_size : 1024));
	socket = ring_socket(&info);
	p = rte_zmalloc("netdma_dmadev", sizeof(*p), 0);
	if (p == NULL)
		return -ENOMEM;
	/* the queue locks and vq heads every poll takes: beside the device */
	p->queues = netdma_engine_host_dpdk.zalloc(nb * sizeof(*p->queues), RTE_CACHE_LINE_SIZE,
						   socket);
	if (p->queues == NULL) {
		rte_free(p);
		return -ENOMEM;
	}
	p->dev_id = dev_id;
	p->per_queue = per_queue;
	snprintf(p->name, sizeof(p->name), "%s",
		 conf != NULL && conf->name != NULL ? conf->name : info.dev_name);
	for (i = 0; i < nb; i++) {
		struct ddma_queue *q = &p->queues[i];

		q->p = p;
		q->vchan = i;
		q->pinned = conf != NULL && conf->pin_lcore;
		q->lcore = q->pinned ? (int)conf->lcore : -1;
		rte_spinlock_init(&q->lock);
		ret = netdma_vq_init(&q->vq, &dq_ops, q, ring, per_queue, &netdma_engine_host_dpdk,
				     socket);
		if (ret == 0)
			ret = netdma_ddma_fault_init(q, q->vq.ring_mask + 1, socket);
		if (ret < 0) {
			p->nb_queues = i + 1;   /* queue i too: what it got is freed */
			free_queues(p);
			return ret;
		}
	}
	p->nb_queues = nb;
	ret = configure_device(p, &info, nb, (uint16_t)ring);
	if (ret < 0)
		goto err;

	memset(&sc, 0, sizeof(sc));
	sc.name = p->name;
	sc.major_version = conf != NULL && conf->major_version ? conf->major_version : 2;
	sc.minor_version = conf != NULL && conf->major_version ? conf->minor_version : 0;
	sc.nb_channels = nb * per_queue;
	sc.attr.maximum_transfer_size = conf != NULL && conf->max_transfer_size ?
		conf->max_transfer_size : 1u << 20;
	sc.attr.maximum_address_space = UINT64_MAX;
	sc.ring_size = ring;
	sc.burst = conf != NULL ? conf->burst : 0;
	sc.poll_byte_budget = 0;   /* the hardware copies, not the poller: no limit */
	sc.max_inflight_bytes = conf != NULL ? conf->max_inflight_bytes : 0;
	sc.socket = socket;
	sc.ops = &netdma_vq_backend_ops;
	sc.chan_init = ddma_chan_init;
	sc.chan_fini = ddma_chan_fini;
	sc.chan_busy = ddma_chan_busy;
	sc.chan_lcore = ddma_chan_lcore;
	sc.queue_lock = ddma_queue_lock;
	sc.chan_priority = ddma_chan_priority;
	sc.drv = p;
	ret = netdma_soft_provider_create(&sc, &p->sp);
	if (ret < 0) {
		rte_dma_stop(dev_id);
		goto err;
	}
	DDMA_LOG(INFO, "provider '%s' on dmadev %d: %u vchan(s) x %u channel(s), ring %u\n",
		 p->name, dev_id, nb, per_queue, ring);
	if (socket != SOCKET_ID_ANY)
		DDMA_LOG(INFO, "%s: rings on socket %d, the device's NUMA node\n", p->name, socket);
	else
		DDMA_LOG(INFO, "%s: rings on any socket (device NUMA node %d%s)\n", p->name,
			 info.numa_node, info.numa_node < 0 ? ": unknown" : " has no memory");
	if (!(info.dev_capa & RTE_DMA_CAPA_HANDLES_ERRORS))
		DDMA_LOG(NOTICE, "%s does not report failed copies (no RTE_DMA_CAPA_HANDLES_ERRORS: "
			 "CBDMA before Ice Lake, dma_skeleton): a copy to a bad address may stop the "
			 "device instead of failing; every address is checked before a copy is "
			 "enqueued\n", p->name);
	if (conf != NULL && conf->pin_lcore && info.numa_node >= 0 &&
	    rte_lcore_to_socket_id(conf->lcore) != (unsigned int)info.numa_node)
		DDMA_LOG(WARNING, "%s is on NUMA node %d but its polling lcore %u on socket %u: "
			 "every descriptor and completion crosses the interconnect; pick an lcore "
			 "of node %d\n", p->name, info.numa_node, conf->lcore,
			 rte_lcore_to_socket_id(conf->lcore), info.numa_node);
	*out = p;
	return 0;
err:
	free_queues(p);
	return ret;
}

int
netdma_dmadev_provider_destroy(struct netdma_dmadev_provider *p)
{
	int ret;

	if (p == NULL)
		return -EINVAL;
	ret = netdma_soft_provider_destroy(p->sp);
	if (ret < 0)
		return ret;
	rte_dma_stop(p->dev_id);
	free_queues(p);
	return 0;
}

uint32_t
netdma_dmadev_provider_id(const struct netdma_dmadev_provider *p)
{
	return netdma_soft_provider_id(p->sp);
}

struct netdma_provider *
netdma_dmadev_provider_handle(const struct netdma_dmadev_provider *p)
{
	return netdma_soft_provider_handle(p->sp);
}
