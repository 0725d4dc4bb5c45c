/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * libnetdma_client calls for tests only; never installed.
 */
#ifndef NETDMA_CLIENT_TEST_H
#define NETDMA_CLIENT_TEST_H

#include "netdma.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Have the daemon poll @p chan's engine once (NETDMA_CMD_STEP) and return
 * when it has: what netdma_lcore_poll() of the channel's lcore does
 * in-process, its DPC signalled before the return.  Only the test build
 * netdmad-step takes it; it polls an engine at nothing else.
 * @return 0; -ENOTSUP from netdmad (a production daemon); -EINVAL (NULL
 *   channel); -ENODEV (revoked), -ECONNRESET, -ETIMEDOUT as for any call.
 */
int netdma_client_chan_step(struct netdma_chan *chan);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_CLIENT_TEST_H */
