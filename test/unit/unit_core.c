/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The channel core without EAL: the transition function and its hook, the
 * order of the submit checks, the 2.0 pre-link rule (spec §3.5), the head
 * checks of check-at-fetch, and the completion-word set.
 */
#include <errno.h>
#include <string.h>

#include "netdma_core.h"
#include "unit.h"

struct seen {
	int calls, old, new;
	enum netdma_chan_event ev;
};

static void
on_state(void *arg, int old, int new, enum netdma_chan_event ev)
{
	struct seen *s = arg;

	s->calls++;
	s->old = old;
	s->new = new;
	s->ev = ev;
}

/* d[first .. first+n) one chain of 64-byte copies in the arena's data half */
static void
build(struct netdma_descriptor *d, unsigned int first, unsigned int n, uint8_t major)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		d[i].transfer_size = 64;
		d[i].source_address = iova_of(arena + ARENA_SIZE / 2 + 64 * i);
		d[i].destination_address = iova_of(arena + ARENA_SIZE / 2 + 4096 + 64 * i);
		d[i].next_descriptor = i + 1 < first + n || major >= 2 ? iova_of(&d[i + 1]) : 0;
	}
}

static int
check(struct netdma_chan_core *k, enum netdma_chan_event op, struct netdma_descriptor *head,
      uint32_t count, netdma_iova_t *prelink)
{
	struct netdma_check_rules r;

	unit_rules(&r, k->major_version);
	return netdma_core_check_submit(k, op, head, head != NULL ? iova_of(head) : NETDMA_BAD_IOVA,
					count, &r, prelink);
}

static void
test_event_hook(void)
{
	struct netdma_chan_core k;
	struct seen s = { 0 };

	netdma_core_init(&k, 2, on_state, &s);
	CU_ASSERT_EQUAL(k.state, NETDMA_CHAN_ALLOCATED);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_START), NETDMA_CHAN_RUNNING);
	CU_ASSERT_EQUAL(s.calls, 1);
	CU_ASSERT_EQUAL(s.old, NETDMA_CHAN_ALLOCATED);
	CU_ASSERT_EQUAL(s.new, NETDMA_CHAN_RUNNING);
	CU_ASSERT_EQUAL(s.ev, NETDMA_OP_START);
	/* no change, no call */
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_APPEND), NETDMA_CHAN_RUNNING);
	CU_ASSERT_EQUAL(s.calls, 1);
	/* a refusal changes nothing and says why */
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_RESUME), -EPERM);
	CU_ASSERT_EQUAL(k.state, NETDMA_CHAN_RUNNING);
	CU_ASSERT_STRING_EQUAL(k.last_error, "resume not allowed on a running channel");
	CU_ASSERT_EQUAL(s.calls, 1);
	/* spec §3.6 as two steps, then the engine's error (spec §6.3) */
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_SUSPEND), NETDMA_CHAN_SUSPENDING);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_START), -EPERM);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_EV_DRAINED), NETDMA_CHAN_SUSPENDED);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_EV_ERROR), NETDMA_CHAN_HALTED);
	CU_ASSERT_EQUAL(s.calls, 4);
	CU_ASSERT_EQUAL(s.ev, NETDMA_EV_ERROR);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_EV_REVOKE), NETDMA_CHAN_REVOKED);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_START), -ENODEV);
	CU_ASSERT_STRING_EQUAL(k.last_error, "channel revoked: provider stopped");
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_FREE), NETDMA_CHAN_FREED);
}

/* spec §8: the state is checked first, whatever the chain */
static void
test_state_first(void)
{
	struct netdma_descriptor *d = unit_descs(4);
	struct netdma_chan_core k;
	netdma_iova_t prelink;

	netdma_core_init(&k, 1, NULL, NULL);
	build(d, 0, 2, 1);
	d[1].transfer_size = 0;   /* a bad chain */
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_APPEND, d, 2, &prelink), -EPERM);
	CU_ASSERT_STRING_EQUAL(k.last_error, "append not allowed on a allocated channel");
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, d, 2, &prelink), -ERANGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.last_error, "(descriptor 0x"));
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, NULL, 2, &prelink), -EINVAL);
	CU_ASSERT_STRING_EQUAL(k.last_error, "no descriptor given");
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, (void *)((char *)d + 8), 2, &prelink), -EINVAL);
	CU_ASSERT_STRING_EQUAL(k.last_error, "descriptor not 64-byte aligned");
	CU_ASSERT_EQUAL(netdma_core_check_submit(&k, NETDMA_OP_START, d, NETDMA_BAD_IOVA, 2, NULL,
						 &prelink), -EFAULT);
	CU_ASSERT_EQUAL(k.state, NETDMA_CHAN_ALLOCATED);   /* checks never move it */
}

/* spec §3.5, §13 rule 6: a 2.0 Append starts in the slot the last chain pre-linked */
static void
test_prelink(void)
{
	struct netdma_descriptor *d = unit_descs(8);
	struct netdma_chan_core k;
	netdma_iova_t prelink = 1;

	netdma_core_init(&k, 2, NULL, NULL);
	build(d, 0, 2, 2);
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, d, 2, &prelink), 0);
	CU_ASSERT_EQUAL(prelink, iova_of(&d[2]));
	netdma_core_submitted(&k, NETDMA_OP_START, iova_of(d), 2, prelink);
	CU_ASSERT_EQUAL(k.prelink, iova_of(&d[2]));
	build(d, 2, 3, 2);
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_APPEND, &d[3], 2, &prelink), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.last_error, "not at the slot the previous chain pre-linked"));
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_APPEND, &d[2], 3, &prelink), 0);
	netdma_core_submitted(&k, NETDMA_OP_APPEND, iova_of(&d[2]), 3, prelink);
	CU_ASSERT_EQUAL(k.prelink, iova_of(&d[5]));
	/* a Start may begin anywhere */
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, &d[3], 2, &prelink), 0);
	/* after power-up the next Append goes to the engine as a Start: no pre-link */
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_EV_POWER_UP), NETDMA_CHAN_RUNNING);
	CU_ASSERT_EQUAL(netdma_core_route(&k, NETDMA_OP_APPEND), NETDMA_ROUTE_START);
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_APPEND, &d[3], 2, &prelink), 0);
	netdma_core_submitted(&k, NETDMA_OP_APPEND, iova_of(&d[3]), 2, prelink);
	CU_ASSERT_EQUAL(netdma_core_route(&k, NETDMA_OP_APPEND), NETDMA_ROUTE_APPEND);
	/* Abort forgets the chain (spec §8 rule 3) */
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_ABORT), NETDMA_CHAN_HALTED);
	CU_ASSERT_EQUAL(k.prelink, 0);
}

/*
 * spec §7.5: power-up leaves a suspended channel suspended; a running one
 * re-seeded, suspended, then appended to holds the Appends for Resume
 * (starting the engine would run them while the channel says suspended).
 */
static void
test_power_up_and_suspend(void)
{
	struct netdma_chan_core k;
	netdma_iova_t head = 0;
	uint32_t count = 0;

	netdma_core_init(&k, 2, NULL, NULL);
	netdma_core_event(&k, NETDMA_OP_START);
	netdma_core_event(&k, NETDMA_OP_SUSPEND);
	netdma_core_event(&k, NETDMA_EV_DRAINED);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_EV_POWER_UP), NETDMA_CHAN_SUSPENDED);
	CU_ASSERT_EQUAL(netdma_core_route(&k, NETDMA_OP_APPEND), NETDMA_ROUTE_APPEND);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_OP_RESUME), NETDMA_CHAN_RUNNING);
	CU_ASSERT_EQUAL(netdma_core_event(&k, NETDMA_EV_POWER_UP), NETDMA_CHAN_RUNNING);
	CU_ASSERT_EQUAL(netdma_core_route(&k, NETDMA_OP_APPEND), NETDMA_ROUTE_START);
	netdma_core_event(&k, NETDMA_OP_SUSPEND);
	netdma_core_event(&k, NETDMA_EV_DRAINED);
	CU_ASSERT_EQUAL(netdma_core_route(&k, NETDMA_OP_APPEND), NETDMA_ROUTE_DEFER);
	netdma_core_submitted(&k, NETDMA_OP_APPEND, 0x1000, 2, 0x1080);
	netdma_core_submitted(&k, NETDMA_OP_APPEND, 0x1080, 3, 0x1100);
	/* the held chain goes on at its own pre-link (spec §3.5) */
	{
		struct netdma_descriptor *d = unit_descs(4);
		netdma_iova_t prelink;

		build(d, 0, 2, 2);
		k.prelink = iova_of(&d[0]);
		CU_ASSERT_EQUAL(check(&k, NETDMA_OP_APPEND, &d[1], 1, &prelink), -EINVAL);
		CU_ASSERT_EQUAL(check(&k, NETDMA_OP_APPEND, &d[0], 2, &prelink), 0);
		k.prelink = 0x1100;
	}
	CU_ASSERT_EQUAL(k.state, NETDMA_CHAN_SUSPENDED);
	CU_ASSERT_TRUE(netdma_core_take_deferred(&k, &head, &count));
	CU_ASSERT_EQUAL(head, 0x1000);
	CU_ASSERT_EQUAL(count, 5);
	CU_ASSERT_FALSE(netdma_core_take_deferred(&k, &head, &count));
	CU_ASSERT_EQUAL(netdma_core_route(&k, NETDMA_OP_APPEND), NETDMA_ROUTE_APPEND);
}

/* netdmad's mode: only the head at the call, the engine checks the rest */
static void
test_check_at_fetch(void)
{
	struct netdma_descriptor *d = unit_descs(4);
	struct netdma_chan_core k;
	netdma_iova_t prelink = 1;
	unsigned char outside[128] __attribute__((aligned(64)));

	netdma_core_init(&k, 2, NULL, NULL);
	k.check_at_fetch = true;
	build(d, 0, 2, 2);
	d[1].transfer_size = 0;   /* not looked at now */
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, d, 2, &prelink), 0);
	CU_ASSERT_EQUAL(prelink, 0);   /* not walked: unknown */
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, d, 0, &prelink), -EINVAL);
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, d, NETDMA_CHAIN_MAX + 1, &prelink), -E2BIG);
	CU_ASSERT_EQUAL(check(&k, NETDMA_OP_START, (void *)outside, 1, &prelink), -EFAULT);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.last_error, "outside the client's DMA memory"));
}

static void
test_cw_set(void)
{
	uint64_t words[3];
	struct netdma_cw_set s = { .iova = words, .max = 3 };
	uint64_t lo, hi;

	CU_ASSERT_EQUAL(netdma_cw_set_add(&s, 0x3000), 0);
	CU_ASSERT_EQUAL(netdma_cw_set_add(&s, 0x1000), 0);
	CU_ASSERT_EQUAL(netdma_cw_set_add(&s, 0x2000), 0);
	CU_ASSERT_EQUAL(netdma_cw_set_add(&s, 0x4000), -ENOSPC);
	CU_ASSERT_TRUE(words[0] == 0x1000 && words[1] == 0x2000 && words[2] == 0x3000);
	/* between two words: the window shrinks to them */
	lo = 0;
	hi = 0x10000;
	CU_ASSERT_TRUE(netdma_cw_set_clip(&s, 0x1800, 0x100, &lo, &hi));
	CU_ASSERT_EQUAL(lo, 0x1008);
	CU_ASSERT_EQUAL(hi, 0x2000);
	/* over a word, by one byte at either end */
	lo = 0;
	hi = 0x10000;
	CU_ASSERT_FALSE(netdma_cw_set_clip(&s, 0x1ff8, 9, &lo, &hi));
	CU_ASSERT_FALSE(netdma_cw_set_clip(&s, 0x2007, 1, &lo, &hi));
	CU_ASSERT_TRUE(netdma_cw_set_clip(&s, 0x2008, 1, &lo, &hi));
	CU_ASSERT_EQUAL(netdma_cw_set_del(&s, 0x2000), 0);
	CU_ASSERT_EQUAL(netdma_cw_set_del(&s, 0x2000), -ENOENT);
	lo = 0;
	hi = 0x10000;
	CU_ASSERT_TRUE(netdma_cw_set_clip(&s, 0x1ff8, 9, &lo, &hi));
	CU_ASSERT_EQUAL(hi, 0x3000);
	/* a torn read (count past the array) answers no */
	s.nb = 7;
	CU_ASSERT_FALSE(netdma_cw_set_clip(&s, 0x8000, 8, &lo, &hi));
}

int
unit_add_core(void)
{
	CU_pSuite s = CU_add_suite("channel core", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "one transition function and its hook", test_event_hook) ||
	    !CU_add_test(s, "the state is checked first (8)", test_state_first) ||
	    !CU_add_test(s, "2.0 pre-link (3.5)", test_prelink) ||
	    !CU_add_test(s, "power-up and suspend (7.5)", test_power_up_and_suspend) ||
	    !CU_add_test(s, "check at fetch: the head only", test_check_at_fetch) ||
	    !CU_add_test(s, "completion-word set", test_cw_set))
		return -1;
	return 0;
}
