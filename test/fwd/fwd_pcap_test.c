/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdma-fwd end to end over net_pcap: this test writes a pcap file (mixed
 * sizes from 64 to 9000 bytes; jumbo frames arrive chained, the pool's
 * data room being 2048), runs netdma-fwd from net_pcap0 (reading it) to
 * net_pcap1 (writing another) until every packet is through, and compares
 * every packet, byte for byte and in order, with the MAC rewrite on and
 * off: on the cpu engine, on dma_skeleton, on a service lcore, with
 * injected engine halts, and through a private netdmad (netdma-fwd-client).
 *   fwd_pcap_test NETDMA_FWD NETDMA_FWD_CLIENT NETDMAD
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "daemon_util.h"

#define NPKTS 400
#define TYPE 0x88b5           /* local experimental ethertype */

static const char *fwd_bin, *client_bin, *netdmad_bin;
static char dir[64], in_pcap[128];
static unsigned int run_seq;

struct pkt {
	uint32_t len;
	uint8_t *b;
};
static struct pkt sent[NPKTS];

/* ---- pcap files ------------------------------------------------------------ */

struct pcap_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t zone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec {
	uint32_t sec, usec, caplen, len;
};

/* Lengths: a spread of 60..1518, minimum frames, and chained ones up to 9000. */
static uint32_t
length_of(unsigned int i)
{
	static const uint32_t big[] = { 9000, 2047, 2048, 2049, 4096, 6000, 8999 };
	uint32_t x = i * 2654435761u;

	switch (i % 10) {
	case 0:
		return 9000;
	case 3:
		return big[(i / 10) % (sizeof(big) / sizeof(big[0]))];
	case 7:
		return 64;
	default:
		return 60 + (x >> 8) % 1459;
	}
}

static int
write_input(const char *path)
{
	struct pcap_hdr h = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1 };
	FILE *f = fopen(path, "wb");
	unsigned int i, j;

	if (f == NULL || fwrite(&h, sizeof(h), 1, f) != 1)
		return -1;
	for (i = 0; i < NPKTS; i++) {
		struct pcap_rec r = { i, 0, length_of(i), length_of(i) };
		uint8_t *b = malloc(r.len);

		if (b == NULL)
			return -1;
		memset(b, 0xff, 6);                                 /* to everyone */
		memcpy(b + 6, "\x02\x00\x00\x00\x00\x99", 6);
		b[12] = TYPE >> 8;
		b[13] = TYPE & 0xff;
		memcpy(b + 14, &i, sizeof(i));
		for (j = 18; j < r.len; j++)
			b[j] = (uint8_t)(j * 31 + i * 7 + (j >> 8));
		sent[i].len = r.len;
		sent[i].b = b;
		if (fwrite(&r, sizeof(r), 1, f) != 1 || fwrite(b, r.len, 1, f) != 1)
			return -1;
	}
	return fclose(f);
}

/* The packets of a pcap file; @return how many (at most @p max), or -1. */
static int
read_output(const char *path, struct pkt *out, unsigned int max)
{
	FILE *f = fopen(path, "rb");
	struct pcap_hdr h;
	struct pcap_rec r;
	unsigned int n = 0;

	if (f == NULL || fread(&h, sizeof(h), 1, f) != 1 ||
	    (h.magic != 0xa1b2c3d4 && h.magic != 0xa1b23c4d)) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	while (n < max && fread(&r, sizeof(r), 1, f) == 1) {
		out[n].len = r.caplen;
		out[n].b = malloc(r.caplen ? r.caplen : 1);
		if (out[n].b == NULL || fread(out[n].b, r.caplen, 1, f) != 1)
			break;
		n++;
	}
	fclose(f);
	return (int)n;
}

/* ---- one run --------------------------------------------------------------- */

struct run {
	const char *provider;
	const char *copy_break;     /* "off", "auto", a byte count; NULL: --cpu-only */
	bool mac;
	bool service;
	bool through_daemon;
	bool stall;                 /* --on-full stall: nothing spilled, exact path counts */
	const char *fault_every;    /* test-only fault injection */
	bool fault_drop;
	const char *sock;           /* netdmad's socket */
};

struct stats {
	uint64_t rx, rx_chained, tx, tx_bytes, cpu_copied, dma_copied, spilled, recopied;
	uint64_t drop_full, drop_fault, drop_nombuf, drop_stop, halts, abandoned;
	uint8_t tx_mac[6];
	bool have_total, have_mac;
};

static uint64_t
field(const char *line, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	return p != NULL ? strtoull(p + strlen(pat), NULL, 10) : UINT64_MAX;
}

/* The last "total:" line of the log, and net_pcap1's MAC. */
static void
parse_log(const char *path, struct stats *st)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	unsigned int m[6];

	memset(st, 0, sizeof(*st));
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, "(net_pcap1): MAC ");

		if (p != NULL && sscanf(p + 17, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
					&m[5]) == 6) {
			for (int i = 0; i < 6; i++)
				st->tx_mac[i] = (uint8_t)m[i];
			st->have_mac = true;
		}
		if (strstr(line, "netdma-fwd: total:") == NULL)
			continue;
		st->have_total = true;
		st->rx = field(line, "rx");
		st->rx_chained = field(line, "rx_chained");
		st->tx = field(line, "tx");
		st->tx_bytes = field(line, "tx_bytes");
		st->cpu_copied = field(line, "cpu_copied");
		st->dma_copied = field(line, "dma_copied");
		st->spilled = field(line, "spilled");
		st->recopied = field(line, "recopied");
		st->drop_full = field(line, "drop_full");
		st->drop_fault = field(line, "drop_fault");
		st->drop_nombuf = field(line, "drop_nombuf");
		st->drop_stop = field(line, "drop_stop");
		st->halts = field(line, "halts");
		st->abandoned = field(line, "abandoned");
	}
	if (f != NULL)
		fclose(f);
}

static void
show_log(const char *log)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tail -25 %s >&2", log);
	if (system(cmd) != 0)
		fprintf(stderr, "(no log)\n");
}

/* Does output packet @p o carry input packet @p s (MACs rewritten towards port 1)? */
static bool
carries(const struct pkt *o, const struct pkt *s, bool mac, const uint8_t tx_mac[6])
{
	static const uint8_t to_port1[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	if (o->len != s->len)
		return false;
	if (!mac)
		return memcmp(o->b, s->b, s->len) == 0;
	return memcmp(o->b, to_port1, 6) == 0 && memcmp(o->b + 6, tx_mac, 6) == 0 &&
		memcmp(o->b + 12, s->b + 12, s->len - 12) == 0;
}

/*
 * Run netdma-fwd once; the output must hold the input's packets in order,
 * every byte; dropped ones (a fault policy) may be missing, no other.
 * @return the number of packets in the output, or -1.
 */
static int
run_fwd(const struct run *r, struct stats *st)
{
	static struct pkt out[NPKTS + 1];
	char out_pcap[160], log[160], rx[200], tx[200], prefix[64], npk[16];
	char *argv[48];
	unsigned int a = 0, seq = run_seq++, i, j;
	int n, status;
	bool ok = true;

	snprintf(out_pcap, sizeof(out_pcap), "%s/out%u.pcap", dir, seq);
	snprintf(log, sizeof(log), "%s/run%u.log", dir, seq);
	snprintf(rx, sizeof(rx), "--vdev=net_pcap0,rx_pcap=%s", in_pcap);
	snprintf(tx, sizeof(tx), "--vdev=net_pcap1,tx_pcap=%s", out_pcap);
	snprintf(prefix, sizeof(prefix), "--file-prefix=fwdpcap%d_%u", (int)getpid(), seq);
	snprintf(npk, sizeof(npk), "%u", NPKTS);
	argv[a++] = (char *)(r->through_daemon ? client_bin : fwd_bin);
	/* lcore 1 forwards; the skeleton's thread (and a service lcore) on CPU 0 */
	if (r->service) {
		argv[a++] = "--lcores=0@0,1@1,2@0";
		argv[a++] = "-S";
		argv[a++] = "2";
	} else {
		argv[a++] = "-l";
		argv[a++] = "0-1";
	}
	argv[a++] = "--no-huge";
	argv[a++] = "-m";
	argv[a++] = "256";
	argv[a++] = "--no-shconf";
	argv[a++] = "--iova-mode=va";
	argv[a++] = "--no-pci";
	argv[a++] = prefix;
	argv[a++] = rx;
	argv[a++] = tx;
	if (!r->through_daemon)
		argv[a++] = "--vdev=dma_skeleton,lcore=0";
	argv[a++] = "--";
	if (r->through_daemon) {
		argv[a++] = "--socket";
		argv[a++] = (char *)r->sock;
	}
	argv[a++] = "--provider";
	argv[a++] = (char *)r->provider;
	if (r->copy_break != NULL) {
		argv[a++] = "--copy-break";
		argv[a++] = (char *)r->copy_break;
	} else {
		argv[a++] = "--cpu-only";
	}
	argv[a++] = r->mac ? "--mac-updating" : "--no-mac-updating";
	if (r->service)
		argv[a++] = "--service";
	if (r->stall) {
		argv[a++] = "--on-full";
		argv[a++] = "stall";
	}
	if (r->fault_every != NULL) {
		argv[a++] = "--fault-every";
		argv[a++] = (char *)r->fault_every;
		argv[a++] = "--on-fault";
		argv[a++] = r->fault_drop ? "drop" : "recopy";
	}
	argv[a++] = "--stats";
	argv[a++] = "0";
	argv[a++] = "--max-packets";
	argv[a++] = npk;
	argv[a++] = "--time";
	argv[a++] = "40";   /* a safety net: --max-packets ends it long before */
	argv[a] = NULL;

	status = netdmad_run(argv, log);
	parse_log(log, st);
	n = read_output(out_pcap, out, NPKTS + 1);
	if (status != 0 || n < 0 || !st->have_total || !st->have_mac) {
		fprintf(stderr, "\n  netdma-fwd exit %d, %d packets out; its log:\n", status, n);
		show_log(log);
		return -1;
	}
	/* in order: each output packet is the next input one (or, with drops, a later one) */
	for (i = 0, j = 0; i < (unsigned int)n && ok; i++, j++) {
		while (j < NPKTS && !carries(&out[i], &sent[j], r->mac, st->tx_mac) && r->fault_drop)
			j++;
		if (j >= NPKTS || !carries(&out[i], &sent[j], r->mac, st->tx_mac)) {
			fprintf(stderr, "\n  output packet %u (%u bytes) is not input packet %u or a later "
				"one\n", i, out[i].len, j);
			ok = false;
		}
	}
	for (i = 0; i < (unsigned int)n; i++)
		free(out[i].b);
	if (!ok)
		show_log(log);
	return ok ? n : -1;
}

static unsigned int
count_under(uint32_t bytes)
{
	unsigned int i, n = 0;

	for (i = 0; i < NPKTS; i++)
		n += sent[i].len < bytes;
	return n;
}

/* All through: every count adds up and nothing is lost. */
static void
check_all(const struct stats *st, int n)
{
	CU_ASSERT_EQUAL(n, NPKTS);
	CU_ASSERT_EQUAL(st->rx, NPKTS);
	CU_ASSERT_EQUAL(st->tx, NPKTS);
	CU_ASSERT_EQUAL(st->cpu_copied + st->dma_copied + st->spilled + st->recopied, NPKTS);
	CU_ASSERT_EQUAL(st->drop_full + st->drop_fault + st->drop_nombuf + st->drop_stop, 0);
	CU_ASSERT_EQUAL(st->abandoned, 0);
	/* the frames longer than the mbufs' 2048 bytes arrived chained */
	CU_ASSERT_EQUAL(st->rx_chained, NPKTS - count_under(2049));
	CU_ASSERT(st->rx_chained > 0);
}

/* Exactly the packets under the copy-break went by the CPU (nothing spilled). */
static void
check_split(const struct stats *st, uint32_t copy_break)
{
	CU_ASSERT_EQUAL(st->cpu_copied, count_under(copy_break));
	CU_ASSERT_EQUAL(st->dma_copied, NPKTS - count_under(copy_break));
	CU_ASSERT_EQUAL(st->spilled, 0);
}

static void
t_cpu_engine(void)
{
	struct run r = { .provider = "cpu", .copy_break = "512", .mac = true, .stall = true };
	struct stats st;
	int n = run_fwd(&r, &st);

	check_all(&st, n);
	check_split(&st, 512);
	r.mac = false;
	r.copy_break = "off";
	n = run_fwd(&r, &st);
	check_all(&st, n);
	CU_ASSERT_EQUAL(st.dma_copied, NPKTS);
}

static void
t_skeleton(void)
{
	struct run r = { .provider = "dma_skeleton", .copy_break = "off", .mac = false };
	struct stats st;
	int n = run_fwd(&r, &st);

	check_all(&st, n);
	CU_ASSERT_EQUAL(st.dma_copied, NPKTS);   /* the chained jumbo frames too */
	r.mac = true;
	r.copy_break = "1000";
	r.stall = true;
	n = run_fwd(&r, &st);
	check_all(&st, n);
	check_split(&st, 1000);
	r.copy_break = "auto";
	r.stall = false;
	n = run_fwd(&r, &st);
	check_all(&st, n);
}

static void
t_cpu_only(void)
{
	struct run r = { .provider = "cpu", .copy_break = NULL, .mac = true };
	struct stats st;
	int n = run_fwd(&r, &st);

	check_all(&st, n);
	CU_ASSERT_EQUAL(st.cpu_copied, NPKTS);
}

static void
t_service(void)
{
	struct run r = { .provider = "cpu", .copy_break = "256", .mac = true, .service = true,
			 .stall = true };
	struct stats st;
	int n = run_fwd(&r, &st);

	check_all(&st, n);
	check_split(&st, 256);
}

/* Every 7th engine copy fails: halts mid-burst, and nothing half-copied goes out. */
static void
t_faults(void)
{
	struct run r = { .provider = "dma_skeleton", .copy_break = "off", .mac = true,
			 .fault_every = "7" };
	struct stats st;
	int n = run_fwd(&r, &st);

	check_all(&st, n);
	CU_ASSERT(st.halts > 0);
	CU_ASSERT(st.recopied > 0);
	r.provider = "cpu";
	r.fault_drop = true;
	n = run_fwd(&r, &st);
	CU_ASSERT(n > 0 && n < NPKTS);
	CU_ASSERT_EQUAL((uint64_t)n, st.tx);
	CU_ASSERT_EQUAL(st.rx, NPKTS);
	CU_ASSERT_EQUAL(st.rx, st.tx + st.drop_fault);
	CU_ASSERT(st.halts > 0);
}

/* ---- through netdmad ------------------------------------------------------- */

static struct private_daemon dm;

static int
daemon_init(void)
{
	char config[512];

	snprintf(config, sizeof(config),
		 "[eal]\nargs = -l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci "
		 "--vdev=dma_skeleton,lcore=0 --file-prefix=fwdpcapd%d --log-level=lib.eal:error\n"
		 "[engines]\ncpu = on\nversion = 2.0\n[pollers]\nlcores = 1\n", (int)getpid());
	return private_daemon_start(&dm, netdmad_bin, "fwd", config);
}

static int
daemon_fini(void)
{
	return private_daemon_stop(&dm);
}

static void
t_daemon_cpu(void)
{
	struct run r = { .provider = "cpu", .copy_break = "512", .mac = true, .stall = true,
			 .through_daemon = true, .sock = dm.sock };
	struct stats st;
	int n = run_fwd(&r, &st);

	check_all(&st, n);
	check_split(&st, 512);
}

static void
t_daemon_skeleton(void)
{
	struct run r = { .provider = "dma_skeleton", .copy_break = "off", .mac = false,
			 .through_daemon = true, .sock = dm.sock };
	struct stats st;
	int n = run_fwd(&r, &st);

	check_all(&st, n);
	CU_ASSERT_EQUAL(st.dma_copied, NPKTS);
}

static int
input_make(void)
{
	snprintf(dir, sizeof(dir), "/tmp/netdma-fwd-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(in_pcap, sizeof(in_pcap), "%s/in.pcap", dir);
	return write_input(in_pcap);
}

static int
input_remove(void)
{
	char cmd[96];
	unsigned int i;

	for (i = 0; i < NPKTS; i++)
		free(sent[i].b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	unsigned int failed;
	CU_pSuite s, d;

	if (argc != 4) {
		fprintf(stderr, "usage: %s NETDMA_FWD NETDMA_FWD_CLIENT NETDMAD\n", argv[0]);
		return 2;
	}
	fwd_bin = argv[1];
	client_bin = argv[2];
	netdmad_bin = argv[3];
	if (input_make() != 0) {
		fprintf(stderr, "cannot write the input pcap in /tmp\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("netdma-fwd over net_pcap", NULL, NULL);
	d = CU_add_suite("netdma-fwd-client over net_pcap, through netdmad", daemon_init,
			 daemon_fini);
	if (s == NULL || d == NULL ||
	    !CU_add_test(s, "cpu engine: copy-break 512 and off, MAC on and off", t_cpu_engine) ||
	    !CU_add_test(s, "dma_skeleton: all DMA, copy-break 1000, auto", t_skeleton) ||
	    !CU_add_test(s, "CPU only", t_cpu_only) ||
	    !CU_add_test(s, "channels on a service lcore", t_service) ||
	    !CU_add_test(s, "engine halts: re-copied, or dropped and counted", t_faults) ||
	    !CU_add_test(d, "netdmad's cpu engine, copy-break 512", t_daemon_cpu) ||
	    !CU_add_test(d, "netdmad's dma_skeleton, all DMA, MAC untouched", t_daemon_skeleton)) {
		fprintf(stderr, "cannot register the tests: %s\n", CU_get_error_msg());
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	printf("\nfwd_pcap: %u tests, %u failed\n", CU_get_number_of_tests_run(), failed);
	CU_cleanup_registry();
	if (input_remove() != 0)
		failed++;
	return failed ? 1 : 0;
}
