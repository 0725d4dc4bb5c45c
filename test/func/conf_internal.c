/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process only: the library's own memory is never a consumer address
 * (issue 9, hole 2).  Each channel owns two power-up re-seed descriptors
 * (spec §7.5) in the same DPDK heap as the consumer's buffers; a descriptor
 * that names them as source, destination, head or link is refused with
 * -EFAULT, under the default validator and under a validator that accepts
 * everything (a buggy daemon check) alike, and nothing moves.
 */
#include <errno.h>
#include <string.h>

#include "conf_dpdk.h"
#include "netdma_internal.h"

#define SU NETDMA_F_STATUS_UPDATE_ON_COMPLETION

static netdma_iova_t
reseed_iova(void)
{
	return F.ch->reseed_iova;
}

/* A validator that says yes to everything, with the widest window. */
static bool
yes_win(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo, netdma_iova_t *hi)
{
	(void)ctx;
	(void)iova;
	(void)len;
	*lo = 0;
	*hi = UINT64_MAX;
	return true;
}

static bool
yes(void *ctx, netdma_iova_t iova, uint64_t len)
{
	(void)ctx;
	(void)iova;
	(void)len;
	return true;
}

enum validator { V_DEFAULT, V_YES_WINDOW, V_YES };

static void
set_validator(enum validator v)
{
	int ret;

	if (v == V_YES_WINDOW)
		ret = netdma_chan_set_addr_window_check(F.ch, yes_win, NULL);
	else
		ret = netdma_chan_set_addr_check(F.ch, v == V_YES ? yes : NULL, NULL);
	CU_ASSERT_EQUAL(ret, 0);
}

/*
 * @p ret must be -EFAULT with a reason, nothing copied into d[0..n), the
 * re-seed slots as they were, the completion word still ARMED; then the
 * channel still copies a good chain.
 */
static void
expect_fault(int ret, unsigned int n, const uint8_t *reseed_before)
{
	CU_ASSERT_EQUAL(ret, -EFAULT);
	CU_ASSERT_STRING_NOT_EQUAL(netdma_chan_last_error(F.ch), "");
	poll_n(8);
	CU_ASSERT_TRUE(blocks_zero(0, n));
	CU_ASSERT_EQUAL(memcmp(F.ch->reseed, reseed_before, NETDMA_RESEED_BYTES), 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	chain(32, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[32], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(35, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(32, 4));
	CU_ASSERT_TRUE(blocks_zero(0, n));
	/* back to ARMED for the next case: a Reset forgets the chain */
	CU_ASSERT_EQUAL(netdma_chan_reset(F.ch), 0);
	memset(F.dst + 32 * BLK, 0, 4 * BLK);
	*F.cw = netdma_completion_encode(0, NETDMA_STATUS_ARMED);
}

/* Every way a descriptor can name the re-seed slots, under validator @p v. */
static void
refuse_all(enum validator v)
{
	uint8_t before[NETDMA_RESEED_BYTES];

	NEED_FIX();
	set_validator(v);
	memcpy(before, F.ch->reseed, sizeof(before));
	/* source: 128 bytes of library memory read out */
	chain(0, 4, SU);
	F.d[1].source_address = reseed_iova();
	F.d[1].transfer_size = NETDMA_RESEED_BYTES;
	expect_fault(netdma_chan_start(F.ch, F.d, 4), 4, before);
	/* destination: 64 bytes written over the re-seed descriptor */
	chain(0, 4, SU);
	F.d[2].destination_address = reseed_iova();
	F.d[2].transfer_size = 64;
	expect_fault(netdma_chan_start(F.ch, F.d, 4), 4, before);
	/* a range that only ends inside the slots */
	chain(0, 4, SU);
	F.d[3].destination_address = reseed_iova() + 8 - BLK;
	expect_fault(netdma_chan_start(F.ch, F.d, 4), 4, before);
	/* head: the re-seed descriptor handed in as the consumer's chain */
	expect_fault(netdma_chan_start(F.ch, F.ch->reseed, 1), 4, before);
	/* a link into the slots (the second slot: a 2.0 pre-link) */
	chain(0, 4, SU);
	F.d[1].next_descriptor = reseed_iova() + sizeof(struct netdma_descriptor);
	expect_fault(netdma_chan_start(F.ch, F.d, 4), 4, before);
	/* an Append is checked the same way */
	chain(0, 2, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 2), 0);
	CU_ASSERT_TRUE(wait_word(word(1, NETDMA_STATUS_IDLE)));
	chain(2, 2, SU);
	if (!v2())
		F.d[1].next_descriptor = IO(&F.d[2]);
	F.d[3].destination_address = reseed_iova();
	F.d[3].transfer_size = 64;
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[2], 2), -EFAULT);
	poll_n(8);
	CU_ASSERT_TRUE(blocks_zero(2, 2));
	CU_ASSERT_EQUAL(memcmp(F.ch->reseed, before, sizeof(before)), 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(1, NETDMA_STATUS_IDLE));
}

static void
i_default_validator(void)
{
	refuse_all(V_DEFAULT);
}

static void
i_window_validator(void)
{
	refuse_all(V_YES_WINDOW);
}

static void
i_plain_validator(void)
{
	refuse_all(V_YES);
}

/*
 * Windows given for a consumer range leave the slots out, so a later range
 * answered from a cached window cannot reach them: the default validator's
 * window is a whole memseg list, the permissive one's everything.
 */
static void
i_windows_narrowed(void)
{
	netdma_iova_t r, lo = 0, hi = 0, below, above;
	enum validator v;

	NEED_FIX();
	r = reseed_iova();
	below = IO(F.src) < r ? IO(F.src) : 0;
	above = IO(F.src) > r ? IO(F.src) : 0;
	for (v = V_DEFAULT; v <= V_YES_WINDOW; v++) {
		set_validator(v);
		CU_ASSERT_FALSE(netdma_chan_addr_win(F.ch, r, 64, &lo, &hi));
		CU_ASSERT_FALSE(netdma_chan_addr_win(F.ch, r + 64, 8, &lo, &hi));
		CU_ASSERT_FALSE(netdma_chan_addr_ok(F.ch, r - 8, 16));
		if (v == V_YES_WINDOW) {   /* both sides: anything but the slots is yes */
			below = r - 4096;
			above = r + 4096;
		}
		if (below != 0) {
			CU_ASSERT_TRUE_FATAL(netdma_chan_addr_win(F.ch, below, 64, &lo, &hi));
			CU_ASSERT(lo <= below && below + 64 <= hi);
			CU_ASSERT(hi <= r);
		}
		if (above != 0) {
			CU_ASSERT_TRUE_FATAL(netdma_chan_addr_win(F.ch, above, 64, &lo, &hi));
			CU_ASSERT(lo <= above && above + 64 <= hi);
			CU_ASSERT(lo >= r + NETDMA_RESEED_BYTES);
		}
	}
}

static int
chan_state(void)
{
	struct netdma_chan_stats st;

	return netdma_chan_stats_get(F.ch, &st) == 0 ? st.state : -1;
}

/*
 * With the chain checked at fetch only (netdmad's mode), a link into the
 * slots passes Start and is refused by the engine as it fetches it: the
 * descriptors before it copy, the channel halts with an error DPC, the
 * slots stay as they were.  A head in the slots is refused at Start.
 */
static void
i_fetch_link(void)
{
	uint8_t before[NETDMA_RESEED_BYTES];
	struct netdma_chan_stats st;

	NEED_FIX();
	CU_ASSERT_EQUAL_FATAL(netdma_chan_set_check_at_fetch(F.ch, true), 0);
	memcpy(before, F.ch->reseed, sizeof(before));
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.ch->reseed, 1), -EFAULT);
	chain(0, 4, SU | NETDMA_F_INTERRUPT_ON_COMPLETION);
	F.d[1].control_flags = SU;
	F.d[1].next_descriptor = reseed_iova() + (v2() ? sizeof(struct netdma_descriptor) : 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	CU_ASSERT_TRUE(wait_irqs(1));
	CU_ASSERT_EQUAL(F.irq_pa, 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(1, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	CU_ASSERT_TRUE(blocks_zero(2, 2));
	CU_ASSERT_EQUAL(memcmp(F.ch->reseed, before, sizeof(before)), 0);
	CU_ASSERT_EQUAL(netdma_chan_stats_get(F.ch, &st), 0);
	CU_ASSERT_EQUAL(st.state, NETDMA_CHAN_HALTED);
	CU_ASSERT_EQUAL(st.errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), "outside"));
}

/* A power cycle still re-seeds, and Suspend/Resume re-reads the re-seed. */
static void
i_power_cycle_reseed(void)
{
	struct netdma_provider *p;
	struct netdma_pnp_notification ev = {
		.structure_revision = NETDMA_PNP_NOTIFICATION_REVISION_1,
		.structure_size = sizeof(ev),
	};
	netdma_iova_t last = 0;

	NEED_FIX();
	p = B->kind == BE_CPU ? netdma_cpu_provider_handle(be_cpu(B)) :
		netdma_dmadev_provider_handle(be_dma(B));
	chain(0, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	CU_ASSERT_TRUE(wait_word(word(3, NETDMA_STATUS_IDLE)));
	ev.notification_code = NETDMA_PNP_PROVIDER_POWER_DOWN;
	CU_ASSERT_EQUAL_FATAL(netdma_pnp_event_notify(p, &ev), 0);
	ev.notification_code = NETDMA_PNP_PROVIDER_POWER_UP;
	CU_ASSERT_EQUAL_FATAL(netdma_pnp_event_notify(p, &ev), 0);
	CU_ASSERT_TRUE(wait_idle_engine());
	/* the engine fetched and retired the library's NULL descriptor */
	CU_ASSERT_EQUAL(netdma_chan_suspend(F.ch, &last), 0);
	CU_ASSERT_EQUAL(last, reseed_iova());
	CU_ASSERT_EQUAL(netdma_chan_resume(F.ch), 0);   /* re-reads it: no halt */
	poll_n(4);
	CU_ASSERT_EQUAL(F.irqs, 0);
	CU_ASSERT_EQUAL(chan_state(), NETDMA_CHAN_RUNNING);
	chain(4, 4, SU);
	if (!v2())
		F.d[3].next_descriptor = IO(&F.d[4]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[4], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 8));
	/* the chain the consumer started is its own again: the slots are refused */
	chain(8, 2, SU);
	F.d[9].destination_address = reseed_iova();
	F.d[9].transfer_size = 64;
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, &F.d[8], 2), -EFAULT);
	CU_ASSERT_TRUE(blocks_zero(8, 2));
}

int
conf_add_internal(struct backend *b)
{
	CU_pSuite s = conf_suite("library memory", b);

	if (s == NULL ||
	    !CU_add_test(s, "re-seed slots refused (default validator)", i_default_validator) ||
	    !CU_add_test(s, "re-seed slots refused (permissive window validator)",
			 i_window_validator) ||
	    !CU_add_test(s, "re-seed slots refused (permissive validator)", i_plain_validator) ||
	    !CU_add_test(s, "validator windows leave the re-seed slots out", i_windows_narrowed) ||
	    !CU_add_test(s, "a link into the re-seed slots halts at fetch", i_fetch_link) ||
	    !CU_add_test(s, "power cycle re-seeds; suspend and resume re-read it",
			 i_power_cycle_reseed))
		return -1;
	return 0;
}
