/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual channels in-process: several NetDMA channels over dma_skeleton's
 * one vchan through the dmadev provider.  What one channel does (Abort,
 * Suspend, Reset) or suffers (a device error, injected with
 * netdma_dmadev_set_fault()) stays with it: the others' bytes and
 * completion words never notice.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_dmadev.h>

#include "conf_dpdk.h"

#define SU NETDMA_F_STATUS_UPDATE_ON_COMPLETION

/*
 * Virtual channels: three NetDMA channels over the skeleton's one vchan run
 * at once, and what one of them does (Abort, Suspend and Resume, Reset and
 * Start) never disturbs the others' bytes or completion words.
 */
static void
l_virtual_channels(void)
{
	struct netdma_chan *more[2];
	volatile uint64_t *cws = netdma_mem_alloc(2 * 64, 64);
	struct backend *b = conf_test_backend(BE_DMADEV, 2, 0, CONF_BURST);
	netdma_iova_t last = 0;
	unsigned int i;

	CU_ASSERT_FATAL(b != NULL);
	CU_ASSERT_FATAL(cws != NULL);
	for (i = 0; i < 2; i++) {
		struct netdma_chan_conf cc = { .completion_word = &cws[8 * i],
					       .lcore_mask = conf_home_mask() };

		CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc(b->id, &cc, &more[i]), 0);
		CU_ASSERT_EQUAL(netdma_chan_lcore(more[i]), netdma_chan_lcore(F.ch));
	}
	/* all three at once; the first aborted after one step */
	chain(0, 16, SU);
	chain(20, 16, SU);
	chain(40, 16, SU);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 16), 0);
	CU_ASSERT_EQUAL(netdma_chan_start(more[0], &F.d[20], 16), 0);
	CU_ASSERT_EQUAL(netdma_chan_start(more[1], &F.d[40], 16), 0);
	poll_n(1);
	CU_ASSERT_EQUAL(netdma_chan_abort(F.ch), 0);
	/* the second suspended mid-chain and resumed while the third runs */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_suspend(more[0], &last), 0);
	CU_ASSERT(last != 0);
	poll_n(4);
	CU_ASSERT_EQUAL(netdma_chan_resume(more[0]), 0);
	CU_ASSERT_TRUE(wait_idle_engine());
	{
		double deadline = conf_now() + 5;

		while ((cws[0] != word(35, NETDMA_STATUS_IDLE) ||
			cws[8] != word(55, NETDMA_STATUS_IDLE)) && conf_now() < deadline)
			poll_n(1);
	}
	CU_ASSERT_EQUAL(cws[0], word(35, NETDMA_STATUS_IDLE));
	CU_ASSERT_EQUAL(cws[8], word(55, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(blocks_copied(20, 16));
	CU_ASSERT_TRUE(blocks_copied(40, 16));
	CU_ASSERT_EQUAL(netdma_completion_status(netdma_completion_read(F.cw)), NETDMA_STATUS_HALTED);
	CU_ASSERT_TRUE(blocks_zero(2, 14));   /* aborted after the first step's two */
	/* the first one reset and started again beside the others' new work */
	CU_ASSERT_EQUAL(netdma_chan_reset(F.ch), 0);
	memset(F.dst, 0, 16 * BLK);
	chain(0, 16, SU);
	chain(40, 8, SU);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 16), 0);
	CU_ASSERT_EQUAL(netdma_chan_start(more[1], &F.d[40], 8), 0);
	CU_ASSERT_TRUE(wait_word(word(15, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 16));
	for (i = 0; i < 2; i++) {
		double deadline = conf_now() + 5;

		while (netdma_chan_free(more[i]) == -EBUSY && conf_now() < deadline)
			poll_n(1);
	}
	CU_ASSERT_EQUAL(cws[8], word(47, NETDMA_STATUS_IDLE));
	netdma_mem_free((void *)(uintptr_t)cws);
	conf_test_backend_done();
}


/* ---- a device error on one channel of the vchan ------------------------------ */

#define NCH 4                /* the backend's channels per vchan: all of them */
#define PER 16               /* blocks of each channel: c * PER ... */
#define FIRST 12             /* descriptors of each channel's first chain */
#define FILL 0xa4            /* never a source byte (those are odd) */

static volatile uint64_t *vc_cw[NCH];
static struct netdma_chan *vc[NCH];   /* vc[0] is the fixture's F.ch */
static int vc_irqs[NCH];

static void
vc_irq(struct netdma_chan *ch, netdma_iova_t pa, void *arg)
{
	UNUSED(ch);
	UNUSED(pa);
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELEASE);
}

static void
vc_teardown(void)
{
	unsigned int c;

	for (c = 1; c < NCH; c++) {
		double deadline = conf_now() + 5;

		while (vc[c] != NULL && netdma_chan_free(vc[c]) == -EBUSY && conf_now() < deadline)
			poll_n(1);
		netdma_mem_free((void *)(uintptr_t)vc_cw[c]);
		vc[c] = NULL;
		vc_cw[c] = NULL;
	}
	conf_test_backend_done();
}

/* The fixture's channel and NCH - 1 more on the same vchan, dst all FILL. */
static struct backend *
vc_setup(uint8_t major, uint8_t minor, uint32_t burst)
{
	struct backend *b = conf_test_backend(BE_DMADEV, major, minor, burst);
	unsigned int c;

	if (b == NULL)
		return NULL;
	memset(F.dst, FILL, MAXD * BLK);
	memset(vc_irqs, 0, sizeof(vc_irqs));
	vc[0] = F.ch;
	vc_cw[0] = F.cw;
	for (c = 1; c < NCH; c++) {
		struct netdma_chan_conf cc = { .lcore_mask = conf_home_mask(),
					       .intr_cb = vc_irq, .intr_arg = &vc_irqs[c] };

		vc_cw[c] = netdma_mem_alloc(64, 64);
		cc.completion_word = vc_cw[c];
		if (vc_cw[c] == NULL || netdma_chan_alloc(b->id, &cc, &vc[c]) != 0) {
			vc_teardown();
			return NULL;
		}
	}
	return b;
}

/* Descriptors [first, first + n) as one chain, each with a status update. */
static void
chain_su(unsigned int first, unsigned int n)
{
	unsigned int i;

	chain(first, n, SU);
	for (i = first; i < first + n; i++)
		F.d[i].control_flags |= SU;
}

static bool
blocks_fill(unsigned int first, unsigned int n)
{
	const uint8_t *p = F.dst + (size_t)first * BLK;
	size_t i;

	for (i = 0; i < (size_t)n * BLK; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

/* Channel c's word at its descriptor i (block c * PER + i). */
static uint64_t
vc_word(unsigned int c, unsigned int i, enum netdma_transfer_status st)
{
	return word(c * PER + i, st);
}

/*
 * Poll channels [from, to) one by one, those alone, until each one's word
 * reads @p st at its descriptor @p last; 5 s at most.
 */
static bool
vc_wait(unsigned int from, unsigned int to, unsigned int last, enum netdma_transfer_status st)
{
	double deadline = conf_now() + 5;
	unsigned int c, done;

	do {
		for (c = from, done = 0; c < to; c++) {
			netdma_chan_poll(vc[c]);
			done += netdma_completion_read(vc_cw[c]) == vc_word(c, last, st);
		}
	} while (done < to - from && conf_now() < deadline);
	return done == to - from;
}

/*
 * An error of the device (spec §6.3; §13 rules 2 and 9) on one channel of a
 * shared vchan, as a CBDMA channel without error handling has it: the
 * device halts at the failed op until its status is read.  Four channels
 * copy 12 descriptors each, fed two at a time in turn, so the ring holds
 * their ops interleaved: 0 0 1 1 2 2 3 3 0 0 ...; the fault is channel 0's
 * descriptor 5, with the other channels' ops both before and after it.
 *
 * Channel 0 halts: HALTED at descriptor 4, the last retired (§6.1), the
 * error DPC with address 0 (§6.2), the device's status in its reason;
 * descriptors 0-4 copied, 5 (moved nothing) and 6-11 (never fed) still the
 * fill pattern.  The other three copy every byte to Idle at their last
 * descriptor, with no error.  Then Reset (§3.8: back to its state after
 * allocation, the error cleared) and Start (§8 rule 3) copy again on
 * channel 0 while the others copy more: the vchan serves them all.
 */
static void
l_vchan_device_error(void)
{
	struct backend *b = vc_setup(2, 0, CONF_BURST);
	struct netdma_chan_stats st;
	char reason[64];
	unsigned int c, round;

	CU_ASSERT_FATAL(b != NULL);
	for (c = 0; c < NCH; c++) {
		chain_su(c * PER, FIRST);
		CU_ASSERT_EQUAL_FATAL(netdma_chan_start(vc[c], &F.d[c * PER], FIRST), 0);
	}
	/* rounds 0 and 1: descriptors 0-3 of each go to the device */
	for (round = 0; round < 2; round++)
		for (c = 0; c < NCH; c++)
			netdma_chan_poll(vc[c]);
	/* round 2: channel 0 feeds its descriptors 4 and 5, copies 1 and 2 from here */
	netdma_dmadev_set_fault(be_dma(b), 2, 0, RTE_DMA_STATUS_INVALID_DST_ADDR);
	for (c = 0; c < NCH; c++)
		netdma_chan_poll(vc[c]);
	/*
	 * Only the others poll: their ops behind the failed one come back once
	 * its status is read, so by their last one channel 0's error is routed
	 * to it, and it fetches nothing more.
	 */
	CU_ASSERT_TRUE(vc_wait(1, NCH, FIRST - 1, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(wait_irqs(1));   /* channel 0 polls: it halts */

	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), vc_word(0, 4, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(F.irqs, 1);
	CU_ASSERT_EQUAL(F.irq_pa, 0);
	CU_ASSERT_EQUAL(netdma_chan_stats_get(F.ch, &st), 0);
	CU_ASSERT_EQUAL(st.state, NETDMA_CHAN_HALTED);
	CU_ASSERT_EQUAL(st.errors, 1);
	CU_ASSERT_EQUAL(st.descriptors_retired, 5);
	snprintf(reason, sizeof(reason), "halted at descriptor 0x%" PRIx64, IO(&F.d[5]));
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), reason));
	snprintf(reason, sizeof(reason), "(device status %d,", RTE_DMA_STATUS_INVALID_DST_ADDR);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), reason));
	CU_ASSERT_TRUE(blocks_copied(0, 5));
	CU_ASSERT_TRUE(blocks_fill(5, FIRST - 5));
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[FIRST], 1), -EPERM);   /* §8: Start first */
	for (c = 1; c < NCH; c++) {
		CU_ASSERT_EQUAL(netdma_completion_read(vc_cw[c]), vc_word(c, FIRST - 1, NETDMA_STATUS_IDLE));
		CU_ASSERT_TRUE(blocks_copied(c * PER, FIRST));
		CU_ASSERT_EQUAL(netdma_chan_stats_get(vc[c], &st), 0);
		CU_ASSERT_EQUAL(st.errors, 0);
		CU_ASSERT_EQUAL(st.descriptors_retired, FIRST);
		CU_ASSERT_EQUAL(__atomic_load_n(&vc_irqs[c], __ATOMIC_ACQUIRE), 0);
	}

	/* Reset recovers channel 0; everyone copies again over the same vchan */
	CU_ASSERT_EQUAL(netdma_chan_reset(F.ch), 0);
	for (c = 0; c < NCH; c++) {
		chain_su(c * PER + FIRST, PER - FIRST);
		CU_ASSERT_EQUAL(netdma_chan_start(vc[c], &F.d[c * PER + FIRST], PER - FIRST), 0);
	}
	CU_ASSERT_TRUE(vc_wait(0, NCH, PER - 1, NETDMA_STATUS_IDLE));
	for (c = 0; c < NCH; c++)
		CU_ASSERT_TRUE(blocks_copied(c * PER + FIRST, PER - FIRST));
	CU_ASSERT_TRUE(blocks_fill(5, FIRST - 5));   /* §8 rule 9: the old chain stays dead */
	CU_ASSERT_EQUAL(netdma_chan_stats_get(F.ch, &st), 0);
	CU_ASSERT_EQUAL(st.errors, 1);
	CU_ASSERT_EQUAL(F.irqs, 1);
	vc_teardown();
}

/*
 * The first copy of a 1.1 channel fails, with the default status
 * (RTE_DMA_STATUS_INVALID_SRC_ADDR): nothing retired, so HALTED with no
 * address (spec §6.1), the error DPC, no byte moved.  One descriptor per
 * poll, and the channel polls again only once the ops of the channel
 * started after it are back (so its error is routed): nothing else of its
 * chain reached the device.  The other channel copies all; Start alone
 * recovers the first (§8: Start after a halt).
 */
static void
l_vchan_device_error_first(void)
{
	struct backend *b = vc_setup(1, 1, 1);
	char reason[32];

	CU_ASSERT_FATAL(b != NULL);
	netdma_dmadev_set_fault(be_dma(b), 1, 0, 0);
	chain(0, 4, SU);
	chain(PER, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	netdma_chan_poll(F.ch);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(vc[1], &F.d[PER], 4), 0);
	CU_ASSERT_TRUE(vc_wait(1, 2, 3, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(blocks_copied(PER, 4));
	CU_ASSERT_TRUE(wait_irqs(1));
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), netdma_completion_encode(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(F.irq_pa, 0);
	CU_ASSERT_TRUE(blocks_fill(0, 4));
	snprintf(reason, sizeof(reason), "(device status %d,", RTE_DMA_STATUS_INVALID_SRC_ADDR);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), reason));
	CU_ASSERT_EQUAL(__atomic_load_n(&vc_irqs[1], __ATOMIC_ACQUIRE), 0);
	netdma_dmadev_set_fault(be_dma(b), 0, 0, 0);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 4), 0);
	CU_ASSERT_TRUE(wait_word(word(3, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 4));
	vc_teardown();
}

int
conf_add_vchan(void)
{
	CU_pSuite s = CU_add_suite("virtual channels over one skeleton vchan", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "one vchan, three channels, one disturbed", l_virtual_channels) ||
	    !CU_add_test(s, "a device error halts one channel of the vchan (ioat-like), the "
			 "others copy on, Reset recovers", l_vchan_device_error) ||
	    !CU_add_test(s, "a device error on a channel's first copy (1.1, default status)",
			 l_vchan_device_error_first))
		return -1;
	return 0;
}
