/* SPDX-License-Identifier: BSD-3-Clause */
/* Chain walking: 1.x linked (spec §3.4, §3.5), 2.0 counted with pre-link. */
#include <errno.h>

#include "unit.h"

#define DATA (arena + ARENA_SIZE / 2)

/* n copy descriptors, linked in order; the last links to @p last_next */
static struct netdma_descriptor *
linked(unsigned int n, netdma_iova_t last_next)
{
	struct netdma_descriptor *d = unit_descs(n + 1);
	unsigned int i;

	for (i = 0; i < n; i++) {
		d[i].transfer_size = 64;
		d[i].source_address = iova_of(DATA + 64 * i);
		d[i].destination_address = iova_of(DATA + 8192 + 64 * i);
		d[i].next_descriptor = i + 1 < n ? iova_of(&d[i + 1]) : last_next;
	}
	return d;
}

static int
walk(struct netdma_descriptor *head, uint32_t count, uint8_t major,
     netdma_iova_t *last, netdma_iova_t *bad)
{
	struct netdma_check_rules r;
	const char *why = NULL;
	int ret;

	unit_rules(&r, major);
	ret = netdma_chain_check(iova_of(head), count, &r, last, bad, &why);
	if (ret < 0)
		CU_ASSERT_PTR_NOT_NULL(why);   /* every refusal says why */
	return ret;
}

static void
test_v1_lengths(void)
{
	struct netdma_descriptor *d = linked(1, 0);
	netdma_iova_t last = 0;

	CU_ASSERT_EQUAL(walk(d, 0, 1, &last, NULL), 1);
	CU_ASSERT_EQUAL(last, iova_of(&d[0]));
	d = linked(37, 0);
	/* spec §3.4: a 1.x provider ignores DescriptorCount */
	CU_ASSERT_EQUAL(walk(d, 5, 1, &last, NULL), 37);
	CU_ASSERT_EQUAL(last, iova_of(&d[36]));
}

/* rule: a 1.x chain that loops never ends; refused with -ELOOP */
static void
test_v1_self_loop(void)
{
	struct netdma_descriptor *d = linked(1, 0);
	netdma_iova_t bad = 0;

	d[0].next_descriptor = iova_of(&d[0]);
	CU_ASSERT_EQUAL(walk(d, 0, 1, NULL, &bad), -ELOOP);
	CU_ASSERT_EQUAL(bad, iova_of(&d[0]));
}

static void
test_v1_two_cycle(void)
{
	struct netdma_descriptor *d = linked(2, 0);

	d[1].next_descriptor = iova_of(&d[0]);
	CU_ASSERT_EQUAL(walk(d, 0, 1, NULL, NULL), -ELOOP);
}

static void
test_v1_tail_into_cycle(void)
{
	struct netdma_descriptor *d = linked(50, 0);
	netdma_iova_t bad = 0;

	d[49].next_descriptor = iova_of(&d[2]);
	CU_ASSERT_EQUAL(walk(d, 0, 1, NULL, &bad), -ELOOP);
	CU_ASSERT_NOT_EQUAL(bad, 0);
}

static void
test_v1_bad_links(void)
{
	struct netdma_descriptor *d = linked(4, 0);
	netdma_iova_t bad = 0;

	d[1].next_descriptor = iova_of(&d[2]) + 8;   /* not 64-byte aligned */
	CU_ASSERT_EQUAL(walk(d, 0, 1, NULL, &bad), -EINVAL);
	CU_ASSERT_EQUAL(bad, iova_of(&d[2]) + 8);
	d = linked(4, 0);
	d[2].next_descriptor = iova_of(arena) + ARENA_SIZE;   /* outside the client's memory */
	CU_ASSERT_EQUAL(walk(d, 0, 1, NULL, &bad), -EFAULT);
	CU_ASSERT_EQUAL(walk(NULL, 0, 1, NULL, NULL), -EINVAL);   /* head 0 */
}

/* one bad descriptor in the middle refuses the whole chain and names it */
static void
test_v1_bad_middle(void)
{
	struct netdma_descriptor *d = linked(6, 0);
	netdma_iova_t bad = 0;

	d[3].transfer_size = 0;
	CU_ASSERT_EQUAL(walk(d, 0, 1, NULL, &bad), -ERANGE);
	CU_ASSERT_EQUAL(bad, iova_of(&d[3]));
	d = linked(6, 0);
	d[4].control_flags = 1u << 12;
	CU_ASSERT_EQUAL(walk(d, 0, 1, NULL, &bad), -EINVAL);
	CU_ASSERT_EQUAL(bad, iova_of(&d[4]));
}

/* spec §3.4: 2.0 takes exactly DescriptorCount descriptors */
static void
test_v2_count(void)
{
	struct netdma_descriptor *d = linked(10, 0);
	netdma_iova_t last = 0;

	d[9].next_descriptor = iova_of(&d[10]);
	CU_ASSERT_EQUAL(walk(d, 3, 2, &last, NULL), 3);
	CU_ASSERT_EQUAL(last, iova_of(&d[2]));
	CU_ASSERT_EQUAL(walk(d, 10, 2, &last, NULL), 10);
	CU_ASSERT_EQUAL(last, iova_of(&d[9]));
	CU_ASSERT_EQUAL(walk(d, 0, 2, NULL, NULL), -EINVAL);
}

/* spec §3.4: the last descriptor pre-links the next Append's slot */
static void
test_v2_prelink(void)
{
	struct netdma_descriptor *d = linked(3, 0);   /* last next = 0 */
	netdma_iova_t bad = 0;

	CU_ASSERT_EQUAL(walk(d, 3, 2, NULL, &bad), -EINVAL);
	CU_ASSERT_EQUAL(bad, iova_of(&d[2]));
	d[2].next_descriptor = iova_of(&d[3]) + 4;
	CU_ASSERT_EQUAL(walk(d, 3, 2, NULL, NULL), -EINVAL);
	d[2].next_descriptor = iova_of(&d[3]);   /* the slot need not be valid yet */
	CU_ASSERT_EQUAL(walk(d, 3, 2, NULL, NULL), 3);
}

/* a 2.0 chain may revisit slots (a ring): only the count bounds it */
static void
test_v2_ring_wrap(void)
{
	struct netdma_descriptor *d = linked(4, 0);

	d[3].next_descriptor = iova_of(&d[0]);
	CU_ASSERT_EQUAL(walk(d, 4, 2, NULL, NULL), 4);
	CU_ASSERT_EQUAL(walk(d, 4, 1, NULL, NULL), -ELOOP);   /* the same list in 1.x */
}

/*
 * The range cache: a window from the validator answers later ranges inside
 * it without a call, never a range it does not wholly hold, never past
 * max_address, and nothing after a reset.
 */
static unsigned int win_calls;

static bool
win_validator(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo, netdma_iova_t *hi)
{
	(void)ctx;
	win_calls++;
	if (iova < 0x10000 || iova + len > 0x20000)
		return false;
	*lo = 0x10000;
	*hi = 0x20000;
	return true;
}

static void
test_range_cache(void)
{
	struct netdma_range_cache c;
	struct netdma_check_rules r = { .major_version = 2, .range_win = win_validator, .cache = &c };

	netdma_range_cache_reset(&c);
	win_calls = 0;
	CU_ASSERT_TRUE(netdma_range_check(&r, 0x10040, 64));
	CU_ASSERT_EQUAL(win_calls, 1);
	CU_ASSERT_TRUE(netdma_range_check(&r, 0x1ffc0, 64));      /* inside: no call */
	CU_ASSERT_EQUAL(win_calls, 1);
	CU_ASSERT_FALSE(netdma_range_check(&r, 0x1ffc0, 65));     /* one byte past */
	CU_ASSERT_EQUAL(win_calls, 2);
	CU_ASSERT_FALSE(netdma_range_check(&r, 0xffc0, 128));     /* straddles the start */
	CU_ASSERT_FALSE(netdma_range_check(&r, 0x10040, 0));      /* empty */
	CU_ASSERT_FALSE(netdma_range_check(&r, UINT64_MAX - 8, 64)); /* wraps */
	r.max_address = 0x10fff;                                   /* the provider's limit wins */
	CU_ASSERT_FALSE(netdma_range_check(&r, 0x10fc0, 128));
	r.max_address = 0;
	netdma_range_cache_reset(&c);
	CU_ASSERT_TRUE(netdma_range_check(&r, 0x10040, 64));
	CU_ASSERT_EQUAL(win_calls, 4);                            /* asked again after the reset */
}

int
unit_add_chain(void)
{
	CU_pSuite s = CU_add_suite("chain walking", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "1.x lengths", test_v1_lengths) ||
	    !CU_add_test(s, "1.x self loop", test_v1_self_loop) ||
	    !CU_add_test(s, "1.x two-cycle", test_v1_two_cycle) ||
	    !CU_add_test(s, "1.x tail into cycle", test_v1_tail_into_cycle) ||
	    !CU_add_test(s, "1.x bad links", test_v1_bad_links) ||
	    !CU_add_test(s, "1.x bad descriptor mid-chain", test_v1_bad_middle) ||
	    !CU_add_test(s, "2.0 count", test_v2_count) ||
	    !CU_add_test(s, "2.0 pre-link", test_v2_prelink) ||
	    !CU_add_test(s, "2.0 ring wrap", test_v2_ring_wrap) ||
	    !CU_add_test(s, "range cache", test_range_cache))
		return -1;
	return 0;
}
