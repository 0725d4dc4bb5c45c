/* SPDX-License-Identifier: BSD-3-Clause */
/* The channel state machine, every (state, event) pair of spec §8. */
#include <errno.h>

#include "netdma_core.h"
#include "unit.h"

#define A NETDMA_CHAN_ALLOCATED
#define R NETDMA_CHAN_RUNNING
#define S NETDMA_CHAN_SUSPENDED
#define H NETDMA_CHAN_HALTED
#define G NETDMA_CHAN_SUSPENDING
#define V NETDMA_CHAN_REVOKED
#define F NETDMA_CHAN_FREED
#define P (-EPERM)
#define D (-ENODEV)

/* columns: start, append, suspend, resume, abort, reset, free | drained, drain timeout, error, revoke, power-up */
static const int expected[NETDMA_CHAN_STATE_MAX][NETDMA_EV_MAX] = {
	/* rule 3: Start first; rule 10: Free */
	[NETDMA_CHAN_ALLOCATED]  = { R, P, P, P, P, H, F,   P, P, H, V, A },
	/* rule 4: any number of Appends; rule 5: Start restarts; rule 7: Suspend drains first */
	[NETDMA_CHAN_RUNNING]    = { R, R, G, P, H, H, F,   P, P, H, V, R },
	/* spec §3.6: the descriptors being processed complete; only Abort/Reset/Free meanwhile */
	[NETDMA_CHAN_SUSPENDING] = { P, P, P, P, H, H, F,   S, R, H, V, G },
	/* rule 8: Resume; the chain may be edited/appended while suspended; power-up keeps it */
	[NETDMA_CHAN_SUSPENDED]  = { R, S, P, R, H, H, F,   P, P, H, V, S },
	/* rule 3: after Abort/Reset only Start (or Reset, Free) */
	[NETDMA_CHAN_HALTED]     = { R, P, P, P, P, H, F,   P, P, H, V, H },
	/* provider stopped under the channel: only Free */
	[NETDMA_CHAN_REVOKED]    = { D, D, D, D, D, D, F,   D, D, D, V, D },
};

static void
test_full_table(void)
{
	int s, op;

	for (s = 0; s < NETDMA_CHAN_STATE_MAX; s++)
		for (op = 0; op < NETDMA_EV_MAX; op++)
			CU_ASSERT_EQUAL(netdma_state_next(s, op), expected[s][op]);
}

static void
test_out_of_range(void)
{
	CU_ASSERT_EQUAL(netdma_state_next(-1, NETDMA_OP_START), -EINVAL);
	CU_ASSERT_EQUAL(netdma_state_next(NETDMA_CHAN_STATE_MAX, NETDMA_OP_START), -EINVAL);
	CU_ASSERT_EQUAL(netdma_state_next(NETDMA_CHAN_RUNNING, NETDMA_EV_MAX), -EINVAL);
}

/* a walk through a typical life: allocate → start → suspend → resume → abort → start → free */
static void
test_lifecycle_walk(void)
{
	int s = NETDMA_CHAN_ALLOCATED;

	s = netdma_state_next(s, NETDMA_OP_START);
	CU_ASSERT_EQUAL(s, R);
	s = netdma_state_next(s, NETDMA_OP_SUSPEND);
	CU_ASSERT_EQUAL(s, G);
	s = netdma_state_next(s, NETDMA_EV_DRAINED);
	CU_ASSERT_EQUAL(s, S);
	s = netdma_state_next(s, NETDMA_OP_RESUME);
	CU_ASSERT_EQUAL(s, R);
	s = netdma_state_next(s, NETDMA_OP_ABORT);
	CU_ASSERT_EQUAL(s, H);
	CU_ASSERT_EQUAL(netdma_state_next(s, NETDMA_OP_APPEND), -EPERM);
	s = netdma_state_next(s, NETDMA_OP_START);
	CU_ASSERT_EQUAL(s, R);
	CU_ASSERT_EQUAL(netdma_state_next(s, NETDMA_OP_FREE), F);
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(netdma_chan_state_name(A), "allocated");
	CU_ASSERT_STRING_EQUAL(netdma_chan_state_name(R), "running");
	CU_ASSERT_STRING_EQUAL(netdma_chan_state_name(S), "suspended");
	CU_ASSERT_STRING_EQUAL(netdma_chan_state_name(H), "halted");
	CU_ASSERT_STRING_EQUAL(netdma_chan_state_name(NETDMA_CHAN_REVOKED), "revoked");
	CU_ASSERT_STRING_EQUAL(netdma_chan_state_name(G), "suspending");
	CU_ASSERT_STRING_EQUAL(netdma_chan_state_name(F), "freed");
	CU_ASSERT_STRING_EQUAL(netdma_chan_state_name(99), "?");
	CU_ASSERT_STRING_EQUAL(netdma_event_name(NETDMA_OP_APPEND), "append");
	CU_ASSERT_STRING_EQUAL(netdma_event_name(NETDMA_OP_RESET), "reset");
	CU_ASSERT_STRING_EQUAL(netdma_event_name(NETDMA_EV_DRAIN_TIMEOUT), "drain timeout");
	CU_ASSERT_STRING_EQUAL(netdma_event_name(NETDMA_EV_MAX), "?");
}

int
unit_add_state(void)
{
	CU_pSuite s = CU_add_suite("state machine", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "full table", test_full_table) ||
	    !CU_add_test(s, "out of range", test_out_of_range) ||
	    !CU_add_test(s, "lifecycle walk", test_lifecycle_walk) ||
	    !CU_add_test(s, "names", test_names))
		return -1;
	return 0;
}
