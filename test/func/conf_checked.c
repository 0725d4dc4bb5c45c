/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process only: a chain is checked once, at its Start or Append, and
 * the engine copies what that check saw (lib/netdma/netdma_checked.h).
 * What the consumer may still change is read again: the chain while
 * suspended (spec §3.6), a 1.x tail's link (spec §3.5, §8 rule 5), and
 * everything on a channel that checks at fetch (a service's, whose clients
 * may rewrite a descriptor after any check).
 */
#include <errno.h>
#include <string.h>

#include "conf_dpdk.h"
#include "netdma_internal.h"

#define SU NETDMA_F_STATUS_UPDATE_ON_COMPLETION

/* Rewrites after the call: d[1] to block 40, d[2] to a size no check passes. */
static void
rewrite_after_call(void)
{
	F.d[1].destination_address = IO(F.dst + 40 * BLK);
	F.d[2].transfer_size = 0;
}

/* The engine copies what the Start checked, not what the descriptors say since. */
static void
k_copies_what_was_checked(void)
{
	NEED_FIX();
	chain(0, 6, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 6), 0);
	rewrite_after_call();
	CU_ASSERT_TRUE(wait_word(word(5, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(0, 6));
	CU_ASSERT_TRUE(blocks_zero(40, 1));
	CU_ASSERT_STRING_EQUAL(netdma_chan_last_error(F.ch), "");
}

/*
 * A channel that checks at fetch keeps nothing, whether it was switched on
 * before the Start or after the Start was kept: the rewrite to block 40 is
 * copied, and the descriptor made bad halts the channel there, with
 * nothing of it or after it moved.
 */
static void
check_at_fetch_reads_again(bool after_start)
{
	NEED_FIX();
	if (!after_start)
		CU_ASSERT_EQUAL_FATAL(netdma_chan_set_check_at_fetch(F.ch, true), 0);
	chain(0, 6, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 6), 0);
	if (after_start)
		CU_ASSERT_EQUAL_FATAL(netdma_chan_set_check_at_fetch(F.ch, true), 0);
	rewrite_after_call();
	CU_ASSERT_TRUE(wait_word(word(1, NETDMA_STATUS_HALTED)));
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(0, 1));
	CU_ASSERT_TRUE(blocks_zero(1, 5));
	CU_ASSERT_EQUAL(memcmp(F.dst + 40 * BLK, F.src + 1 * BLK, BLK), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), "zero transfer size"));
}

static void k_check_at_fetch_reads_again(void) { check_at_fetch_reads_again(false); }
static void k_check_at_fetch_after_keeping(void) { check_at_fetch_reads_again(true); }

/*
 * Suspend, Resume, then an Append, with the engine still short of it: the
 * rest of the first chain is read again (it may have been edited), and
 * the Append is copied as its call checked it.
 */
static void
k_kept_again_after_resume(void)
{
	netdma_iova_t last = 0;

	NEED_FIX();
	chain(0, 8, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	poll_n(1);                                   /* descriptors 0 and 1 */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_suspend(F.ch, &last), 0);
	F.d[3].destination_address = IO(F.dst + 41 * BLK);   /* an edit while suspended */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_resume(F.ch), 0);
	chain(8, 4, SU);
	if (!v2())
		F.d[7].next_descriptor = IO(&F.d[8]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[8], 4), 0);
	F.d[9].destination_address = IO(F.dst + 40 * BLK);   /* after the Append: not seen */
	CU_ASSERT_TRUE(wait_word(word(11, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(0, 3));
	CU_ASSERT_TRUE(blocks_zero(3, 1));
	CU_ASSERT_EQUAL(memcmp(F.dst + 41 * BLK, F.src + 3 * BLK, BLK), 0);
	if (v2()) {
		CU_ASSERT_TRUE(blocks_copied(4, 8));
		CU_ASSERT_TRUE(blocks_zero(40, 1));
	} else {
		/* 1.x keeps nothing the engine may have reached through the link */
		CU_ASSERT_TRUE(blocks_copied(4, 5));
		CU_ASSERT_TRUE(blocks_zero(9, 1));
		CU_ASSERT_EQUAL(memcmp(F.dst + 40 * BLK, F.src + 9 * BLK, BLK), 0);
		CU_ASSERT_TRUE(blocks_copied(10, 2));
	}
}

/*
 * 1.x: two chains appended before the engine reached the first one's tail,
 * which the consumer linked after the first call checked it: the engine
 * follows the new link (spec §3.5).
 */
static void
k_v1_tail_link_read_again(void)
{
	NEED_FIX();
	if (v2())
		return;   /* 2.0 pre-links: nothing is patched */
	chain(0, 4, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	chain(4, 4, SU);
	F.d[3].next_descriptor = IO(&F.d[4]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[4], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 8));
}

/*
 * A refused Append keeps nothing: the same slots appended again are copied
 * as they are at the second call.
 */
static void
k_refused_call_keeps_nothing(void)
{
	NEED_FIX();
	chain(0, 4, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	chain(4, 4, SU);
	if (!v2())
		F.d[3].next_descriptor = IO(&F.d[4]);
	F.d[6].transfer_size = 0;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[4], 4), -ERANGE);
	F.d[6].transfer_size = BLK;
	F.d[5].destination_address = IO(F.dst + 40 * BLK);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[4], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 5));
	CU_ASSERT_TRUE(blocks_zero(5, 1));
	CU_ASSERT_EQUAL(memcmp(F.dst + 40 * BLK, F.src + 5 * BLK, BLK), 0);
	CU_ASSERT_TRUE(blocks_copied(6, 2));
}

/*
 * Two chains outstanding, more than the first reservation of kept entries
 * (32): it grows with entries in it.  Then the same 64 slots again and
 * again (2.0 wraps round them, 1.x relinks them).
 */
static void
k_growing_and_wrapping(void)
{
	unsigned int k, first = 0;

	NEED_FIX();
	chain(0, 32, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 32), 0);
	for (k = 1; k <= 6; k++) {
		first = 32 * (k % 2);
		if (k > 1)
			CU_ASSERT_TRUE_FATAL(wait_idle_engine());
		chain(first, 32, k == 6 ? SU : 0);
		if (v2())
			F.d[first + 31].next_descriptor = IO(&F.d[(first + 32) % 64]);
		else
			F.d[(first + 63) % 64].next_descriptor = IO(&F.d[first]);
		CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[first], 32), 0);
		/* kept: the engine reads them no more (but a 1.x tail, d[31]) */
		if (k == 1)
			memset(F.d, 0, 31 * sizeof(*F.d));
	}
	CU_ASSERT_TRUE(wait_word(word(first + 31, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 64));
}

/*
 * 1.x, the engine follows a link the consumer patched before its
 * Append (spec §3.5 allows it) and copies the new chain before the call;
 * the call then keeps entries for descriptors already fetched.  When the
 * consumer later reuses d[2] (retired) as the new tail, after the engine
 * went idle or before it polls again, the engine must copy what d[2] says
 * now, and nothing retired again.
 */
static void
v1_raced_append(bool idle_between)
{
	NEED_FIX();
	if (v2())
		return;
	chain(0, 2, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 2), 0);
	chain(2, 2, 0);
	F.d[1].next_descriptor = IO(&F.d[2]);   /* linked before the Append */
	CU_ASSERT_TRUE_FATAL(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(0, 4));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[2], 2), 0);
	if (idle_between)
		CU_ASSERT_TRUE_FATAL(wait_idle_engine());
	/* everything retired: d[2] reused for block 10, the tail after d[3] */
	memset(F.dst, 0, 4 * BLK);
	desc_copy(2, SU);
	F.d[2].source_address = IO(F.src + 10 * BLK);
	F.d[2].destination_address = IO(F.dst + 10 * BLK);
	F.d[3].next_descriptor = IO(&F.d[2]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[2], 1), 0);
	CU_ASSERT_TRUE(wait_word(word(2, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(10, 1));
	CU_ASSERT_TRUE(blocks_zero(0, 4));   /* nothing retired is copied again */
}

static void k_v1_raced_append_replayed(void) { v1_raced_append(true); }
static void k_v1_raced_append_replayed_at_once(void) { v1_raced_append(false); }

/* Refuses the destination blocks 3..5 and nothing else. */
static bool
no_dst_3_to_5(void *ctx, netdma_iova_t iova, uint64_t len)
{
	netdma_iova_t lo = IO(F.dst + 3 * BLK), hi = IO(F.dst + 6 * BLK);

	(void)ctx;
	return iova + len <= lo || iova >= hi;
}

static bool
no_dst_3_to_5_win(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo,
		  netdma_iova_t *hi)
{
	*lo = iova;
	*hi = iova + len;
	return no_dst_3_to_5(ctx, iova, len);
}

/*
 * A validator set after a Start was kept is asked at fetch: the
 * channel halts at d[3], whose destination it refuses, with d[0..2] copied
 * and nothing after.
 */
static void
validator_after_keeping(bool window)
{
	int ret;

	NEED_FIX();
	chain(0, 6, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 6), 0);
	ret = window ? netdma_chan_set_addr_window_check(F.ch, no_dst_3_to_5_win, NULL) :
		netdma_chan_set_addr_check(F.ch, no_dst_3_to_5, NULL);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	CU_ASSERT_TRUE(wait_word(word(2, NETDMA_STATUS_HALTED)));
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(0, 3));
	CU_ASSERT_TRUE(blocks_zero(3, 3));
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), "destination"));
	CU_ASSERT_EQUAL(netdma_chan_set_addr_check(F.ch, NULL, NULL), 0);
}

static void k_validator_after_keeping(void) { validator_after_keeping(false); }
static void k_window_validator_after_keeping(void) { validator_after_keeping(true); }

/*
 * 2.0: the kept entries grow while some wrap round the old
 * array (engine 10 in, 30 live, indices 20..31 then 0..7): each must land
 * where the engine looks for it.  Every descriptor is then rewritten to
 * block 60, which only a fetch would see.
 */
static void
k_grow_with_wrapped_entries(void)
{
	unsigned int i;

	NEED_FIX();
	if (!v2())
		return;   /* 1.x reserves 64 at once */
	chain(0, 20, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 20), 0);
	poll_n(5);
	chain(20, 20, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[20], 20), 0);
	chain(40, 20, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[40], 20), 0);
	for (i = 10; i < 60; i++)
		F.d[i].destination_address = IO(F.dst + 60 * BLK);
	CU_ASSERT_TRUE(wait_word(word(59, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 60));
	CU_ASSERT_TRUE(blocks_zero(60, 1));
}

/* A provider registered by hand that runs no netdma_engine. */
static int
ne_affinity(void *ctx, struct netdma_channel_cpu_affinity *a, uint32_t size)
{
	(void)ctx; (void)a; (void)size;
	return 0;
}

static int
ne_alloc(void *ctx, struct netdma_channel_params *p, void *h, void **out)
{
	(void)ctx; (void)h;
	p->cpu_number = rte_get_main_lcore();
	*out = &F;
	return 0;
}

static void ne_free(void *c) { (void)c; }
static int ne_submit(void *c, struct netdma_descriptor *v, netdma_iova_t p, uint32_t n)
{ (void)c; (void)v; (void)p; (void)n; return 0; }
static int ne_poll(void *c) { (void)c; return 0; }
static int ne_query(void *c, struct netdma_chan_progress *p) { (void)c; memset(p, 0, sizeof(*p)); return 0; }

/*
 * Nothing reads the kept entries of a channel whose provider runs
 * no netdma_engine over netdma_engine_conf_from_chan(): they should not
 * pile up (up to NETDMA_CHECKED_MAX, 12 MiB, per channel).
 */
static void
k_no_engine_keeps_nothing(void)
{
	struct netdma_provider_characteristics c;
	struct netdma_provider_attributes attr = {
		.size = sizeof(attr), .dma_channel_count = 1, .maximum_transfer_size = 4096,
	};
	struct netdma_provider *p = NULL;
	struct netdma_chan_conf cc = { .completion_word = F.cw, .lcore_mask = conf_home_mask() };
	struct netdma_chan *ch = NULL;
	unsigned int k, first;

	NEED_FIX();
	if (!v2() || B->kind != BE_CPU)
		return;   /* once */
	memset(&c, 0, sizeof(c));
	c.major_version = 2;
	c.size = sizeof(c);
	c.max_dma_channel_count = 1;
	c.set_dma_channel_cpu_affinity = ne_affinity;
	c.allocate_dma_channel = ne_alloc;
	c.free_dma_channel = ne_free;
	c.start_dma = ne_submit;
	c.append_dma = ne_submit;
	c.poll_dma_channel = ne_poll;
	c.query_dma_channel = ne_query;
	c.friendly_name.buffer = "no-engine";
	c.friendly_name.length = 16;
	CU_ASSERT_EQUAL_FATAL(netdma_register_provider(NULL, &p, &c), 0);
	CU_ASSERT_EQUAL_FATAL(netdma_provider_start(p, &attr), 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc(netdma_provider_find("no-engine"), &cc, &ch), 0);
	chain(0, 32, 0);
	CU_ASSERT_EQUAL(netdma_chan_start(ch, F.d, 32), 0);
	for (k = 1; k <= 200; k++) {
		first = 32 * (k % 2);
		chain(first, 32, 0);
		F.d[first + 31].next_descriptor = IO(&F.d[(first + 32) % 64]);
		CU_ASSERT_EQUAL(netdma_chan_append(ch, &F.d[first], 32), 0);
	}
	CU_ASSERT(netdma_checked_used(&ch->checked) <= 64);
	CU_ASSERT_EQUAL(netdma_chan_free(ch), 0);
	CU_ASSERT_EQUAL(netdma_provider_stop(p), 0);
	CU_ASSERT_EQUAL(netdma_deregister_provider(p), 0);
}

int
conf_add_checked(struct backend *b)
{
	CU_pSuite s = conf_suite("checked once", b);

	if (s == NULL ||
	    !CU_add_test(s, "the engine copies what the call checked", k_copies_what_was_checked) ||
	    !CU_add_test(s, "check at fetch reads a rewritten descriptor again",
			 k_check_at_fetch_reads_again) ||
	    !CU_add_test(s, "edits while suspended are read, later Appends kept",
			 k_kept_again_after_resume) ||
	    !CU_add_test(s, "1.x: a tail linked after its check is followed",
			 k_v1_tail_link_read_again) ||
	    !CU_add_test(s, "a refused call keeps nothing", k_refused_call_keeps_nothing) ||
	    !CU_add_test(s, "kept entries grow, wrap and are reused", k_growing_and_wrapping) ||
	    !CU_add_test(s, "1.x raced Append, reused slot", k_v1_raced_append_replayed) ||
	    !CU_add_test(s, "1.x raced Append, slot reused at once",
			 k_v1_raced_append_replayed_at_once) ||
	    !CU_add_test(s, "validator set after keeping", k_validator_after_keeping) ||
	    !CU_add_test(s, "window validator set after keeping",
			 k_window_validator_after_keeping) ||
	    !CU_add_test(s, "growth with wrapped entries", k_grow_with_wrapped_entries) ||
	    !CU_add_test(s, "check at fetch switched on after keeping",
			 k_check_at_fetch_after_keeping) ||
	    !CU_add_test(s, "no engine, nothing kept", k_no_engine_keeps_nothing))
		return -1;
	return 0;
}
