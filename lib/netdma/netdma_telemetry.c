/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /netdma/{channel,provider,poller}/{list,info}: this process's channels,
 * providers and polling lcores through rte_telemetry, and the formatters
 * netdmad reuses (netdma_telemetry.h, doc/telemetry.rst).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "netdma_internal.h"
#include "netdma_telemetry.h"

/* ---- parameters and strings: what any local user may send or a client named itself */

int
netdma_tel_parse_id(const char *params, uint32_t *id)
{
	uint64_t v = 0;
	const char *p;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	for (p = params; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*id = (uint32_t)v;
	return 0;
}

int
netdma_tel_list_begin(struct rte_tel_data *d, const char *params, uint32_t *start)
{
	*start = 0;
	if (params != NULL && params[0] != '\0' && netdma_tel_parse_id(params, start) < 0)
		return -EINVAL;
	/* u64: every id of 32 bits shows as itself (an int would turn past INT_MAX) */
	return rte_tel_data_start_array(d, RTE_TEL_U64_VAL);
}

int
netdma_tel_list_add(struct rte_tel_data *d, uint32_t id)
{
	return rte_tel_data_add_array_u64(d, id) < 0 ? -ENOSPC : 0;
}

int
netdma_tel_list_range(struct rte_tel_data *d, const char *params, uint64_t end,
		      bool (*listed)(uint32_t id, void *arg), void *arg)
{
	uint32_t start;
	uint64_t id;

	if (netdma_tel_list_begin(d, params, &start) < 0)
		return -EINVAL;
	for (id = start; id < end; id++)
		if (listed((uint32_t)id, arg) && netdma_tel_list_add(d, (uint32_t)id) < 0)
			break;
	return 0;
}

void
netdma_tel_add_str(struct rte_tel_data *d, const char *name, const char *val)
{
	char s[RTE_TEL_MAX_STRING_LEN];
	size_t n = strlen(val), i;

	for (i = 0; i < n && i < sizeof(s) - 1; i++) {
		unsigned char ch = (unsigned char)val[i];

		/* quotes too: not every 22.11 release escapes them */
		s[i] = ch == '"' ? '\'' : ch >= 0x20 && ch < 0x7f && ch != '\\' ? (char)ch : '?';
	}
	s[i] = '\0';
	if (n > sizeof(s) - 1)
		memcpy(s + sizeof(s) - 4, "...", 4);
	rte_tel_data_add_dict_string(d, name, s);
}

/* ---- one object each ------------------------------------------------------ */

static void
add_version(struct rte_tel_data *d, unsigned int major, unsigned int minor)
{
	char ver[16];

	snprintf(ver, sizeof(ver), "%u.%u", major, minor);
	rte_tel_data_add_dict_string(d, "version", ver);
}

/* The registry lock held: @p c's memory cannot be reused meanwhile. */
static int
chan_fields_locked(struct rte_tel_data *d, struct netdma_chan *c)
{
	char why[NETDMA_CORE_ERR_LEN], word[24];
	struct netdma_chan_stats st;

	if (netdma_chan_stats_get(c, &st) < 0)
		return -ENOENT;
	rte_spinlock_lock(&c->lock);
	snprintf(why, sizeof(why), "%s", c->core.last_error);
	rte_spinlock_unlock(&c->lock);
	/* fixed at allocation: no lock */
	rte_tel_data_add_dict_u64(d, "provider", c->provider_id);
	add_version(d, c->version >> 8, c->version & 0xff);
	rte_tel_data_add_dict_u64(d, "lcore", c->lcore);
	rte_tel_data_add_dict_string(d, "state", netdma_chan_state_name(st.state));
	snprintf(word, sizeof(word), "0x%016" PRIx64, st.completion_word);
	rte_tel_data_add_dict_string(d, "completion_word", word);
	rte_tel_data_add_dict_u64(d, "starts", st.starts);
	rte_tel_data_add_dict_u64(d, "appends", st.appends);
	rte_tel_data_add_dict_u64(d, "descriptors_retired", st.descriptors_retired);
	rte_tel_data_add_dict_u64(d, "bytes_copied", st.bytes_copied);
	rte_tel_data_add_dict_u64(d, "interrupts", st.interrupts);
	rte_tel_data_add_dict_u64(d, "errors", st.errors);
	rte_tel_data_add_dict_u64(d, "outstanding", st.outstanding);
	rte_tel_data_add_dict_u64(d, "device_ops", st.device_ops);
	netdma_tel_add_str(d, "last_error", why);
	return 0;
}

int
netdma_tel_chan_fields(struct rte_tel_data *d, const struct netdma_chan *chan)
{
	int ret;

	rte_spinlock_lock(&netdma_registry_lock);
	ret = chan_fields_locked(d, (struct netdma_chan *)(uintptr_t)chan);
	rte_spinlock_unlock(&netdma_registry_lock);
	return ret;
}

int
netdma_tel_poller_fields(struct rte_tel_data *d, unsigned int lcore)
{
	struct netdma_lcore_state st;

	if (netdma_lcore_state_get(lcore, &st) < 0)
		return -ENOENT;
	rte_tel_data_add_dict_u64(d, "lcore", lcore);
	rte_tel_data_add_dict_int(d, "poller", st.poller);
	rte_tel_data_add_dict_int(d, "parked", st.parked);
	rte_tel_data_add_dict_u64(d, "parks", st.parks);
	rte_tel_data_add_dict_u64(d, "wakeups", st.wakeups);
	rte_tel_data_add_dict_u64(d, "channels", st.channels);
	return 0;
}

static void
provider_fields(struct rte_tel_data *d, const struct netdma_provider_info *i)
{
	rte_tel_data_add_dict_u64(d, "id", i->id);
	netdma_tel_add_str(d, "name", i->name);
	add_version(d, i->major_version, i->minor_version);
	rte_tel_data_add_dict_int(d, "started", i->started);
	rte_tel_data_add_dict_int(d, "powered_down", i->powered_down);
	rte_tel_data_add_dict_u64(d, "flags", i->flags);
	rte_tel_data_add_dict_u64(d, "channels", i->channel_count);
	rte_tel_data_add_dict_u64(d, "channels_in_use", i->channels_in_use);
	rte_tel_data_add_dict_u64(d, "max_transfer_size", i->maximum_transfer_size);
	rte_tel_data_add_dict_u64(d, "max_address", i->maximum_address_space);
}

/* ---- the commands ----------------------------------------------------------- */

/* Provider @p id's info in @p info: @return whether it is registered. */
static bool
provider_get(uint32_t id, struct netdma_provider_info *info)
{
	return netdma_provider_list_from(id, info, 1) > 0 && info->id == id;
}

static bool
provider_listed(uint32_t id, void *arg)
{
	struct netdma_provider_info info;

	RTE_SET_USED(arg);
	return provider_get(id, &info);
}

int
netdma_tel_provider_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return netdma_tel_list_range(d, params, NETDMA_MAX_PROVIDERS, provider_listed, NULL);
}

int
netdma_tel_provider_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct netdma_provider_info info;
	uint32_t id;

	RTE_SET_USED(cmd);
	if (netdma_tel_parse_id(params, &id) < 0)
		return -EINVAL;
	if (!provider_get(id, &info))
		return -ENOENT;
	rte_tel_data_start_dict(d);
	provider_fields(d, &info);
	return 0;
}

static bool
lcore_listed(uint32_t lcore, void *arg)
{
	struct netdma_lcore_state st;

	RTE_SET_USED(arg);
	return netdma_lcore_state_get(lcore, &st) == 0;
}

int
netdma_tel_poller_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return netdma_tel_list_range(d, params, RTE_MAX_LCORE, lcore_listed, NULL);
}

int
netdma_tel_poller_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint32_t l;

	RTE_SET_USED(cmd);
	if (netdma_tel_parse_id(params, &l) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	return netdma_tel_poller_fields(d, l);
}

/* The registry lock held. */
static bool
chan_listed(uint32_t id, void *arg)
{
	RTE_SET_USED(arg);
	return netdma_chan_by_id_locked(id) != NULL;
}

int
netdma_tel_chan_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int ret;

	RTE_SET_USED(cmd);
	rte_spinlock_lock(&netdma_registry_lock);
	ret = netdma_tel_list_range(d, params, netdma_chan_id_count_locked(), chan_listed, NULL);
	rte_spinlock_unlock(&netdma_registry_lock);
	return ret;
}

int
netdma_tel_chan_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct netdma_chan *c;
	uint32_t id;
	int ret = -ENOENT;

	RTE_SET_USED(cmd);
	if (netdma_tel_parse_id(params, &id) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&netdma_registry_lock);
	c = netdma_chan_by_id_locked(id);
	if (c != NULL) {
		rte_tel_data_add_dict_u64(d, "id", id);
		ret = chan_fields_locked(d, c);
	}
	rte_spinlock_unlock(&netdma_registry_lock);
	return ret;
}

void
netdma_telemetry_register(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/netdma/channel/list", netdma_tel_chan_list,
		  "Channel ids of this process, ascending. Parameters: [start id]; 512 ids per reply" },
		{ "/netdma/channel/info", netdma_tel_chan_info,
		  "A channel: provider, lcore, state, completion word, counters. Parameters: int channel_id" },
		{ "/netdma/provider/list", netdma_tel_provider_list,
		  "Provider ids. Parameters: [start id]" },
		{ "/netdma/provider/info", netdma_tel_provider_info,
		  "A provider: name, version, channels. Parameters: int provider_id" },
		{ "/netdma/poller/list", netdma_tel_poller_list,
		  "Lcores that poll or own channels. Parameters: [start lcore]" },
		{ "/netdma/poller/info", netdma_tel_poller_info,
		  "An lcore: poller, parks, wake-ups, channels. Parameters: int lcore_id" },
	};
	static uint32_t done;
	unsigned int i;

	if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (i = 0; i < RTE_DIM(cmds); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help) < 0)
			NETDMA_LOG(WARNING, "telemetry: cannot register %s\n", cmds[i].cmd);
}
