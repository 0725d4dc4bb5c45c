/* SPDX-License-Identifier: BSD-3-Clause */
/* Descriptor and chain checks (spec §4.1, §5.1, §3.4, §3.5); no EAL here. */
#include <errno.h>
#include <stddef.h>

#include "netdma.h"
#include "netdma_chain.h"
#include "netdma_checked.h"

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif

/* Flags of a plain copy: none of NULL, page break, op type or reserved bits. */
#define NETDMA_PLAIN_V1 (NETDMA_F_V1_MASK & ~NETDMA_F_NULL_TRANSFER)
#define NETDMA_PLAIN_V2 (NETDMA_F_V2_MASK & ~(NETDMA_F_NULL_TRANSFER | NETDMA_F_SOURCE_PAGE_BREAK | \
					      NETDMA_F_DESTINATION_PAGE_BREAK))

/* Descriptors ahead a chain walk asks into the cache. */
#define WALK_PREFETCH 8

#define FAIL(code, why) do { if (reason != NULL) *reason = (why); return (code); } while (0)

/* inlined into each caller: per descriptor it runs three times at least */
static inline __attribute__((always_inline)) bool
range_ok(const struct netdma_check_rules *r, netdma_iova_t iova, uint64_t len)
{
	struct netdma_range_cache *c = r->cache;
	netdma_iova_t lo, hi, end = iova + len;

	/* end > iova: no length of 0, no wrap */
	if (end <= iova || (r->max_address != 0 && end - 1 > r->max_address))
		return false;
	/* most ranges lie in the window of the last yes, which never holds 0 */
	if (c != NULL && iova >= c->lo[c->last] && end <= c->hi[c->last])
		return true;
	if (iova == 0)
		return false;
	if (c != NULL && netdma_range_cache_find(c, iova, len, &lo, &hi))
		return true;
	if (r->range_win == NULL)
		return r->range_ok == NULL || r->range_ok(r->range_ctx, iova, len);
	if (!r->range_win(r->range_ctx, iova, len, &lo, &hi))
		return false;
	if (c != NULL) {
		netdma_range_cache_put(c, lo == 0 ? 1 : lo, hi);
	}
	return true;
}

bool
netdma_range_check(const struct netdma_check_rules *rules, netdma_iova_t iova, uint64_t len)
{
	return range_ok(rules, iova, len);
}

/*
 * A chain walk's copy of the window of the last yes and of the last byte
 * allowed, in registers: the cache's own may alias what the walk writes.
 */
struct walk_win {
	netdma_iova_t lo, hi;
	netdma_iova_t last_byte;        /* max_address, or all of them */
};

static inline void
walk_win_load(struct walk_win *w, const struct netdma_check_rules *r)
{
	const struct netdma_range_cache *c = r->cache;

	w->lo = c != NULL ? c->lo[c->last] : 1;
	w->hi = c != NULL ? c->hi[c->last] : 0;   /* no cache: an empty window */
	w->last_byte = r->max_address != 0 ? r->max_address : UINT64_MAX;
}

/* range_ok(), asking @p w first (NULL: not a walk). */
static inline __attribute__((always_inline)) bool
walk_range_ok(const struct netdma_check_rules *r, struct walk_win *w, netdma_iova_t iova,
	      uint64_t len)
{
	netdma_iova_t end = iova + len;

	/* a cached window never holds 0; end > iova: no length of 0, no wrap */
	if (w != NULL && likely(end > iova && iova >= w->lo && end <= w->hi &&
				end - 1 <= w->last_byte))
		return true;
	if (!range_ok(r, iova, len))
		return false;
	if (w != NULL)
		walk_win_load(w, r);
	return true;
}

/* Bytes from @p addr to the end of its 4 KB page (spec §5.1 page break). */
static uint32_t
to_page_end(netdma_iova_t addr)
{
	return NETDMA_PAGE_BREAK_SIZE - (uint32_t)(addr & (NETDMA_PAGE_BREAK_SIZE - 1));
}

/*
 * Length of the first part of one side of a copy: all of it unless a page
 * break applies.  -ERANGE when the remainder does not fit the second page.
 */
static int64_t
first_part(uint32_t size, netdma_iova_t addr, netdma_iova_t next, bool brk)
{
	uint32_t first;

	if (!brk)
		return size;
	first = to_page_end(addr);
	if (first >= size)
		return size;
	if (next == 0 || size - first > NETDMA_PAGE_BREAK_SIZE)
		return -ERANGE;
	return first;
}

unsigned int
netdma_desc_segments(const struct netdma_descriptor *d,
		     struct netdma_segment segs[NETDMA_MAX_SEGMENTS])
{
	uint32_t size = d->transfer_size;
	uint32_t ctl = d->control_flags;
	int64_t s1 = first_part(size, d->source_address, d->next_source_address,
				ctl & NETDMA_F_SOURCE_PAGE_BREAK);
	int64_t d1 = first_part(size, d->destination_address, d->next_destination_address,
				ctl & NETDMA_F_DESTINATION_PAGE_BREAK);
	uint32_t off = 0;
	unsigned int n = 0;

	if (s1 < 0 || d1 < 0)   /* unchecked descriptor: refuse to split */
		return 0;
	while (off < size) {
		uint32_t end = size;
		netdma_iova_t src, dst;

		if ((uint32_t)s1 > off && (uint32_t)s1 < end)
			end = (uint32_t)s1;
		if ((uint32_t)d1 > off && (uint32_t)d1 < end)
			end = (uint32_t)d1;
		src = off < (uint32_t)s1 ? d->source_address + off :
			d->next_source_address + (off - (uint32_t)s1);
		dst = off < (uint32_t)d1 ? d->destination_address + off :
			d->next_destination_address + (off - (uint32_t)d1);
		segs[n].src = src;
		segs[n].dst = dst;
		segs[n].len = end - off;
		n++;
		off = end;
	}
	return n;
}

int
netdma_desc_check(const struct netdma_descriptor *d,
		  const struct netdma_check_rules *rules, const char **reason)
{
	struct netdma_segment segs[NETDMA_MAX_SEGMENTS];
	unsigned int n;

	return netdma_desc_check_split(d, rules, reason, segs, &n);
}

/* Every descriptor by every rule, saying why it fails. */
static __attribute__((noinline)) int
check_split_all(const struct netdma_descriptor *d, const struct netdma_check_rules *rules,
		const char **reason, struct netdma_segment segs[NETDMA_MAX_SEGMENTS],
		unsigned int *nsegs)
{
	uint32_t ctl = d->control_flags;
	uint32_t op = ctl & NETDMA_OP_TYPE_MASK;
	unsigned int i, n;

	*nsegs = 0;
	if (ctl & NETDMA_F_RESERVED_MASK)
		FAIL(-EINVAL, "reserved control bits set");
	if (rules->major_version < 2) {
		if (op != NETDMA_OP_TYPE_STANDARD_DMA)
			FAIL(-EINVAL, "op type other than standard on a 1.x provider");
		if (ctl & ~NETDMA_F_V1_MASK)
			FAIL(-EINVAL, "2.0-only flag (page break or DCA) on a 1.x provider");
	} else if (op == NETDMA_OP_TYPE_CONTEXT_CHANGE) {
		return NETDMA_DESC_CONTEXT_CHANGE;
	} else if (op != NETDMA_OP_TYPE_STANDARD_DMA) {
		FAIL(-EINVAL, "unknown op type");
	}
	/* spec §5.1: the engine need not look at size or addresses */
	if (ctl & NETDMA_F_NULL_TRANSFER)
		return NETDMA_DESC_NULL;

	if (d->transfer_size == 0)
		FAIL(-ERANGE, "zero transfer size");
	if (d->transfer_size > rules->max_transfer_size)
		FAIL(-ERANGE, "transfer size over the provider's maximum");
	if (!(ctl & (NETDMA_F_SOURCE_PAGE_BREAK | NETDMA_F_DESTINATION_PAGE_BREAK))) {
		/* the common case, checked per descriptor twice: one segment */
		segs[0].src = d->source_address;
		segs[0].dst = d->destination_address;
		segs[0].len = d->transfer_size;
		n = 1;
	} else {
		if (first_part(d->transfer_size, d->source_address, d->next_source_address,
			       ctl & NETDMA_F_SOURCE_PAGE_BREAK) < 0)
			FAIL(-ERANGE, "source page break: no next page or more than two pages");
		if (first_part(d->transfer_size, d->destination_address, d->next_destination_address,
			       ctl & NETDMA_F_DESTINATION_PAGE_BREAK) < 0)
			FAIL(-ERANGE, "destination page break: no next page or more than two pages");
		n = netdma_desc_segments(d, segs);
	}
	for (i = 0; i < n; i++) {
		if (!range_ok(rules, segs[i].src, segs[i].len))
			FAIL(-EFAULT, "source outside the client's DMA memory");
		if (!range_ok(rules, segs[i].dst, segs[i].len))
			FAIL(-EFAULT, "destination outside the client's DMA memory");
	}
	*nsegs = n;
	return NETDMA_DESC_COPY;
}

static inline __attribute__((always_inline)) int
check_split(const struct netdma_descriptor *d, const struct netdma_check_rules *rules,
	    struct walk_win *win, const char **reason,
	    struct netdma_segment segs[NETDMA_MAX_SEGMENTS], unsigned int *nsegs)
{
	uint32_t ctl = d->control_flags;
	uint32_t size = d->transfer_size;

	/*
	 * The common descriptor, taken whole when it passes: a standard copy
	 * of one segment, with only flags of its version that need nothing
	 * more than its size and its two ranges checked.  Anything else, and
	 * every failure, goes the long way, which says why.
	 */
	if (likely((ctl & ~(rules->major_version >= 2 ? NETDMA_PLAIN_V2 : NETDMA_PLAIN_V1)) == 0 &&
		   size != 0 && size <= rules->max_transfer_size &&
		   walk_range_ok(rules, win, d->source_address, size) &&
		   walk_range_ok(rules, win, d->destination_address, size))) {
		segs[0].src = d->source_address;
		segs[0].dst = d->destination_address;
		segs[0].len = size;
		*nsegs = 1;
		return NETDMA_DESC_COPY;
	}
	return check_split_all(d, rules, reason, segs, nsegs);
}

int
netdma_desc_check_split(const struct netdma_descriptor *d,
			const struct netdma_check_rules *rules, const char **reason,
			struct netdma_segment segs[NETDMA_MAX_SEGMENTS], unsigned int *nsegs)
{
	return check_split(d, rules, NULL, reason, segs, nsegs);
}

static const struct netdma_descriptor *
fetch_checked(netdma_iova_t pa, const struct netdma_check_rules *rules, struct walk_win *win,
	      int *err, const char **reason, struct netdma_segment segs[NETDMA_MAX_SEGMENTS],
	      unsigned int *nsegs)
{
	const struct netdma_descriptor *d;

	if (pa & 63) {
		*err = -EINVAL;
		if (reason != NULL)
			*reason = "descriptor not 64-byte aligned";
		return NULL;
	}
	if (!walk_range_ok(rules, win, pa, sizeof(*d)) ||
	    (d = rules->iova_is_va ? (const struct netdma_descriptor *)(uintptr_t)pa :
	     rules->fetch(rules->fetch_ctx, pa)) == NULL) {
		*err = -EFAULT;
		if (reason != NULL)
			*reason = "descriptor outside the client's DMA memory";
		return NULL;
	}
	*err = check_split(d, rules, win, reason, segs, nsegs);
	return *err < 0 ? NULL : d;
}

/* The flag mapping, inlined where a descriptor is kept. */
static inline uint64_t
engine_flags(uint32_t control_flags, bool prev_serialize)
{
	uint64_t f = 0;

	if (prev_serialize)
		f |= NETDMA_ENGINE_FENCE;
	if (control_flags & NETDMA_F_DESTINATION_DCA_ENABLE)
		f |= NETDMA_ENGINE_LLC;
	return f;
}

/*
 * Keep what was checked for the engine's fetch (netdma_checked.h): all of
 * a chain or none of it.  *room is what is left of the room asked for at
 * the walk's start.  @return false once nothing more of it is kept.
 */
static inline bool
keep_checked(struct netdma_checked_fifo *f, uint32_t *room, uint32_t chain_tail,
	     netdma_iova_t pa, const struct netdma_descriptor *d, int kind,
	     const struct netdma_segment *segs, unsigned int nsegs)
{
	struct netdma_checked_desc *e;

	if (*room == 0) {
		/* full: the engine must meet none of this chain's ahead of its own */
		if (!f->blocked && f->tail != chain_tail)
			f->tail = chain_tail;
		if (f->e != NULL)
			netdma_checked_block(f);
		return false;
	}
	(*room)--;
	e = &f->e[f->tail & f->mask];
	e->pa = pa;
	e->next = d->next_descriptor;
	e->control_flags = d->control_flags;
	e->engine_flags = (uint8_t)engine_flags(d->control_flags, false);
	e->dca_context = d->dca_context8;
	e->kind = kind == NETDMA_DESC_COPY && nsegs != 1 ? NETDMA_CHECKED_REFETCH : (uint8_t)kind;
	if (e->kind == NETDMA_DESC_COPY) {
		e->src = segs[0].src;
		e->dst = segs[0].dst;
		e->len = segs[0].len;
	} else {
		e->src = e->dst = 0;
		e->len = 0;
	}
	f->tail++;
	return true;
}

/* Entries @p f can take now (none while blocked or without an array). */
static inline uint32_t
keep_room(const struct netdma_checked_fifo *f)
{
	if (f->e == NULL || f->blocked)
		return 0;
	return f->mask + 1 - netdma_checked_used(f);
}

int
netdma_chain_count_check(uint8_t major_version, uint32_t count, const char **why)
{
	/* spec §1: 1.x providers ignore the count */
	if (major_version < 2)
		return 0;
	if (count == 0) {
		*why = "2.0 chain with a descriptor count of 0";
		return -EINVAL;
	}
	if (count > NETDMA_CHAIN_MAX) {
		*why = "2.0 chain with a descriptor count over NETDMA_CHAIN_MAX";
		return -E2BIG;
	}
	return 0;
}

int
netdma_chain_check(netdma_iova_t head, uint32_t count,
		   const struct netdma_check_rules *rules,
		   netdma_iova_t *last, netdma_iova_t *bad, const char **reason)
{
	struct netdma_segment segs[NETDMA_MAX_SEGMENTS];
	struct netdma_checked_fifo *keep = rules->keep;
	const struct netdma_descriptor *d;
	struct walk_win win;
	netdma_iova_t pa = head, tortoise = head;
	uint32_t n = 0, power = 1, lam = 0, chain_tail = keep != NULL ? keep->tail : 0;
	uint32_t room = keep != NULL ? keep_room(keep) : 0;
	unsigned int nsegs;
	int err;

	if (bad != NULL)
		*bad = 0;
	if (head == 0)
		FAIL(-EINVAL, "no descriptor");
	err = netdma_chain_count_check(rules->major_version, count, reason);
	if (err < 0)
		return err;

	walk_win_load(&win, rules);
	for (;;) {
		/*
		 * Chains mostly lie in rings: the descriptors a few lines on are
		 * the next ones, asked into the cache now (a guess, never read).
		 */
		if (rules->iova_is_va)
			__builtin_prefetch((const void *)(uintptr_t)(pa + WALK_PREFETCH * 64));
		d = fetch_checked(pa, rules, &win, &err, reason, segs, &nsegs);
		if (d == NULL) {
			if (bad != NULL)
				*bad = pa;
			return err;
		}
		if (keep != NULL && !keep_checked(keep, &room, chain_tail, pa, d, err, segs, nsegs))
			keep = NULL;
		n++;
		if (rules->major_version >= 2) {
			/* spec §3.4: counted, the last one pre-links the next slot */
			if (n == count) {
				if (d->next_descriptor == 0 || (d->next_descriptor & 63)) {
					if (bad != NULL)
						*bad = pa;
					FAIL(-EINVAL, "2.0 chain: last next_descriptor is not a valid pre-link");
				}
				break;
			}
		} else if (d->next_descriptor == 0) {
			break;
		}
		if (n >= NETDMA_CHAIN_MAX)
			FAIL(-E2BIG, "chain longer than NETDMA_CHAIN_MAX");
		pa = d->next_descriptor;
		if (rules->major_version < 2) {
			/* Brent's cycle detection: O(n) steps, O(1) memory */
			if (pa == tortoise) {
				if (bad != NULL)
					*bad = pa;
				FAIL(-ELOOP, "1.x chain loops back on itself");
			}
			if (++lam == power) {
				tortoise = pa;
				power <<= 1;
				lam = 0;
			}
		}
	}
	if (last != NULL)
		*last = pa;
	return (int)n;
}

uint64_t
netdma_desc_engine_flags(uint32_t control_flags, bool prev_serialize)
{
	return engine_flags(control_flags, prev_serialize);
}

int
netdma_prelink_check(netdma_iova_t prelink, netdma_iova_t head, const char **why)
{
	if (head == prelink)
		return 0;
	*why = "2.0 append not at the slot the previous chain pre-linked";
	return -EINVAL;
}
