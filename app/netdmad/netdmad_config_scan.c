/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A look at netdmad.ini line by line before rte_cfgfile reads it: rte_cfgfile
 * drops a line without '=' (a "mode 0600" typo), cuts a value at 255
 * characters and a name at 63, and refuses a longer line with nothing but a
 * log line.  Each of those is a config mistake with its line number here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "netdmad.h"

/* rte_cfgfile reads a line into a buffer of this many bytes, '\n' and NUL included */
#define CFG_LINE_MAX (CFG_NAME_LEN + CFG_VALUE_LEN + 4 - 2)

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	*end = '\0';
	return s;
}

/* One line; @p section is the current one.  @return 1 if it is a mistake. */
static int
scan_line(const char *path, unsigned int no, char *line, size_t raw_len, char *section)
{
	char *s, *eq, *key, *value, *end;

	if (raw_len > CFG_LINE_MAX) {
		DLOG(ERR, "%s:%u: a line of %zu characters; rte_cfgfile reads at most %d%s\n", path, no,
		     raw_len, CFG_LINE_MAX, strcmp(section, "eal") == 0 ?
		     " (give longer EAL arguments on the command line, before --)" : "");
		return 1;
	}
	s = strchr(line, ';');   /* rte_cfgfile's comments: from ';' on, quoted or not */
	if (s != NULL)
		*s = '\0';
	s = trim(line);
	if (*s == '\0' || (*s == '#' && strchr(s, '=') == NULL))
		return 0;
	if (*s == '[') {
		end = strchr(s, ']');
		if (end == NULL) {
			DLOG(ERR, "%s:%u: '%s' has no closing ']'\n", path, no, s);
			return 1;
		}
		*end = '\0';
		if (strlen(s + 1) >= CFG_NAME_LEN) {
			DLOG(ERR, "%s:%u: section name '%s' over %d characters\n", path, no, s + 1,
			     CFG_NAME_LEN - 1);
			snprintf(section, CFG_NAME_LEN, "%.*s", CFG_NAME_LEN - 1, s + 1);
			return 1;
		}
		snprintf(section, CFG_NAME_LEN, "%s", trim(s + 1));
		return 0;
	}
	eq = strchr(s, '=');
	if (eq == NULL) {
		DLOG(ERR, "%s:%u: '%s' is neither a [section] nor key = value\n", path, no, s);
		return 1;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (section[0] == '\0') {
		DLOG(ERR, "%s:%u: %s = '%s' before any [section]\n", path, no, key, value);
		return 1;
	}
	if (*key == '\0') {
		DLOG(ERR, "%s:%u: [%s] '= %s' has no key\n", path, no, section, value);
		return 1;
	}
	if (strlen(key) >= CFG_NAME_LEN) {
		DLOG(ERR, "%s:%u: [%s] key '%s' over %d characters\n", path, no, section, key,
		     CFG_NAME_LEN - 1);
		return 1;
	}
	if (strlen(value) >= CFG_VALUE_LEN) {
		DLOG(ERR, "%s:%u: [%s] %s: a value of %zu characters; at most %d%s\n", path, no, section,
		     key, strlen(value), CFG_VALUE_LEN - 1, strcmp(section, "eal") == 0 ?
		     " (give longer EAL arguments on the command line, before --)" : "");
		return 1;
	}
	return 0;
}

int
netdmad_config_scan(const char *path)
{
	char section[CFG_NAME_LEN] = "", *line = NULL;
	unsigned int no = 0;
	size_t cap = 0;
	ssize_t len;
	int bad = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		int err = errno;

		DLOG(ERR, "cannot open %s: %s\n", path, strerror(err));
		return -err;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		size_t raw = (size_t)len;

		no++;
		if (raw > 0 && line[raw - 1] == '\n')
			raw--;
		if (strlen(line) != (size_t)len) {
			DLOG(ERR, "%s:%u: a NUL byte in the line\n", path, no);
			bad++;
			continue;
		}
		bad += scan_line(path, no, line, raw, section);
	}
	free(line);
	fclose(f);
	return bad;
}
