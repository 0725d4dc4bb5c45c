/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's fetch: where the chain continues (1.x links, 2.0 counts and
 * pre-links, spec §3.4, §3.5), each descriptor taken as its call checked it
 * or read and checked now, and fed to the backend.  Under the channel lock,
 * on the owner lcore; no EAL.
 */
#include <errno.h>
#include <string.h>

#include "netdma_engine_internal.h"

/*
 * A descriptor failed its check at fetch: fetch nothing more, but let the
 * valid descriptors the backend already holds complete and retire (they
 * were handed over), then report the halt at the bad one.
 */
void
netdma_engine_halt_at_fetch(struct netdma_engine *eng, netdma_iova_t bad, const char *why)
{
	netdma_engine_stop_fetching(eng);
	eng->halting = true;
	eng->halt_pa = bad;
	eng->halt_why = why;
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
netdma_iova_t
netdma_engine_reread_link(struct netdma_engine *eng, netdma_iova_t pa)
{
	const struct netdma_descriptor *t = descriptor_at(eng, pa);

	if (t == NULL) {
		netdma_engine_halt_at_fetch(eng, pa, "descriptor to re-read is outside the client's DMA memory");
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
		netdma_engine_halt_at_fetch(eng, eng->appends[i].head, why);
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
			netdma_engine_halt_at_fetch(eng, eng->tail_pa,
				      "2.0 chain: no next descriptor before the count ran out");
		return eng->next_pa;
	}
	if (eng->next_pa == 0 && eng->reread_tail && eng->tail_pa != 0) {
		eng->reread_tail = false;
		/* spec §3.5: the engine must re-read the tail to see the new link */
		eng->next_pa = netdma_engine_reread_link(eng, eng->tail_pa);
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

	if (q != NULL && (q->blocked || q->gap) && q->head == q->tail && !netdma_engine_more_to_fetch(eng))
		q->blocked = q->gap = false;
}

#define V1_TOO_LONG "1.x chain longer than NETDMA_CHAIN_MAX descriptors since the last " \
	"Start/Append, or cyclic"

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
	netdma_engine_halt_at_fetch(eng, pa, V1_TOO_LONG);
	return false;
}

/* The engine's byte limits, 0 (none) as the highest count. */
struct byte_limits {
	uint64_t fed_max;               /* poll_byte_budget */
	uint64_t inflight_max;          /* max_inflight_bytes */
};

static inline struct byte_limits
byte_limits(const struct netdma_engine *eng)
{
	return (struct byte_limits){
		.fed_max = eng->poll_byte_budget ? eng->poll_byte_budget : UINT64_MAX,
		.inflight_max = eng->max_inflight_bytes ? eng->max_inflight_bytes : UINT64_MAX,
	};
}

/*
 * The bytes fed this poll reached the budget, or the bytes with the backend
 * its limit (never before the first descriptor of either).
 */
static inline bool
over_byte_limits(const struct byte_limits *l, uint64_t fed, uint64_t inflight)
{
	return fed >= l->fed_max || inflight >= l->inflight_max;
}

/*
 * How many kept copies ahead a synchronous (CPU) backend's buffers are
 * asked into the cache: a copy waits on memory otherwise (64 B copies
 * between mbufs ran at half the rate without).
 */
#define PREFETCH_AHEAD 8

/*
 * The destination asked for writing (PREFETCHW, a no-op hint where the CPU
 * lacks it): read-shared, a store would ask for the line a second time.
 */
static inline void
prefetch_for_write(const void *p)
{
#if defined(__x86_64__)
	__asm__ volatile("prefetchw (%0)" : : "r"(p));   /* never faults: any address */
#else
	__builtin_prefetch(p, 1);
#endif
}

/* The first line of a kept copy's source and destination, on their way into the cache. */
static inline void
prefetch_buffers(const struct netdma_engine *eng, const struct netdma_checked_desc *e)
{
	if (ENG_LIKELY(eng->iova_is_va)) {
		__builtin_prefetch((const void *)(uintptr_t)e->src, 0);
		prefetch_for_write((const void *)(uintptr_t)e->dst);
	}
}

/*
 * A descriptor read and checked at fetch has no kept run to prefetch
 * from.  Chains mostly lie in rings, so the descriptor PREFETCH_AHEAD
 * slots on is likely fetched soon: if its line is the client's memory, its
 * buffers are asked into the cache (their addresses only hints: nothing
 * is trusted or copied from it here), and the line twice as far is asked
 * for, so that it is there when its turn comes.
 */
static inline void
prefetch_ring_ahead(struct netdma_engine *eng, netdma_iova_t pa)
{
	netdma_iova_t ahead = pa + PREFETCH_AHEAD * sizeof(struct netdma_descriptor);
	const struct netdma_descriptor *d;

	/* pa passed its checks, so it is aligned: so is ahead */
	if (!eng->iova_is_va || ahead < pa ||
	    !netdma_range_check(&eng->rules, ahead, 2 * PREFETCH_AHEAD * sizeof(*d)))
		return;
	d = (const struct netdma_descriptor *)(uintptr_t)ahead;
	__builtin_prefetch(d + PREFETCH_AHEAD);
	__builtin_prefetch((const void *)(uintptr_t)__atomic_load_n(&d->source_address,
								    __ATOMIC_RELAXED), 0);
	prefetch_for_write((const void *)(uintptr_t)__atomic_load_n(&d->destination_address,
								    __ATOMIC_RELAXED));
}

/*
 * A run of kept descriptors (netdma_checked.h), each a plain one-segment
 * 2.0 copy where the chain leads: fed without the general step's questions.
 * Stops at anything else, which the general step then takes.
 * @return descriptors fed.
 */
static uint32_t
feed_kept(struct netdma_engine *eng, const struct byte_limits *lim, uint32_t max, uint32_t *room,
	  bool *asked, uint64_t *bytes)
{
	struct netdma_checked_fifo *q = eng->checked;
	netdma_iova_t pa = eng->next_pa, last = 0;
	uint32_t kept = q->tail - q->head, free_slots = eng->ring_mask + 1 - (eng->tail - eng->head);
	uint32_t n = kept;
	uint64_t fed = *bytes, inflight = eng->inflight_bytes;
	uint32_t i;

	bool prefetch = eng->ops->synchronous;

	if (eng->rules.major_version < 2 || eng->serialize_wait || eng->fence_next)
		return 0;
	n = ENG_MIN(ENG_MIN(n, max), ENG_MIN(eng->seg_left, free_slots));
	if (n > *room && !*asked) {
		*room = eng->ops->capacity(eng->be);
		*asked = true;
	}
	if (*room == 0)
		return 0;
	n = ENG_MIN(n, *room);
	if (prefetch)
		for (i = 0; i < PREFETCH_AHEAD && i < n; i++)
			prefetch_buffers(eng, &q->e[(q->head + i) & q->mask]);
	for (i = 0; i < n; i++) {
		const struct netdma_checked_desc *e = &q->e[(q->head + i) & q->mask];
		struct netdma_engine_inflight *r;

		if (prefetch && i + PREFETCH_AHEAD < kept)
			prefetch_buffers(eng, &q->e[(q->head + i + PREFETCH_AHEAD) & q->mask]);

		if (e->pa != pa || e->kind != NETDMA_DESC_COPY ||
		    (e->control_flags & NETDMA_F_SERIALIZE_TRANSFER) ||
		    over_byte_limits(lim, fed, inflight) ||
		    eng->ops->copy(eng->be, e->src, e->dst, e->len, e->engine_flags) < 0)
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
	q->gap = false;   /* the engine is where the kept entries are */
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

/*
 * The backend had no room for the next descriptor.  With ops of this
 * channel at the device, nothing is fed (or the device asked) until some
 * come back; with none, the next poll asks again (a shared queue's room is
 * freed by other channels too).
 */
static inline void
starve(struct netdma_engine *eng)
{
	eng->starved_pending = eng->pending_ops;
}

uint32_t
netdma_engine_feed(struct netdma_engine *eng)
{
	/* asked only with a descriptor in hand: a shared queue counts who wants room */
	uint32_t fetched = 0, enq = 0, room = 0;
	const struct byte_limits lim = byte_limits(eng);
	bool asked = false;
	uint64_t bytes = 0;

	/* the device had no room and has handed nothing back since: ask it nothing */
	if (eng->starved_pending != 0 && eng->pending_ops >= eng->starved_pending)
		return 0;
	eng->starved_pending = 0;
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
		if (eng->tail - eng->head > eng->ring_mask ||
		    over_byte_limits(&lim, bytes, eng->inflight_bytes))
			break;
		if (eng->checked != NULL && eng->checked->head != eng->checked->tail &&
		    eng->seg_left > 0) {
			uint32_t n = feed_kept(eng, &lim, eng->burst - fetched, &room, &asked,
					     &bytes);

			if (n > 0) {
				fetched += n;
				enq += n;
				continue;
			}
			if (asked && room == 0) {
				starve(eng);
				break;
			}
		}
		pa = next_to_fetch(eng);
		if (pa == 0 || !v1_budget_ok(eng, pa))
			break;
		taken = false;
		kind = take_checked(eng, pa, &f, &taken);
		if (kind < 0) {
			kind = fetch(eng, pa, &f, &why);
			if (kind >= 0 && eng->ops->synchronous)
				prefetch_ring_ahead(eng, pa);
		}
		if (kind < 0) {
			netdma_engine_halt_at_fetch(eng, pa, why);
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
			starve(eng);
			break;
		}
		flags = netdma_desc_engine_flags(f.control_flags, eng->fence_next);
		for (i = 0; i < f.nops; i++) {
			if (eng->ops->copy(eng->be, f.segs[i].src, f.segs[i].dst, f.segs[i].len,
					   i == 0 ? flags : flags & ~NETDMA_ENGINE_FENCE) < 0) {
				/* capacity said yes: a refusal is a backend fault */
				eng->zombie_ops += i;
				netdma_engine_halt_on_error(eng, pa, "the engine refused a copy", 0);
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

