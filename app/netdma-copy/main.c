/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdma-copy: copy a file or generated data through a netdmad channel,
 * verify every byte, print throughput and the completion trace.  A plain C
 * client: it links libnetdma_client, not DPDK.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netdma.h"
#include "netdma_client.h"
#include "netdma_proto.h"

struct opts {
	const char *socket;
	const char *file;
	const char *output;
	const char *provider;
	uint64_t size;
	uint32_t desc_size;
	uint32_t chain;
	uint32_t repeat;
	uint32_t latency;           /* round trips to time, 0 = copy mode */
	bool interrupt;
	bool quiet;
};

static void
usage(const char *prog)
{
	printf("Usage: %s [options]\n"
	       "\n"
	       "Copies a file, or generated data, through a NetDMA channel of netdmad,\n"
	       "verifies every byte and prints throughput and the completion trace.\n"
	       "\n"
	       "  -S, --socket PATH      netdmad socket (default $NETDMA_SOCKET or %s)\n"
	       "  -s, --size BYTES       generated data size (default 64M; K/M/G suffixes)\n"
	       "  -f, --file FILE        copy this file instead of generated data\n"
	       "  -o, --output FILE      write the copied bytes here\n"
	       "  -p, --provider NAME    provider to use (default the first one)\n"
	       "  -d, --desc-size BYTES  bytes per descriptor (default 64K)\n"
	       "  -c, --chain N          descriptors per Start/Append (default 16)\n"
	       "  -r, --repeat N         copy N times over the same channel, verifying\n"
	       "                         each time; the rate is over all of them (default 1)\n"
	       "  -L, --latency N        time N single 64-byte descriptors, one at a time,\n"
	       "                         polling the completion word; then one more after a\n"
	       "                         quiet second (2.0 providers)\n"
	       "  -i, --interrupt        wait for interrupt callbacks (default: poll the\n"
	       "                         completion word)\n"
	       "  -q, --quiet            only the result line\n"
	       "  -l, --list             list the daemon's providers and exit\n"
	       "  -h, --help             this text\n"
	       "Exit status: 0 copied and verified, 1 copy or verification failed,\n"
	       "2 bad usage, 3 the daemon could not be reached.\n",
	       prog, NETDMA_DEFAULT_SOCKET);
}

static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (end == s)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	default: break;
	}
	if (*end != '\0' || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static sem_t irq_sem;
static volatile netdma_iova_t irq_last;

static void
on_irq(struct netdma_chan *ch, netdma_iova_t pa, void *arg)
{
	(void)ch;
	(void)arg;
	irq_last = pa;
	sem_post(&irq_sem);
}

/* The completion words a run saw: the first seven and the last. */
struct trace {
	uint64_t w[8];
	uint32_t n;
	uint64_t words;
	uint64_t last;
};

static void
trace_add(struct trace *t, uint64_t v)
{
	if (v == t->last)
		return;
	t->last = v;
	t->words++;
	if (t->n < 8)
		t->w[t->n++] = v;
	else
		t->w[7] = v;
}

/*
 * Submit the n descriptors (Start, then Appends of o->chain), then wait for
 * the last one: poll the completion word, or sleep on interrupts.
 * @return 0, or 1 after printing why.
 */
static int
run_round(struct netdma_chan *ch, struct netdma_descriptor *d, uint32_t n,
	  const struct opts *o, bool v2, volatile uint64_t *cw, struct trace *t, double deadline)
{
	uint64_t want = netdma_completion_encode(netdma_virt2iova(&d[n - 1]), NETDMA_STATUS_IDLE);
	uint32_t i, k;
	uint64_t v;
	int ret;

	for (i = 0, k = 0; i < n; k++) {
		uint32_t cnt = n - i < o->chain ? n - i : o->chain;

		if (k > 0 && !v2)
			d[i - 1].next_descriptor = netdma_virt2iova(&d[i]);
		ret = k == 0 ? netdma_chan_start(ch, &d[i], cnt) : netdma_chan_append(ch, &d[i], cnt);
		if (ret < 0) {
			fprintf(stderr, "netdma-copy: %s failed: %s (%s)\n", k ? "append" : "start",
				strerror(-ret), netdma_chan_last_error(ch));
			return 1;
		}
		i += cnt;
	}
	while ((v = netdma_completion_read(cw)) != want && now() < deadline) {
		trace_add(t, v);
		if (netdma_completion_status(v) == NETDMA_STATUS_HALTED)
			break;
		if (o->interrupt) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			sem_timedwait(&irq_sem, &ts);
		}
	}
	trace_add(t, v);
	if (v != want) {
		fprintf(stderr, "netdma-copy: did not complete: word 0x%" PRIx64 " (%s), expected 0x%"
			PRIx64 ": %s\n", v, netdma_status_name(netdma_completion_status(v)), want,
			netdma_chan_last_error(ch));
		return 1;
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Latency: one 64-byte descriptor at a time through a 2.0 ring of 64 slots,
 * from the Append call to the completion word naming it.
 */
static int
latency_mode(uint32_t provider, uint32_t iters)
{
	enum { SLOTS = 64 };
	struct netdma_descriptor *d = netdma_mem_alloc(sizeof(*d) * SLOTS, 64);
	uint8_t *buf = netdma_mem_alloc(2 * 64 * SLOTS, 64);
	volatile uint64_t *cw = netdma_mem_alloc(64, 64);
	double *lat = malloc(sizeof(double) * iters), quiet = 0;
	struct netdma_chan_conf cc = { 0 };
	struct netdma_chan *ch;
	uint32_t i;
	int ret;

	if (d == NULL || buf == NULL || cw == NULL || lat == NULL)
		return 1;
	cc.completion_word = cw;
	ret = netdma_chan_alloc(provider, &cc, &ch);
	if (ret < 0) {
		fprintf(stderr, "netdma-copy: channel allocation failed: %s\n",
			netdma_client_last_error()[0] != '\0' ? netdma_client_last_error() :
			strerror(-ret));
		return 1;
	}
	if (netdma_chan_version(ch) < 0x200) {
		fprintf(stderr, "netdma-copy: --latency needs a NetDMA 2.0 provider\n");
		return 2;
	}
	for (i = 0; i < SLOTS; i++) {
		d[i].transfer_size = 64;
		d[i].source_address = netdma_virt2iova(buf + 64 * i);
		d[i].destination_address = netdma_virt2iova(buf + 64 * (SLOTS + i));
		d[i].next_descriptor = netdma_virt2iova(&d[(i + 1) % SLOTS]);
		d[i].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
	}
	for (i = 0; i <= iters; i++) {
		struct netdma_descriptor *x = &d[i % SLOTS];
		uint64_t want = netdma_completion_encode(netdma_virt2iova(x), NETDMA_STATUS_IDLE);
		double t0, deadline;

		if (i == iters)
			sleep(1);   /* the first request after a quiet spell */
		t0 = now();
		deadline = t0 + 5;
		ret = i == 0 ? netdma_chan_start(ch, x, 1) : netdma_chan_append(ch, x, 1);
		if (ret < 0) {
			fprintf(stderr, "netdma-copy: %s\n", netdma_chan_last_error(ch));
			return 1;
		}
		while (netdma_completion_read(cw) != want)
			if (now() > deadline) {
				fprintf(stderr, "netdma-copy: descriptor %u did not complete\n", i);
				return 1;
			}
		if (i < iters)
			lat[i] = (now() - t0) * 1e6;
		else
			quiet = (now() - t0) * 1e6;
	}
	qsort(lat, iters, sizeof(*lat), cmp_double);
	printf("netdma-copy: %u x 64 B, one at a time, polling the completion word: "
	       "p50 %.2f us, p99 %.2f us, p999 %.2f us, max %.2f us; after 1 s quiet: %.2f us\n",
	       iters, lat[iters / 2], lat[(uint64_t)iters * 99 / 100], lat[(uint64_t)iters * 999 / 1000],
	       lat[iters - 1], quiet);
	netdma_chan_free(ch);
	free(lat);
	return 0;
}

/* Every provider of the daemon, however many: @return their number (*out malloc'd) or -errno. */
static int
providers_get(struct netdma_provider_info **out)
{
	int n = netdma_provider_list(NULL, 0), m;

	*out = NULL;
	if (n <= 0)
		return n;
	*out = calloc((size_t)n, sizeof(**out));
	if (*out == NULL)
		return -ENOMEM;
	m = netdma_provider_list(*out, (unsigned int)n);
	return m < n ? m : n;   /* the list may have changed in between */
}

static int
list_providers(void)
{
	struct netdma_provider_info *info;
	int n = providers_get(&info), i;

	if (n < 0) {
		fprintf(stderr, "netdma-copy: cannot list providers: %s\n", strerror(-n));
		return 3;
	}
	for (i = 0; i < n; i++)
		printf("%u  %-24s NetDMA %u.%u  channels %u (%u in use)  max transfer %u\n",
		       info[i].id, info[i].name, info[i].major_version, info[i].minor_version,
		       info[i].channel_count, info[i].channels_in_use, info[i].maximum_transfer_size);
	free(info);
	return 0;
}

static int
load_source(const struct opts *o, uint8_t **src, uint64_t *size)
{
	uint64_t i, x = 0x9e3779b97f4a7c15ull;

	if (o->file != NULL) {
		struct stat st;
		int fd = open(o->file, O_RDONLY | O_CLOEXEC);
		ssize_t got;
		uint64_t off = 0;

		if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
			fprintf(stderr, "netdma-copy: cannot read %s: %s\n", o->file,
				fd < 0 ? strerror(errno) : "empty");
			if (fd >= 0)
				close(fd);
			return -EINVAL;
		}
		*size = (uint64_t)st.st_size;
		*src = netdma_mem_alloc(*size, 64);
		if (*src == NULL) {
			close(fd);
			return -ENOMEM;
		}
		while (off < *size && (got = read(fd, *src + off, *size - off)) > 0)
			off += (uint64_t)got;
		close(fd);
		return off == *size ? 0 : -EIO;
	}
	*size = o->size;
	*src = netdma_mem_alloc(*size, 64);
	if (*src == NULL)
		return -ENOMEM;
	for (i = 0; i < *size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		(*src)[i] = (uint8_t)x;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "size", required_argument, NULL, 's' },
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "provider", required_argument, NULL, 'p' },
		{ "desc-size", required_argument, NULL, 'd' },
		{ "chain", required_argument, NULL, 'c' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "latency", required_argument, NULL, 'L' },
		{ "interrupt", no_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .size = 64u << 20, .desc_size = 64u << 10, .chain = 16, .repeat = 1 };
	struct netdma_provider_info *info;
	struct netdma_descriptor *d;
	struct netdma_chan_conf cc = { 0 };
	struct netdma_chan *ch;
	volatile uint64_t *cw;
	struct trace tr = { .last = ~0ull };
	uint64_t size, v;
	uint8_t *src, *dst;
	uint32_t n, i, round;
	bool list = false, v2;
	double t0, t1 = 0;
	int opt, ret, pid = -1;

	while ((opt = getopt_long(argc, argv, "S:s:f:o:p:d:c:r:L:iqlh", lo, NULL)) != -1) {
		switch (opt) {
		case 'S': o.socket = optarg; break;
		case 's':
			if (parse_size(optarg, &o.size) < 0)
				goto bad;
			break;
		case 'f': o.file = optarg; break;
		case 'o': o.output = optarg; break;
		case 'p': o.provider = optarg; break;
		case 'd':
			if (parse_size(optarg, &v) < 0 || v > (16u << 20) || v % 64)
				goto bad;
			o.desc_size = (uint32_t)v;
			break;
		case 'c':
			if (parse_size(optarg, &v) < 0 || v > 4096)
				goto bad;
			o.chain = (uint32_t)v;
			break;
		case 'r':
			if (parse_size(optarg, &v) < 0 || v > 1000000)
				goto bad;
			o.repeat = (uint32_t)v;
			break;
		case 'L':
			if (parse_size(optarg, &v) < 0 || v > 10000000)
				goto bad;
			o.latency = (uint32_t)v;
			break;
		case 'i': o.interrupt = true; break;
		case 'q': o.quiet = true; break;
		case 'l': list = true; break;
		case 'h': usage(argv[0]); return 0;
		default: usage(argv[0]); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netdma-copy: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	ret = netdma_client_connect(o.socket);
	if (ret < 0) {
		fprintf(stderr, "netdma-copy: cannot reach netdmad at %s: %s\n",
			o.socket ? o.socket : getenv("NETDMA_SOCKET") ? getenv("NETDMA_SOCKET") :
			NETDMA_DEFAULT_SOCKET, netdma_client_last_error()[0] != '\0' ?
			netdma_client_last_error() : strerror(-ret));
		return 3;
	}
	if (list)
		return list_providers();

	ret = providers_get(&info);
	if (ret <= 0) {
		fprintf(stderr, "netdma-copy: the daemon offers no provider\n");
		return 3;
	}
	pid = o.provider != NULL ? netdma_provider_find(o.provider) : (int)info[0].id;
	if (pid < 0) {
		fprintf(stderr, "netdma-copy: no provider named '%s' (try --list)\n", o.provider);
		return 2;
	}
	for (i = 0; i < (uint32_t)ret; i++)
		if ((int)info[i].id == pid && info[i].maximum_transfer_size < o.desc_size) {
			fprintf(stderr, "netdma-copy: --desc-size %u is over the provider's maximum %u\n",
				o.desc_size, info[i].maximum_transfer_size);
			return 2;
		}
	free(info);
	if (o.latency > 0)
		return latency_mode((uint32_t)pid, o.latency);
	if (load_source(&o, &src, &size) < 0)
		return 1;
	dst = netdma_mem_alloc(size, 64);
	n = (uint32_t)((size + o.desc_size - 1) / o.desc_size);
	d = netdma_mem_alloc(sizeof(*d) * (n + 1), 64);
	cw = netdma_mem_alloc(64, 64);
	if (dst == NULL || d == NULL || cw == NULL) {
		fprintf(stderr, "netdma-copy: out of shared memory (region quota?)\n");
		return 1;
	}
	sem_init(&irq_sem, 0, 0);
	cc.completion_word = cw;
	if (o.interrupt) {
		cc.intr_cb = on_irq;
	}
	ret = netdma_chan_alloc((uint32_t)pid, &cc, &ch);
	if (ret < 0) {
		fprintf(stderr, "netdma-copy: channel allocation failed: %s\n",
			netdma_client_last_error()[0] != '\0' ? netdma_client_last_error() :
			strerror(-ret));
		return 1;
	}
	v2 = netdma_chan_version(ch) >= 0x200;
	for (i = 0; i < n; i++) {
		bool last = (i + 1) % o.chain == 0 || i + 1 == n;
		uint64_t off = (uint64_t)i * o.desc_size;

		d[i].transfer_size = (uint32_t)(size - off < o.desc_size ? size - off : o.desc_size);
		d[i].source_address = netdma_virt2iova(src + off);
		d[i].destination_address = netdma_virt2iova(dst + off);
		d[i].next_descriptor = !last || v2 ? netdma_virt2iova(&d[i + 1]) : 0;
		d[i].control_flags = last ? NETDMA_F_STATUS_UPDATE_ON_COMPLETION |
			(o.interrupt ? NETDMA_F_INTERRUPT_ON_COMPLETION : 0) : 0;
	}

	t0 = now();
	for (round = 0; round < o.repeat && ret == 0; round++) {
		if (round > 0) {
			/* same descriptors again: mark the word "nothing yet", clear dst */
			*cw = netdma_completion_encode(0, NETDMA_STATUS_ARMED);
			memset(dst, 0, size);
		}
		ret = run_round(ch, d, n, &o, v2, cw, &tr, t0 + 60);
		if (ret == 0)
			ret = memcmp(src, dst, size) == 0 ? 0 : 1;
		else
			return 1;
	}
	t1 = now();
	if (!o.quiet) {
		printf("provider %d on lcore %d, NetDMA %d.%d (%s chains), %u descriptors of %u bytes, "
		       "%s\n", pid, netdma_chan_lcore(ch), netdma_chan_version(ch) >> 8,
		       netdma_chan_version(ch) & 0xff, v2 ? "counted" : "linked", n, o.desc_size,
		       o.interrupt ? "interrupts" : "polling the completion word");
		printf("completion trace (%" PRIu64 " words seen):", tr.words);
		for (i = 0; i < tr.n; i++)
			printf(" %s0x%" PRIx64 "|%s", i == 7 && tr.words > 8 ? "... " : "",
			       netdma_completion_address(tr.w[i]),
			       netdma_status_name(netdma_completion_status(tr.w[i])));
		printf("\n");
	}
	printf("netdma-copy: %" PRIu64 " bytes%s %s in %.3f ms, %.1f MB/s\n", size,
	       o.repeat > 1 ? " (each round)" : "",
	       ret == 0 ? "copied and verified" : "copied, VERIFY FAILED", (t1 - t0) * 1e3,
	       (double)size * round / (t1 - t0) / 1e6);
	if (ret == 0 && o.output != NULL) {
		FILE *f = fopen(o.output, "wb");

		if (f == NULL || fwrite(dst, 1, size, f) != size) {
			fprintf(stderr, "netdma-copy: cannot write %s\n", o.output);
			ret = 1;
		}
		if (f != NULL)
			fclose(f);
	}
	netdma_chan_free(ch);
	netdma_client_disconnect();
	return ret;
bad:
	fprintf(stderr, "netdma-copy: bad value '%s'\n", optarg);
	return 2;
}
