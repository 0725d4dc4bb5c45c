/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIGHUP: reopen the log, and reload what can change in a running daemon.
 * The config file is read again with the same command line over it, by the
 * same rules as at start; a file with mistakes changes nothing.  [log]
 * level and [log] file take effect at once; every other key that differs
 * from what runs is named as waiting for a restart (engines, pollers, the
 * socket and the limits are set up once, at start).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netdmad.h"

/* The effective configuration as "section.key = value" lines (the --check-config form). */
static char *
flatten(const struct netdmad_conf *c)
{
	char *text = NULL, *flat = NULL, *line, *save, section[128] = "";
	size_t len = 0, flen = 0;
	FILE *f = open_memstream(&text, &len), *out;

	if (f == NULL)
		return NULL;
	netdmad_config_print(c, f);
	fclose(f);
	out = text != NULL ? open_memstream(&flat, &flen) : NULL;
	if (out == NULL) {
		free(text);
		return NULL;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '[')
			snprintf(section, sizeof(section), "%.*s", (int)strcspn(line + 1, "]"), line + 1);
		else if (line[0] != ';' && line[0] != '#' && strchr(line, '=') != NULL)
			fprintf(out, "%s.%s\n", section, line);
	}
	fclose(out);
	free(text);
	return flat;
}

/* Has @p lines a line that starts with @p n bytes of @p line (and ends there, with @p whole)? */
static bool
has_line(const char *lines, const char *line, size_t n, bool whole)
{
	const char *p;

	for (p = lines; *p != '\0'; p += strcspn(p, "\n") + 1)
		if (strncmp(p, line, n) == 0 && (!whole || p[n] == '\n'))
			return true;
	return false;
}

/* Log each key whose value differs between @p cur and @p next, [log] aside. */
static void
name_changes(const char *cur, const char *next, const char *path)
{
	const char *p;
	size_t n;

	for (p = next; *p != '\0'; p += n + 1) {
		n = strcspn(p, "\n");
		if (strncmp(p, "log.", 4) != 0 && !has_line(cur, p, n, true))
			DLOG(NOTICE, "SIGHUP: %s: %.*s waits for a restart\n", path, (int)n, p);
	}
	for (p = cur; *p != '\0'; p += n + 1) {
		n = strcspn(p, "\n");
		if (strncmp(p, "log.", 4) != 0 && !has_line(next, p, strcspn(p, "="), false))
			DLOG(NOTICE, "SIGHUP: %s: %.*s is no longer there: it stays until a restart\n",
			     path, (int)strcspn(p, " ="), p);
	}
}

/* What runs: the configuration as read at start (before start-up resolved "auto" values). */
static struct netdmad_conf running;

void
netdmad_reload_remember(const struct netdmad_conf *c)
{
	running = *c;
}

static const char *
level_name(uint32_t level)
{
	static const char *const names[] = { "emerg", "alert", "crit", "err", "warning",
					     "notice", "info", "debug" };

	return level >= 1 && level <= 8 ? names[level - 1] : "?";
}

int
netdmad_reload(struct netdmad_conf *c, int argc, char **argv)
{
	struct netdmad_conf *next = malloc(sizeof(*next));
	char *cur_flat = NULL, *next_flat = NULL;
	int ret = 0;

	if (next == NULL)
		return -ENOMEM;
	netdmad_config_defaults(next);
	if (c->config_path[0] == '\0') {
		DLOG(NOTICE, "SIGHUP: no config file (built-in defaults): log reopened\n");
	} else if (netdmad_config_load(next, c->config_path) < 0 ||
		   netdmad_cmdline_overrides(argc, argv, next) < 0) {
		DLOG(ERR, "SIGHUP: %s has mistakes (above): nothing reloaded, log reopened\n",
		     c->config_path);
		ret = -EINVAL;
	} else {
		cur_flat = flatten(&running);
		next_flat = flatten(next);
		if (cur_flat != NULL && next_flat != NULL)
			name_changes(cur_flat, next_flat, c->config_path);
		if (next->log_level != c->log_level) {
			c->log_level = next->log_level;
			netdmad_log_set_level(c->log_level);
		}
		running.log_level = c->log_level;
	}
	/* the new [log] file (or the old one, reopened); kept only if it opens */
	if (netdmad_log_open(ret == 0 ? next : c) < 0) {
		ret = ret < 0 ? ret : -EIO;
	} else {
		if (ret == 0) {
			memcpy(c->log_file, next->log_file, sizeof(c->log_file));
			memcpy(running.log_file, c->log_file, sizeof(c->log_file));
		}
		DLOG(NOTICE, "SIGHUP: %s%s, log level %s\n", ret < 0 ? "kept the running config" :
		     "reloaded", c->log_file[0] != '\0' ? ", log file reopened" : "",
		     level_name(c->log_level));
	}
	free(cur_flat);
	free(next_flat);
	free(next);
	return ret;
}
