/* SPDX-License-Identifier: BSD-3-Clause */
/* Channel state machine, spec §8 (table "State / Entered by / Allowed calls"). */
#include <errno.h>

#include "netdma_state.h"

#define X -EPERM

/*
 * next[state][op].  Choices where the spec is silent (§12.14):
 *  - Append on a suspended channel is accepted: the chain may be edited
 *    while suspended and the new work runs after Resume.
 *  - Reset is accepted in every live state (it is the recovery path) and
 *    leaves the channel HALTED, as the spec's table says.
 *  - Free is accepted in every live state; the library additionally refuses
 *    it while the engine still holds work (rule 10).
 */
static const int next_state[NETDMA_CHAN_STATE_MAX][NETDMA_OP_MAX] = {
	[NETDMA_CHAN_ALLOCATED] = {
		[NETDMA_OP_START] = NETDMA_CHAN_RUNNING,
		[NETDMA_OP_APPEND] = X,            /* rule 3: Start first */
		[NETDMA_OP_SUSPEND] = X,
		[NETDMA_OP_RESUME] = X,
		[NETDMA_OP_ABORT] = X,
		[NETDMA_OP_RESET] = NETDMA_CHAN_HALTED,
		[NETDMA_OP_FREE] = NETDMA_CHAN_FREED,
	},
	[NETDMA_CHAN_RUNNING] = {
		[NETDMA_OP_START] = NETDMA_CHAN_RUNNING, /* rule 5: restart */
		[NETDMA_OP_APPEND] = NETDMA_CHAN_RUNNING,
		[NETDMA_OP_SUSPEND] = NETDMA_CHAN_SUSPENDED,
		[NETDMA_OP_RESUME] = X,
		[NETDMA_OP_ABORT] = NETDMA_CHAN_HALTED,
		[NETDMA_OP_RESET] = NETDMA_CHAN_HALTED,
		[NETDMA_OP_FREE] = NETDMA_CHAN_FREED,
	},
	[NETDMA_CHAN_SUSPENDED] = {
		[NETDMA_OP_START] = NETDMA_CHAN_RUNNING,
		[NETDMA_OP_APPEND] = NETDMA_CHAN_SUSPENDED,
		[NETDMA_OP_SUSPEND] = X,
		[NETDMA_OP_RESUME] = NETDMA_CHAN_RUNNING,
		[NETDMA_OP_ABORT] = NETDMA_CHAN_HALTED,
		[NETDMA_OP_RESET] = NETDMA_CHAN_HALTED,
		[NETDMA_OP_FREE] = NETDMA_CHAN_FREED,
	},
	[NETDMA_CHAN_HALTED] = {
		[NETDMA_OP_START] = NETDMA_CHAN_RUNNING,
		[NETDMA_OP_APPEND] = X,            /* rule 3: Start after Abort/Reset */
		[NETDMA_OP_SUSPEND] = X,
		[NETDMA_OP_RESUME] = X,
		[NETDMA_OP_ABORT] = X,
		[NETDMA_OP_RESET] = NETDMA_CHAN_HALTED,
		[NETDMA_OP_FREE] = NETDMA_CHAN_FREED,
	},
	[NETDMA_CHAN_REVOKED] = {
		[NETDMA_OP_START] = -ENODEV,
		[NETDMA_OP_APPEND] = -ENODEV,
		[NETDMA_OP_SUSPEND] = -ENODEV,
		[NETDMA_OP_RESUME] = -ENODEV,
		[NETDMA_OP_ABORT] = -ENODEV,
		[NETDMA_OP_RESET] = -ENODEV,
		[NETDMA_OP_FREE] = NETDMA_CHAN_FREED,
	},
};

int
netdma_state_next(int state, enum netdma_chan_op op)
{
	if (state < 0 || state >= NETDMA_CHAN_STATE_MAX || (unsigned int)op >= NETDMA_OP_MAX)
		return -EINVAL;
	return next_state[state][op];
}

static const char *const op_names[NETDMA_OP_MAX] = {
	[NETDMA_OP_START] = "start",
	[NETDMA_OP_APPEND] = "append",
	[NETDMA_OP_SUSPEND] = "suspend",
	[NETDMA_OP_RESUME] = "resume",
	[NETDMA_OP_ABORT] = "abort",
	[NETDMA_OP_RESET] = "reset",
	[NETDMA_OP_FREE] = "free",
};

const char *
netdma_op_name(enum netdma_chan_op op)
{
	return (unsigned int)op < NETDMA_OP_MAX ? op_names[op] : "?";
}

static const char *const state_names[NETDMA_CHAN_STATE_MAX] = {
	[NETDMA_CHAN_ALLOCATED] = "allocated",
	[NETDMA_CHAN_RUNNING] = "running",
	[NETDMA_CHAN_SUSPENDED] = "suspended",
	[NETDMA_CHAN_HALTED] = "halted",
	[NETDMA_CHAN_REVOKED] = "revoked",
};

const char *
netdma_chan_state_name(int state)
{
	return state >= 0 && state < NETDMA_CHAN_STATE_MAX ? state_names[state] : "?";
}

static const char *const status_names[] = {
	[NETDMA_STATUS_ACTIVE] = "active",
	[NETDMA_STATUS_IDLE] = "idle",
	[NETDMA_STATUS_SUSPEND] = "suspend",
	[NETDMA_STATUS_HALTED] = "halted",
	[NETDMA_STATUS_ARMED] = "armed",
};

const char *
netdma_status_name(enum netdma_transfer_status st)
{
	return (unsigned int)st <= NETDMA_STATUS_ARMED ? status_names[st] : "reserved";
}
