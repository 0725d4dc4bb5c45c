/* SPDX-License-Identifier: BSD-3-Clause */
/* netdmad_config.c's table of keys, for its printer (netdmad_config_print.c). */
#ifndef NETDMAD_CONFIG_H
#define NETDMAD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <rte_log.h>

#define DEV_SECTION "dmadev"   /* [dmadev NAME]: one device's own keys */

enum key_kind {
	K_NUM,       /* a number in [min, max] in @p base, or @p word */
	K_BOOL,
	K_STR,       /* at most size - 1 characters */
	K_WORDS,     /* EAL arguments: a string that netdmad_split_words() takes */
	K_LCORES,    /* pollers[] and nb_pollers */
	K_VERSION,   /* major and minor */
	K_LEVEL,     /* an rte_log level by name */
	K_GROUP,     /* a group name, its gid in socket_gid */
};

struct conf_key {
	const char *section, *key;
	enum key_kind kind;
	int base;
	uint64_t min, max;
	const char *word;            /* another way to say word_value, or NULL */
	uint64_t word_value;
	size_t offset, size;         /* in struct netdmad_conf, or netdmad_dev_conf */
};

/* Every key, in the order the file documents them; a NULL key ends it. */
extern const struct conf_key netdmad_conf_keys[];
extern const char *const netdmad_level_names[RTE_LOG_DEBUG + 1];

#endif
