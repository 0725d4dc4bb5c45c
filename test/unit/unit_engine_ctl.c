/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdma_engine control calls over the fake backend: Suspend and Resume
 * (with the drain timeout on the fake clock), Abort, Reset, and the
 * engine's memory coming from, and going back to, its host.
 */
#include <errno.h>
#include <string.h>

#include "unit_engine.h"

#define DRAIN_US 2000000ull   /* the engine's Suspend drain bound: 2 s */

static void
chain_v1(unsigned int first, unsigned int n)
{
	ut_blocks(first, n, STATUS);
	ut_link(first, n);
}

/*
 * spec §3.6, §13 rule 7: Suspend lets what the device holds complete,
 * publishes Suspend at the last processed descriptor and reports it;
 * nothing new is fetched; Resume re-reads that descriptor's link, which
 * the consumer may have changed meanwhile.  Suspend never waits: with work
 * at the device it answers -EINPROGRESS and the poll that sees the device
 * let go reports it through the host (issue 10, fix 4).
 */
static void
test_suspend_resume(void)
{
	netdma_iova_t last = 0;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 2), 0);
	chain_v1(0, 4);
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), -EPERM);   /* not started */
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), -EPERM);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 2);
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), -EPERM);            /* running */

	/* the device still holds d0 and d1: the Suspend is under way */
	fx.be.finish_on_call = fx.be.completed_calls + 1;
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), -EINPROGRESS);
	CU_ASSERT_EQUAL(fx.host.suspends, 0);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), -EPERM);
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), -EPERM);            /* not suspended yet */
	/* the poll that sees them done completes it */
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.suspends, 1);
	CU_ASSERT_EQUAL(fx.host.suspend_status, 0);
	CU_ASSERT_EQUAL(fx.host.suspend_last, ut_pa(1));
	CU_ASSERT_EQUAL(fx.host.suspend_cw, ut_word(1, NETDMA_STATUS_SUSPEND));
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_SUSPEND));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), -EPERM);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 2);   /* suspended: d2 is not fetched */
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_SUSPEND));

	/* while suspended the consumer drops d2 from the list */
	fx.d[1].next_descriptor = ut_pa(3);
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL_FATAL(fx.be.enq, 3);
	CU_ASSERT_EQUAL(fx.be.log[2].src, iova_of(fx.src + 3 * BLK));
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(3, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	CU_ASSERT_TRUE(ut_untouched(2 * BLK, BLK));
	CU_ASSERT_TRUE(ut_copied(3 * BLK, BLK));
	ut_engine_teardown();
}

/*
 * spec §3.5, §3.6: a 1.x Append while suspended, at a tail already
 * processed: Resume's re-read finds the new descriptor, and once it
 * retires the chain is over (Idle), nothing more is pending.
 */
static void
test_append_while_suspended(void)
{
	netdma_iova_t last = 0;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 1), 0);
	chain_v1(0, 1);
	chain_v1(1, 1);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	fake_finish(1);   /* the device is done already: suspended at once */
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), 0);
	CU_ASSERT_EQUAL(last, ut_pa(0));
	CU_ASSERT_EQUAL(fx.host.suspends, 0);   /* answered by the call itself */

	fx.d[0].next_descriptor = ut_pa(1);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(1), 0), 0);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_SUSPEND));
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), 0);
	netdma_engine_poll(&fx.eng);   /* one per poll: d1 is the last fetch of this one */
	CU_ASSERT_EQUAL(fx.be.enq, 2);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	CU_ASSERT_EQUAL(fx.be.enq, 2);
	ut_engine_teardown();
}

/*
 * A Suspend waits for the device at most 2 s (read on the host's clock):
 * then the poll reports -ETIMEDOUT, the channel runs on, and the word is
 * untouched.
 */
static void
test_suspend_drain_timeout(void)
{
	netdma_iova_t last = 0;
	unsigned int polls = 0;
	uint64_t t0;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	chain_v1(0, 2);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	fx.host.clock_us = t0 = 5000000;
	fx.host.clock_step_us = 100000;   /* 100 ms pass at each read */

	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), -EINPROGRESS);
	while (fx.host.suspends == 0 && polls++ < 1000)
		netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.suspends, 1);
	CU_ASSERT_EQUAL(fx.host.suspend_status, -ETIMEDOUT);
	/* it gave up past the 2 s, and not much later */
	CU_ASSERT(fx.host.clock_us - t0 > DRAIN_US);
	CU_ASSERT(fx.host.clock_reads <= DRAIN_US / fx.host.clock_step_us + 3);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), -EPERM);   /* still running */

	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(1, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	ut_engine_teardown();
}

/*
 * A copy that fails while Suspend drains: the channel halted (error upcall,
 * Halted word), and the Suspend is not reported as done.
 */
static void
test_suspend_drain_error_later(void)
{
	netdma_iova_t last = 0;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	chain_v1(0, 3);
	fx.be.fail_at = 1;
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	fx.be.finish_on_call = fx.be.completed_calls + 1;
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), -EINPROGRESS);
	CU_ASSERT_EQUAL(fx.host.halts, 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.suspends, 0);
	CU_ASSERT_EQUAL(fx.host.halts, 1);
	CU_ASSERT_EQUAL(fx.host.halt_bad, ut_pa(1));
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), -EPERM);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.suspends, 0);
	CU_ASSERT_TRUE(ut_copied(0, BLK));
	CU_ASSERT_TRUE(ut_untouched(BLK, 2 * BLK));
	ut_engine_teardown();
}

/*
 * spec §3.4, §3.6: a Start while the old chain is at the device, then a
 * Suspend before the new head is fetched: Resume continues at the new
 * head, not after the old chain's last descriptor (that rest is abandoned).
 */
static void
test_resume_at_new_head(void)
{
	netdma_iova_t last = 0;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 2), 0);
	chain_v1(0, 4);
	chain_v1(8, 2);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);                        /* d0, d1 at the device */
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(8), 0), 0);
	fake_finish(2);
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), 0);
	CU_ASSERT_EQUAL(last, ut_pa(1));
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), 0);
	netdma_engine_poll(&fx.eng);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(9, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 2 * BLK));
	CU_ASSERT_TRUE(ut_untouched(2 * BLK, 2 * BLK));   /* the old chain's rest */
	CU_ASSERT_TRUE(ut_copied(8 * BLK, 2 * BLK));
	ut_engine_teardown();
}

/* A copy that fails while Suspend drains: the channel halted, -EIO. */
static void
test_suspend_drain_error(void)
{
	netdma_iova_t last = 0;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	chain_v1(0, 3);
	fx.be.fail_at = 1;
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	fake_finish(2);   /* d0 done, d1 failed, before the Suspend looks */
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), -EIO);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(fx.host.halts, 1);
	CU_ASSERT_EQUAL(fx.host.halt_bad, ut_pa(1));
	CU_ASSERT_TRUE(ut_copied(0, BLK));
	CU_ASSERT_TRUE(ut_untouched(BLK, 2 * BLK));
	ut_engine_teardown();
}

/*
 * spec §3.7: Abort stops at once: Halted at the last retired descriptor,
 * no error upcall; what the device still holds comes back later as
 * zombies that retire nothing, also under a new chain started meanwhile.
 */
static void
test_abort(void)
{
	struct netdma_chan_progress p;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	chain_v1(0, 4);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	fake_finish(1);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_ACTIVE));

	CU_ASSERT_EQUAL(netdma_engine_abort(&fx.eng), 0);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(fx.host.halts, 0);
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_EQUAL(p.inflight, 0);
	CU_ASSERT_EQUAL(p.zombie_ops, 3);
	CU_ASSERT_FALSE(p.more);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(4), 0), -EPERM);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 4);   /* nothing fetched after an Abort */

	/* a new chain behind the zombies: nothing of it retires before they are reaped */
	chain_v1(4, 2);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(4), 0), 0);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, 6);
	fake_finish(2);
	netdma_engine_poll(&fx.eng);
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_EQUAL(p.zombie_ops, 1);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(5, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(4 * BLK, 2 * BLK));
	netdma_engine_query(&fx.eng, &p);
	CU_ASSERT_EQUAL(p.zombie_ops, 0);
	CU_ASSERT_EQUAL(p.descriptors_retired, 3);   /* d0, d4, d5 */
	ut_engine_teardown();
}

/*
 * spec §3.8: Reset halts like Abort, then forgets the old chain: Resume
 * has no descriptor to re-read, only Start goes on, and nothing retired
 * since counts from there.
 */
static void
test_reset(void)
{
	netdma_iova_t last = 0;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(1, 64, 0), 0);
	chain_v1(0, 3);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 0), 0);
	netdma_engine_poll(&fx.eng);
	fake_finish(3);
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), 0);
	CU_ASSERT_EQUAL(last, ut_pa(2));

	CU_ASSERT_EQUAL(netdma_engine_reset(&fx.eng), 0);
	CU_ASSERT_EQUAL(ut_cw(), ut_word(2, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL(fx.host.halts, 0);
	CU_ASSERT_EQUAL(netdma_engine_resume(&fx.eng), -EPERM);
	CU_ASSERT_EQUAL(netdma_engine_suspend(&fx.eng, &last), -EPERM);
	CU_ASSERT_EQUAL(netdma_engine_append(&fx.eng, ut_pa(3), 0), -EPERM);
	CU_ASSERT_EQUAL(fx.eng.last_retired, 0);

	chain_v1(3, 1);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(3), 0), 0);
	CU_ASSERT_EQUAL(ut_cw(), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	netdma_engine_poll(&fx.eng);
	ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(3, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 4 * BLK));
	ut_engine_teardown();
}

/*
 * The ring comes from the host, on the NUMA node the conf names (the
 * device's); a refusal is -ENOMEM, and nothing leaks.
 */
static void
test_host_memory(void)
{
	struct netdma_engine_conf conf;

	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(2, 64, 0), 0);
	CU_ASSERT_EQUAL(fx.host.allocs, 1);
	CU_ASSERT_EQUAL(fx.host.frees, 0);
	CU_ASSERT_EQUAL(fx.host.socket, NETDMA_SOCKET_ANY);
	ut_engine_teardown();
	netdma_engine_fini(&fx.eng);   /* twice: nothing more to give back */
	CU_ASSERT_EQUAL(fx.host.frees, 1);

	ut_engine_conf(&conf, 2, 0);
	conf.socket = 1;
	CU_ASSERT_EQUAL_FATAL(netdma_engine_init(&fx.eng, &conf, &ut_fake_host, &ut_fake_ops,
						 &fx.be, &fx), 0);
	CU_ASSERT_EQUAL(fx.host.socket, 1);
	netdma_engine_fini(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.allocs, 2);
	CU_ASSERT_EQUAL(fx.host.frees, 2);

	fx.host.fail_alloc = true;
	ut_engine_conf(&conf, 2, 0);
	CU_ASSERT_EQUAL(netdma_engine_init(&fx.eng, &conf, &ut_fake_host, &ut_fake_ops, &fx.be,
					   &fx), -ENOMEM);
	netdma_engine_fini(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.allocs, 2);
	CU_ASSERT_EQUAL(fx.host.frees, 2);
}

/*
 * The byte limits: with max_inflight_bytes, descriptors go to the device
 * until the bytes it holds reach the limit (one at least); with
 * poll_byte_budget, until the bytes fed in one poll reach it.  Every byte
 * lands in the end and the word says Idle at the last one.
 */
static void
byte_limit(bool inflight)
{
	CU_ASSERT_EQUAL_FATAL(ut_engine_setup(2, 64, 64), 0);
	if (inflight)
		fx.eng.max_inflight_bytes = 3 * BLK;
	else
		fx.eng.poll_byte_budget = 2 * BLK;
	ut_blocks(0, 8, STATUS);
	ut_link(0, 8);
	CU_ASSERT_EQUAL(netdma_engine_start(&fx.eng, ut_pa(0), 8), 0);
	netdma_engine_poll(&fx.eng);
	CU_ASSERT_EQUAL(fx.be.enq, inflight ? 3 : 2);
	netdma_engine_poll(&fx.eng);   /* nothing finished: nothing more may go */
	CU_ASSERT_EQUAL(fx.be.enq, inflight ? 3 : 4);
	ut_complete();
	CU_ASSERT_EQUAL(fx.be.enq, 6);
	while (fx.be.enq < 8 || fx.be.done < 8)
		ut_complete();
	CU_ASSERT_EQUAL(ut_cw(), ut_word(7, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(ut_copied(0, 8 * BLK));
	ut_engine_teardown();
}

static void test_inflight_bytes(void) { byte_limit(true); }
static void test_poll_byte_budget(void) { byte_limit(false); }

int
unit_add_engine_ctl(void)
{
	CU_pSuite s = CU_add_suite("engine control calls (fake backend)", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "Suspend drains, Resume re-reads the link", test_suspend_resume) ||
	    !CU_add_test(s, "1.x Append while suspended", test_append_while_suspended) ||
	    !CU_add_test(s, "Suspend drain timeout on the host clock", test_suspend_drain_timeout) ||
	    !CU_add_test(s, "copy failing while Suspend drains", test_suspend_drain_error) ||
	    !CU_add_test(s, "copy failing on a later poll of the drain",
			 test_suspend_drain_error_later) ||
	    !CU_add_test(s, "Resume after a Start continues at the new head",
			 test_resume_at_new_head) ||
	    !CU_add_test(s, "Abort: Halted, zombies reaped", test_abort) ||
	    !CU_add_test(s, "Reset: Halted, old chain forgotten", test_reset) ||
	    !CU_add_test(s, "ring memory from the host", test_host_memory) ||
	    !CU_add_test(s, "bytes at the device stay under max_inflight_bytes",
			 test_inflight_bytes) ||
	    !CU_add_test(s, "bytes fed per poll stay under poll_byte_budget",
			 test_poll_byte_budget))
		return -1;
	return 0;
}
