/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Provider lifecycle (spec §2, §7, §8 rules 1, 11, 12), power (§7.5, §13.10),
 * injected faults (§6.3), and the two ways of polling from another context.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_memory.h>
#include <rte_pause.h>
#include <rte_service.h>
#include <rte_service_component.h>

#include "conf_dpdk.h"

#define SU NETDMA_F_STATUS_UPDATE_ON_COMPLETION
#define IOC NETDMA_F_INTERRUPT_ON_COMPLETION

static struct backend lb;   /* a backend owned by one test */

static bool
use(enum backend_kind kind, uint8_t major, uint8_t minor, uint32_t burst)
{
	memset(&lb, 0, sizeof(lb));
	lb.name = kind == BE_CPU ? "cpu-lifecycle" : "skeleton-lifecycle";
	lb.kind = kind;
	lb.major = major;
	lb.minor = minor;
	B = &lb;
	if (backend_create(&lb, burst) != 0)
		return false;
	fix_setup();
	return F.ch != NULL;
}

static void
done(void)
{
	fix_teardown();
	if (lb.provider != NULL)
		backend_destroy(&lb);
}

/* conf_dpdk.h: the same for the other in-process test files */
struct backend *
conf_test_backend(enum backend_kind kind, uint8_t major, uint8_t minor, uint32_t burst)
{
	return use(kind, major, minor, burst) ? &lb : NULL;
}

void
conf_test_backend_done(void)
{
	done();
}

static struct netdma_provider *
handle(void)
{
	return lb.kind == BE_CPU ? netdma_cpu_provider_handle(be_cpu(&lb)) :
		netdma_dmadev_provider_handle(be_dma(&lb));
}

/* §13.8, §2.4: Stop drains outstanding work, frees the channel; handle revoked */
static void
stop_drains(enum backend_kind kind)
{
	CU_ASSERT_FATAL(use(kind, 2, 0, CONF_BURST));
	chain(0, 16, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 16), 0);
	CU_ASSERT_EQUAL(backend_destroy(&lb), 0);    /* stop + deregister, nothing polled */
	CU_ASSERT_TRUE(blocks_copied(0, 16));
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(15, NETDMA_STATUS_IDLE));
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 16), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, F.d, 16), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
	F.ch = NULL;
	done();
}

static void
l_stop_drains_cpu(void)
{
	stop_drains(BE_CPU);
}

static void
l_stop_drains_dmadev(void)
{
	stop_drains(BE_DMADEV);
}

/*
 * §2.4, §3.3: Stop with a suspended channel waits for nothing that cannot
 * come: what the engine held completed at Suspend, the unfetched rest is
 * abandoned at once (not after the drain timeout), the channel revoked.
 */
static void
stop_suspended(enum backend_kind kind)
{
	netdma_iova_t last = 0;
	double t0;

	CU_ASSERT_FATAL(use(kind, 2, 0, CONF_BURST));
	chain(0, 16, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 16), 0);
	poll_n(1);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_suspend(F.ch, &last), 0);
	CU_ASSERT_EQUAL(last, IO(&F.d[1]));
	t0 = conf_now();
	CU_ASSERT_EQUAL(backend_destroy(&lb), 0);
	CU_ASSERT(conf_now() - t0 < 2.0);   /* the drain timeout is 5 s */
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	CU_ASSERT_TRUE(blocks_zero(2, 14));
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(1, NETDMA_STATUS_SUSPEND));
	CU_ASSERT_EQUAL(netdma_chan_resume(F.ch), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
	F.ch = NULL;
	done();
}

static void
l_stop_suspended_cpu(void)
{
	stop_suspended(BE_CPU);
}

static void
l_stop_suspended_dmadev(void)
{
	stop_suspended(BE_DMADEV);
}

/* §8 rule 11: Stop precedes Deregister */
static void
l_deregister_before_stop(void)
{
	struct netdma_provider_info info[8];
	int n;

	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	CU_ASSERT_EQUAL(netdma_deregister_provider(handle()), -EBUSY);
	n = netdma_provider_list(info, 8);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(info[0].name, "cpu-lifecycle");
	CU_ASSERT_TRUE(info[0].started);
	CU_ASSERT_EQUAL(info[0].channels_in_use, 1);
	CU_ASSERT_EQUAL(netdma_provider_find("cpu-lifecycle"), (int)lb.id);
	CU_ASSERT_EQUAL(netdma_provider_find("nope"), -ENOENT);
	done();
	CU_ASSERT_EQUAL(netdma_provider_list(NULL, 0), 0);
}

/* §8 rule 1: no channel before Start; §2.3: Start again after Stop */
static void
l_alloc_before_start(void)
{
	struct netdma_provider_attributes attr = {
		.size = sizeof(attr), .dma_channel_count = 4, .maximum_transfer_size = 4096,
		.maximum_address_space = UINT64_MAX,
	};

	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
	F.ch = NULL;
	CU_ASSERT_EQUAL(netdma_provider_stop(handle()), 0);
	CU_ASSERT_EQUAL(fix_alloc_chan(0), -ENODEV);
	F.ch = NULL;
	attr.maximum_transfer_size = 1024;   /* spec §2.3: at least 4 KB */
	CU_ASSERT_EQUAL(netdma_provider_start(handle(), &attr), -EINVAL);
	attr.maximum_transfer_size = 4096;
	CU_ASSERT_EQUAL(netdma_provider_start(handle(), &attr), 0);
	CU_ASSERT_EQUAL(netdma_provider_start(handle(), &attr), -EBUSY);
	CU_ASSERT_EQUAL_FATAL(fix_alloc_chan(0), 0);
	chain(0, 2, SU);
	F.d[0].transfer_size = 4097;          /* the new attributes apply */
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 2), -ERANGE);
	F.d[0].transfer_size = BLK;
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 2), 0);
	CU_ASSERT_TRUE(wait_word(word(1, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	done();
}

/* A provider registered by hand, to check what Register accepts (spec §2.1, §3). */
static int affinity_calls;
static uint32_t affinity_bytes, affinity_first_cpu;

static int
h_affinity(void *ctx, struct netdma_channel_cpu_affinity *a, uint32_t size)
{
	RTE_SET_USED(ctx);
	affinity_calls++;
	affinity_bytes = size;
	affinity_first_cpu = a[0].cpu_number;
	return 0;
}

static int
h_alloc(void *ctx, struct netdma_channel_params *p, void *h, void **out)
{
	RTE_SET_USED(ctx);
	RTE_SET_USED(p);
	RTE_SET_USED(h);
	RTE_SET_USED(out);
	return -ENOTSUP;
}

static void h_free(void *c) { RTE_SET_USED(c); }
static int h_submit(void *c, struct netdma_descriptor *v, netdma_iova_t p, uint32_t n)
{ RTE_SET_USED(c); RTE_SET_USED(v); RTE_SET_USED(p); RTE_SET_USED(n); return -ENOTSUP; }
static int h_suspend(void *c, netdma_iova_t *l) { RTE_SET_USED(c); RTE_SET_USED(l); return -ENOTSUP; }
static int h_poll(void *c) { RTE_SET_USED(c); return 0; }
static int h_query(void *c, struct netdma_chan_progress *p) { RTE_SET_USED(c); RTE_SET_USED(p); return 0; }

static struct netdma_provider_characteristics
good_characteristics(uint8_t major, uint8_t minor)
{
	struct netdma_provider_characteristics c;

	memset(&c, 0, sizeof(c));
	c.major_version = major;
	c.minor_version = minor;
	c.size = sizeof(c);
	c.max_dma_channel_count = 3;
	c.set_dma_channel_cpu_affinity = h_affinity;
	c.allocate_dma_channel = h_alloc;
	c.free_dma_channel = h_free;
	c.start_dma = h_submit;
	c.append_dma = h_submit;
	c.poll_dma_channel = h_poll;
	c.query_dma_channel = h_query;
	c.friendly_name.buffer = "by-hand";
	c.friendly_name.length = 7;
	return c;
}

static void
l_register_checks(void)
{
	struct netdma_provider_characteristics c;
	struct netdma_provider_attributes attr = {
		.size = sizeof(attr), .dma_channel_count = 3, .maximum_transfer_size = 4096,
	};
	struct netdma_provider *p = NULL;
	volatile uint64_t *cw = netdma_mem_alloc(8, 64);
	struct netdma_chan_conf cc = { .completion_word = cw };
	struct netdma_chan *ch = NULL;

	CU_ASSERT_EQUAL(netdma_get_version(), 0x00020000u);
	c = good_characteristics(3, 0);
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	c = good_characteristics(1, 2);
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	c = good_characteristics(2, 0);
	c.size = NETDMA_PROVIDER_CHARACTERISTICS_SPEC_SIZE - 8;
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	c = good_characteristics(1, 1);
	c.flags = NETDMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED;   /* 2.0 only */
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	c = good_characteristics(2, 0);
	c.allocate_dma_channel = NULL;                            /* mandatory */
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	c = good_characteristics(2, 0);
	c.append_dma = NULL;
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	c = good_characteristics(2, 0);
	c.suspend_dma = h_suspend;                                /* rule 12: no Resume */
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	c = good_characteristics(2, 0);
	c.friendly_name.buffer = NULL;                            /* 2.0 needs a name */
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	c = good_characteristics(2, 0);
	c.max_dma_channel_count = 0;
	CU_ASSERT_EQUAL(netdma_register_provider(NULL, &p, &c), -EINVAL);
	CU_ASSERT_EQUAL(affinity_calls, 0);
	CU_ASSERT_EQUAL(netdma_provider_list(NULL, 0), 0);

	/* a good 1.0 registration calls the affinity callback inside Register */
	c = good_characteristics(1, 0);
	c.friendly_name.buffer = NULL;
	c.friendly_name.length = 0;
	CU_ASSERT_EQUAL_FATAL(netdma_register_provider(NULL, &p, &c), 0);
	CU_ASSERT_EQUAL(affinity_calls, 1);
	CU_ASSERT_EQUAL(affinity_bytes, 3 * sizeof(struct netdma_channel_cpu_affinity));
	CU_ASSERT(rte_lcore_is_enabled(affinity_first_cpu));
	CU_ASSERT_EQUAL(netdma_provider_list(NULL, 0), 1);
	/* rule 1: nothing before Start */
	CU_ASSERT_EQUAL(netdma_chan_alloc(netdma_provider_find("provider0"), &cc, &ch), -ENODEV);
	CU_ASSERT_EQUAL(netdma_provider_start(p, &attr), 0);
	/* the provider refuses: its error comes back, no channel */
	CU_ASSERT_EQUAL(netdma_chan_alloc(netdma_provider_find("provider0"), &cc, &ch), -ENOTSUP);
	CU_ASSERT_PTR_NULL(ch);
	/* §2.8: a 1.0 provider cannot send PnP notifications */
	{
		struct netdma_pnp_notification ev = {
			.structure_revision = NETDMA_PNP_NOTIFICATION_REVISION_1,
			.structure_size = sizeof(ev),
			.notification_code = NETDMA_PNP_PROVIDER_POWER_DOWN,
		};

		CU_ASSERT_EQUAL(netdma_pnp_event_notify(p, &ev), -EPERM);
	}
	CU_ASSERT_EQUAL(netdma_deregister_provider(p), -EBUSY);
	CU_ASSERT_EQUAL(netdma_provider_stop(p), 0);
	CU_ASSERT_EQUAL(netdma_provider_stop(p), -EPERM);
	CU_ASSERT_EQUAL(netdma_deregister_provider(p), 0);
	CU_ASSERT_EQUAL(netdma_provider_list(NULL, 0), 0);
	netdma_mem_free((void *)(uintptr_t)cw);
}

static int
power(struct netdma_provider *p, enum netdma_pnp_code code)
{
	struct netdma_pnp_notification ev = {
		.structure_revision = NETDMA_PNP_NOTIFICATION_REVISION_1,
		.structure_size = sizeof(ev),
		.notification_code = code,
	};

	return netdma_pnp_event_notify(p, &ev);
}

/* §7.5, §13.10: PowerDown drains and refuses work; PowerUp re-Starts channels */
static void
power_cycle(enum backend_kind kind, uint8_t major, uint8_t minor)
{
	struct netdma_provider_info info;

	CU_ASSERT_FATAL(use(kind, major, minor, CONF_BURST));
	chain(0, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_PROVIDER_POWER_DOWN), 0);
	CU_ASSERT_TRUE(blocks_copied(0, 8));          /* drained before it returned */
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(7, NETDMA_STATUS_IDLE));
	CU_ASSERT_EQUAL(netdma_provider_list(&info, 1), 1);
	CU_ASSERT_TRUE(info.powered_down);
	chain(8, 4, SU);
	if (!v2())
		F.d[7].next_descriptor = IO(&F.d[8]);
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[8], 4), -EAGAIN);
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_PROVIDER_POWER_DOWN), -EPERM);
	poll_n(4);
	CU_ASSERT_TRUE(blocks_zero(8, 4));
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_PROVIDER_POWER_UP), 0);
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_PROVIDER_POWER_UP), -EPERM);
	/* the engine lost the old tail: the next Append goes in as a Start */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[8], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(11, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(8, 4));
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_MAX), -EINVAL);
	done();
}

/*
 * §7.5, §3.6: power-down leaves a suspended channel as it is (its engine
 * holds nothing), power-up does not re-start it, and Resume fetches the
 * rest of its chain: nothing of it is lost.
 */
static void
power_cycle_suspended(enum backend_kind kind, uint8_t major, uint8_t minor)
{
	netdma_iova_t last = 0;

	CU_ASSERT_FATAL(use(kind, major, minor, CONF_BURST));
	chain(0, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	poll_n(1);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_suspend(F.ch, &last), 0);
	CU_ASSERT_EQUAL(last, IO(&F.d[1]));
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_PROVIDER_POWER_DOWN), 0);
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_PROVIDER_POWER_UP), 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(1, NETDMA_STATUS_SUSPEND));
	poll_n(2);
	CU_ASSERT_TRUE(blocks_zero(2, 6));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_resume(F.ch), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 8));
	done();
}

/*
 * §7.5: re-started at power-up, then suspended, then appended to: the
 * Append waits for Resume (nothing moves while the channel says
 * suspended), which starts it.
 */
static void
power_up_then_suspend(enum backend_kind kind, uint8_t major, uint8_t minor)
{
	netdma_iova_t last = 0;
	struct netdma_chan_stats st;

	CU_ASSERT_FATAL(use(kind, major, minor, CONF_BURST));
	chain(0, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	CU_ASSERT_TRUE(wait_word(word(3, NETDMA_STATUS_IDLE)));
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_PROVIDER_POWER_DOWN), 0);
	CU_ASSERT_EQUAL(power(handle(), NETDMA_PNP_PROVIDER_POWER_UP), 0);
	CU_ASSERT_TRUE(wait_idle_engine());   /* the re-seed ran */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_suspend(F.ch, &last), 0);
	chain(4, 4, SU);
	if (!v2())
		F.d[3].next_descriptor = IO(&F.d[4]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[4], 4), 0);
	poll_n(4);
	CU_ASSERT_TRUE(blocks_zero(4, 4));
	CU_ASSERT_EQUAL(netdma_chan_stats_get(F.ch, &st), 0);
	CU_ASSERT_EQUAL(st.state, NETDMA_CHAN_SUSPENDED);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_resume(F.ch), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(4, 4));
	CU_ASSERT_EQUAL(netdma_chan_suspend(F.ch, &last), 0);
	CU_ASSERT_EQUAL(netdma_chan_resume(F.ch), 0);
	done();
}

static void
l_power_suspended_cpu_v1(void)
{
	power_cycle_suspended(BE_CPU, 1, 1);
}

static void
l_power_suspended_dmadev_v2(void)
{
	power_cycle_suspended(BE_DMADEV, 2, 0);
}

static void
l_power_up_suspend_cpu_v2(void)
{
	power_up_then_suspend(BE_CPU, 2, 0);
}

static void
l_power_up_suspend_dmadev_v1(void)
{
	power_up_then_suspend(BE_DMADEV, 1, 1);
}

static void
l_power_cpu_v1(void)
{
	power_cycle(BE_CPU, 1, 1);
}

static void
l_power_dmadev_v2(void)
{
	power_cycle(BE_DMADEV, 2, 0);
}

/* §6.3, §13.9: an engine error halts the channel, error DPC (0), Reset recovers */
static void
l_fault_mid_chain(void)
{
	struct netdma_chan_stats st;

	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	netdma_cpu_set_fault(be_cpu(&lb), 3, 0);
	chain(0, 8, SU | IOC);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	poll_n(3);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(1, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	CU_ASSERT_TRUE(blocks_zero(2, 6));      /* the failing one and all after */
	CU_ASSERT_EQUAL(F.irqs, 1);
	CU_ASSERT_EQUAL(F.irq_pa, 0);
	CU_ASSERT_EQUAL((int)F.irq_lcore, netdma_chan_lcore(F.ch));
	CU_ASSERT_EQUAL(netdma_chan_stats_get(F.ch, &st), 0);
	CU_ASSERT_EQUAL(st.errors, 1);
	CU_ASSERT_EQUAL(st.state, NETDMA_CHAN_HALTED);
	CU_ASSERT_EQUAL(st.descriptors_retired, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), "halted at descriptor"));
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[8], 1), -EPERM);
	netdma_cpu_set_fault(be_cpu(&lb), 0, 0);
	CU_ASSERT_EQUAL(netdma_chan_reset(F.ch), 0);
	chain(10, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[10], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(13, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(10, 4));
	CU_ASSERT_TRUE(blocks_zero(2, 6));
	done();
}

/*
 * netdma_chan_set_check_at_fetch (netdmad's mode): Start/Append take an
 * unwalked chain; a bad descriptor in it is refused as the engine fetches
 * it (spec §6.3): the ones before it copy and retire, it and those after it
 * move nothing, the channel halts with an error DPC.
 */
/*
 * The chain from descriptor @p first: @p good of them copied and retired,
 * the @p bad after them untouched, the channel halted at the last good one
 * with its @p errors-th error DPC and a reason naming @p why.
 */
static void
expect_fetch_halt(unsigned int first, unsigned int good, unsigned int bad, uint64_t errors,
		  uint64_t retired, const char *why)
{
	struct netdma_chan_stats st;

	CU_ASSERT_TRUE(wait_irqs((int)errors));
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(first + good - 1, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(blocks_copied(first, good));
	CU_ASSERT_TRUE(blocks_zero(first + good, bad));
	CU_ASSERT_EQUAL(F.irq_pa, 0);
	CU_ASSERT_EQUAL(netdma_chan_stats_get(F.ch, &st), 0);
	CU_ASSERT_EQUAL(st.errors, errors);
	CU_ASSERT_EQUAL(st.descriptors_retired, retired);
	CU_ASSERT_EQUAL(st.outstanding, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), why));
}

static void
l_check_at_fetch(void)
{
	uint8_t *outside;

	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_set_check_at_fetch(F.ch, true), 0);
	outside = malloc(BLK);   /* not DPDK memory: no engine may write it */
	CU_ASSERT_FATAL(outside != NULL);
	memset(outside, 0xEE, BLK);
	chain(0, 8, SU | IOC);
	F.d[3].destination_address = (uintptr_t)outside;
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 0), -EINVAL);     /* the count is still checked */
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, NETDMA_CHAIN_MAX + 1), -E2BIG);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);     /* not walked: accepted */
	expect_fetch_halt(0, 3, 5, 1, 3, "destination");
	CU_ASSERT_EQUAL(outside[0], 0xEE);
	/* a link missing before the count runs out: halted there, not stuck */
	CU_ASSERT_EQUAL(netdma_chan_reset(F.ch), 0);
	chain(20, 4, SU);
	F.d[21].next_descriptor = 0;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[20], 4), 0);
	expect_fetch_halt(20, 2, 2, 2, 5, "no next descriptor");
	/* Reset, then a good chain and an Append at the pre-linked slot */
	CU_ASSERT_EQUAL(netdma_chan_reset(F.ch), 0);
	chain(10, 4, SU);
	chain(14, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[10], 4), 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[14], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(17, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(10, 8));
	free(outside);
	done();
}

/*
 * 1.x chains checked at fetch (issue 9, hole 3): Start and Append check the
 * head only (the count is ignored, spec §1); the engine checks each
 * descriptor it fetches, halting at a bad one like 2.0.
 */
static void
l_check_at_fetch_v1(void)
{
	struct netdma_descriptor *heap = aligned_alloc(64, sizeof(*heap));

	CU_ASSERT_FATAL(heap != NULL);
	CU_ASSERT_FATAL(use(BE_CPU, 1, 1, 0));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_set_check_at_fetch(F.ch, true), 0);
	/* the head is still checked: alignment, then its memory */
	chain(0, 8, SU | IOC);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, (void *)((char *)F.d + 32), 8), -EINVAL);
	memcpy(heap, &F.d[0], sizeof(*heap));
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, heap, 8), -EFAULT);
	/* a bad fourth descriptor: not walked, so accepted; halts at fetch */
	F.d[3].transfer_size = 0;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 0), 0);
	expect_fetch_halt(0, 3, 5, 1, 3, "zero transfer size");
	/* a good chain and an Append after the patched tail copy and verify */
	CU_ASSERT_EQUAL(netdma_chan_reset(F.ch), 0);
	chain(10, 4, SU);
	chain(14, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[10], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(13, NETDMA_STATUS_IDLE)));
	F.d[13].next_descriptor = IO(&F.d[14]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[14], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(17, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(10, 8));
	CU_ASSERT_TRUE(blocks_zero(3, 5));
	done();
	free(heap);
}

/* Poll until the error DPC (the long chains below outlast wait_irqs' 5 s). */
static bool
wait_error_dpc(double seconds)
{
	double deadline = conf_now() + seconds;

	while (irqs() == 0 && conf_now() < deadline)
		poll_n(1);
	return irqs() > 0;
}

/*
 * d0 → d1 → d2 → d3 → d4 → d5 → d2 …: every descriptor is good, the chain
 * never ends.  The engine takes exactly NETDMA_CHAIN_MAX descriptors
 * (d0, d1, then d2..d5 over and over: the last one taken is d3), all
 * of them copy the same bytes again and retire, and it halts at the next
 * one with an error DPC: HALTED at d3, the reason names NETDMA_CHAIN_MAX.
 */
static void
expect_cycle_halt(void)
{
	struct netdma_chan_stats st;

	CU_ASSERT_TRUE_FATAL(wait_error_dpc(60));
	CU_ASSERT_EQUAL(F.irq_pa, 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(3, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(blocks_copied(0, 6));
	CU_ASSERT_TRUE(blocks_zero(6, MAXD - 6));
	CU_ASSERT_EQUAL(netdma_chan_stats_get(F.ch, &st), 0);
	CU_ASSERT_EQUAL(st.state, NETDMA_CHAN_HALTED);
	CU_ASSERT_EQUAL(st.errors, 1);
	CU_ASSERT_EQUAL(st.outstanding, 0);
	CU_ASSERT_EQUAL(st.descriptors_retired, NETDMA_CHAIN_MAX);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch),
				      "longer than NETDMA_CHAIN_MAX descriptors"));
	/* Start recovers; a fresh chain copies */
	chain(10, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, &F.d[10], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(13, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(10, 4));
}

static void
v1_cycle_at_fetch(enum backend_kind kind)
{
	CU_ASSERT_FATAL(use(kind, 1, 1, 0));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_set_check_at_fetch(F.ch, true), 0);
	chain(0, 6, 0);
	F.d[5].next_descriptor = IO(&F.d[2]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 6), 0);   /* not walked */
	expect_cycle_halt();
	done();
}

static void
l_v1_cycle_at_fetch_cpu(void)
{
	v1_cycle_at_fetch(BE_CPU);
}

static void
l_v1_cycle_at_fetch_dmadev(void)
{
	v1_cycle_at_fetch(BE_DMADEV);
}

/* A chain walked at Start and relinked into a loop before the engine got there. */
static void
l_v1_relinked_cycle(void)
{
	CU_ASSERT_FATAL(use(BE_CPU, 1, 1, 0));
	chain(0, 6, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 6), 0);   /* walked: acyclic */
	F.d[5].next_descriptor = IO(&F.d[2]);
	expect_cycle_halt();
	done();
}

/*
 * The cpu engine's two copies (netdma_cpu.h nt_threshold): streaming stores
 * around the cache, and into the cache when a 2.0 descriptor asks for
 * DESTINATION_DCA_ENABLE.  Threshold 1: every copy here streams unless it
 * asks for DCA.  Lengths and offsets cover the aligned middle, the unaligned
 * head and the sub-line tail; bytes between destinations stay untouched.
 */
/* offsets 1..15 against every length: an unaligned head longer than the copy too */
#define OFF(k) (((k) * 7 + 3) % 16)

static void
l_cpu_copy_paths(void)
{
	static const uint32_t len[] = { 1, 15, 16, 17, 63, 64, 65, 127, 4095, 4096, 4103, 20000 };
	enum { N = sizeof(len) / sizeof(len[0]), GAP = 64, SPAN = 20000 + 16 + GAP };
	/* threshold 1 counts as 64: short copies never stream (they would only cost) */
	struct netdma_cpu_conf pc = { .name = "cpu-copy-paths", .nt_threshold = 1 };
	struct netdma_cpu_provider *p;
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	struct netdma_chan *ch;
	uint8_t *src, *dst;
	uint32_t i, k;

	CU_ASSERT_EQUAL_FATAL(netdma_cpu_provider_create(&pc, &p), 0);
	d = netdma_mem_alloc(sizeof(*d) * (2 * N + 1), 64);
	src = netdma_mem_alloc(2 * N * SPAN, 64);
	dst = netdma_mem_alloc(2 * N * SPAN, 64);
	cw = netdma_mem_alloc(64, 64);
	CU_ASSERT_FATAL(d != NULL && src != NULL && dst != NULL && cw != NULL);
	for (i = 0; i < 2 * N * SPAN; i++)
		src[i] = (uint8_t)(i * 7 + (i >> 9) + 1);
	memset(dst, 0xCD, 2 * N * SPAN);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc(netdma_cpu_provider_id(p),
		&(struct netdma_chan_conf){ .completion_word = cw, .lcore_mask = conf_home_mask() },
		&ch), 0);
	/* descriptor k: len[k % N] bytes, source and destination off 16-byte alignment */
	for (k = 0; k < 2 * N; k++) {
		d[k] = (struct netdma_descriptor){
			.transfer_size = len[k % N],
			.source_address = IO(src + k * SPAN + (k % 5)),
			.destination_address = IO(dst + k * SPAN + OFF(k)),
			.next_descriptor = IO(&d[k + 1]),
			.control_flags = k >= N ? NETDMA_F_DESTINATION_DCA_ENABLE : 0,
		};
	}
	d[2 * N - 1].control_flags |= SU;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(ch, d, 2 * N), 0);
	for (i = 0; i < 1000 && netdma_completion_read(cw) !=
	     netdma_completion_encode(IO(&d[2 * N - 1]), NETDMA_STATUS_IDLE); i++)
		netdma_lcore_poll(rte_lcore_id());
	CU_ASSERT_EQUAL(netdma_completion_read(cw),
			netdma_completion_encode(IO(&d[2 * N - 1]), NETDMA_STATUS_IDLE));
	for (k = 0; k < 2 * N; k++) {
		const uint8_t *to = dst + k * SPAN + OFF(k);

		CU_ASSERT_EQUAL(memcmp(to, src + k * SPAN + (k % 5), len[k % N]), 0);
		CU_ASSERT_TRUE(OFF(k) == 0 || to[-1] == 0xCD);     /* nothing before */
		CU_ASSERT_EQUAL(to[len[k % N]], 0xCD);             /* nothing after */
	}
	CU_ASSERT_EQUAL(netdma_chan_free(ch), 0);
	CU_ASSERT_EQUAL(netdma_cpu_provider_destroy(p), 0);
	netdma_mem_free(d);
	netdma_mem_free(src);
	netdma_mem_free(dst);
	netdma_mem_free((void *)(uintptr_t)cw);
}

/*
 * The cpu engine's per-poll byte budget (netdma_cpu.h poll_bytes): it copies
 * at enqueue on the polling lcore, so one poll of one channel stops feeding
 * once the bytes fed reach the budget, and always feeds one descriptor.
 * 16 descriptors of 32 KiB: @p per_poll of them per poll, every byte right.
 */
#define BIG (32u << 10)
#define NBIG 16u

static uint64_t
retired(struct netdma_chan *ch)
{
	struct netdma_chan_stats st;

	return netdma_chan_stats_get(ch, &st) == 0 ? st.descriptors_retired : UINT64_MAX;
}

static void
poll_budget(uint8_t major, uint32_t poll_bytes, unsigned int per_poll)
{
	struct netdma_cpu_conf pc = { .name = "cpu-budget", .major_version = major,
				      .minor_version = major < 2 ? 1 : 0, .poll_bytes = poll_bytes };
	struct netdma_cpu_provider *p;
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	struct netdma_chan *ch;
	uint8_t *src, *dst;
	unsigned int i, polls;

	CU_ASSERT_EQUAL_FATAL(netdma_cpu_provider_create(&pc, &p), 0);
	d = netdma_mem_alloc(sizeof(*d) * (NBIG + 1), 64);   /* 2.0: d[NBIG] pre-linked */
	src = netdma_mem_alloc(NBIG * BIG, 64);
	dst = netdma_mem_alloc(NBIG * BIG, 64);
	cw = netdma_mem_alloc(64, 64);
	CU_ASSERT_FATAL(d != NULL && src != NULL && dst != NULL && cw != NULL);
	for (i = 0; i < NBIG * BIG; i++)
		src[i] = (uint8_t)(i * 13 + (i >> 11) + 1);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc(netdma_cpu_provider_id(p),
		&(struct netdma_chan_conf){ .completion_word = cw, .lcore_mask = conf_home_mask() },
		&ch), 0);
	for (i = 0; i < NBIG; i++)
		d[i] = (struct netdma_descriptor){
			.transfer_size = BIG,
			.source_address = IO(src + i * BIG),
			.destination_address = IO(dst + i * BIG),
			.next_descriptor = i + 1 < NBIG || major >= 2 ? IO(&d[i + 1]) : 0,
			.control_flags = i + 1 < NBIG ? 0 : SU,
		};
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(ch, d, NBIG), 0);
	/* one poll: exactly per_poll descriptors copied, nothing after them */
	netdma_lcore_poll(rte_lcore_id());
	CU_ASSERT_EQUAL(retired(ch), per_poll);
	CU_ASSERT_EQUAL(memcmp(dst, src, per_poll * BIG), 0);
	CU_ASSERT_TRUE(bytes_zero(dst + per_poll * BIG, (NBIG - per_poll) * BIG));
	for (polls = 1; polls < 1000 && netdma_completion_read(cw) !=
	     netdma_completion_encode(IO(&d[NBIG - 1]), NETDMA_STATUS_IDLE); polls++) {
		netdma_lcore_poll(rte_lcore_id());
		CU_ASSERT(retired(ch) <= (uint64_t)(polls + 1) * per_poll);
	}
	CU_ASSERT_EQUAL(polls, (NBIG + per_poll - 1) / per_poll);
	CU_ASSERT_EQUAL(netdma_completion_read(cw),
			netdma_completion_encode(IO(&d[NBIG - 1]), NETDMA_STATUS_IDLE));
	CU_ASSERT_EQUAL(memcmp(dst, src, NBIG * BIG), 0);
	CU_ASSERT_EQUAL(netdma_chan_free(ch), 0);
	CU_ASSERT_EQUAL(netdma_cpu_provider_destroy(p), 0);
	netdma_mem_free(d);
	netdma_mem_free(src);
	netdma_mem_free(dst);
	netdma_mem_free((void *)(uintptr_t)cw);
}

/* 1.1 and 2.0: an in-process 2.0 chain is fed from its checked copies */
static void
l_cpu_poll_budget(void)
{
	uint8_t major;

	for (major = 1; major <= 2; major++) {
		poll_budget(major, 2 * BIG, 2);         /* reached after two */
		poll_budget(major, 2 * BIG + 1, 3);     /* not reached after two: a third */
		poll_budget(major, 1, 1);               /* under one descriptor: still one */
		poll_budget(major, 0, NETDMA_CPU_POLL_BYTES / BIG); /* the default, 256 KiB: eight */
	}
}

/*
 * spec §3.6: Resume re-reads the last processed descriptor.  When its
 * memory went away while the channel was suspended (netdmad: a client's
 * region deleted), the re-read is refused: the channel halts with an error
 * DPC instead of reading memory that is no longer there.
 */
static void
l_resume_after_memory_gone(void)
{
	const size_t len = 2 * 4096;
	struct netdma_descriptor *d;
	netdma_iova_t last = 0;
	void *va;

	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(va != MAP_FAILED);
	CU_ASSERT_EQUAL_FATAL(rte_extmem_register(va, len, NULL, 0, 4096), 0);
	d = va;
	desc_copy(0, SU);
	d[0] = F.d[0];
	d[0].next_descriptor = IO(&d[1]);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, d, 1), 0);
	CU_ASSERT_TRUE(wait_word(netdma_completion_encode(IO(&d[0]), NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 1));
	CU_ASSERT_EQUAL(netdma_chan_suspend(F.ch, &last), 0);
	CU_ASSERT_EQUAL(last, IO(&d[0]));
	CU_ASSERT_EQUAL(rte_extmem_unregister(va, len), 0);
	CU_ASSERT_EQUAL(netdma_chan_resume(F.ch), 0);
	CU_ASSERT_TRUE(wait_irqs(1));
	CU_ASSERT_EQUAL(F.irq_pa, 0);
	CU_ASSERT_EQUAL(netdma_completion_status(netdma_completion_read(F.cw)), NETDMA_STATUS_HALTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(F.ch), "re-read"));
	/* the engine stopped too: a Start is a fresh chain, Armed until it retires */
	desc_copy(1, 0);
	F.d[1].next_descriptor = IO(&F.d[2]);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, &F.d[1], 1), 0);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	CU_ASSERT_TRUE(wait_idle_engine());
	CU_ASSERT_TRUE(blocks_copied(1, 1));
	CU_ASSERT_EQUAL(netdma_chan_reset(F.ch), 0);
	done();
	munmap(va, len);
}

/* a fault on the very first copy: nothing retired, HALTED with no address */
static void
l_fault_first(void)
{
	CU_ASSERT_FATAL(use(BE_CPU, 1, 1, 0));
	netdma_cpu_set_fault(be_cpu(&lb), 1, 0);
	chain(0, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	poll_n(2);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), netdma_completion_encode(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(blocks_zero(0, 4));
	CU_ASSERT_EQUAL(F.irqs, 1);
	CU_ASSERT_EQUAL(F.irq_pa, 0);
	netdma_cpu_set_fault(be_cpu(&lb), 0, 0);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 4), 0);   /* Start alone recovers */
	CU_ASSERT_TRUE(wait_word(word(3, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 4));
	done();
}

/* The fixture's channel, re-allocated on the first worker lcore (cpu 2.0). */
static bool
chan_on_worker(unsigned int *worker)
{
	*worker = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	if (*worker >= RTE_MAX_LCORE) {
		CU_FAIL("the functional suite needs a worker lcore (-l 0-1)");
		return false;
	}
	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
	F.ch = NULL;
	CU_ASSERT_EQUAL_FATAL(fix_alloc_chan(1ull << *worker), 0);
	return true;
}

/* §6.2: a real worker lcore owns the channel, runs the engine and the DPC */
static void
l_worker_poller(void)
{
	unsigned int worker;
	uint64_t deadline, want;
	unsigned int k;

	if (!chan_on_worker(&worker))
		return;
	CU_ASSERT_EQUAL(netdma_chan_lcore(F.ch), (int)worker);
	CU_ASSERT_EQUAL_FATAL(netdma_poller_start(worker, NULL), 0);
	CU_ASSERT_EQUAL(netdma_poller_start(worker, NULL), -EBUSY);
	for (k = 0; k < 8; k++) {
		chain(8 * k, 8, k == 7 ? SU | IOC : 0);
		if (k == 0) {
			CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 8), 0);
		} else {
			F.d[8 * k - 1].next_descriptor = IO(&F.d[8 * k]);
			CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[8 * k], 8), 0);
		}
	}
	want = word(63, NETDMA_STATUS_IDLE);
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 5;
	while ((netdma_completion_read(F.cw) != want || F.irqs == 0) &&
	       rte_get_timer_cycles() < deadline)
		rte_pause();
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), want);
	CU_ASSERT_TRUE(blocks_copied(0, 64));
	CU_ASSERT_EQUAL(F.irq_lcore, worker);
	CU_ASSERT_EQUAL(F.irq_pa, IO(&F.d[63]));
	CU_ASSERT_EQUAL(netdma_poller_stop(worker), 0);
	CU_ASSERT_EQUAL(netdma_poller_stop(worker), -ENOENT);
	done();
}

static bool
wait_parks(unsigned int lcore, uint64_t at_least)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 5, parks = 0, wakes;

	while (rte_get_timer_cycles() < deadline) {
		if (netdma_poller_park_stats(lcore, &parks, &wakes) == 0 && parks >= at_least)
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

/*
 * An idle poller parks on its eventfd; an Append from another lcore wakes
 * it.  The park timeout is a minute, so only the wake-up can finish the
 * chain within the 5 s wait; a parked poller also stops at once.
 */
/*
 * A suspended channel with descriptors left to fetch gives its engine
 * nothing to do until Resume: its poller parks all the same (else one
 * client's suspended channel keeps a shared poller spinning), and Resume
 * wakes it and runs the rest.
 */
static void
l_poller_parks_suspended(void)
{
	struct netdma_poller_conf pc = { .park_after_us = 200, .park_timeout_ms = 60000 };
	uint64_t parks = 0, wakes;
	netdma_iova_t last = 0;
	unsigned int worker;

	if (!chan_on_worker(&worker))
		return;
	CU_ASSERT_EQUAL_FATAL(netdma_poller_start(worker, &pc), 0);
	chain(0, 8, SU);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 8), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NETDMA_STATUS_IDLE)));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_suspend(F.ch, &last), 0);
	CU_ASSERT_EQUAL(last, IO(&F.d[7]));
	chain(8, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_append(F.ch, &F.d[8], 8), 0);
	CU_ASSERT_EQUAL(netdma_poller_park_stats(worker, &parks, &wakes), 0);
	CU_ASSERT_TRUE(wait_parks(worker, parks + 1));
	CU_ASSERT_TRUE(blocks_zero(8, 8));
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), -EBUSY);   /* but it is outstanding for Free */
	CU_ASSERT_EQUAL_FATAL(netdma_chan_resume(F.ch), 0);
	CU_ASSERT_TRUE(wait_word(word(15, NETDMA_STATUS_IDLE)));
	CU_ASSERT_TRUE(blocks_copied(0, 16));
	CU_ASSERT_EQUAL(netdma_poller_stop(worker), 0);
	done();
}

static void
l_poller_parks(void)
{
	struct netdma_poller_conf pc = { .park_after_us = 200, .park_timeout_ms = 60000 };
	uint64_t parks, parked, wakes, deadline, t0;
	unsigned int worker;

	if (!chan_on_worker(&worker))
		return;
	CU_ASSERT_EQUAL(netdma_poller_wake_fd(worker), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(netdma_poller_start(worker, &pc), 0);
	CU_ASSERT(netdma_poller_wake_fd(worker) >= 0);
	chain(0, 8, SU);
	F.d[7].next_descriptor = IO(&F.d[8]);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 8), 0);
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 5;
	while (netdma_completion_read(F.cw) != word(7, NETDMA_STATUS_IDLE) &&
	       rte_get_timer_cycles() < deadline)
		rte_pause();
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(7, NETDMA_STATUS_IDLE));
	/* nothing outstanding: it parks */
	CU_ASSERT_TRUE_FATAL(wait_parks(worker, 1));
	CU_ASSERT_EQUAL(netdma_poller_park_stats(worker, &parked, &wakes), 0);
	CU_ASSERT_TRUE(blocks_zero(8, 8));
	chain(8, 8, SU);
	CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[8], 8), 0);
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 5;
	while (netdma_completion_read(F.cw) != word(15, NETDMA_STATUS_IDLE) &&
	       rte_get_timer_cycles() < deadline)
		rte_pause();
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(15, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(blocks_copied(0, 16));
	CU_ASSERT_EQUAL(netdma_poller_park_stats(worker, &parks, &wakes), 0);
	CU_ASSERT(wakes >= 1);
	/*
	 * Parked again (counted from before the Append: the poller may park
	 * again before this thread reads the stats), then stopped: the stop
	 * wakes it rather than waiting a minute.
	 */
	CU_ASSERT_TRUE(wait_parks(worker, parked + 1));
	t0 = rte_get_timer_cycles();
	CU_ASSERT_EQUAL(netdma_poller_stop(worker), 0);
	CU_ASSERT(rte_get_timer_cycles() - t0 < rte_get_timer_hz() * 10);
	CU_ASSERT_EQUAL(netdma_poller_wake_fd(worker), -ENOENT);
	done();
}

/* the rte_service wrapper drives the same poll */
static void
l_service(void)
{
	uint32_t id;
	unsigned int i;

	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, CONF_BURST));
	CU_ASSERT_EQUAL_FATAL(netdma_service_register(netdma_chan_lcore(F.ch), &id), 0);
	chain(0, 8, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 8), 0);
	for (i = 0; i < 1000 && netdma_completion_read(F.cw) != word(7, NETDMA_STATUS_IDLE); i++)
		rte_service_run_iter_on_app_lcore(id, 1);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(7, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(blocks_copied(0, 8));
	rte_service_runstate_set(id, 0);
	rte_service_component_runstate_set(id, 0);
	CU_ASSERT_EQUAL(rte_service_component_unregister(id), 0);
	done();
}

/* Undo netdma_service_register(): not running, unmapped, unregistered. */
static void
service_drop(uint32_t id, unsigned int lcore)
{
	CU_ASSERT_EQUAL(rte_service_runstate_set(id, 0), 0);
	CU_ASSERT_EQUAL(rte_service_component_runstate_set(id, 0), 0);
	if (rte_lcore_has_role(lcore, ROLE_SERVICE))
		CU_ASSERT_EQUAL(rte_service_map_lcore_set(id, lcore, 0), 0);
	CU_ASSERT_EQUAL(rte_service_component_unregister(id), 0);
}

/*
 * A channel may be allocated on a service lcore that its mask names; the
 * wrapper maps its service there, and that lcore alone then drives the
 * channel: no poll from this thread, the DPC on the owner (spec §6.2).
 * The main lcore is no service lcore: its service is registered but
 * mapped nowhere.
 */
static void
l_service_lcore(void)
{
	unsigned int worker, i;
	uint32_t id, other, n0 = rte_service_get_count();
	uint64_t deadline;

	if (!chan_on_worker(&worker))
		return;
	/* a service lcore owns a channel when the mask names it, none otherwise */
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
	F.ch = NULL;
	CU_ASSERT_EQUAL_FATAL(rte_service_lcore_add(worker), 0);
	CU_ASSERT_EQUAL_FATAL(fix_alloc_chan(1ull << worker), 0);
	CU_ASSERT_EQUAL(netdma_chan_lcore(F.ch), (int)worker);
	CU_ASSERT_EQUAL_FATAL(netdma_service_register(worker, &id), 0);
	CU_ASSERT_EQUAL(rte_service_map_lcore_get(id, worker), 1);
	CU_ASSERT_EQUAL(rte_service_runstate_get(id), 1);
	CU_ASSERT_EQUAL_FATAL(netdma_service_register(rte_get_main_lcore(), &other), 0);
	CU_ASSERT_EQUAL(rte_service_map_lcore_get(other, worker), 0);
	CU_ASSERT_EQUAL(rte_service_get_count(), n0 + 2);
	CU_ASSERT_EQUAL_FATAL(rte_service_lcore_start(worker), 0);
	chain(0, 8, SU | IOC);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 8), 0);
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 5;
	while ((netdma_completion_read(F.cw) != word(7, NETDMA_STATUS_IDLE) || F.irqs == 0) &&
	       rte_get_timer_cycles() < deadline)
		rte_pause();
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(7, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(blocks_copied(0, 8));
	CU_ASSERT_EQUAL(F.irq_lcore, worker);
	CU_ASSERT_EQUAL(rte_service_runstate_set(id, 0), 0);
	for (i = 0; i < 1000 && rte_service_lcore_stop(worker) == -EBUSY; i++)
		rte_delay_us_sleep(1000);
	rte_eal_wait_lcore(worker);
	service_drop(id, worker);
	service_drop(other, rte_get_main_lcore());
	CU_ASSERT_EQUAL(rte_service_lcore_del(worker), 0);
	CU_ASSERT_EQUAL(rte_service_get_count(), n0);
	done();
}

/* a DPC may free its own channel (and one that also halted on an error) */
static int freed_in_dpc;

static void
free_self(struct netdma_chan *ch, netdma_iova_t pa, void *arg)
{
	RTE_SET_USED(pa);
	RTE_SET_USED(arg);
	if (netdma_chan_free(ch) == 0)
		freed_in_dpc++;
}

static void
l_free_in_dpc(void)
{
	struct netdma_chan_conf cc;

	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	CU_ASSERT_EQUAL(netdma_chan_free(F.ch), 0);
	memset(&cc, 0, sizeof(cc));
	cc.lcore_mask = 1ull << rte_get_main_lcore();
	cc.completion_word = F.cw;
	cc.intr_cb = free_self;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc(lb.id, &cc, &F.ch), 0);
	/* progress and error DPCs pending together: the progress one frees the
	 * channel, so the error one must never be delivered (ASan would see it) */
	netdma_cpu_set_fault(be_cpu(&lb), 3, 0);
	chain(0, 4, NETDMA_F_INTERRUPT_ON_COMPLETION);
	F.d[1].control_flags = NETDMA_F_INTERRUPT_ON_COMPLETION;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, 4), 0);
	poll_n(3);
	CU_ASSERT_EQUAL(freed_in_dpc, 1);
	CU_ASSERT_TRUE(blocks_copied(0, 2));
	CU_ASSERT_TRUE(blocks_zero(2, 2));
	F.ch = NULL;
	netdma_cpu_set_fault(be_cpu(&lb), 0, 0);
	done();
}

/*
 * Handle misuse (issue 9, hole 8): every call on a freed channel is -EINVAL
 * and moves nothing, never a crash; a channel revoked by Stop, its provider
 * then deregistered, answers from what it kept (-ENODEV, its version).
 */
static bool
dummy_check(void *ctx, netdma_iova_t iova, uint64_t len)
{
	RTE_SET_USED(ctx);
	RTE_SET_USED(iova);
	RTE_SET_USED(len);
	return true;
}

static bool
dummy_win(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo, netdma_iova_t *hi)
{
	RTE_SET_USED(ctx);
	*lo = iova;
	*hi = iova + len;
	return true;
}

/* Every consumer call on @p ch is -EINVAL, and nothing moves. */
static void
expect_dead(struct netdma_chan *ch)
{
	struct netdma_chan_stats st;
	netdma_iova_t last = 1;

	chain(0, 4, SU);
	CU_ASSERT_EQUAL(netdma_chan_start(ch, F.d, 4), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_append(ch, F.d, 4), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_suspend(ch, &last), -EINVAL);
	CU_ASSERT_EQUAL(last, 1);
	CU_ASSERT_EQUAL(netdma_chan_resume(ch), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_abort(ch), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_reset(ch), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_free(ch), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_stats_get(ch, &st), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_lcore(ch), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_version(ch), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(ch), "no channel"));
	CU_ASSERT_EQUAL(netdma_chan_set_addr_check(ch, dummy_check, NULL), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_set_addr_check(ch, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_set_addr_window_check(ch, dummy_win, NULL), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_set_check_at_fetch(ch, true), -EINVAL);
	poll_n(4);
	CU_ASSERT_TRUE(blocks_zero(0, 4));
}

static void
l_null_handle(void)
{
	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	expect_dead(NULL);
	done();
}

static void
l_freed_handle(void)
{
	struct netdma_chan *stale;

	CU_ASSERT_FATAL(use(BE_CPU, 2, 0, 0));
	stale = F.ch;
	chain(8, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(stale, &F.d[8], 4), 0);
	CU_ASSERT_TRUE(wait_word(word(11, NETDMA_STATUS_IDLE)));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_free(stale), 0);
	expect_dead(stale);
	CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(11, NETDMA_STATUS_IDLE));
	/* the fixture's poll names a channel: give it a live one again */
	CU_ASSERT_EQUAL_FATAL(fix_alloc_chan(conf_home_mask()), 0);
	expect_dead(stale == F.ch ? NULL : stale);   /* unless its memory was reused (ABA) */
	done();
}

static void
l_revoked_then_deregistered(void)
{
	struct netdma_chan *ch;
	struct backend other;
	struct netdma_chan_stats st;
	int lcore;

	CU_ASSERT_FATAL(use(BE_CPU, 1, 1, 0));
	ch = F.ch;
	lcore = netdma_chan_lcore(ch);
	CU_ASSERT(lcore >= 0);
	chain(0, 4, SU);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(ch, F.d, 4), 0);
	CU_ASSERT_EQUAL(backend_destroy(&lb), 0);    /* Stop (drains), then Deregister */
	CU_ASSERT_TRUE(blocks_copied(0, 4));
	/* a new provider, likely in the old one's memory: nothing may read it via ch */
	memset(&other, 0, sizeof(other));
	other.name = "cpu-other";
	other.kind = BE_CPU;
	other.major = 2;
	CU_ASSERT_EQUAL_FATAL(backend_create(&other, 0), 0);
	CU_ASSERT_EQUAL(netdma_chan_version(ch), 0x101);
	CU_ASSERT_EQUAL(netdma_chan_lcore(ch), lcore);
	chain(8, 4, SU);
	CU_ASSERT_EQUAL(netdma_chan_start(ch, &F.d[8], 4), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_append(ch, &F.d[8], 4), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_suspend(ch, NULL), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_resume(ch), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_abort(ch), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_reset(ch), -ENODEV);
	CU_ASSERT_EQUAL(netdma_chan_stats_get(ch, &st), 0);
	CU_ASSERT_EQUAL(st.state, NETDMA_CHAN_REVOKED);
	CU_ASSERT_EQUAL(st.outstanding, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(ch), "stopped"));
	CU_ASSERT_TRUE(blocks_zero(8, 4));
	CU_ASSERT_EQUAL(netdma_chan_free(ch), 0);
	F.ch = NULL;
	CU_ASSERT_EQUAL(netdma_chan_free(ch), -EINVAL);   /* the second Free */
	CU_ASSERT_EQUAL(netdma_chan_version(ch), -EINVAL);
	CU_ASSERT_EQUAL(backend_destroy(&other), 0);
	done();
}

/* §2.4 with every channel of a provider busy */
static void
l_stop_all_channels(void)
{
	struct netdma_chan *more[3];
	volatile uint64_t *cws = netdma_mem_alloc(3 * 64, 64);
	unsigned int i;

	CU_ASSERT_FATAL(use(BE_CPU, 1, 1, CONF_BURST));
	CU_ASSERT_FATAL(cws != NULL);
	chain(0, 8, SU);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 8), 0);
	for (i = 0; i < 3; i++) {
		struct netdma_chan_conf cc = { .completion_word = &cws[8 * i] };

		CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc(lb.id, &cc, &more[i]), 0);
		chain(16 + 8 * i, 8, SU);
		CU_ASSERT_EQUAL(netdma_chan_start(more[i], &F.d[16 + 8 * i], 8), 0);
	}
	/* a fifth channel: the provider has four */
	{
		struct netdma_chan_conf cc = { .completion_word = &cws[1] };
		struct netdma_chan *x = NULL;

		CU_ASSERT_EQUAL(netdma_chan_alloc(lb.id, &cc, &x), -ENOSPC);
	}
	CU_ASSERT_EQUAL(backend_destroy(&lb), 0);
	CU_ASSERT_TRUE(blocks_copied(0, 8));
	CU_ASSERT_TRUE(blocks_copied(16, 24));
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(cws[8 * i], word(23 + 8 * i, NETDMA_STATUS_IDLE));
		CU_ASSERT_EQUAL(netdma_chan_free(more[i]), 0);
	}
	netdma_mem_free((void *)(uintptr_t)cws);
	done();
}

int
conf_add_lifecycle(void)
{
	CU_pSuite s = CU_add_suite("lifecycle, power, faults", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "stop drains (cpu)", l_stop_drains_cpu) ||
	    !CU_add_test(s, "stop drains (dmadev)", l_stop_drains_dmadev) ||
	    !CU_add_test(s, "stop with every channel busy", l_stop_all_channels) ||
	    !CU_add_test(s, "stop abandons a suspended channel's rest (cpu)", l_stop_suspended_cpu) ||
	    !CU_add_test(s, "stop abandons a suspended channel's rest (dmadev)",
			 l_stop_suspended_dmadev) ||
	    !CU_add_test(s, "deregister before stop", l_deregister_before_stop) ||
	    !CU_add_test(s, "alloc before start; restart", l_alloc_before_start) ||
	    !CU_add_test(s, "register checks", l_register_checks) ||
	    !CU_add_test(s, "power cycle (cpu 1.1)", l_power_cpu_v1) ||
	    !CU_add_test(s, "power cycle (dmadev 2.0)", l_power_dmadev_v2) ||
	    !CU_add_test(s, "power cycle of a suspended channel (cpu 1.1)",
			 l_power_suspended_cpu_v1) ||
	    !CU_add_test(s, "power cycle of a suspended channel (dmadev 2.0)",
			 l_power_suspended_dmadev_v2) ||
	    !CU_add_test(s, "power-up, suspend, append, resume (cpu 2.0)",
			 l_power_up_suspend_cpu_v2) ||
	    !CU_add_test(s, "power-up, suspend, append, resume (dmadev 1.1)",
			 l_power_up_suspend_dmadev_v1) ||
	    !CU_add_test(s, "fault mid-chain", l_fault_mid_chain) ||
	    !CU_add_test(s, "fault on the first copy", l_fault_first) ||
	    !CU_add_test(s, "chains checked at fetch only", l_check_at_fetch) ||
	    !CU_add_test(s, "1.x chains checked at fetch only", l_check_at_fetch_v1) ||
	    !CU_add_test(s, "1.x cycle checked at fetch halts (cpu)", l_v1_cycle_at_fetch_cpu) ||
	    !CU_add_test(s, "1.x cycle checked at fetch halts (dmadev)",
			 l_v1_cycle_at_fetch_dmadev) ||
	    !CU_add_test(s, "1.x chain relinked into a cycle halts", l_v1_relinked_cycle) ||
	    !CU_add_test(s, "cpu copies around and into the cache", l_cpu_copy_paths) ||
	    !CU_add_test(s, "cpu per-poll byte budget", l_cpu_poll_budget) ||
	    !CU_add_test(s, "resume after its memory went away", l_resume_after_memory_gone) ||
	    !CU_add_test(s, "worker poller", l_worker_poller) ||
	    !CU_add_test(s, "poller parks; an Append wakes it", l_poller_parks) ||
	    !CU_add_test(s, "poller parks beside a suspended channel with work left",
			 l_poller_parks_suspended) ||
	    !CU_add_test(s, "free from inside the DPC", l_free_in_dpc) ||
	    !CU_add_test(s, "NULL channel handle", l_null_handle) ||
	    !CU_add_test(s, "freed channel handle", l_freed_handle) ||
	    !CU_add_test(s, "revoked channel, provider deregistered", l_revoked_then_deregistered) ||
	    !CU_add_test(s, "rte_service poll", l_service) ||
	    !CU_add_test(s, "rte_service mapped to a service lcore", l_service_lcore))
		return -1;
	return 0;
}
