/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad's telemetry at counts that used to be cut (doc/telemetry.rst), read
 * through the real dpdk-telemetry.py by telemetry_check.py:
 *  - 200 channels of 4 clients, each having copied a size of its own: every
 *    id listed, every info right, junk parameters refused;
 *  - 20 dma_skeleton devices and the software engine, 21 providers: more
 *    than a page of NETDMA_MSG_PROVIDERS, so a client finds the last one by
 *    name, and copies through it.
 * Each daemon has a file prefix of its own (with our pid): its telemetry
 * socket is known and shared with no other run.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "netdma.h"
#include "netdma_client.h"
#include "daemon_raw.h"
#include "daemon_util.h"

#define CLIENTS    4
#define PER_CLIENT 50                 /* 200 channels in all */
#define SLOT       (64 * PER_CLIENT)  /* the largest copy, channel PER_CLIENT - 1 */
#define SKELETONS  20

static const char *bin;
static struct private_daemon dm;
static char prefix[48];

/* ---- 200 channels ---------------------------------------------------------- */

static int
chans_init(void)
{
	char config[512];

	snprintf(prefix, sizeof(prefix), "netdma-tel-%d", (int)getpid());
	snprintf(config, sizeof(config),
		 "[eal]\nargs = -l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci "
		 "--file-prefix=%s --log-level=lib.eal:error\n"
		 "[engines]\ncpu = on\ncpu_channels = 256\nversion = 2.0\ndmadev = none\n"
		 "[pollers]\nlcores = 1\n"
		 "[quota]\nchannels = %u\nprovider_share = 100\n[log]\nlevel = warning\n",
		 prefix, PER_CLIENT);
	return private_daemon_start(&dm, bin, "tel", config) == 0 ? 0 : 1;
}

/* The daemon, then its EAL runtime directory: named with our pid, no later run reuses it. */
static int
tel_cleanup(void)
{
	char dir[128];
	int ret = private_daemon_stop(&dm);

	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	rmdir(dir);   /* empty once netdmad is gone; as root only (dpdk-telemetry.py's place too) */
	return ret;
}

/*
 * A client: PER_CLIENT channels on "cpu", channel k copying 64 * (k + 1)
 * bytes in one descriptor, each verified (bytes and completion word); then
 * say so on @p ready and hold them all until @p go says to free them.
 */
static int
hold_channels(int ready, int go)
{
	struct netdma_chan *ch[PER_CLIENT];
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	uint8_t *buf;
	double deadline;
	int id, k, i;
	char byte = 1;

	if (netdma_client_connect(dm.sock) < 0)
		return 20;
	d = netdma_mem_alloc(2 * PER_CLIENT * sizeof(*d), 64);   /* each with its pre-link slot */
	buf = netdma_mem_alloc(2 * PER_CLIENT * SLOT, 64);
	cw = netdma_mem_alloc(PER_CLIENT * 64, 64);
	id = netdma_provider_find("cpu");
	if (d == NULL || buf == NULL || cw == NULL || id < 0)
		return 21;
	for (i = 0; i < PER_CLIENT * SLOT; i++)
		buf[i] = (uint8_t)(i * 11 + getpid());
	for (k = 0; k < PER_CLIENT; k++) {
		struct netdma_chan_conf cc = { .completion_word = &cw[8 * k] };
		struct netdma_descriptor *x = &d[2 * k];

		if (netdma_chan_alloc((uint32_t)id, &cc, &ch[k]) < 0)
			return 22;
		x->transfer_size = 64 * (k + 1);
		x->source_address = netdma_virt2iova(buf + k * SLOT);
		x->destination_address = netdma_virt2iova(buf + (PER_CLIENT + k) * SLOT);
		x->next_descriptor = netdma_virt2iova(x + 1);
		x->control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
		if (netdma_chan_start(ch[k], x, 1) < 0)
			return 23;
	}
	deadline = now() + 20;
	for (k = 0; k < PER_CLIENT; k++) {
		uint64_t want = netdma_completion_encode(netdma_virt2iova(&d[2 * k]), NETDMA_STATUS_IDLE);

		while (netdma_completion_read(&cw[8 * k]) != want && now() < deadline)
			usleep(100);
		if (netdma_completion_read(&cw[8 * k]) != want)
			return 24;
		if (memcmp(buf + k * SLOT, buf + (PER_CLIENT + k) * SLOT, 64 * (k + 1)) != 0)
			return 25;
	}
	if (write(ready, &byte, 1) != 1)
		return 26;
	if (poll(&(struct pollfd){ .fd = go, .events = POLLIN }, 1, 120000) != 1 ||
	    read(go, &byte, 1) != 1)
		return 27;
	for (k = 0; k < PER_CLIENT; k++)
		if (netdma_chan_free(ch[k]) < 0)
			return 28;
	return 0;
}

/* Run telemetry_check.py @p args against this suite's daemon; @return its exit status. */
static int
run_checker(const char *args)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "python3 %s %s --prefix %s", TELEMETRY_CHECK, args, prefix);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
t_200_channels(void)
{
	int ready[CLIENTS][2], go[CLIENTS][2], c, st;
	pid_t pid[CLIENTS];
	char args[256], *p = args;
	bool all_ready = true;

	p += snprintf(p, sizeof(args), "channels --per-client %u --pids ", PER_CLIENT);
	for (c = 0; c < CLIENTS; c++) {
		CU_ASSERT_FATAL(pipe(ready[c]) == 0 && pipe(go[c]) == 0);
		pid[c] = fork();
		CU_ASSERT_FATAL(pid[c] >= 0);
		if (pid[c] == 0)
			_exit(hold_channels(ready[c][1], go[c][0]));
		p += snprintf(p, sizeof(args) - (size_t)(p - args), "%s%d", c ? "," : "", (int)pid[c]);
	}
	for (c = 0; c < CLIENTS; c++) {
		char byte;

		/* a client that failed closes its end without a word */
		close(ready[c][1]);
		all_ready &= poll(&(struct pollfd){ .fd = ready[c][0], .events = POLLIN }, 1, 60000) == 1 &&
			read(ready[c][0], &byte, 1) == 1;
	}
	CU_ASSERT_TRUE(all_ready);
	if (all_ready)
		CU_ASSERT_EQUAL(run_checker(args), 0);
	for (c = 0; c < CLIENTS; c++) {
		if (write(go[c][1], "g", 1) != 1)
			kill(pid[c], SIGKILL);
		CU_ASSERT_EQUAL(waitpid(pid[c], &st, 0), pid[c]);
		CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fprintf(stderr, "\n  client %d: status 0x%x\n", c, st);
		close(ready[c][0]);
		close(go[c][0]);
		close(go[c][1]);
	}
}

/*
 * A raw client names itself with bytes that are no valid UTF-8, a quote, a
 * backslash and control characters: its info is still JSON, with each of
 * them replaced.
 */
static void
t_hostile_client_name(void)
{
	static const char name[] = "\xff\xfe\"\\\n\tab{c}\x80";
	static const char want[] = "?" "?'?" "??ab{c}?";   /* split: no trigraph */
	struct netdma_msg_hello h;
	char args[128], *p = args;
	size_t i;
	int fd = raw_connect(dm.sock);

	CU_ASSERT_FATAL(fd >= 0);
	raw_hdr(&h, NETDMA_MSG_HELLO, sizeof(h));
	h.min_version = h.max_version = NETDMA_PROTO_VERSION;
	h.pid = (uint32_t)getpid();
	memcpy(h.name, name, sizeof(name));
	CU_ASSERT_EQUAL_FATAL(raw_call(fd, &h, sizeof(h), -1, NULL, 0, NULL), 0);
	p += snprintf(p, sizeof(args), "client-name --pids %d --names ", (int)getpid());
	for (i = 0; i < sizeof(want) - 1; i++)
		p += snprintf(p, sizeof(args) - (size_t)(p - args), "%02x", (unsigned char)want[i]);
	CU_ASSERT_EQUAL(run_checker(args), 0);
	close(fd);
}

/* ---- 21 providers ------------------------------------------------------------ */

/*
 * 20 --vdev options are longer than an [eal] args value may be (rte_cfgfile
 * reads 255 characters), so EAL's arguments go on the command line, the
 * DPDK way: EAL's, then -- and netdmad's.
 */
static int
providers_init(void)
{
	static char vdev[SKELETONS][32], file_prefix[64];
	char *argv[32 + SKELETONS] = { (char *)bin, "-l", "0-1", "--no-huge", "--no-shconf",
		"--iova-mode=va", "--no-pci", file_prefix, "--log-level=lib.eal:error" };
	int i, n = 9;

	snprintf(prefix, sizeof(prefix), "netdma-tel-%d-p", (int)getpid());
	snprintf(file_prefix, sizeof(file_prefix), "--file-prefix=%s", prefix);
	for (i = 0; i < SKELETONS; i++) {
		snprintf(vdev[i], sizeof(vdev[i]), "--vdev=dma_skeleton%d", i);
		argv[n++] = vdev[i];
	}
	argv[n++] = "--";
	argv[n++] = "--config";
	argv[n++] = dm.ini;
	argv[n++] = "--socket";
	argv[n++] = dm.sock;
	snprintf(dm.dir, sizeof(dm.dir), "/tmp/netdmad-tel-prov-XXXXXX");
	if (mkdtemp(dm.dir) == NULL)
		return 1;
	snprintf(dm.sock, sizeof(dm.sock), "%s/netdmad.sock", dm.dir);
	snprintf(dm.ini, sizeof(dm.ini), "%s/netdmad.ini", dm.dir);
	snprintf(dm.log, sizeof(dm.log), "%s/netdmad.log", dm.dir);
	if (write_file(dm.ini, "[engines]\ncpu = on\ncpu_channels = 4\ndmadev_channels = 4\n"
		       "version = 2.0\ndmadev = all\nrequire_dmadev = yes\n[pollers]\nlcores = 1\n"
		       "[log]\nlevel = warning\n") < 0)
		return 1;
	dm.pid = daemon_wait_up(netdmad_spawn(argv, dm.log), dm.sock);
	return dm.pid > 0 ? 0 : 1;
}

/* The client's own view: every provider, over two pages; the last found by name and used. */
static int
child_last_provider(void *arg)
{
	struct netdma_provider_info info[64];
	char name[32];
	int n, i, id;

	(void)arg;
	if (netdma_client_connect(dm.sock) < 0)
		return 30;
	n = netdma_provider_list(info, 64);
	if (n != SKELETONS + 1)
		return 31;
	for (i = 1; i < n; i++)
		if (info[i].id <= info[i - 1].id)
			return 32;
	for (i = 0; i < SKELETONS; i++) {
		int j;

		snprintf(name, sizeof(name), "dma_skeleton%d", i);
		for (j = 0; j < n && strcmp(info[j].name, name) != 0; j++)
			;
		id = netdma_provider_find(name);
		if (j == n || id < 0 || (uint32_t)id != info[j].id)
			return 33;
	}
	/* fewer slots than providers: the count is still all of them */
	if (netdma_provider_list(info, 3) != SKELETONS + 1 || netdma_provider_list(NULL, 0) != n)
		return 34;
	if (netdma_provider_find("dma_skeleton20") != -ENOENT)
		return 35;
	/* bytes and completion word checked */
	return copy_once("dma_skeleton19", 256 << 10, 4096) == 0 ? 0 : 36;
}

/* Run @p cmd; @return the lines of its output that hold @p needle, or -1 if it failed. */
static int
run_count(const char *cmd, const char *needle)
{
	char out[160], line[640];

	snprintf(out, sizeof(out), "%s/out.txt", dm.dir);
	snprintf(line, sizeof(line), "%s > %s", cmd, out);
	return system(line) == 0 ? (int)file_count_lines(out, needle) : -1;
}

static void
t_last_of_21_providers(void)
{
	/* netdma-copy is beside netdmad in the build tree (app/netdmad/) */
	const char *slash = strrchr(bin, '/');
	int dir = slash != NULL ? (int)(slash - bin) : 1, i;
	char args[512], cmd[512], *p = args;

	CU_ASSERT_EQUAL(in_child(child_last_provider, NULL), 0);
	/* the issue's own symptom: --list cut at 16, "no provider named" */

	snprintf(cmd, sizeof(cmd), "%.*s/../netdma-copy/netdma-copy --socket %s --list", dir,
		 slash != NULL ? bin : ".", dm.sock);
	CU_ASSERT_EQUAL(run_count(cmd, "NetDMA 2.0"), SKELETONS + 1);
	CU_ASSERT_EQUAL(run_count(cmd, " dma_skeleton19 "), 1);
	snprintf(cmd, sizeof(cmd), "%.*s/../netdma-copy/netdma-copy --socket %s --provider "
		 "dma_skeleton19 --size 1M", dir, slash != NULL ? bin : ".", dm.sock);
	CU_ASSERT_EQUAL(run_count(cmd, "copied and verified"), 1);
	p += snprintf(p, sizeof(args), "providers --names cpu");
	for (i = 0; i < SKELETONS; i++)
		p += snprintf(p, sizeof(args) - (size_t)(p - args), ",dma_skeleton%d", i);
	CU_ASSERT_EQUAL(run_checker(args), 0);
}

int
telemetry_suite_add(const char *netdmad_bin)
{
	CU_pSuite s = CU_add_suite("netdmad telemetry: 200 channels", chans_init, tel_cleanup);
	CU_pSuite p = CU_add_suite("netdmad telemetry: 21 providers", providers_init, tel_cleanup);

	bin = netdmad_bin;
	if (s == NULL || p == NULL ||
	    !CU_add_test(s, "4 clients x 50 channels through dpdk-telemetry.py", t_200_channels) ||
	    !CU_add_test(s, "a client's name of hostile bytes", t_hostile_client_name) ||
	    !CU_add_test(p, "the last of 21 providers by name; the list through dpdk-telemetry.py",
			 t_last_of_21_providers))
		return -1;
	return 0;
}
