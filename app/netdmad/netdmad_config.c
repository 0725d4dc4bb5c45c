/* SPDX-License-Identifier: BSD-3-Clause */
/* netdmad.ini, read with rte_cfgfile; every key is optional. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cfgfile.h>

#include "netdma_cpu.h"
#include "netdmad.h"

int
netdmad_config_defaults(struct netdmad_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->eal_args, sizeof(c->eal_args),
		 "-l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci "
		 "--vdev=dma_skeleton,lcore=0 --log-level=lib.eal:notice");
	c->cpu = true;
	c->cpu_channels = 8;
	c->major = 2;
	c->minor = 0;
	snprintf(c->dmadev, sizeof(c->dmadev), "all");
	c->pollers[0] = 1;
	c->nb_pollers = 1;
	c->spin_polls = 2000;
	c->max_sleep_us = 50;
	c->park_after_us = 1000;
	c->park_timeout_ms = 100;
	snprintf(c->socket_path, sizeof(c->socket_path), "%s", NETDMA_DEFAULT_SOCKET);
	c->socket_mode = 0660;
	c->commands_per_pass = 16;
	c->dmadev_inflight_bytes = 8u << 20;
	c->quota_channels = 4;
	c->quota_provider_share = 50;
	c->quota_regions = 16;
	c->quota_region_bytes = 1ull << 30;
	c->max_connections = 64;
	c->hello_timeout_ms = 2000;
	c->max_regions = 0;
	c->max_region_bytes = 4ull << 30;
	c->log_burst = 20;
	c->log_interval_s = 10;
	c->drain_ms = 2000;
	c->log_level = RTE_LOG_INFO;
	return 0;
}

int
netdmad_log_level(const char *s)
{
	static const char *const names[] = {
		[RTE_LOG_EMERG] = "emerg", [RTE_LOG_ALERT] = "alert", [RTE_LOG_CRIT] = "crit",
		[RTE_LOG_ERR] = "err", [RTE_LOG_WARNING] = "warning", [RTE_LOG_NOTICE] = "notice",
		[RTE_LOG_INFO] = "info", [RTE_LOG_DEBUG] = "debug",
	};
	unsigned int i;

	for (i = RTE_LOG_EMERG; i <= RTE_LOG_DEBUG; i++)
		if (strcasecmp(s, names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

int
netdmad_parse_lcores(const char *s, unsigned int *out, unsigned int max)
{
	unsigned int n = 0;
	char *end;

	while (*s != '\0') {
		unsigned long a = strtoul(s, &end, 10), b;

		if (end == s)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				return -EINVAL;
		}
		for (; a <= b; a++) {
			if (n == max || a >= 1024)
				return -E2BIG;
			out[n++] = (unsigned int)a;
		}
		s = end;
		while (*s == ',' || *s == ' ')
			s++;
	}
	return (int)n;
}

static bool
parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcasecmp(v, "1") || !strcasecmp(v, "true"))
		*out = true;
	else if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcasecmp(v, "0") || !strcasecmp(v, "false"))
		*out = false;
	else
		return false;
	return true;
}

static bool
parse_u64(const char *v, uint64_t *out, int base)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, base);
	return errno == 0 && end != v && *end == '\0';
}

#define BAD(sec, key, val) do { \
	DLOG(ERR, "%s: [%s] %s = '%s' is not valid\n", path, sec, key, val); \
	ret = -EINVAL; goto out; } while (0)

int
netdmad_config_load(struct netdmad_conf *c, const char *path)
{
	struct rte_cfgfile *f = rte_cfgfile_load(path, 0);
	const char *v;
	uint64_t u;
	bool b;
	int ret = 0, n;

	if (f == NULL) {
		DLOG(ERR, "cannot read config file '%s'\n", path);
		return -ENOENT;
	}
	snprintf(c->config_path, sizeof(c->config_path), "%s", path);
	if ((v = rte_cfgfile_get_entry(f, "eal", "args")) != NULL)
		snprintf(c->eal_args, sizeof(c->eal_args), "%s", v);
	if ((v = rte_cfgfile_get_entry(f, "engines", "cpu")) != NULL) {
		if (!parse_bool(v, &b))
			BAD("engines", "cpu", v);
		c->cpu = b;
	}
	if ((v = rte_cfgfile_get_entry(f, "engines", "cpu_channels")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 256)
			BAD("engines", "cpu_channels", v);
		c->cpu_channels = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "engines", "cpu_nt_threshold")) != NULL) {
		if (strcmp(v, "never") == 0)
			u = UINT32_MAX;
		else if (!parse_u64(v, &u, 10) || u == 0 || u >= UINT32_MAX)
			BAD("engines", "cpu_nt_threshold", v);
		if (u < NETDMA_CPU_NT_MIN) {
			DLOG(NOTICE, "[engines] cpu_nt_threshold = %s: streaming starts at %u bytes\n",
			     v, NETDMA_CPU_NT_MIN);
			u = NETDMA_CPU_NT_MIN;
		}
		c->cpu_nt_threshold = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "engines", "cpu_bytes_per_poll")) != NULL) {
		if (!parse_u64(v, &u, 10) || u < 4096 || u >= UINT32_MAX)
			BAD("engines", "cpu_bytes_per_poll", v);
		c->cpu_bytes_per_poll = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "engines", "dmadev_inflight_bytes")) != NULL) {
		if (!parse_u64(v, &u, 10) || u < 4096)
			BAD("engines", "dmadev_inflight_bytes", v);
		c->dmadev_inflight_bytes = u;
	}
	if ((v = rte_cfgfile_get_entry(f, "engines", "burst")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > NETDMAD_MAX_BURST)
			BAD("engines", "burst", v);
		c->burst = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "engines", "version")) != NULL) {
		if (strcmp(v, "1.0") == 0 || strcmp(v, "1.1") == 0 || strcmp(v, "2.0") == 0) {
			c->major = (uint8_t)(v[0] - '0');
			c->minor = (uint8_t)(v[2] - '0');
		} else {
			BAD("engines", "version", v);
		}
	}
	if ((v = rte_cfgfile_get_entry(f, "engines", "dmadev")) != NULL)
		snprintf(c->dmadev, sizeof(c->dmadev), "%s", v);
	if ((v = rte_cfgfile_get_entry(f, "engines", "require_dmadev")) != NULL) {
		if (!parse_bool(v, &b))
			BAD("engines", "require_dmadev", v);
		c->require_dmadev = b;
	}
	if ((v = rte_cfgfile_get_entry(f, "pollers", "lcores")) != NULL) {
		n = netdmad_parse_lcores(v, c->pollers, NETDMAD_MAX_POLLERS);
		if (n <= 0)
			BAD("pollers", "lcores", v);
		c->nb_pollers = (unsigned int)n;
	}
	if ((v = rte_cfgfile_get_entry(f, "pollers", "spin_polls")) != NULL) {
		if (!parse_u64(v, &u, 10) || u > UINT32_MAX)
			BAD("pollers", "spin_polls", v);
		c->spin_polls = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "pollers", "max_sleep_us")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 1000000)
			BAD("pollers", "max_sleep_us", v);
		c->max_sleep_us = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "pollers", "park_after_us")) != NULL) {
		if (strcasecmp(v, "never") == 0)
			u = UINT32_MAX;
		else if (!parse_u64(v, &u, 10) || u == 0 || u >= UINT32_MAX)
			BAD("pollers", "park_after_us", v);
		c->park_after_us = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "pollers", "park_timeout_ms")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 60000)
			BAD("pollers", "park_timeout_ms", v);
		c->park_timeout_ms = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "socket", "path")) != NULL) {
		if (strlen(v) >= sizeof(c->socket_path))
			BAD("socket", "path", v);
		snprintf(c->socket_path, sizeof(c->socket_path), "%s", v);
	}
	if ((v = rte_cfgfile_get_entry(f, "socket", "mode")) != NULL) {
		if (!parse_u64(v, &u, 8) || u > 0777)
			BAD("socket", "mode", v);
		c->socket_mode = (unsigned int)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "quota", "channels")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 4096)
			BAD("quota", "channels", v);
		c->quota_channels = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "quota", "region_bytes")) != NULL) {
		if (!parse_u64(v, &u, 10) || u < 4096)
			BAD("quota", "region_bytes", v);
		c->quota_region_bytes = u;
	}
	if ((v = rte_cfgfile_get_entry(f, "quota", "provider_share")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 100)
			BAD("quota", "provider_share", v);
		c->quota_provider_share = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "quota", "regions")) != NULL) {
		if (!parse_u64(v, &u, 10) || u < 2 || u > NETDMAD_MAX_CLIENT_REGIONS)
			BAD("quota", "regions", v);
		c->quota_regions = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "limits", "connections")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 65536)
			BAD("limits", "connections", v);
		c->max_connections = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "limits", "hello_timeout_ms")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 600000)
			BAD("limits", "hello_timeout_ms", v);
		c->hello_timeout_ms = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "limits", "regions")) != NULL) {
		if (strcasecmp(v, "auto") == 0)
			u = 0;
		else if (!parse_u64(v, &u, 10) || u == 0 || u > 1024)
			BAD("limits", "regions", v);
		c->max_regions = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "limits", "region_bytes")) != NULL) {
		if (!parse_u64(v, &u, 10) || u < 4096)
			BAD("limits", "region_bytes", v);
		c->max_region_bytes = u;
	}
	if ((v = rte_cfgfile_get_entry(f, "limits", "log_burst")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 1000000)
			BAD("limits", "log_burst", v);
		c->log_burst = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "limits", "log_interval_s")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 3600)
			BAD("limits", "log_interval_s", v);
		c->log_interval_s = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "limits", "hugetlb_regions")) != NULL) {
		if (!parse_bool(v, &b))
			BAD("limits", "hugetlb_regions", v);
		c->hugetlb_regions = b;
	}
	if ((v = rte_cfgfile_get_entry(f, "pollers", "commands_per_pass")) != NULL) {
		if (!parse_u64(v, &u, 10) || u == 0 || u > 4096)
			BAD("pollers", "commands_per_pass", v);
		c->commands_per_pass = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "shutdown", "drain_ms")) != NULL) {
		if (!parse_u64(v, &u, 10) || u > 600000)
			BAD("shutdown", "drain_ms", v);
		c->drain_ms = (unsigned int)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "log", "level")) != NULL) {
		n = netdmad_log_level(v);
		if (n < 0)
			BAD("log", "level", v);
		c->log_level = (uint32_t)n;
	}
out:
	rte_cfgfile_close(f);
	return ret;
}
