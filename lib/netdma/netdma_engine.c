/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software model of an I/OAT channel (spec §9) over a copy backend.  Runs
 * under the library's channel lock; the poll runs on the owner lcore.  No
 * EAL here: what the engine needs from outside comes from its host.
 */
#include <errno.h>
#include <string.h>

#include "netdma_engine.h"
#include "netdma_relax.h"

/* How long Suspend waits for the descriptors already with the backend. */
#define SUSPEND_DRAIN_MS 2000

#define ENG_LIKELY(x) __builtin_expect(!!(x), 1)
#define ENG_MIN(a, b) ((a) < (b) ? (a) : (b))
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
	eng->state = NETDMA_ENG_STOPPED;
	return 0;
}

void
netdma_engine_fini(struct netdma_engine *eng)
{
	if (eng->ring != NULL)
		eng->host->free(eng->ring);
	eng->ring = NULL;
}

/* spec §11: one 64-bit release store, after the data it reports */
static inline void
publish(struct netdma_engine *eng, netdma_iova_t pa, enum netdma_transfer_status st)
{
	__atomic_store_n(eng->cw, netdma_completion_encode(pa, st), __ATOMIC_RELEASE);
}

/* 1.x: an Append met the tail already fetched; its re-read is work to come too */
static inline bool
more_to_fetch(const struct netdma_engine *eng)
{
	return eng->rules.major_version >= 2 ? eng->remaining > 0 :
		eng->next_pa != 0 || eng->reread_tail;
}

/* Fetch nothing more: the chain's continuation is forgotten. */
static void
stop_fetching(struct netdma_engine *eng)
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
	stop_fetching(eng);
	eng->fence_next = false;
	eng->halting = false;
}

static uint32_t reap_zombies(struct netdma_engine *eng);

/* Publish HALTED at the last retired descriptor and raise the error DPC. */
static void
report_halt(struct netdma_engine *eng, netdma_iova_t bad, const char *why, int status)
{
	publish(eng, eng->last_retired, NETDMA_STATUS_HALTED);
	eng->host->halted(eng->chan_handle, bad, why, status);
}

/* spec §6.3, §11: error → Halted, error DPC (address 0), Start required. */
static void
halt_on_error(struct netdma_engine *eng, netdma_iova_t bad, const char *why, int status)
{
	stop_engine(eng);
	reap_zombies(eng);   /* a synchronous backend lets go at once */
	report_halt(eng, bad, why, status);
}

/*
 * A descriptor failed its check at fetch: fetch nothing more, but let the
 * valid descriptors the backend already holds complete and retire (they
 * were handed over), then report the halt at the bad one.
 */
static void
halt_at_fetch(struct netdma_engine *eng, netdma_iova_t bad, const char *why)
{
	stop_fetching(eng);
	eng->halting = true;
	eng->halt_pa = bad;
	eng->halt_why = why;
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

/* In-order retirement (spec §6.1); publishes the completion word once. */
static uint32_t
retire(struct netdma_engine *eng)
{
	netdma_iova_t status_pa = 0, irq_pa = 0, last = 0;
	uint32_t n = 0, retired = 0, head;
	uint64_t bytes = 0;
	bool err = false;

	retired += reap_zombies(eng);
	if (eng->zombie_ops > 0 || eng->head == eng->tail)
		return retired;
	if (eng->pending_ops > 0) {
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
			!more_to_fetch(eng);

		publish(eng, status_pa, idle ? NETDMA_STATUS_IDLE : NETDMA_STATUS_ACTIVE);
	}
	if (irq_pa != 0)
		eng->host->interrupt(eng->chan_handle, irq_pa);
	if (err) {
		/* the op after the good ones failed: it belongs to ring[head] */
		netdma_iova_t bad = eng->ring[eng->head & eng->ring_mask].pa;

		halt_on_error(eng, bad, "the engine reported a failed copy",
			      eng->ops->error_status != NULL ? eng->ops->error_status(eng->be) : 0);
	}
	return retired;
}

/* Where the descriptor at @p pa is in this process (it is not read here). */
static inline const struct netdma_descriptor *
desc_ptr(const struct netdma_engine *eng, netdma_iova_t pa)
{
	if (ENG_LIKELY(eng->iova_is_va))
		return (const struct netdma_descriptor *)(uintptr_t)pa;
	return eng->rules.fetch(eng->rules.fetch_ctx, pa);
}

/*
 * The descriptor at @p pa if its 64 bytes are the client's DMA memory, or
 * one of the library's own re-seed descriptors in a chain the library
 * started (no consumer check passes those); else NULL.
 */
static inline const struct netdma_descriptor *
descriptor_at(struct netdma_engine *eng, netdma_iova_t pa)
{
	if (ENG_LIKELY(netdma_range_check(&eng->rules, pa, sizeof(struct netdma_descriptor))) ||
	    (eng->internal_chain && eng->host->desc_internal(eng->chan_handle, pa)))
		return desc_ptr(eng, pa);
	return NULL;
}

/*
 * Re-read the link of a descriptor fetched earlier (a 1.x tail after an
 * Append, the last processed one at Resume): its memory is checked again
 * first, since it may have gone since (a client's region deleted while the
 * channel was suspended).  @return the link, or 0 with the halt under way.
 */
static netdma_iova_t
reread_link(struct netdma_engine *eng, netdma_iova_t pa)
{
	const struct netdma_descriptor *t = descriptor_at(eng, pa);

	if (t == NULL) {
		halt_at_fetch(eng, pa, "descriptor to re-read is outside the client's DMA memory");
		return 0;
	}
	return __atomic_load_n(&t->next_descriptor, __ATOMIC_ACQUIRE);
}

/*
 * 2.0: the current Start/Append is fetched whole; the next Append begins.
 * Its head must be where the chain's link points.  @return false once halted.
 */
static bool
next_append(struct netdma_engine *eng)
{
	const char *why = "";
	uint32_t i;

	if (eng->appends_nb == 0) {
		eng->seg_left = eng->remaining;   /* none recorded: nothing to compare */
		return true;
	}
	i = eng->appends_first;
	eng->appends_first = (i + 1) % NETDMA_ENGINE_APPENDS;
	eng->appends_nb--;
	if (netdma_prelink_check(eng->next_pa, eng->appends[i].head, &why) < 0) {
		halt_at_fetch(eng, eng->appends[i].head, why);
		return false;
	}
	eng->seg_left = eng->appends[i].count;
	return true;
}

/* Where the chain continues, or 0.  1.x re-reads the tail after an Append. */
static netdma_iova_t
next_to_fetch(struct netdma_engine *eng)
{
	if (eng->rules.major_version >= 2) {
		if (eng->remaining == 0)
			return 0;
		if (eng->seg_left == 0 && !next_append(eng))
			return 0;
		/* a link a chain checked at fetch only may lack (spec §3.4) */
		if (eng->next_pa == 0)
			halt_at_fetch(eng, eng->tail_pa,
				      "2.0 chain: no next descriptor before the count ran out");
		return eng->next_pa;
	}
	if (eng->next_pa == 0 && eng->reread_tail && eng->tail_pa != 0) {
		eng->reread_tail = false;
		/* spec §3.5: the engine must re-read the tail to see the new link */
		eng->next_pa = reread_link(eng, eng->tail_pa);
	}
	return eng->next_pa;
}

/* What feeding a descriptor needs of it, from whichever check it passed. */
struct fetched {
	netdma_iova_t next;
	uint32_t control_flags;
	uint32_t size;                  /* COPY: transfer_size */
	uint8_t dca_context;
	unsigned int nops;
	struct netdma_segment segs[NETDMA_MAX_SEGMENTS];
};

/* Copy a descriptor out of (possibly shared) memory, then check it. */
static int
fetch(struct netdma_engine *eng, netdma_iova_t pa, struct fetched *f, const char **why)
{
	const struct netdma_descriptor *src;
	struct netdma_descriptor d;
	int kind;

	if (pa & 63) {
		*why = "descriptor not 64-byte aligned";
		return -EINVAL;
	}
	src = descriptor_at(eng, pa);
	if (src == NULL) {
		*why = "descriptor outside the client's DMA memory";
		return -EFAULT;
	}
	memcpy(&d, src, sizeof(d));
	kind = netdma_desc_check_split(&d, &eng->rules, why, f->segs, &f->nops);
	f->next = d.next_descriptor;
	f->control_flags = d.control_flags;
	f->size = d.transfer_size;
	f->dca_context = (uint8_t)d.dca_context8;
	__builtin_prefetch(desc_ptr(eng, d.next_descriptor));
	return kind;
}

/*
 * The descriptor at @p pa as the consumer's call checked it
 * (netdma_checked.h), or -1: fetch and check it now.  *taken says whether
 * its entry was taken off the queue (to put back if it must wait).  An
 * entry out of order means the chain went another way than the call
 * walked: nothing kept is used until the engine has caught up.
 */
static inline int
take_checked(struct netdma_engine *eng, netdma_iova_t pa, struct fetched *f, bool *taken)
{
	struct netdma_checked_fifo *q = eng->checked;
	const struct netdma_checked_desc *e;

	if (q == NULL || q->head == q->tail)
		return -1;
	e = &q->e[q->head & q->mask];
	if (e->pa != pa) {
		if (!q->gap)
			netdma_checked_block(q);
		return -1;
	}
	q->gap = false;
	q->head++;
	*taken = true;
	/* a page-break split, or a 1.x tail: its link may be patched since (spec §3.5) */
	if (e->kind == NETDMA_CHECKED_REFETCH || (e->next == 0 && eng->rules.major_version < 2))
		return -1;
	f->next = e->next;
	f->control_flags = e->control_flags;
	f->size = e->len;
	f->dca_context = e->dca_context;
	f->nops = e->kind == NETDMA_DESC_COPY;
	f->segs[0].src = e->src;
	f->segs[0].dst = e->dst;
	f->segs[0].len = e->len;
	return e->kind;
}

/* Everything kept was fetched and nothing else is to come: keep anew. */
static inline void
checked_caught_up(struct netdma_engine *eng)
{
	struct netdma_checked_fifo *q = eng->checked;

	if (q != NULL && (q->blocked || q->gap) && q->head == q->tail && !more_to_fetch(eng))
		q->blocked = q->gap = false;
}

#define V1_TOO_LONG "1.x chain longer than NETDMA_CHAIN_MAX descriptors since the last " \
	"Start/Append, or cyclic"

/* One more chain's worth of 1.x fetches (Append, Resume); saturates. */
static inline void
budget_add(struct netdma_engine *eng)
{
	eng->fetch_budget = eng->fetch_budget > UINT32_MAX - NETDMA_CHAIN_MAX ? UINT32_MAX :
		eng->fetch_budget + NETDMA_CHAIN_MAX;
}

/*
 * 1.x: may @p pa be fetched?  Nothing may have walked the chain for cycles
 * (check at fetch), and a consumer may relink it after a walk: past the
 * budget, halt there (spec §6.3) rather than follow a loop forever.
 */
static inline bool
v1_budget_ok(struct netdma_engine *eng, netdma_iova_t pa)
{
	if (eng->rules.major_version >= 2 || ENG_LIKELY(eng->fetch_budget > 0))
		return true;
	halt_at_fetch(eng, pa, V1_TOO_LONG);
	return false;
}

/*
 * The bytes fed this poll reached the budget, or the bytes with the backend
 * its limit (never before the first descriptor of either).
 */
static inline bool
over_byte_budget(const struct netdma_engine *eng, uint64_t bytes)
{
	return (eng->poll_byte_budget != 0 && bytes >= eng->poll_byte_budget) ||
		(eng->max_inflight_bytes != 0 && eng->inflight_bytes >= eng->max_inflight_bytes);
}

/*
 * A run of kept descriptors (netdma_checked.h), each a plain one-segment
 * 2.0 copy where the chain leads: fed without the general step's questions.
 * Stops at anything else, which the general step then takes.
 * @return descriptors fed.
 */
static uint32_t
feed_kept(struct netdma_engine *eng, uint32_t max, uint32_t *room, bool *asked,
	  uint64_t *bytes)
{
	struct netdma_checked_fifo *q = eng->checked;
	netdma_iova_t pa = eng->next_pa, last = 0;
	uint32_t n = q->tail - q->head, free_slots = eng->ring_mask + 1 - (eng->tail - eng->head);
	/* over_byte_budget() with its limits read once */
	uint64_t fed = *bytes, inflight = eng->inflight_bytes;
	uint64_t fed_max = eng->poll_byte_budget ? eng->poll_byte_budget : UINT64_MAX;
	uint64_t inflight_max = eng->max_inflight_bytes ? eng->max_inflight_bytes : UINT64_MAX;
	uint32_t i;

	if (eng->rules.major_version < 2 || eng->serialize_wait || eng->fence_next)
		return 0;
	n = ENG_MIN(ENG_MIN(n, max), ENG_MIN(eng->seg_left, free_slots));
	if (n > *room && !*asked) {
		*room = eng->ops->capacity(eng->be);
		*asked = true;
	}
	n = ENG_MIN(n, *room);
	for (i = 0; i < n; i++) {
		const struct netdma_checked_desc *e = &q->e[(q->head + i) & q->mask];
		struct netdma_engine_inflight *r;

		if (e->pa != pa || e->kind != NETDMA_DESC_COPY ||
		    (e->control_flags & NETDMA_F_SERIALIZE_TRANSFER) || fed >= fed_max ||
		    inflight >= inflight_max ||
		    eng->ops->copy(eng->be, e->src, e->dst, e->len,
				   netdma_desc_engine_flags(e->control_flags, false)) < 0)
			break;
		r = &eng->ring[(eng->tail + i) & eng->ring_mask];
		r->pa = pa;
		r->nops = 1;
		r->bytes = e->len;
		r->control_flags = e->control_flags;
		fed += e->len;
		inflight += e->len;
		last = pa;
		pa = e->next;
	}
	if (i == 0)
		return 0;
	*bytes = fed;
	eng->inflight_bytes = inflight;
	eng->tail += i;
	q->head += i;
	eng->next_pa = pa;
	eng->tail_pa = last;
	eng->at_new_head = false;
	eng->remaining -= i;
	eng->seg_left -= i;
	eng->pending_ops += i;
	*room -= i;
	return i;
}

static uint32_t
feed(struct netdma_engine *eng)
{
	/* asked only with a descriptor in hand: a shared queue counts who wants room */
	uint32_t fetched = 0, enq = 0, room = 0;
	bool asked = false;
	uint64_t bytes = 0;

	/* answers about memory last one pass: a region may go between polls */
	netdma_range_cache_reset(&eng->range_cache);

	while (fetched < eng->burst && eng->state == NETDMA_ENG_RUNNING) {
		struct netdma_engine_inflight *r;
		struct fetched f;
		const char *why = "";
		netdma_iova_t pa;
		unsigned int i;
		uint64_t flags;
		bool taken;
		int kind;

		/* spec §13.4: nothing after a SERIALIZE descriptor before it retired */
		if (eng->serialize_wait) {
			if (eng->head != eng->tail)
				break;
			eng->serialize_wait = false;
		}
		if (eng->tail - eng->head > eng->ring_mask || over_byte_budget(eng, bytes))
			break;
		if (eng->checked != NULL && eng->checked->head != eng->checked->tail &&
		    eng->seg_left > 0) {
			uint32_t n = feed_kept(eng, eng->burst - fetched, &room, &asked, &bytes);

			if (n > 0) {
				fetched += n;
				enq += n;
				continue;
			}
		}
		pa = next_to_fetch(eng);
		if (pa == 0 || !v1_budget_ok(eng, pa))
			break;
		taken = false;
		kind = take_checked(eng, pa, &f, &taken);
		if (kind < 0)
			kind = fetch(eng, pa, &f, &why);
		if (kind < 0) {
			halt_at_fetch(eng, pa, why);
			break;
		}
		if (f.nops > room && !asked) {
			room = eng->ops->capacity(eng->be);
			asked = true;
		}
		if (f.nops > room) {
			/* waits in the channel until completions free slots, where it was */
			if (taken)
				eng->checked->head--;
			break;
		}
		flags = netdma_desc_engine_flags(f.control_flags, eng->fence_next);
		for (i = 0; i < f.nops; i++) {
			if (eng->ops->copy(eng->be, f.segs[i].src, f.segs[i].dst, f.segs[i].len,
					   i == 0 ? flags : flags & ~NETDMA_ENGINE_FENCE) < 0) {
				/* capacity said yes: a refusal is a backend fault */
				eng->zombie_ops += i;
				halt_on_error(eng, pa, "the engine refused a copy", 0);
				goto out;
			}
		}
		if (f.nops > 0)
			eng->fence_next = false;
		room -= f.nops;
		enq += f.nops;
		eng->pending_ops += f.nops;

		r = &eng->ring[eng->tail & eng->ring_mask];
		r->pa = pa;
		r->nops = (uint8_t)f.nops;
		r->bytes = kind == NETDMA_DESC_COPY ? f.size : 0;
		bytes += r->bytes;
		eng->inflight_bytes += r->bytes;
		/* in a context-change descriptor bit 0 is not an interrupt request */
		r->control_flags = kind == NETDMA_DESC_CONTEXT_CHANGE ? 0 : f.control_flags;
		eng->tail++;
		eng->tail_pa = pa;
		eng->at_new_head = false;
		eng->next_pa = f.next;
		if (eng->rules.major_version >= 2)
			eng->remaining--, eng->seg_left--;
		else
			eng->fetch_budget--;   /* only once it is with the engine */
		if (kind == NETDMA_DESC_CONTEXT_CHANGE)
			eng->dca_target = f.dca_context;
		else if (f.control_flags & NETDMA_F_SERIALIZE_TRANSFER)
			eng->fence_next = eng->serialize_wait = true;
		fetched++;
	}
out:
	if (enq > 0)
		eng->ops->submit(eng->be);
	checked_caught_up(eng);
	return fetched;
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
		publish(eng, eng->last_retired, NETDMA_STATUS_SUSPEND);
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
	uint32_t work = retire(eng);
	uint32_t fed;

	if (eng->suspending)
		work += finish_suspend(eng);

	if (eng->state == NETDMA_ENG_RUNNING) {
		fed = feed(eng);
		/* a synchronous backend (the CPU) is already done: retire now */
		if (fed > 0)
			work += fed + retire(eng);
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
	publish(eng, 0, NETDMA_STATUS_ARMED);
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
		budget_add(eng);
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
	retire(eng);
	if (eng->state != NETDMA_ENG_SUSPENDED)
		return -EIO;   /* a copy had failed: the channel halted */
	if (eng->head != eng->tail) {
		eng->suspending = true;
		eng->suspend_deadline_us = eng->host->now_us() + SUSPEND_DRAIN_MS * 1000ull;
		return -EINPROGRESS;
	}
	publish(eng, eng->last_retired, NETDMA_STATUS_SUSPEND);
	*last = eng->last_retired;
	return 0;
}

int
netdma_engine_resume(struct netdma_engine *eng)
{
	if (eng->state != NETDMA_ENG_SUSPENDED || eng->suspending)
		return -EPERM;
	eng->state = NETDMA_ENG_RUNNING;
	budget_add(eng);   /* the consumer may have relinked a new chain in */
	/* spec §3.6: reload the last processed descriptor for its (new) next */
	if (eng->last_retired != 0 && !eng->at_new_head) {
		/* no window from before the suspension is trusted */
		netdma_range_cache_reset(&eng->range_cache);
		/* drained, that is the tail: an Append's pending re-read is this one */
		eng->reread_tail = false;
		eng->next_pa = reread_link(eng, eng->last_retired);
	}
	return 0;
}

int
netdma_engine_abort(struct netdma_engine *eng)
{
	/* spec §3.7: immediately; what the backend holds is never reported */
	stop_engine(eng);
	publish(eng, eng->last_retired, NETDMA_STATUS_HALTED);
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
	p->more = more_to_fetch(eng);
	p->descriptors_retired = eng->descriptors_retired;
	p->bytes_copied = eng->bytes_copied;
	return 0;
}
