/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdma_engine data path over the fake backend: chains copied and
 * retired in order, the completion word, SERIALIZE, errors, a full ring.
 */
#include <errno.h>
#include <string.h>

#include "unit_engine.h"

/*
 * spec §3.5, §6.1, §13 rules 2, 3: a 1.x linked chain is copied and retired
 * in order; the word stays Armed until a STATUS_UPDATE descriptor retires,
 * says Active while more is pending, Idle at the end; a NULL descriptor
 * retires in its turn without moving data; the interrupt upcall comes
 * after the word names its descriptor (spec §6.2).
 */
static void
test_v1_linked_chain(void)
{
	struct netdma_chan_progress p;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	ut_blocks(0, 4, 0);
	fx.d[1].control_flags = STATUS | NETDMA_F_INTERRUPT_ON_COMPLETION;
	fx.d[2].control_flags = NETDMA_F_NULL_TRANSFER;
	fx.d[3].control_flags = STATUS;
	ut_link(0, 4);
	fx.cw = ut_word(9, NETDMA_STATUS_IDLE);   /* a previous chain's word */

	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	CU_ASSERT(netdma_engine_poll(&fx.eng) > 0);
	CU_ASSERT_EQUAL(fx.be.enq, 3);   /* the NULL descriptor is no op */
	CU_ASSERT_EQUAL(fx.be.submits, 1);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	CU_ASSERT_TRUE(ut_untouched(0, 4 * BLK));

	fake_finish(1);   /* d0: no STATUS_UPDATE, the word does not move */
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	CU_ASSERT_TRUE(ut_copied(0, BLK));
	CU_ASSERT_TRUE(ut_untouched(BLK, BLK));

	fake_finish(1);   /* d1, and the NULL d2 behind it */
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_EQUAL(fx.host.irqs, 1);
	CU_ASSERT_EQUAL(fx.host.irq_pa, ut_pa(1));
	CU_ASSERT_EQUAL(fx.host.irq_cw, ut_word(1, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_EQUAL(fx.eng.last_retired, ut_pa(2));
	CU_ASSERT_TRUE(ut_copied(BLK, BLK));
	CU_ASSERT_TRUE(ut_untouched(2 * BLK, 2 * BLK));

	fake_finish(1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(3, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	CU_ASSERT_TRUE(ut_untouched(2 * BLK, BLK));   /* NULL: no data */
	CU_ASSERT_TRUE(ut_copied(3 * BLK, BLK));
	CU_ASSERT_EQUAL(fx.host.irqs, 1);
	CU_ASSERT_EQUAL(fx.host.halts, 0);
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_EQUAL(p.inflight, 0);
	CU_ASSERT_FALSE(p.more);
	CU_ASSERT_EQUAL(p.descriptors_retired, 4);
	CU_ASSERT_EQUAL(p.bytes_copied, 3 * BLK);
	ut_engine_teardown();
}

/*
 * spec §3.4, §3.5: a 2.0 counted chain stops at its count (the pre-linked
 * slot is not fetched before an Append), and is Idle only at its true end:
 * with two descriptors fetched per poll, the first pair retires Active.
 */
static void
test_v2_counted_chain(void)
{
	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(2, 64, 2), 0);
	ut_blocks(0, 4, STATUS);
	ut_link(0, 4);   /* d3 pre-links d4, still all zero: fetching it would halt */

	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 4), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 2);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_EQUAL(fx.be.enq, 4);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(3, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 4 * BLK));
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 4);
	CU_ASSERT_EQUAL(fx.host.halts, 0);

	/* an Append at the pre-linked slot d4 goes on */
	ut_blocks(4, 1, STATUS);
	ut_link(4, 1);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(4), 1), 0);
	netdma_engine_poll(&fx.eng);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(4, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 5 * BLK));
	CU_ASSERT_EQUAL(fx.host.halts, 0);

	/*
	 * spec §3.5: one elsewhere (d6, where d4 pre-linked d5) halts the
	 * channel when the engine gets there, nothing of it or of d5 copied
	 */
	ut_blocks(5, 2, STATUS);
	ut_link(5, 2);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(6), 1), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.halts, 1);
	CU_ASSERT_EQUAL(fx.host.halt_bad, ut_pa(6));
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.host.halt_why, "pre-linked"));
	CU_ASSERT_EQUAL(ut_cw(), ut_word(4, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(ut_untouched(5 * BLK, 2 * BLK));
	ut_engine_teardown();
}

/*
 * spec §3.5: Appends queued before the engine reaches them are checked in
 * order when it does: the first at the pre-linked slot runs, the second,
 * not at its pre-linked slot, halts the channel there.
 */
static void
test_v2_queued_appends(void)
{
	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(2, 64, 0), 0);
	ut_blocks(0, 4, STATUS);
	ut_link(0, 1);
	ut_link(1, 1);
	ut_link(2, 2);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 1), 0);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(1), 1), 0);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(3), 1), 0);   /* d1 pre-linked d2 */
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 2);
	ut_complete();
	CU_ASSERT_EQUAL(fx.host.halts, 1);
	CU_ASSERT_EQUAL(fx.host.halt_bad, ut_pa(3));
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	CU_ASSERT_TRUE(ut_untouched(2 * BLK, 2 * BLK));
	ut_engine_teardown();
}

/* d[i]: a 2.0 copy of 600 bytes split into 3 ops by both page breaks (spec §5.1). */
#define PB_SRC (NETDMA_PAGE_BREAK_SIZE - 100)
#define PB_DST (NETDMA_PAGE_BREAK_SIZE - 200)
#define PB_LEN 600u
#define PB_NEXT (2 * NETDMA_PAGE_BREAK_SIZE)

static void
page_break_desc(unsigned int i, uint32_t flags)
{
	struct netdma_descriptor *d = &fx.d[i];

	d->transfer_size = PB_LEN;
	d->control_flags = flags | NETDMA_F_SOURCE_PAGE_BREAK | NETDMA_F_DESTINATION_PAGE_BREAK;
	d->source_address = iova_of(fx.src + PB_SRC);
	d->next_source_address = iova_of(fx.src + PB_NEXT);
	d->destination_address = iova_of(fx.dst + PB_DST);
	d->next_destination_address = iova_of(fx.dst + PB_NEXT);
}

/* The 600 bytes arrived, each side continuing on its next page. */
static bool
page_break_copied(void)
{
	uint8_t want[PB_LEN], got[PB_LEN];
	uint32_t s1 = NETDMA_PAGE_BREAK_SIZE - PB_SRC, d1 = NETDMA_PAGE_BREAK_SIZE - PB_DST;

	memcpy(want, fx.src + PB_SRC, s1);
	memcpy(want + s1, fx.src + PB_NEXT, PB_LEN - s1);
	memcpy(got, fx.dst + PB_DST, d1);
	memcpy(got + d1, fx.dst + PB_NEXT, PB_LEN - d1);
	return memcmp(want, got, PB_LEN) == 0;
}

/*
 * spec §6.1: in-order retirement whatever way the ops come back.  A
 * page-broken descriptor is three ops; completions handed back two at a
 * time end in the middle of it; it retires only with its last op, and the
 * word never names a descriptor whose bytes are not all there.
 */
static void
test_partial_completions(void)
{
	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(2, 64, 0), 0);
	ut_copy_desc(0, 0, BLK, STATUS);          /* op 0 */
	page_break_desc(1, STATUS);               /* ops 1-3 */
	ut_copy_desc(2, BLK, BLK, STATUS);        /* op 4 */
	ut_link(0, 3);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 3), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL_FATAL(fx.be.enq, 5);
	CU_ASSERT_EQUAL(fx.be.log[1].len + fx.be.log[2].len + fx.be.log[3].len, PB_LEN);

	/* the device finished one op at a time: d1 waits for its third */
	fake_finish(2);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_ACTIVE));
	fake_finish(1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_FALSE(page_break_copied());
	fake_finish(1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_TRUE(page_break_copied());
	fake_finish(1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(2, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	ut_engine_teardown();

	/* everything finished, handed back two ops per call: the same order */
	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(2, 64, 0), 0);
	ut_copy_desc(0, 0, BLK, STATUS);
	page_break_desc(1, STATUS);
	ut_copy_desc(2, BLK, BLK, STATUS);
	ut_link(0, 3);
	fx.be.per_call = 2;
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 3), 0);
	netdma_engine_poll(&fx.eng);
	ut_complete();   /* ops 0-1 */
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_ACTIVE));
	netdma_engine_poll(&fx.eng);   /* ops 2-3: d1 complete */
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_ACTIVE));
	netdma_engine_poll(&fx.eng);   /* op 4 */
	CU_ASSERT_EQUAL(ut_cw(), ut_word(2, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(page_break_copied());
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	ut_engine_teardown();
}

/*
 * spec §13 rule 4: after a SERIALIZE descriptor nothing is fetched until it
 * retired and its status is published; the next one's op carries a fence.
 */
static void
test_serialize(void)
{
	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	ut_blocks(0, 3, STATUS);
	fx.d[0].control_flags |= NETDMA_F_SERIALIZE_TRANSFER;
	ut_link(0, 3);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 1);   /* d0 not retired: d1 still waits */

	fake_finish(1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL_FATAL(fx.be.enq, 3);
	/* d1 was handed over after d0's bytes and word were out */
	CU_ASSERT_EQUAL(fx.be.log[1].cw_at_enqueue, ut_word(0, NETDMA_STATUS_ACTIVE));
	CU_ASSERT(fx.be.log[1].flags & NETDMA_ENGINE_FENCE);
	CU_ASSERT_FALSE(fx.be.log[2].flags & NETDMA_ENGINE_FENCE);
	CU_ASSERT_FALSE(fx.be.log[0].flags & NETDMA_ENGINE_FENCE);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(2, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 3 * BLK));
	ut_engine_teardown();
}

/*
 * spec §6.3: a failed copy halts the channel: Halted at the last retired
 * descriptor, published before the error upcall that names the bad one;
 * nothing after it is reported, its ops are reaped, and Start recovers.
 */
static void
test_backend_error(void)
{
	struct netdma_chan_progress p;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	ut_blocks(0, 4, STATUS);
	ut_link(0, 4);
	fx.be.fail_at = 2;   /* d2's copy */
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	ut_complete();

	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(fx.host.halts, 1);
	CU_ASSERT_EQUAL(fx.host.halt_bad, ut_pa(2));
	CU_ASSERT_EQUAL(fx.host.halt_cw, ut_word(1, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	CU_ASSERT_TRUE(ut_untouched(2 * BLK, 2 * BLK));
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_EQUAL(p.inflight, 0);
	CU_ASSERT_EQUAL(p.zombie_ops, 0);   /* d2 and d3 handed back */
	CU_ASSERT_FALSE(p.more);
	CU_ASSERT_EQUAL(p.descriptors_retired, 2);
	CU_ASSERT_EQUAL(fx.be.done, fx.be.enq);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(3), 0), -EPERM);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.halts, 1);   /* reported once */

	/* spec §3.4: Start is what follows a halt */
	memset(fx.dst, 0, DATA_BYTES);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	netdma_engine_poll(&fx.eng);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(3, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 4 * BLK));
	ut_engine_teardown();
}

/*
 * spec §6.3: a descriptor that fails its check at fetch: what the device
 * already holds completes and retires, then Halted with the bad one.
 */
static void
test_bad_descriptor_at_fetch(void)
{
	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	ut_blocks(0, 3, STATUS);
	fx.d[2].source_address = 0x1000;   /* outside the client's memory */
	ut_link(0, 3);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 2);
	CU_ASSERT_EQUAL(fx.host.halts, 0);   /* not before d0 and d1 are done */
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(fx.host.halts, 1);
	CU_ASSERT_EQUAL(fx.host.halt_bad, ut_pa(2));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	CU_ASSERT_TRUE(ut_untouched(2 * BLK, BLK));
	ut_engine_teardown();
}

/*
 * spec §7.5: the library's own re-seed descriptor is outside the client's
 * memory; the engine fetches it in a chain the library started with it,
 * and in no consumer's chain.
 */
static void
test_internal_descriptor(void)
{
	static struct netdma_descriptor reseed;   /* not in the arena */

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	reseed.control_flags = NETDMA_F_NULL_TRANSFER | STATUS;
	reseed.next_descriptor = 0;
	fx.host.internal_pa = iova_of(&reseed);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, iova_of(&reseed), 0), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(iova_of(&reseed), NETDMA_STATUS_IDLE));
	CU_ASSERT_EQUAL(fx.host.halts, 0);

	ut_blocks(0, 1, STATUS);
	fx.d[0].next_descriptor = iova_of(&reseed);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(fx.host.halts, 1);
	CU_ASSERT_EQUAL(fx.host.halt_bad, iova_of(&reseed));
	CU_ASSERT_TRUE(ut_copied(0, BLK));
	ut_engine_teardown();
}

/* A device with no free slot: the chain waits in the channel, then continues. */
static void
test_ring_full(void)
{
	struct netdma_chan_progress p;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 0, 0), 0);
	ut_blocks(0, 3, STATUS);
	ut_link(0, 3);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	CU_ASSERT_EQUAL(netdma_engine_poll(&fx.eng), 0);
	CU_ASSERT_EQUAL(fx.be.enq, 0);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_TRUE(p.more);
	CU_ASSERT_EQUAL(p.inflight, 0);

	fx.be.slots = 2;
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 2);
	ut_complete();   /* frees two slots: d2 goes */
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_EQUAL(fx.be.enq, 3);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(2, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 3 * BLK));
	CU_ASSERT_EQUAL(fx.host.halts, 0);
	ut_engine_teardown();

	/* a three-op descriptor waits until three slots are free */
	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(2, 3, 0), 0);
	ut_copy_desc(0, 0, BLK, STATUS);
	page_break_desc(1, STATUS);
	ut_link(0, 2);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 2), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 1);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_EQUAL(fx.be.enq, 4);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(page_break_copied());
	CU_ASSERT_TRUE(ut_copied(0, BLK));
	ut_engine_teardown();
}

/*
 * A device that refuses a copy its capacity allowed is at fault: Halted at
 * the last retired descriptor, error upcall naming the descriptor, and the
 * ops it took (the earlier descriptor's, the first of the broken one's)
 * come back as zombies that retire nothing.
 */
static void
test_copy_refused(void)
{
	struct netdma_chan_progress p;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(2, 64, 0), 0);
	ut_copy_desc(0, 0, BLK, STATUS);
	page_break_desc(1, STATUS);
	ut_link(0, 2);
	fx.be.refuse_at = 2;   /* d1's second op */
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 2), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(fx.host.halts, 1);
	CU_ASSERT_EQUAL(fx.host.halt_bad, ut_pa(1));
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_EQUAL(p.zombie_ops, 2);
	ut_complete();
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_EQUAL(p.zombie_ops, 0);
	CU_ASSERT_EQUAL(p.descriptors_retired, 0);
	CU_ASSERT_EQUAL(fx.be.done, fx.be.enq);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_HALTED));
	ut_engine_teardown();
}

/*
 * spec §3.5, §6.1, §13 rule 6: a 1.x Append while the old tail is still
 * with the device.  When the tail retires, the appended descriptor is still
 * to fetch: the word says Active, and Idle only after the appended one.
 */
static void
test_v1_append_tail_in_flight(void)
{
	struct netdma_chan_progress p;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	ut_blocks(0, 2, STATUS);
	ut_link(0, 1);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 1);

	/* the consumer links d1 behind the tail d0, then appends it */
	fx.d[0].next_descriptor = ut_pa(1);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(1), 0), 0);
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_TRUE(p.more);

	fake_finish(1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_EQUAL(fx.be.enq, 2);   /* the tail re-read found d1 */
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	ut_engine_teardown();
}

int
unit_add_engine(void)
{
	CU_pSuite s = CU_add_suite("engine data path (fake backend)", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "1.x linked chain, word and interrupt", test_v1_linked_chain) ||
	    !CU_add_test(s, "2.0 counted chain, Idle only at the end", test_v2_counted_chain) ||
	    !CU_add_test(s, "2.0 Appends checked in order at fetch", test_v2_queued_appends) ||
	    !CU_add_test(s, "partial completions retire in order", test_partial_completions) ||
	    !CU_add_test(s, "SERIALIZE holds fetch until retired", test_serialize) ||
	    !CU_add_test(s, "backend error: Halted, error upcall", test_backend_error) ||
	    !CU_add_test(s, "bad descriptor at fetch", test_bad_descriptor_at_fetch) ||
	    !CU_add_test(s, "the library's own descriptor", test_internal_descriptor) ||
	    !CU_add_test(s, "full ring: work waits, then continues", test_ring_full) ||
	    !CU_add_test(s, "copy refused despite capacity", test_copy_refused) ||
	    !CU_add_test(s, "1.x Append while the tail is in flight", test_v1_append_tail_in_flight))
		return -1;
	return 0;
}
