/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad's command line, the DPDK way: EAL options first, then --, then
 * netdmad's own.  Without EAL options the config's [eal] args are EAL's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netdmad.h"

#ifndef NETDMAD_VERSION
#define NETDMAD_VERSION "unknown"
#endif
#ifdef NETDMAD_DEFAULT_CONFIG
#define DEFAULT_CONFIG NETDMAD_DEFAULT_CONFIG   /* sysconfdir/netdma, from meson */
#else
#define DEFAULT_CONFIG "/etc/netdma/netdmad.ini"
#endif

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [netdmad options]\n"
	       "       %s -- --check-config FILE\n"
	       "       %s --version | --help\n"
	       "\n"
	       "Serves NetDMA channels to client processes over a Unix socket.\n"
	       "\n"
	       "EAL options (DPDK's: -l CORES, -a PCI_ADDR, --vdev, --no-huge, --iova-mode,\n"
	       "--file-prefix, --log-level, ...) come first.  Without any, those of the\n"
	       "config's [eal] args are used.\n"
	       "\n"
	       "netdmad options, after --:\n"
	       "  -c, --config FILE        INI configuration (default %s\n"
	       "                           if it exists; built-in defaults otherwise:\n"
	       "                           software engine plus dma_skeleton, no hugepages)\n"
	       "      --check-config FILE  check FILE and print the effective configuration\n"
	       "                           (every key, defaults included) without starting;\n"
	       "                           exit 0 if it is valid, else 1\n"
	       "  -s, --socket PATH        control socket (default %s)\n"
	       "  -m, --socket-mode MODE   socket permissions, octal (default 0660)\n"
	       "  -g, --socket-group NAME  group owning the socket (default: netdmad's own)\n"
	       "  -p, --pollers LIST       polling lcores, e.g. 1 or 1-3 (default 1)\n"
	       "      --netdma-version X.Y NetDMA version of the providers: 1.0, 1.1 or 2.0\n"
	       "      --log-level LEVEL    emerg..debug (default info)\n"
	       "  -h, --help               this text\n"
	       "      --version            netdmad's version\n"
	       "\n"
	       "Options override the config file whatever their order.\n"
	       "SIGTERM/SIGINT: stop accepting, tell clients, let in-flight work finish\n"
	       "([shutdown] drain_ms), free everything, remove the socket, exit 0.\n"
	       "\n"
	       "Example: %s -l 0-3 -a 0000:00:04.0 -- --config %s\n",
	       prog, prog, prog, DEFAULT_CONFIG, NETDMA_DEFAULT_SOCKET, prog, DEFAULT_CONFIG);
}

enum {
	OPT_CHECK_CONFIG = 256,
	OPT_NETDMA_VERSION,
	OPT_LOG_LEVEL,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check-config", required_argument, NULL, OPT_CHECK_CONFIG },
	{ "socket", required_argument, NULL, 's' },
	{ "socket-mode", required_argument, NULL, 'm' },
	{ "socket-group", required_argument, NULL, 'g' },
	{ "pollers", required_argument, NULL, 'p' },
	{ "netdma-version", required_argument, NULL, OPT_NETDMA_VERSION },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};
#define SHORT_OPTS "+:c:s:m:g:p:h"

/* The config key each value option sets: one rule for a file and a flag. */
static const struct {
	int opt;
	const char *section, *key, *name;
} opt_keys[] = {
	{ 's', "socket", "path", "--socket" },
	{ 'm', "socket", "mode", "--socket-mode" },
	{ 'g', "socket", "group", "--socket-group" },
	{ 'p', "pollers", "lcores", "--pollers" },
	{ OPT_NETDMA_VERSION, "engines", "version", "--netdma-version" },
	{ OPT_LOG_LEVEL, "log", "level", "--log-level" },
};

/* Is @p arg one of netdmad's long options (that EAL does not also have)? */
static bool
netdmad_option(const char *arg)
{
	const struct option *o;
	size_t n;

	if (strncmp(arg, "--", 2) != 0)
		return false;
	for (o = long_opts; o->name != NULL; o++) {
		n = strlen(o->name);
		if (o->val == OPT_LOG_LEVEL || o->val == 'h' || o->val == OPT_VERSION)
			continue;
		if (strncmp(arg + 2, o->name, n) == 0 && (arg[2 + n] == '\0' || arg[2 + n] == '='))
			return true;
	}
	return false;
}

/* The EAL part: argv[1..@p n], or [eal] args when there is none.  @return 0 or the exit status. */
static int
eal_args(char **argv, int n, const struct netdmad_conf *c, struct netdmad_eal_args *ea)
{
	const char *why;
	int i, words;

	ea->argv[0] = argv[0];
	if (n > 0) {
		if (n > NETDMAD_MAX_ARGS - 2) {
			fprintf(stderr, "netdmad: %d EAL arguments; at most %d\n", n, NETDMAD_MAX_ARGS - 2);
			return 2;
		}
		for (i = 1; i <= n; i++)
			ea->argv[i] = argv[i];
		ea->argv[n + 1] = NULL;
		ea->argc = n + 1;
		return 0;
	}
	/* checked when the config was read: only the built-in default is unchecked */
	words = netdmad_split_words(c->eal_args, ea->buf, ea->argv + 1, NETDMAD_MAX_ARGS - 1, &why);
	if (words < 0) {
		fprintf(stderr, "netdmad: [eal] args: %s\n", why);
		return 1;
	}
	ea->argc = words + 1;
	return 0;
}

int
netdmad_cmdline_overrides(int argc, char **argv, struct netdmad_conf *c)
{
	int dashes, ch, i;

	for (dashes = 1; dashes < argc && strcmp(argv[dashes], "--") != 0; dashes++)
		;
	optind = dashes < argc ? dashes + 1 : argc;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1)
		for (i = 0; i < (int)RTE_DIM(opt_keys); i++)
			if (opt_keys[i].opt == ch &&
			    netdmad_config_set(c, opt_keys[i].section, opt_keys[i].key, optarg,
					       opt_keys[i].name) < 0)
				return -EINVAL;
	return 0;
}

int
netdmad_cmdline(int argc, char **argv, struct netdmad_conf *c, struct netdmad_eal_args *ea)
{
	const char *config = NULL, *check = NULL;
	int dashes, ch, i, ret;

	/* the EAL part: up to --; --help and --version are netdmad's anywhere */
	for (dashes = 1; dashes < argc && strcmp(argv[dashes], "--") != 0; dashes++) {
		if (strcmp(argv[dashes], "--help") == 0) {
			usage(argv[0]);
			return 0;
		}
		if (strcmp(argv[dashes], "--version") == 0) {
			printf("netdmad %s\n", NETDMAD_VERSION);
			return 0;
		}
		if (netdmad_option(argv[dashes])) {
			fprintf(stderr, "netdmad: %s is a netdmad option: put netdmad options after --, "
				"EAL options before it:\n  %s [EAL options] -- %s ...\n(%s --help for "
				"more)\n", argv[dashes], argv[0], argv[dashes], argv[0]);
			return 2;
		}
	}

	/* netdmad's options: first the config file, that the others override */
	optind = dashes < argc ? dashes + 1 : argc;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case OPT_CHECK_CONFIG:
			check = optarg;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		case OPT_VERSION:
			printf("netdmad %s\n", NETDMAD_VERSION);
			return 0;
		case ':':
			fprintf(stderr, "netdmad: %s needs a value\n", argv[optind - 1]);
			return 2;
		case '?':
			fprintf(stderr, "netdmad: unknown option %s after --%s\n", argv[optind - 1],
				optopt == 'l' || optopt == 'a' || optopt == 'n' ?
				" (EAL options such as -l and -a go before --)" : "");
			return 2;
		default:
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netdmad: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (check != NULL && config != NULL && strcmp(check, config) != 0) {
		fprintf(stderr, "netdmad: --config %s and --check-config %s: give one file\n", config, check);
		return 2;
	}
	if (check != NULL)
		config = check;
	if (config == NULL && access(DEFAULT_CONFIG, R_OK) == 0)
		config = DEFAULT_CONFIG;
	if (config != NULL && netdmad_config_load(c, config) < 0)
		return 1;

	/* then the others, in their order, each by its config key's rule */
	if (netdmad_cmdline_overrides(argc, argv, c) < 0)
		return 1;

	ret = eal_args(argv, dashes - 1, c, ea);
	if (ret != 0)
		return ret;
	if (check != NULL) {
		if (dashes > 1) {
			/* what netdmad would give EAL: the command line's arguments */
			char q[sizeof(c->eal_args)];
			size_t len = 0;

			c->eal_args[0] = '\0';
			for (i = 1; i < ea->argc; i++) {
				if (strchr(ea->argv[i], ';') != NULL) {
					fprintf(stderr, "netdmad: EAL argument '%s': a ';' cannot be "
						"written as [eal] args\n", ea->argv[i]);
					return 1;
				}
				if (netdmad_quote_word(ea->argv[i], q, sizeof(q)) < 0 ||
				    len + strlen(q) + 2 > sizeof(c->eal_args)) {
					fprintf(stderr, "netdmad: EAL arguments over %zu characters\n",
						sizeof(c->eal_args) - 1);
					return 1;
				}
				len += (size_t)snprintf(c->eal_args + len, sizeof(c->eal_args) - len,
							"%s%s", len ? " " : "", q);
			}
		}
		netdmad_config_print(c, stdout);
		return 0;
	}
	return -1;
}
