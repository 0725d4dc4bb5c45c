/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The library's telemetry (doc/telemetry.rst), and the pieces a service
 * embedding it reuses for its own endpoints (netdmad: /netdmad/...), so that
 * a channel, provider or poller is formatted in one place.  Not installed.
 *
 * When: the /netdma/... commands are registered with rte_telemetry at the
 * first provider registration of the process (netdma_register_provider()),
 * once; a process without providers has nothing to show.  rte_telemetry
 * serves them on the EAL telemetry socket unless EAL ran with
 * --no-telemetry.
 *
 * The DPDK way, within rte_telemetry's limits (22.11): a list is an array of
 * ids, an info a dict of one object.  An array holds at most
 * RTE_TEL_MAX_ARRAY_ENTRIES (512) values, a dict RTE_TEL_MAX_DICT_ENTRIES
 * (256), a string RTE_TEL_MAX_STRING_LEN - 1 (127) characters, and the whole
 * reply NETDMA_TEL_REPLY_MAX bytes; rte_telemetry drops what overflows
 * without a word.  So lists carry ids only and are paged:
 *   <list>[,<start>]  the ids >= start (0 if absent), ascending, at most
 *                     NETDMA_TEL_LIST_MAX; a full page may have more after
 *                     it: ask again from its last id + 1.
 *   <info>,<id>       one object; an unknown id or bad parameters give the
 *                     error reply, {"<cmd>": null}.
 * Parameters come from any local user of the telemetry socket: anything but
 * a plain decimal number that fits 32 bits is refused.
 */
#ifndef NETDMA_TELEMETRY_H
#define NETDMA_TELEMETRY_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_telemetry.h>

#include "netdma.h"

/* rte_telemetry's reply buffer in 22.11 (telemetry.c MAX_OUTPUT_LEN; the greeting's max_output_len) */
#define NETDMA_TEL_REPLY_MAX 16384
/* ids per list reply */
#define NETDMA_TEL_LIST_MAX RTE_TEL_MAX_ARRAY_ENTRIES

/* a full page of the longest ids ("4294967295,") and the command's name fit one reply */
static_assert(NETDMA_TEL_LIST_MAX * 11 + 64 < NETDMA_TEL_REPLY_MAX, "a list page fits a reply");

/**
 * Parse an id parameter: decimal digits only, at most UINT32_MAX.
 * @return 0, or -EINVAL (NULL, empty, a sign, a space, another character,
 *   or too large).
 */
int netdma_tel_parse_id(const char *params, uint32_t *id);

/**
 * Start a list reply: @p d an array of ids; @p start from @p params (NULL
 * or "": 0).
 * @return 0, or -EINVAL for bad parameters.
 */
int netdma_tel_list_begin(struct rte_tel_data *d, const char *params, uint32_t *start);

/**
 * Add @p id to a list reply.
 * @return 0, or -ENOSPC when the page is full (stop: the caller asks again).
 */
int netdma_tel_list_add(struct rte_tel_data *d, uint32_t id);

/**
 * Answer a list command over ids below @p end: those @p listed says are in
 * use, from the start id of @p params on (netdma_tel_list_begin()), until
 * the page is full.  The caller holds whatever lock @p listed needs.
 * @return 0, or -EINVAL for bad parameters.
 */
int netdma_tel_list_range(struct rte_tel_data *d, const char *params, uint64_t end,
			  bool (*listed)(uint32_t id, void *arg), void *arg);

/**
 * Add string @p val to dict @p d: bytes outside printable ASCII become '?'
 * (a client's name is any 31 bytes, and invalid UTF-8 breaks JSON readers),
 * and a value too long for rte_telemetry ends in "..." rather than being cut
 * without a sign.
 */
void netdma_tel_add_str(struct rte_tel_data *d, const char *name, const char *val);

/**
 * Add the library's view of channel @p chan to dict @p d: provider id,
 * version, owner lcore, state, completion word, counters, last error.
 * @return 0, or -ENOENT if @p chan is not live (freed meanwhile).
 */
int netdma_tel_chan_fields(struct rte_tel_data *d, const struct netdma_chan *chan);

/**
 * Add lcore @p lcore's poll state to dict @p d: whether a poller runs
 * there, parked, parks, wake-ups, channels owned.
 * @return 0, or -ENOENT if it runs no poller and owns no channel.
 */
int netdma_tel_poller_fields(struct rte_tel_data *d, unsigned int lcore);

/*
 * The /netdma/... callbacks (telemetry_cb), for netdmad to register under
 * its own names where they show the same thing (providers, pollers).
 */
int netdma_tel_provider_list(const char *cmd, const char *params, struct rte_tel_data *d);
int netdma_tel_provider_info(const char *cmd, const char *params, struct rte_tel_data *d);
int netdma_tel_poller_list(const char *cmd, const char *params, struct rte_tel_data *d);
int netdma_tel_poller_info(const char *cmd, const char *params, struct rte_tel_data *d);
int netdma_tel_chan_list(const char *cmd, const char *params, struct rte_tel_data *d);
int netdma_tel_chan_info(const char *cmd, const char *params, struct rte_tel_data *d);

#endif /* NETDMA_TELEMETRY_H */
