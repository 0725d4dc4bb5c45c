/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One scenario (a case at one buffer size) in an EAL process: buffers, the
 * engines, one worker per lcore, a timed window, then verification.
 *
 * DMA_MEM_COPY and CPU_MEM_COPY follow dpdk-test-dma-perf: rte_dma_copy()
 * per buffer with a doorbell and rte_dma_completed() every kick_batch, or
 * rte_memcpy() per buffer.  NETDMA_MEM_COPY moves the same buffers through a
 * NetDMA channel: a 2.0 ring of descriptors, Appends of `chain`, the worker
 * polling its own lcore; latency is from the Append to the completion word.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memcpy.h>
#include <rte_pause.h>

#include "netdma.h"
#include "netdma_cpu.h"
#include "netdma_dmadev.h"
#include "netdma_lcore.h"
#include "perf.h"
#include "perf_cache.h"

#define MAX_SAMPLES (1u << 20)

struct worker {
	const struct perf_case *c;
	uint32_t bs, nr;
	uint8_t *src, *dst;
	int16_t dev_id;                     /* DMA_MEM_COPY */
	struct netdma_chan *chan;           /* NETDMA_MEM_COPY */
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	uint64_t *lat;                      /* latency samples, TSC */
	uint32_t nlat;
	uint32_t head, tail;                /* NETDMA: chains submitted / retired */
	uint64_t *sub_tsc;                  /* NETDMA: each slot's submission */
	uint64_t last_word;
	bool running;
	struct worker *next_on_lcore;       /* NETDMA: the next channel its lcore drives */
	volatile uint64_t done;             /* completed copies, read by the main lcore */
	uint64_t done_start, done_end;
	int error;
} __rte_cache_aligned;

static volatile bool go, stop;

static void
count(struct worker *w, uint64_t n)
{
	__atomic_store_n(&w->done, w->done + n, __ATOMIC_RELAXED);
}

static int
dma_worker(void *arg)
{
	struct worker *w = arg;
	rte_iova_t s = rte_malloc_virt2iova(w->src), d = rte_malloc_virt2iova(w->dst);
	uint32_t i = 0, since_kick = 0;
	uint16_t last;
	bool err = false;
	int ret;

	while (!go)
		rte_pause();
	while (!stop) {
		ret = rte_dma_copy(w->dev_id, 0, s + (uint64_t)i * w->bs, d + (uint64_t)i * w->bs,
				   w->bs, 0);
		if (ret == -ENOSPC) {
			rte_dma_submit(w->dev_id, 0);
			count(w, rte_dma_completed(w->dev_id, 0, 255, &last, &err));
			continue;
		}
		if (ret < 0) {
			w->error = ret;
			break;
		}
		if (++i == w->nr)
			i = 0;
		if (++since_kick == w->c->kick_batch) {
			rte_dma_submit(w->dev_id, 0);
			count(w, rte_dma_completed(w->dev_id, 0, 255, &last, &err));
			since_kick = 0;
		}
		if (err) {
			w->error = -EIO;
			break;
		}
	}
	/* let the device hand everything back before buffers are checked */
	rte_dma_submit(w->dev_id, 0);
	for (i = 0; i < 1000000 && rte_dma_completed(w->dev_id, 0, 255, &last, &err) > 0; i++)
		;
	return 0;
}

static int
cpu_worker(void *arg)
{
	struct worker *w = arg;
	uint32_t i = 0;

	while (!go)
		rte_pause();
	while (!stop) {
		rte_memcpy(w->dst + (uint64_t)i * w->bs, w->src + (uint64_t)i * w->bs, w->bs);
		if (++i == w->nr)
			i = 0;
		count(w, 1);
	}
	return 0;
}

/*
 * The NetDMA loop, one step of one channel: nchains slots of `chain`
 * descriptors in a ring; at most nchains - 1 in flight so no descriptor is
 * re-submitted before it retired.  @return false once the channel is done
 * (stopped and drained, or failed).
 */
static bool
netdma_submit(struct worker *w)
{
	uint32_t chain = w->c->chain, nchains = w->nr / chain;
	uint32_t slot = w->head % nchains;
	struct netdma_descriptor *first = &w->d[slot * chain];
	int ret;

	if (stop || w->head - w->tail >= nchains - 1)
		return true;
	w->sub_tsc[slot] = rte_rdtsc();
	ret = w->head == 0 ? netdma_chan_start(w->chan, first, chain) :
		netdma_chan_append(w->chan, first, chain);
	if (ret < 0) {
		w->error = ret;
		return false;
	}
	w->head++;
	return true;
}

static bool
netdma_reap(struct worker *w)
{
	uint32_t chain = w->c->chain, nchains = w->nr / chain;
	uint64_t word = netdma_completion_read(w->cw);

	if (word != w->last_word && netdma_completion_status(word) != NETDMA_STATUS_ARMED) {
		uint32_t idx = (uint32_t)((netdma_completion_address(word) -
					   netdma_virt2iova(w->d)) / sizeof(*w->d));
		uint32_t retired_slot = idx / chain;
		uint64_t now = rte_rdtsc();

		if (netdma_completion_status(word) == NETDMA_STATUS_HALTED) {
			w->error = -EIO;
			return false;
		}
		/* the word is a high-water mark: every chain up to it retired */
		while (w->tail != w->head) {
			uint32_t slot = w->tail % nchains;

			if (w->nlat < MAX_SAMPLES)
				w->lat[w->nlat++] = now - w->sub_tsc[slot];
			w->tail++;
			count(w, chain);
			if (slot == retired_slot)
				break;
		}
		w->last_word = word;
	}
	return !stop || w->head != w->tail;
}

/*
 * An lcore's NetDMA channels, driven in turn: its workers (one channel
 * each) submit, the lcore polls its engines once, each reaps its
 * completion word.  Several workers share an lcore when their channels
 * are virtual channels of one device queue, all polled there.
 */
static int
netdma_lcore_loop(void *arg)
{
	struct worker *first = arg, *w;
	unsigned int lcore = rte_lcore_id(), running;

	while (!go)
		rte_pause();
	do {
		for (w = first; w != NULL; w = w->next_on_lcore)
			if (w->running)
				w->running = netdma_submit(w);
		netdma_lcore_poll(lcore);
		running = 0;
		for (w = first; w != NULL; w = w->next_on_lcore) {
			if (w->running)
				w->running = netdma_reap(w);
			running += w->running;
		}
	} while (running > 0);
	return 0;
}

static int
setup_dmadev(struct worker *w, const char *dev)
{
	struct rte_dma_conf dc = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vc = { .direction = RTE_DMA_DIR_MEM_TO_MEM };
	struct rte_dma_info info;

	w->dev_id = (int16_t)rte_dma_get_dev_id_by_name(dev);
	if (w->dev_id < 0 || rte_dma_info_get(w->dev_id, &info) < 0) {
		fprintf(stderr, "test-netdma-perf: no dmadev '%s'\n", dev);
		return -ENODEV;
	}
	vc.nb_desc = (uint16_t)RTE_MAX(info.min_desc, RTE_MIN(info.max_desc, w->c->ring_size));
	if (rte_dma_configure(w->dev_id, &dc) < 0 || rte_dma_vchan_setup(w->dev_id, 0, &vc) < 0 ||
	    rte_dma_start(w->dev_id) < 0)
		return -EIO;
	return 0;
}

/* Build the 2.0 descriptor ring over the worker's buffers; allocate a channel. */
static int
setup_netdma(struct worker *w)
{
	uint32_t chain = w->c->chain, i;

	w->nr -= w->nr % chain;
	if (w->nr / chain < 2)
		return -EINVAL;   /* need two chains: one in flight, one being refilled */
	w->d = netdma_mem_alloc(sizeof(*w->d) * w->nr, 64);
	w->cw = netdma_mem_alloc(64, 64);
	w->lat = malloc(MAX_SAMPLES * sizeof(*w->lat));
	w->sub_tsc = calloc(w->nr / chain, sizeof(*w->sub_tsc));
	if (w->d == NULL || w->cw == NULL || w->lat == NULL || w->sub_tsc == NULL)
		return -ENOMEM;
	for (i = 0; i < w->nr; i++) {
		w->d[i].transfer_size = w->bs;
		w->d[i].source_address = netdma_virt2iova(w->src + (uint64_t)i * w->bs);
		w->d[i].destination_address = netdma_virt2iova(w->dst + (uint64_t)i * w->bs);
		w->d[i].next_descriptor = netdma_virt2iova(&w->d[(i + 1) % w->nr]);
		w->d[i].control_flags = (i + 1) % chain == 0 ? NETDMA_F_STATUS_UPDATE_ON_COMPLETION : 0;
		/* 2.0: keep the destination in cache (the cpu engine's temporal copy) */
		if (w->c->dca)
			w->d[i].control_flags |= NETDMA_F_DESTINATION_DCA_ENABLE;
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_us(uint64_t *v, uint32_t n, double p)
{
	if (n == 0)
		return 0;
	return (double)v[(uint32_t)((n - 1) * p)] * 1e6 / (double)rte_get_tsc_hz();
}

/*
 * The provider over worker @p i's dmadev: the one an earlier worker made,
 * or a new one with a virtual channel for each worker naming the device.
 * @return its NetDMA provider id or -errno.
 */
static int
dmadev_provider_of(const struct perf_case *c, unsigned int i,
		   struct netdma_dmadev_provider *dmap[PERF_MAX_WORKERS])
{
	const char *dev = c->workers[i].dev;
	struct netdma_dmadev_conf dc = { .ring_size = (uint16_t)c->ring_size };
	int16_t dev_id;
	unsigned int j;
	int ret;

	for (j = 0; j < i; j++)
		if (dmap[j] != NULL && strcmp(c->workers[j].dev, dev) == 0)
			return (int)netdma_dmadev_provider_id(dmap[j]);
	for (j = 0; j < c->nb_workers; j++)
		dc.channels_per_vchan += strcmp(c->workers[j].dev, dev) == 0;
	dev_id = (int16_t)rte_dma_get_dev_id_by_name(dev);
	if (dev_id < 0)
		ret = -ENODEV;
	else
		ret = netdma_dmadev_provider_create(dev_id, &dc, &dmap[i]);
	if (ret < 0) {
		fprintf(stderr, "test-netdma-perf: case %u: no provider for '%s': %s\n", c->id, dev,
			strerror(-ret));
		return ret;
	}
	return (int)netdma_dmadev_provider_id(dmap[i]);
}

/*
 * One EAL thread per lcore.  NetDMA workers on one lcore take turns on it
 * (netdma_lcore_loop); the raw cases need an lcore each, as in
 * dpdk-test-dma-perf.
 */
static int
launch_workers(const struct perf_case *c, struct worker *ws)
{
	struct worker *first[RTE_MAX_LCORE] = { NULL }, **tail[RTE_MAX_LCORE];
	unsigned int i, l;

	for (i = 0; i < c->nb_workers; i++) {
		l = c->workers[i].lcore;
		if (first[l] == NULL) {
			first[l] = &ws[i];
			tail[l] = &ws[i].next_on_lcore;
			continue;
		}
		if (c->type != PERF_NETDMA_MEM_COPY) {
			fprintf(stderr, "test-netdma-perf: case %u: lcore %u is given twice: only "
				"NETDMA_MEM_COPY workers can share an lcore\n", c->id, l);
			return -EINVAL;
		}
		*tail[l] = &ws[i];
		tail[l] = &ws[i].next_on_lcore;
	}
	for (l = 0; l < RTE_MAX_LCORE; l++)
		if (first[l] != NULL)
			rte_eal_remote_launch(c->type == PERF_DMA_MEM_COPY ? dma_worker :
					      c->type == PERF_CPU_MEM_COPY ? cpu_worker :
					      netdma_lcore_loop, first[l], l);
	return 0;
}

int
perf_run_scenario(const struct perf_case *c, uint32_t bs, bool smoke, struct perf_result *res)
{
	struct worker *ws = rte_zmalloc("perf_workers", sizeof(*ws) * c->nb_workers, RTE_CACHE_LINE_SIZE);
	struct netdma_cpu_provider *cpu = NULL;
	struct netdma_dmadev_provider *dmap[PERF_MAX_WORKERS] = { NULL };
	uint64_t total = (uint64_t)c->mem_size_mb << 20;
	double secs = smoke ? 0.05 : c->test_seconds;
	uint64_t t0, t1;
	unsigned int i;
	int ret = 0;

	if (ws == NULL)
		return -ENOMEM;
	if (smoke && total > (8u << 20))
		total = 8u << 20;
	go = stop = false;
	for (i = 0; i < c->nb_workers; i++) {
		struct worker *w = &ws[i];
		unsigned int l = c->workers[i].lcore;

		w->c = c;
		w->bs = bs;
		w->nr = (uint32_t)(total / (2ull * bs) / c->nb_workers);
		res[i].lcore = l;
		snprintf(res[i].dev, sizeof(res[i].dev), "%s",
			 c->type == PERF_CPU_MEM_COPY ? "" : c->workers[i].dev);
		if (w->nr == 0 || !rte_lcore_is_enabled(l) || l == rte_get_main_lcore()) {
			fprintf(stderr, "test-netdma-perf: case %u: lcore %u must be an EAL worker and "
				"mem_size must hold a buffer pair\n", c->id, l);
			ret = -EINVAL;
			goto out;
		}
		w->src = rte_malloc_socket("perf_src", (size_t)w->nr * bs, 64,
					   c->src_numa < 0 ? SOCKET_ID_ANY : c->src_numa);
		w->dst = rte_zmalloc_socket("perf_dst", (size_t)w->nr * bs, 64,
					    c->dst_numa < 0 ? SOCKET_ID_ANY : c->dst_numa);
		if (w->src == NULL || w->dst == NULL) {
			fprintf(stderr, "test-netdma-perf: case %u: no memory for %u x %u B on NUMA "
				"nodes %d/%d (raise -m, or check src_numa_node/dst_numa_node)\n",
				c->id, w->nr, bs, c->src_numa, c->dst_numa);
			ret = -ENOMEM;
			goto out;
		}
		for (uint64_t b = 0; b < (uint64_t)w->nr * bs; b++)
			w->src[b] = (uint8_t)(b * 131 + i + 7);
		if (c->type == PERF_DMA_MEM_COPY) {
			ret = setup_dmadev(w, c->workers[i].dev);
		} else if (c->type == PERF_NETDMA_MEM_COPY) {
			const char *dev = c->workers[i].dev;
			struct netdma_chan_conf cc = { .lcore_mask = 1ull << l };
			int id;

			ret = setup_netdma(w);
			if (ret < 0)
				goto out;
			/*
			 * One software provider for all workers; one provider per
			 * dmadev, its vchan carrying one virtual channel per worker
			 * naming it.
			 */
			if (strcmp(dev, "cpu") == 0) {
				struct netdma_cpu_conf pc = { .nb_channels = c->nb_workers,
							      .ring_size = c->ring_size };

				if (cpu == NULL && (ret = netdma_cpu_provider_create(&pc, &cpu)) < 0)
					goto out;
				id = (int)netdma_cpu_provider_id(cpu);
			} else {
				ret = dmadev_provider_of(c, i, dmap);
				if (ret < 0)
					goto out;
				id = ret;
			}
			cc.completion_word = w->cw;
			ret = netdma_chan_alloc((uint32_t)id, &cc, &w->chan);
			if (ret < 0)
				fprintf(stderr, "test-netdma-perf: case %u: no NetDMA channel of '%s' on "
					"lcore %u: %s (the channels of one device queue are polled on "
					"one lcore: give the workers of '%s' the same lcore)\n", c->id,
					dev, l, strerror(-ret), dev);
			w->last_word = netdma_completion_read(w->cw);
			w->running = true;
		}
		if (ret < 0)
			goto out;
		if (c->cache_flush) {
			perf_flush_cache(w->src, (size_t)w->nr * bs);
			perf_flush_cache(w->dst, (size_t)w->nr * bs);
		}
	}
	ret = launch_workers(c, ws);
	if (ret < 0)
		goto out;

	/* the timed window: 10 ms of warm-up, then test_seconds */
	go = true;
	rte_delay_us_sleep(10000);
	t0 = rte_get_timer_cycles();
	for (i = 0; i < c->nb_workers; i++)
		ws[i].done_start = __atomic_load_n(&ws[i].done, __ATOMIC_RELAXED);
	rte_delay_us_sleep((unsigned int)(secs * 1e6));
	for (i = 0; i < c->nb_workers; i++)
		ws[i].done_end = __atomic_load_n(&ws[i].done, __ATOMIC_RELAXED);
	t1 = rte_get_timer_cycles();
	stop = true;
	rte_eal_mp_wait_lcore();

	for (i = 0; i < c->nb_workers; i++) {
		struct worker *w = &ws[i];
		uint64_t copied = RTE_MIN(w->done, (uint64_t)w->nr);

		res[i].nr_buf = w->nr;
		res[i].tsc_hz = (double)rte_get_tsc_hz();
		res[i].ops = w->done_end - w->done_start;
		res[i].secs = (double)(t1 - t0) / (double)rte_get_timer_hz();
		res[i].error = w->error;
		/* every buffer copied at least once must match its source */
		res[i].verified = w->error == 0 && copied > 0 &&
			memcmp(w->src, w->dst, copied * bs) == 0;
		if (w->nlat > 0) {
			qsort(w->lat, w->nlat, sizeof(*w->lat), cmp_u64);
			res[i].p50_us = pct_us(w->lat, w->nlat, 0.50);
			res[i].p99_us = pct_us(w->lat, w->nlat, 0.99);
			res[i].p999_us = pct_us(w->lat, w->nlat, 0.999);
		}
	}
out:
	for (i = 0; i < c->nb_workers; i++) {
		if (ws[i].chan != NULL)
			netdma_chan_free(ws[i].chan);
		if (c->type == PERF_DMA_MEM_COPY && ws[i].dev_id >= 0 && ws[i].src != NULL)
			rte_dma_stop(ws[i].dev_id);
		if (dmap[i] != NULL)
			netdma_dmadev_provider_destroy(dmap[i]);
		free(ws[i].lat);
		free(ws[i].sub_tsc);
	}
	if (cpu != NULL)
		netdma_cpu_provider_destroy(cpu);
	return ret;
}
