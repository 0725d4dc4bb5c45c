/* SPDX-License-Identifier: BSD-3-Clause */
/* netdmad.ini, read with rte_cfgfile; every key is optional. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cfgfile.h>

#include "netdma_cpu.h"
#include "netdma_dmadev.h"
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
	c->dmadev_channels = 64;   /* one for each connection [limits] allows */
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

/* Plain numbers: [section] key, the range it must be in, and its field. */
struct num_key {
	const char *section, *key;
	int base;
	uint64_t min, max;
	size_t offset;
	size_t size;   /* 4 or 8 */
};

#define NUM(sec, k, b, lo, hi, field) { sec, k, b, lo, hi, offsetof(struct netdmad_conf, field), \
	sizeof(((struct netdmad_conf *)0)->field) }
#define DEV(k, lo, hi, field) { NULL, k, 10, lo, hi, offsetof(struct netdmad_dev_conf, field), \
	sizeof(((struct netdmad_dev_conf *)0)->field) }

static const struct num_key num_keys[] = {
	NUM("engines", "cpu_channels", 10, 1, 256, cpu_channels),
	NUM("engines", "cpu_bytes_per_poll", 10, 4096, UINT32_MAX - 1, cpu_bytes_per_poll),
	NUM("engines", "dmadev_inflight_bytes", 10, 4096, UINT64_MAX, dmadev_inflight_bytes),
	NUM("engines", "dmadev_channels", 10, 1, NETDMA_DMADEV_MAX_VIRTUAL, dmadev_channels),
	NUM("engines", "burst", 10, 1, NETDMAD_MAX_BURST, burst),
	NUM("pollers", "spin_polls", 10, 0, UINT32_MAX, spin_polls),
	NUM("pollers", "max_sleep_us", 10, 1, 1000000, max_sleep_us),
	NUM("pollers", "park_timeout_ms", 10, 1, 60000, park_timeout_ms),
	NUM("socket", "mode", 8, 0, 0777, socket_mode),
	NUM("quota", "channels", 10, 1, 4096, quota_channels),
	NUM("quota", "region_bytes", 10, 4096, UINT64_MAX, quota_region_bytes),
	NUM("quota", "provider_share", 10, 1, 100, quota_provider_share),
	NUM("quota", "regions", 10, 2, NETDMAD_MAX_CLIENT_REGIONS, quota_regions),
	NUM("limits", "connections", 10, 1, 65536, max_connections),
	NUM("limits", "hello_timeout_ms", 10, 1, 600000, hello_timeout_ms),
	NUM("limits", "region_bytes", 10, 4096, UINT64_MAX, max_region_bytes),
	NUM("limits", "log_burst", 10, 1, 1000000, log_burst),
	NUM("limits", "log_interval_s", 10, 1, 3600, log_interval_s),
	NUM("pollers", "commands_per_pass", 10, 1, 4096, commands_per_pass),
	NUM("shutdown", "drain_ms", 10, 0, 600000, drain_ms),
};

/* A [dmadev NAME] section: one device's hardware parameters. */
static const struct num_key dev_keys[] = {
	DEV("ring_size", 64, 65535, ring_size),
	DEV("burst", 1, NETDMAD_MAX_BURST, burst),
	DEV("max_transfer_size", 4096, 1u << 31, max_transfer_size),
	DEV("channels", 1, NETDMA_DMADEV_MAX_VIRTUAL, channels),
	DEV("lcore", 0, RTE_MAX_LCORE - 1, lcore),
};

/*
 * Every key of @p keys the file sets, checked and stored into @p base; in
 * @p section for the keys that name none.
 */
static int
load_numbers(struct rte_cfgfile *f, const struct num_key *keys, unsigned int n, void *base,
	     const char *section, const char *path)
{
	const struct num_key *k;
	const char *v, *sec;
	uint64_t u;

	for (k = keys; k < keys + n; k++) {
		sec = k->section != NULL ? k->section : section;
		v = rte_cfgfile_get_entry(f, sec, k->key);
		if (v == NULL)
			continue;
		if (!parse_u64(v, &u, k->base) || u < k->min || u > k->max) {
			DLOG(ERR, "%s: [%s] %s = '%s' is not valid (%s%" PRIu64 " to %" PRIu64 ")\n",
			     path, sec, k->key, v, k->base == 8 ? "octal, " : "", k->min, k->max);
			return -EINVAL;
		}
		if (k->size == sizeof(uint64_t))
			*(uint64_t *)(void *)((char *)base + k->offset) = u;
		else
			*(uint32_t *)(void *)((char *)base + k->offset) = (uint32_t)u;
	}
	return 0;
}

/* Every [dmadev NAME] section. */
static int
load_devices(struct rte_cfgfile *f, struct netdmad_conf *c, const char *path)
{
	int n = rte_cfgfile_num_sections(f, "dmadev ", strlen("dmadev "));
	int all = rte_cfgfile_num_sections(f, "", 0), i, ret = 0;
	char (*names)[CFG_NAME_LEN];
	char **sections;

	if (n <= 0)
		return 0;
	if (n > NETDMAD_MAX_DEVICES) {
		DLOG(ERR, "%s: %d [dmadev NAME] sections, at most %d\n", path, n, NETDMAD_MAX_DEVICES);
		return -EINVAL;
	}
	names = calloc((size_t)all, sizeof(*names));
	sections = calloc((size_t)all, sizeof(*sections));
	if (names == NULL || sections == NULL) {
		free(names);
		free(sections);
		return -ENOMEM;
	}
	for (i = 0; i < all; i++)
		sections[i] = names[i];
	all = rte_cfgfile_sections(f, sections, all);
	for (i = 0; i < all && ret == 0; i++) {
		struct netdmad_dev_conf *d;

		if (strncmp(names[i], "dmadev ", strlen("dmadev ")) != 0 ||
		    c->nb_devs == NETDMAD_MAX_DEVICES)
			continue;
		d = &c->devs[c->nb_devs++];
		memset(d, 0, sizeof(*d));
		d->lcore = UINT32_MAX;
		snprintf(d->name, sizeof(d->name), "%s", names[i] + strlen("dmadev "));
		ret = load_numbers(f, dev_keys, RTE_DIM(dev_keys), d, names[i], path);
	}
	free(sections);
	free(names);
	return ret;
}

const struct netdmad_dev_conf *
netdmad_dev_conf(const struct netdmad_conf *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->nb_devs; i++)
		if (strcmp(c->devs[i].name, name) == 0)
			return &c->devs[i];
	return NULL;
}

/* Switches (yes/no, on/off, true/false, 1/0): [section] key and field. */
static const struct {
	const char *section, *key;
	size_t offset;
} bool_keys[] = {
	{ "engines", "cpu", offsetof(struct netdmad_conf, cpu) },
	{ "engines", "require_dmadev", offsetof(struct netdmad_conf, require_dmadev) },
	{ "limits", "hugetlb_regions", offsetof(struct netdmad_conf, hugetlb_regions) },
};

static int
load_switches(struct rte_cfgfile *f, struct netdmad_conf *c, const char *path)
{
	const char *v;
	unsigned int i;
	bool b;

	for (i = 0; i < RTE_DIM(bool_keys); i++) {
		v = rte_cfgfile_get_entry(f, bool_keys[i].section, bool_keys[i].key);
		if (v == NULL)
			continue;
		if (!parse_bool(v, &b)) {
			DLOG(ERR, "%s: [%s] %s = '%s' is not valid (yes or no)\n", path,
			     bool_keys[i].section, bool_keys[i].key, v);
			return -EINVAL;
		}
		*(bool *)((char *)c + bool_keys[i].offset) = b;
	}
	return 0;
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
	int ret = 0, n;

	if (f == NULL) {
		DLOG(ERR, "cannot read config file '%s'\n", path);
		return -ENOENT;
	}
	snprintf(c->config_path, sizeof(c->config_path), "%s", path);
	ret = load_numbers(f, num_keys, RTE_DIM(num_keys), c, NULL, path);
	if (ret == 0)
		ret = load_switches(f, c, path);
	if (ret == 0)
		ret = load_devices(f, c, path);
	if (ret < 0)
		goto out;
	if ((v = rte_cfgfile_get_entry(f, "eal", "args")) != NULL)
		snprintf(c->eal_args, sizeof(c->eal_args), "%s", v);
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
	if ((v = rte_cfgfile_get_entry(f, "pollers", "lcores")) != NULL) {
		n = netdmad_parse_lcores(v, c->pollers, NETDMAD_MAX_POLLERS);
		if (n <= 0)
			BAD("pollers", "lcores", v);
		c->nb_pollers = (unsigned int)n;
	}
	if ((v = rte_cfgfile_get_entry(f, "pollers", "park_after_us")) != NULL) {
		if (strcasecmp(v, "never") == 0)
			u = UINT32_MAX;
		else if (!parse_u64(v, &u, 10) || u == 0 || u >= UINT32_MAX)
			BAD("pollers", "park_after_us", v);
		c->park_after_us = (uint32_t)u;
	}
	if ((v = rte_cfgfile_get_entry(f, "socket", "path")) != NULL) {
		if (strlen(v) >= sizeof(c->socket_path))
			BAD("socket", "path", v);
		snprintf(c->socket_path, sizeof(c->socket_path), "%s", v);
	}
	if ((v = rte_cfgfile_get_entry(f, "limits", "regions")) != NULL) {
		if (strcasecmp(v, "auto") == 0)
			u = 0;
		else if (!parse_u64(v, &u, 10) || u == 0 || u > 1024)
			BAD("limits", "regions", v);
		c->max_regions = (uint32_t)u;
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
