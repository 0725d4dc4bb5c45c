/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software model of an I/OAT channel (spec §9) over a copy backend.  Runs
 * under the library's channel lock; the poll runs on the owner lcore.  No
 * EAL here: what the engine needs from outside comes from its host.
 */
#include <errno.h>
#include <string.h>

#include "netdma_engine_internal.h"
#include "netdma_relax.h"

/* How long Suspend waits for the descriptors already with the backend. */
#define SUSPEND_DRAIN_MS 2000

#define ENG_RING_ALIGN 64   /* a cache line */

int
netdma_engine_init(struct netdma_engine *eng, const struct netdma_engine_conf *conf,
		   const struct netdma_engine_host *host,
		   const struct netdma_backend_ops *ops, void *be, void *chan_handle)
{
	uint32_t size = netdma_pow2_at_least(conf->ring_size ? conf->ring_size : 1024, 1u << 31);

	memset(eng, 0, sizeof(*eng));
	eng->ring = host->zalloc(size * sizeof(*eng->ring), ENG_RING_ALIGN, conf->socket);
	if (eng->ring == NULL)
		return -ENOMEM;
	eng->ring_mask = size - 1;
	eng->host = host;
	eng->ops = ops;
	eng->be = be;
	eng->chan_handle = chan_handle;
	eng->cw = conf->cw;
	eng->burst = conf->burst ? conf->burst : 64;
	eng->poll_byte_budget = conf->poll_byte_budget;
	eng->max_inflight_bytes = conf->max_inflight_bytes;
	eng->rules = conf->rules;
	eng->iova_is_va = conf->iova_is_va;
	eng->rules.cache = &eng->range_cache;
	eng->rules.keep = NULL;
	eng->checked = conf->checked;
	if (eng->checked != NULL)
		eng->checked->reader = true;
	eng->state = NETDMA_ENG_STOPPED;
	return 0;
}

void
netdma_engine_fini(struct netdma_engine *eng)
{
	if (eng->ring != NULL)
		eng->host->free(eng->ring);
	eng->ring = NULL;
	if (eng->checked != NULL)
		eng->checked->reader = false;
}

/* Fetch nothing more: the chain's continuation is forgotten. */
void
netdma_engine_stop_fetching(struct netdma_engine *eng)
{
	eng->state = NETDMA_ENG_STOPPED;
	eng->next_pa = 0;
	eng->remaining = 0;
	eng->reread_tail = false;
	eng->serialize_wait = false;
	eng->suspending = false;   /* an error, Abort or Reset ends a drain: no upcall */
	eng->at_new_head = false;
	eng->seg_left = 0;
	eng->appends_nb = 0;
}

/* Stop fetching; ops still owned by the backend come back as zombies. */
static void
stop_engine(struct netdma_engine *eng)
{
	eng->zombie_ops += eng->pending_ops;
	eng->pending_ops = 0;
	eng->head = eng->tail;
	eng->inflight_bytes = 0;
	eng->head_ops_done = 0;
	netdma_engine_stop_fetching(eng);
	eng->fence_next = false;
	eng->halting = false;
}

static uint32_t reap_zombies(struct netdma_engine *eng);

/* Publish HALTED at the last retired descriptor and raise the error DPC. */
static void
report_halt(struct netdma_engine *eng, netdma_iova_t bad, const char *why, int status)
{
	netdma_engine_publish(eng, eng->last_retired, NETDMA_STATUS_HALTED);
	eng->host->halted(eng->chan_handle, bad, why, status);
}

/* spec §6.3, §11: error → Halted, error DPC (address 0), Start required. */
void
netdma_engine_halt_on_error(struct netdma_engine *eng, netdma_iova_t bad, const char *why, int status)
{
	stop_engine(eng);
	reap_zombies(eng);   /* a synchronous backend lets go at once */
	report_halt(eng, bad, why, status);
}

/* Let the backend hand back ops of aborted descriptors; they retire nothing. */
static uint32_t
reap_zombies(struct netdma_engine *eng)
{
	uint32_t n, done = 0;
	bool err = false;

	while (eng->zombie_ops > 0) {
		n = eng->ops->completed(eng->be, eng->zombie_ops, &err);
		if (err)
			n += eng->ops->discard(eng->be, eng->zombie_ops - n);
		if (n == 0)
			break;
		eng->zombie_ops -= ENG_MIN(n, eng->zombie_ops);
		done += n;
	}
	return done;
}

/*
 * In-order retirement (spec §6.1); publishes the completion word once.
 * Without @p ask_device only what needs no op (NULL, context change) at
 * the head retires.
 */
static uint32_t
retire(struct netdma_engine *eng, bool ask_device)
{
	netdma_iova_t status_pa = 0, irq_pa = 0, last = 0;
	uint32_t n = 0, retired = 0, head;
	uint64_t bytes = 0;
	bool err = false;

	if (ask_device)
		retired += reap_zombies(eng);
	if (eng->zombie_ops > 0 || eng->head == eng->tail)
		return retired;
	if (ask_device && eng->pending_ops > 0) {
		n = eng->ops->completed(eng->be, eng->pending_ops, &err);
		eng->pending_ops -= n;
	}

	/* in locals: the compiler cannot tell the ring's stores from the engine's fields */
	head = eng->head;
	while (head != eng->tail) {
		const struct netdma_engine_inflight *r = &eng->ring[head & eng->ring_mask];
		uint32_t need = r->nops - eng->head_ops_done;

		if (need > n) {
			eng->head_ops_done += n;
			n = 0;
			break;
		}
		/* NULL and context-change records (need 0) retire here, in order */
		n -= need;
		eng->head_ops_done = 0;
		head++;
		last = r->pa;
		bytes += r->bytes;
		if (r->control_flags & NETDMA_F_STATUS_UPDATE_ON_COMPLETION)
			status_pa = r->pa;
		if (r->control_flags & NETDMA_F_INTERRUPT_ON_COMPLETION)
			irq_pa = r->pa;
		retired++;
	}
	if (head != eng->head) {
		eng->descriptors_retired += head - eng->head;
		eng->head = head;
		eng->last_retired = last;
		eng->bytes_copied += bytes;
		eng->inflight_bytes -= bytes;
	}

	if (status_pa != 0) {
		bool idle = status_pa == eng->last_retired && eng->head == eng->tail &&
			!netdma_engine_more_to_fetch(eng);

		netdma_engine_publish(eng, status_pa, idle ? NETDMA_STATUS_IDLE : NETDMA_STATUS_ACTIVE);
	}
	if (irq_pa != 0)
		eng->host->interrupt(eng->chan_handle, irq_pa);
	if (err) {
		/* the op after the good ones failed: it belongs to ring[head] */
		netdma_iova_t bad = eng->ring[eng->head & eng->ring_mask].pa;

		netdma_engine_halt_on_error(eng, bad, "the engine reported a failed copy",
			      eng->ops->error_status != NULL ? eng->ops->error_status(eng->be) : 0);
	}
	return retired;
}

/*
 * A Suspend waiting for the descriptors being processed: done once the
 * backend holds nothing of the channel, or given up at the deadline.
 */
static uint32_t
finish_suspend(struct netdma_engine *eng)
{
	if (eng->head == eng->tail) {
		eng->suspending = false;
		netdma_engine_publish(eng, eng->last_retired, NETDMA_STATUS_SUSPEND);
		eng->host->suspended(eng->chan_handle, 0, eng->last_retired);
		return 1;
	}
	if (eng->host->now_us() > eng->suspend_deadline_us) {
		eng->suspending = false;
		eng->state = NETDMA_ENG_RUNNING;
		eng->host->suspended(eng->chan_handle, -ETIMEDOUT, 0);
		return 1;
	}
	return 0;
}

int
netdma_engine_poll(struct netdma_engine *eng)
{
	uint32_t work = retire(eng, true);
	uint32_t fed;

	if (eng->suspending)
		work += finish_suspend(eng);

	if (eng->state == NETDMA_ENG_RUNNING) {
		fed = netdma_engine_feed(eng);
		/*
		 * A synchronous backend (the CPU) is already done: retire now.  A
		 * device was asked before feeding: what needs no op retires now.
		 */
		if (fed > 0)
			work += fed + retire(eng, eng->ops->synchronous);
	}
	if (eng->halting && eng->head == eng->tail) {
		eng->halting = false;
		report_halt(eng, eng->halt_pa, eng->halt_why, 0);
		work++;
	}
	return (int)work;
}

int
netdma_engine_start(struct netdma_engine *eng, netdma_iova_t pa, uint32_t count)
{
	eng->halting = false;   /* a new chain: a pending halt of the old one is moot */
	if (eng->head == eng->tail) {
		/* nothing of an old chain left to retire: nothing retired since this Start */
		eng->last_retired = 0;
		eng->fence_next = false;
	}
	/*
	 * spec §5.2, §6.1: Armed until something retires, on every Start - a
	 * finished or suspended channel's word must not still say Idle or
	 * Suspend of the old chain.  What the backend still holds of an old
	 * chain retires as Active: the new chain is more to fetch.
	 */
	netdma_engine_publish(eng, 0, NETDMA_STATUS_ARMED);
	/* spec §3.4: what the backend holds finishes; the rest is abandoned */
	/* consumers' heads never name a re-seed slot: only the library does */
	eng->internal_chain = eng->host->desc_internal(eng->chan_handle, pa);
	eng->fetch_budget = NETDMA_CHAIN_MAX;
	eng->next_pa = pa;
	eng->remaining = count;
	eng->seg_left = count;
	eng->appends_nb = 0;
	eng->reread_tail = false;
	eng->suspending = false;   /* a Start ends a drain too: the caller's state says so */
	eng->at_new_head = true;
	eng->state = NETDMA_ENG_RUNNING;
	return 0;
}

int
netdma_engine_append(struct netdma_engine *eng, netdma_iova_t pa, uint32_t count)
{
	uint32_t last;

	/*
	 * Both styles reach the new work through links, as I/OAT does: 1.x
	 * through the patched tail (spec §3.5, rule 5), 2.0 by count from the
	 * pre-linked slot (DMACOUNT), which must be @p pa: that is checked
	 * when the engine gets there (next_append()).
	 */
	if (eng->state == NETDMA_ENG_STOPPED)
		return -EPERM;
	if (eng->rules.major_version >= 2) {
		if (count > UINT32_MAX - eng->remaining)
			return -E2BIG;   /* a consumer far ahead of its engine */
		eng->remaining += count;
		if (eng->appends_nb < NETDMA_ENGINE_APPENDS) {
			last = (eng->appends_first + eng->appends_nb++) % NETDMA_ENGINE_APPENDS;
			eng->appends[last].head = pa;
			eng->appends[last].count = count;
		} else {
			last = (eng->appends_first + eng->appends_nb - 1) % NETDMA_ENGINE_APPENDS;
			eng->appends[last].count += count;   /* its head alone is checked */
		}
	} else {
		netdma_engine_budget_add(eng);
		/* spec §3.5, rule 5: the tail was already fetched; re-read it */
		if (eng->next_pa == 0)
			eng->reread_tail = true;
	}
	return 0;
}

/*
 * spec §3.6: the descriptors being processed complete, nothing new starts.
 * Never waits (the caller may be a poller other channels share): with
 * nothing at the backend it is suspended now; else -EINPROGRESS, and the
 * poll that sees the backend let go reports it (host->suspended).
 */
int
netdma_engine_suspend(struct netdma_engine *eng, netdma_iova_t *last)
{
	if (eng->state != NETDMA_ENG_RUNNING)
		return -EPERM;
	eng->state = NETDMA_ENG_SUSPENDED;
	retire(eng, true);
	if (eng->state != NETDMA_ENG_SUSPENDED)
		return -EIO;   /* a copy had failed: the channel halted */
	if (eng->head != eng->tail) {
		eng->suspending = true;
		eng->suspend_deadline_us = eng->host->now_us() + SUSPEND_DRAIN_MS * 1000ull;
		return -EINPROGRESS;
	}
	netdma_engine_publish(eng, eng->last_retired, NETDMA_STATUS_SUSPEND);
	*last = eng->last_retired;
	return 0;
}

int
netdma_engine_resume(struct netdma_engine *eng)
{
	if (eng->state != NETDMA_ENG_SUSPENDED || eng->suspending)
		return -EPERM;
	eng->state = NETDMA_ENG_RUNNING;
	netdma_engine_budget_add(eng);   /* the consumer may have relinked a new chain in */
	/* spec §3.6: reload the last processed descriptor for its (new) next */
	if (eng->last_retired != 0 && !eng->at_new_head) {
		/* no window from before the suspension is trusted */
		netdma_range_cache_reset(&eng->range_cache);
		/* drained, that is the tail: an Append's pending re-read is this one */
		eng->reread_tail = false;
		eng->next_pa = netdma_engine_reread_link(eng, eng->last_retired);
	}
	return 0;
}

int
netdma_engine_abort(struct netdma_engine *eng)
{
	/* spec §3.7: immediately; what the backend holds is never reported */
	stop_engine(eng);
	netdma_engine_publish(eng, eng->last_retired, NETDMA_STATUS_HALTED);
	return 0;
}

int
netdma_engine_reset(struct netdma_engine *eng)
{
	netdma_engine_abort(eng);
	/* spec §3.8: no earlier descriptor may be referenced again */
	eng->last_retired = 0;
	eng->tail_pa = 0;
	eng->dca_target = 0;
	eng->internal_chain = false;
	return 0;
}

int
netdma_engine_query(struct netdma_engine *eng, struct netdma_chan_progress *p)
{
	p->inflight = eng->tail - eng->head;
	p->zombie_ops = eng->zombie_ops;
	p->device_ops = eng->pending_ops + eng->zombie_ops;
	p->more = netdma_engine_more_to_fetch(eng);
	p->descriptors_retired = eng->descriptors_retired;
	p->bytes_copied = eng->bytes_copied;
	return 0;
}
