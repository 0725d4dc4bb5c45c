/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_telemetry: /netdmad/providers, /netdmad/channels, /netdmad/clients. */
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "netdma_lcore.h"
#include "netdmad.h"
#include "netdmad_internal.h"

static int
tel_providers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct netdma_provider_info info[16];
	int n = netdma_provider_list(info, 16), i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < n && i < 16; i++) {
		struct rte_tel_data *p = rte_tel_data_alloc();
		char ver[8];

		if (p == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(p);
		snprintf(ver, sizeof(ver), "%u.%u", info[i].major_version, info[i].minor_version);
		rte_tel_data_add_dict_int(p, "id", (int)info[i].id);
		rte_tel_data_add_dict_string(p, "version", ver);
		rte_tel_data_add_dict_int(p, "started", info[i].started);
		rte_tel_data_add_dict_int(p, "channels", (int)info[i].channel_count);
		rte_tel_data_add_dict_int(p, "channels_in_use", (int)info[i].channels_in_use);
		rte_tel_data_add_dict_int(p, "max_transfer_size", (int)info[i].maximum_transfer_size);
		rte_tel_data_add_dict_container(d, info[i].name, p, 0);
	}
	return 0;
}

static int
tel_channels(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int id;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&netdmad_lists_lock);
	for (id = 0; id < NETDMAD_MAX_CHANS; id++) {
		struct dchan *dc = netdmad_chans[id];
		struct netdma_chan_stats st;
		struct rte_tel_data *c;
		char key[16], word[24];

		if (dc == NULL || netdma_chan_stats_get(dc->ch, &st) < 0)
			continue;
		c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "client", (int)dc->cl->id);
		rte_tel_data_add_dict_int(c, "pid", (int)dc->cl->pid);
		rte_tel_data_add_dict_int(c, "lcore", (int)dc->lcore);
		rte_tel_data_add_dict_string(c, "state", netdma_chan_state_name(st.state));
		snprintf(word, sizeof(word), "0x%" PRIx64, st.completion_word);
		rte_tel_data_add_dict_string(c, "completion_word", word);
		rte_tel_data_add_dict_u64(c, "commands", dc->commands);
		rte_tel_data_add_dict_u64(c, "bad_commands", dc->bad_commands);
		rte_tel_data_add_dict_u64(c, "starts", st.starts);
		rte_tel_data_add_dict_u64(c, "appends", st.appends);
		rte_tel_data_add_dict_u64(c, "descriptors_retired", st.descriptors_retired);
		rte_tel_data_add_dict_u64(c, "bytes_copied", st.bytes_copied);
		rte_tel_data_add_dict_u64(c, "interrupts", st.interrupts);
		rte_tel_data_add_dict_u64(c, "errors", st.errors);
		rte_tel_data_add_dict_int(c, "outstanding", (int)st.outstanding);
		rte_tel_data_add_dict_int(c, "device_ops", (int)st.device_ops);
		rte_tel_data_add_dict_string(c, "last_error", netdma_chan_last_error(dc->ch));
		snprintf(key, sizeof(key), "%u", id);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	rte_spinlock_unlock(&netdmad_lists_lock);
	return 0;
}

static int
tel_clients(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dclient *cl;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&netdmad_lists_lock);
	TAILQ_FOREACH(cl, &netdmad_clients, link) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		char key[16];

		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "pid", (int)cl->pid);
		rte_tel_data_add_dict_string(c, "name", cl->name);
		rte_tel_data_add_dict_int(c, "channels", (int)cl->nb_chans);
		rte_tel_data_add_dict_int(c, "regions", (int)cl->nb_regions);
		rte_tel_data_add_dict_u64(c, "region_bytes", cl->region_bytes);
		rte_tel_data_add_dict_u64(c, "bad_messages", cl->bad_messages);
		rte_tel_data_add_dict_int(c, "hello", cl->hello);
		snprintf(key, sizeof(key), "%u", cl->id);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	rte_spinlock_unlock(&netdmad_lists_lock);
	return 0;
}

/* Polling lcores: how often each parked and was woken by a doorbell. */
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
			continue;
		p = rte_tel_data_alloc();
		if (p == NULL)
			break;
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_u64(p, "parks", parks);
		rte_tel_data_add_dict_u64(p, "wakeups", wakeups);
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
	int ret = rte_telemetry_register_cmd("/netdmad/providers", tel_providers,
					     "NetDMA providers. No parameters");

	ret |= rte_telemetry_register_cmd("/netdmad/channels", tel_channels,
					  "Client channels: owner lcore, state, completion word, counters. No parameters");
	ret |= rte_telemetry_register_cmd("/netdmad/clients", tel_clients,
					  "Connected clients. No parameters");
	ret |= rte_telemetry_register_cmd("/netdmad/stats", tel_stats,
					  "Connections, refusals, log lines suppressed, regions in use. No parameters");
	ret |= rte_telemetry_register_cmd("/netdmad/pollers", tel_pollers,
					  "Polling lcores: parks and doorbell wake-ups. No parameters");
	return ret;
}
