/* SPDX-License-Identifier: BSD-3-Clause */
/* Virtual channels over one device queue (netdma_vq.h). */
#include <errno.h>
#include <string.h>

#include "netdma_vq.h"

#define HARVEST_BATCH 64u

int
netdma_vq_init(struct netdma_vq *vq, const struct netdma_vq_dev_ops *ops, void *dev,
	       uint32_t ring_size, uint32_t nb_chans, const struct netdma_engine_host *host,
	       int socket)
{
	uint32_t size = netdma_pow2_at_least(ring_size, 1u << 16), i;

	memset(vq, 0, sizeof(*vq));
	if (nb_chans == 0 || nb_chans > UINT16_MAX || ring_size == 0)
		return -EINVAL;
	/* read at every completion, beside the device's: on its node */
	vq->owner = host->zalloc(size * sizeof(*vq->owner), 64, socket);
	vq->chans = host->zalloc(nb_chans * sizeof(*vq->chans), 64, socket);
	if (vq->owner == NULL || vq->chans == NULL) {
		netdma_vq_fini(vq, host);
		return -ENOMEM;
	}
	vq->ops = ops;
	vq->dev = dev;
	vq->ring_mask = size - 1;
	vq->nb_chans = nb_chans;
	for (i = 0; i < nb_chans; i++) {
		vq->chans[i].vq = vq;
		vq->chans[i].id = i;
		vq->chans[i].weight = 1;
	}
	return 0;
}

void
netdma_vq_fini(struct netdma_vq *vq, const struct netdma_engine_host *host)
{
	if (vq->owner != NULL)
		host->free(vq->owner);
	if (vq->chans != NULL)
		host->free(vq->chans);
	vq->owner = NULL;
	vq->chans = NULL;
}

struct netdma_vq_chan *
netdma_vq_chan(struct netdma_vq *vq, uint32_t id)
{
	return id < vq->nb_chans ? &vq->chans[id] : NULL;
}

/* Keep vq->contending the number of channels with ops out or waiting. */
static void
recount(struct netdma_vq *vq, struct netdma_vq_chan *c)
{
	bool now = c->inflight > 0 || c->waiting;

	if (now != c->contending) {
		c->contending = now;
		if (now) {
			vq->contending++;
			vq->weights += c->weight;
		} else {
			vq->contending--;
			vq->weights -= c->weight;
		}
	}
}

void
netdma_vq_chan_set_priority(struct netdma_vq_chan *c, uint32_t priority)
{
	uint32_t w = priority < NETDMA_VQ_MAX_WEIGHT ? priority + 1 : NETDMA_VQ_MAX_WEIGHT;

	if (c->contending)
		c->vq->weights = c->vq->weights - c->weight + w;
	c->weight = w;
}

/* One op of @p c came back from the device with @p status (0: success). */
static void
route(struct netdma_vq *vq, struct netdma_vq_chan *c, int status)
{
	c->inflight--;
	recount(vq, c);
	if (c->failed) {
		c->after_fail++;   /* behind its failure: the engine discards it */
	} else if (status == 0) {
		c->ok++;
	} else {
		c->failed = true;
		c->fail_status = status;
		vq->errors++;
	}
}

static inline struct netdma_vq_chan *
owner_of_next(struct netdma_vq *vq)
{
	return &vq->chans[vq->owner[vq->head++ & vq->ring_mask]];
}

/*
 * Take what the device has finished and give each op to its channel.  At a
 * failure the device may stop until its statuses are read: read them one
 * by one there, so that the failed op goes to its channel alone.
 */
static void
harvest(struct netdma_vq *vq)
{
	int status[HARVEST_BATCH];
	uint32_t n, i;
	bool err;

	while (vq->head != vq->tail) {
		err = false;
		n = vq->ops->completed(vq->dev, HARVEST_BATCH, &err);
		for (i = 0; i < n; i++)
			route(vq, owner_of_next(vq), 0);
		if (err) {
			n = vq->ops->completed_status(vq->dev, HARVEST_BATCH, status);
			for (i = 0; i < n && vq->head != vq->tail; i++)
				route(vq, owner_of_next(vq), status[i]);
			continue;
		}
		if (n < HARVEST_BATCH)
			break;
	}
}

void
netdma_vq_chan_reset(struct netdma_vq_chan *c)
{
	/* ops still at the device keep their count: they route back to this slot */
	c->waiting = false;
	recount(c->vq, c);
	netdma_vq_chan_set_priority(c, 0);
}

bool
netdma_vq_chan_busy(struct netdma_vq_chan *c)
{
	if (c->inflight == 0)
		return false;
	harvest(c->vq);   /* count what has finished since the last poll */
	return c->inflight != 0;
}

int
netdma_vq_chan_take(struct netdma_vq_chan *c)
{
	if (netdma_vq_chan_busy(c))
		return -EBUSY;
	/* the last user's engine is gone: nothing it left is the new one's */
	c->ok = 0;
	c->failed = false;
	c->fail_status = 0;
	c->after_fail = 0;
	c->ops = 0;
	return 0;
}

static int
vq_copy(void *be, netdma_iova_t src, netdma_iova_t dst, uint32_t len, uint64_t flags)
{
	struct netdma_vq_chan *c = be;
	struct netdma_vq *vq = c->vq;
	int ret;

	if (vq->tail - vq->head > vq->ring_mask)
		return -ENOSPC;
	ret = vq->ops->copy(vq->dev, src, dst, len, flags);
	if (ret < 0)
		return ret;
	vq->owner[vq->tail++ & vq->ring_mask] = (uint16_t)c->id;
	c->inflight++;
	c->waiting = false;
	recount(vq, c);
	c->ops++;
	return 0;
}

static void
vq_submit(void *be)
{
	struct netdma_vq_chan *c = be;

	c->vq->ops->submit(c->vq->dev);
}

/*
 * Free slots for this channel: what the device has, up to its share of
 * the ring among the channels contending for it (itself counted), in
 * proportion to their weights, and
 * never less than one descriptor's worth (a 2.0 page break takes three
 * ops).  A channel refused here contends from now on, so the others' share
 * shrinks until it gets its turn.
 */
static uint32_t
vq_capacity(void *be)
{
	struct netdma_vq_chan *c = be;
	struct netdma_vq *vq = c->vq;
	uint32_t ring = vq->ring_mask + 1, weights = vq->weights + (c->contending ? 0 : c->weight);
	uint32_t room = ring - (uint32_t)(vq->tail - vq->head);
	uint32_t share = (uint32_t)((uint64_t)ring * c->weight / weights);
	uint32_t dev = vq->ops->capacity(vq->dev);

	if (share < NETDMA_MAX_SEGMENTS)
		share = NETDMA_MAX_SEGMENTS;
	share = share > c->inflight ? share - c->inflight : 0;
	if (dev > room)
		dev = room;
	if (share < dev)
		dev = share;
	if (dev == 0 && !c->waiting) {
		c->waiting = true;
		recount(vq, c);
	}
	return dev;
}

static uint32_t
vq_completed(void *be, uint32_t max, bool *has_error)
{
	struct netdma_vq_chan *c = be;
	uint32_t n;

	/*
	 * Ask the device only when this channel has ops there and nothing
	 * routed back yet: the channels of a queue are polled one after the
	 * other, and the first one's harvest routes everyone's completions,
	 * so the others need not call the device again in the same pass.
	 */
	if (c->ok == 0 && !c->failed && c->inflight > 0)
		harvest(c->vq);
	n = c->ok < max ? c->ok : max;
	c->ok -= n;
	*has_error = c->failed && c->ok == 0;
	return n;
}

/* The channel's finished ops whatever their status: its failure and what followed. */
static uint32_t
vq_discard(void *be, uint32_t max)
{
	struct netdma_vq_chan *c = be;
	uint32_t n = 0, k;

	harvest(c->vq);
	k = c->ok < max ? c->ok : max;
	c->ok -= k;
	n += k;
	if (n < max && c->failed) {
		c->failed = false;
		n++;
	}
	k = c->after_fail < max - n ? c->after_fail : max - n;
	c->after_fail -= k;
	return n + k;
}

static int
vq_error_status(void *be)
{
	return ((struct netdma_vq_chan *)be)->fail_status;
}

const struct netdma_backend_ops netdma_vq_backend_ops = {
	.copy = vq_copy,
	.submit = vq_submit,
	.capacity = vq_capacity,
	.completed = vq_completed,
	.discard = vq_discard,
	.error_status = vq_error_status,
};
