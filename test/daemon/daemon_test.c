/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad end to end: a real daemon (software engine + dma_skeleton) in a
 * temporary directory, real client processes through libnetdma_client, and
 * raw protocol abuse over the socket.  Links no DPDK.
 *
 * Usage: daemon_test NETDMAD_BINARY CONFIG_INI
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "netdma.h"
#include "netdma_client.h"
#include "netdma_client_test.h"
#include "netdma_proto.h"
#include "netdma_proto_io.h"
#include "daemon_raw.h"
#include "daemon_util.h"

static const char *netdmad_bin, *config;
static char dir[64], sock[96];
static pid_t daemon_pid = -1;

static int
suite_init(void)
{
	char log[160];

	snprintf(dir, sizeof(dir), "/tmp/netdmad-test-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock, sizeof(sock), "%s/netdmad.sock", dir);
	snprintf(log, sizeof(log), "%s/netdmad.log", dir);
	daemon_pid = daemon_start(netdmad_bin, config, sock, log);
	return daemon_pid > 0 ? 0 : 1;
}

static int
suite_cleanup(void)
{
	struct stat st;
	char cmd[200];
	int ret = daemon_stop(daemon_pid);

	if (ret != 0 || stat(sock, &st) == 0) {
		fprintf(stderr, "netdmad exit %d; socket %s; log:\n", ret,
			stat(sock, &st) == 0 ? "left behind" : "removed");
		snprintf(cmd, sizeof(cmd), "tail -20 %s/netdmad.log >&2", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}

static int
child_copy(void *arg)
{
	const char *provider = arg;

	if (netdma_client_connect(sock) < 0)
		return 20;
	return copy_once(provider, 4u << 20, 65536);
}

/* the basic path on each engine, from a separate process */
static void
t_copy_cpu(void)
{
	CU_ASSERT_EQUAL(in_child(child_copy, "cpu"), 0);
}

static void
t_copy_skeleton(void)
{
	CU_ASSERT_EQUAL(in_child(child_copy, "dma_skeleton"), 0);
}

static int
child_two_channels(void *arg)
{
	pid_t pid;
	int st, ret;

	(void)arg;
	/* two threads would share the connection; two processes do not */
	pid = fork();
	if (pid == 0) {
		if (netdma_client_connect(sock) < 0)
			_exit(20);
		_exit(copy_once("cpu", 2u << 20, 4096));
	}
	if (netdma_client_connect(sock) < 0)
		return 20;
	ret = copy_once("cpu", 2u << 20, 4096);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 30;
	return ret;
}

/* issue 3: 4 processes × 2 channels, bounded in time, every byte verified */
static void
t_multi_client(void)
{
	pid_t pids[4];
	double t0 = now();
	int i, st, ok = 0;

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child_two_channels(NULL));
	}
	for (i = 0; i < 4; i++)
		if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	CU_ASSERT_EQUAL(ok, 4);
	CU_ASSERT(now() - t0 < 60);
}

/*
 * One client of the shared vchan that disturbs its own channel while the
 * others copy: a chain started, suspended mid-way and resumed, then another
 * aborted, then Reset and a whole copy verified.
 */
static int
child_disturber(void *arg)
{
	struct netdma_chan_conf cc = { 0 };
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	struct netdma_chan *ch;
	netdma_iova_t last;
	double deadline;
	uint8_t *buf;
	int i, round;

	(void)arg;
	if (netdma_client_connect(sock) < 0)
		return 19;
	d = netdma_mem_alloc(sizeof(*d) * 65, 64);
	buf = netdma_mem_alloc(2u << 20, 64);
	cw = netdma_mem_alloc(8, 64);
	if (d == NULL || buf == NULL || cw == NULL)
		return 20;
	cc.completion_word = cw;
	if (netdma_chan_alloc((uint32_t)netdma_provider_find("dma_skeleton"), &cc, &ch) < 0)
		return 21;
	for (i = 0; i < 64; i++) {
		d[i].transfer_size = 16384;
		d[i].source_address = netdma_virt2iova(buf + 16384 * (size_t)i);
		d[i].destination_address = netdma_virt2iova(buf + (1u << 20) + 16384 * (size_t)i);
		d[i].next_descriptor = netdma_virt2iova(&d[i + 1]);   /* 2.0: pre-linked */
		d[i].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
	}
	for (round = 0; round < 20; round++) {
		memset(buf, round + 1, 1u << 20);
		if (netdma_chan_start(ch, d, 64) < 0)
			return 22;
		if (round % 2 == 0) {
			if (netdma_chan_suspend(ch, &last) < 0 || netdma_chan_resume(ch) < 0)
				return 23;
		} else if (netdma_chan_abort(ch) < 0 || netdma_chan_reset(ch) < 0) {
			return 24;
		}
	}
	memset(buf + (1u << 20), 0, 1u << 20);
	if (netdma_chan_start(ch, d, 64) < 0)
		return 25;
	deadline = now() + 10;
	while (netdma_completion_read(cw) != netdma_completion_encode(netdma_virt2iova(&d[63]),
								       NETDMA_STATUS_IDLE) && now() < deadline)
		usleep(100);
	if (memcmp(buf, buf + (1u << 20), 1u << 20) != 0)
		return 26;
	deadline = now() + 10;
	while (netdma_chan_free(ch) == -EBUSY && now() < deadline)
		usleep(1000);
	return 0;
}

static int
child_skeleton_copy(void *arg)
{
	(void)arg;
	if (netdma_client_connect(sock) < 0)
		return 20;
	return copy_once("dma_skeleton", 8u << 20, 16384);
}

/*
 * Issue 11: dma_skeleton has one vchan; four client processes each get a
 * NetDMA channel over it (virtual channels) and copy 8 MiB, every byte
 * verified, while a fifth suspends, aborts and resets its own channel.
 */
static void
t_clients_share_one_vchan(void)
{
	pid_t pids[5];
	int i, st, ok = 0;

	for (i = 0; i < 5; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(i == 4 ? child_disturber(NULL) : child_skeleton_copy(NULL));
	}
	for (i = 0; i < 5; i++) {
		st = -1;
		if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		else
			fprintf(stderr, "client %d: exit %d\n", i, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	CU_ASSERT_EQUAL(ok, 5);
}

static int
channels_in_use(const char *provider)
{
	struct netdma_provider_info info[16];
	int n = netdma_provider_list(info, 16), i;

	for (i = 0; i < n && i < 16; i++)
		if (strcmp(info[i].name, provider) == 0)
			return (int)info[i].channels_in_use;
	return -1;
}

/* A client killed mid-chain loses its channel; others see nothing. */
static void
t_kill_client_mid_chain(void)
{
	int pfd[2];
	pid_t pid;
	char c;
	double deadline;

	CU_ASSERT_FATAL(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0) {
		/* a long chain on the skeleton, then tell the parent and keep going */
		uint32_t n = 4096, i;
		uint8_t *buf;
		struct netdma_descriptor *d;
		volatile uint64_t *cw;
		struct netdma_chan_conf cc;
		struct netdma_chan *ch;

		if (netdma_client_connect(sock) < 0)
			_exit(1);
		buf = netdma_mem_alloc(2 * n * 4096, 64);
		d = netdma_mem_alloc(sizeof(*d) * (n + 1), 64);
		cw = netdma_mem_alloc(8, 64);
		memset(&cc, 0, sizeof(cc));
		cc.completion_word = cw;
		if (buf == NULL || d == NULL || cw == NULL ||
		    netdma_chan_alloc((uint32_t)netdma_provider_find("dma_skeleton"), &cc, &ch) < 0)
			_exit(2);
		for (i = 0; i < n; i++) {
			d[i].transfer_size = 4096;
			d[i].source_address = netdma_virt2iova(buf + (size_t)i * 4096);
			d[i].destination_address = netdma_virt2iova(buf + (size_t)(n + i) * 4096);
			d[i].next_descriptor = netdma_virt2iova(&d[i + 1]);
		}
		d[n - 1].next_descriptor = netdma_chan_version(ch) >= 0x200 ? d[n - 1].next_descriptor : 0;
		if (netdma_chan_start(ch, d, n) < 0)
			_exit(3);
		if (write(pfd[1], "x", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	CU_ASSERT_EQUAL_FATAL(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(netdma_client_connect(sock), 0);
	/* bounded: the channel comes back within 5 s */
	deadline = now() + 5;
	while (channels_in_use("dma_skeleton") != 0 && now() < deadline)
		usleep(10000);
	CU_ASSERT_EQUAL(channels_in_use("dma_skeleton"), 0);
	CU_ASSERT_EQUAL(copy_once("dma_skeleton", 1u << 20, 4096), 0);
	CU_ASSERT_EQUAL(copy_once("cpu", 1u << 20, 4096), 0);
	netdma_client_disconnect();
}

/* ---- raw protocol abuse ---------------------------------------------------- */

static int
raw(int fd, const void *msg, size_t len, int send_fd, void *reply, size_t rlen)
{
	return raw_call(fd, msg, len, send_fd, reply, rlen, NULL);
}

/* Every bad control message gets an error reply; the daemon keeps serving. */
static void
t_bad_messages(void)
{
	struct netdma_msg_hello h;
	struct netdma_msg_chan mc;
	struct netdma_msg_region_add ra;
	struct netdma_reply_region_add rr;
	struct netdma_msg_chan_alloc ca;
	char big[8192];
	int fd = raw_connect(sock), mfd;

	CU_ASSERT_FATAL(fd >= 0);
	/* before HELLO */
	raw_hdr(&mc, NETDMA_MSG_CHAN_STATS, sizeof(mc));
	CU_ASSERT_EQUAL(raw(fd, &mc, sizeof(mc), -1, NULL, 0), -EPERM);
	/* truncated */
	raw_hdr(&h, NETDMA_MSG_HELLO, sizeof(h));
	CU_ASSERT_EQUAL(raw(fd, &h, 10, -1, NULL, 0), -EBADMSG);
	/* size field lying, and padding past the type's size */
	raw_hdr(&h, NETDMA_MSG_HELLO, sizeof(h));
	h.h.size = 12;
	CU_ASSERT_EQUAL(raw(fd, &h, sizeof(h), -1, NULL, 0), -EBADMSG);
	memset(big, 0, sizeof(big));
	raw_hdr(big, NETDMA_MSG_HELLO, 1000);
	CU_ASSERT_EQUAL(raw(fd, big, 1000, -1, NULL, 0), -EBADMSG);
	/* larger than any message */
	raw_hdr(big, NETDMA_MSG_HELLO, sizeof(big));
	CU_ASSERT_EQUAL(raw(fd, big, sizeof(big), -1, NULL, 0), -EMSGSIZE);
	/* magic, version, unknown type */
	raw_hdr(&h, NETDMA_MSG_HELLO, sizeof(h));
	h.h.magic = 0x12345678;
	CU_ASSERT_EQUAL(raw(fd, &h, sizeof(h), -1, NULL, 0), -EBADMSG);
	raw_hdr(&h, NETDMA_MSG_HELLO, sizeof(h));
	h.h.version = 99;
	CU_ASSERT_EQUAL(raw(fd, &h, sizeof(h), -1, NULL, 0), -EPROTONOSUPPORT);
	/* a HELLO from another version still negotiates (its layout never changes) */
	{
		struct netdma_reply_hello rh;
		char why[NETDMA_REASON_MAX];
		int other = raw_connect(sock);

		CU_ASSERT_FATAL(other >= 0);
		h.min_version = NETDMA_PROTO_VERSION - 1;
		h.max_version = NETDMA_PROTO_VERSION + 5;
		CU_ASSERT_EQUAL(raw_call(other, &h, sizeof(h), -1, &rh, sizeof(rh), NULL), 0);
		CU_ASSERT_EQUAL(rh.version, NETDMA_PROTO_VERSION);
		h.min_version = h.max_version = NETDMA_PROTO_VERSION + 5;
		CU_ASSERT_EQUAL(raw_call(other, &h, sizeof(h), -1, NULL, 0, why), -EPROTONOSUPPORT);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "speaks"));
		close(other);
		h.min_version = h.max_version = 0;
	}
	raw_hdr(&mc, 99, sizeof(mc));
	CU_ASSERT_EQUAL(raw(fd, &mc, sizeof(mc), -1, NULL, 0), -EOPNOTSUPP);
	/* an fd nobody asked for */
	mfd = sealed_memfd(4096);
	raw_hdr(&h, NETDMA_MSG_HELLO, sizeof(h));
	h.min_version = h.max_version = NETDMA_PROTO_VERSION;
	CU_ASSERT_EQUAL(raw(fd, &h, sizeof(h), mfd, NULL, 0), -EBADF);
	/* versions we do not speak */
	h.min_version = h.max_version = NETDMA_PROTO_VERSION + 1;
	CU_ASSERT_EQUAL(raw(fd, &h, sizeof(h), -1, NULL, 0), -EPROTONOSUPPORT);
	/* now a proper session */
	CU_ASSERT_EQUAL_FATAL(raw_hello(fd), 0);
	/* REGION_ADD without its fd; with a file shorter than it claims */
	raw_hdr(&ra, NETDMA_MSG_REGION_ADD, sizeof(ra));
	ra.size = 8192;
	CU_ASSERT_EQUAL(raw(fd, &ra, sizeof(ra), -1, NULL, 0), -EBADF);
	CU_ASSERT_EQUAL(raw(fd, &ra, sizeof(ra), mfd, NULL, 0), -EINVAL);
	ra.size = 4096;
	ra.kind = 7;
	CU_ASSERT_EQUAL(raw(fd, &ra, sizeof(ra), mfd, NULL, 0), -EINVAL);
	close(mfd);
	/* quota: 2 GiB (sparse) over the default 1 GiB */
	mfd = sealed_memfd(2ull << 30);
	ra.kind = NETDMA_REGION_DATA;
	ra.size = 2ull << 30;
	CU_ASSERT_EQUAL(raw(fd, &ra, sizeof(ra), mfd, NULL, 0), -EDQUOT);
	close(mfd);
	/* a good data region, then channel requests that point outside it */
	mfd = sealed_memfd(4096);
	ra.size = 4096;
	CU_ASSERT_EQUAL_FATAL(raw(fd, &ra, sizeof(ra), mfd, &rr, sizeof(rr)), 0);
	/* the same memory again: overlapping regions are refused */
	CU_ASSERT_EQUAL(raw(fd, &ra, sizeof(ra), mfd, NULL, 0), -EEXIST);
	close(mfd);
	raw_hdr(&ca, NETDMA_MSG_CHAN_ALLOC, sizeof(ca));
	ca.ring_region = 999;
	ca.cw_region = rr.region_id;
	ca.ring_entries = 64;
	CU_ASSERT_EQUAL(raw(fd, &ca, sizeof(ca), -1, NULL, 0), -ENOENT);
	ca.ring_region = rr.region_id;                 /* a data region is not a ring */
	CU_ASSERT_EQUAL(raw(fd, &ca, sizeof(ca), -1, NULL, 0), -ENOENT);
	mfd = sealed_memfd(8192);
	ra.kind = NETDMA_REGION_CONTROL;
	ra.size = 8192;
	{
		struct netdma_reply_region_add rc;

		CU_ASSERT_EQUAL_FATAL(raw(fd, &ra, sizeof(ra), mfd, &rc, sizeof(rc)), 0);
		ca.ring_region = rc.region_id;
	}
	close(mfd);
	ca.cw_offset = 4096;                           /* a completion word outside */
	CU_ASSERT_EQUAL(raw(fd, &ca, sizeof(ca), -1, NULL, 0), -EFAULT);
	ca.cw_offset = 4;                              /* misaligned */
	CU_ASSERT_EQUAL(raw(fd, &ca, sizeof(ca), -1, NULL, 0), -EFAULT);
	ca.cw_offset = 0;
	CU_ASSERT_EQUAL(raw(fd, &ca, sizeof(ca), -1, NULL, 0), -EPROTO);   /* ring not initialised */
	raw_hdr(&mc, NETDMA_MSG_CHAN_FREE, sizeof(mc));
	mc.chan_id = 5;                                /* not this client's */
	CU_ASSERT_EQUAL(raw(fd, &mc, sizeof(mc), -1, NULL, 0), -ENOENT);
	close(fd);
	/* and everyone else is still served */
	CU_ASSERT_EQUAL(in_child(child_copy, "cpu"), 0);
}

/* Client B aims descriptors at client A's memory: refused, nothing moves. */
static int
child_victim(void *arg)
{
	int *p = arg;   /* p[0]: write end to send the IOVA; p[1]: read end to wait */
	uint8_t *mine;
	netdma_iova_t iova;
	char c;
	size_t i;

	if (netdma_client_connect(sock) < 0)
		return 20;
	mine = netdma_mem_alloc(4096, 64);
	if (mine == NULL)
		return 21;
	memset(mine, 0xA5, 4096);
	iova = netdma_virt2iova(mine);
	if (write(p[0], &iova, sizeof(iova)) != sizeof(iova) || read(p[1], &c, 1) != 1)
		return 22;
	for (i = 0; i < 4096; i++)
		if (mine[i] != 0xA5)
			return 23;   /* somebody wrote into my memory */
	return 0;
}

/*
 * A refused chain moves nothing.  With the client's own check (the default)
 * the call fails with @p err and the word is untouched; without it (a client
 * that skips the library's check) the daemon's engine refuses the first
 * descriptor as it fetches it: the call succeeds, the channel halts before
 * any byte moves (the word: Halted at no descriptor) and counts an error,
 * and Reset brings it back (spec §6.3, §3.8).
 */
static void
expect_refused(struct netdma_chan *ch, struct netdma_descriptor *d, volatile uint64_t *cw,
	       bool local, int err)
{
	struct netdma_chan_stats before, after;
	uint64_t w = netdma_completion_read(cw);
	double deadline = now() + 5;

	CU_ASSERT_EQUAL_FATAL(netdma_chan_stats_get(ch, &before), 0);
	if (local) {
		CU_ASSERT_EQUAL(netdma_chan_start(ch, d, 1), err);
		CU_ASSERT_STRING_NOT_EQUAL(netdma_chan_last_error(ch), "");
		usleep(10000);
		CU_ASSERT_EQUAL(netdma_completion_read(cw), w);
		return;
	}
	CU_ASSERT_EQUAL(netdma_chan_start(ch, d, 1), 0);
	while (netdma_completion_status(netdma_completion_read(cw)) != NETDMA_STATUS_HALTED &&
	       now() < deadline)
		;
	CU_ASSERT_EQUAL(netdma_completion_read(cw), netdma_completion_encode(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_EQUAL_FATAL(netdma_chan_stats_get(ch, &after), 0);
	CU_ASSERT_EQUAL(after.errors, before.errors + 1);
	CU_ASSERT_EQUAL(after.descriptors_retired, before.descriptors_retired);
	CU_ASSERT_EQUAL(after.bytes_copied, before.bytes_copied);
	CU_ASSERT_EQUAL(netdma_chan_reset(ch), 0);
}

static void
cross_client_region(bool local)
{
	int to_parent[2], to_child[2], args[2], st;
	netdma_iova_t victim;
	uint8_t *buf;
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	struct netdma_chan_conf cc;
	struct netdma_chan *ch;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(to_parent) == 0 && pipe(to_child) == 0);
	pid = fork();
	if (pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		args[0] = to_parent[1];
		args[1] = to_child[0];
		_exit(child_victim(args));
	}
	/* only the child writes here: a child that dies early is an EOF, not a hang */
	close(to_parent[1]);
	close(to_child[0]);
	CU_ASSERT_EQUAL_FATAL(read(to_parent[0], &victim, sizeof(victim)), (ssize_t)sizeof(victim));
	CU_ASSERT_EQUAL_FATAL(netdma_client_connect(sock), 0);
	netdma_client_set_local_check(local);
	buf = netdma_mem_alloc(8192, 64);
	d = netdma_mem_alloc(2 * sizeof(*d), 64);
	cw = netdma_mem_alloc(8, 64);
	CU_ASSERT_FATAL(buf != NULL && d != NULL && cw != NULL);
	memset(buf, 0x5A, 8192);
	memset(&cc, 0, sizeof(cc));
	cc.completion_word = cw;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc((uint32_t)netdma_provider_find("cpu"), &cc, &ch), 0);
	d[0].transfer_size = 4096;
	d[0].source_address = netdma_virt2iova(buf);
	d[0].destination_address = victim;          /* another client's memory */
	d[0].next_descriptor = netdma_virt2iova(&d[1]);
	d[0].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
	expect_refused(ch, d, cw, local, -EFAULT);
	d[0].source_address = victim;               /* reading it is refused too */
	d[0].destination_address = netdma_virt2iova(buf + 4096);
	expect_refused(ch, d, cw, local, -EFAULT);
	CU_ASSERT_EQUAL(buf[4096], 0x5A);
	d[0].source_address = netdma_virt2iova(buf);
	d[0].destination_address = netdma_virt2iova((const void *)cw);   /* its own completion word */
	d[0].transfer_size = 8;
	expect_refused(ch, d, cw, local, -EFAULT);
	if (local)
		CU_ASSERT_EQUAL(netdma_completion_status(netdma_completion_read(cw)), NETDMA_STATUS_ARMED);
	/* the channel still works */
	d[0].transfer_size = 4096;
	d[0].destination_address = netdma_virt2iova(buf + 4096);
	memset(buf + 4096, 0, 4096);
	CU_ASSERT_EQUAL(netdma_chan_start(ch, d, 1), 0);
	{
		double deadline = now() + 5;

		while (netdma_completion_status(netdma_completion_read(cw)) != NETDMA_STATUS_IDLE &&
		       now() < deadline)
			;
	}
	CU_ASSERT_EQUAL(memcmp(buf, buf + 4096, 4096), 0);
	CU_ASSERT_EQUAL(netdma_chan_free(ch), 0);
	netdma_client_set_local_check(true);
	netdma_client_disconnect();
	CU_ASSERT_EQUAL(write(to_child[1], "x", 1), 1);
	CU_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(to_parent[0]);
	close(to_child[1]);
}

/* Wait for the completion word to say @p st; 5 s at most. */
static uint64_t
wait_status(volatile uint64_t *cw, enum netdma_transfer_status st)
{
	double deadline = now() + 5;

	while (netdma_completion_status(netdma_completion_read(cw)) != st && now() < deadline)
		usleep(100);
	return netdma_completion_read(cw);
}

/*
 * A client that skips its own checks (or speaks the protocol raw) meets the
 * same rules in the same order in netdmad as in-process: the state first
 * (spec §8), then the head; and a 2.0 Append not at the pre-linked slot
 * halts the channel where the engine gets to it (spec §3.5), nothing of it
 * copied.
 */
static void
t_unchecked_order(void)
{
	struct netdma_chan_conf cc = { 0 };
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	struct netdma_chan *ch;
	uint8_t *buf, *outside = aligned_alloc(64, 64);   /* not this client's region */
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(netdma_client_connect(sock), 0);
	netdma_client_set_local_check(false);
	buf = netdma_mem_alloc(8192, 64);
	d = netdma_mem_alloc(4 * sizeof(*d), 64);
	cw = netdma_mem_alloc(8, 64);
	CU_ASSERT_FATAL(buf != NULL && d != NULL && cw != NULL && outside != NULL);
	cc.completion_word = cw;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc((uint32_t)netdma_provider_find("cpu"), &cc, &ch), 0);
	/* a head over the completion word: netdmad's to refuse, after the state */
	CU_ASSERT_EQUAL(netdma_chan_append(ch, (void *)(uintptr_t)cw, 1), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(ch), "not allowed"));
	CU_ASSERT_EQUAL(netdma_chan_start(ch, (void *)(uintptr_t)cw, 1), -EFAULT);
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(ch), "outside the client's DMA memory"));
	CU_ASSERT_EQUAL(netdma_chan_start(ch, (void *)((char *)d + 8), 1), -EINVAL);
	/* what cannot be posted at all is refused here, in the same order */
	CU_ASSERT_EQUAL(netdma_chan_append(ch, (void *)outside, 1), -EPERM);
	CU_ASSERT_EQUAL(netdma_chan_start(ch, NULL, 1), -EINVAL);
	CU_ASSERT_EQUAL(netdma_chan_start(ch, (void *)outside, 1), -EFAULT);
	if (netdma_chan_version(ch) >> 8 >= 2) {
		memset(buf, 0x77, 4096);
		memset(buf + 4096, 0, 4096);
		for (i = 0; i < 4; i++) {
			d[i].transfer_size = 64;
			d[i].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
			d[i].source_address = netdma_virt2iova(buf + 64 * i);
			d[i].destination_address = netdma_virt2iova(buf + 4096 + 64 * i);
			d[i].next_descriptor = netdma_virt2iova(&d[(i + 1) % 4]);
		}
		CU_ASSERT_EQUAL(netdma_chan_start(ch, d, 1), 0);
		CU_ASSERT_EQUAL(wait_status(cw, NETDMA_STATUS_IDLE),
				netdma_completion_encode(netdma_virt2iova(d), NETDMA_STATUS_IDLE));
		CU_ASSERT_EQUAL(netdma_chan_append(ch, &d[2], 1), 0);   /* d0 pre-linked d1 */
		CU_ASSERT_EQUAL(wait_status(cw, NETDMA_STATUS_HALTED),
				netdma_completion_encode(netdma_virt2iova(d), NETDMA_STATUS_HALTED));
		CU_ASSERT_EQUAL(buf[4096], 0x77);
		CU_ASSERT_EQUAL(buf[4096 + 64], 0);
		CU_ASSERT_EQUAL(buf[4096 + 128], 0);
		CU_ASSERT_EQUAL(netdma_chan_reset(ch), 0);
	}
	CU_ASSERT_EQUAL(netdma_chan_free(ch), 0);
	netdma_client_set_local_check(true);
	netdma_client_disconnect();
	free(outside);
}

static void
t_cross_client_region(void)
{
	cross_client_region(true);
}

/* The same, with only the daemon's check between the client and the victim. */
static void
t_cross_client_region_unchecked(void)
{
	cross_client_region(false);
}

/* A daemon of its own: SIGTERM with a client attached, and a second daemon. */
static void
t_sigterm_with_client(void)
{
	char path[160], log[160], log2[160];
	struct netdma_chan_conf cc;
	struct netdma_chan *ch;
	volatile uint64_t *cw;
	struct netdma_descriptor *d;
	struct stat st;
	pid_t pid, second;
	int status;

	snprintf(path, sizeof(path), "%s/term.sock", dir);
	snprintf(log, sizeof(log), "%s/term.log", dir);
	snprintf(log2, sizeof(log2), "%s/second.log", dir);
	pid = daemon_start(netdmad_bin, config, path, log);
	CU_ASSERT_FATAL(pid > 0);
	/* a second daemon on the same socket refuses to start */
	second = fork();
	if (second == 0) {
		int fd = open(log2, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(netdmad_bin, netdmad_bin, "--", "--config", config, "--socket", path, NULL);
		_exit(127);
	}
	CU_ASSERT(waitpid(second, &status, 0) == second && WIFEXITED(status) && WEXITSTATUS(status) == 1);

	CU_ASSERT_EQUAL_FATAL(netdma_client_connect(path), 0);
	cw = netdma_mem_alloc(8, 64);
	d = netdma_mem_alloc(2 * sizeof(*d), 64);
	memset(&cc, 0, sizeof(cc));
	cc.completion_word = cw;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc((uint32_t)netdma_provider_find("cpu"), &cc, &ch), 0);
	CU_ASSERT_EQUAL(daemon_stop(pid), 0);
	CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);      /* socket removed */
	/* the client gets a clear error, promptly, instead of hanging */
	d[0].transfer_size = 64;
	d[0].source_address = netdma_virt2iova(d);
	d[0].destination_address = netdma_virt2iova(&d[1]);
	d[0].next_descriptor = netdma_virt2iova(&d[1]);
	CU_ASSERT(netdma_chan_start(ch, d, 1) < 0);
	CU_ASSERT(netdma_provider_list(NULL, 0) < 0);
	CU_ASSERT_EQUAL(netdma_chan_free(ch), 0);     /* released on this side */
	netdma_client_disconnect();
	CU_ASSERT(netdma_client_connect(path) < 0);   /* no daemon: refused, not hung */
}

/* netdmad killed under a client: the next call fails fast with a clear error */
static void
t_daemon_killed(void)
{
	char path[160], log[160];
	struct netdma_chan_conf cc;
	struct netdma_chan *ch;
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	double t0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/kill.sock", dir);
	snprintf(log, sizeof(log), "%s/kill.log", dir);
	pid = daemon_start(netdmad_bin, config, path, log);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL_FATAL(netdma_client_connect(path), 0);
	cw = netdma_mem_alloc(8, 64);
	d = netdma_mem_alloc(2 * sizeof(*d), 64);
	memset(&cc, 0, sizeof(cc));
	cc.completion_word = cw;
	CU_ASSERT_EQUAL_FATAL(netdma_chan_alloc((uint32_t)netdma_provider_find("cpu"), &cc, &ch), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	d[0].transfer_size = 64;
	d[0].source_address = netdma_virt2iova(d);
	d[0].destination_address = netdma_virt2iova(&d[1]);
	d[0].next_descriptor = netdma_virt2iova(&d[1]);
	t0 = now();
	CU_ASSERT_EQUAL(netdma_chan_start(ch, d, 1), -ECONNRESET);
	CU_ASSERT(now() - t0 < 1.0);     /* noticed at once, not after the timeout */
	CU_ASSERT_PTR_NOT_NULL(strstr(netdma_chan_last_error(ch), "daemon"));
	CU_ASSERT_EQUAL(netdma_chan_free(ch), 0);   /* local resources released */
	netdma_client_disconnect();
}

/*
 * A completion word is the daemon's to write: a descriptor that would copy
 * over it, or over another channel's, is refused whole and nothing moves.
 */
/* 0 when @p d is refused: at the call (local check) or by a halt (daemon's). */
static int
refused(struct netdma_chan *ch, struct netdma_descriptor *d, volatile uint64_t *cw, bool local)
{
	double deadline = now() + 5;

	if (local)
		return netdma_chan_start(ch, d, 1) == -EFAULT ? 0 : 1;
	if (netdma_chan_start(ch, d, 1) != 0)
		return 2;
	while (netdma_completion_status(*cw) != NETDMA_STATUS_HALTED)
		if (now() > deadline)
			return 3;
	return netdma_chan_reset(ch) == 0 ? 0 : 4;
}

static int
child_cw_target(void *arg)
{
	struct netdma_descriptor *d;
	volatile uint64_t *cw1, *cw2;
	struct netdma_chan *c1, *c2;
	uint8_t *buf;
	uint64_t w1, w2;
	int id, ret = 0;
	bool local = arg == NULL;

	if (netdma_client_connect(sock) < 0)
		return 40;
	netdma_client_set_local_check(local);
	id = netdma_provider_find("cpu");
	buf = netdma_mem_alloc(4096, 64);
	d = netdma_mem_alloc(2 * sizeof(*d), 64);
	/* the words sit between ordinary buffers of the same region */
	cw1 = (volatile uint64_t *)(buf + 1024);
	cw2 = (volatile uint64_t *)(buf + 2048);
	if (id < 0 || buf == NULL || d == NULL)
		return 41;
	memset(buf, 0x5a, 4096);
	*cw1 = *cw2 = 0;
	if (netdma_chan_alloc((uint32_t)id, &(struct netdma_chan_conf){ .completion_word = cw1 }, &c1) < 0 ||
	    netdma_chan_alloc((uint32_t)id, &(struct netdma_chan_conf){ .completion_word = cw2 }, &c2) < 0)
		return 42;
	w1 = *cw1;
	w2 = *cw2;
	d[0] = (struct netdma_descriptor){
		.transfer_size = 64, .source_address = netdma_virt2iova(buf),
		.destination_address = netdma_virt2iova(buf + 1000),   /* 1000..1063 covers cw1 */
		.next_descriptor = netdma_virt2iova(&d[1]),
		.control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION,
	};
	if (refused(c1, d, cw1, local) != 0)
		ret = 43;
	d[0].destination_address = netdma_virt2iova(buf + 3000);
	d[0].source_address = netdma_virt2iova(buf + 2040);          /* reads cw2 */
	if (ret == 0 && refused(c1, d, cw1, local) != 0)
		ret = 44;
	usleep(20000);
	/* refused by the daemon, c1 halted: its word says so, at no descriptor */
	if (!local)
		w1 = netdma_completion_encode(0, NETDMA_STATUS_HALTED);
	if (ret == 0 && (*cw1 != w1 || *cw2 != w2))
		ret = 45;
	for (int i = 0; i < 4096 && ret == 0; i++)
		if ((buf + 1024 <= buf + i && buf + i < buf + 1032) || (buf + 2048 <= buf + i && buf + i < buf + 2056))
			continue;
		else if (buf[i] != 0x5a)
			ret = 46;
	netdma_chan_free(c1);
	netdma_chan_free(c2);
	return ret;
}

static void
t_cw_target(void)
{
	CU_ASSERT_EQUAL(in_child(child_cw_target, NULL), 0);
	CU_ASSERT_EQUAL(in_child(child_cw_target, "unchecked"), 0);   /* the daemon's check alone */
}

/* netdmad refuses the test-only STEP (netdmad-step's); its engines run on their own */
static int
child_step_refused(void *arg)
{
	volatile uint64_t *cw;
	struct netdma_chan *ch;
	int id, ret;

	(void)arg;
	if (netdma_client_connect(sock) < 0)
		return 20;
	id = netdma_provider_find("cpu");
	cw = netdma_mem_alloc(8, 64);
	if (id < 0 || cw == NULL ||
	    netdma_chan_alloc((uint32_t)id, &(struct netdma_chan_conf){ .completion_word = cw }, &ch) < 0)
		return 21;
	ret = netdma_client_chan_step(ch);
	if (netdma_chan_free(ch) < 0 || ret != -ENOTSUP)
		return 22;
	return copy_once("cpu", 1u << 20, 4096);
}

static void
t_step_refused(void)
{
	CU_ASSERT_EQUAL(in_child(child_step_refused, NULL), 0);
}

int
main(int argc, char **argv)
{
	unsigned int failed, passed;
	CU_pSuite s;

	if (argc != 3) {
		fprintf(stderr, "usage: %s NETDMAD_BINARY CONFIG_INI\n", argv[0]);
		return 2;
	}
	netdmad_bin = argv[1];
	config = argv[2];
	netdma_client_set_timeout_ms(5000);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("netdmad", suite_init, suite_cleanup);
	if (s == NULL ||
	    !CU_add_test(s, "copy on cpu", t_copy_cpu) ||
	    !CU_add_test(s, "copy on dma_skeleton", t_copy_skeleton) ||
	    !CU_add_test(s, "4 clients x 2 channels", t_multi_client) ||
	    !CU_add_test(s, "5 clients on dma_skeleton's one vchan", t_clients_share_one_vchan) ||
	    !CU_add_test(s, "kill -9 a client mid-chain", t_kill_client_mid_chain) ||
	    !CU_add_test(s, "bad control messages", t_bad_messages) ||
	    !CU_add_test(s, "descriptors at another client's memory", t_cross_client_region) ||
	    !CU_add_test(s, "the same, unchecked by the client: the daemon halts the channel",
			 t_cross_client_region_unchecked) ||
	    !CU_add_test(s, "descriptors over completion words", t_cw_target) ||
	    !CU_add_test(s, "unchecked by the client: the in-process rules, in order",
			 t_unchecked_order) ||
	    !CU_add_test(s, "the test-only STEP is refused", t_step_refused) ||
	    !CU_add_test(s, "SIGTERM with a client; second daemon", t_sigterm_with_client) ||
	    !CU_add_test(s, "daemon killed under a client", t_daemon_killed) ||
	    park_suite_add(netdmad_bin) < 0 || hostile_suite_add(netdmad_bin) < 0 ||
	    starve_suite_add(netdmad_bin) < 0 || cli_suite_add(netdmad_bin) < 0 ||
	    firstrun_suite_add(netdmad_bin) < 0 || ops_suite_add(netdmad_bin) < 0 ||
	    telemetry_suite_add(netdmad_bin) < 0)
		return 1;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	/* NETDMA_TEST_SUITE="suite name": that suite alone, while working on it */
	if (getenv("NETDMA_TEST_SUITE") != NULL && CU_get_suite(getenv("NETDMA_TEST_SUITE")) != NULL)
		CU_basic_run_suite(CU_get_suite(getenv("NETDMA_TEST_SUITE")));
	else
		CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	passed = CU_get_number_of_tests_run() - CU_get_number_of_tests_failed();
	printf("\ndaemon: %u passed, %u failed\n", passed, failed);
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
