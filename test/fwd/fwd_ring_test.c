/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding pipeline embedded as an application embeds it (fwd.h),
 * between a pair of net_ring ports this test owns: it puts packets on each
 * port's RX ring and takes the copies off the peer's TX ring, then checks
 * every byte, the order and the counters.  Run with EAL options, e.g.:
 *   fwd_ring_test --lcores=0@0,1@1,2@0 -S 2 --no-huge --no-shconf \
 *       --iova-mode=va --no-pci --vdev=dma_skeleton,lcore=0
 * (lcore 1 forwards, lcore 2 is the service lcore of the --service case).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "fwd.h"

#define NPKTS 600           /* per direction */
#define RING_SLOTS 4096

/* What one run asks of the pipeline. */
struct run_opts {
	const char *provider;
	uint32_t copy_break;      /* FWD_COPY_BREAK_ALL: --cpu-only */
	bool mac;
	bool service;
	bool stall;               /* --on-full stall (else the mode's default) */
	bool full_drop;
	bool fault_drop;
	uint64_t fault_every;
	uint32_t ring_size;       /* 0: the default */
	bool multiseg;            /* chained originals among the packets */
	bool telemetry;           /* also read /netdma_fwd/stats over the socket */
};

struct sent {
	uint32_t len;
	uint8_t *bytes;
};

/* Two net_ring ports; port[i] receives from rx[i] and sends into tx[i]. */
struct pair {
	struct rte_ring *rx[2], *tx[2];
	uint16_t port[2];
	struct rte_ether_addr mac[2];
};

static unsigned int pair_seq;

static int
pair_make(struct pair *p)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int i, seq = pair_seq++;

	for (i = 0; i < 2; i++) {
		int port;

		snprintf(name, sizeof(name), "fr%u_rx%u", seq, i);
		p->rx[i] = rte_ring_create(name, RING_SLOTS, SOCKET_ID_ANY, 0);
		snprintf(name, sizeof(name), "fr%u_tx%u", seq, i);
		p->tx[i] = rte_ring_create(name, RING_SLOTS, SOCKET_ID_ANY, 0);
		if (p->rx[i] == NULL || p->tx[i] == NULL)
			return -1;
		snprintf(name, sizeof(name), "net_ring_fwd%u_%u", seq, i);
		port = rte_eth_from_rings(name, &p->rx[i], 1, &p->tx[i], 1, SOCKET_ID_ANY);
		if (port < 0)
			return -1;
		p->port[i] = (uint16_t)port;
		if (rte_eth_macaddr_get(p->port[i], &p->mac[i]) < 0)
			return -1;
	}
	return 0;
}

static void
ring_drain_free(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (r != NULL && rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

static void
pair_free(struct pair *p)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		ring_drain_free(p->rx[i]);
		ring_drain_free(p->tx[i]);
	}
}

static uint32_t
pkt_seed(unsigned int d, unsigned int k)
{
	return (d + 1) * 2654435761u ^ (k * 40503u + 7);
}

/* Length of packet k of direction d, unless it is one of the chained ones. */
static uint32_t
plain_len(unsigned int d, unsigned int k)
{
	return 60 + pkt_seed(d, k) % 1941;          /* 60 .. 2000 */
}

/* Packet k of direction d: its length and (recorded) bytes; a few chained. */
static struct rte_mbuf *
make_pkt(struct rte_mempool *mp, unsigned int d, unsigned int k, bool multiseg, struct sent *rec)
{
	static const uint32_t jumbo[] = { 9000, 4000, 2049 };
	uint32_t len = plain_len(d, k), nseg = 1, i, off = 0, x = pkt_seed(d, k);
	struct rte_mbuf *head = NULL, *prev = NULL;

	if (multiseg && k % 11 == 5) {
		len = jumbo[(k / 11) % RTE_DIM(jumbo)];
		nseg = len / 1800 + 2;                  /* segments unlike the pool's */
	}
	rec->len = len;
	rec->bytes = malloc(len);
	if (rec->bytes == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		rec->bytes[i] = (uint8_t)(x >> (i % 24) ^ i * 13 ^ k);
	for (i = 0; i < nseg; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t part = i + 1 == nseg ? len - off : len / nseg - 3 * i;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		memcpy(rte_pktmbuf_mtod(m, void *), rec->bytes + off, part);
		m->data_len = (uint16_t)part;
		off += part;
		if (prev == NULL) {
			head = m;
		} else {
			prev->next = m;
			head->nb_segs++;
		}
		prev = m;
	}
	head->pkt_len = len;
	return head;
}

/* Does copy @p m carry the bytes of @p s (the MACs rewritten for @p tx_port)? */
static bool
same_bytes(const struct rte_mbuf *m, const struct sent *s, bool mac, uint16_t tx_port,
	   const struct rte_ether_addr *tx_mac)
{
	static uint8_t buf[16384];
	const uint8_t *b;
	uint8_t want[12] = { 0x02, 0, 0, 0, 0, (uint8_t)tx_port };

	if (m->pkt_len != s->len || s->len > sizeof(buf))
		return false;
	b = rte_pktmbuf_read(m, 0, s->len, buf);
	if (!mac)
		return memcmp(b, s->bytes, s->len) == 0;
	memcpy(want + 6, tx_mac->addr_bytes, 6);
	return memcmp(b, want, 12) == 0 && memcmp(b + 12, s->bytes + 12, s->len - 12) == 0;
}

/* /netdma_fwd/stats over rte_telemetry's own socket, as dpdk-telemetry.py asks it. */
static bool
telemetry_says(const char *cmd, const char *want)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	static char buf[16384];
	bool ok = false;
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir());
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    read(fd, buf, sizeof(buf)) > 0 &&           /* the greeting */
	    write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd) &&
	    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		ok = strstr(buf, want) != NULL;
		if (!ok)
			fprintf(stderr, "\n  telemetry %s: wanted %s in %s\n", cmd, want, buf);
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

struct result {
	struct fwd_stats st[2];     /* per RX port */
	unsigned int out[2];        /* copies taken off TX rings, per direction */
	bool bytes_ok, order_ok, telemetry_ok;
	uint32_t copy_break;
};

/*
 * Take the copies of direction @p d off the peer's TX ring and match each
 * to the next packet sent that it equals: in order, and only the dropped
 * ones skipped (@p skips allowed).
 */
static void
take(struct pair *p, unsigned int d, struct sent *sent, unsigned int *next, bool mac,
     bool skips, struct result *r)
{
	struct rte_mbuf *m[64];
	unsigned int peer = d ^ 1, n, i;

	while ((n = rte_ring_dequeue_burst(p->tx[peer], (void **)m, RTE_DIM(m), NULL)) > 0) {
		for (i = 0; i < n; i++) {
			while (*next < NPKTS && !same_bytes(m[i], &sent[*next], mac, p->port[peer],
							    &p->mac[peer])) {
				if (!skips) {
					r->bytes_ok = false;
					break;
				}
				(*next)++;
			}
			if (*next >= NPKTS)
				r->order_ok = false;   /* nothing left it could be */
			else
				(*next)++;
			r->out[d]++;
			rte_pktmbuf_free(m[i]);
		}
	}
}

static bool
accounted(const struct fwd_stats *st)
{
	return st->rx == NPKTS &&
		st->rx == st->tx + st->drop_full + st->drop_fault + st->drop_nombuf + st->drop_stop;
}

static void
run_pair(const struct run_opts *o, struct result *r)
{
	struct sent sent[2][NPKTS];
	unsigned int next[2] = { 0, 0 }, d, k;
	struct fwd_conf conf;
	struct fwd_ctx *ctx;
	struct pair p = { 0 };
	uint64_t deadline;
	bool skips = o->full_drop || o->fault_drop;

	memset(r, 0, sizeof(*r));
	memset(sent, 0, sizeof(sent));
	r->bytes_ok = r->order_ok = true;
	CU_ASSERT_EQUAL_FATAL(pair_make(&p), 0);
	fwd_conf_default(&conf);
	conf.provider = o->provider;
	conf.cpu_only = o->copy_break == FWD_COPY_BREAK_ALL;
	conf.copy_break_auto = false;
	conf.copy_break = o->copy_break;
	conf.mac_rewrite = o->mac;
	conf.service = o->service;
	conf.full_set = o->stall || o->full_drop;
	conf.on_full = o->full_drop ? FWD_FULL_DROP : FWD_FULL_STALL;
	conf.on_fault = o->fault_drop ? FWD_FAULT_DROP : FWD_FAULT_RECOPY;
	conf.fault_every = o->fault_every;
	if (o->ring_size)
		conf.ring_size = o->ring_size;
	conf.portmask = (1ull << p.port[0]) | (1ull << p.port[1]);
	conf.stats_interval = 0;
	ctx = fwd_setup(&conf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	r->copy_break = fwd_copy_break(ctx);
	if (o->telemetry)
		CU_ASSERT_EQUAL(fwd_telemetry_register(ctx), 0);
	CU_ASSERT_EQUAL_FATAL(fwd_launch(ctx), 0);
	/* both directions at once, each as fast as the ring takes it */
	for (k = 0; k < NPKTS; k++)
		for (d = 0; d < 2; d++) {
			struct rte_mbuf *m = make_pkt(fwd_pool(ctx), d, k, o->multiseg, &sent[d][k]);

			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			while (rte_ring_enqueue(p.rx[d], m) != 0)
				take(&p, d, sent[d], &next[d], o->mac, skips, r);
		}
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 30;
	do {
		for (d = 0; d < 2; d++) {
			take(&p, d, sent[d], &next[d], o->mac, skips, r);
			fwd_port_stats(ctx, p.port[d], &r->st[d]);
		}
	} while (!(accounted(&r->st[0]) && accounted(&r->st[1]) && r->out[0] == r->st[0].tx &&
		   r->out[1] == r->st[1].tx) && rte_get_timer_cycles() < deadline);
	if (rte_get_timer_cycles() >= deadline) {
		fprintf(stderr, "\n  timed out; %u and %u copies taken\n", r->out[0], r->out[1]);
		fwd_print_stats("port A", &r->st[0], stderr);
		fwd_print_stats("port B", &r->st[1], stderr);
	}
	if (o->telemetry) {
		char want[64];

		snprintf(want, sizeof(want), "\"rx\":%u", 2 * NPKTS);
		r->telemetry_ok = telemetry_says("/netdma_fwd/stats", want);
		snprintf(want, sizeof(want), "\"tx\":%" PRIu64, r->st[1].tx);
		r->telemetry_ok &= telemetry_says("/netdma_fwd/stats,1", want) || p.port[1] != 1;
	}
	fwd_stop(ctx);
	fwd_wait(ctx);
	for (d = 0; d < 2; d++) {
		take(&p, d, sent[d], &next[d], o->mac, skips, r);
		fwd_port_stats(ctx, p.port[d], &r->st[d]);
	}
	fwd_teardown(ctx);
	pair_free(&p);
	for (d = 0; d < 2; d++)
		for (k = 0; k < NPKTS; k++)
			free(sent[d][k].bytes);
}

/* Everything forwarded, byte for byte, in order; counters that add up. */
static void
check_all_through(const struct result *r)
{
	unsigned int d;

	CU_ASSERT_TRUE(r->bytes_ok);
	CU_ASSERT_TRUE(r->order_ok);
	for (d = 0; d < 2; d++) {
		const struct fwd_stats *st = &r->st[d];

		CU_ASSERT_EQUAL(r->out[d], NPKTS);
		CU_ASSERT_EQUAL(st->rx, NPKTS);
		CU_ASSERT_EQUAL(st->tx, NPKTS);
		CU_ASSERT_EQUAL(st->rx_bytes, st->tx_bytes);
		CU_ASSERT_EQUAL(st->cpu_copied + st->dma_copied + st->spilled + st->recopied, NPKTS);
		CU_ASSERT_EQUAL(st->drop_full + st->drop_fault + st->drop_nombuf + st->drop_stop, 0);
		CU_ASSERT_EQUAL(st->abandoned, 0);
	}
}

static void
t_pair_cpu(void)
{
	struct run_opts o = { .provider = "cpu", .copy_break = 300, .mac = true, .multiseg = true };
	struct result r;

	run_pair(&o, &r);
	check_all_through(&r);
	CU_ASSERT(r.st[0].cpu_copied > 0 && r.st[0].dma_copied + r.st[0].spilled > 0);
}

static void
t_pair_skeleton(void)
{
	struct run_opts o = { .provider = "dma_skeleton", .copy_break = 0, .multiseg = true };
	struct result r;

	run_pair(&o, &r);
	check_all_through(&r);
	CU_ASSERT_EQUAL(r.st[0].dma_copied, NPKTS);
	CU_ASSERT_EQUAL(r.st[1].dma_copied, NPKTS);
}

static void
t_pair_service(void)
{
	struct run_opts o = { .provider = "cpu", .copy_break = 256, .mac = true, .service = true,
			      .multiseg = true };
	struct result r;

	run_pair(&o, &r);
	check_all_through(&r);
	CU_ASSERT(r.st[0].dma_copied > 0);
}

static void
t_cpu_only(void)
{
	struct run_opts o = { .provider = "cpu", .copy_break = FWD_COPY_BREAK_ALL, .mac = true,
			      .multiseg = true };
	struct result r;

	run_pair(&o, &r);
	check_all_through(&r);
	CU_ASSERT_EQUAL(r.st[0].cpu_copied, NPKTS);
	CU_ASSERT_EQUAL(r.st[0].halts, 0);
}

/*
 * The packet count and its counters: with the channel never spilling
 * (--on-full stall), exactly the packets under the copy-break are CPU
 * copies; the same numbers through rte_telemetry.
 */
static void
t_counts(void)
{
	struct run_opts o = { .provider = "dma_skeleton", .copy_break = 512, .stall = true,
			      .telemetry = true };
	unsigned int d, k, small[2] = { 0, 0 };
	struct result r;

	for (d = 0; d < 2; d++)
		for (k = 0; k < NPKTS; k++)
			small[d] += plain_len(d, k) < 512;
	run_pair(&o, &r);
	check_all_through(&r);
	for (d = 0; d < 2; d++) {
		CU_ASSERT_EQUAL(r.st[d].cpu_copied, small[d]);
		CU_ASSERT_EQUAL(r.st[d].dma_copied, NPKTS - small[d]);
		CU_ASSERT_EQUAL(r.st[d].spilled, 0);
		CU_ASSERT_EQUAL(r.st[d].halts, 0);
	}
	CU_ASSERT(small[0] > 50 && small[0] < NPKTS - 50);
	CU_ASSERT_TRUE(r.telemetry_ok);
}

/*
 * Fault injection: every 5th engine copy fails, so the engine halts inside
 * most bursts.  The packets it caught are copied again by the CPU: all
 * arrive, byte for byte, in order; one error DPC per halt.
 */
static void
fault_recopy(const char *provider)
{
	struct run_opts o = { .provider = provider, .copy_break = 0, .mac = true,
			      .fault_every = 5, .multiseg = true };
	struct result r;
	unsigned int d;

	run_pair(&o, &r);
	check_all_through(&r);
	for (d = 0; d < 2; d++) {
		CU_ASSERT(r.st[d].halts > 0);
		CU_ASSERT(r.st[d].recopied > 0);
		CU_ASSERT_EQUAL(r.st[d].error_dpcs, r.st[d].halts);
		CU_ASSERT_EQUAL(r.st[d].dma_copied + r.st[d].recopied, NPKTS);
	}
}

static void
t_fault_recopy_cpu(void)
{
	fault_recopy("cpu");
}

static void
t_fault_recopy_skeleton(void)
{
	fault_recopy("dma_skeleton");
}

/*
 * Every engine copy fails: each new chain halts before anything retires,
 * so its word reads HALTED at address 0 again, the value the last halt
 * left; only the ARMED of each Start between them tells them apart.  Every
 * halt must still be seen (else its packets wait forever): all arrive, all
 * copied again by the CPU.
 */
static void
t_fault_every_copy(void)
{
	struct run_opts o = { .provider = "cpu", .copy_break = 0, .fault_every = 1,
			      .multiseg = true };
	struct result r;
	unsigned int d;

	run_pair(&o, &r);
	check_all_through(&r);
	for (d = 0; d < 2; d++) {
		CU_ASSERT_EQUAL(r.st[d].recopied, NPKTS);
		CU_ASSERT_EQUAL(r.st[d].dma_copied, 0);
		CU_ASSERT_EQUAL(r.st[d].error_dpcs, r.st[d].halts);
	}
}

/* Dropped instead: what arrives is whole and in order, and rx = tx + drops. */
static void
t_fault_drop(void)
{
	struct run_opts o = { .provider = "dma_skeleton", .copy_break = 0, .fault_every = 5,
			      .fault_drop = true, .multiseg = true };
	struct result r;
	unsigned int d;

	run_pair(&o, &r);
	CU_ASSERT_TRUE(r.bytes_ok);
	CU_ASSERT_TRUE(r.order_ok);
	for (d = 0; d < 2; d++) {
		CU_ASSERT(accounted(&r.st[d]));
		CU_ASSERT(r.st[d].drop_fault > 0);
		CU_ASSERT_EQUAL(r.st[d].rx, r.st[d].tx + r.st[d].drop_fault);
		CU_ASSERT_EQUAL(r.out[d], r.st[d].tx);
		CU_ASSERT_EQUAL(r.st[d].recopied, 0);
	}
}

/* A 4-descriptor ring: stalls keep everything; drops count what they lose. */
static void
t_backpressure(void)
{
	struct run_opts stall = { .provider = "dma_skeleton", .copy_break = 0, .ring_size = 4,
				  .stall = true };
	struct run_opts drop = { .provider = "dma_skeleton", .copy_break = 0, .ring_size = 4,
				 .full_drop = true };
	struct result r;
	unsigned int d;

	run_pair(&stall, &r);
	check_all_through(&r);
	CU_ASSERT(r.st[0].stalls > 0);
	run_pair(&drop, &r);
	CU_ASSERT_TRUE(r.bytes_ok);
	CU_ASSERT_TRUE(r.order_ok);
	for (d = 0; d < 2; d++) {
		CU_ASSERT(r.st[d].drop_full > 0);
		CU_ASSERT_EQUAL(r.st[d].rx, r.st[d].tx + r.st[d].drop_full);
		CU_ASSERT_EQUAL(r.out[d], r.st[d].tx);
	}
}

int
main(int argc, char **argv)
{
	unsigned int failed;
	CU_pSuite s;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rte_log_set_level_pattern("user.netdma_fwd", RTE_LOG_ERR);
	rte_log_set_level_pattern("lib.netdma", RTE_LOG_CRIT);
	rte_log_set_level_pattern("pmd.netdma*", RTE_LOG_CRIT);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("netdma-fwd embedded, net_ring pair", NULL, NULL);
	if (s == NULL ||
	    !CU_add_test(s, "both directions, cpu engine, copy-break 300, MAC rewrite",
			 t_pair_cpu) ||
	    !CU_add_test(s, "both directions, dma_skeleton, every packet by DMA", t_pair_skeleton) ||
	    !CU_add_test(s, "both directions, channels on a service lcore (rte_service)",
			 t_pair_service) ||
	    !CU_add_test(s, "CPU only", t_cpu_only) ||
	    !CU_add_test(s, "packet count: counters and telemetry", t_counts) ||
	    !CU_add_test(s, "engine halts mid-burst, re-copied (cpu)", t_fault_recopy_cpu) ||
	    !CU_add_test(s, "engine halts mid-burst, re-copied (dma_skeleton)",
			 t_fault_recopy_skeleton) ||
	    !CU_add_test(s, "engine halts mid-burst, dropped and counted", t_fault_drop) ||
	    !CU_add_test(s, "every engine copy fails: every halt seen", t_fault_every_copy) ||
	    !CU_add_test(s, "full channel: stall, or drop and count", t_backpressure)) {
		fprintf(stderr, "cannot register the tests: %s\n", CU_get_error_msg());
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	printf("\nfwd_ring: %u tests, %u failed\n", CU_get_number_of_tests_run(), failed);
	CU_cleanup_registry();
	rte_eal_cleanup();
	return failed ? 1 : 0;
}
