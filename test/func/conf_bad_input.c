/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bad input: each call gets a clear -errno, no byte moves, the completion
 * word keeps its value, and the channel still works afterwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define SU NETDMA_F_STATUS_UPDATE_ON_COMPLETION

/*
 * Submit d[0..n) (already made bad by the caller) and expect @p err with
 * nothing copied; then prove the channel is usable with a good chain.
 */
static void
expect_refused(int ret, int err, unsigned int n)
{
	uint64_t armed = netdma_completion_encode(0, NETDMA_STATUS_ARMED);

	CU_ASSERT_EQUAL(ret, err);
	CU_ASSERT_STRING_NOT_EQUAL(netdma_chan_last_error(F.ch), "");
	poll_n(8);
	CU_ASSERT_TRUE(blocks_zero(0, n));
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), armed);
	/* still usable: a fresh chain elsewhere completes */
	chain(32, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[32], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(35, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(32, 4));
	CU_ASSERT_TRUE(blocks_zero(0, n));
}

/* §8 rule 3/4: Append before Start */
static void
b_append_before_start(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	expect_refused(netdma_chan_append(F.ch, F.d, 4), -EPERM, 4);
}

/* the state is checked before the chain: a bad chain before Start is -EPERM too */
static void
b_bad_append_before_start(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	F.d[1].transfer_size = 0;
	expect_refused(netdma_chan_append(F.ch, F.d, 4), -EPERM, 4);
}

/* a 1.x chain that loops back never ends: -ELOOP */
static void
b_cycle(void)
{
	NEED_FIX();
	chain(0, 6, SU);
	F.d[5].next_descriptor = IO(&F.d[2]);
	expect_refused(netdma_chan_start(F.ch, F.d, 6), -ELOOP, 6);
}

/* §4.1, §12.1: descriptors are 64-byte aligned (head and links) */
static void
b_misaligned(void)
{
	struct netdma_descriptor *odd;

	NEED_FIX();
	chain(0, 4, SU);
	odd = (struct netdma_descriptor *)(void *)((char *)F.d + 32);
	expect_refused(netdma_chan_start(F.ch, odd, 1), -EINVAL, 4);
	chain(0, 4, SU);
	F.d[1].next_descriptor += 8;
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 4), -EINVAL);
	CU_ASSERT_TRUE(blocks_zero(0, 4));
}

static void
b_zero_size(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	F.d[0].transfer_size = 0;
	expect_refused(netdma_chan_start(F.ch, F.d, 4), -ERANGE, 4);
}

/* MaximumTransferSize of the provider (1 MiB by default) */
static void
b_oversize(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	F.d[1].transfer_size = (1u << 20) + 1;
	expect_refused(netdma_chan_start(F.ch, F.d, 4), -ERANGE, 4);
}

/* §5.1: reserved control bits must be zero */
static void
b_reserved_bits(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	F.d[2].control_flags |= 1u << 8;
	expect_refused(netdma_chan_start(F.ch, F.d, 4), -EINVAL, 4);
}

/* §13.10: page break is 2.0-only */
static void
b_page_break_on_v1(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	F.d[0].control_flags |= NETDMA_F_SOURCE_PAGE_BREAK;
	F.d[0].next_source_address = IO(F.src + 8 * BLK);
	expect_refused(netdma_chan_start(F.ch, F.d, 4), -EINVAL, 4);
}

/* an address outside the caller's DMA memory (plain malloc) */
static void
b_address_outside(void)
{
	uint8_t *heap = malloc(BLK);

	NEED_FIX();
	CU_ASSERT_FATAL(heap != NULL);
	memset(heap, 0x5a, BLK);
	chain(0, 4, SU);
	F.d[3].source_address = (netdma_iova_t)(uintptr_t)heap;
	expect_refused(netdma_chan_start(F.ch, F.d, 4), -EFAULT, 4);
	chain(0, 4, SU);
	F.d[0].destination_address = (netdma_iova_t)(uintptr_t)heap;
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 4), -EFAULT);
	CU_ASSERT_TRUE(blocks_zero(0, 4));
	free(heap);
}

/* the descriptor itself outside DMA memory */
static void
b_descriptor_outside(void)
{
	struct netdma_descriptor *heap = aligned_alloc(64, sizeof(*heap));

	NEED_FIX();
	CU_ASSERT_FATAL(heap != NULL);
	chain(0, 1, SU);
	memcpy(heap, &F.d[0], sizeof(*heap));
	expect_refused(netdma_chan_start(F.ch, heap, 1), -EFAULT, 1);
	free(heap);
}

/* a bad descriptor in the middle refuses the whole chain: not even #0 moves */
static void
b_bad_mid_chain(void)
{
	NEED_FIX();
	chain(0, 8, SU);
	F.d[6].transfer_size = 0;
	expect_refused(netdma_chan_start(F.ch, F.d, 8), -ERANGE, 8);
}

/* NULL head */
static void
b_null_head(void)
{
	NEED_FIX();
	expect_refused(netdma_chan_start(F.ch, NULL, 1), -EINVAL, 1);
}

/* §12.16: the completion word must exist, be 8-byte aligned and DMA-visible */
static void
b_completion_word(void)
{
	struct netdma_chan_conf cc = { .lcore_mask = conf_home_mask() };
	uint64_t *heap = malloc(sizeof(*heap));
	struct netdma_chan *ch = NULL;

	NEED_FIX();
	CU_ASSERT_EQUAL(netdma_chan_alloc(B->id, &cc, &ch), -EINVAL);
	cc.completion_word = (volatile uint64_t *)(void *)((char *)(uintptr_t)F.cw + 4);
	CU_ASSERT_EQUAL(netdma_chan_alloc(B->id, &cc, &ch), -EINVAL);
	cc.completion_word = heap;
	CU_ASSERT_EQUAL(netdma_chan_alloc(B->id, &cc, &ch), -EFAULT);
	CU_ASSERT_PTR_NULL(ch);
	CU_ASSERT_EQUAL(netdma_chan_alloc(B->id, NULL, &ch), -EINVAL);
	cc.completion_word = F.cw;   /* a good word: only the provider is wrong */
	CU_ASSERT_EQUAL(netdma_chan_alloc(9999, &cc, &ch), -ENODEV);
	free(heap);
}

/* Suspend/Resume/Abort in the wrong states change nothing */
static void
b_wrong_state_controls(void)
{
	netdma_iova_t last = 1;

	NEED_FIX();
	CU_ASSERT_EQUAL(netdma_chan_suspend(F.ch, &last), -EPERM);
	CU_ASSERT_EQUAL(last, 1);
	CU_ASSERT_EQUAL(netdma_chan_resume(F.ch), -EPERM);
	CU_ASSERT_EQUAL(netdma_chan_abort(F.ch), -EPERM);
	chain(0, 4, SU);
	expect_refused(netdma_chan_resume(F.ch), -EPERM, 4);
}

int
conf_add_bad_input(struct backend *b)
{
	CU_pSuite s = conf_suite("bad input", b);

	if (s == NULL ||
	    !CU_add_test(s, "append before start", b_append_before_start) ||
	    !CU_add_test(s, "bad chain before start: the state first", b_bad_append_before_start) ||
	    !CU_add_test(s, "misaligned descriptor", b_misaligned) ||
	    !CU_add_test(s, "zero transfer size", b_zero_size) ||
	    !CU_add_test(s, "oversize transfer", b_oversize) ||
	    !CU_add_test(s, "reserved control bits", b_reserved_bits) ||
	    !CU_add_test(s, "address outside DMA memory", b_address_outside) ||
	    !CU_add_test(s, "descriptor outside DMA memory", b_descriptor_outside) ||
	    !CU_add_test(s, "bad descriptor mid-chain", b_bad_mid_chain) ||
	    !CU_add_test(s, "NULL head", b_null_head) ||
	    !CU_add_test(s, "completion word", b_completion_word) ||
	    !CU_add_test(s, "controls in the wrong state", b_wrong_state_controls))
		return -1;
	if (b->major < 2 &&
	    (!CU_add_test(s, "1.x chain with a cycle", b_cycle) ||
	     !CU_add_test(s, "page break on a 1.x provider", b_page_break_on_v1)))
		return -1;
	return 0;
}
