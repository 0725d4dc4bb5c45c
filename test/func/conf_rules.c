/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Spec §8 and §13 on every backend: real bytes, and the completion word
 * after each step.  The test steps the engines (conf_poll): in-process it
 * polls the owner lcore, through the daemon it asks netdmad-step.
 */
#include <errno.h>
#include <string.h>

#include "conf.h"

#define SU NETDMA_F_STATUS_UPDATE_ON_COMPLETION
#define IOC NETDMA_F_INTERRUPT_ON_COMPLETION

/* spec §5.2, §13.2: ARMED until the first descriptor retires; IDLE at the end */
static void
t_armed_then_idle(void)
{
	NEED_FIX();
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	chain(0, 6, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 6), 0);
	CU_ASSERT_TRUE(wait_word(word(5, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 6));
	CU_ASSERT_TRUE(blocks_zero(6, 1));
}

/*
 * §5.2, §6.1: every Start shows Armed until something of the new chain
 * retires - on a channel that finished its chain and on a suspended one
 * too: the word must not keep the old chain's Idle or Suspend, or a
 * consumer waiting for Idle stops before the new chain ran.  Nothing runs
 * before the test steps the engine (every backend is stepped).
 */
static void
expect_armed(void)
{
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
}

static void
t_armed_at_every_start(void)
{
	NEED_FIX();
	chain(0, 2, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 2), 0);
	CU_ASSERT_TRUE_FATAL(wait_word(word(1, NETDMA_STATUS_IDLE)));
	/* finished: a new Start */
	chain(4, 2, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[4], 2), 0);
	expect_armed();
	CU_ASSERT_TRUE(wait_word(word(5, NETDMA_STATUS_IDLE)));
	/* suspended: a new Start */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_suspend(F.ch, NULL), 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(5, NETDMA_STATUS_SUSPEND));
	chain(8, 2, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[8], 2), 0);
	expect_armed();
	CU_ASSERT_TRUE(wait_word(word(9, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	CU_ASSERT_TRUE(blocks_copied(4, 2));
	CU_ASSERT_TRUE(blocks_copied(8, 2));
	CU_ASSERT_TRUE(blocks_zero(2, 2));
	CU_ASSERT_TRUE(blocks_zero(6, 2));
}

/* §13.2: the word is written only for descriptors that ask */
static void
t_status_only_when_asked(void)
{
	NEED_FIX();
	chain(0, 6, 0);
	F.d[2].control_flags = SU;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 6), 0);
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(0, 6));
	/* descriptors 3..5 were still pending when 2 retired: ACTIVE */
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(2, NETDMA_STATUS_ACTIVE));
}

/*
 * §6.1: an in-order high-water mark: observed addresses never go back and
 * only name descriptors that asked.  The engine publishes once per poll (the
 * newest such descriptor), so how many intermediate words show is timing.
 */
static void
t_high_water_mark(void)
{
	unsigned int i, last_idx = 0;

	NEED_FIX();
	chain(0, 16, SU);
	for (i = 1; i < 16; i += 3)
		F.d[i].control_flags = SU;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 16), 0);
	for (i = 0; i < 100000 && netdma_completion_read(F.cw) != word(15, NETDMA_STATUS_IDLE); i++) {
		uint64_t w = netdma_completion_read(F.cw);

		poll_n(1);
		if (netdma_completion_status(w) == NETDMA_STATUS_ARMED)
			continue;
		unsigned int idx = (unsigned int)((netdma_completion_address(w) - IO(F.d)) / 64);

		CU_ASSERT(idx >= last_idx);
		CU_ASSERT(idx % 3 == 1 || idx == 15);   /* a STATUS_UPDATE descriptor */
		CU_ASSERT(netdma_completion_address(w) == IO(&F.d[idx]));
		last_idx = idx;
	}
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(15, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(blocks_copied(0, 16));
}

/* §13.1: the engine never writes a descriptor; UserContext1/2 are the client's */
static void
t_descriptors_untouched(void)
{
	struct netdma_descriptor copy[4];
	unsigned int i;

	NEED_FIX();
	chain(0, 4, SU | IOC);
	for (i = 0; i < 4; i++) {
		F.d[i].user_context1 = 0x1111111100000000ull + i;
		F.d[i].user_context2 = 0x2222222200000000ull + i;
		if (!v2())
			F.d[i].reserved1 = 0xabcdef;   /* 1.x: reserved for the provider */
	}
	memcpy(copy, F.d, sizeof(copy));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	CU_ASSERT_TRUE(wait_word(word(3, NETDMA_STATUS_IDLE)));
	CU_ASSERT_EQUAL(memcmp(copy, F.d, sizeof(copy)), 0);
	CU_ASSERT_TRUE(blocks_copied(0, 4));
}

/* §13.3: a NULL transfer moves nothing but completes, after what came before */
static void
t_null_transfer(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	/* descriptor 1 is NULL but carries real-looking addresses (spec §5.1) */
	F.d[1].control_flags = NETDMA_F_NULL_TRANSFER | SU | IOC;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	CU_ASSERT_TRUE(wait_word(word(3, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 1));
	CU_ASSERT_TRUE(blocks_zero(1, 1));
	CU_ASSERT_TRUE(blocks_copied(2, 2));
	CU_ASSERT_TRUE(wait_irqs(1));
	CU_ASSERT_EQUAL(irqs(), 1);
	CU_ASSERT_EQUAL(F.irq_pa, IO(&F.d[1]));
}

/* §13.3: a chain made only of a NULL request still reports its completion */
static void
t_null_only(void)
{
	NEED_FIX();
	chain(0, 1, NETDMA_F_NULL_TRANSFER | SU | IOC);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 1), 0);
	CU_ASSERT_TRUE(wait_word(word(0, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(wait_irqs(1));
	CU_ASSERT_EQUAL(irqs(), 1);
	CU_ASSERT_TRUE(blocks_zero(0, 1));
}

/* §13.4: SERIALIZE on N: N's data is in place before N+1 reads it. */
static void
t_serialize_data(void)
{
	unsigned int i;

	NEED_FIX();
	chain(0, 8, SU);
	for (i = 0; i < 7; i++) {
		F.d[i].control_flags = NETDMA_F_SERIALIZE_TRANSFER;
		if (i > 0)
			F.d[i].source_address = IO(F.dst + (i - 1) * BLK);   /* N's destination */
	}
	F.d[7].source_address = IO(F.dst + 6 * BLK);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	/* block 0 travelled through all eight destinations in order */
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(memcmp(F.dst + i * BLK, F.src, BLK), 0);
}

/*
 * §13.4: ... and N's status too.  Nothing after N is handed over before N
 * retired (one step hands over descriptor 0 alone, where the burst would
 * take two), and when N+1's bytes land N's status is in the word.  Where a
 * descriptor may read the completion word (in-process), N+1 copies the
 * word itself; netdmad refuses that, so there the test reads the word as
 * soon as N+1's bytes show.
 */
static void
t_serialize(void)
{
	double deadline;
	uint64_t seen;

	NEED_FIX();
	chain(0, 3, SU);
	F.d[0].control_flags = NETDMA_F_SERIALIZE_TRANSFER | SU;
	F.d[1].control_flags = NETDMA_F_SERIALIZE_TRANSFER;
	if (B->word_dma_readable) {
		F.d[1].transfer_size = sizeof(uint64_t);
		F.d[1].source_address = IO(F.cw);
	}
	F.d[2].source_address = IO(F.dst);          /* block 0's destination */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 3), 0);
	poll_n(1);
	CU_ASSERT_TRUE(blocks_zero(1, 2));
	deadline = conf_now() + 5;
	while (bytes_zero(F.dst + BLK, sizeof(seen)) && conf_now() < deadline)
		poll_n(1);
	seen = netdma_completion_read(F.cw);   /* read after the bytes */
	/* N retired, more pending → ACTIVE; or already the end, on an asynchronous engine */
	CU_ASSERT(seen == word(0, NETDMA_STATUS_ACTIVE) || seen == word(2, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(wait_word(word(2, NETDMA_STATUS_IDLE)));
	if (B->word_dma_readable) {
		/* what descriptor 1 read of N's status */
		memcpy(&seen, F.dst + BLK, sizeof(seen));
		CU_ASSERT_EQUAL(seen, word(0, NETDMA_STATUS_ACTIVE));
	} else {
		CU_ASSERT_TRUE(blocks_copied(1, 1));
	}
	CU_ASSERT_EQUAL(memcmp(F.dst + 2 * BLK, F.src, BLK), 0);
}

/* §13.5: Start while active: what the engine holds finishes, the rest is dropped */
static void
t_start_while_active(void)
{
	NEED_FIX();
	chain(0, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	poll_n(1);                                   /* descriptors 0 and 1 taken */
	chain(16, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[16], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(19, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	CU_ASSERT_TRUE(blocks_zero(2, 6));           /* abandoned */
	CU_ASSERT_TRUE(blocks_copied(16, 4));
}

/* §13.6: Append after the engine went idle on the tail (1.x re-reads it) */
static void
t_append_after_idle(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	CU_ASSERT_TRUE(wait_word(word(3, NETDMA_STATUS_IDLE)));
	chain(4, 4, SU | IOC);
	if (!v2())
		F.d[3].next_descriptor = IO(&F.d[4]);   /* 1.x: the client patches the tail */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[4], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 8));
	CU_ASSERT_TRUE(wait_irqs(1));
	CU_ASSERT_EQUAL(F.irq_pa, IO(&F.d[7]));
}

/* §13.6: Append while the engine is still inside the chain */
static void
t_append_while_running(void)
{
	unsigned int k;

	NEED_FIX();
	chain(0, 4, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	for (k = 1; k < 8; k++) {
		poll_n(1);
		chain(4 * k, 4, k == 7 ? SU : 0);
		if (!v2())
			F.d[4 * k - 1].next_descriptor = IO(&F.d[4 * k]);
		CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[4 * k], 4), 0);
	}
	CU_ASSERT_TRUE(wait_word(word(31, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 32));
}

/* §3.5 (2.0): an Append must start at the slot the previous chain pre-linked */
static void
t_v2_append_wrong_slot(void)
{
	NEED_FIX();
	chain(0, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	CU_ASSERT_TRUE(wait_word(word(3, NETDMA_STATUS_IDLE)));
	chain(5, 3, SU);
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[5], 3), -EINVAL);
	CU_ASSERT_STRING_NOT_EQUAL(netdma_chan_last_error(F.ch), "");
	poll_n(4);
	CU_ASSERT_TRUE(blocks_zero(5, 3));
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(3, NETDMA_STATUS_IDLE));
	chain(4, 4, SU);
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[4], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(4, 4));
}

/*
 * An 8-descriptor chain started, one step (descriptors 0 and 1 to the
 * engine), then suspended: spec §3.6 completes those two and reports the
 * last, with Suspend in the word.
 */
static void
suspended_after_one_step(void)
{
	netdma_iova_t last = 0;

	chain(0, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	poll_n(1);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_suspend(F.ch, &last), 0);
	CU_ASSERT_EQUAL(last, IO(&F.d[1]));
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(1, NETDMA_STATUS_SUSPEND));
}

/*
 * §13.7: Suspend completes what the engine holds and reports the last processed
 * descriptor; the client edits the rest; Resume re-reads that descriptor's next.
 */
static void
t_suspend_edit_resume(void)
{
	NEED_FIX();
	suspended_after_one_step();
	poll_n(5);                               /* suspended: nothing moves */
	CU_ASSERT_TRUE(blocks_zero(2, 6));
	CU_ASSERT_EQUAL(netdma_chan_suspend(F.ch, NULL), -EPERM);
	/* edit: replace descriptor 2 by descriptor 20 (same count), redirect 4 */
	desc_copy(20, 0);
	F.d[20].next_descriptor = IO(&F.d[3]);
	F.d[1].next_descriptor = IO(&F.d[20]);
	F.d[4].destination_address = IO(F.dst + 30 * BLK);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_resume(F.ch), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	CU_ASSERT_TRUE(blocks_zero(2, 1));       /* dropped by the edit */
	CU_ASSERT_TRUE(blocks_copied(20, 1));    /* inserted */
	CU_ASSERT_TRUE(blocks_copied(3, 1));
	CU_ASSERT_TRUE(blocks_zero(4, 1));       /* redirected */
	CU_ASSERT_EQUAL(memcmp(F.dst + 30 * BLK, F.src + 4 * BLK, BLK), 0);
	CU_ASSERT_TRUE(blocks_copied(5, 3));
}

/*
 * The engine re-checks what it fetches: a descriptor made bad while the
 * channel is suspended halts the channel there, with a reason and an error
 * DPC; nothing of it or after it moves (DESIGN.md "The daemon trusts no client").
 */
static void
t_bad_edit_while_suspended(void)
{
	NEED_FIX();
	suspended_after_one_step();
	F.d[3].control_flags |= 1u << 12;            /* reserved bit */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_resume(F.ch), 0);
	CU_ASSERT_TRUE(wait_word(word(2, NETDMA_STATUS_HALTED)));
	CU_ASSERT_TRUE(wait_irqs(1));
	CU_ASSERT_EQUAL(F.irq_pa, 0);                /* the error DPC */
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(0, 3));
	CU_ASSERT_TRUE(blocks_zero(3, 5));
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), "reserved"));
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[4], 1), -EPERM);
	chain(10, 2, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[10], 2), 0);
	CU_ASSERT_TRUE(wait_word(word(11, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(10, 2));
}

/* §13.7: Abort stops now, reports HALTED; Append refused; Start required */
static void
t_abort_then_start(void)
{
	uint64_t w;

	NEED_FIX();
	chain(0, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	poll_n(1);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_abort(F.ch), 0);
	w = netdma_completion_read(F.cw);
	CU_ASSERT_EQUAL(netdma_completion_status(w), NETDMA_STATUS_HALTED);
	/* the address is the last retired descriptor, if any retired yet */
	CU_ASSERT(netdma_completion_address(w) == 0 || netdma_completion_address(w) == IO(&F.d[1]));
	CU_ASSERT_TRUE(wait_idle_engine());      /* aborted ops come back, unreported */
	CU_ASSERT_TRUE(blocks_zero(2, 6));
	CU_ASSERT_EQUAL(netdma_completion_status(netdma_completion_read(F.cw)), NETDMA_STATUS_HALTED);
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[2], 1), -EPERM);
	CU_ASSERT_EQUAL(netdma_chan_abort(F.ch), -EPERM);
	chain(10, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[10], 4), 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	CU_ASSERT_TRUE(wait_word(word(13, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(10, 4));
}

/* §13.7: Reset: HALTED, back to "just allocated"; Resume refused; Start works */
static void
t_reset_then_start(void)
{
	NEED_FIX();
	chain(0, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	poll_n(1);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_reset(F.ch), 0);
	CU_ASSERT_EQUAL(netdma_completion_status(netdma_completion_read(F.cw)), NETDMA_STATUS_HALTED);
	CU_ASSERT_EQUAL(netdma_chan_resume(F.ch), -EPERM);
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[2], 1), -EPERM);
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_zero(2, 6));
	/* §8 rule 9: the old chain is not referenced: relinking it changes nothing */
	F.d[1].next_descriptor = IO(&F.d[2]);
	chain(10, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[10], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(13, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(10, 4));
	CU_ASSERT_TRUE(blocks_zero(2, 6));
}

/* §8 rule 10: Free only when nothing is outstanding */
static void
t_free_outstanding(void)
{
	int ret;

	NEED_FIX();
	chain(0, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	ret = netdma_chan_free(F.ch);
	CU_ASSERT_EQUAL(ret, -EBUSY);
	if (ret == 0) {
		F.ch = NULL;   /* freed all the same: the handle is gone */
		return;
	}
	CU_ASSERT_STRING_NOT_EQUAL(netdma_chan_last_error(F.ch), "");
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 8));
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
	F.ch = NULL;
}

/*
 * §3.3, §8 rule 10: a suspended channel with descriptors left to fetch has
 * work outstanding (Resume would fetch them): Free refuses, nothing moves;
 * after Abort it frees.
 */
static void
t_free_suspended(void)
{
	NEED_FIX();
	suspended_after_one_step();
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), "more to fetch"));
	poll_n(3);
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	CU_ASSERT_TRUE(blocks_zero(2, 6));
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(1, NETDMA_STATUS_SUSPEND));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_abort(F.ch), 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(1, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
	F.ch = NULL;
	CU_ASSERT_TRUE(blocks_zero(2, 6));
}

/* §13.9: the DPC gets the watermark, on the owning lcore */
static void
t_interrupt_watermark(void)
{
	NEED_FIX();
	chain(0, 8, SU | IOC);
	F.d[3].control_flags = IOC;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	poll_n(1);
	CU_ASSERT_TRUE(wait_irqs(1));
	/* a watermark: the DPCs may coalesce, but the last names descriptor 7 */
	{
		double deadline = conf_now() + 5;

		while (F.irq_pa != IO(&F.d[7]) && conf_now() < deadline)
			poll_n(1);
	}
	CU_ASSERT(irqs() >= 1 && irqs() <= 2);
	CU_ASSERT_EQUAL(F.irq_pa, IO(&F.d[7]));
	if (B->dpc_on_owner)   /* in-process the DPC runs on the owning lcore */
		CU_ASSERT_EQUAL((int)F.irq_lcore, netdma_chan_lcore(F.ch));
	CU_ASSERT_TRUE(blocks_copied(0, 8));
}

/* §13.9, §3.2: allocation reports CpuNumber inside the mask */
static void
t_lcore_affinity(void)
{
	int worker = conf_worker_lcore();
	uint64_t home = conf_home_mask();
	int ret;

	NEED_FIX();
	if (home != 0)
		CU_ASSERT((home >> netdma_chan_lcore(F.ch)) & 1);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_free(F.ch), 0);
	F.ch = NULL;
	if (worker >= 0) {
		CU_ASSERT_EQUAL_FATAL(fix_alloc_chan(1ull << worker), 0);
		CU_ASSERT_EQUAL(netdma_chan_lcore(F.ch), worker);
		CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
		F.ch = NULL;
	}
	/* lcore 40 is not enabled: no lcore allowed */
	ret = fix_alloc_chan(1ull << 40);
	CU_ASSERT_EQUAL(ret, -EINVAL);
	F.ch = NULL;
}

/* §5.1 2.0 page break: the bytes continue at the next page addresses */
static void
t_v2_page_break(void)
{
	uint8_t *page = netdma_mem_alloc(4 * 4096, 4096);
	uint8_t *out = netdma_mem_alloc(4 * 4096, 4096);
	struct netdma_descriptor *d = &F.d[0];
	unsigned int i;

	NEED_FIX();
	CU_ASSERT_FATAL(page != NULL && out != NULL);
	for (i = 0; i < 4 * 4096; i++)
		page[i] = (uint8_t)(i * 13 + 7);
	memset(d, 0, sizeof(*d));
	d->transfer_size = 1000;
	d->source_address = IO(page + 4096 - 100);        /* 100 bytes, then page 3 */
	d->next_source_address = IO(page + 3 * 4096);
	d->destination_address = IO(out + 4096 - 300);    /* 300 bytes, then page 2 */
	d->next_destination_address = IO(out + 2 * 4096);
	d->control_flags = NETDMA_F_SOURCE_PAGE_BREAK | NETDMA_F_DESTINATION_PAGE_BREAK | SU;
	d->next_descriptor = IO(&F.d[1]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, d, 1), 0);
	CU_ASSERT_TRUE(wait_word(word(0, NETDMA_STATUS_IDLE)));
	/* the logical source stream: page[3996..4095] then page[12288..] */
	CU_ASSERT_EQUAL(memcmp(out + 4096 - 300, page + 4096 - 100, 100), 0);
	CU_ASSERT_EQUAL(memcmp(out + 4096 - 200, page + 3 * 4096, 200), 0);
	CU_ASSERT_EQUAL(memcmp(out + 2 * 4096, page + 3 * 4096 + 200, 700), 0);
	CU_ASSERT_TRUE(bytes_zero(out + 2 * 4096 + 700, 100));
	CU_ASSERT_TRUE(bytes_zero(out + 4096, 4096));     /* page 1 is never written */
	netdma_mem_free(page);
	netdma_mem_free(out);
}

/* §8 rule 14, spec §5.1: DCA context-change descriptors are accepted, move nothing */
static void
t_v2_context_change(void)
{
	NEED_FIX();
	chain(0, 3, SU);
	memset(&F.d[0], 0, sizeof(F.d[0]));
	F.d[0].control_flags = NETDMA_OP_TYPE_CONTEXT_CHANGE | NETDMA_DCA_CONTEXT_CHANGE;
	F.d[0].dca_context8 = (uint8_t)conf_self_lcore();
	F.d[0].next_descriptor = IO(&F.d[1]);
	F.d[1].control_flags = NETDMA_F_DESTINATION_DCA_ENABLE;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 3), 0);
	CU_ASSERT_TRUE(wait_word(word(2, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_zero(0, 1));
	CU_ASSERT_TRUE(blocks_copied(1, 2));
	poll_n(1);
	CU_ASSERT_EQUAL(irqs(), 0);   /* bit 0 of a context change is not IOC */
}

int
conf_add_rules(struct backend *b)
{
	CU_pSuite s = conf_suite("rules", b);

	if (s == NULL ||
	    !CU_add_test(s, "armed then idle (13.2)", t_armed_then_idle) ||
	    !CU_add_test(s, "armed at every start (5.2, 6.1)", t_armed_at_every_start) ||
	    !CU_add_test(s, "status only when asked (13.2)", t_status_only_when_asked) ||
	    !CU_add_test(s, "high-water mark (6.1)", t_high_water_mark) ||
	    !CU_add_test(s, "descriptors untouched (13.1)", t_descriptors_untouched) ||
	    !CU_add_test(s, "NULL transfer (13.3)", t_null_transfer) ||
	    !CU_add_test(s, "NULL-only chain (13.3)", t_null_only) ||
	    !CU_add_test(s, "serialize: data (13.4)", t_serialize_data) ||
	    !CU_add_test(s, "append after idle (13.6)", t_append_after_idle) ||
	    !CU_add_test(s, "append while running (13.6)", t_append_while_running) ||
	    !CU_add_test(s, "interrupt watermark (13.9)", t_interrupt_watermark) ||
	    !CU_add_test(s, "lcore affinity (13.9)", t_lcore_affinity))
		return -1;
	/* these stop the engine mid-chain: every backend is stepped by the test */
	if (!CU_add_test(s, "serialize: status (13.4)", t_serialize) ||
	    !CU_add_test(s, "start while active (13.5)", t_start_while_active) ||
	    !CU_add_test(s, "suspend edit resume (13.7)", t_suspend_edit_resume) ||
	    !CU_add_test(s, "bad edit while suspended halts", t_bad_edit_while_suspended) ||
	    !CU_add_test(s, "abort then start (13.7)", t_abort_then_start) ||
	    !CU_add_test(s, "reset then start (13.7, 8.9)", t_reset_then_start) ||
	    !CU_add_test(s, "free with work outstanding (8.10)", t_free_outstanding) ||
	    !CU_add_test(s, "free while suspended with work left (3.3)", t_free_suspended))
		return -1;
	if (b->major >= 2 &&
	    (!CU_add_test(s, "2.0 append at the wrong slot (3.5)", t_v2_append_wrong_slot) ||
	     !CU_add_test(s, "2.0 page break (5.1)", t_v2_page_break) ||
	     !CU_add_test(s, "2.0 context change (8.14)", t_v2_context_change)))
		return -1;
	return 0;
}
