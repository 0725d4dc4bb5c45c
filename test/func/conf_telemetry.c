/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process telemetry (/netdma/..., doc/telemetry.rst) read through this
 * process's own telemetry socket, as dpdk-telemetry.py reads it: more
 * channels than one list reply holds, listed a page at a time; a channel's
 * info after a verified copy; providers and pollers; junk parameters, over
 * the socket and straight into the callbacks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_telemetry.h>

#include "conf_dpdk.h"
#include "netdma_internal.h"
#include "netdma_telemetry.h"

#define NB_CHANS 600            /* more than a list reply's 512 ids */
#define REPLY_MAX 16384         /* the greeting's max_output_len */

static char reply[REPLY_MAX + 1];

/* ---- a telemetry client, and just enough JSON ---------------------------- */

static int
tel_recv(int fd)
{
	ssize_t n = recv(fd, reply, REPLY_MAX, 0);

	reply[n > 0 ? n : 0] = '\0';
	return n > 0 ? 0 : -1;
}

/* This process's socket: the instance whose greeting names our pid. */
static int
tel_open(void)
{
	struct timeval tv = { .tv_sec = 5 };
	char want[32];
	int i;

	snprintf(want, sizeof(want), "\"pid\":%d,", getpid());
	for (i = 0; i < 16; i++) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		snprintf(a.sun_path, sizeof(a.sun_path), i ? "%s/dpdk_telemetry.v2:%d" :
			 "%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir(), i);
		if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
		    connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && tel_recv(fd) == 0 &&
		    strstr(reply, want) != NULL)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

/* @return 0 with the answer in reply[], or -1 */
static int
tel(int fd, const char *cmd)
{
	if (send(fd, cmd, strlen(cmd), 0) < 0)
		return -1;
	return tel_recv(fd);
}

/* The error reply of @p cmd: {"<cmd without params>":null}. */
static bool
is_null(const char *cmd)
{
	char want[128];

	snprintf(want, sizeof(want), "{\"%.*s\":null}", (int)strcspn(cmd, ","), cmd);
	return strcmp(reply, want) == 0;
}

/* The ids of a list reply, ascending; -1 if it is no array. */
static int
ids_of(uint32_t *ids, int max)
{
	char *p = strchr(reply, '['), *end;
	int n = 0;

	if (p == NULL)
		return -1;
	for (p++; *p != ']' && n < max; p = *end == ',' ? end + 1 : end) {
		ids[n++] = (uint32_t)strtoul(p, &end, 10);
		if (end == p)
			return -1;
	}
	return n;
}

static bool
ascending(const uint32_t *ids, int n)
{
	int i;

	for (i = 1; i < n; i++)
		if (ids[i] <= ids[i - 1])
			return false;
	return true;
}

static bool
has(const uint32_t *ids, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static uint64_t
num(const char *key)
{
	char pat[64], *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(reply, pat);
	return p != NULL ? strtoull(p + strlen(pat), NULL, 10) : UINT64_MAX;
}

static const char *
str(const char *key)
{
	static char out[160];
	char pat[64], *p;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(reply, pat);
	if (p == NULL)
		return "(absent)";
	p += strlen(pat);
	snprintf(out, sizeof(out), "%.*s", (int)strcspn(p, "\""), p);
	return out;
}

/* ---- the fixture: NB_CHANS channels on a provider of their own ------------ */

static struct netdma_cpu_provider *prov;
static struct netdma_chan *chans[NB_CHANS];
static volatile uint64_t *cws;
static int fd = -1;

static int
suite_init(void)
{
	struct netdma_cpu_conf cc = { .name = "cpu-tel", .nb_channels = NB_CHANS, .ring_size = 32 };
	int i;

	if (netdma_cpu_provider_create(&cc, &prov) < 0)
		return 1;
	cws = netdma_mem_alloc(NB_CHANS * sizeof(*cws), 64);
	if (cws == NULL)
		return 1;
	for (i = 0; i < NB_CHANS; i++) {
		struct netdma_chan_conf c = { .completion_word = &cws[i] };

		if (netdma_chan_alloc(netdma_cpu_provider_id(prov), &c, &chans[i]) < 0)
			return 1;
	}
	fd = tel_open();
	return fd < 0;
}

static int
suite_cleanup(void)
{
	int i, bad = 0;

	if (fd >= 0)
		close(fd);
	for (i = 0; i < NB_CHANS; i++)
		if (chans[i] != NULL)
			bad |= netdma_chan_free(chans[i]) != 0;
	netdma_mem_free((void *)(uintptr_t)cws);
	if (prov != NULL)
		bad |= netdma_cpu_provider_destroy(prov) != 0;
	return bad;
}

static uint32_t
tel_id(int i)
{
	return chans[i]->id;
}

/* /netdma/channel/list: 512 ids, then the rest from the last + 1; every channel once. */
static void
t_channel_pages(void)
{
	static uint32_t all[NB_CHANS + 64];
	char cmd[64];
	int n1, n2, i;

	CU_ASSERT_EQUAL_FATAL(tel(fd, "/netdma/channel/list"), 0);
	n1 = ids_of(all, RTE_DIM(all));
	CU_ASSERT_EQUAL_FATAL(n1, NETDMA_TEL_LIST_MAX);   /* a full page, not a cut one */
	snprintf(cmd, sizeof(cmd), "/netdma/channel/list,%u", all[n1 - 1] + 1);
	CU_ASSERT_EQUAL_FATAL(tel(fd, cmd), 0);
	n2 = ids_of(all + n1, (int)RTE_DIM(all) - n1);
	CU_ASSERT_EQUAL(n1 + n2, NB_CHANS);
	CU_ASSERT_TRUE(ascending(all, n1 + n2));
	for (i = 0; i < NB_CHANS; i++)
		CU_ASSERT_TRUE(has(all, n1 + n2, tel_id(i)));
	/* past the last id: an empty page */
	snprintf(cmd, sizeof(cmd), "/netdma/channel/list,%u", all[n1 + n2 - 1] + 1);
	CU_ASSERT_EQUAL(tel(fd, cmd), 0);
	CU_ASSERT_STRING_EQUAL(reply, "{\"/netdma/channel/list\":[]}");
}

/* A verified copy on one channel, then its info; a freed channel is gone. */
static void
t_channel_info(void)
{
	const int k = NB_CHANS / 2;
	uint8_t *buf = netdma_mem_alloc(8192, 64);
	struct netdma_descriptor *d = netdma_mem_alloc(2 * sizeof(*d), 64);
	static uint32_t ids[NETDMA_TEL_LIST_MAX];
	uint64_t want;
	char cmd[64], word[24];
	uint32_t id;
	int i, n, spins;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (i = 0; i < 4096; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	d->transfer_size = 4096;
	d->source_address = netdma_virt2iova(buf);
	d->destination_address = netdma_virt2iova(buf + 4096);
	d->next_descriptor = netdma_virt2iova(d + 1);   /* 2.0: the pre-link */
	d->control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_start(chans[k], d, 1), 0);
	want = netdma_completion_encode(netdma_virt2iova(d), NETDMA_STATUS_IDLE);
	for (spins = 0; spins < 1000000 && netdma_completion_read(&cws[k]) != want; spins++)
		netdma_lcore_poll((unsigned int)netdma_chan_lcore(chans[k]));
	CU_ASSERT_EQUAL_FATAL(netdma_completion_read(&cws[k]), want);
	CU_ASSERT_EQUAL(memcmp(buf, buf + 4096, 4096), 0);

	snprintf(cmd, sizeof(cmd), "/netdma/channel/info,%u", tel_id(k));
	CU_ASSERT_EQUAL_FATAL(tel(fd, cmd), 0);
	CU_ASSERT_EQUAL(num("id"), tel_id(k));
	CU_ASSERT_EQUAL(num("provider"), netdma_cpu_provider_id(prov));
	CU_ASSERT_EQUAL(num("lcore"), (uint64_t)netdma_chan_lcore(chans[k]));
	CU_ASSERT_STRING_EQUAL(str("state"), "running");
	CU_ASSERT_STRING_EQUAL(str("version"), "2.0");
	snprintf(word, sizeof(word), "0x%016" PRIx64, want);
	CU_ASSERT_STRING_EQUAL(str("completion_word"), word);
	CU_ASSERT_EQUAL(num("starts"), 1);
	CU_ASSERT_EQUAL(num("descriptors_retired"), 1);
	CU_ASSERT_EQUAL(num("bytes_copied"), 4096);
	CU_ASSERT_EQUAL(num("outstanding"), 0);
	CU_ASSERT_STRING_EQUAL(str("last_error"), "");
	/* a neighbour never started */
	snprintf(cmd, sizeof(cmd), "/netdma/channel/info,%u", tel_id(k + 1));
	CU_ASSERT_EQUAL(tel(fd, cmd), 0);
	CU_ASSERT_STRING_EQUAL(str("state"), "allocated");
	CU_ASSERT_EQUAL(num("bytes_copied"), 0);

	/* freed: its info is the error reply, and it is out of the list */
	id = tel_id(k);
	CU_ASSERT_EQUAL_FATAL(netdma_chan_free(chans[k]), 0);
	chans[k] = NULL;
	CU_ASSERT_EQUAL(tel(fd, cmd), 0);   /* the neighbour is still there */
	CU_ASSERT_EQUAL(num("id"), tel_id(k + 1));
	snprintf(cmd, sizeof(cmd), "/netdma/channel/info,%u", id);
	CU_ASSERT_EQUAL(tel(fd, cmd), 0);
	CU_ASSERT_TRUE(is_null(cmd));
	snprintf(cmd, sizeof(cmd), "/netdma/channel/list,%u", id);
	CU_ASSERT_EQUAL(tel(fd, cmd), 0);
	n = ids_of(ids, RTE_DIM(ids));
	CU_ASSERT_TRUE(n > 0 && !has(ids, n, id) && has(ids, n, tel_id(k + 1)));
	netdma_mem_free(d);
	netdma_mem_free(buf);
}

static void
t_providers_pollers(void)
{
	static uint32_t ids[NETDMA_TEL_LIST_MAX];
	uint32_t me = netdma_cpu_provider_id(prov);
	unsigned int lcore = (unsigned int)netdma_chan_lcore(chans[0]);
	char cmd[64];
	int n;

	CU_ASSERT_EQUAL_FATAL(tel(fd, "/netdma/provider/list"), 0);
	n = ids_of(ids, RTE_DIM(ids));
	CU_ASSERT_TRUE(n >= 1 && has(ids, n, me) && ascending(ids, n));
	snprintf(cmd, sizeof(cmd), "/netdma/provider/info,%u", me);
	CU_ASSERT_EQUAL_FATAL(tel(fd, cmd), 0);
	CU_ASSERT_EQUAL(num("id"), me);
	CU_ASSERT_STRING_EQUAL(str("name"), "cpu-tel");
	CU_ASSERT_EQUAL(num("channels"), NB_CHANS);
	CU_ASSERT_EQUAL(num("channels_in_use"), NB_CHANS - 1);   /* one freed above */
	CU_ASSERT_EQUAL(num("started"), 1);
	snprintf(cmd, sizeof(cmd), "/netdma/provider/list,%u", me + 1);
	CU_ASSERT_EQUAL(tel(fd, cmd), 0);
	n = ids_of(ids, RTE_DIM(ids));
	CU_ASSERT_TRUE(n >= 0 && !has(ids, n, me));

	CU_ASSERT_EQUAL_FATAL(tel(fd, "/netdma/poller/list"), 0);
	n = ids_of(ids, RTE_DIM(ids));
	CU_ASSERT_TRUE(n >= 1 && has(ids, n, lcore));
	snprintf(cmd, sizeof(cmd), "/netdma/poller/info,%u", lcore);
	CU_ASSERT_EQUAL_FATAL(tel(fd, cmd), 0);
	CU_ASSERT_EQUAL(num("lcore"), lcore);
	CU_ASSERT_EQUAL(num("poller"), 0);   /* this test polls inline */
	CU_ASSERT_TRUE(num("channels") >= 1 && num("channels") <= NB_CHANS);
}

static const char *const commands[] = {
	"/netdma/channel/list", "/netdma/channel/info", "/netdma/provider/list",
	"/netdma/provider/info", "/netdma/poller/list", "/netdma/poller/info",
};

/* Parameters any local user may send: each gets the error reply, and the next command works. */
static void
t_junk_params(void)
{
	static const char *const junk[] = {
		"-1", "+1", " 1", "1 ", "0x10", "1,2", ",1", "4294967296", "99999999999999999999",
		"1e3", "abc", "%s%n%s", "\xff\xfe", "1\t", "18446744073709551617",
	};
	char cmd[1100];
	unsigned int c, j;

	for (c = 0; c < RTE_DIM(commands); c++) {
		for (j = 0; j < RTE_DIM(junk); j++) {
			snprintf(cmd, sizeof(cmd), "%s,%s", commands[c], junk[j]);
			CU_ASSERT_EQUAL_FATAL(tel(fd, cmd), 0);
			if (!is_null(cmd))
				printf("\n  %.60s -> %.120s\n", cmd, reply);
			CU_ASSERT_TRUE(is_null(cmd));
		}
		/* a long one, near what the socket reads at once */
		snprintf(cmd, sizeof(cmd), "%s,", commands[c]);
		memset(cmd + strlen(cmd), '7', 900);
		cmd[strlen(commands[c]) + 1 + 900] = '\0';
		CU_ASSERT_EQUAL_FATAL(tel(fd, cmd), 0);
		CU_ASSERT_TRUE(is_null(cmd));
		/* info with no id at all */
		if (strstr(commands[c], "/info") != NULL) {
			CU_ASSERT_EQUAL_FATAL(tel(fd, commands[c]), 0);
			CU_ASSERT_TRUE(is_null(commands[c]));
		}
	}
	/* an unknown id of each kind */
	CU_ASSERT_EQUAL(tel(fd, "/netdma/channel/info,4294967295"), 0);
	CU_ASSERT_TRUE(is_null("/netdma/channel/info"));
	CU_ASSERT_EQUAL(tel(fd, "/netdma/provider/info,4294967295"), 0);
	CU_ASSERT_TRUE(is_null("/netdma/provider/info"));
	CU_ASSERT_EQUAL(tel(fd, "/netdma/poller/info,4294967295"), 0);
	CU_ASSERT_TRUE(is_null("/netdma/poller/info"));
	/* still answering */
	CU_ASSERT_EQUAL(tel(fd, "/netdma/provider/list"), 0);
	CU_ASSERT_TRUE(ids_of((uint32_t[8]){ 0 }, 8) >= 1);
}

/*
 * Random parameters straight into the callbacks: whatever comes, a callback
 * answers only to a plain decimal number (or nothing, for a list).
 */
static void
t_random_params(void)
{
	static const telemetry_cb fns[] = {
		netdma_tel_chan_list, netdma_tel_chan_info, netdma_tel_provider_list,
		netdma_tel_provider_info, netdma_tel_poller_list, netdma_tel_poller_info,
	};
	unsigned int seed = 12345, iter, c;
	char p[32];

	for (iter = 0; iter < 20000; iter++) {
		unsigned int len = rand_r(&seed) % 24, i;
		bool digits = len > 0;
		struct rte_tel_data *d;
		int ret;

		for (i = 0; i < len; i++) {
			/* half digits, so that numbers of every size come up too */
			p[i] = rand_r(&seed) % 2 ? (char)('0' + rand_r(&seed) % 10) :
				(char)(1 + rand_r(&seed) % 255);
			digits &= p[i] >= '0' && p[i] <= '9';
		}
		p[len] = '\0';
		c = iter % RTE_DIM(fns);
		d = rte_tel_data_alloc();
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		ret = fns[c](commands[c], p, d);
		rte_tel_data_free(d);
		if (ret == 0 && !digits && len > 0)
			CU_FAIL("a callback took parameters that are not a number");
		CU_ASSERT_TRUE(ret == 0 || ret == -EINVAL || ret == -ENOENT);
	}
}

int
conf_add_telemetry(void)
{
	CU_pSuite s = CU_add_suite("telemetry (in-process)", suite_init, suite_cleanup);

	if (s == NULL ||
	    !CU_add_test(s, "600 channels, listed 512 at a time", t_channel_pages) ||
	    !CU_add_test(s, "a channel's info after a verified copy", t_channel_info) ||
	    !CU_add_test(s, "providers and pollers", t_providers_pollers) ||
	    !CU_add_test(s, "junk parameters over the socket", t_junk_params) ||
	    !CU_add_test(s, "random parameters into the callbacks", t_random_params))
		return -1;
	return 0;
}
