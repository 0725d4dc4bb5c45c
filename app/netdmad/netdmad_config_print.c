/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --check-config's output: every key of netdmad_conf_keys with its value,
 * defaults included, as an INI file that netdmad reads back the same.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "netdmad.h"
#include "netdmad_config.h"

/* @p k's value at @p base, as the file would say it. */
static void
format_value(const struct conf_key *k, const void *base, char *out, size_t size)
{
	const char *field = (const char *)base + k->offset;
	const struct netdmad_conf *c = base;
	char *argv[NETDMAD_MAX_ARGS], words[sizeof(c->eal_args)], q[sizeof(c->eal_args)];
	const char *why;
	size_t len = 0;
	uint64_t u;
	int n, i;

	out[0] = '\0';
	switch (k->kind) {
	case K_NUM:
		u = k->size == sizeof(uint64_t) ? *(const uint64_t *)(const void *)field :
			*(const uint32_t *)(const void *)field;
		if (k->word != NULL && u == k->word_value)
			snprintf(out, size, "%s", k->word);
		else if (k->base == 8)
			snprintf(out, size, "%#" PRIo64, u);
		else
			snprintf(out, size, "%" PRIu64, u);
		break;
	case K_BOOL:
		snprintf(out, size, "%s", *(const bool *)field ? "yes" : "no");
		break;
	case K_STR:
	case K_GROUP:
		snprintf(out, size, "%s", field);
		break;
	case K_WORDS:
		/* each word quoted only where it must be: the same words when read back */
		n = netdmad_split_words(field, words, argv, NETDMAD_MAX_ARGS, &why);
		for (i = 0; i < n && netdmad_quote_word(argv[i], q, sizeof(q)) == 0; i++)
			len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s",
						i ? " " : "", q);
		break;
	case K_LCORES:
		for (i = 0; i < (int)c->nb_pollers; i++)
			len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%u",
						i ? "," : "", c->pollers[i]);
		break;
	case K_VERSION:
		snprintf(out, size, "%u.%u", c->major, c->minor);
		break;
	case K_LEVEL:
		snprintf(out, size, "%s", netdmad_level_names[*(const uint32_t *)(const void *)field]);
		break;
	}
}

static void
print_section(FILE *out, const char *table_section, const char *name, const void *base)
{
	const struct conf_key *k;
	char v[sizeof(((struct netdmad_conf *)0)->eal_args) * 2];

	fprintf(out, "\n[%s]\n", name);
	for (k = netdmad_conf_keys; k->key != NULL; k++)
		if (strcmp(k->section, table_section) == 0) {
			format_value(k, base, v, sizeof(v));
			fprintf(out, "%s = %s\n", k->key, v);
		}
}

void
netdmad_config_print(const struct netdmad_conf *c, FILE *out)
{
	const struct conf_key *k;
	char name[CFG_NAME_LEN + 8];
	const char *last = "";
	unsigned int i;

	/* the same text whatever the file: printed back, it prints the same */
	fprintf(out, "; netdmad's effective configuration: its file and options over the defaults\n");
	for (k = netdmad_conf_keys; k->key != NULL; k++) {
		if (strcmp(k->section, last) == 0 || strcmp(k->section, DEV_SECTION) == 0)
			continue;
		last = k->section;
		print_section(out, k->section, k->section, c);
	}
	for (i = 0; i < c->nb_devs; i++) {
		snprintf(name, sizeof(name), DEV_SECTION " %s", c->devs[i].name);
		print_section(out, DEV_SECTION, name, &c->devs[i]);
	}
}
