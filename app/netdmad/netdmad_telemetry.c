/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry: /netdmad/{channel,client,provider,poller}/{list,info},
 * /netdmad/pollers and /netdmad/stats (doc/telemetry.rst).  Lists carry ids
 * only and are paged (netdma_telemetry.h), so no count the daemon allows is
 * cut; providers and pollers are the library's own endpoints, and a
 * channel's library side is formatted by the library.
 */
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "netdma_lcore.h"
#include "netdma_telemetry.h"
#include "netdmad.h"
#include "netdmad_internal.h"

/* netdmad_lists_lock held. */
static bool
dchan_listed(uint32_t id, void *arg)
{
	RTE_SET_USED(arg);
	return netdmad_chans[id] != NULL;
}

static int
tel_channel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int ret;

	RTE_SET_USED(cmd);
	rte_spinlock_lock(&netdmad_lists_lock);
	ret = netdma_tel_list_range(d, params, NETDMAD_MAX_CHANS, dchan_listed, NULL);
	rte_spinlock_unlock(&netdmad_lists_lock);
	return ret;
}

static int
tel_channel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dchan *dc;
	uint32_t id;
	int ret = -ENOENT;

	RTE_SET_USED(cmd);
	if (netdma_tel_parse_id(params, &id) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&netdmad_lists_lock);
	dc = id < NETDMAD_MAX_CHANS ? netdmad_chans[id] : NULL;
	if (dc != NULL) {
		rte_tel_data_add_dict_u64(d, "id", id);
		rte_tel_data_add_dict_u64(d, "client", dc->cl->id);
		rte_tel_data_add_dict_u64(d, "pid", dc->cl->pid);
		ret = netdma_tel_chan_fields(d, dc->ch);
		rte_tel_data_add_dict_u64(d, "commands", dc->commands);
		rte_tel_data_add_dict_u64(d, "bad_commands", dc->bad_commands);
		rte_tel_data_add_dict_u64(d, "lost_interrupts", dc->lost_irqs);
	}
	rte_spinlock_unlock(&netdmad_lists_lock);
	return ret;
}

/* Client ids only grow and clients join at the tail: the list is in id order. */
static int
tel_client_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dclient *cl;
	uint32_t start;

	RTE_SET_USED(cmd);
	if (netdma_tel_list_begin(d, params, &start) < 0)
		return -EINVAL;
	rte_spinlock_lock(&netdmad_lists_lock);
	TAILQ_FOREACH(cl, &netdmad_clients, link)
		if (cl->id >= start && netdma_tel_list_add(d, cl->id) < 0)
			break;
	rte_spinlock_unlock(&netdmad_lists_lock);
	return 0;
}

static int
tel_client_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dclient *cl;
	uint32_t id;
	int ret = -ENOENT;

	RTE_SET_USED(cmd);
	if (netdma_tel_parse_id(params, &id) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&netdmad_lists_lock);
	TAILQ_FOREACH(cl, &netdmad_clients, link) {
		if (cl->id != id)
			continue;
		rte_tel_data_add_dict_u64(d, "id", cl->id);
		rte_tel_data_add_dict_u64(d, "pid", cl->pid);
		netdma_tel_add_str(d, "name", cl->name);   /* whatever the client said */
		rte_tel_data_add_dict_int(d, "hello", cl->hello);
		rte_tel_data_add_dict_u64(d, "channels", cl->nb_chans);
		rte_tel_data_add_dict_u64(d, "regions", cl->nb_regions);
		rte_tel_data_add_dict_u64(d, "region_bytes", cl->region_bytes);
		rte_tel_data_add_dict_u64(d, "bad_messages", cl->bad_messages);
		ret = 0;
		break;
	}
	rte_spinlock_unlock(&netdmad_lists_lock);
	return ret;
}

/*
 * Every polling lcore at once, keyed by lcore: at most NETDMAD_MAX_POLLERS
 * entries of about 130 bytes each, so it always fits.
 */
static_assert(NETDMAD_MAX_POLLERS * 160 < NETDMA_TEL_REPLY_MAX, "/netdmad/pollers fits a reply");

static int
tel_pollers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t parks, wakeups;
	unsigned int l;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct rte_tel_data *p;
		char key[16];

		if (netdma_poller_park_stats(l, &parks, &wakeups) < 0)
			continue;   /* pollers only: the bound above */
		p = rte_tel_data_alloc();
		if (p == NULL)
			return -ENOMEM;   /* never a partial answer */
		rte_tel_data_start_dict(p);
		netdma_tel_poller_fields(p, l);
		snprintf(key, sizeof(key), "%u", l);
		rte_tel_data_add_dict_container(d, key, p, 0);
	}
	return 0;
}

/* Daemon-wide limits and refusals (doc/security.rst). */
static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct netdmad_stats *st = &netdmad_stats;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "clients", st->clients);
	rte_tel_data_add_dict_u64(d, "connections", st->connections);
	rte_tel_data_add_dict_u64(d, "refused_connections", st->refused_connections);
	rte_tel_data_add_dict_u64(d, "refused_emfile", st->refused_emfile);
	rte_tel_data_add_dict_u64(d, "hello_timeouts", st->hello_timeouts);
	rte_tel_data_add_dict_u64(d, "suspends_deferred",
				  __atomic_load_n(&st->suspends_deferred, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "log_suppressed",
				  __atomic_load_n(&st->log_suppressed, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "regions", st->regions);
	rte_tel_data_add_dict_u64(d, "max_regions", st->max_regions);
	rte_tel_data_add_dict_u64(d, "region_bytes", st->region_bytes);
	return 0;
}

int
netdmad_telemetry_init(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/netdmad/channel/list", tel_channel_list,
		  "Client channel ids, ascending. Parameters: [start id]; 512 ids per reply" },
		{ "/netdmad/channel/info", tel_channel_info,
		  "A client channel: client, pid, lcore, state, completion word, counters. "
		  "Parameters: int channel_id" },
		{ "/netdmad/client/list", tel_client_list,
		  "Connected client ids, ascending. Parameters: [start id]; 512 ids per reply" },
		{ "/netdmad/client/info", tel_client_info,
		  "A client: pid, name, channels, regions. Parameters: int client_id" },
		{ "/netdmad/provider/list", netdma_tel_provider_list,
		  "Provider ids. Parameters: [start id]" },
		{ "/netdmad/provider/info", netdma_tel_provider_info,
		  "A provider: name, version, channels. Parameters: int provider_id" },
		{ "/netdmad/poller/list", netdma_tel_poller_list,
		  "Polling lcores. Parameters: [start lcore]" },
		{ "/netdmad/poller/info", netdma_tel_poller_info,
		  "A polling lcore: parked, parks, wake-ups, channels. Parameters: int lcore_id" },
		{ "/netdmad/pollers", tel_pollers,
		  "Every polling lcore: parks and doorbell wake-ups. No parameters" },
		{ "/netdmad/stats", tel_stats,
		  "Connections, refusals, log lines suppressed, regions in use. No parameters" },
	};
	unsigned int i;
	int ret = 0;

	for (i = 0; i < RTE_DIM(cmds); i++)
		ret |= rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);
	return ret;
}
