/* SPDX-License-Identifier: BSD-3-Clause */
/* One descriptor: checks (spec §4.1, §5.1), page-break split, flag mapping (§11). */
#include <errno.h>
#include <string.h>

#include "unit.h"

#define DATA (arena + ARENA_SIZE / 2)   /* 32 KiB of "client memory" for data */

static struct netdma_descriptor *
good_copy(uint32_t size)
{
	struct netdma_descriptor *d = unit_descs(1);

	d->transfer_size = size;
	d->source_address = iova_of(DATA);
	d->destination_address = iova_of(DATA + 16384);
	return d;
}

static int
check(const struct netdma_descriptor *d, uint8_t major, const char **why)
{
	struct netdma_check_rules r;

	unit_rules(&r, major);
	*why = NULL;
	return netdma_desc_check(d, &r, why);
}

static void
test_good_copy(void)
{
	const char *why;

	CU_ASSERT_EQUAL(check(good_copy(256), 1, &why), NETDMA_DESC_COPY);
	CU_ASSERT_EQUAL(check(good_copy(256), 2, &why), NETDMA_DESC_COPY);
	CU_ASSERT_PTR_NULL(why);
}

/* spec §5.1: a NULL transfer's size and addresses are not looked at */
static void
test_null_transfer(void)
{
	struct netdma_descriptor *d = unit_descs(1);
	const char *why;

	d->control_flags = NETDMA_F_NULL_TRANSFER | NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
	d->transfer_size = 0;
	d->source_address = 0xdead0000;
	CU_ASSERT_EQUAL(check(d, 1, &why), NETDMA_DESC_NULL);
	CU_ASSERT_EQUAL(check(d, 2, &why), NETDMA_DESC_NULL);
}

/* spec §5.1: op type 0xFF is a 2.0 DCA context change; unknown in 1.x */
static void
test_context_change(void)
{
	struct netdma_descriptor *d = unit_descs(1);
	const char *why;

	d->control_flags = NETDMA_OP_TYPE_CONTEXT_CHANGE | NETDMA_DCA_CONTEXT_CHANGE;
	d->dca_context8 = 3;
	CU_ASSERT_EQUAL(check(d, 2, &why), NETDMA_DESC_CONTEXT_CHANGE);
	CU_ASSERT_EQUAL(check(d, 1, &why), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(why);
	d->control_flags = 0x01000000;   /* I/OAT fill: not a NetDMA op */
	CU_ASSERT_EQUAL(check(d, 2, &why), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(why);
}

/* zero and over-maximum TransferSize (spec §2.3 MaximumTransferSize) */
static void
test_sizes(void)
{
	const char *why;

	CU_ASSERT_EQUAL(check(good_copy(0), 2, &why), -ERANGE);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(check(good_copy(8193), 2, &why), -ERANGE);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(check(good_copy(8192), 2, &why), NETDMA_DESC_COPY);
	CU_ASSERT_EQUAL(check(good_copy(1), 1, &why), NETDMA_DESC_COPY);
}

/* spec §5.1: bits 8 and 10..23 are reserved and must be zero */
static void
test_reserved_bits(void)
{
	static const uint32_t bits[] = { 1u << 8, 1u << 10, 1u << 16, 1u << 23 };
	const char *why;
	unsigned int i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		struct netdma_descriptor *d = good_copy(64);

		d->control_flags = bits[i];
		CU_ASSERT_EQUAL(check(d, 2, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT_EQUAL(check(d, 1, &why), -EINVAL);
	}
}

/* spec §1, §13.10: page break and DCA are 2.0-only */
static void
test_v2_flags_on_v1(void)
{
	static const uint32_t flags[] = { NETDMA_F_SOURCE_PAGE_BREAK,
		NETDMA_F_DESTINATION_PAGE_BREAK, NETDMA_F_DESTINATION_DCA_ENABLE };
	const char *why;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct netdma_descriptor *d = good_copy(64);

		d->control_flags = flags[i];
		d->next_source_address = iova_of(DATA + 4096);
		d->next_destination_address = iova_of(DATA + 20480);
		CU_ASSERT_EQUAL(check(d, 1, &why), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT_EQUAL(check(d, 2, &why), NETDMA_DESC_COPY);
	}
}

/* spec §5.1: the second page must be given, and there are only two pages */
static void
test_page_break_limits(void)
{
	struct netdma_descriptor *d = good_copy(512);
	const char *why;

	d->source_address = iova_of(DATA + 4096 - 100);   /* crosses after 100 bytes */
	d->control_flags = NETDMA_F_SOURCE_PAGE_BREAK;
	d->next_source_address = 0;
	CU_ASSERT_EQUAL(check(d, 2, &why), -ERANGE);
	CU_ASSERT_PTR_NOT_NULL(why);
	d->next_source_address = iova_of(DATA + 8192);
	CU_ASSERT_EQUAL(check(d, 2, &why), NETDMA_DESC_COPY);
	d->transfer_size = 100 + 4096 + 1;                 /* would need a third page */
	CU_ASSERT_EQUAL(check(d, 2, &why), -ERANGE);
}

static void
test_addresses_outside(void)
{
	struct netdma_descriptor *d = good_copy(64);
	struct netdma_check_rules r;
	const char *why;

	d->source_address = iova_of(arena) + ARENA_SIZE;   /* just past the arena */
	CU_ASSERT_EQUAL(check(d, 2, &why), -EFAULT);
	CU_ASSERT_PTR_NOT_NULL(why);
	d = good_copy(64);
	d->destination_address = iova_of(arena) + ARENA_SIZE - 32;   /* straddles the end */
	CU_ASSERT_EQUAL(check(d, 2, &why), -EFAULT);
	d = good_copy(64);
	d->source_address = UINT64_MAX - 16;                  /* wraps past 2^64 */
	CU_ASSERT_EQUAL(check(d, 2, &why), -EFAULT);
	d = good_copy(64);
	d->source_address = 0;
	CU_ASSERT_EQUAL(check(d, 2, &why), -EFAULT);
	/* spec §4.5 MaximumAddressSpace */
	d = good_copy(64);
	unit_rules(&r, 2);
	r.max_address = iova_of(DATA) + 32;
	CU_ASSERT_EQUAL(netdma_desc_check(d, &r, &why), -EFAULT);
}

static void
test_segments_plain(void)
{
	struct netdma_segment s[NETDMA_MAX_SEGMENTS];
	struct netdma_descriptor *d = good_copy(300);

	CU_ASSERT_EQUAL(netdma_desc_segments(d, s), 1);
	CU_ASSERT_EQUAL(s[0].src, iova_of(DATA));
	CU_ASSERT_EQUAL(s[0].dst, iova_of(DATA + 16384));
	CU_ASSERT_EQUAL(s[0].len, 300);
}

/* spec §5.1 page break: continue at next_*_address at the end of the page */
static void
test_segments_source_break(void)
{
	struct netdma_segment s[NETDMA_MAX_SEGMENTS];
	struct netdma_descriptor *d = good_copy(1000);

	d->source_address = 0x10000 + 4096 - 100;
	d->next_source_address = 0x50000;
	d->destination_address = 0x90000;
	d->control_flags = NETDMA_F_SOURCE_PAGE_BREAK;
	CU_ASSERT_EQUAL(netdma_desc_segments(d, s), 2);
	CU_ASSERT_EQUAL(s[0].src, 0x10000 + 4096 - 100);
	CU_ASSERT_EQUAL(s[0].dst, 0x90000);
	CU_ASSERT_EQUAL(s[0].len, 100);
	CU_ASSERT_EQUAL(s[1].src, 0x50000);
	CU_ASSERT_EQUAL(s[1].dst, 0x90000 + 100);
	CU_ASSERT_EQUAL(s[1].len, 900);
}

static void
test_segments_both_breaks(void)
{
	struct netdma_segment s[NETDMA_MAX_SEGMENTS];
	struct netdma_descriptor *d = good_copy(1000);

	d->source_address = 0x10000 + 4096 - 100;      /* source breaks at 100 */
	d->next_source_address = 0x50000;
	d->destination_address = 0x20000 + 4096 - 300; /* destination breaks at 300 */
	d->next_destination_address = 0x60000;
	d->control_flags = NETDMA_F_SOURCE_PAGE_BREAK | NETDMA_F_DESTINATION_PAGE_BREAK;
	CU_ASSERT_EQUAL(netdma_desc_segments(d, s), 3);
	CU_ASSERT_EQUAL(s[0].len, 100);
	CU_ASSERT_EQUAL(s[0].dst, 0x20000 + 4096 - 300);
	CU_ASSERT_EQUAL(s[1].src, 0x50000);
	CU_ASSERT_EQUAL(s[1].dst, 0x20000 + 4096 - 200);
	CU_ASSERT_EQUAL(s[1].len, 200);
	CU_ASSERT_EQUAL(s[2].src, 0x50000 + 200);
	CU_ASSERT_EQUAL(s[2].dst, 0x60000);
	CU_ASSERT_EQUAL(s[2].len, 700);
}

static void
test_segments_break_unused(void)
{
	struct netdma_segment s[NETDMA_MAX_SEGMENTS];
	struct netdma_descriptor *d = good_copy(64);

	d->source_address = 0x10000;
	d->control_flags = NETDMA_F_SOURCE_PAGE_BREAK | NETDMA_F_DESTINATION_PAGE_BREAK;
	CU_ASSERT_EQUAL(netdma_desc_segments(d, s), 1);
	CU_ASSERT_EQUAL(s[0].len, 64);
}

/* DESIGN.md flag mapping, spec §11: SERIALIZE on N → fence on N+1; DCA → LLC */
static void
test_engine_flags(void)
{
	CU_ASSERT_EQUAL(NETDMA_ENGINE_FENCE, 1u << 0);   /* RTE_DMA_OP_FLAG_FENCE */
	CU_ASSERT_EQUAL(NETDMA_ENGINE_LLC, 1u << 2);     /* RTE_DMA_OP_FLAG_LLC */
	CU_ASSERT_EQUAL(netdma_desc_engine_flags(0, false), 0);
	CU_ASSERT_EQUAL(netdma_desc_engine_flags(0, true), NETDMA_ENGINE_FENCE);
	/* SERIALIZE on this descriptor fences the next one, not this one */
	CU_ASSERT_EQUAL(netdma_desc_engine_flags(NETDMA_F_SERIALIZE_TRANSFER, false), 0);
	CU_ASSERT_EQUAL(netdma_desc_engine_flags(NETDMA_F_DESTINATION_DCA_ENABLE, false),
			NETDMA_ENGINE_LLC);
	CU_ASSERT_EQUAL(netdma_desc_engine_flags(NETDMA_F_DESTINATION_DCA_ENABLE, true),
			NETDMA_ENGINE_LLC | NETDMA_ENGINE_FENCE);
	/* NO_SNOOP: a hint without effect (DESIGN.md) */
	CU_ASSERT_EQUAL(netdma_desc_engine_flags(NETDMA_F_SOURCE_NO_SNOOP |
						 NETDMA_F_DESTINATION_NO_SNOOP, false), 0);
	CU_ASSERT_EQUAL(netdma_desc_engine_flags(NETDMA_F_INTERRUPT_ON_COMPLETION |
						 NETDMA_F_STATUS_UPDATE_ON_COMPLETION, false), 0);
}

int
unit_add_desc(void)
{
	CU_pSuite s = CU_add_suite("descriptor checks", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "good copy", test_good_copy) ||
	    !CU_add_test(s, "NULL transfer", test_null_transfer) ||
	    !CU_add_test(s, "context change", test_context_change) ||
	    !CU_add_test(s, "transfer sizes", test_sizes) ||
	    !CU_add_test(s, "reserved bits", test_reserved_bits) ||
	    !CU_add_test(s, "2.0 flags on 1.x", test_v2_flags_on_v1) ||
	    !CU_add_test(s, "page break limits", test_page_break_limits) ||
	    !CU_add_test(s, "addresses outside", test_addresses_outside) ||
	    !CU_add_test(s, "segments plain", test_segments_plain) ||
	    !CU_add_test(s, "segments source break", test_segments_source_break) ||
	    !CU_add_test(s, "segments both breaks", test_segments_both_breaks) ||
	    !CU_add_test(s, "segments break unused", test_segments_break_unused) ||
	    !CU_add_test(s, "engine flags", test_engine_flags))
		return -1;
	return 0;
}
