/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The channel state machine of spec §8, as a table.  Pure: no EAL.
 * Internal to the library and the client library; not installed.
 */
#ifndef NETDMA_STATE_H
#define NETDMA_STATE_H

#include "netdma.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What netdma_state_next() returns for Free: the channel is gone. */
#define NETDMA_CHAN_FREED NETDMA_CHAN_STATE_MAX

/** Consumer operations on a channel. */
enum netdma_chan_op {
	NETDMA_OP_START = 0,
	NETDMA_OP_APPEND,
	NETDMA_OP_SUSPEND,
	NETDMA_OP_RESUME,
	NETDMA_OP_ABORT,
	NETDMA_OP_RESET,
	NETDMA_OP_FREE,
	NETDMA_OP_MAX,
};

/**
 * The state after @p op in state @p state.
 * @return the new enum netdma_chan_state, -EPERM if spec §8 forbids the call
 *   in that state, -ENODEV on a revoked channel (except Free), -EINVAL for
 *   out-of-range arguments.
 */
int netdma_state_next(int state, enum netdma_chan_op op);

const char *netdma_op_name(enum netdma_chan_op op);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_STATE_H */
