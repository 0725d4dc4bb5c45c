/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for netdmad's control path: the real handler
 * (netdmad_client_handle) on a real socket, with the engines and a poller
 * running as in netdmad_main.c.  Each input is one client session (the
 * steps of fuzz_client_wire.h): messages with any fds, and writes into the
 * memory the client shared, as a hostile client may do at any time.  When
 * the client is gone and reaped, every fd and every EAL memseg list it
 * caused must be gone too, or the harness aborts.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "netdma_proto.h"
#include "netdma_proto_io.h"
#include "netdmad.h"

#include "fuzz_client_fds.h"
#include "fuzz_client_wire.h"
#include "fuzz_input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MAPS  32
#define MAX_RINGS 16

/* A memfd or file the client sent, mapped on the client's side. */
struct map {
	int fd;
	uint8_t *va;
	size_t len;
	size_t backed;          /* bytes that do not fault: len, less after a shrink */
	uint64_t iova;          /* the daemon's, once it registered the region */
	uint32_t region_id;
	bool registered;
};

/* A command ring the daemon's poller consumes. */
struct ring {
	bool live;
	uint32_t chan_id;
	struct map *m;
	uint64_t off;
};

struct session {
	int sock;               /* the client's end */
	struct dclient *cl;     /* NULL once gone */
	struct map maps[MAX_MAPS];
	unsigned int nb_maps;
	struct ring rings[MAX_RINGS];
};

static struct netdmad_conf conf;
static bool allow_shrink;
static bool trace;          /* NETDMA_FUZZ_TRACE=1: each step and reply on stderr */

static int
log_level_from_env(void)
{
	const char *v = getenv("NETDMA_FUZZ_LOG");
	int n = v != NULL ? netdmad_log_level(v) : -1;

	return n >= 0 ? n : RTE_LOG_CRIT;
}

/*
 * netdmad keeps SIGPIPE's default action, which ends the process without a
 * trace; here it becomes a crash that libFuzzer reports, input and all.
 */
static void
on_sigpipe(int sig)
{
	static const char msg[] = "fuzz_client: SIGPIPE: the daemon wrote to a pipe or socket "
		"the client closed (netdmad would have died)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		abort();
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	/* netdmad's default EAL arguments; no telemetry socket to collide on */
	static char *eal_argv[] = {
		"fuzz_client", "-l", "0-1", "--no-huge", "--no-shconf", "--iova-mode=va",
		"--no-pci", "--no-telemetry", "--vdev=dma_skeleton,lcore=0",
		"--log-level=lib.eal:error", NULL,
	};
	const char *v = getenv("NETDMA_FUZZ_VERSION");

	(void)argc;
	(void)argv;
	/* NETDMA_FUZZ_SIGPIPE=ignore: as a daemon that ignores it would run */
	if (getenv("NETDMA_FUZZ_SIGPIPE") != NULL && strcmp(getenv("NETDMA_FUZZ_SIGPIPE"), "ignore") == 0)
		sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	netdmad_config_defaults(&conf);
	if (v != NULL && (strcmp(v, "1.1") == 0 || strcmp(v, "1.0") == 0)) {
		conf.major = 1;
		conf.minor = (uint8_t)(v[2] - '0');
	}
	/* a parked poller would leave commands to its 100 ms timeout: never park */
	conf.park_after_us = UINT32_MAX;
	trace = getenv("NETDMA_FUZZ_TRACE") != NULL;
	/* the daemon maps only memfds sealed against shrinking: truncating is fair */
	allow_shrink = getenv("NETDMA_FUZZ_SHRINK") == NULL || strcmp(getenv("NETDMA_FUZZ_SHRINK"), "0") != 0;
	if (rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1, eal_argv) < 0) {
		fprintf(stderr, "fuzz_client: EAL: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	rte_log_set_global_level((uint32_t)log_level_from_env());
	netdmad_limits_init(&conf);
	netdmad_clients_init(&conf);
	if (netdmad_engines_start(&conf) < 0 || netdmad_pollers_start(&conf) < 0) {
		fprintf(stderr, "fuzz_client: cannot start the engines or the poller\n");
		exit(1);
	}
	return 0;
}

/* ---- what the client learns from the replies ---------------------------- */

static struct map *
map_of_region(struct session *s, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < s->nb_maps; i++)
		if (s->maps[i].registered && s->maps[i].region_id == id)
			return &s->maps[i];
	return NULL;
}

static void
ring_track(struct session *s, const struct netdma_msg_chan_alloc *m, uint32_t chan_id)
{
	struct map *mp = map_of_region(s, m->ring_region);
	unsigned int i;

	if (mp == NULL || m->ring_offset > mp->len ||
	    mp->len - m->ring_offset < netdma_cmd_ring_size(m->ring_entries))
		return;
	for (i = 0; i < MAX_RINGS; i++)
		if (!s->rings[i].live) {
			s->rings[i] = (struct ring){ .live = true, .chan_id = chan_id, .m = mp,
						     .off = m->ring_offset };
			return;
		}
}

static void
ring_untrack(struct session *s, uint32_t chan_id)
{
	unsigned int i;

	for (i = 0; i < MAX_RINGS; i++)
		if (s->rings[i].live && s->rings[i].chan_id == chan_id)
			s->rings[i].live = false;
}

/* Note what a successful reply to @p req (len bytes) means for the session. */
static void
learn(struct session *s, const uint8_t *req, size_t len, const uint8_t *rep, size_t rlen,
      struct map *first)
{
	struct netdma_msg_hdr h;
	struct netdma_reply_hdr r;

	if (len < sizeof(h) || rlen < sizeof(r))
		return;
	memcpy(&h, req, sizeof(h));
	memcpy(&r, rep, sizeof(r));
	if (trace)
		fprintf(stderr, "  reply type %u: %d\n", r.h.type, r.result);
	if (trace && r.h.type == NETDMA_MSG_CHAN_STATS && rlen >= sizeof(struct netdma_reply_chan_stats)) {
		struct netdma_reply_chan_stats st;

		memcpy(&st, rep, sizeof(st));
		fprintf(stderr, "  starts %" PRIu64 ", retired %" PRIu64 ", bytes %" PRIu64
			", errors %" PRIu64 ", state %d: %.*s\n", st.starts, st.descriptors_retired,
			st.bytes_copied, st.errors, st.state, (int)sizeof(st.last_error), st.last_error);
	}
	if (r.result != 0 || r.h.type != h.type)
		return;
	if (h.type == NETDMA_MSG_REGION_ADD && first != NULL &&
	    rlen >= sizeof(struct netdma_reply_region_add)) {
		struct netdma_reply_region_add ra;

		memcpy(&ra, rep, sizeof(ra));
		first->region_id = ra.region_id;
		first->iova = ra.iova_base;
		first->registered = true;
	} else if (h.type == NETDMA_MSG_CHAN_ALLOC && len >= sizeof(struct netdma_msg_chan_alloc) &&
		   rlen >= sizeof(struct netdma_reply_chan_alloc)) {
		struct netdma_msg_chan_alloc m;
		struct netdma_reply_chan_alloc ca;

		memcpy(&m, req, sizeof(m));
		memcpy(&ca, rep, sizeof(ca));
		ring_track(s, &m, ca.chan_id);
	} else if (h.type == NETDMA_MSG_CHAN_FREE && len >= sizeof(struct netdma_msg_chan)) {
		struct netdma_msg_chan m;

		memcpy(&m, req, sizeof(m));
		ring_untrack(s, m.chan_id);
	} else if (h.type == NETDMA_MSG_REGION_DEL && len >= sizeof(struct netdma_msg_region_del)) {
		struct netdma_msg_region_del m;
		struct map *mp;

		memcpy(&m, req, sizeof(m));
		mp = map_of_region(s, m.region_id);
		if (mp != NULL)
			mp->registered = false;   /* its IOVA stays: a stale pointer to try */
	}
}

/* Read every reply; close the fds that came with them (eventfds). */
static void
drain(struct session *s, const uint8_t *req, size_t len, struct map *first)
{
	uint8_t rep[NETDMA_MSG_MAX];
	int fds[NETDMA_PROTO_MAX_FDS], nfds, i;
	ssize_t n;

	for (;;) {
		n = netdma_proto_recv(s->sock, rep, sizeof(rep), fds, NETDMA_PROTO_MAX_FDS, &nfds);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (n < 0 && n != -EMSGSIZE)
			return;
		if (n > 0)
			learn(s, req, len, rep, (size_t)n, first);
	}
}

static void
gone(struct session *s)
{
	unsigned int i;

	netdmad_client_gone(s->cl);
	s->cl = NULL;
	for (i = 0; i < MAX_RINGS; i++)
		s->rings[i].live = false;
}

/* ---- the steps ---------------------------------------------------------- */

/* Keep a mapping of @p fd for later pokes; false if there is no room. */
static bool
keep(struct session *s, int fd, size_t size)
{
	struct map *m = &s->maps[s->nb_maps];
	void *va;

	if (s->nb_maps == MAX_MAPS || size == 0)
		return false;
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (va == MAP_FAILED)
		return false;
	*m = (struct map){ .fd = fd, .va = va, .len = size, .backed = size };
	s->nb_maps++;
	return true;
}

static void
step_msg(struct session *s, struct fz_in *in)
{
	uint8_t flags = fz_u8(in), fdb = fz_u8(in), fileb = fz_u8(in);
	size_t len = fz_u16(in) % (FZ_MAX_MSG + 1);
	enum fz_fd kind = (enum fz_fd)((fdb & 7) % FZ_FD_COUNT);
	int n = kind == FZ_FD_NONE ? 0 : 1 + (fdb >> 3) % FZ_MAX_FDS;
	size_t size = (fileb & 15) * (size_t)FZ_PAGE;
	uint8_t body[FZ_MAX_MSG];
	bool kept[FZ_MAX_FDS] = { false };
	struct map *first = NULL;
	int fds[FZ_MAX_FDS], i, ret;

	if (len > in->left)
		len = in->left;
	fz_bytes(in, body, len);
	if ((flags & FZ_MSG_FIX) && len >= sizeof(struct netdma_msg_hdr)) {
		struct netdma_msg_hdr h;

		memcpy(&h, body, sizeof(h));
		h.magic = NETDMA_PROTO_MAGIC;
		h.version = NETDMA_PROTO_VERSION;
		h.size = (uint32_t)len;
		memcpy(body, &h, sizeof(h));
	}
	if ((fileb & 0x80) && size > 0)
		size--;   /* not a whole number of pages */
	for (i = 0; i < n; i++) {
		fds[i] = fz_fd_open(kind, size);
		if (fds[i] < 0)
			break;
		if (fz_fd_mappable(kind) && keep(s, fds[i], size)) {
			kept[i] = true;
			if (i == 0)
				first = &s->maps[s->nb_maps - 1];
		}
	}
	n = i;
	ret = fz_send(s->sock, body, len, fds, n);
	for (i = 0; i < n; i++)
		if (!kept[i])
			close(fds[i]);
	if (ret < 0) {
		if (trace)
			fprintf(stderr, "msg %zu bytes, %d fds: not sent: %s\n", len, n, strerror(-ret));
		return;
	}
	ret = netdmad_client_handle(s->cl);
	if (trace)
		fprintf(stderr, "msg %zu bytes, %d fds of kind %d: handle %d\n", len, n, kind, ret);
	drain(s, body, len, first);
	if (ret < 0)
		gone(s);   /* what netdmad_main.c does with a client it drops */
}

static struct map *
pick(struct session *s, uint8_t b)
{
	return s->nb_maps == 0 ? NULL : &s->maps[b % s->nb_maps];
}

static void
step_poke(struct session *s, struct fz_in *in)
{
	struct map *m = pick(s, fz_u8(in));
	uint32_t off = fz_u32(in);
	uint8_t n = fz_u8(in), bytes[256];

	fz_bytes(in, bytes, n);
	if (m == NULL || m->backed == 0)
		return;
	off %= m->backed;
	if (n > m->backed - off)
		n = (uint8_t)(m->backed - off);
	memcpy(m->va + off, bytes, n);
}

static void
step_poke_iova(struct session *s, struct fz_in *in)
{
	struct map *m = pick(s, fz_u8(in));
	uint32_t off = fz_u32(in);
	struct map *t = pick(s, fz_u8(in));
	uint32_t toff = fz_u32(in);
	uint64_t v;

	if (m == NULL || m->backed < sizeof(v))
		return;
	off = (uint32_t)(off % (m->backed - sizeof(v) + 1));
	v = t->iova + toff;
	__atomic_store_n((uint64_t *)(void *)(m->va + (off & ~7u)), v, __ATOMIC_RELEASE);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Has the poller consumed everything the client posted on @p r? */
static bool
ring_idle(const struct ring *r)
{
	const struct netdma_cmd_ring *q;

	if (!r->live || r->off + sizeof(*q) > r->m->backed)
		return true;
	q = (const void *)(r->m->va + r->off);
	return __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) == __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
}

static void
step_wait(struct session *s, struct fz_in *in)
{
	uint64_t deadline = now_us() + (fz_u8(in) % 8 + 1) * 100u;
	const struct timespec nap = { .tv_nsec = 5000 };
	unsigned int i;

	do {
		for (i = 0; i < MAX_RINGS && ring_idle(&s->rings[i]); i++)
			;
		if (i == MAX_RINGS)
			return;
		nanosleep(&nap, NULL);
	} while (now_us() < deadline);
}

static void
step_shrink(struct session *s, struct fz_in *in)
{
	struct map *m = pick(s, fz_u8(in));
	size_t size = (fz_u8(in) & 15) * (size_t)FZ_PAGE;

	if (!allow_shrink || m == NULL)
		return;
	if (ftruncate(m->fd, (off_t)size) == 0 && size < m->backed)
		m->backed = size;   /* the client's own pokes must not fault either */
}

/* ---- one input ---------------------------------------------------------- */

static int
count_list(const struct rte_memseg_list *msl, void *arg)
{
	(void)msl;
	(*(unsigned int *)arg)++;
	return 0;
}

static unsigned int
memseg_lists(void)
{
	unsigned int n = 0;

	rte_memseg_list_walk(count_list, &n);
	return n;
}

static void
finish(struct session *s)
{
	uint64_t deadline = now_us() + 10 * 1000000u;
	unsigned int i;

	if (s->cl != NULL)
		gone(s);
	while (netdmad_reap() > 0) {
		if (now_us() > deadline) {
			fprintf(stderr, "fuzz_client: a gone client still not reaped after 10 s\n");
			abort();
		}
		usleep(100);
	}
	close(s->sock);
	for (i = 0; i < s->nb_maps; i++) {
		munmap(s->maps[i].va, s->maps[i].len);
		close(s->maps[i].fd);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .left = size };
	static struct session s;   /* large: not on the stack */
	int fds_before = fz_count_fds(), fds_after, sv[2];
	unsigned int lists_before = memseg_lists(), lists_after;

	memset(&s, 0, sizeof(s));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	/* the daemon's end is non-blocking, as accept4() gives it */
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0 || (s.cl = netdmad_client_new(sv[0])) == NULL) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	s.sock = sv[1];
	while (!fz_done(&in) && s.cl != NULL) {
		switch (fz_u8(&in) % FZ_OP_COUNT) {
		case FZ_OP_MSG: step_msg(&s, &in); break;
		case FZ_OP_POKE: step_poke(&s, &in); break;
		case FZ_OP_POKE_IOVA: step_poke_iova(&s, &in); break;
		case FZ_OP_WAIT: step_wait(&s, &in); break;
		default: step_shrink(&s, &in); break;
		}
	}
	finish(&s);
	fds_after = fz_count_fds();
	lists_after = memseg_lists();
	if (fds_after != fds_before) {
		fprintf(stderr, "fuzz_client: fd leak: %d open before the session, %d after\n",
			fds_before, fds_after);
		fz_list_fds();
		abort();
	}
	if (lists_after != lists_before) {
		fprintf(stderr, "fuzz_client: EAL memseg lists: %u before the session, %u after\n",
			lists_before, lists_after);
		abort();
	}
	if (netdmad_client_count() != 0) {
		fprintf(stderr, "fuzz_client: a client outlived its session\n");
		abort();
	}
	return 0;
}
