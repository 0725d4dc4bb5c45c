/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdma-perf-client: the client half of test-netdma-perf's daemon cases.
 *
 * A plain C process (libnetdma_client, no DPDK) because libnetdma and
 * libnetdma_client implement the same netdma.h: one process cannot link
 * both.  test-netdma-perf starts netdmad and this program, and reads the
 * figures back from our standard output, one "result ..." line per worker.
 *
 *   copy mode: one thread and one channel per worker, NETDMA_MEM_COPY's loop
 *              (a 2.0 ring of descriptors appended `chain` at a time), the
 *              completion word polled by the thread; every byte verified.
 *   idle mode: open N channels, run one descriptor on each, report "idle",
 *              wait for a line on stdin (the parent measures the daemon
 *              meanwhile), then time one request: the first after the quiet.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netdma.h"
#include "perf_cache.h"
#include "perf_fill.h"
#include "netdma_client.h"

#define MAX_WORKERS 8
#define MAX_SAMPLES (1u << 20)

struct opts {
	const char *socket;
	const char *provider;
	uint32_t buf_size;
	uint64_t mem_bytes;
	uint32_t chain;
	double seconds;
	unsigned int workers;
	int cpus[MAX_WORKERS];
	unsigned int nb_cpus;
	int lcores[MAX_WORKERS];    /* the daemon's polling lcore of each worker */
	unsigned int nb_lcores;
	bool cache_flush;
	uint32_t stride, data_off;  /* a pktmbuf pool's geometry; 0: contiguous */
	uint32_t idle_channels;     /* > 0: idle mode */
};

struct worker {
	const struct opts *o;
	unsigned int idx;
	uint32_t provider;
	uint32_t nr;
	uint8_t *src, *dst;
	uint64_t *off;              /* buffer k at src + off[k], dst + off[k] */
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	struct netdma_chan *chan;
	double *lat;
	uint32_t nlat;
	volatile uint64_t done;
	uint64_t done_start, done_end;
	int error;
	pthread_t tid;
};

static volatile int go, stop;

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
usage(const char *prog)
{
	printf("Usage: %s --socket PATH --provider NAME [copy options | --idle N]\n"
	       "\n"
	       "The client half of test-netdma-perf's NETDMA_CLIENT_COPY and\n"
	       "NETDMA_CLIENT_IDLE cases; test-netdma-perf runs it.\n"
	       "\n"
	       "  -S, --socket PATH     netdmad socket\n"
	       "  -p, --provider NAME   provider (default cpu)\n"
	       "  -b, --buf-size BYTES  bytes per descriptor (default 64)\n"
	       "  -m, --mem-mb MB       source + destination footprint (default 10)\n"
	       "  -c, --chain N         descriptors per Start/Append (default 32)\n"
	       "  -t, --seconds S       timed window (default 2)\n"
	       "  -w, --workers N       threads, one channel each (default 1)\n"
	       "  -C, --cpus LIST       pin worker i to the i-th CPU of LIST (e.g. 0,1)\n"
	       "  -L, --lcores LIST     worker i's channel on the i-th daemon lcore of LIST\n"
	       "  -f, --cache-flush     flush the buffers from the caches first\n"
	       "  -s, --stride BYTES    lay buffers out as a pktmbuf pool of this object\n"
	       "                        size (default: one flat array per side)\n"
	       "  -o, --data-offset N   with --stride: the data's offset in an object\n"
	       "  -i, --idle N          idle mode: N channels, then one timed request\n"
	       "  -h, --help            this text\n"
	       "Output: one line per worker, \"result worker=I ops=N secs=S nr_buf=N\n"
	       "p50=US p99=US p999=US verified=0|1 error=-ERRNO\".\n", prog);
}

/*
 * Where buffer k's data lies in a region.  --stride: as in a pktmbuf pool
 * of that object size (test-netdma-perf computes it with
 * rte_mempool_calc_obj_size; this process has no EAL): objects one after
 * the other, none crossing a page boundary unless larger than a page (the
 * mempool's rule), the data --data-offset into each.  Else buffer k at k *
 * buf_size.  @return the region's length.
 */
static uint64_t
layout(const struct opts *o, uint32_t nr, uint64_t *off)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE), at = 0;
	uint32_t k;

	for (k = 0; k < nr; k++) {
		if (o->stride == 0) {
			off[k] = (uint64_t)k * o->buf_size;
			continue;
		}
		if (o->stride <= pg && at / pg != (at + o->stride - 1) / pg)
			at = (at + pg - 1) / pg * pg;
		off[k] = at + o->data_off;
		at += o->stride;
	}
	return o->stride == 0 ? (uint64_t)nr * o->buf_size : at;
}

/* The ring of descriptors over the worker's buffers, chains of `chain`. */
static int
worker_setup(struct worker *w)
{
	const struct opts *o = w->o;
	struct netdma_chan_conf cc = { 0 };
	uint64_t len;
	uint32_t i;
	int ret;

	w->nr = (uint32_t)(o->mem_bytes / (2ull * o->buf_size) / o->workers);
	w->nr -= w->nr % o->chain;
	if (w->nr / o->chain < 2) {
		fprintf(stderr, "netdma-perf-client: the footprint must hold two chains per worker\n");
		return -EINVAL;
	}
	w->off = malloc(sizeof(*w->off) * w->nr);
	if (w->off == NULL)
		return -ENOMEM;
	len = layout(o, w->nr, w->off);
	w->src = netdma_mem_alloc(len, 64);
	w->dst = netdma_mem_alloc(len, 64);
	w->d = netdma_mem_alloc(sizeof(*w->d) * w->nr, 64);
	w->cw = netdma_mem_alloc(64, 64);
	w->lat = malloc(sizeof(*w->lat) * MAX_SAMPLES);
	if (w->src == NULL || w->dst == NULL || w->d == NULL || w->cw == NULL || w->lat == NULL)
		return -ENOMEM;
	for (i = 0; i < w->nr; i++) {
		perf_fill(w->src + w->off[i], i, o->buf_size);
		memset(w->dst + w->off[i], 0, o->buf_size);
		if (o->cache_flush) {
			perf_flush_cache(w->src + w->off[i], o->buf_size);
			perf_flush_cache(w->dst + w->off[i], o->buf_size);
		}
		w->d[i].transfer_size = o->buf_size;
		w->d[i].source_address = netdma_virt2iova(w->src + w->off[i]);
		w->d[i].destination_address = netdma_virt2iova(w->dst + w->off[i]);
		w->d[i].next_descriptor = netdma_virt2iova(&w->d[(i + 1) % w->nr]);
		w->d[i].control_flags = (i + 1) % o->chain == 0 ? NETDMA_F_STATUS_UPDATE_ON_COMPLETION : 0;
	}
	cc.completion_word = w->cw;
	if (w->idx < o->nb_lcores)
		cc.lcore_mask = 1ull << o->lcores[w->idx];
	ret = netdma_chan_alloc(w->provider, &cc, &w->chan);
	if (ret < 0) {
		fprintf(stderr, "netdma-perf-client: channel allocation failed: %s\n", strerror(-ret));
		return ret;
	}
	if (netdma_chan_version(w->chan) < 0x200) {
		fprintf(stderr, "netdma-perf-client: the provider must be NetDMA 2.0\n");
		return -ENOTSUP;
	}
	if (o->cache_flush) {
		perf_flush_cache(w->src, (size_t)w->nr * o->buf_size);
		perf_flush_cache(w->dst, (size_t)w->nr * o->buf_size);
	}
	return 0;
}

/*
 * Nothing to submit and nothing retired: give the CPU away.  The clients
 * share CPUs with each other and, on dma_skeleton, with the device itself:
 * spinning on the completion word, or waking often, slows the device down.
 * With more than half the ring queued, nap; the nap is tuned so that about
 * half the ring drains during one: twice as long when less drained since
 * the last nap, half as long when more did (from 10 us to 1 ms).  With
 * less queued, yield.
 */
struct backoff {
	uint32_t nap_us;
	uint32_t tail_at_nap;   /* chains retired when the last nap began */
	bool napped;
};

static void
idle_backoff(struct backoff *b, uint32_t head, uint32_t tail, uint32_t ring)
{
	if (head - tail <= ring / 2) {
		sched_yield();
		return;
	}
	if (b->napped) {
		if (tail - b->tail_at_nap > ring / 2)
			b->nap_us = b->nap_us > 20 ? b->nap_us / 2 : 10;
		else
			b->nap_us = b->nap_us < 500 ? b->nap_us * 2 : 1000;
	}
	b->tail_at_nap = tail;
	b->napped = true;
	nanosleep(&(struct timespec){ .tv_nsec = (long)b->nap_us * 1000 }, NULL);
}

/*
 * NETDMA_MEM_COPY's loop (perf_worker.c), with the daemon doing the polling:
 * nchains slots in a ring, at most nchains - 1 in flight so no descriptor is
 * re-submitted before it retired; the completion word is a high-water mark.
 */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t chain = w->o->chain, nchains = w->nr / chain, head = 0, tail = 0;
	double *sub = calloc(nchains, sizeof(double));
	uint64_t word, last_word = netdma_completion_read(w->cw);
	netdma_iova_t ring = netdma_virt2iova(w->d);
	double deadline = 0;
	struct backoff backoff = { .nap_us = 10 };
	int ret;

	if (sub == NULL) {
		w->error = -ENOMEM;
		return NULL;
	}
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sched_yield();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED) || head != tail) {
		bool idle = true;

		if (!stop && head - tail < nchains - 1) {
			uint32_t slot = head % nchains;

			sub[slot] = now();
			ret = head == 0 ? netdma_chan_start(w->chan, &w->d[slot * chain], chain) :
				netdma_chan_append(w->chan, &w->d[slot * chain], chain);
			if (ret < 0) {
				fprintf(stderr, "netdma-perf-client: %s\n", netdma_chan_last_error(w->chan));
				w->error = ret;
				break;
			}
			head++;
			idle = false;
		}
		if (stop && deadline == 0)
			deadline = now() + 5;
		word = netdma_completion_read(w->cw);
		if (word != last_word && netdma_completion_status(word) != NETDMA_STATUS_ARMED) {
			uint32_t retired = (uint32_t)((netdma_completion_address(word) - ring) /
						      sizeof(*w->d)) / chain;
			double t = now();

			if (netdma_completion_status(word) == NETDMA_STATUS_HALTED) {
				fprintf(stderr, "netdma-perf-client: channel halted: %s\n",
					netdma_chan_last_error(w->chan));
				w->error = -EIO;
				break;
			}
			while (tail != head) {
				uint32_t slot = tail % nchains;

				if (w->nlat < MAX_SAMPLES)
					w->lat[w->nlat++] = t - sub[slot];
				tail++;
				__atomic_store_n(&w->done, w->done + chain, __ATOMIC_RELAXED);
				if (slot == retired)
					break;
			}
			last_word = word;
			idle = false;
		} else if (deadline != 0 && now() > deadline) {
			fprintf(stderr, "netdma-perf-client: outstanding chains did not complete\n");
			w->error = -ETIMEDOUT;
			break;
		}
		if (idle)
			idle_backoff(&backoff, head, tail, nchains);
	}
	free(sub);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct_us(const double *v, uint32_t n, double p)
{
	return n == 0 ? 0 : v[(uint32_t)((n - 1) * p)] * 1e6;
}

static int
copy_mode(const struct opts *o, uint32_t provider)
{
	static struct worker ws[MAX_WORKERS];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < o->workers; i++) {
		ws[i].o = o;
		ws[i].idx = i;
		ws[i].provider = provider;
		ret = worker_setup(&ws[i]);
		if (ret < 0)
			return ret;
		if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0)
			return -EAGAIN;
		if (i < o->nb_cpus) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(o->cpus[i], &set);
			pthread_setaffinity_np(ws[i].tid, sizeof(set), &set);
		}
	}
	/* the timed window: 10 ms of warm-up, then the seconds asked for (the figures
	 * divide by them, as dpdk-test-dma-perf's) */
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	usleep(10000);
	for (i = 0; i < o->workers; i++)
		ws[i].done_start = __atomic_load_n(&ws[i].done, __ATOMIC_RELAXED);
	usleep((useconds_t)(o->seconds * 1e6));
	for (i = 0; i < o->workers; i++)
		ws[i].done_end = __atomic_load_n(&ws[i].done, __ATOMIC_RELAXED);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < o->workers; i++) {
		struct worker *w = &ws[i];
		uint64_t copied;
		bool ok;

		pthread_join(w->tid, NULL);
		copied = w->done < w->nr ? w->done : w->nr;
		/* every buffer copied at least once must match its source */
		ok = w->error == 0 && copied > 0;
		for (uint64_t k = 0; ok && k < copied; k++)
			ok = memcmp(w->src + w->off[k], w->dst + w->off[k], o->buf_size) == 0;
		qsort(w->lat, w->nlat, sizeof(*w->lat), cmp_double);
		printf("result worker=%u ops=%" PRIu64 " secs=%.6f nr_buf=%u p50=%.3f p99=%.3f "
		       "p999=%.3f verified=%d error=%d\n", i, w->done_end - w->done_start, o->seconds,
		       w->nr, pct_us(w->lat, w->nlat, 0.5), pct_us(w->lat, w->nlat, 0.99),
		       pct_us(w->lat, w->nlat, 0.999), ok, w->error);
		netdma_chan_free(w->chan);
	}
	fflush(stdout);
	return 0;
}

/* One 64-byte descriptor on @p ch, waited for by polling; @return µs or < 0. */
static double
one_request(struct netdma_chan *ch, struct netdma_descriptor *d, volatile uint64_t *cw, bool first)
{
	uint64_t want = netdma_completion_encode(netdma_virt2iova(d), NETDMA_STATUS_IDLE);
	double t0 = now();
	int ret = first ? netdma_chan_start(ch, d, 1) : netdma_chan_append(ch, d, 1);

	if (ret < 0) {
		fprintf(stderr, "netdma-perf-client: %s\n", netdma_chan_last_error(ch));
		return ret;
	}
	while (netdma_completion_read(cw) != want)
		if (now() - t0 > 5) {
			fprintf(stderr, "netdma-perf-client: a request did not complete\n");
			return -ETIMEDOUT;
		}
	return (now() - t0) * 1e6;
}

/*
 * N channels, each Started once with one descriptor (rings live, nothing
 * queued); then "idle", a line from the parent, and one more request on the
 * first channel.  Each channel has two descriptor slots: Start, then Append.
 */
static int
idle_mode(const struct opts *o, uint32_t provider)
{
	uint32_t n = o->idle_channels, i;
	struct netdma_descriptor *d = netdma_mem_alloc(sizeof(*d) * 2 * n, 64);
	uint8_t *buf = netdma_mem_alloc(4 * 64 * (size_t)n, 64);
	/* one cache line per completion word: they are written by the pollers */
	uint8_t *cws = netdma_mem_alloc(64 * (size_t)n, 64);
	struct netdma_chan **ch = calloc(n, sizeof(*ch));
	char line[16];
	double us;
	bool ok = false;
	int ret = 0;

	if (d == NULL || buf == NULL || cws == NULL || ch == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	if (o->nb_cpus > 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o->cpus[0], &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	for (i = 0; i < 4 * 64 * n; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < n; i++) {
		struct netdma_chan_conf cc = { .completion_word = (volatile uint64_t *)(cws + 64 * i) };
		unsigned int k;

		for (k = 0; k < 2; k++) {
			struct netdma_descriptor *x = &d[2 * i + k];

			x->transfer_size = 64;
			x->source_address = netdma_virt2iova(buf + 256 * i + 64 * k);
			x->destination_address = netdma_virt2iova(buf + 256 * i + 128 + 64 * k);
			x->next_descriptor = netdma_virt2iova(&d[2 * i + (k + 1) % 2]);
			x->control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
		}
		ret = netdma_chan_alloc(provider, &cc, &ch[i]);
		if (ret < 0) {
			fprintf(stderr, "netdma-perf-client: channel %u of %u: %s\n", i, n,
				netdma_client_last_error()[0] != '\0' ? netdma_client_last_error() :
				strerror(-ret));
			goto out;
		}
		if (one_request(ch[i], &d[2 * i], cc.completion_word, true) < 0) {
			ret = -EIO;
			goto out;
		}
	}
	printf("idle channels=%u\n", n);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL) {
		ret = -EPIPE;
		goto out;
	}
	us = one_request(ch[0], &d[1], (volatile uint64_t *)cws, false);
	ok = us >= 0;
	for (i = 0; i < n && ok; i++)
		ok = memcmp(buf + 256 * i, buf + 256 * i + 128, 64) == 0;
	ok = ok && memcmp(buf + 64, buf + 192, 64) == 0;
	printf("first_us=%.1f verified=%d\n", us, ok);
	fflush(stdout);
	ret = ok ? 0 : -EIO;
out:
	for (i = 0; ch != NULL && i < n; i++)
		if (ch[i] != NULL)
			netdma_chan_free(ch[i]);
	free(ch);
	netdma_mem_free(d);
	netdma_mem_free(buf);
	netdma_mem_free(cws);
	return ret;
}

static int
parse_list(const char *s, int *out, unsigned int *n)
{
	char copy[128], *save, *tok, *end;

	snprintf(copy, sizeof(copy), "%s", s);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		long v = strtol(tok, &end, 10);

		if (*n == MAX_WORKERS || *end != '\0' || v < 0 || v > 63)
			return -EINVAL;
		out[(*n)++] = (int)v;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "provider", required_argument, NULL, 'p' },
		{ "buf-size", required_argument, NULL, 'b' },
		{ "mem-mb", required_argument, NULL, 'm' },
		{ "chain", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 't' },
		{ "workers", required_argument, NULL, 'w' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "lcores", required_argument, NULL, 'L' },
		{ "cache-flush", no_argument, NULL, 'f' },
		{ "stride", required_argument, NULL, 's' },
		{ "data-offset", required_argument, NULL, 'o' },
		{ "idle", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.provider = "cpu", .buf_size = 64, .mem_bytes = 10u << 20, .chain = 32,
		.seconds = 2, .workers = 1,
	};
	int ch, pid, ret;

	while ((ch = getopt_long(argc, argv, "S:p:b:m:c:t:w:C:L:fs:o:i:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'S': o.socket = optarg; break;
		case 'p': o.provider = optarg; break;
		case 'b': o.buf_size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'm': o.mem_bytes = strtoull(optarg, NULL, 0) << 20; break;
		case 'c': o.chain = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': o.seconds = atof(optarg); break;
		case 'w': o.workers = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'C':
			if (parse_list(optarg, o.cpus, &o.nb_cpus) < 0) {
				usage(argv[0]);
				return 2;
			}
			break;
		case 'L':
			if (parse_list(optarg, o.lcores, &o.nb_lcores) < 0) {
				usage(argv[0]);
				return 2;
			}
			break;
		case 'f': o.cache_flush = true; break;
		case 's': o.stride = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'o': o.data_off = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'i': o.idle_channels = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'h': usage(argv[0]); return 0;
		default: usage(argv[0]); return 2;
		}
	}
	if (o.buf_size == 0 || o.chain == 0 || o.seconds <= 0 || o.workers == 0 ||
	    o.workers > MAX_WORKERS || optind != argc ||
	    (o.stride != 0 && o.data_off + o.buf_size > o.stride)) {
		usage(argv[0]);
		return 2;
	}
	ret = netdma_client_connect(o.socket);
	if (ret < 0) {
		fprintf(stderr, "netdma-perf-client: cannot reach netdmad: %s\n", strerror(-ret));
		return 3;
	}
	pid = netdma_provider_find(o.provider);
	if (pid < 0) {
		fprintf(stderr, "netdma-perf-client: no provider '%s' in netdmad\n", o.provider);
		return 1;
	}
	ret = o.idle_channels > 0 ? idle_mode(&o, (uint32_t)pid) : copy_mode(&o, (uint32_t)pid);
	netdma_client_disconnect();
	return ret < 0 ? 1 : 0;
}
