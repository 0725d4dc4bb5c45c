/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdmad soak: hostile clients come and go while two good clients copy.
 *
 * A private netdmad (cpu engine + dma_skeleton, its own socket, config and
 * file prefix in a temporary directory).  For about 30 s, up to HOSTILE
 * client processes at a time connect, map memory, allocate channels on both
 * engines, start and append long chains, suspend, abort, reset, post chains
 * the daemon must refuse at fetch ... and are killed with SIGKILL at a random
 * moment (a few exit on their own, without freeing anything).  Meanwhile two
 * good clients copy on the cpu engine through a fresh channel each time and
 * check every byte against a private copy of the pattern, and the guard
 * bytes behind the destination.
 *
 * Asserted: no good copy failed or mismatched, both made progress, no
 * hostile client died of anything but our SIGKILL; after the loop and a
 * settle, the daemon's fd count and RSS are back to what they were after
 * the warm-up (RSS within a slack: allocator caches), no channel is in use
 * on any provider, a fresh copy on each engine verifies, and SIGTERM ends
 * the daemon with exit 0.  No timing is asserted beyond a generous
 * progress minimum.
 *
 * Usage: daemon_soak NETDMAD_BINARY [SECONDS [RSS_SLACK_MIB [MIN_COPIES]]]
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "netdma.h"
#include "netdma_client.h"
#include "daemon_util.h"

#define HOSTILE        6            /* hostile clients alive at once */
#define HOSTILE_LIFE_MS 400         /* each is killed within this */
#define GOOD           2
#define GOOD_MAX       (1u << 20)   /* largest good copy */
#define GUARD          4096         /* poisoned bytes behind the destination */
#define POISON         0xA5
#define RING           64           /* a hostile channel's descriptor ring */
#define SETTLE_S       20.0         /* reaping allowed after the loop (bounded) */

static const char *bin;
static double duration = 30;
static long rss_slack_kib = 8 * 1024;
static unsigned long min_copies = 20;
static char dir[64], sock[96], ini[96], prefix[48];
static pid_t dpid = -1;

/* Shared with every child (MAP_SHARED | MAP_ANONYMOUS, before the forks). */
struct good_stats {
	uint64_t copies;        /* verified copies */
	uint64_t bytes;
	uint64_t mismatches;    /* copies whose destination or guard differed */
	uint64_t failures;      /* copies that could not be done */
	uint64_t enospc;        /* allocation retries */
	char why[128];          /* the first failure */
};

struct soak_shared {
	int stop;
	struct good_stats good[GOOD];
	int in_use[8];          /* channels_in_use per provider (provider_check) */
	int nb_providers;
};

static struct soak_shared *sh;

static struct {
	uint64_t started, killed, exited, crashed;
	int last_bad_status;
} hostile_stats;

static long fd_base, rss_base;

/* ---- a small PRNG (xorshift64*) --------------------------------------------- */

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* ---- the good clients -------------------------------------------------------- */

struct good_bufs {
	uint8_t *src, *dst, *want;           /* want: private memory, not the daemon's */
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
};

static void
fail(struct good_stats *gs, const char *fmt, int a, int b)
{
	if (gs->why[0] == '\0')
		snprintf(gs->why, sizeof(gs->why), fmt, a, b);
	gs->failures++;
}

/*
 * One copy_once-style copy: a fresh cpu channel (retried on -ENOSPC), the
 * first 16 descriptors by Start, the rest by Appends of 16, then every byte
 * of the destination against the private pattern and the guard behind it.
 */
static void
good_copy(struct good_bufs *b, struct good_stats *gs, uint64_t *seed, int cpu)
{
	static const uint32_t descs[] = { 512, 4096, 65536 };
	uint32_t desc = descs[rnd(seed) % 3];
	size_t size = (size_t)desc * (1 + rnd(seed) % (GOOD_MAX / desc < 64 ? GOOD_MAX / desc : 64));
	struct netdma_chan_conf cc = { .completion_word = b->cw };
	uint32_t n = (uint32_t)(size / desc), i;
	struct netdma_chan *ch = NULL;
	uint64_t pat = rnd(seed), want;
	double deadline = now() + 30;
	bool v2;
	int ret;

	for (i = 0; i < size; i += 8) {
		uint64_t v = pat ^ ((uint64_t)i * 0x9E3779B97F4A7C15ull);

		memcpy(b->want + i, &v, 8);
	}
	memcpy(b->src, b->want, size);
	memset(b->dst, POISON, size + GUARD);
	while ((ret = netdma_chan_alloc((uint32_t)cpu, &cc, &ch)) == -ENOSPC && now() < deadline) {
		gs->enospc++;
		usleep(1000);
	}
	if (ret < 0) {
		fail(gs, "alloc: %d (after %d ENOSPC retries)", ret, (int)gs->enospc);
		return;
	}
	v2 = netdma_chan_version(ch) >= 0x200;
	for (i = 0; i < n; i++) {
		bool last = (i + 1) % 16 == 0 || i + 1 == n;

		b->d[i].transfer_size = desc;
		b->d[i].source_address = netdma_virt2iova(b->src + (size_t)i * desc);
		b->d[i].destination_address = netdma_virt2iova(b->dst + (size_t)i * desc);
		b->d[i].next_descriptor = !last || v2 ? netdma_virt2iova(&b->d[i + 1]) : 0;
		b->d[i].control_flags = last ? NETDMA_F_STATUS_UPDATE_ON_COMPLETION : 0;
	}
	for (i = 0, ret = 0; i < n && ret == 0; i += 16) {
		if (i > 0 && !v2)
			b->d[i - 1].next_descriptor = netdma_virt2iova(&b->d[i]);
		ret = i == 0 ? netdma_chan_start(ch, b->d, n < 16 ? n : 16) :
			netdma_chan_append(ch, &b->d[i], n - i < 16 ? n - i : 16);
	}
	if (ret < 0) {
		fail(gs, "start/append: %d at descriptor %d", ret, (int)i);
		netdma_chan_abort(ch);
		goto out;
	}
	want = netdma_completion_encode(netdma_virt2iova(&b->d[n - 1]), NETDMA_STATUS_IDLE);
	while (netdma_completion_read(b->cw) != want && now() < deadline)
		sched_yield();
	if (netdma_completion_read(b->cw) != want) {
		fail(gs, "completion word 0x%x after 30 s (%d descriptors)",
		     (int)netdma_completion_read(b->cw), (int)n);
		netdma_chan_abort(ch);
		goto out;
	}
	for (i = 0; i < GUARD; i++)
		if (b->dst[size + i] != POISON)
			break;
	if (memcmp(b->dst, b->want, size) != 0 || i < GUARD) {
		gs->mismatches++;
		if (gs->why[0] == '\0')
			snprintf(gs->why, sizeof(gs->why), "mismatch: %zu bytes by %u, guard ok to %u",
				 size, desc, i);
	} else {
		gs->copies++;
		gs->bytes += size;
	}
out:
	deadline = now() + 10;
	while ((ret = netdma_chan_free(ch)) == -EBUSY && now() < deadline)
		usleep(1000);
	if (ret < 0)
		fail(gs, "free: %d (copy %d)", ret, (int)gs->copies);
}

static int
good_client(int idx)
{
	struct good_stats *gs = &sh->good[idx];
	uint64_t seed = 0x5EED0000ull + (uint64_t)idx * 7919 + (uint64_t)getpid();
	struct good_bufs b;
	int cpu;

	if (netdma_client_connect(sock) < 0)
		return 40;
	cpu = netdma_provider_find("cpu");
	b.src = netdma_mem_alloc(GOOD_MAX, 64);
	b.dst = netdma_mem_alloc(GOOD_MAX + GUARD, 64);
	b.d = netdma_mem_alloc(sizeof(*b.d) * (GOOD_MAX / 512 + 1), 64);
	b.cw = netdma_mem_alloc(8, 64);
	b.want = malloc(GOOD_MAX);
	if (cpu < 0 || b.src == NULL || b.dst == NULL || b.d == NULL || b.cw == NULL || b.want == NULL)
		return 41;
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE))
		good_copy(&b, gs, &seed, cpu);
	free(b.want);
	netdma_mem_free(b.src);
	netdma_mem_free(b.dst);
	netdma_mem_free(b.d);
	netdma_mem_free((void *)(uintptr_t)b.cw);
	netdma_client_disconnect();
	return 0;
}

/* ---- the hostile clients ----------------------------------------------------- */

struct hchan {
	struct netdma_chan *ch;
	struct netdma_descriptor *ring;    /* RING descriptors, the last pre-linking the first */
	volatile uint64_t *cw;
};

/* A ring of RING descriptors copying 16 KiB each inside @p buf; count-based (2.0). */
static void
ring_fill(struct netdma_descriptor *r, uint8_t *buf, uint64_t *seed)
{
	int i;

	for (i = 0; i < RING; i++) {
		size_t off = (size_t)(rnd(seed) % 64) * 16384;

		r[i].transfer_size = 16384;
		r[i].source_address = netdma_virt2iova(buf + off);
		r[i].destination_address = netdma_virt2iova(buf + (1u << 20) + off);
		r[i].next_descriptor = netdma_virt2iova(&r[(i + 1) % RING]);
		r[i].control_flags = i % 16 == 15 ? NETDMA_F_STATUS_UPDATE_ON_COMPLETION |
			(rnd(seed) & 1 ? NETDMA_F_INTERRUPT_ON_COMPLETION : 0) : 0;
	}
}

static void
hostile_cb(struct netdma_chan *chan, netdma_iova_t last, void *arg)
{
	(void)chan;
	(void)last;
	(void)arg;
}

/* Runs until killed; now and then gives up on its own without freeing anything. */
static int
hostile_client(uint64_t seed)
{
	struct hchan h[6] = { 0 };
	struct netdma_descriptor *bad;
	int nb = 0, i, ids[2];
	uint64_t ops = 64 + rnd(&seed) % 2048;
	uint8_t *buf;

	if (rnd(&seed) % 4 == 0)
		netdma_client_set_intr_thread(false);
	if (netdma_client_connect(sock) < 0)
		return 0;          /* refused: fine */
	ids[0] = netdma_provider_find("cpu");
	ids[1] = netdma_provider_find("dma_skeleton");
	buf = netdma_mem_alloc(2u << 20, 4096);
	bad = netdma_mem_alloc(sizeof(*bad) * 2, 64);
	if (buf == NULL || bad == NULL)
		return 0;
	memset(buf, 0x5A, 1u << 20);
	for (i = 0; i < 6; i++) {
		int pid = ids[rnd(&seed) % 2];
		struct netdma_chan_conf cc = { 0 };

		h[nb].ring = netdma_mem_alloc(sizeof(*h[nb].ring) * RING, 64);
		h[nb].cw = netdma_mem_alloc(8, 64);
		if (pid < 0 || h[nb].ring == NULL || h[nb].cw == NULL)
			continue;
		cc.completion_word = h[nb].cw;
		if (rnd(&seed) & 1)
			cc.intr_cb = hostile_cb;
		/* -ENOSPC, -EDQUOT, -EBUSY: expected here */
		if (netdma_chan_alloc((uint32_t)pid, &cc, &h[nb].ch) < 0)
			continue;
		ring_fill(h[nb].ring, buf, &seed);
		netdma_chan_start(h[nb].ch, h[nb].ring, RING);
		nb++;
	}
	while (ops-- > 0) {
		struct hchan *c = nb > 0 ? &h[rnd(&seed) % nb] : NULL;
		netdma_iova_t last;

		if (c == NULL || c->ch == NULL) {
			usleep(1000);
			continue;
		}
		switch (rnd(&seed) % 16) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6:
			/* the slot the last chain pre-linked is the ring's head again */
			netdma_chan_append(c->ch, c->ring, RING);
			break;
		case 7:
			if (netdma_chan_suspend(c->ch, &last) == 0)
				netdma_chan_resume(c->ch);
			break;
		case 8:
			netdma_chan_abort(c->ch);
			netdma_chan_start(c->ch, c->ring, RING);
			break;
		case 9:
			netdma_chan_reset(c->ch);
			netdma_chan_start(c->ch, c->ring, RING);
			break;
		case 10:
			/* a chain the daemon must refuse as it fetches it */
			bad[0] = c->ring[0];
			bad[0].source_address = 0x1000;
			bad[0].next_descriptor = netdma_virt2iova(&bad[1]);
			netdma_client_set_local_check(false);
			netdma_chan_start(c->ch, bad, 1);
			netdma_client_set_local_check(true);
			break;
		case 11:
			if (netdma_chan_free(c->ch) == 0)   /* usually -EBUSY */
				c->ch = NULL;
			break;
		case 12: {
			struct netdma_chan_stats st;

			netdma_chan_stats_get(c->ch, &st);
			break;
		}
		case 13:
			netdma_mem_free(netdma_mem_alloc(1 + rnd(&seed) % (1u << 20), 64));
			break;
		default:
			usleep((useconds_t)(rnd(&seed) % 2000));
			break;
		}
	}
	if (rnd(&seed) & 1)
		netdma_client_disconnect();
	return 0;          /* with its channels busy and nothing freed */
}

/* ---- the daemon and its state -------------------------------------------------- */

static int
write_config(void)
{
	FILE *f = fopen(ini, "w");

	if (f == NULL)
		return -1;
	/* main lcore 0: control socket and the skeleton's copy thread; poller on 1 */
	fprintf(f, "[eal]\nargs = -l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci "
		"--vdev=dma_skeleton,lcore=0 --file-prefix=%s --log-level=lib.eal:error\n"
		"[engines]\ncpu = on\ncpu_channels = 16\nversion = 2.0\ndmadev = all\n"
		"require_dmadev = yes\n"
		"[pollers]\nlcores = 1\npark_after_us = 1000\npark_timeout_ms = 100\n"
		"[quota]\nchannels = 4\nregion_bytes = 268435456\n"
		"[shutdown]\ndrain_ms = 2000\n[log]\nlevel = warning\n", prefix);
	return fclose(f);
}

/* In a child (the test process never connects): channels_in_use per provider. */
static int
child_providers(void *arg)
{
	struct netdma_provider_info info[8];
	int n, i;

	(void)arg;
	if (netdma_client_connect(sock) < 0)
		return 50;
	n = netdma_provider_list(info, 8);
	if (n < 2)       /* cpu and dma_skeleton */
		return 51;
	for (i = 0; i < n && i < 8; i++)
		sh->in_use[i] = (int)info[i].channels_in_use;
	sh->nb_providers = n < 8 ? n : 8;
	netdma_client_disconnect();
	return 0;
}

/* @return channels in use over all providers, or -1 if the daemon did not answer. */
static int
channels_in_use(void)
{
	int i, sum = 0;

	sh->nb_providers = 0;
	if (in_child(child_providers, NULL) != 0)
		return -1;
	for (i = 0; i < sh->nb_providers; i++)
		sum += sh->in_use[i];
	return sum;
}

static int
daemon_alive(void)
{
	int st;

	return dpid > 0 && waitpid(dpid, &st, WNOHANG) == 0;
}

/*
 * Wait (bounded) until the dead clients are reaped: no channel in use and
 * fds and RSS back to @p fd_max / @p rss_max (a negative bound: don't care).
 */
static void
settle(long fd_max, long rss_max, double seconds)
{
	double deadline = now() + seconds;

	/*
	 * Channels first: channels_in_use() connects, and the daemon closes
	 * that connection a moment after its answer; then the fds and the
	 * RSS, with no connection of ours in flight.
	 */
	while (now() < deadline && daemon_alive() && channels_in_use() != 0)
		usleep(200000);
	while (now() < deadline && daemon_alive()) {
		usleep(200000);
		if ((fd_max < 0 || proc_fd_count(dpid) <= fd_max) &&
		    (rss_max < 0 || proc_rss_kib(dpid) <= rss_max))
			return;
	}
}

/* ---- the soak loop ----------------------------------------------------------------- */

/*
 * A good client exits normally, so LeakSanitizer looks at the client
 * library in a sanitized build; a hostile one leaves with _exit().
 */
static pid_t
spawn(bool good, uint64_t arg)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		if (good)
			exit(good_client((int)arg));
		_exit(hostile_client(arg));
	}
	return pid;
}

static void
hostile_reaped(int st, bool we_killed)
{
	if (we_killed && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		hostile_stats.killed++;
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		hostile_stats.exited++;
	else {
		hostile_stats.crashed++;
		hostile_stats.last_bad_status = st;
	}
}

/*
 * @p seconds of hostile clients around two good ones; @return the good
 * clients' exit statuses folded (0 when both exited 0).
 */
static int
soak(double seconds, uint64_t seed)
{
	struct { pid_t pid; double kill_at; } h[HOSTILE] = { 0 };
	pid_t good[GOOD];
	double end = now() + seconds, deadline;
	int i, st, bad = 0;

	__atomic_store_n(&sh->stop, 0, __ATOMIC_RELEASE);
	for (i = 0; i < GOOD; i++)
		good[i] = spawn(true, (uint64_t)i);
	while (now() < end && daemon_alive()) {
		for (i = 0; i < HOSTILE; i++) {
			if (h[i].pid > 0 && waitpid(h[i].pid, &st, WNOHANG) == h[i].pid) {
				hostile_reaped(st, false);
				h[i].pid = 0;
			}
			if (h[i].pid > 0 && now() >= h[i].kill_at) {
				kill(h[i].pid, SIGKILL);
				waitpid(h[i].pid, &st, 0);
				hostile_reaped(st, true);
				h[i].pid = 0;
			}
			if (h[i].pid == 0) {
				h[i].kill_at = now() + (double)(rnd(&seed) % HOSTILE_LIFE_MS) / 1000;
				h[i].pid = spawn(false, rnd(&seed));
				hostile_stats.started++;
			}
		}
		usleep(2000);
	}
	for (i = 0; i < HOSTILE; i++)
		if (h[i].pid > 0) {
			kill(h[i].pid, SIGKILL);
			waitpid(h[i].pid, &st, 0);
			hostile_reaped(st, true);
		}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	/* a good copy has 30 s to complete and 10 s to free its channel */
	deadline = now() + 60;
	for (i = 0; i < GOOD; i++) {
		while (waitpid(good[i], &st, WNOHANG) != good[i]) {
			if (now() > deadline) {
				kill(good[i], SIGKILL);
				waitpid(good[i], &st, 0);
				break;
			}
			usleep(10000);
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "good client %d: status 0x%x\n", i, st);
			bad = 1;
		}
	}
	return bad;
}

static void
report(const char *phase)
{
	int i;

	for (i = 0; i < GOOD; i++)
		printf("  %s good %d: %llu copies verified (%.1f MiB), %llu mismatches, "
		       "%llu failures, %llu ENOSPC retries%s%s\n", phase, i,
		       (unsigned long long)sh->good[i].copies,
		       (double)sh->good[i].bytes / (1 << 20),
		       (unsigned long long)sh->good[i].mismatches,
		       (unsigned long long)sh->good[i].failures,
		       (unsigned long long)sh->good[i].enospc,
		       sh->good[i].why[0] ? ": " : "", sh->good[i].why);
	printf("  %s hostile: %llu started, %llu killed, %llu exited, %llu crashed\n", phase,
	       (unsigned long long)hostile_stats.started, (unsigned long long)hostile_stats.killed,
	       (unsigned long long)hostile_stats.exited, (unsigned long long)hostile_stats.crashed);
}

/* ---- the suite ----------------------------------------------------------------------- */

static int
suite_init(void)
{
	char log[128];

	snprintf(dir, sizeof(dir), "/tmp/netdmad-soak-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock, sizeof(sock), "%s/netdmad.sock", dir);
	snprintf(ini, sizeof(ini), "%s/netdmad.ini", dir);
	snprintf(log, sizeof(log), "%s/netdmad.log", dir);
	snprintf(prefix, sizeof(prefix), "netdma-test-soak-%d", (int)getpid());
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || write_config() != 0)
		return 1;
	dpid = daemon_start(bin, ini, sock, log);
	return dpid > 0 ? 0 : 1;
}

static int
suite_cleanup(void)
{
	char cmd[400];

	if (dpid > 0) {       /* t_sigterm did not run or failed */
		kill(dpid, SIGKILL);
		waitpid(dpid, NULL, 0);
	}
	if (CU_get_number_of_failures() > 0) {
		snprintf(cmd, sizeof(cmd), "tail -20 %s/netdmad.log >&2", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s /var/run/dpdk/%s", dir, prefix);
	return system(cmd) == 0 ? 0 : 1;
}

/* Warm-up: a short soak, everything reaped, then the baseline. */
static void
t_warmup(void)
{
	int i;

	CU_ASSERT_EQUAL(soak(3, 0x1234567ull ^ (uint64_t)getpid()), 0);
	report("warm-up");
	for (i = 0; i < GOOD; i++)
		CU_ASSERT(sh->good[i].mismatches == 0 && sh->good[i].failures == 0);
	settle(-1, -1, SETTLE_S);
	usleep(500000);   /* settle's last connection is gone */
	fd_base = proc_fd_count(dpid);
	rss_base = proc_rss_kib(dpid);
	CU_ASSERT_EQUAL_FATAL(channels_in_use(), 0);
	CU_ASSERT_FATAL(fd_base > 0 && rss_base > 0);
	printf("  baseline: %ld fds, VmRSS %ld KiB\n", fd_base, rss_base);
	memset(sh->good, 0, sizeof(sh->good));
	memset(&hostile_stats, 0, sizeof(hostile_stats));
}

static void
t_soak(void)
{
	int i;

	CU_ASSERT_EQUAL(soak(duration - 5 > 5 ? duration - 5 : 5, 0xC0FFEEull ^ (uint64_t)getpid()), 0);
	report("soak");
	CU_ASSERT_FATAL(daemon_alive());
	for (i = 0; i < GOOD; i++) {
		CU_ASSERT_EQUAL(sh->good[i].mismatches, 0);
		CU_ASSERT_EQUAL(sh->good[i].failures, 0);
		CU_ASSERT(sh->good[i].copies >= min_copies);
	}
	CU_ASSERT(hostile_stats.started > 0);
	CU_ASSERT_EQUAL(hostile_stats.crashed, 0);
	if (hostile_stats.crashed)
		fprintf(stderr, "a hostile client ended with status 0x%x\n", hostile_stats.last_bad_status);
}

/* Everything the dead clients held is back. */
static void
t_reclaimed(void)
{
	long fds, rss;
	int used;

	settle(fd_base, rss_base + rss_slack_kib, SETTLE_S);
	fds = proc_fd_count(dpid);   /* before channels_in_use() opens a connection */
	rss = proc_rss_kib(dpid);
	used = channels_in_use();
	printf("  after: %ld fds (baseline %ld), VmRSS %ld KiB (baseline %ld, slack %ld), "
	       "%d channels in use\n", fds, fd_base, rss, rss_base, rss_slack_kib, used);
	CU_ASSERT_EQUAL(used, 0);
	CU_ASSERT_EQUAL(fds, fd_base);
	CU_ASSERT(rss > 0 && rss <= rss_base + rss_slack_kib);
}

static int
child_fresh_copy(void *arg)
{
	if (netdma_client_connect(sock) < 0)
		return 60;
	return copy_once(arg, 1u << 20, 4096);
}

static void
t_fresh_copy(void)
{
	CU_ASSERT_EQUAL(in_child(child_fresh_copy, "cpu"), 0);
	/* the skeleton's one channel is free again too */
	CU_ASSERT_EQUAL(in_child(child_fresh_copy, "dma_skeleton"), 0);
}

static void
t_sigterm(void)
{
	int ret = daemon_stop(dpid);

	dpid = -1;
	CU_ASSERT_EQUAL(ret, 0);
}

int
main(int argc, char **argv)
{
	unsigned int failed, passed;
	CU_pSuite s;

	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: %s NETDMAD_BINARY [SECONDS [RSS_SLACK_MIB [MIN_COPIES]]]\n",
			argv[0]);
		return 2;
	}
	bin = argv[1];
	if (argc > 2)
		duration = atof(argv[2]);
	if (argc > 3)
		rss_slack_kib = atol(argv[3]) * 1024;
	if (argc > 4)
		min_copies = strtoul(argv[4], NULL, 0);
	netdma_client_set_timeout_ms(5000);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("netdmad soak", suite_init, suite_cleanup);
	if (s == NULL ||
	    !CU_add_test(s, "warm-up and baseline", t_warmup) ||
	    !CU_add_test(s, "hostile clients killed around two good ones", t_soak) ||
	    !CU_add_test(s, "fds, RSS and channels back", t_reclaimed) ||
	    !CU_add_test(s, "a fresh copy on each engine", t_fresh_copy) ||
	    !CU_add_test(s, "SIGTERM: exit 0", t_sigterm))
		return 1;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	passed = CU_get_number_of_tests_run() - CU_get_number_of_tests_failed();
	printf("\nsoak: %u passed, %u failed\n", passed, failed);
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
