/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A netdma_engine over rte_dma: each NetDMA descriptor becomes one rte_dma
 * copy (two or three across a 2.0 page break), SERIALIZE becomes a fence on
 * the next op, DESTINATION_DCA_ENABLE the LLC hint (DESIGN.md flag mapping).
 */
#include <errno.h>
#include <string.h>

#include <rte_dmadev.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "netdma_dmadev.h"
#include "netdma_soft_provider.h"

RTE_LOG_REGISTER_SUFFIX(dmadev_logtype, dmadev, INFO);
#define DDMA_LOG(level, ...) rte_log(RTE_LOG_ ## level, dmadev_logtype, "netdma dmadev: " __VA_ARGS__)

/* engine flags pass straight through to rte_dma */
static_assert(NETDMA_ENGINE_FENCE == RTE_DMA_OP_FLAG_FENCE, "fence bit");
static_assert(NETDMA_ENGINE_LLC == RTE_DMA_OP_FLAG_LLC, "llc bit");

#define STATUS_BATCH 64u

struct ddma_vchan {
	struct netdma_dmadev_provider *p;
	uint16_t vchan;
};

struct netdma_dmadev_provider {
	struct netdma_soft_provider *sp;
	int16_t dev_id;
	bool shared;                 /* several vchans: serialise device calls */
	rte_spinlock_t lock;         /* dmadev vchans of one device are not MT-safe */
	struct ddma_vchan *vchans;
	char name[NETDMA_NAME_MAX];
};

static inline void
dev_lock(struct netdma_dmadev_provider *p)
{
	if (p->shared)
		rte_spinlock_lock(&p->lock);
}

static inline void
dev_unlock(struct netdma_dmadev_provider *p)
{
	if (p->shared)
		rte_spinlock_unlock(&p->lock);
}

static int
ddma_copy(void *be, netdma_iova_t src, netdma_iova_t dst, uint32_t len, uint64_t flags)
{
	struct ddma_vchan *v = be;
	int ret;

	dev_lock(v->p);
	ret = rte_dma_copy(v->p->dev_id, v->vchan, src, dst, len, flags);
	dev_unlock(v->p);
	return ret < 0 ? ret : 0;
}

static void
ddma_submit(void *be)
{
	struct ddma_vchan *v = be;

	dev_lock(v->p);
	rte_dma_submit(v->p->dev_id, v->vchan);
	dev_unlock(v->p);
}

static uint32_t
ddma_capacity(void *be)
{
	struct ddma_vchan *v = be;
	uint32_t n;

	dev_lock(v->p);
	n = rte_dma_burst_capacity(v->p->dev_id, v->vchan);
	dev_unlock(v->p);
	return n;
}

static uint32_t
ddma_completed(void *be, uint32_t max, bool *has_error)
{
	struct ddma_vchan *v = be;
	uint16_t last;
	uint32_t n;

	dev_lock(v->p);
	n = rte_dma_completed(v->p->dev_id, v->vchan, (uint16_t)RTE_MIN(max, (uint32_t)UINT16_MAX),
			      &last, has_error);
	dev_unlock(v->p);
	return n;
}

/* rte_dma_completed_status() also restarts ioat/idxd after an error */
static uint32_t
ddma_discard(void *be, uint32_t max)
{
	struct ddma_vchan *v = be;
	enum rte_dma_status_code st[STATUS_BATCH];
	uint32_t n, total = 0;
	uint16_t last;

	dev_lock(v->p);
	while (total < max) {
		n = rte_dma_completed_status(v->p->dev_id, v->vchan,
					     (uint16_t)RTE_MIN(max - total, STATUS_BATCH), &last, st);
		if (n == 0)
			break;
		if (st[0] != RTE_DMA_STATUS_SUCCESSFUL)
			DDMA_LOG(NOTICE, "%s vchan %u: op failed with status %d\n",
				 v->p->name, v->vchan, st[0]);
		total += n;
	}
	dev_unlock(v->p);
	return total;
}

static const struct netdma_backend_ops ddma_ops = {
	.copy = ddma_copy,
	.submit = ddma_submit,
	.capacity = ddma_capacity,
	.completed = ddma_completed,
	.discard = ddma_discard,
};

static int
ddma_chan_init(void *drv, uint32_t idx, void **be)
{
	struct netdma_dmadev_provider *p = drv;

	*be = &p->vchans[idx];
	return 0;
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

int
netdma_dmadev_provider_create(int16_t dev_id, const struct netdma_dmadev_conf *conf,
			      struct netdma_dmadev_provider **out)
{
	struct netdma_soft_provider_conf sc;
	struct netdma_dmadev_provider *p;
	struct rte_dma_info info;
	uint16_t nb, i;
	int ret;

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
		DDMA_LOG(ERR, "%s: %u channels asked, device has %u vchans\n",
			 info.dev_name, nb, info.max_vchans);
		return -EINVAL;
	}
	p = rte_zmalloc("netdma_dmadev", sizeof(*p), 0);
	if (p == NULL)
		return -ENOMEM;
	p->vchans = rte_zmalloc("netdma_dmadev_vchans", nb * sizeof(*p->vchans), 0);
	if (p->vchans == NULL) {
		rte_free(p);
		return -ENOMEM;
	}
	p->dev_id = dev_id;
	p->shared = nb > 1;
	rte_spinlock_init(&p->lock);
	snprintf(p->name, sizeof(p->name), "%s",
		 conf != NULL && conf->name != NULL ? conf->name : info.dev_name);
	for (i = 0; i < nb; i++) {
		p->vchans[i].p = p;
		p->vchans[i].vchan = i;
	}
	ret = configure_device(p, &info, nb, conf != NULL && conf->ring_size ? conf->ring_size : 1024);
	if (ret < 0)
		goto err;

	memset(&sc, 0, sizeof(sc));
	sc.name = p->name;
	sc.major_version = conf != NULL && conf->major_version ? conf->major_version : 2;
	sc.minor_version = conf != NULL && conf->major_version ? conf->minor_version : 0;
	sc.nb_channels = nb;
	sc.attr.maximum_transfer_size = conf != NULL && conf->max_transfer_size ?
		conf->max_transfer_size : 1u << 20;
	sc.attr.maximum_address_space = UINT64_MAX;
	sc.ring_size = RTE_MAX(info.min_desc, RTE_MIN(info.max_desc,
			conf != NULL && conf->ring_size ? conf->ring_size : 1024));
	sc.burst = conf != NULL ? conf->burst : 0;
	sc.poll_byte_budget = 0;   /* the hardware copies, not the poller: no limit */
	sc.max_inflight_bytes = conf != NULL ? conf->max_inflight_bytes : 0;
	sc.ops = &ddma_ops;
	sc.chan_init = ddma_chan_init;
	sc.drv = p;
	ret = netdma_soft_provider_create(&sc, &p->sp);
	if (ret < 0) {
		rte_dma_stop(dev_id);
		goto err;
	}
	DDMA_LOG(INFO, "provider '%s' on dmadev %d: %u channel(s), ring %u\n",
		 p->name, dev_id, nb, sc.ring_size);
	*out = p;
	return 0;
err:
	rte_free(p->vchans);
	rte_free(p);
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
	rte_free(p->vchans);
	rte_free(p);
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
