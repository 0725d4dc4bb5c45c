/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdma-demo: the embedded default.  Starts EAL without hardware or
 * hugepages, registers the software provider and one provider per dmadev
 * (dma_skeleton here), and moves a verified buffer through NetDMA chains in
 * both the 1.x linked style and the 2.0 counted style on each, printing bytes
 * moved and verified, throughput and the completion words it observed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_random.h>

#include "netdma.h"
#include "netdma_cpu.h"
#include "netdma_dmadev.h"
#include "netdma_lcore.h"

/* No hardware, no hugepages: the software engine plus the skeleton dmadev. */
static const char *const default_eal_args[] = {
	"-l", "0-1", "--no-huge", "--no-shconf", "--iova-mode=va", "--no-pci",
	"--vdev=dma_skeleton,lcore=1", "--log-level=lib.eal:notice",
	"--log-level=lib.netdma:warning", "--log-level=pmd.netdma.*:warning",
};

struct opts {
	size_t size;          /* bytes per run */
	uint32_t desc_size;   /* bytes per descriptor */
	uint32_t chain;       /* descriptors per Start/Append */
	bool cpu_only;
};

#define TRACE_MAX 1024

/* One provider × version run. */
struct run {
	const char *label;
	uint64_t bytes;
	uint32_t descs, requests;
	double secs;
	bool verified;
	unsigned int lcore;
	uint64_t interrupts;
	uint64_t trace[TRACE_MAX];
	unsigned int ntrace;
	uint64_t trace_seen;  /* distinct words seen, including those not stored */
};

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [--size BYTES] [--desc-size BYTES] [--chain N] [--cpu-only]\n"
	       "\n"
	       "Moves a buffer through NetDMA descriptor chains on every provider, in the\n"
	       "1.x linked style and the 2.0 counted style, verifies every byte and prints\n"
	       "throughput and the completion words observed.\n"
	       "\n"
	       "  --size BYTES       bytes moved per run (default 8M; K/M suffixes)\n"
	       "  --desc-size BYTES  bytes per descriptor (default 4K, at most 1M)\n"
	       "  --chain N          descriptors per Start/Append (default 16)\n"
	       "  --cpu-only         skip dmadev providers\n"
	       "  --help             this text\n"
	       "\n"
	       "Without EAL options it runs with: ", prog);
	for (size_t i = 0; i < RTE_DIM(default_eal_args); i++)
		printf("%s ", default_eal_args[i]);
	printf("\n");
}

static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (end == s)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end != '\0' || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "size", required_argument, NULL, 's' },
		{ "desc-size", required_argument, NULL, 'd' },
		{ "chain", required_argument, NULL, 'c' },
		{ "cpu-only", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (parse_size(optarg, &v) < 0)
				goto bad;
			o->size = v;
			break;
		case 'd':
			if (parse_size(optarg, &v) < 0 || v > (1u << 20))
				goto bad;
			o->desc_size = (uint32_t)v;
			break;
		case 'c':
			if (parse_size(optarg, &v) < 0 || v > 65536)
				goto bad;
			o->chain = (uint32_t)v;
			break;
		case 'C':
			o->cpu_only = true;
			break;
		case 'h':
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->size % o->desc_size) {
		fprintf(stderr, "--size must be a multiple of --desc-size\n");
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "bad value '%s' for option %s\n", optarg, argv[optind - 1]);
	return -EINVAL;
}

static void
record(struct run *r, uint64_t word)
{
	if (r->ntrace > 0 && r->trace[r->ntrace - 1] == word)
		return;
	r->trace_seen++;
	if (r->ntrace < TRACE_MAX)
		r->trace[r->ntrace++] = word;
	else
		r->trace[TRACE_MAX - 1] = word;  /* keep the latest */
}

static void
on_interrupt(struct netdma_chan *chan, netdma_iova_t last, void *arg)
{
	struct run *r = arg;

	RTE_SET_USED(chan);
	RTE_SET_USED(last);
	r->interrupts++;
}

/*
 * Build request k of the chain set: descriptors [k*chain, (k+1)*chain).
 * Each request's last descriptor asks for status and an interrupt.  1.x:
 * NULL-terminated (Append patches it).  2.0: it pre-links the next slot.
 */
static void
build_chains(struct netdma_descriptor *d, uint32_t n, uint32_t chain, bool v2,
	     char *src, char *dst, uint32_t desc_size)
{
	for (uint32_t i = 0; i < n; i++) {
		bool last = (i + 1) % chain == 0 || i + 1 == n;

		memset(&d[i], 0, sizeof(d[i]));
		d[i].transfer_size = desc_size;
		d[i].source_address = netdma_virt2iova(src + (size_t)i * desc_size);
		d[i].destination_address = netdma_virt2iova(dst + (size_t)i * desc_size);
		d[i].next_descriptor = !last || v2 ? netdma_virt2iova(&d[i + 1]) : 0;
		if (last)
			d[i].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION |
				NETDMA_F_INTERRUPT_ON_COMPLETION;
	}
}

static int
run_one(uint32_t provider, bool v2, const struct opts *o, struct run *r)
{
	uint32_t n = (uint32_t)(o->size / o->desc_size), k, i;
	unsigned int main_lcore = rte_get_main_lcore();
	struct netdma_descriptor *d = netdma_mem_alloc(sizeof(*d) * (n + 1), 64);
	volatile uint64_t *cw = netdma_mem_alloc(sizeof(*cw), 64);
	char *src = netdma_mem_alloc(o->size, 64), *dst = netdma_mem_alloc(o->size, 64);
	struct netdma_chan_conf cc = {
		.lcore_mask = 1ull << main_lcore,  /* polled inline below */
		.completion_word = cw,
		.intr_cb = on_interrupt,
		.intr_arg = r,
	};
	struct netdma_chan *chan = NULL;
	uint64_t want, t0, deadline;
	int ret = -ENOMEM;

	if (d == NULL || cw == NULL || src == NULL || dst == NULL) {
		fprintf(stderr, "%s: out of DMA memory (try a smaller --size)\n", r->label);
		goto out;
	}
	for (size_t b = 0; b < o->size; b += 8) {
		uint64_t x = rte_rand();

		memcpy(src + b, &x, RTE_MIN((size_t)8, o->size - b));
	}
	/* fresh DPDK memory may not be faulted in yet: don't time page faults */
	memset(dst, 0, o->size);
	build_chains(d, n, o->chain, v2, src, dst, o->desc_size);
	ret = netdma_chan_alloc(provider, &cc, &chan);
	if (ret < 0) {
		fprintf(stderr, "%s: channel allocation failed: %s\n", r->label, strerror(-ret));
		goto out;
	}
	r->lcore = netdma_chan_lcore(chan);
	record(r, *cw);

	t0 = rte_get_timer_cycles();
	for (k = 0, i = 0; i < n; k++) {
		uint32_t cnt = RTE_MIN(o->chain, n - i);

		if (k == 0) {
			ret = netdma_chan_start(chan, &d[i], cnt);
		} else {
			/* 1.x: the client links the old tail itself before Append */
			if (!v2)
				d[i - 1].next_descriptor = netdma_virt2iova(&d[i]);
			ret = netdma_chan_append(chan, &d[i], cnt);
		}
		if (ret < 0) {
			fprintf(stderr, "%s: %s failed: %s (%s)\n", r->label, k ? "append" : "start",
				strerror(-ret), netdma_chan_last_error(chan));
			goto out;
		}
		i += cnt;
		netdma_lcore_poll(r->lcore);
		record(r, netdma_completion_read(cw));
	}
	r->requests = k;

	want = netdma_completion_encode(netdma_virt2iova(&d[n - 1]), NETDMA_STATUS_IDLE);
	deadline = t0 + rte_get_timer_hz() * 30;
	while (netdma_completion_read(cw) != want && rte_get_timer_cycles() < deadline) {
		netdma_lcore_poll(r->lcore);
		record(r, netdma_completion_read(cw));
	}
	r->secs = (double)(rte_get_timer_cycles() - t0) / (double)rte_get_timer_hz();
	record(r, netdma_completion_read(cw));
	if (netdma_completion_read(cw) != want) {
		fprintf(stderr, "%s: timed out; completion word 0x%" PRIx64 ", expected 0x%" PRIx64
			" (%s)\n", r->label, netdma_completion_read(cw), want,
			netdma_chan_last_error(chan));
		ret = -ETIMEDOUT;
		goto out;
	}
	r->descs = n;
	r->bytes = o->size;
	r->verified = memcmp(src, dst, o->size) == 0;
	ret = r->verified ? 0 : -EIO;
out:
	if (chan != NULL && netdma_chan_free(chan) < 0)
		fprintf(stderr, "%s: free failed: %s\n", r->label, netdma_chan_last_error(chan));
	netdma_mem_free(d);
	netdma_mem_free((void *)(uintptr_t)cw);
	netdma_mem_free(src);
	netdma_mem_free(dst);
	return ret;
}

static void
print_word(uint64_t w)
{
	enum netdma_transfer_status st = netdma_completion_status(w);

	if (st == NETDMA_STATUS_ARMED)
		printf("armed");
	else
		printf("0x%" PRIx64 "|%s", netdma_completion_address(w), netdma_status_name(st));
}

static void
report(const struct run *r)
{
	unsigned int i;

	printf("%s\n    lcore %u, %" PRIu64 " bytes in %u descriptors (%u chains), %s, %.1f MB/s, %" PRIu64 " DPCs\n",
	       r->label, r->lcore, r->bytes, r->descs, r->requests,
	       r->verified ? "verified" : "MISMATCH", r->secs > 0 ? r->bytes / r->secs / 1e6 : 0.0,
	       r->interrupts);
	printf("    completion words (%" PRIu64 " distinct): ", r->trace_seen);
	for (i = 0; i < r->ntrace; i++) {
		if (r->ntrace > 8 && i == 4) {
			printf("... ");
			i = r->ntrace - 4;
		}
		print_word(r->trace[i]);
		printf(i + 1 < r->ntrace ? " -> " : "\n");
	}
}

typedef int (*make_fn)(void *arg, uint8_t major, uint8_t minor, uint32_t *id, void **h);
typedef int (*drop_fn)(void *h);

static int
make_cpu(void *arg, uint8_t major, uint8_t minor, uint32_t *id, void **h)
{
	struct netdma_cpu_conf c = { .name = arg, .major_version = major, .minor_version = minor };
	struct netdma_cpu_provider *p;
	int ret = netdma_cpu_provider_create(&c, &p);

	if (ret == 0) {
		*id = netdma_cpu_provider_id(p);
		*h = p;
	}
	return ret;
}

static int
drop_cpu(void *h)
{
	return netdma_cpu_provider_destroy(h);
}

static int
make_dmadev(void *arg, uint8_t major, uint8_t minor, uint32_t *id, void **h)
{
	struct netdma_dmadev_conf c = { .major_version = major, .minor_version = minor };
	struct netdma_dmadev_provider *p;
	int ret = netdma_dmadev_provider_create((int16_t)(intptr_t)arg, &c, &p);

	if (ret == 0) {
		*id = netdma_dmadev_provider_id(p);
		*h = p;
	}
	return ret;
}

static int
drop_dmadev(void *h)
{
	return netdma_dmadev_provider_destroy(h);
}

/* Register the provider as 1.1 then as 2.0 and run each chain style. */
static int
run_provider(const char *name, make_fn make, drop_fn drop, void *arg, const struct opts *o)
{
	static const uint8_t versions[][2] = { { 1, 1 }, { 2, 0 } };
	int fails = 0;

	for (size_t v = 0; v < RTE_DIM(versions); v++) {
		struct run *r = calloc(1, sizeof(*r));
		char label[96];
		uint32_t id;
		void *h;
		int ret;

		if (r == NULL)
			return 1;
		snprintf(label, sizeof(label), "%s (NetDMA %u.%u, %s)", name, versions[v][0],
			 versions[v][1], versions[v][0] >= 2 ? "counted" : "linked");
		r->label = label;
		ret = make(arg, versions[v][0], versions[v][1], &id, &h);
		if (ret < 0) {
			fprintf(stderr, "%s: provider creation failed: %s\n", label, strerror(-ret));
			free(r);
			fails++;
			continue;
		}
		ret = run_one(id, versions[v][0] >= 2, o, r);
		if (ret == 0)
			report(r);
		else
			fails++;
		drop(h);
		free(r);
	}
	return fails;
}

int
main(int argc, char **argv)
{
	struct opts o = { .size = 8u << 20, .desc_size = 4096, .chain = 16 };
	char *eal_argv[RTE_DIM(default_eal_args) + 2];
	const char *prog = argv[0];
	int eal_argc, consumed, ret, fails = 0;
	int16_t dev;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(argv[0]);
			return 0;
		}
	/* no EAL options given: use the embedded default */
	if (argc == 1 || strcmp(argv[1], "--") == 0) {
		eal_argv[0] = argv[0];
		for (size_t i = 0; i < RTE_DIM(default_eal_args); i++)
			eal_argv[i + 1] = (char *)(uintptr_t)default_eal_args[i];
		eal_argc = RTE_DIM(default_eal_args) + 1;
		ret = rte_eal_init(eal_argc, eal_argv);
		consumed = argc > 1 ? 1 : 0;
	} else {
		ret = rte_eal_init(argc, argv);
		consumed = ret;
	}
	if (ret < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= consumed;
	argv += consumed;
	argv[0] = (char *)(uintptr_t)prog;   /* getopt's messages name the program */
	ret = parse_opts(argc, argv, &o);
	if (ret != 0) {
		usage(prog);
		rte_eal_cleanup();
		return ret > 0 ? 0 : 2;
	}

	printf("netdma-demo: NetDMA interface %u.%u, %zu bytes per run, %u-byte descriptors, chains of %u\n",
	       netdma_get_version() >> 16, netdma_get_version() & 0xffff, o.size, o.desc_size, o.chain);
	fails += run_provider("cpu", make_cpu, drop_cpu, "cpu", &o);
	if (!o.cpu_only) {
		if (rte_dma_count_avail() == 0)
			printf("no dmadev found: pass --vdev=dma_skeleton or bind ioat/idxd to vfio-pci\n");
		RTE_DMA_FOREACH_DEV(dev) {
			struct rte_dma_info info;

			if (rte_dma_info_get(dev, &info) < 0)
				continue;
			fails += run_provider(info.dev_name, make_dmadev, drop_dmadev,
					      (void *)(intptr_t)dev, &o);
		}
	}
	rte_eal_cleanup();
	printf("%s\n", fails ? "FAILED" : "all runs verified");
	return fails ? 1 : 0;
}
