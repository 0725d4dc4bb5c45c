/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A channel's life: allocation on a provider, its lcore, Free, counters,
 * the ISR/DPC upcalls and the drain of provider Stop.  The transfer calls
 * are in netdma_chan_calls.c, memory and address checks in
 * netdma_chan_mem.c.  Lock order: registry lock, then a channel lock, then
 * nothing; never the registry lock while holding a channel lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_per_lcore.h>

#include "netdma_chain.h"
#include "netdma_internal.h"


const struct netdma_channel_params *
netdma_chan_params(void *handle)
{
	return &((struct netdma_chan *)handle)->params;
}

void
netdma_chan_set_error(void *handle, const char *fmt, ...)
{
	struct netdma_chan *c = handle;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->core.last_error, sizeof(c->core.last_error), fmt, ap);
	va_end(ap);
	/* a consumer may halt its channels at will: netdma_chan_last_error() tells it */
	NETDMA_LOG(DEBUG, "channel on lcore %u (%s): %s\n", c->lcore, c->prov->name,
		   c->core.last_error);
}

/* Every state change of a channel: logged, and told to a service that asked. */
static void
chan_state_changed(void *arg, int old, int new, enum netdma_chan_event ev)
{
	struct netdma_chan *c = arg;

	NETDMA_LOG(DEBUG, "channel %p on lcore %u: %s -> %s (%s)\n", (void *)c, c->lcore,
		   netdma_chan_state_name(old), netdma_chan_state_name(new), netdma_event_name(ev));
	if (c->state_cb != NULL)
		c->state_cb(c->state_cb_arg, old, new, ev);
}

/* ---- lcore choice ----------------------------------------------------- */

/*
 * A service lcore owns a channel only when the mask names it: nothing but
 * the rte_service mapped there (netdma_service_register()) polls it, so a
 * zero mask never lands a channel on one.
 */
static bool
lcore_allowed(const struct netdma_channel_params *p, unsigned int l)
{
	uint64_t mask;
	bool named;

	if (l >= RTE_MAX_LCORE)
		return false;
	if (p->revision >= NETDMA_CHANNEL_REVISION_2) {
		const struct netdma_group_affinity *g = &p->processor_affinity_mask_ex;

		mask = g->mask;
		named = mask != 0 && l / 64 == g->group && (mask >> (l % 64)) & 1;
	} else {
		mask = p->processor_affinity_mask;
		named = mask != 0 && l < 32 && (mask >> l) & 1;
	}
	if (mask != 0 && !named)
		return false;
	return rte_lcore_is_enabled(l) || (named && rte_lcore_has_role(l, ROLE_SERVICE));
}

int
netdma_pick_lcore(const struct netdma_channel_params *p, int preferred)
{
	unsigned int l;

	if (preferred >= 0 && lcore_allowed(p, (unsigned int)preferred))
		return preferred;
	RTE_LCORE_FOREACH(l)
		if (lcore_allowed(p, l))
			return (int)l;
	for (l = 0; l < RTE_MAX_LCORE; l++)
		if (rte_lcore_has_role(l, ROLE_SERVICE) && lcore_allowed(p, l))
			return (int)l;
	return -EINVAL;
}

/* ---- allocation --------------------------------------------------------- */

/*
 * Freed channels, oldest first.  Their memory is never handed back to the
 * heap, so a stale handle reads a dead magic instead of freed memory, and
 * they are reused FIFO so that a stale handle stays dead as long as
 * possible (the ABA limit is documented in netdma.h).  Protected by the
 * registry lock.  The memory is libc's, not DPDK's: no default validator
 * lets a descriptor reach a channel.
 */
static struct netdma_chan_list free_chans = TAILQ_HEAD_INITIALIZER(free_chans);

/*
 * Every channel memory ever made, by id (struct netdma_chan.id); it only
 * grows, as that memory is never freed.  Registry lock.
 */
static struct netdma_chan **chan_ids;
static uint32_t nb_chan_ids, chan_ids_cap;

uint32_t
netdma_chan_id_count_locked(void)
{
	return nb_chan_ids;
}

struct netdma_chan *
netdma_chan_by_id_locked(uint32_t id)
{
	return id < nb_chan_ids && netdma_chan_live(chan_ids[id]) ? chan_ids[id] : NULL;
}

/* New channel memory with the next id; NULL when out of memory. */
static struct netdma_chan *
chan_new_locked(void)
{
	struct netdma_chan *c;
	void *mem;

	if (nb_chan_ids == chan_ids_cap) {
		uint32_t cap = chan_ids_cap ? chan_ids_cap * 2 : 64;
		struct netdma_chan **v = realloc(chan_ids, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		chan_ids = v;
		chan_ids_cap = cap;
	}
	if (posix_memalign(&mem, RTE_CACHE_LINE_SIZE, sizeof(*c)) != 0)
		return NULL;
	c = mem;
	c->magic = NETDMA_CHAN_MAGIC_FREED;   /* never live until netdma_chan_alloc() says so */
	c->id = nb_chan_ids;
	chan_ids[nb_chan_ids++] = c;
	return c;
}

/* A zeroed channel, not live yet: the oldest freed one, or new memory. */
static struct netdma_chan *
chan_get(void)
{
	struct netdma_chan *c;
	uint32_t id;

	rte_spinlock_lock(&netdma_registry_lock);
	c = TAILQ_FIRST(&free_chans);
	if (c != NULL)
		TAILQ_REMOVE(&free_chans, c, prov_link);
	else
		c = chan_new_locked();
	rte_spinlock_unlock(&netdma_registry_lock);
	if (c == NULL)
		return NULL;
	id = c->id;
	memset(c, 0, sizeof(*c));
	c->magic = NETDMA_CHAN_MAGIC_FREED;
	c->id = id;
	rte_spinlock_init(&c->lock);
	return c;
}

/* Kill the handle and keep the memory for a later allocation. */
static void
chan_put(struct netdma_chan *c)
{
	__atomic_store_n(&c->magic, NETDMA_CHAN_MAGIC_FREED, __ATOMIC_RELEASE);
	rte_free(c->reseed);
	c->reseed = NULL;
	rte_free(c->checked.e);
	c->checked.e = NULL;
	c->prov = NULL;
	c->prov_ctx = NULL;
	rte_spinlock_lock(&netdma_registry_lock);
	TAILQ_INSERT_TAIL(&free_chans, c, prov_link);
	rte_spinlock_unlock(&netdma_registry_lock);
}

int
netdma_chan_alloc(uint32_t provider_id, const struct netdma_chan_conf *conf,
		  struct netdma_chan **out)
{
	struct netdma_provider *p = netdma_provider_get(provider_id);
	struct netdma_chan *c;
	netdma_iova_t cw_iova;
	int ret;

	if (out == NULL || conf == NULL)
		return -EINVAL;
	if (p == NULL || !p->registered || !p->started) {
		NETDMA_LOG(DEBUG, "alloc: provider %u absent or not started (spec §8 rule 1)\n", provider_id);
		return -ENODEV;
	}
	if (p->powered_down)
		return -EAGAIN;
	if (conf->completion_word == NULL || ((uintptr_t)conf->completion_word & 7)) {
		NETDMA_LOG(ERR, "alloc: completion word missing or not 8-byte aligned\n");
		return -EINVAL;
	}
	cw_iova = netdma_virt2iova((const void *)conf->completion_word);
	if (cw_iova == NETDMA_BAD_IOVA) {
		NETDMA_LOG(ERR, "alloc: completion word is not in DMA-visible memory\n");
		return -EFAULT;
	}

	c = chan_get();
	if (c == NULL)
		return -ENOMEM;
	/* two slots: a 2.0 chain's last descriptor must pre-link the next one */
	c->reseed = rte_zmalloc("netdma_reseed", NETDMA_RESEED_BYTES, 64);
	c->reseed_iova = c->reseed != NULL ? netdma_virt2iova(c->reseed) : NETDMA_BAD_IOVA;
	if (c->reseed_iova == NETDMA_BAD_IOVA) {
		ret = -ENOMEM;
		goto err;
	}
	c->reseed[0].control_flags = NETDMA_F_NULL_TRANSFER;
	if (p->c.major_version >= 2)
		c->reseed[0].next_descriptor = netdma_virt2iova(&c->reseed[1]);
	c->prov = p;
	c->version = (uint16_t)(p->c.major_version << 8 | p->c.minor_version);
	c->provider_id = p->id;
	netdma_core_init(&c->core, p->c.major_version, chan_state_changed, c);
	c->addr_check = netdma_dpdk_range_ok;
	c->intr_cb = conf->intr_cb;
	c->intr_arg = conf->intr_arg;
	c->params.revision = NETDMA_CHANNEL_REVISION_2;
	c->params.size = NETDMA_CHANNEL_PARAMS_SIZE_REV2;
	c->params.completion_virtual_address = conf->completion_word;
	c->params.completion_physical_address = cw_iova;
	c->params.processor_affinity_mask = conf->lcore_group == 0 ? (uint32_t)conf->lcore_mask : 0;
	c->params.channel_priority = conf->priority;
	c->params.processor_affinity_mask_ex.mask = conf->lcore_mask;
	c->params.processor_affinity_mask_ex.group = conf->lcore_group;
	if (conf->lcore_mask != 0 && netdma_pick_lcore(&c->params, -1) < 0) {
		NETDMA_LOG(ERR, "alloc: the lcore mask allows no enabled lcore\n");
		ret = -EINVAL;
		goto err;
	}
	/* spec §12.16 leaves the initial value open: "nothing retired yet" */
	__atomic_store_n(conf->completion_word,
			 netdma_completion_encode(0, NETDMA_STATUS_ARMED), __ATOMIC_RELEASE);

	ret = p->c.allocate_dma_channel(p->ctx, &c->params, c, &c->prov_ctx);
	if (ret < 0) {
		ret = netdma_status_to_errno(ret);
		/* no free channel is an answer, not an event: the caller has the errno */
		NETDMA_LOG(DEBUG, "alloc on '%s' failed: %d\n", p->name, ret);
		goto err;
	}
	/* spec §3.2: the provider must report a CpuNumber inside the mask */
	if (!lcore_allowed(&c->params, c->params.cpu_number)) {
		NETDMA_LOG(ERR, "alloc on '%s': provider chose lcore %u outside the mask\n",
			   p->name, c->params.cpu_number);
		p->c.free_dma_channel(c->prov_ctx);
		ret = -EINVAL;
		goto err;
	}
	c->lcore = c->params.cpu_number;

	rte_spinlock_lock(&netdma_registry_lock);
	if (!p->started) {   /* raced with netdma_provider_stop() */
		rte_spinlock_unlock(&netdma_registry_lock);
		p->c.free_dma_channel(c->prov_ctx);
		ret = -ENODEV;
		goto err;
	}
	TAILQ_INSERT_TAIL(&p->chans, c, prov_link);
	p->nb_chans++;
	rte_spinlock_unlock(&netdma_registry_lock);
	netdma_lcore_attach(c);
	/* published last: a handle is live only once everything above holds */
	__atomic_store_n(&c->magic, NETDMA_CHAN_MAGIC, __ATOMIC_RELEASE);
	*out = c;
	return 0;
err:
	chan_put(c);
	return ret;
}

int
netdma_chan_lcore(const struct netdma_chan *c)
{
	if (!netdma_chan_live(c))
		return -EINVAL;
	return (int)c->lcore;
}

int
netdma_chan_version(const struct netdma_chan *c)
{
	if (!netdma_chan_live(c))
		return -EINVAL;
	return c->version;   /* cached: a revoked channel's provider may be gone */
}

/*
 * What an engine may still read or write without another consumer call:
 * descriptors it holds, ops of aborted ones it has not handed back, and a
 * running (or suspending) channel's descriptors still to fetch.  Pollers
 * park, regions go and the daemon stops on this.
 */
int
netdma_chan_outstanding_locked(struct netdma_chan *c, struct netdma_chan_progress *p)
{
	int st = c->core.state;

	memset(p, 0, sizeof(*p));
	if (c->prov_ctx == NULL)
		return 0;
	c->prov->c.query_dma_channel(c->prov_ctx, p);
	return p->inflight + p->zombie_ops +
		((st == NETDMA_CHAN_RUNNING || st == NETDMA_CHAN_SUSPENDING) && p->more);
}

/*
 * Free's "nothing outstanding" (spec §3.3, §8 rule 10) counts one thing
 * more: a suspended channel's descriptors still to fetch, which Resume
 * would fetch.
 */
static bool
free_outstanding_locked(struct netdma_chan *c, struct netdma_chan_progress *p)
{
	return netdma_chan_outstanding_locked(c, p) > 0 ||
		(c->core.state == NETDMA_CHAN_SUSPENDED && p->more);
}

int
netdma_chan_free(struct netdma_chan *c)
{
	struct netdma_chan_progress pr;
	struct netdma_provider *p;
	bool revoked;
	int ret;

	ret = netdma_chan_enter(c, NETDMA_OP_FREE);
	if (ret < 0)
		return ret;
	if (c->detached && c->core.state != NETDMA_CHAN_REVOKED)
		return netdma_chan_leave(c, netdma_core_fail(&c->core, -EBUSY, "provider is stopping: retry Free "
						 "once it has revoked the channel"));
	if (free_outstanding_locked(c, &pr))
		return netdma_chan_leave(c, netdma_core_fail(&c->core, -EBUSY, "free with work outstanding (%u in "
						 "flight, %u aborted ops pending%s): Abort first, "
						 "or let it finish", pr.inflight, pr.zombie_ops,
						 pr.more ? ", more to fetch" : ""));
	p = c->prov;
	revoked = c->core.state == NETDMA_CHAN_REVOKED;
	if (!revoked) {
		p->c.free_dma_channel(c->prov_ctx);
		c->prov_ctx = NULL;
	}
	netdma_core_event(&c->core, NETDMA_OP_FREE);   /* pollers skip it from now on */
	rte_spinlock_unlock(&c->lock);

	if (!revoked) {
		netdma_lcore_detach(c);
		rte_spinlock_lock(&netdma_registry_lock);
		TAILQ_REMOVE(&p->chans, c, prov_link);
		p->nb_chans--;
		rte_spinlock_unlock(&netdma_registry_lock);
	}
	chan_put(c);
	return 0;
}

/* ---- stats ---------------------------------------------------------------- */

int
netdma_chan_stats_get(const struct netdma_chan *cc, struct netdma_chan_stats *st)
{
	struct netdma_chan *c = (struct netdma_chan *)(uintptr_t)cc;
	struct netdma_chan_progress pr;

	if (!netdma_chan_live(c) || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	rte_spinlock_lock(&c->lock);
	st->outstanding = (uint32_t)netdma_chan_outstanding_locked(c, &pr);
	st->device_ops = pr.device_ops;
	st->descriptors_retired = pr.descriptors_retired;
	st->bytes_copied = pr.bytes_copied;
	st->starts = c->starts;
	st->appends = c->appends;
	st->interrupts = c->interrupts;
	st->errors = c->errors;
	st->state = c->core.state;
	st->completion_word = netdma_completion_read(c->params.completion_virtual_address);
	rte_spinlock_unlock(&c->lock);
	return 0;
}

const char *
netdma_chan_last_error(const struct netdma_chan *c)
{
	return netdma_chan_live(c) ? c->core.last_error : "no channel (NULL or freed handle)";
}

/* ---- interrupts: ISR/DPC (spec §2.5, §2.6, §6.2) ------------------------- */

void
netdma_isr(void *handle, netdma_iova_t last_completed __rte_unused, uint32_t *cpu_number)
{
	struct netdma_chan *c = handle;

	if (cpu_number != NULL)
		*cpu_number = c->lcore;
}

/* Called by the provider with the channel lock held: record, deliver later. */
void
netdma_interrupt_dpc(void *handle, netdma_iova_t last_completed)
{
	struct netdma_chan *c = handle;

	if (last_completed == 0) {
		/* spec §6.3: an error; Start is required before any Append */
		netdma_core_event(&c->core, NETDMA_EV_ERROR);
		c->errors++;
		c->dpc_error_pending = true;
		return;
	}
	c->dpc_pending = true;
	c->dpc_pa = last_completed;
}

/* One engine tick; the channel lock is held. */
int
netdma_chan_poll_locked(struct netdma_chan *c)
{
	if (c->prov_ctx == NULL || c->core.state == NETDMA_CHAN_REVOKED)
		return 0;
	return c->prov->c.poll_dma_channel(c->prov_ctx);
}

/*
 * Wait until the engine holds nothing of this channel (spec §2.4), polling it
 * from here (the owner may be idle or absent).  Past the timeout the channel
 * is aborted, then its aborted ops get the same time to come back.  A
 * suspended channel whose engine holds nothing is left as it is, with
 * -ECANCELED: its unfetched descriptors wait for a Resume only its consumer
 * can give (Stop abandons them, power-down keeps them).
 */
int
netdma_chan_drain(struct netdma_chan *c, unsigned int timeout_ms)
{
	struct netdma_chan_progress pr;
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * timeout_ms;
	bool aborted = false;
	int left;

	for (;;) {
		rte_spinlock_lock(&c->lock);
		netdma_chan_poll_locked(c);
		left = netdma_chan_outstanding_locked(c, &pr);
		if (left == 0 && c->core.state == NETDMA_CHAN_SUSPENDED && pr.more) {
			rte_spinlock_unlock(&c->lock);
			return -ECANCELED;
		}
		if (left > 0 && !aborted && rte_get_timer_cycles() > deadline) {
			if (c->prov->c.abort_dma != NULL && c->prov_ctx != NULL)
				c->prov->c.abort_dma(c->prov_ctx);
			/* a halted channel's aborted ops drain: its state and reason stand */
			if (netdma_state_next(c->core.state, NETDMA_OP_ABORT) >= 0)
				netdma_core_event(&c->core, NETDMA_OP_ABORT);
			aborted = true;
			deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * timeout_ms;
		}
		rte_spinlock_unlock(&c->lock);
		if (left == 0)
			return aborted ? -ETIMEDOUT : 0;
		if (aborted && rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(10);
	}
}
