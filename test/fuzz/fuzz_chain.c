/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the chain check (netdma_chain_check), linked
 * against netdma_pure only.  Descriptors from the input over an arena of
 * regions and guard pages (fuzz_chain_wire.h); the validators accept only
 * ranges inside one region and clear of the completion word, as netdmad's
 * do.  Whatever the check accepts is walked again here, independently: the
 * chain's every descriptor and every segment an engine would copy must lie
 * inside one region, or the harness aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netdma.h"
#include "netdma_chain.h"

#include "fuzz_chain_wire.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct region {
	uint64_t lo, hi;   /* IOVA offsets from FZC_BASE, [lo, hi) */
};

static const struct region regions[] = {
	{ FZC_REGION_A, FZC_REGION_A + 0x2000 },
	{ FZC_REGION_C, FZC_REGION_C + 0x1000 },
	{ FZC_REGION_B, 0x7000 },
};
#define NB_REGIONS (sizeof(regions) / sizeof(regions[0]))

static uint8_t arena[FZC_ARENA] __attribute__((aligned(4096)));

static bool
overlaps_cw(uint64_t iova, uint64_t len)
{
	uint64_t cw = FZC_BASE + FZC_CW;

	return iova < cw + 8 && cw < iova + len;
}

/* The region holding all of [iova, iova+len), or NULL; no wrap-around tricks. */
static const struct region *
region_of(uint64_t iova, uint64_t len)
{
	unsigned int i;

	if (len == 0 || iova < FZC_BASE || iova + len < iova)
		return NULL;
	for (i = 0; i < NB_REGIONS; i++)
		if (iova - FZC_BASE >= regions[i].lo && iova + len - FZC_BASE <= regions[i].hi)
			return &regions[i];
	return NULL;
}

/* The oracle: may an engine touch [iova, iova+len)? */
static bool
allowed(uint64_t iova, uint64_t len)
{
	return region_of(iova, len) != NULL && !overlaps_cw(iova, len);
}

static bool
range_ok(void *ctx, netdma_iova_t iova, uint64_t len)
{
	(void)ctx;
	return allowed(iova, len);
}

/* The region, narrowed to the side of the completion word the range is on. */
static bool
range_win(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo, netdma_iova_t *hi)
{
	const struct region *r = region_of(iova, len);
	uint64_t cw = FZC_BASE + FZC_CW;

	(void)ctx;
	if (r == NULL || overlaps_cw(iova, len))
		return false;
	*lo = FZC_BASE + r->lo;
	*hi = FZC_BASE + r->hi;
	if (cw >= *lo && cw < *hi) {
		if (iova + len <= cw)
			*hi = cw;
		else
			*lo = cw + 8;
	}
	return true;
}

/* The check reads a descriptor only after it passed the range check. */
static const struct netdma_descriptor *
fetch(void *ctx, netdma_iova_t pa)
{
	(void)ctx;
	if (!allowed(pa, sizeof(struct netdma_descriptor))) {
		fprintf(stderr, "fuzz_chain: descriptor fetched at 0x%" PRIx64 ", outside the regions\n", pa);
		abort();
	}
	return (const void *)&arena[pa - FZC_BASE];
}

static void
fail(const char *what, uint64_t at)
{
	fprintf(stderr, "fuzz_chain: accepted, but %s (at 0x%" PRIx64 ")\n", what, at);
	abort();
}

/*
 * A descriptor the check accepted (as part of a chain or alone): what it
 * moves must be inside one region each way, under max_address, and the
 * segments must add up to its size.
 */
static void
verify_desc(const struct netdma_descriptor *d, uint64_t at, const struct netdma_check_rules *r)
{
	struct netdma_segment segs[NETDMA_MAX_SEGMENTS];
	uint32_t ctl = d->control_flags, op = ctl & NETDMA_OP_TYPE_MASK, sum = 0;
	unsigned int i, n;

	if (ctl & NETDMA_F_RESERVED_MASK)
		fail("reserved control bits are set", at);
	if (r->major_version < 2 && (op != NETDMA_OP_TYPE_STANDARD_DMA || (ctl & ~NETDMA_F_V1_MASK)))
		fail("a 2.0 op or flag went to a 1.x provider", at);
	if (op == NETDMA_OP_TYPE_CONTEXT_CHANGE && r->major_version >= 2)
		return;   /* moves nothing */
	if (op != NETDMA_OP_TYPE_STANDARD_DMA)
		fail("unknown op type", at);
	if (ctl & NETDMA_F_NULL_TRANSFER)
		return;
	if (d->transfer_size == 0 || d->transfer_size > r->max_transfer_size)
		fail("transfer size out of bounds", at);
	n = netdma_desc_segments(d, segs);
	if (n == 0)
		fail("no segments", at);
	if (!(ctl & (NETDMA_F_SOURCE_PAGE_BREAK | NETDMA_F_DESTINATION_PAGE_BREAK)) &&
	    (n != 1 || segs[0].src != d->source_address || segs[0].dst != d->destination_address))
		fail("no page break, yet not one segment at the descriptor's addresses", at);
	for (i = 0; i < n; i++) {
		if (!allowed(segs[i].src, segs[i].len))
			fail("a segment's source is outside the regions", segs[i].src);
		if (!allowed(segs[i].dst, segs[i].len))
			fail("a segment's destination is outside the regions", segs[i].dst);
		if (r->max_address != 0 && (segs[i].src + segs[i].len - 1 > r->max_address ||
					    segs[i].dst + segs[i].len - 1 > r->max_address))
			fail("a segment past max_address", at);
		sum += segs[i].len;
	}
	if (sum != d->transfer_size)
		fail("segments do not add up to the transfer size", at);
}

/* Walk what netdma_chain_check accepted: @p n descriptors ending at @p last. */
static void
verify_chain(uint64_t head, int n, uint64_t last, const struct netdma_check_rules *r, uint32_t count)
{
	uint64_t pa = head;
	int i;

	if (r->major_version >= 2 && (uint32_t)n != count)
		fail("a 2.0 chain's length is not its count", head);
	for (i = 0; i < n; i++) {
		const struct netdma_descriptor *d;

		if ((pa & 63) || !allowed(pa, sizeof(*d)))
			fail("a descriptor lies outside the regions", pa);
		d = (const void *)&arena[pa - FZC_BASE];
		verify_desc(d, pa, r);
		if (i + 1 == n) {
			if (r->major_version < 2 && d->next_descriptor != 0)
				fail("a 1.x chain ended before its null link", pa);
			if (r->major_version >= 2 && (d->next_descriptor == 0 || (d->next_descriptor & 63)))
				fail("a 2.0 chain ended without a valid pre-link", pa);
			break;
		}
		if (d->next_descriptor == 0)
			fail("the chain went on past a null link", pa);
		pa = d->next_descriptor;
	}
	if (pa != last)
		fail("*last is not the chain's last descriptor", last);
}

static uint64_t
reloc(uint64_t v, bool on)
{
	return on ? FZC_BASE + v % FZC_SPAN : v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .left = size };
	uint8_t mode = fz_u8(&in);
	uint32_t count = fz_u16(&in);
	uint64_t head = reloc(fz_u64(&in), mode & FZC_HEAD_RELATIVE);
	uint32_t max_addr = fz_u32(&in);
	struct netdma_range_cache cache;
	struct netdma_check_rules r = {
		.major_version = mode & FZC_V2 ? 2 : 1,
		.max_transfer_size = 4096u << ((mode >> FZC_XFER_SHIFT) & 3),
		.max_address = mode & FZC_MAX_ADDRESS ? reloc(max_addr, true) : 0,
		.range_ok = range_ok,
		.range_win = mode & FZC_WINDOWS ? range_win : NULL,
		.cache = mode & FZC_CACHE ? &cache : NULL,
		.fetch = fetch,
	};
	uint16_t slots[FZC_ARENA / 64];
	unsigned int nb_slots = 0, i;
	uint64_t last = 0, bad = 0;
	const char *why = NULL;
	int n;

	memset(arena, 0, sizeof(arena));
	netdma_range_cache_reset(&cache);
	while (!fz_done(&in)) {
		uint16_t slot = (uint16_t)(fz_u16(&in) % (FZC_ARENA / 64));
		uint8_t rel = fz_u8(&in);
		struct netdma_descriptor d;

		fz_bytes(&in, &d, sizeof(d));
		d.source_address = reloc(d.source_address, rel & FZC_R_SRC);
		d.destination_address = reloc(d.destination_address, rel & FZC_R_DST);
		d.next_descriptor = reloc(d.next_descriptor, rel & FZC_R_NEXT);
		d.next_source_address = reloc(d.next_source_address, rel & FZC_R_NEXT_SRC);
		d.next_destination_address = reloc(d.next_destination_address, rel & FZC_R_NEXT_DST);
		memcpy(&arena[slot * 64], &d, sizeof(d));
		if (nb_slots < FZC_ARENA / 64)
			slots[nb_slots++] = slot;
	}

	n = netdma_chain_check(head, count, &r, &last, &bad, &why);
	if (n == 0)
		fail("a chain of no descriptors", head);
	if (n > 0)
		verify_chain(head, n, last, &r, count);
	else if (why == NULL)
		fail("a refusal without a reason", bad);

	/* each descriptor alone, with the cache as the chain left it */
	for (i = 0; (mode & FZC_EACH) && i < nb_slots; i++) {
		const struct netdma_descriptor *d = (const void *)&arena[slots[i] * 64];
		struct netdma_segment segs[NETDMA_MAX_SEGMENTS];
		unsigned int k, nsegs;

		if (netdma_desc_check_split(d, &r, NULL, segs, &nsegs) != NETDMA_DESC_COPY)
			continue;
		verify_desc(d, FZC_BASE + slots[i] * 64u, &r);
		for (k = 0; k < nsegs; k++)
			if (!allowed(segs[k].src, segs[k].len) || !allowed(segs[k].dst, segs[k].len))
				fail("netdma_desc_check_split returned a segment outside the regions",
				     FZC_BASE + slots[i] * 64u);
	}
	return 0;
}
