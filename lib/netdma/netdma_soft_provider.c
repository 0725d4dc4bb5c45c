/* SPDX-License-Identifier: BSD-3-Clause */
/* Provider callbacks (spec §3) implemented by netdma_engine channels. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "netdma_internal.h"
#include "netdma_soft_provider.h"

struct soft_chan {
	struct netdma_engine eng;
	struct netdma_soft_provider *sp;
	uint32_t idx;
	uint32_t lcore;        /* from SetDmaChannelCpuAffinity */
	bool in_use;
	void *be;
} __rte_cache_aligned;

struct netdma_soft_provider {
	struct netdma_soft_provider_conf conf;
	char name[NETDMA_NAME_MAX];
	struct netdma_provider *handle;
	rte_spinlock_t lock;   /* channel table */
	struct soft_chan *chans;
};

/* spec §3.1: remember which lcore services each channel */
static int
sp_set_affinity(void *ctx, struct netdma_channel_cpu_affinity *arr, uint32_t size)
{
	struct netdma_soft_provider *sp = ctx;
	uint32_t i;

	for (i = 0; i < size / sizeof(*arr); i++)
		if (arr[i].dma_channel < sp->conf.nb_channels)
			sp->chans[arr[i].dma_channel].lcore = arr[i].cpu_number;
	return 0;
}

/*
 * spec §3.2: prefer a free channel whose lcore the consumer allows; else take
 * any free channel and move it to an allowed lcore.  A channel whose last
 * user's ops are still at the device is not free yet: a new user would be
 * handed their completions.
 */
static struct soft_chan *
pick_channel(struct netdma_soft_provider *sp, struct netdma_channel_params *params)
{
	struct soft_chan *any = NULL;
	uint32_t i;

	for (i = 0; i < sp->conf.nb_channels; i++) {
		struct soft_chan *c = &sp->chans[i];
		int pinned;

		if (c->in_use || (sp->conf.chan_busy != NULL && sp->conf.chan_busy(sp->conf.drv, i)))
			continue;
		pinned = sp->conf.chan_lcore != NULL ? sp->conf.chan_lcore(sp->conf.drv, i) : -1;
		if (pinned >= 0) {
			/* its queue is polled there: only there, or not at all */
			if (netdma_pick_lcore(params, pinned) == pinned) {
				c->lcore = (uint32_t)pinned;
				return c;
			}
			continue;
		}
		if (netdma_pick_lcore(params, (int)c->lcore) == (int)c->lcore)
			return c;
		if (any == NULL)
			any = c;
	}
	return any;
}

static int
sp_allocate(void *ctx, struct netdma_channel_params *params, void *handle, void **out)
{
	struct netdma_soft_provider *sp = ctx;
	struct netdma_engine_conf ec = {
		.ring_size = sp->conf.ring_size,
		.burst = sp->conf.burst,
		.poll_byte_budget = sp->conf.poll_byte_budget,
		.max_inflight_bytes = sp->conf.max_inflight_bytes,
		.socket = sp->conf.socket,
	};
	struct soft_chan *c;
	int lcore, ret;

	rte_spinlock_lock(&sp->lock);
	c = pick_channel(sp, params);
	if (c == NULL) {
		rte_spinlock_unlock(&sp->lock);
		return -ENOSPC;
	}
	c->in_use = true;
	rte_spinlock_unlock(&sp->lock);

	lcore = netdma_pick_lcore(params, (int)c->lcore);
	if (lcore < 0) {
		ret = lcore;
		goto err;
	}
	ret = sp->conf.chan_init(sp->conf.drv, c->idx, (unsigned int)lcore, &c->be);
	if (ret < 0)
		goto err;
	if (sp->conf.chan_priority != NULL)
		sp->conf.chan_priority(c->be, params->channel_priority);
	netdma_engine_conf_from_chan(&ec, handle);
	ret = netdma_engine_init(&c->eng, &ec, &netdma_engine_host_dpdk, sp->conf.ops, c->be,
				 handle);
	if (ret < 0) {
		if (sp->conf.chan_fini != NULL)
			sp->conf.chan_fini(sp->conf.drv, c->idx, c->be);
		goto err;
	}
	params->cpu_number = (uint32_t)lcore;   /* spec §3.2: always reported */
	*out = c;
	return 0;
err:
	c->in_use = false;
	return ret;
}

static void
sp_free(void *chan_ctx)
{
	struct soft_chan *c = chan_ctx;

	netdma_engine_fini(&c->eng);
	if (c->sp->conf.chan_fini != NULL)
		c->sp->conf.chan_fini(c->sp->conf.drv, c->idx, c->be);
	c->be = NULL;
	rte_spinlock_lock(&c->sp->lock);
	c->in_use = false;
	rte_spinlock_unlock(&c->sp->lock);
}

static int
sp_start(void *chan_ctx, struct netdma_descriptor *va __rte_unused, netdma_iova_t pa, uint32_t n)
{
	return netdma_engine_start(&((struct soft_chan *)chan_ctx)->eng, pa, n);
}

static int
sp_append(void *chan_ctx, struct netdma_descriptor *va __rte_unused, netdma_iova_t pa, uint32_t n)
{
	return netdma_engine_append(&((struct soft_chan *)chan_ctx)->eng, pa, n);
}

static inline void
queue_lock(struct soft_chan *c, bool lock)
{
	if (c->sp->conf.queue_lock != NULL)
		c->sp->conf.queue_lock(c->be, lock);
}

static int
sp_suspend(void *chan_ctx, netdma_iova_t *last)
{
	struct soft_chan *c = chan_ctx;
	int ret;

	queue_lock(c, true);
	ret = netdma_engine_suspend(&c->eng, last);
	queue_lock(c, false);
	return ret;
}

static int
sp_resume(void *chan_ctx)
{
	return netdma_engine_resume(&((struct soft_chan *)chan_ctx)->eng);
}

static int
sp_abort(void *chan_ctx)
{
	return netdma_engine_abort(&((struct soft_chan *)chan_ctx)->eng);
}

static int
sp_reset(void *chan_ctx)
{
	return netdma_engine_reset(&((struct soft_chan *)chan_ctx)->eng);
}

static int
sp_poll(void *chan_ctx)
{
	struct soft_chan *c = chan_ctx;
	int ret;

	queue_lock(c, true);
	ret = netdma_engine_poll(&c->eng);
	queue_lock(c, false);
	return ret;
}

static int
sp_query(void *chan_ctx, struct netdma_chan_progress *p)
{
	return netdma_engine_query(&((struct soft_chan *)chan_ctx)->eng, p);
}

int
netdma_soft_provider_create(const struct netdma_soft_provider_conf *conf,
			    struct netdma_soft_provider **out)
{
	struct netdma_provider_characteristics c;
	struct netdma_provider_attributes attr;
	struct netdma_soft_provider *sp;
	uint32_t i;
	int ret;

	if (conf == NULL || out == NULL || conf->name == NULL || conf->ops == NULL ||
	    conf->chan_init == NULL || conf->nb_channels == 0)
		return -EINVAL;
	sp = rte_zmalloc("netdma_soft_provider", sizeof(*sp), 0);
	if (sp == NULL)
		return -ENOMEM;
	/* the engines every poll walks: beside their rings, on the device's node */
	sp->chans = netdma_engine_host_dpdk.zalloc(conf->nb_channels * sizeof(*sp->chans),
						   RTE_CACHE_LINE_SIZE, conf->socket);
	if (sp->chans == NULL) {
		rte_free(sp);
		return -ENOMEM;
	}
	sp->conf = *conf;
	snprintf(sp->name, sizeof(sp->name), "%s", conf->name);
	rte_spinlock_init(&sp->lock);
	for (i = 0; i < conf->nb_channels; i++) {
		sp->chans[i].sp = sp;
		sp->chans[i].idx = i;
		sp->chans[i].lcore = rte_get_main_lcore();
	}

	memset(&c, 0, sizeof(c));
	c.major_version = conf->major_version;
	c.minor_version = conf->minor_version;
	c.size = sizeof(c);
	c.flags = conf->flags;
	c.physical_device_object = conf->device;
	c.max_dma_channel_count = conf->nb_channels;
	c.set_dma_channel_cpu_affinity = sp_set_affinity;
	c.allocate_dma_channel = sp_allocate;
	c.free_dma_channel = sp_free;
	c.start_dma = sp_start;
	c.suspend_dma = sp_suspend;
	c.resume_dma = sp_resume;
	c.abort_dma = sp_abort;
	c.append_dma = sp_append;
	c.reset_channel = sp_reset;
	c.friendly_name.buffer = sp->name;
	c.friendly_name.length = (uint16_t)strlen(sp->name);
	c.friendly_name.maximum_length = sizeof(sp->name);
	c.poll_dma_channel = sp_poll;
	c.query_dma_channel = sp_query;

	ret = netdma_register_provider(sp, &sp->handle, &c);
	if (ret < 0)
		goto err;
	attr = conf->attr;
	attr.size = sizeof(attr);
	attr.dma_channel_count = conf->nb_channels;
	ret = netdma_provider_start(sp->handle, &attr);
	if (ret < 0) {
		netdma_deregister_provider(sp->handle);
		goto err;
	}
	*out = sp;
	return 0;
err:
	rte_free(sp->chans);
	rte_free(sp);
	return ret;
}

int
netdma_soft_provider_destroy(struct netdma_soft_provider *sp)
{
	int ret;

	if (sp == NULL)
		return -EINVAL;
	if (sp->handle->started) {
		ret = netdma_provider_stop(sp->handle);
		if (ret < 0)
			return ret;
	}
	ret = netdma_deregister_provider(sp->handle);
	if (ret < 0)
		return ret;
	rte_free(sp->chans);
	rte_free(sp);
	return 0;
}

struct netdma_provider *
netdma_soft_provider_handle(const struct netdma_soft_provider *sp)
{
	return sp->handle;
}

uint32_t
netdma_soft_provider_id(const struct netdma_soft_provider *sp)
{
	return sp->handle->id;
}
