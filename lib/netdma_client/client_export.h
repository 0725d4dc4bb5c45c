/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What libnetdma_client may export (netdma.h and netdma_client.h); never
 * installed.  Its objects are built -fvisibility=hidden with this header
 * forced in first: what is declared below keeps default visibility,
 * everything else is hidden; version.map says what the .so exports.
 */
#ifndef NETDMA_CLIENT_EXPORT_H
#define NETDMA_CLIENT_EXPORT_H

#pragma GCC visibility push(default)
#include "netdma.h"
#include "netdma_client.h"
#pragma GCC visibility pop

#endif /* NETDMA_CLIENT_EXPORT_H */
