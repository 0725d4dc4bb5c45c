/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad.ini, read with rte_cfgfile; every key is optional.  One table
 * (netdmad_conf_keys) says for every key where it goes, what it accepts and how it
 * is printed: loading, validation, the command-line options that set the
 * same values and --check-config's output all go through it.
 */
#include <errno.h>
#include <grp.h>
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

#include "netdmad_config.h"

int
netdmad_config_defaults(struct netdmad_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->eal_args, sizeof(c->eal_args),
		 "-l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci "
		 "--vdev=dma_skeleton,lcore=0 --log-level=lib.eal:notice");
	c->cpu = true;
	c->cpu_channels = 8;
	c->cpu_nt_threshold = NETDMA_CPU_NT_THRESHOLD;
	c->cpu_bytes_per_poll = NETDMA_CPU_POLL_BYTES;
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

const char *const netdmad_level_names[RTE_LOG_DEBUG + 1] = {
	[RTE_LOG_EMERG] = "emerg", [RTE_LOG_ALERT] = "alert", [RTE_LOG_CRIT] = "crit",
	[RTE_LOG_ERR] = "err", [RTE_LOG_WARNING] = "warning", [RTE_LOG_NOTICE] = "notice",
	[RTE_LOG_INFO] = "info", [RTE_LOG_DEBUG] = "debug",
};

int
netdmad_log_level(const char *s)
{
	unsigned int i;

	for (i = RTE_LOG_EMERG; i <= RTE_LOG_DEBUG; i++)
		if (strcasecmp(s, netdmad_level_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

int
netdmad_parse_lcores(const char *s, unsigned int *out, unsigned int max)
{
	unsigned int n = 0;
	char *end;

	while (*s != '\0') {
		unsigned long a, b;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return -EINVAL;
			b = strtoul(s, &end, 10);
			if (b < a)
				return -EINVAL;
		}
		for (; a <= b; a++) {
			if (n == max || a >= 1024)
				return -E2BIG;
			out[n++] = (unsigned int)a;
		}
		s = end;
		if (*s != '\0' && *s != ',' && *s != ' ')
			return -EINVAL;
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

/* Digits only (strtoull alone takes "-1", " 5" and "0x10"). */
static bool
parse_u64(const char *v, uint64_t *out, int base)
{
	const char *p;
	char *end;

	if (*v == '\0')
		return false;
	for (p = v; *p != '\0'; p++)
		if (*p < '0' || *p > (base == 8 ? '7' : '9'))
			return false;
	errno = 0;
	*out = strtoull(v, &end, base);
	return errno == 0 && *end == '\0';
}

#define F(type, field) offsetof(type, field), sizeof(((type *)0)->field)
#define NUM(sec, k, lo, hi, field) { sec, k, K_NUM, 10, lo, hi, NULL, 0, F(struct netdmad_conf, field) }
#define NUMW(sec, k, lo, hi, w, wv, field) { sec, k, K_NUM, 10, lo, hi, w, wv, F(struct netdmad_conf, field) }
#define OTHER(sec, k, kind, field) { sec, k, kind, 0, 0, 0, NULL, 0, F(struct netdmad_conf, field) }
#define DEV(k, lo, hi, w, wv, field) { DEV_SECTION, k, K_NUM, 10, lo, hi, w, wv, \
	F(struct netdmad_dev_conf, field) }

/*
 * Every key, in the order --check-config prints them (and config/netdmad.ini
 * documents them).  A word is a name for one stored value: "never" for
 * UINT32_MAX, "auto" or "default" for what netdmad or the engine picks.
 */
const struct conf_key netdmad_conf_keys[] = {
	OTHER("eal", "args", K_WORDS, eal_args),

	OTHER("engines", "cpu", K_BOOL, cpu),
	NUM("engines", "cpu_channels", 1, 256, cpu_channels),
	NUMW("engines", "cpu_nt_threshold", NETDMA_CPU_NT_MIN, UINT32_MAX - 1, "never", UINT32_MAX,
	     cpu_nt_threshold),
	NUM("engines", "cpu_bytes_per_poll", 4096, UINT32_MAX - 1, cpu_bytes_per_poll),
	NUM("engines", "dmadev_channels", 1, NETDMA_DMADEV_MAX_VIRTUAL, dmadev_channels),
	NUM("engines", "dmadev_inflight_bytes", 4096, UINT64_MAX, dmadev_inflight_bytes),
	NUMW("engines", "burst", 1, NETDMAD_MAX_BURST, "default", 0, burst),
	OTHER("engines", "version", K_VERSION, major),
	OTHER("engines", "dmadev", K_STR, dmadev),
	OTHER("engines", "require_dmadev", K_BOOL, require_dmadev),

	OTHER("pollers", "lcores", K_LCORES, pollers),
	NUM("pollers", "spin_polls", 0, UINT32_MAX, spin_polls),
	NUM("pollers", "max_sleep_us", 1, 1000000, max_sleep_us),
	NUMW("pollers", "park_after_us", 1, UINT32_MAX - 1, "never", UINT32_MAX, park_after_us),
	NUM("pollers", "park_timeout_ms", 1, 60000, park_timeout_ms),
	NUM("pollers", "commands_per_pass", 1, 4096, commands_per_pass),

	OTHER("socket", "path", K_STR, socket_path),
	{ "socket", "mode", K_NUM, 8, 0, 0777, NULL, 0, F(struct netdmad_conf, socket_mode) },
	OTHER("socket", "group", K_GROUP, socket_group),

	NUM("quota", "channels", 1, 4096, quota_channels),
	NUM("quota", "provider_share", 1, 100, quota_provider_share),
	NUM("quota", "regions", 2, NETDMAD_MAX_CLIENT_REGIONS, quota_regions),
	NUM("quota", "region_bytes", 4096, UINT64_MAX, quota_region_bytes),

	NUM("limits", "connections", 1, 65536, max_connections),
	NUM("limits", "hello_timeout_ms", 1, 600000, hello_timeout_ms),
	NUMW("limits", "regions", 1, 1024, "auto", 0, max_regions),
	NUM("limits", "region_bytes", 4096, UINT64_MAX, max_region_bytes),
	NUM("limits", "log_burst", 1, 1000000, log_burst),
	NUM("limits", "log_interval_s", 1, 3600, log_interval_s),
	OTHER("limits", "hugetlb_regions", K_BOOL, hugetlb_regions),

	NUM("shutdown", "drain_ms", 0, 600000, drain_ms),

	OTHER("log", "level", K_LEVEL, log_level),
	OTHER("log", "file", K_STR, log_file),

	/* [dmadev NAME]: "default" takes [engines]' value, or the device's */
	DEV("ring_size", 64, 65535, "default", 0, ring_size),
	DEV("burst", 1, NETDMAD_MAX_BURST, "default", 0, burst),
	DEV("max_transfer_size", 4096, 1u << 31, "default", 0, max_transfer_size),
	DEV("channels", 1, NETDMA_DMADEV_MAX_VIRTUAL, "default", 0, channels),
	DEV("lcore", 0, RTE_MAX_LCORE - 1, "auto", UINT32_MAX, lcore),
	{ NULL, NULL, K_NUM, 0, 0, 0, NULL, 0, 0, 0 },
};

static const struct conf_key *
find_key(const char *section, const char *key)
{
	const struct conf_key *k;

	for (k = netdmad_conf_keys; k->key != NULL; k++)
		if (strcmp(k->section, section) == 0 && (key == NULL || strcmp(k->key, key) == 0))
			return k;
	return NULL;
}

/* What @p k accepts, for an error message. */
static void
allowed(const struct conf_key *k, char *out, size_t size)
{
	switch (k->kind) {
	case K_NUM:
		if (k->base == 8)
			snprintf(out, size, "octal, %#" PRIo64 " to %#" PRIo64, k->min, k->max);
		else
			snprintf(out, size, "a number from %" PRIu64 " to %" PRIu64 "%s%s", k->min,
				 k->max, k->word != NULL ? ", or " : "", k->word != NULL ? k->word : "");
		break;
	case K_BOOL:
		snprintf(out, size, "yes or no (on/off, true/false, 1/0)");
		break;
	case K_STR:
		snprintf(out, size, "at most %zu characters", k->size - 1);
		break;
	case K_WORDS:
		snprintf(out, size, "EAL arguments, at most %d words, quoted as in a shell "
			 "('...', \"...\", \\)", NETDMAD_MAX_ARGS - 2);
		break;
	case K_LCORES:
		snprintf(out, size, "lcores 0 to 1023 such as 1, 1-3 or 1,3,5; at most %d",
			 NETDMAD_MAX_POLLERS);
		break;
	case K_VERSION:
		snprintf(out, size, "1.0, 1.1 or 2.0");
		break;
	case K_LEVEL:
		snprintf(out, size, "emerg, alert, crit, err, warning, notice, info or debug");
		break;
	case K_GROUP:
		snprintf(out, size, "the name of an existing group, or nothing for netdmad's own");
		break;
	}
}

/* Check @p v against @p k and store it at @p base.  @return 0 or -EINVAL, @p why set. */
static int
set_value(const struct conf_key *k, const char *v, void *base, const char **why)
{
	char *field = (char *)base + k->offset;
	char words[sizeof(((struct netdmad_conf *)0)->eal_args)];
	char *argv[NETDMAD_MAX_ARGS];
	uint64_t u;
	bool b;
	int n;

	*why = NULL;
	switch (k->kind) {
	case K_NUM:
		if (k->word != NULL && strcasecmp(v, k->word) == 0)
			u = k->word_value;
		else if (!parse_u64(v, &u, k->base) || u < k->min || u > k->max)
			return -EINVAL;
		if (k->size == sizeof(uint64_t))
			*(uint64_t *)(void *)field = u;
		else
			*(uint32_t *)(void *)field = (uint32_t)u;
		return 0;
	case K_BOOL:
		if (!parse_bool(v, &b))
			return -EINVAL;
		*(bool *)field = b;
		return 0;
	case K_WORDS:
		if (strlen(v) >= k->size) {
			*why = "too long";
			return -EINVAL;
		}
		/* only as "\;" can rte_cfgfile read one, and it keeps no way to print it back */
		if (strchr(v, ';') != NULL) {
			*why = "a ';' (the config file's comment character: give such EAL "
				"arguments on the command line, before --)";
			return -EINVAL;
		}
		/* argv[0] is netdmad's own: one word less */
		n = netdmad_split_words(v, words, argv, NETDMAD_MAX_ARGS - 1, why);
		if (n < 0)
			return -EINVAL;
		/* fall through - stored as written, split again at the start */
	case K_STR:
		if (strlen(v) >= k->size)
			return -EINVAL;
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case K_GROUP:
		if (strlen(v) >= k->size)
			return -EINVAL;
		if (*v != '\0') {
			struct group *g = getgrnam(v);

			if (g == NULL) {
				*why = "no such group";
				return -EINVAL;
			}
			((struct netdmad_conf *)base)->socket_gid = (uint32_t)g->gr_gid;
		}
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case K_LCORES:
		n = netdmad_parse_lcores(v, (unsigned int *)(void *)field, NETDMAD_MAX_POLLERS);
		if (n <= 0)
			return -EINVAL;
		((struct netdmad_conf *)base)->nb_pollers = (unsigned int)n;
		return 0;
	case K_VERSION:
		if (strcmp(v, "1.0") != 0 && strcmp(v, "1.1") != 0 && strcmp(v, "2.0") != 0)
			return -EINVAL;
		((struct netdmad_conf *)base)->major = (uint8_t)(v[0] - '0');
		((struct netdmad_conf *)base)->minor = (uint8_t)(v[2] - '0');
		return 0;
	case K_LEVEL:
		n = netdmad_log_level(v);
		if (n < 0)
			return -EINVAL;
		*(uint32_t *)(void *)field = (uint32_t)n;
		return 0;
	}
	return -EINVAL;
}

/* The one error line of a bad value: where, what, and what would do. */
static int
bad_value(const char *where, const char *section, const char *key, const char *v,
	  const struct conf_key *k, const char *why)
{
	char ok[160];

	allowed(k, ok, sizeof(ok));
	DLOG(ERR, "%s: [%s] %s = '%s' is not valid%s%s: %s\n", where, section, key, v,
	     why != NULL ? ": " : "", why != NULL ? why : "", ok);
	return -EINVAL;
}

int
netdmad_config_set(struct netdmad_conf *c, const char *section, const char *key, const char *value,
		   const char *option)
{
	const struct conf_key *k = find_key(section, key);
	const char *why;

	if (k == NULL)
		return -EINVAL;
	if (set_value(k, value, c, &why) < 0)
		return bad_value(option, section, key, value, k, why);
	return 0;
}

/* The keys [@p section] may have, for an "unknown key" line. */
static void
keys_of(const char *section, char *out, size_t size)
{
	const struct conf_key *k;
	size_t len = 0;

	out[0] = '\0';
	for (k = netdmad_conf_keys; k->key != NULL && len < size; k++)
		if (strcmp(k->section, section) == 0)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "", k->key);
}

/* The sections a file may have, for an "unknown section" line. */
static void
sections_known(char *out, size_t size)
{
	const struct conf_key *k;
	const char *last = "";
	size_t len = 0;

	out[0] = '\0';
	for (k = netdmad_conf_keys; k->key != NULL && len < size; k++) {
		if (strcmp(k->section, last) == 0)
			continue;
		last = k->section;
		len += (size_t)snprintf(out + len, size - len, "%s[%s%s]", len ? ", " : "", k->section,
					strcmp(k->section, DEV_SECTION) == 0 ? " NAME" : "");
	}
}

/*
 * Every entry of one section: each must be a key of @p table_section,
 * once, with a valid value; stored at @p base.  @return the mistakes.
 */
static int
load_section(struct rte_cfgfile *f, const char *path, const char *name, const char *table_section,
	     void *base)
{
	int n = rte_cfgfile_section_num_entries(f, name), i, j, bad = 0;
	struct rte_cfgfile_entry *e;
	const struct conf_key *k;
	char list[512];
	const char *why;

	if (n <= 0)
		return 0;
	e = calloc((size_t)n, sizeof(*e));
	if (e == NULL)
		return 1;
	n = rte_cfgfile_section_entries(f, name, e, n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(e[j].name, e[i].name) != 0; j++)
			;
		k = find_key(table_section, e[i].name);
		if (j < i) {
			DLOG(ERR, "%s: [%s] %s is set twice ('%s', then '%s')\n", path, name, e[i].name,
			     e[j].value, e[i].value);
			bad++;
		} else if (k == NULL) {
			keys_of(table_section, list, sizeof(list));
			DLOG(ERR, "%s: [%s] %s = '%s': unknown key; [%s%s] takes %s\n", path, name,
			     e[i].name, e[i].value, table_section,
			     strcmp(table_section, DEV_SECTION) == 0 ? " NAME" : "", list);
			bad++;
		} else if (set_value(k, e[i].value, base, &why) < 0) {
			bad_value(path, name, e[i].name, e[i].value, k, why);
			bad++;
		}
	}
	free(e);
	return bad;
}

/* A [dmadev NAME] section: a new device entry, its keys loaded.  @return the mistakes. */
static int
load_device(struct rte_cfgfile *f, struct netdmad_conf *c, const char *path, const char *name)
{
	const char *dev = name + strlen(DEV_SECTION) + 1;
	struct netdmad_dev_conf *d;

	while (*dev == ' ')
		dev++;
	if (*dev == '\0' || strlen(dev) >= sizeof(d->name)) {
		DLOG(ERR, "%s: [%s]: a device section needs the rte_dma device name, 1 to %zu "
		     "characters: [dmadev 0000:00:04.0]\n", path, name, sizeof(d->name) - 1);
		return 1;
	}
	if (netdmad_dev_conf(c, dev) != NULL) {
		DLOG(ERR, "%s: [%s] appears twice\n", path, name);
		return 1;
	}
	if (c->nb_devs == NETDMAD_MAX_DEVICES) {
		DLOG(ERR, "%s: [%s]: more than %d [dmadev NAME] sections\n", path, name,
		     NETDMAD_MAX_DEVICES);
		return 1;
	}
	d = &c->devs[c->nb_devs++];
	memset(d, 0, sizeof(*d));
	d->lcore = UINT32_MAX;
	snprintf(d->name, sizeof(d->name), "%s", dev);
	return load_section(f, path, name, DEV_SECTION, d);
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

/* Every section of @p f, checked and loaded.  @return the mistakes. */
static int
load_sections(struct rte_cfgfile *f, struct netdmad_conf *c, const char *path)
{
	int all = rte_cfgfile_num_sections(f, "", 0), i, j, bad = 0;
	char (*names)[CFG_NAME_LEN];
	char **sections, list[256];

	if (all <= 0)
		return 0;
	names = calloc((size_t)all, sizeof(*names));
	sections = calloc((size_t)all, sizeof(*sections));
	if (names == NULL || sections == NULL) {
		free(names);
		free(sections);
		return 1;
	}
	for (i = 0; i < all; i++)
		sections[i] = names[i];
	all = rte_cfgfile_sections(f, sections, all);
	for (i = 0; i < all; i++) {
		for (j = 0; j < i && strcmp(names[j], names[i]) != 0; j++)
			;
		if (j < i) {
			/* rte_cfgfile would give the first one's keys only */
			DLOG(ERR, "%s: [%s] appears twice: merge them\n", path, names[i]);
			bad++;
		} else if (strncmp(names[i], DEV_SECTION " ", strlen(DEV_SECTION) + 1) == 0) {
			bad += load_device(f, c, path, names[i]);
		} else if (strcmp(names[i], DEV_SECTION) != 0 && find_key(names[i], NULL) != NULL) {
			bad += load_section(f, path, names[i], names[i], c);
		} else {
			sections_known(list, sizeof(list));
			DLOG(ERR, "%s: [%s]: unknown section; netdmad reads %s\n", path, names[i], list);
			bad++;
		}
	}
	free(sections);
	free(names);
	return bad;
}

int
netdmad_config_load(struct netdmad_conf *c, const char *path)
{
	struct rte_cfgfile *f;
	int bad;

	if (strlen(path) >= sizeof(c->config_path)) {
		DLOG(ERR, "config file name over %zu characters: %s\n", sizeof(c->config_path) - 1, path);
		return -ENAMETOOLONG;
	}
	/* what rte_cfgfile would drop or cut without a word */
	bad = netdmad_config_scan(path);
	if (bad < 0)
		return bad;
	/* empty values: "group =" names no group */
	f = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (f == NULL && bad == 0) {
		DLOG(ERR, "%s: rte_cfgfile cannot parse it\n", path);
		bad++;
	}
	snprintf(c->config_path, sizeof(c->config_path), "%s", path);
	if (f != NULL) {
		bad += load_sections(f, c, path);
		rte_cfgfile_close(f);
	}
	if (bad > 0) {
		DLOG(ERR, "%s: %d mistake%s: netdmad does not start\n", path, bad, bad > 1 ? "s" : "");
		return -EINVAL;
	}
	return 0;
}
