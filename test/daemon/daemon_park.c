/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad's idle pollers park, and a client's doorbell wakes them; a client
 * holds more channels than fit one control region.  Its own daemon: a park
 * timeout of a minute, so that only the doorbell can finish a request in
 * time, and a file prefix of its own so its telemetry socket is known.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "netdma.h"
#include "netdma_client.h"
#include "daemon_raw.h"
#include "daemon_util.h"

#define PREFIX "netdma-test-park"
#define MANY   70      /* more than the 64 command rings of one control region */

static const char *bin;
static struct private_daemon dm;

static int
suite_init(void)
{
	return private_daemon_start(&dm, bin, "park",
		"[eal]\nargs = -l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci "
		"--file-prefix=" PREFIX " --log-level=lib.eal:error\n"
		"[engines]\ncpu = on\ncpu_channels = 96\nversion = 2.0\ndmadev = none\n"
		"[pollers]\nlcores = 1\npark_after_us = 1000\npark_timeout_ms = 60000\n"
		"[quota]\nchannels = 96\nprovider_share = 100\n[log]\nlevel = warning\n") == 0 ? 0 : 1;
}

static int
suite_cleanup(void)
{
	return private_daemon_stop(&dm);
}

/* One counter of lcore 1's poller: {"/netdmad/pollers": {"1": {"parks": N, ...}}}. */
static long long
poller_counter(const char *name)
{
	return telemetry_value(PREFIX, "/netdmad/pollers", "1", name);
}

static int
child_copy_after_quiet(void *arg)
{
	(void)arg;
	if (netdma_client_connect(dm.sock) < 0)
		return 20;
	if (copy_once("cpu", 1u << 20, 4096) != 0)
		return 21;
	usleep(300000);   /* the poller parks after 1 ms without work */
	if (poller_counter("parks") < 1)
		return 22;
	/* a minute's park timeout, a 5 s client timeout: only the doorbell helps */
	if (copy_once("cpu", 1u << 20, 4096) != 0)
		return 23;
	if (poller_counter("wakeups") < 1)
		return 24;
	return 0;
}

static void
t_doorbell(void)
{
	CU_ASSERT_EQUAL(in_child(child_copy_after_quiet, NULL), 0);
}

/* MANY channels in one client, one 64-byte descriptor each, all verified. */
static int
child_many_channels(void *arg)
{
	struct netdma_chan *ch[MANY];
	struct netdma_descriptor *d;
	uint8_t *buf, *cws;
	int id, i, ret = 0;
	double deadline;

	(void)arg;
	if (netdma_client_connect(dm.sock) < 0)
		return 29;
	d = netdma_mem_alloc(sizeof(*d) * MANY, 64);
	buf = netdma_mem_alloc(128 * MANY, 64);
	cws = netdma_mem_alloc(64 * MANY, 64);
	if (d == NULL || buf == NULL || cws == NULL)
		return 30;
	id = netdma_provider_find("cpu");
	if (id < 0)
		return 31;
	for (i = 0; i < 64 * MANY; i++)
		buf[i] = (uint8_t)(i * 13 + 5);
	for (i = 0; i < MANY; i++) {
		struct netdma_chan_conf cc = { .completion_word = (volatile uint64_t *)(cws + 64 * i) };

		if (netdma_chan_alloc((uint32_t)id, &cc, &ch[i]) < 0)
			return 32;
		d[i].transfer_size = 64;
		d[i].source_address = netdma_virt2iova(buf + 64 * i);
		d[i].destination_address = netdma_virt2iova(buf + 64 * (MANY + i));
		d[i].next_descriptor = netdma_virt2iova(&d[(i + 1) % MANY]);
		d[i].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
		if (netdma_chan_start(ch[i], &d[i], 1) < 0)
			return 33;
	}
	deadline = now() + 10;
	for (i = 0; i < MANY; i++) {
		volatile uint64_t *cw = (volatile uint64_t *)(cws + 64 * i);
		uint64_t want = netdma_completion_encode(netdma_virt2iova(&d[i]), NETDMA_STATUS_IDLE);

		while (netdma_completion_read(cw) != want && now() < deadline)
			;
		if (netdma_completion_read(cw) != want)
			ret = 34;
	}
	if (memcmp(buf, buf + 64 * MANY, 64 * MANY) != 0)
		ret = 35;
	for (i = 0; i < MANY; i++)
		if (netdma_chan_free(ch[i]) < 0)
			ret = 36;
	return ret;
}

static void
t_many_channels(void)
{
	int rc = in_child(child_many_channels, NULL);

	if (rc != 0)
		fprintf(stderr, "70 channels: child exit %d\n", rc);
	CU_ASSERT_EQUAL(rc, 0);
	/* and they are all given back */
	CU_ASSERT_EQUAL(in_child(child_many_channels, NULL), 0);
}

int
park_suite_add(const char *netdmad_bin)
{
	CU_pSuite s = CU_add_suite("netdmad parking", suite_init, suite_cleanup);

	bin = netdmad_bin;
	if (s == NULL ||
	    !CU_add_test(s, "a parked poller wakes on the doorbell", t_doorbell) ||
	    !CU_add_test(s, "70 channels in one client", t_many_channels))
		return -1;
	return 0;
}
