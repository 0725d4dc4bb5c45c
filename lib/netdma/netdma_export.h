/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What libnetdma (and netdma_pure, also linked into libnetdma_client) may
 * export; never installed.  Their objects are built -fvisibility=hidden with
 * this header forced in first (-include): a function or variable declared
 * below keeps default visibility at its definition, everything else is
 * hidden.  version.map then says what each shared library really exports.
 */
#ifndef NETDMA_EXPORT_H
#define NETDMA_EXPORT_H

#pragma GCC visibility push(default)
/* the consumer API */
#include "netdma.h"
#include "netdma_lcore.h"
#include "netdma_types.h"
#include "netdma_wdk.h"
/* the provider SDK */
#include "netdma_chain.h"
#include "netdma_engine.h"
#include "netdma_provider.h"
#include "netdma_soft_provider.h"
/* for this project's drivers only (version.map: INTERNAL) */
#include "netdma_iova_internal.h"
#include "netdma_vq.h"
#pragma GCC visibility pop

#endif /* NETDMA_EXPORT_H */
