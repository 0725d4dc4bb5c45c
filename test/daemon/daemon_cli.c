/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad's command line and config validation, on real netdmad processes:
 * every bad input is refused with a line naming it, before anything starts
 * (no socket, no lock); --check-config prints what it reads back the same;
 * EAL options before --; --version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "netdma.h"
#include "netdma_client.h"
#include "daemon_util.h"

#define PREFIX "netdma-cli"
#define EAL_ARGS "-l", "0-1", "--no-huge", "--no-shconf", "--iova-mode=va", "--no-pci", \
	"--vdev=dma_skeleton,lcore=0", "--file-prefix=" PREFIX, "--log-level=lib.eal:error"

static const char *netdmad_bin;
static struct private_daemon pd;   /* its directory and file names; its own daemons */

static int
cli_init(void)
{
	return private_dir_make(&pd, "cli") < 0 ? 1 : 0;
}

static int
cli_cleanup(void)
{
	return private_dir_remove(&pd);
}

#define log_has(what) file_has(pd.log, (what), true)

/* Nothing started: no socket, no lock file (removed if there: one failure, one report). */
static bool
nothing_started(void)
{
	char lock[128];
	bool none;

	snprintf(lock, sizeof(lock), "%s.lock", pd.sock);
	none = access(pd.sock, F_OK) != 0 && access(lock, F_OK) != 0;
	unlink(pd.sock);
	unlink(lock);
	return none;
}

/* netdmad [EAL] -- --config INI --socket SOCK [extra], on a config of @p body. */
static int
run_on(const char *body, const char *extra_opt, const char *extra_val)
{
	char *const argv[] = { (char *)netdmad_bin, EAL_ARGS, "--", "--config", pd.ini, "--socket", pd.sock,
			       (char *)extra_opt, (char *)extra_val, NULL };

	if (write_file(pd.ini, body) < 0)
		return -1;
	return netdmad_run(argv, pd.log);
}

/* One bad input: the file, then the words its error line must hold. */
static const struct bad_config {
	const char *body;
	const char *want[3];
} bad_configs[] = {
	{ "[sokcet]\npath = /tmp/x.sock\n", { "[sokcet]: unknown section", "[socket]" } },
	{ "[socket]\nmdoe = 0600\n", { "[socket] mdoe = '0600': unknown key", "takes path, mode, group" } },
	{ "[engines]\ncpu_channels = 12x\n",
	  { "[engines] cpu_channels = '12x' is not valid", "a number from 1 to 256" } },
	{ "[quota]\nprovider_share = 101\n",
	  { "[quota] provider_share = '101' is not valid", "a number from 1 to 100" } },
	{ "[limits]\nconnections = -1\n", { "[limits] connections = '-1' is not valid", "1 to 65536" } },
	{ "[socket]\nmode = abc\n", { "[socket] mode = 'abc' is not valid", "octal, 0 to 0777" } },
	{ "[socket]\nmode = 1777\n", { "[socket] mode = '1777' is not valid", "octal" } },
	{ "[engines]\ncpu = maybe\n", { "[engines] cpu = 'maybe' is not valid", "yes or no" } },
	{ "[engines]\nversion = 3.0\n", { "[engines] version = '3.0' is not valid", "1.0, 1.1 or 2.0" } },
	{ "[pollers]\nlcores = 1-\n", { "[pollers] lcores = '1-' is not valid", "lcores 0 to 1023" } },
	{ "[log]\nlevel = loud\n", { "[log] level = 'loud' is not valid", "notice, info or debug" } },
	{ "[socket]\ngroup = no-such-group-netdma\n",
	  { "[socket] group = 'no-such-group-netdma' is not valid", "no such group" } },
	{ "[eal]\nargs = -l '0-1 --no-huge\n", { "[eal] args = '-l '0-1 --no-huge' is not valid",
						 "without its closing" } },
	{ "[eal]\nargs = -l 0-1 \"a\rb\"\n", { "[eal] args = ", "a control character" } },
	{ "[eal]\nargs = -l 0-1 --vdev=x\\;y\n", { "[eal] args = ", "a ';' (the config file's comment" } },
	{ "[engines]\ncpu_channels = 4\ncpu_channels = 5\n",
	  { "[engines] cpu_channels is set twice ('4', then '5')" } },
	{ "[engines]\ncpu = on\n[engines]\ncpu_channels = 4\n", { "[engines] appears twice" } },
	{ "[socket]\nmode 0600\n", { ":2: 'mode 0600' is neither a [section] nor key = value" } },
	{ "[dmadev dma_skeleton]\nring_sise = 512\n",
	  { "[dmadev dma_skeleton] ring_sise = '512': unknown key", "ring_size" } },
	{ "[dmadev dma_skeleton]\nlcore = 5000\n",
	  { "[dmadev dma_skeleton] lcore = '5000' is not valid", "or auto" } },
	{ "[dmadev]\nring_size = 512\n", { "[dmadev]: unknown section", "[dmadev NAME]" } },
};

/* Each bad input above: refused, exit non-zero, named, and nothing started. */
static void
t_bad_configs(void)
{
	unsigned int i, j;

	for (i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++) {
		const struct bad_config *b = &bad_configs[i];
		int st = run_on(b->body, NULL, NULL);

		CU_ASSERT(st > 0);
		CU_ASSERT(log_has(pd.ini));                  /* the file named */
		for (j = 0; j < 3 && b->want[j] != NULL; j++)
			CU_ASSERT(log_has(b->want[j]));
		CU_ASSERT(log_has("netdmad does not start"));
		CU_ASSERT(nothing_started());
	}
}

/* Values over what rte_cfgfile reads: refused, never cut. */
static void
t_long_values(void)
{
	char body[1024], want[128];

	/* 300 characters: rte_cfgfile would cut it at 255 */
	snprintf(body, sizeof(body), "[engines]\ndmadev = %0300d\n", 0);
	CU_ASSERT(run_on(body, NULL, NULL) > 0);
	CU_ASSERT(log_has("[engines] dmadev: a value of 300 characters; at most 255"));
	CU_ASSERT(nothing_started());
	/* EAL arguments: where the longer ones go */
	snprintf(body, sizeof(body), "[eal]\nargs = -l 0-1 --vdev=%0270d\n", 0);
	CU_ASSERT(run_on(body, NULL, NULL) > 0);
	snprintf(want, sizeof(want), "[eal] args: a value of %zu characters; at most 255",
		 strlen("-l 0-1 --vdev=") + 270);
	CU_ASSERT(log_has(want));
	CU_ASSERT(log_has("on the command line, before --"));
	CU_ASSERT(nothing_started());
	/* a line past rte_cfgfile's buffer */
	snprintf(body, sizeof(body), "[eal]\nargs = -l 0-1 --vdev=%0500d\n", 0);
	CU_ASSERT(run_on(body, NULL, NULL) > 0);
	CU_ASSERT(log_has(":2: a line of"));
	CU_ASSERT(nothing_started());
}

/* Bad option values and misplaced options: refused with the option named. */
static void
t_bad_options(void)
{
	static const char good[] = "[log]\nlevel = warning\n";
	char *const before[] = { (char *)netdmad_bin, "--config", pd.ini, NULL };
	char *const missing[] = { (char *)netdmad_bin, "--", "--config", "/nonexistent/netdmad.ini",
				  NULL };
	char *const eal_after[] = { (char *)netdmad_bin, "--", "-l", "0-1", NULL };

	CU_ASSERT(run_on(good, "--socket-mode", "abc") > 0);
	CU_ASSERT(log_has("--socket-mode: [socket] mode = 'abc' is not valid: octal"));
	CU_ASSERT(nothing_started());
	CU_ASSERT(run_on(good, "--pollers", "x") > 0);
	CU_ASSERT(log_has("--pollers: [pollers] lcores = 'x' is not valid"));
	CU_ASSERT(run_on(good, "--netdma-version", "3.0") > 0);
	CU_ASSERT(log_has("--netdma-version: [engines] version = '3.0' is not valid"));
	CU_ASSERT(run_on(good, "--socket-group", "no-such-group-netdma") > 0);
	CU_ASSERT(log_has("no such group"));
	CU_ASSERT(run_on(good, "--log-level", "loud") > 0);
	CU_ASSERT(log_has("--log-level: [log] level = 'loud' is not valid"));
	CU_ASSERT(nothing_started());

	/* a netdmad option where EAL's go: said so, not an EAL error */
	CU_ASSERT(netdmad_run(before, pd.log) > 0);
	CU_ASSERT(log_has("--config is a netdmad option: put netdmad options after --"));
	CU_ASSERT(!file_has(pd.log, "EAL: ", false));
	/* an EAL option after -- */
	CU_ASSERT(netdmad_run(eal_after, pd.log) > 0);
	CU_ASSERT(log_has("EAL options such as -l and -a go before --"));
	/* a missing file: said so, not the usage */
	CU_ASSERT(netdmad_run(missing, pd.log) > 0);
	CU_ASSERT(log_has("cannot open /nonexistent/netdmad.ini: No such file or directory"));
	CU_ASSERT(!file_has(pd.log, "Usage", false));
	CU_ASSERT(nothing_started());
}

/* --check-config: every key printed, defaults included; printed back, the same. */
static void
t_check_config_round_trip(void)
{
	static char first[16384], second[16384];
	char again[128], out2[128];
	char *const check[] = { (char *)netdmad_bin, "--", "--check-config", pd.ini, NULL };
	char *const check2[] = { (char *)netdmad_bin, "--", "--check-config", again, NULL };
	char *const bad[] = { (char *)netdmad_bin, "--", "--check-config", again, NULL };

	snprintf(again, sizeof(again), "%s/again.ini", pd.dir);
	snprintf(out2, sizeof(out2), "%s/again.log", pd.dir);
	CU_ASSERT_EQUAL_FATAL(write_file(pd.ini, "[eal]\nargs = -l 0-1 \"--vdev=net_null0,size=64 x\" "
					 "--no-huge 'it''s'\n[engines]\ncpu_channels = 5\nburst = 2\n"
					 "version = 1.1\n[socket]\nmode = 0600\n[limits]\nregions = 9\n"
					 "[dmadev dma_skeleton]\nring_size = 512\nlcore = 1\n"), 0);
	CU_ASSERT_EQUAL(netdmad_run(check, pd.log), 0);
	read_file(pd.log, first, sizeof(first));
	/* what was set, what was not (defaults), quoting kept */
	CU_ASSERT(strstr(first, "\ncpu_channels = 5\n") != NULL);
	CU_ASSERT(strstr(first, "\nversion = 1.1\n") != NULL);
	CU_ASSERT(strstr(first, "\nmode = 0600\n") != NULL);
	CU_ASSERT(strstr(first, "\ndrain_ms = 2000\n") != NULL);
	CU_ASSERT(strstr(first, "\nhello_timeout_ms = 2000\n") != NULL);
	CU_ASSERT(strstr(first, "\nregions = 9\n") != NULL);
	CU_ASSERT(strstr(first, "\nargs = -l 0-1 '--vdev=net_null0,size=64 x' --no-huge its\n") != NULL);
	CU_ASSERT(strstr(first, "[dmadev dma_skeleton]\nring_size = 512\nburst = default\n") != NULL);
	CU_ASSERT(strstr(first, "\nlcore = 1\n") != NULL);
	CU_ASSERT(strstr(first, "\ngroup = \n") != NULL);

	CU_ASSERT_EQUAL_FATAL(write_file(again, first), 0);
	CU_ASSERT_EQUAL(netdmad_run(check2, out2), 0);
	CU_ASSERT_STRING_EQUAL(read_file(out2, second, sizeof(second)), first);
	CU_ASSERT(nothing_started());

	/* a bad file: the errors, exit 1 */
	CU_ASSERT_EQUAL_FATAL(write_file(again, "[engines]\ncpu_channels = 0\n[bogus]\n"), 0);
	CU_ASSERT_EQUAL(netdmad_run(bad, pd.log), 1);
	CU_ASSERT(log_has("[engines] cpu_channels = '0' is not valid"));
	CU_ASSERT(log_has("[bogus]: unknown section"));
}

/* --version and --help, before or after --. */
static void
t_version_help(void)
{
	char *const v1[] = { (char *)netdmad_bin, "--version", NULL };
	char *const v2[] = { (char *)netdmad_bin, "--", "--version", NULL };
	char *const h1[] = { (char *)netdmad_bin, "--help", NULL };
	char *const h2[] = { (char *)netdmad_bin, "-l", "0-1", "--", "-h", NULL };
	char buf[256];

	CU_ASSERT_EQUAL(netdmad_run(v1, pd.log), 0);
	read_file(pd.log, buf, sizeof(buf));
	CU_ASSERT(strncmp(buf, "netdmad ", 8) == 0 && buf[8] >= '0' && buf[8] <= '9');
	CU_ASSERT_EQUAL(netdmad_run(v2, pd.log), 0);
	CU_ASSERT(log_has("netdmad "));
	CU_ASSERT_EQUAL(netdmad_run(h1, pd.log), 0);
	CU_ASSERT(log_has("[EAL options] -- [netdmad options]"));
	CU_ASSERT(log_has("--netdma-version"));
	CU_ASSERT_EQUAL(netdmad_run(h2, pd.log), 0);
	CU_ASSERT(log_has("--check-config FILE"));
	CU_ASSERT(nothing_started());
}

static int
child_copy(void *arg)
{
	int ret;

	if (netdma_client_connect(arg) < 0)
		return 20;
	ret = copy_once("cpu", 1u << 20, 4096);
	if (ret == 0)
		ret = copy_once("dma_skeleton", 256u << 10, 4096);
	netdma_client_disconnect();
	return ret;
}

/*
 * EAL options first: they are EAL's, and the config's [eal] args (that EAL
 * would refuse) are not used.
 */
static void
t_eal_first(void)
{
	char *const argv[] = { (char *)netdmad_bin, EAL_ARGS, "--", "--config", pd.ini, "--socket", pd.sock,
			       NULL };
	pid_t pid;

	CU_ASSERT_EQUAL_FATAL(write_file(pd.ini, "[eal]\nargs = --no-such-eal-option\n"
					 "[log]\nlevel = notice\n"), 0);
	pid = daemon_wait_up(netdmad_spawn(argv, pd.log), pd.sock);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT(log_has("ready on"));
	CU_ASSERT_EQUAL(in_child(child_copy, pd.sock), 0);
	CU_ASSERT_EQUAL(daemon_stop(pid), 0);
	CU_ASSERT(access(pd.sock, F_OK) != 0);
}

int
cli_suite_add(const char *bin)
{
	CU_pSuite s = CU_add_suite("netdmad command line and config", cli_init, cli_cleanup);

	netdmad_bin = bin;
	if (s == NULL ||
	    !CU_add_test(s, "bad config files: refused, named, nothing started", t_bad_configs) ||
	    !CU_add_test(s, "values over rte_cfgfile's limit: refused, never cut", t_long_values) ||
	    !CU_add_test(s, "bad and misplaced options", t_bad_options) ||
	    !CU_add_test(s, "--check-config prints what it reads back the same",
			 t_check_config_round_trip) ||
	    !CU_add_test(s, "--version and --help", t_version_help) ||
	    !CU_add_test(s, "EAL options before --", t_eal_first))
		return -1;
	return 0;
}
