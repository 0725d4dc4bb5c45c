/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for netdmad_config_load(), the validator: the input is
 * the INI file.  rte_cfgfile parses without EAL, so none is started.
 * Whatever the file says, the configuration that comes back must hold only
 * values the daemon accepts (those it had, or those the file set and the
 * parser checked); a file it accepts, printed (--check-config), must be
 * accepted again and print the same.  The first line also goes through the
 * [eal] args word splitter, and each word through quoting and back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_log.h>

#include "netdma_cpu.h"
#include "netdmad.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int file = -1, printed = -1;
static char path[64], printed_path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* a memfd, read back through /proc: no temporary file per input */
	file = memfd_create("fuzz_config.ini", MFD_CLOEXEC);
	if (file < 0) {
		perror("fuzz_config: memfd_create");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", file);
	printed = memfd_create("fuzz_config_printed.ini", MFD_CLOEXEC);
	if (printed < 0) {
		perror("fuzz_config: memfd_create");
		exit(1);
	}
	snprintf(printed_path, sizeof(printed_path), "/proc/self/fd/%d", printed);
	if (getenv("NETDMA_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);   /* every bad key logs a line */
	return 0;
}

static void
check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_config: %s\n", what);
		abort();
	}
}

static bool
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void
check_conf(const struct netdmad_conf *c)
{
	unsigned int i;

	check(terminated(c->config_path, sizeof(c->config_path)) &&
	      terminated(c->eal_args, sizeof(c->eal_args)) &&
	      terminated(c->dmadev, sizeof(c->dmadev)) &&
	      terminated(c->socket_path, sizeof(c->socket_path)), "a string without its NUL");
	check(c->nb_pollers >= 1 && c->nb_pollers <= NETDMAD_MAX_POLLERS, "poller count");
	for (i = 0; i < c->nb_pollers; i++)
		check(c->pollers[i] < 1024, "poller lcore");
	check(c->cpu_channels >= 1 && c->cpu_channels <= 256, "cpu_channels");
	check(c->cpu_nt_threshold == 0 || c->cpu_nt_threshold >= NETDMA_CPU_NT_MIN, "cpu_nt_threshold");
	check((c->major == 1 && c->minor <= 1) || (c->major == 2 && c->minor == 0), "version");
	check(c->max_sleep_us >= 1 && c->max_sleep_us <= 1000000, "max_sleep_us");
	check(c->park_after_us >= 1, "park_after_us");
	check(c->park_timeout_ms >= 1 && c->park_timeout_ms <= 60000, "park_timeout_ms");
	check(c->socket_mode <= 0777, "socket mode");
	check(c->quota_channels >= 1 && c->quota_channels <= 4096, "quota channels");
	check(c->quota_region_bytes >= 4096, "quota region_bytes");
	check(c->drain_ms <= 600000, "drain_ms");
	check(c->log_level >= RTE_LOG_EMERG && c->log_level <= RTE_LOG_DEBUG, "log level");
}

/* @p c as --check-config prints it, into a malloc'd string. */
static char *
print_conf(const struct netdmad_conf *c, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	check(f != NULL, "open_memstream");
	netdmad_config_print(c, f);
	check(fclose(f) == 0, "fclose");
	return text;
}

/* An accepted file, printed, read back: accepted, and printed the same. */
static void
check_round_trip(const struct netdmad_conf *c)
{
	struct netdmad_conf again;
	size_t len, len2;
	char *first = print_conf(c, &len), *second;
	const char *line, *eq;

	/* quoting may make [eal] args longer than rte_cfgfile reads (255): not read back */
	for (line = first; line != NULL; line = strchr(line + 1, '\n'))
		if ((eq = strstr(line, " = ")) != NULL &&
		    strcspn(eq + 3, "\n") >= CFG_VALUE_LEN - 1) {
			free(first);
			return;
		}
	check(ftruncate(printed, 0) == 0 && pwrite(printed, first, len, 0) == (ssize_t)len,
	      "writing the printed file");
	netdmad_config_defaults(&again);
	if (netdmad_config_load(&again, printed_path) != 0) {
		fprintf(stderr, "fuzz_config: refused what it printed:\n%s\n", first);
		abort();
	}
	second = print_conf(&again, &len2);
	if (len != len2 || memcmp(first, second, len) != 0) {
		fprintf(stderr, "fuzz_config: printed differently:\n%s\n---\n%s\n", first, second);
		abort();
	}
	free(first);
	free(second);
}

/* The word splitter on @p line: each word quoted splits back to itself alone. */
static void
check_words(const char *line)
{
	static char buf[512], buf2[1100], quoted[1100];
	char *words[NETDMAD_MAX_ARGS], *again[4];
	const char *why;
	int n, i;

	n = netdmad_split_words(line, buf, words, NETDMAD_MAX_ARGS, &why);
	check(n >= 0 || (why != NULL && (n == -EINVAL || n == -E2BIG)), "split: a result without a why");
	for (i = 0; i < n; i++) {
		check(words[i] >= buf && words[i] < buf + strlen(line) + 1, "split: a word outside buf");
		check(netdmad_quote_word(words[i], quoted, sizeof(quoted)) == 0, "quote: no room");
		check(netdmad_split_words(quoted, buf2, again, 4, &why) == 1 &&
		      strcmp(again[0], words[i]) == 0, "quote: the word does not come back");
	}
	if (n >= 0)
		check(words[n] == NULL, "split: no NULL after the last word");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netdmad_conf c;
	char lcores[256];
	unsigned int out[8];
	const uint8_t *nl;
	size_t k;
	int ret;

	if (ftruncate(file, 0) < 0 || pwrite(file, data, size, 0) != (ssize_t)size)
		return 0;
	netdmad_config_defaults(&c);
	ret = netdmad_config_load(&c, path);
	check(ret == 0 || ret == -EINVAL || ret == -ENOENT, "an unexpected error code");
	check_conf(&c);
	if (ret == 0)
		check_round_trip(&c);

	/* the lcore list parser alone, on the first line, with a small array */
	nl = memchr(data, '\n', size);
	k = nl != NULL ? (size_t)(nl - data) : size;
	if (k >= sizeof(lcores))
		k = sizeof(lcores) - 1;
	memcpy(lcores, data, k);
	lcores[k] = '\0';
	check_words(lcores);
	ret = netdmad_parse_lcores(lcores, out, 8);
	check(ret <= 8, "more lcores than room");
	for (ret = ret > 0 ? ret - 1 : -1; ret >= 0; ret--)
		check(out[ret] < 1024, "an lcore past 1023");
	return 0;
}
