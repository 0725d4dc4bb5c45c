/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transfer calls of a channel: Start, Append, Suspend, Resume, Abort,
 * Reset.  Every rule is the channel core's (netdma_core.h): these take the
 * channel lock, ask the core, call the provider, and tell the core what
 * happened.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_pause.h>

#include "netdma_chain.h"
#include "netdma_engine.h"
#include "netdma_internal.h"

/*
 * Common entry: lock, check the transition (spec §8).  On success the lock is
 * held and the target state returned; on failure the lock is released.
 */
int
netdma_chan_enter(struct netdma_chan *c, enum netdma_chan_event op)
{
	int next;

	if (!netdma_chan_live(c))
		return -EINVAL;   /* NULL, or freed: nothing of it may be used */
	rte_spinlock_lock(&c->lock);
	next = netdma_core_allows(&c->core, op);
	if (next < 0) {
		rte_spinlock_unlock(&c->lock);
		return next;
	}
	if (op != NETDMA_OP_FREE && c->prov->powered_down) {
		netdma_core_fail(&c->core, -EAGAIN, "provider powered down");
		rte_spinlock_unlock(&c->lock);
		return -EAGAIN;
	}
	return next;
}

int
netdma_chan_leave(struct netdma_chan *c, int ret)
{
	rte_spinlock_unlock(&c->lock);
	return ret;
}

int
netdma_chan_set_check_at_fetch(struct netdma_chan *c, bool enable)
{
	if (!netdma_chan_live(c))
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	c->core.check_at_fetch = enable;
	netdma_checked_block(&c->checked);   /* the engine checks what comes next itself */
	rte_spinlock_unlock(&c->lock);
	return 0;
}

int
netdma_chan_set_state_cb(struct netdma_chan *c, netdma_core_state_cb_t cb, void *arg)
{
	if (!netdma_chan_live(c))
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	c->state_cb = cb;
	c->state_cb_arg = arg;
	if (cb != NULL)   /* the state as of now, so the service starts from the truth */
		cb(arg, c->core.state, c->core.state, NETDMA_EV_MAX);
	rte_spinlock_unlock(&c->lock);
	return 0;
}

/* Room for @p need more entries, within NETDMA_CHECKED_MAX; false if not. */
static bool
checked_reserve(struct netdma_checked_fifo *f, uint32_t need, int socket)
{
	uint32_t want = netdma_checked_used(f) + need, size, i;
	struct netdma_checked_desc *e;

	if (f->e != NULL && want <= f->mask + 1)
		return true;
	if (want > NETDMA_CHECKED_MAX)
		return false;
	size = netdma_pow2_at_least(want < 32 ? 32 : want, NETDMA_CHECKED_MAX);
	e = rte_malloc_socket("netdma_checked", sizeof(*e) * size, RTE_CACHE_LINE_SIZE, socket);
	if (e == NULL)
		return false;
	for (i = f->head; i != f->tail; i++)
		e[i & (size - 1)] = f->e[i & f->mask];
	rte_free(f->e);
	f->e = e;
	f->mask = size - 1;
	return true;
}

/*
 * Where this call keeps the descriptors it checks for the engine's fetch,
 * or NULL.  Only an in-process consumer's chain, checked whole now against
 * the default validator: a service checks at fetch (its clients may
 * rewrite a descriptor after any check), another validator may answer
 * otherwise later, and while suspended the consumer may still edit the
 * chain (spec §3.6).  A Start drops what an old chain left (spec §3.4).
 */
static struct netdma_checked_fifo *
checked_for(struct netdma_chan *c, enum netdma_chan_event op, uint32_t count)
{
	struct netdma_checked_fifo *f = &c->checked;

	if (!f->reader || c->core.check_at_fetch || c->addr_check != netdma_dpdk_range_ok ||
	    c->core.state == NETDMA_CHAN_SUSPENDED || c->core.state == NETDMA_CHAN_SUSPENDING)
		return NULL;
	/* an Append issued as a Start after a power-up starts anew too */
	if (netdma_core_route(&c->core, op) == NETDMA_ROUTE_START)
		netdma_checked_flush(f);
	else if (c->core.major_version >= 2)
		netdma_checked_unblock(f);
	/*
	 * 1.x: the engine follows a link patched before the Append (spec
	 * §3.5) and may have fetched this chain already.  Only while entries
	 * are still ahead of it (the old tail among them) has it provably not.
	 */
	else if (f->head == f->tail || f->gap)
		return NULL;
	/* 1.x walks to the NULL link: the count is a guess there */
	if (f->blocked || !checked_reserve(f, c->core.major_version >= 2 ? count : 64,
					   (int)rte_lcore_to_socket_id(c->lcore)))
		return NULL;
	return f;
}

static int
submit(struct netdma_chan *c, enum netdma_chan_event op, struct netdma_descriptor *head,
       uint32_t count)
{
	struct netdma_range_cache cache;
	struct netdma_check_rules rules;
	netdma_iova_t pa, prelink;
	uint32_t kept_from;
	int ret;

	ret = netdma_chan_enter(c, op);
	if (ret < 0)
		return ret;
	netdma_chan_check_rules(c, &rules);
	rules.cache = &cache;   /* this call's only */
	netdma_range_cache_reset(&cache);
	rules.keep = checked_for(c, op, count);
	kept_from = c->checked.tail;
	pa = head != NULL ? netdma_virt2iova(head) : NETDMA_BAD_IOVA;
	ret = netdma_core_check_submit(&c->core, op, head, pa, count, &rules, &prelink);
	if (ret < 0) {
		NETDMA_LOG(DEBUG, "%s refused: %s\n", netdma_event_name(op), c->core.last_error);
		goto refused;
	}
	switch (netdma_core_route(&c->core, op)) {
	case NETDMA_ROUTE_DEFER:
		ret = 0;   /* Resume starts it */
		break;
	case NETDMA_ROUTE_START:
		ret = netdma_status_to_errno(c->prov->c.start_dma(c->prov_ctx, head, pa, count));
		break;
	default:
		ret = netdma_status_to_errno(c->prov->c.append_dma(c->prov_ctx, head, pa, count));
		break;
	}
	if (ret < 0) {
		netdma_core_fail(&c->core, ret, "provider refused %s: %d", netdma_event_name(op), ret);
		goto refused;
	}
	netdma_core_submitted(&c->core, op, pa, count, prelink);
	if (op == NETDMA_OP_START)
		c->starts++;
	else
		c->appends++;
	netdma_chan_leave(c, 0);
	netdma_lcore_kick(c->lcore);   /* a parked poller has work now */
	return 0;
refused:
	/* nothing of a refused chain may be taken for one the engine meets later */
	if (rules.keep != NULL && !c->checked.blocked)
		c->checked.tail = kept_from;
	return netdma_chan_leave(c, ret);
}

int
netdma_chan_start(struct netdma_chan *c, struct netdma_descriptor *head, uint32_t count)
{
	return submit(c, NETDMA_OP_START, head, count);
}

int
netdma_chan_append(struct netdma_chan *c, struct netdma_descriptor *head, uint32_t count)
{
	return submit(c, NETDMA_OP_APPEND, head, count);
}

/* Resume/Abort/Reset: optional provider callbacks (spec §3.6-3.8). */
static int
control(struct netdma_chan *c, enum netdma_chan_event op)
{
	netdma_dma_ctl_t fn;
	int ret;

	ret = netdma_chan_enter(c, op);
	if (ret < 0)
		return ret;
	fn = op == NETDMA_OP_RESUME ? c->prov->c.resume_dma :
		op == NETDMA_OP_ABORT ? c->prov->c.abort_dma : c->prov->c.reset_channel;
	if (op == NETDMA_OP_RESUME && c->core.deferred)
		/* re-seeded at power-up: the Appends made while suspended start now */
		ret = c->prov->c.start_dma(c->prov_ctx, netdma_iova2virt(c->core.deferred_head),
					   c->core.deferred_head, c->core.deferred_count);
	else
		ret = fn == NULL ? -ENOTSUP : fn(c->prov_ctx);
	ret = netdma_status_to_errno(ret);
	if (ret < 0)
		return netdma_chan_leave(c, netdma_core_fail(&c->core, ret, "%s failed: %d",
						 netdma_event_name(op), ret));
	if (op == NETDMA_OP_RESUME) {
		netdma_iova_t head;
		uint32_t count;

		netdma_core_take_deferred(&c->core, &head, &count);
	} else {
		netdma_checked_flush(&c->checked);   /* spec §3.7, §3.8: Start comes next */
	}
	netdma_core_event(&c->core, op);
	netdma_chan_leave(c, 0);
	netdma_lcore_kick(c->lcore);
	return 0;
}

/*
 * Suspend, first half: stop fetching.  The provider either stopped at
 * once (its last descriptor is known) or answers -EINPROGRESS and reports
 * the end of the descriptors it was processing from a later poll
 * (netdma_suspend_complete()): nothing waits here, so netdmad can run it
 * on a poller other channels share.
 */
int
netdma_chan_suspend_begin(struct netdma_chan *c)
{
	netdma_iova_t last = 0;
	int ret;

	ret = netdma_chan_enter(c, NETDMA_OP_SUSPEND);
	if (ret < 0)
		return ret;
	ret = c->prov->c.suspend_dma == NULL ? -ENOTSUP : c->prov->c.suspend_dma(c->prov_ctx, &last);
	if (ret != -EINPROGRESS) {
		ret = netdma_status_to_errno(ret);
		if (ret < 0)
			return netdma_chan_leave(c, netdma_core_fail(&c->core, ret, "suspend failed: %d", ret));
	}
	netdma_core_event(&c->core, NETDMA_OP_SUSPEND);
	/* spec §3.6: the consumer may edit the chain now; the engine reads it again */
	netdma_checked_block(&c->checked);
	if (ret == 0) {
		c->suspend_last = last;
		netdma_core_event(&c->core, NETDMA_EV_DRAINED);
	}
	netdma_chan_leave(c, 0);
	netdma_lcore_kick(c->lcore);   /* the poll completes it */
	return ret;
}

/* Called by the provider, channel lock held, when a -EINPROGRESS Suspend ends. */
void
netdma_suspend_complete(void *handle, int status, netdma_iova_t last)
{
	struct netdma_chan *c = handle;

	if (c->core.state != NETDMA_CHAN_SUSPENDING)
		return;   /* aborted or reset meanwhile: nothing to complete */
	if (status == 0) {
		c->suspend_last = last;
		netdma_core_event(&c->core, NETDMA_EV_DRAINED);
	} else {
		netdma_core_fail(&c->core, status, "suspend did not complete: the descriptors being "
				 "processed did not finish in time");
		netdma_core_event(&c->core, NETDMA_EV_DRAIN_TIMEOUT);
	}
}

/* The outcome of the channel's Suspend, while it is the last thing that happened to it. */
static int
suspend_outcome(const struct netdma_chan *c, netdma_iova_t *last)
{
	switch (c->core.state) {
	case NETDMA_CHAN_SUSPENDING:
		return -EINPROGRESS;
	case NETDMA_CHAN_SUSPENDED:
		*last = c->suspend_last;
		return 0;
	case NETDMA_CHAN_RUNNING:
		return -ETIMEDOUT;   /* the drain timed out: it runs on */
	case NETDMA_CHAN_REVOKED:
		return -ENODEV;
	default:
		return -EIO;         /* halted: an error, an Abort or a Reset came first */
	}
}

int
netdma_chan_suspend_poll(struct netdma_chan *c, netdma_iova_t *last)
{
	int ret;

	if (!netdma_chan_live(c) || last == NULL)
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	ret = suspend_outcome(c, last);
	rte_spinlock_unlock(&c->lock);
	return ret;
}

/*
 * The consumer's Suspend returns once the descriptors being processed have
 * completed (spec §3.6).  The caller polls the channel while it waits, so
 * that it completes also where no poller runs (the owner may be the
 * caller), and holds the channel lock only for one poll at a time.
 */
int
netdma_chan_suspend(struct netdma_chan *c, netdma_iova_t *last)
{
	netdma_iova_t dummy = 0, *out = last != NULL ? last : &dummy;
	int ret = netdma_chan_suspend_begin(c);

	if (ret == 0)
		return netdma_chan_suspend_poll(c, out);
	if (ret != -EINPROGRESS)
		return ret;
	for (;;) {
		rte_spinlock_lock(&c->lock);
		if (c->core.state == NETDMA_CHAN_SUSPENDING)
			netdma_chan_poll_locked(c);
		ret = suspend_outcome(c, out);
		rte_spinlock_unlock(&c->lock);
		if (ret != -EINPROGRESS)
			return ret;
		rte_pause();
	}
}

int
netdma_chan_resume(struct netdma_chan *c)
{
	return control(c, NETDMA_OP_RESUME);
}

int
netdma_chan_abort(struct netdma_chan *c)
{
	return control(c, NETDMA_OP_ABORT);
}

int
netdma_chan_reset(struct netdma_chan *c)
{
	return control(c, NETDMA_OP_RESET);
}
