/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What libnetdma_cpu may export (netdma_cpu.h); never installed.  Built
 * -fvisibility=hidden with this header forced in first, as libnetdma is
 * (lib/netdma/netdma_export.h); version.map says what the .so exports.
 */
#ifndef NETDMA_CPU_EXPORT_H
#define NETDMA_CPU_EXPORT_H

#pragma GCC visibility push(default)
#include "netdma_cpu.h"
#pragma GCC visibility pop

#endif /* NETDMA_CPU_EXPORT_H */
