/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One client must not starve the others of their poller (issue 9, holes 3
 * and 4; doc/security.rst): a victim's copy latency is measured while a
 * hostile client on the same polling lcore queues huge 1.x chains, huge
 * copies, or reads every eventfd it can find to swallow wake-ups.
 * A daemon of its own: NetDMA 1.1 (linked chains), one poller that parks
 * after 1 ms idle and, parked, looks again only after two seconds.
 * The bounds leave room for a loaded two-core machine; the holes they
 * guard against cost tens of milliseconds in the median, or the park
 * timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "netdma.h"
#include "netdma_client.h"
#include "daemon_util.h"

#define PREFIX "netdma-starve"
#define SAMPLES 30

static const char *bin;
static struct private_daemon dm;

static int
suite_init(void)
{
	return private_daemon_start(&dm, bin, "starve",
		"[eal]\nargs = -l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci "
		"--vdev=dma_skeleton,lcore=0 --file-prefix=" PREFIX " --log-level=lib.eal:error\n"
		"[engines]\ncpu = on\ncpu_channels = 8\nversion = 1.1\ndmadev = all\n"
		"[pollers]\nlcores = 1\npark_after_us = 1000\npark_timeout_ms = 2000\n"
		"[quota]\nchannels = 4\n[log]\nlevel = warning\n") == 0 ? 0 : 1;
}

static int
suite_cleanup(void)
{
	return private_daemon_stop(&dm);
}

/* ---- the hostile clients ------------------------------------------------------ */

enum hostile_kind {
	LONG_CHAINS,    /* 1.x chains of 1 M descriptors, re-Started on every channel */
	BIG_COPIES,     /* chains of MaximumTransferSize copies */
	EVENTFD_THIEF,  /* reads every eventfd of the process, all the time */
	SUSPENDER,      /* MaximumTransferSize copies on dma_skeleton, Suspend/Resume in a loop */
};

/* A 1.x chain of @p n descriptors of @p size bytes, from src to dst over and over. */
static struct netdma_descriptor *
linked_chain(uint32_t n, uint32_t size)
{
	struct netdma_descriptor *d = netdma_mem_alloc(sizeof(*d) * n, 64);
	uint8_t *buf = netdma_mem_alloc(2 * (size_t)size, 64);
	uint32_t i;

	if (d == NULL || buf == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		d[i].transfer_size = size;
		d[i].source_address = netdma_virt2iova(buf);
		d[i].destination_address = netdma_virt2iova(buf + size);
		d[i].next_descriptor = i + 1 < n ? netdma_virt2iova(&d[i + 1]) : 0;
	}
	return d;
}

/* Read every eventfd this process holds: its doorbell, and whatever else it got. */
static void
steal_wakeups(void)
{
	char path[64], target[64];
	uint64_t v;
	int fd;

	for (fd = 3; fd < 256; fd++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strstr(target, "eventfd") == NULL)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (read(fd, &v, sizeof(v)) < 0)
			v = 0;
	}
}

struct starter {
	struct netdma_chan *ch;
	struct netdma_descriptor *d;
};

/* Start the same chain again and again: one thread per channel keeps each ring busy. */
static void *
restart_forever(void *arg)
{
	const struct starter *s = arg;

	for (;;)
		netdma_chan_start(s->ch, s->d, 0);
	return NULL;
}

/*
 * Each Suspend waits for what the device holds of the channel (spec §3.6):
 * a chain that never ends (1.x, relinked into a loop: the engine stops it
 * only after NETDMA_CHAIN_MAX descriptors), the device given a few
 * milliseconds to fill up before each Suspend.
 */
static void *
suspend_forever(void *arg)
{
	const struct starter *s = arg;
	int k;

	for (;;) {
		netdma_chan_start(s->ch, s->d, 0);
		for (k = 0; k < 64; k++) {
			usleep(5000);
			netdma_chan_suspend(s->ch, NULL);
			netdma_chan_resume(s->ch);
		}
	}
	return NULL;
}

/* Runs until killed; writes one byte to @p ready once it is at work. */
static int
hostile(enum hostile_kind kind, int ready)
{
	struct starter st[4];
	pthread_t tid;
	struct netdma_chan *ch[4];
	struct netdma_chan_conf cc = { 0 };
	struct netdma_descriptor *d = NULL;
	int n = 0, i, id;

	if (netdma_client_connect(dm.sock) < 0)
		return 20;
	netdma_client_set_local_check(false);   /* only the daemon stands in the way */
	id = netdma_provider_find(kind == SUSPENDER ? "dma_skeleton" : "cpu");
	for (i = 0; i < (kind == EVENTFD_THIEF || kind == SUSPENDER ? 1 : 4); i++) {
		cc.completion_word = netdma_mem_alloc(8, 64);
		if (netdma_chan_alloc((uint32_t)id, &cc, &ch[n]) == 0)
			n++;
	}
	if (n == 0)
		return 21;
	if (kind == LONG_CHAINS)
		d = linked_chain(1u << 20, 64);
	else if (kind == BIG_COPIES || kind == SUSPENDER)
		d = linked_chain(256, 1u << 20);
	if (kind == SUSPENDER && d != NULL)
		d[255].next_descriptor = netdma_virt2iova(&d[0]);
	if (kind != EVENTFD_THIEF && d == NULL)
		return 22;
	for (i = 0; kind != EVENTFD_THIEF && i < n; i++) {
		st[i].ch = ch[i];
		st[i].d = d;
		if (pthread_create(&tid, NULL, kind == SUSPENDER ? suspend_forever : restart_forever,
				   &st[i]) != 0)
			return 23;
	}
	if (write(ready, "r", 1) != 1)
		return 24;
	for (;;) {
		if (kind == EVENTFD_THIEF)
			steal_wakeups();
		else
			pause();
	}
	return 0;
}

static pid_t
hostile_start(enum hostile_kind kind)
{
	int p[2];
	pid_t child;
	char c;

	if (pipe(p) < 0)
		return -1;
	child = fork();
	if (child == 0)
		_exit(hostile(kind, p[1]));
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
	close(p[0]);
	return child;
}

/* ---- the victim ------------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * SAMPLES verified 4 KiB copies, each after @p idle_us of quiet (so that
 * the poller may park); exits with 0 if the median and the worst latency
 * stay under the bounds (ms), else prints them and exits 30.
 */
struct victim_conf {
	unsigned int idle_us;
	double median_ms, max_ms;
};

static int
victim(void *arg)
{
	const struct victim_conf *vc = arg;
	struct netdma_chan_conf cc = { 0 };
	struct netdma_descriptor *d;
	struct netdma_chan *ch;
	volatile uint64_t *cw;
	double lat[SAMPLES], t0, deadline;
	uint8_t *buf;
	uint64_t want;
	int i;

	if (netdma_client_connect(dm.sock) < 0)
		return 20;
	/* two descriptors, used in turn: each copy's Idle word differs from the last */
	d = netdma_mem_alloc(2 * sizeof(*d), 64);
	buf = netdma_mem_alloc(8192, 64);
	cw = netdma_mem_alloc(8, 64);
	cc.completion_word = cw;
	if (d == NULL || buf == NULL || cw == NULL ||
	    netdma_chan_alloc((uint32_t)netdma_provider_find("cpu"), &cc, &ch) < 0)
		return 21;
	for (i = 0; i < 2; i++) {
		d[i].transfer_size = 4096;
		d[i].source_address = netdma_virt2iova(buf);
		d[i].destination_address = netdma_virt2iova(buf + 4096);
		d[i].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
	}
	for (i = 0; i < SAMPLES; i++) {
		want = netdma_completion_encode(netdma_virt2iova(&d[i % 2]), NETDMA_STATUS_IDLE);
		memset(buf, i + 1, 4096);
		memset(buf + 4096, 0, 4096);
		usleep(vc->idle_us);
		t0 = now();
		if (netdma_chan_start(ch, &d[i % 2], 1) < 0)
			return 22;
		deadline = t0 + 10;
		while (netdma_completion_read(cw) != want && now() < deadline)
			;
		lat[i] = (now() - t0) * 1e3;
		if (memcmp(buf, buf + 4096, 4096) != 0)
			return 23;
	}
	qsort(lat, SAMPLES, sizeof(lat[0]), cmp_double);
	fprintf(stderr, "victim: median %.3f ms, worst %.3f ms\n", lat[SAMPLES / 2], lat[SAMPLES - 1]);
	if (lat[SAMPLES / 2] >= vc->median_ms || lat[SAMPLES - 1] >= vc->max_ms)
		return 30;
	return netdma_chan_free(ch) == 0 ? 0 : 24;
}

static void
victim_beside(enum hostile_kind kind, const struct victim_conf *vc)
{
	pid_t h = hostile_start(kind);
	int st, rc;

	CU_ASSERT_FATAL(h > 0);
	rc = in_child(victim, (void *)(uintptr_t)vc);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "victim: exit %d\n", rc);
	kill(h, SIGKILL);
	waitpid(h, &st, 0);
	usleep(200000);   /* the hostile client's channels are reaped */
}

/*
 * 1 M-descriptor 1.x chains re-Started back to back on four channels: the
 * daemon checks each descriptor as its engine fetches it, a burst per pass,
 * and runs a bounded number of commands per channel per pass, so nobody
 * walks a whole chain on the shared poller.
 */
static void
t_long_chains(void)
{
	const struct victim_conf vc = { .idle_us = 1000, .median_ms = 20, .max_ms = 250 };

	victim_beside(LONG_CHAINS, &vc);
}

/* MaximumTransferSize copies: the software engine's byte budget per poll. */
static void
t_big_copies(void)
{
	const struct victim_conf vc = { .idle_us = 1000, .median_ms = 20, .max_ms = 250 };

	victim_beside(BIG_COPIES, &vc);
}

/*
 * A client that reads every eventfd it holds, in a loop: with a shared
 * wake-up fd it would swallow the victim's doorbell, and the victim would
 * wait for the park timeout (2 s).  Each channel's own doorbell only wakes.
 */
static void
t_doorbell_thief(void)
{
	const struct victim_conf vc = { .idle_us = 20000, .median_ms = 50, .max_ms = 1000 };

	victim_beside(EVENTFD_THIEF, &vc);
}

/*
 * Suspend/Resume in a loop over MaximumTransferSize copies on dma_skeleton:
 * each Suspend waits on the poller for what the device holds of the
 * channel, which [engines] dmadev_inflight_bytes bounds.
 */
static void
t_suspend_loop(void)
{
	/* samples spread over most of a second, across many Suspends */
	const struct victim_conf vc = { .idle_us = 20000, .median_ms = 12, .max_ms = 250 };

	victim_beside(SUSPENDER, &vc);
}

int
starve_suite_add(const char *netdmad_bin)
{
	CU_pSuite s = CU_add_suite("netdmad: no client starves another", suite_init, suite_cleanup);

	bin = netdmad_bin;
	if (s == NULL ||
	    !CU_add_test(s, "1 M-descriptor 1.x chains on the victim's poller", t_long_chains) ||
	    !CU_add_test(s, "MaximumTransferSize copies on the victim's poller", t_big_copies) ||
	    !CU_add_test(s, "a client that reads every eventfd it holds", t_doorbell_thief) ||
	    !CU_add_test(s, "Suspend/Resume in a loop on dma_skeleton", t_suspend_loop))
		return -1;
	return 0;
}
