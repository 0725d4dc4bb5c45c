/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One scenario (a case at one buffer size) in an EAL process: buffers, the
 * engines, one worker per lcore, a timed window, then verification.
 *
 * DMA_MEM_COPY and CPU_MEM_COPY follow dpdk-test-dma-perf (24.11-25.07) in
 * layout, order and counting: its mbufs (perf_bufs.h), passes over the
 * worker's buffers in allocation order with the stop flag read only between
 * passes; rte_dma_copy() per buffer, with a doorbell and one
 * rte_dma_completed() of at most 255 whenever the count in flight is a
 * multiple of kick_batch (or the ring is full), or rte_memcpy() per buffer;
 * completions counted as they are reaped.  NETDMA_MEM_COPY moves the same
 * buffers through a NetDMA channel: a 2.0 ring of descriptors over them,
 * Appends of `chain`, the worker polling its own lcore; latency is from the
 * Append to the completion word.
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
#include "perf_bufs.h"

#define MAX_SAMPLES (1u << 20)
#define MAX_CPL 255                         /* dpdk-test-dma-perf's per-call reap */

struct worker {
	const struct perf_case *c;
	uint32_t bs, nr;
	struct perf_slice s;                /* its buffers */
	int16_t dev_id;                     /* DMA_MEM_COPY */
	struct netdma_chan *chan;           /* NETDMA_MEM_COPY */
	struct netdma_descriptor *d;
	volatile uint64_t *cw;
	uint64_t *lat;                      /* latency samples, TSC */
	uint32_t nlat;
	uint32_t head, tail;                /* NETDMA: chains submitted / retired */
	uint32_t depth;                     /* NETDMA: chains outstanding at most */
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

/* The doorbell, then one reap of at most MAX_CPL. */
static void
kick_and_reap(struct worker *w, uint64_t *inflight)
{
	bool err = false;
	uint16_t last, n;

	if (rte_dma_submit(w->dev_id, 0) < 0) {
		w->error = -EIO;
		return;
	}
	n = rte_dma_completed(w->dev_id, 0, MAX_CPL, &last, &err);
	*inflight -= n;
	count(w, n);
	if (err)
		w->error = -EIO;
}

static int
dma_worker(void *arg)
{
	struct worker *w = arg;
	const struct perf_slice s = w->s;
	const uint32_t kick = w->c->kick_batch;
	uint64_t inflight = 0;
	uint32_t i;
	int ret;

	while (!go)
		rte_pause();
	while (w->error == 0) {
		for (i = 0; i < s.nr && w->error == 0; i++) {
			while ((ret = rte_dma_copy(w->dev_id, 0, perf_src_iova(&s, i),
						   perf_dst_iova(&s, i), s.bs, 0)) == -ENOSPC &&
			       w->error == 0)
				kick_and_reap(w, &inflight);
			if (ret < 0) {
				w->error = w->error ? w->error : ret;
				break;
			}
			/* in flight, not issued: the doorbell's spacing drifts, as there */
			if (++inflight % kick == 0)
				kick_and_reap(w, &inflight);
		}
		if (stop)
			break;
	}
	/* let the device hand everything back before buffers are checked */
	rte_dma_submit(w->dev_id, 0);
	for (i = 0; inflight > 0 && i < 10000000; i++) {
		bool err = false;
		uint16_t last, n = rte_dma_completed(w->dev_id, 0, MAX_CPL, &last, &err);

		inflight -= n;
		count(w, n);
		if (err && w->error == 0)
			w->error = -EIO;
	}
	if (inflight > 0 && w->error == 0)
		w->error = -ETIMEDOUT;
	return 0;
}

/*
 * One pass over the worker's buffers.  Inlined with @p mbuf a constant, so
 * each layout gets a loop without the other's test: in the mbuf one both
 * mbufs are read before the copy, as dpdk-test-dma-perf's loop reads them.
 */
static __rte_always_inline void
cpu_pass(struct worker *w, const struct perf_slice *s, const bool mbuf)
{
	uint32_t i;

	for (i = 0; i < s->nr; i++) {
		const void *src = mbuf ? rte_pktmbuf_mtod(s->src[i], const void *) :
			s->src_flat + (uint64_t)i * s->bs;
		void *dst = mbuf ? rte_pktmbuf_mtod(s->dst[i], void *) :
			s->dst_flat + (uint64_t)i * s->bs;

		rte_memcpy(dst, src, s->bs);
		count(w, 1);
	}
}

static int
cpu_worker(void *arg)
{
	struct worker *w = arg;
	const struct perf_slice s = w->s;

	while (!go)
		rte_pause();
	do {
		if (s.src != NULL)
			cpu_pass(w, &s, true);
		else
			cpu_pass(w, &s, false);
	} while (!stop);
	return 0;
}

/*
 * Chains a NetDMA worker keeps outstanding: dma_ring_size descriptors'
 * worth, the depth a device ring gives DMA_MEM_COPY (at least one chain),
 * and fewer than the ring of nchains so that no descriptor is submitted
 * again before it retired.
 */
static uint32_t
netdma_depth(const struct worker *w)
{
	uint32_t chain = w->c->chain, nchains = w->nr / chain;
	uint32_t depth = w->c->ring_size / chain;

	if (depth == 0)
		depth = 1;
	return depth < nchains - 1 ? depth : nchains - 1;
}

/*
 * The NetDMA loop, one step of one channel: nchains slots of `chain`
 * descriptors in a ring, netdma_depth() of them outstanding.  @return
 * false once the channel is done (stopped and drained, or failed).
 */
static bool
netdma_submit(struct worker *w)
{
	uint32_t chain = w->c->chain, nchains = w->nr / chain;
	uint32_t slot = w->head % nchains;
	struct netdma_descriptor *first = &w->d[slot * chain];
	int ret;

	if (stop || w->head - w->tail >= w->depth)
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
	if (w->nr / chain < 2) {
		/* one chain in flight, one being refilled */
		fprintf(stderr, "test-netdma-perf: case %u: mem_size must hold two chains of %u "
			"buffer pairs per worker\n", w->c->id, chain);
		return -EINVAL;
	}
	w->d = netdma_mem_alloc(sizeof(*w->d) * w->nr, 64);
	w->cw = netdma_mem_alloc(64, 64);
	w->lat = malloc(MAX_SAMPLES * sizeof(*w->lat));
	w->sub_tsc = calloc(w->nr / chain, sizeof(*w->sub_tsc));
	if (w->d == NULL || w->cw == NULL || w->lat == NULL || w->sub_tsc == NULL)
		return -ENOMEM;
	for (i = 0; i < w->nr; i++) {
		w->d[i].transfer_size = w->bs;
		/* the mbufs' own IOVAs, as DMA_MEM_COPY's; flat arrays: per address */
		w->d[i].source_address = w->s.src != NULL ? perf_src_iova(&w->s, i) :
			netdma_virt2iova(perf_src_va(&w->s, i));
		w->d[i].destination_address = w->s.dst != NULL ? perf_dst_iova(&w->s, i) :
			netdma_virt2iova(perf_dst_va(&w->s, i));
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

/* Worker @p i's engine: its dmadev (DMA_MEM_COPY) or a NetDMA channel. */
static int
setup_engine(const struct perf_case *c, unsigned int i, struct worker *ws,
	     struct netdma_cpu_provider **cpu, struct netdma_dmadev_provider *dmap[])
{
	struct worker *w = &ws[i];
	const char *dev = c->workers[i].dev;
	struct netdma_chan_conf cc = { .lcore_mask = 1ull << c->workers[i].lcore };
	int id, ret;

	if (c->type == PERF_DMA_MEM_COPY)
		return setup_dmadev(w, dev);
	if (c->type != PERF_NETDMA_MEM_COPY)
		return 0;
	ret = setup_netdma(w);
	if (ret < 0)
		return ret;
	/*
	 * One software provider for all workers; one provider per dmadev, its
	 * vchan carrying one virtual channel per worker naming it.
	 */
	if (strcmp(dev, "cpu") == 0) {
		struct netdma_cpu_conf pc = { .nb_channels = c->nb_workers,
					      .ring_size = c->ring_size };

		if (*cpu == NULL && (ret = netdma_cpu_provider_create(&pc, cpu)) < 0)
			return ret;
		id = (int)netdma_cpu_provider_id(*cpu);
	} else {
		id = dmadev_provider_of(c, i, dmap);
		if (id < 0)
			return id;
	}
	cc.completion_word = w->cw;
	ret = netdma_chan_alloc((uint32_t)id, &cc, &w->chan);
	if (ret < 0) {
		fprintf(stderr, "test-netdma-perf: case %u: no NetDMA channel of '%s' on lcore %u: "
			"%s (the channels of one device queue are polled on one lcore: give the "
			"workers of '%s' the same lcore)\n", c->id, dev, c->workers[i].lcore,
			strerror(-ret), dev);
		return ret;
	}
	w->last_word = netdma_completion_read(w->cw);
	w->depth = netdma_depth(w);
	w->running = true;
	return 0;
}

int
perf_run_scenario(const struct perf_case *c, uint32_t bs, bool smoke, struct perf_result *res)
{
	struct worker *ws = rte_zmalloc("perf_workers", sizeof(*ws) * c->nb_workers, RTE_CACHE_LINE_SIZE);
	struct netdma_cpu_provider *cpu = NULL;
	struct netdma_dmadev_provider *dmap[PERF_MAX_WORKERS] = { NULL };
	struct perf_bufs bufs = { 0 };
	uint64_t total = (uint64_t)c->mem_size_mb << 20;
	double secs = smoke ? 0.05 : c->test_seconds;
	uint32_t nr, per;
	unsigned int i;
	int ret = 0;

	if (ws == NULL)
		return -ENOMEM;
	if (smoke && total > (8u << 20))
		total = 8u << 20;
	go = stop = false;
	nr = perf_nr_buf(total, bs, c->nb_workers);
	per = nr / c->nb_workers;
	for (i = 0; i < c->nb_workers; i++) {
		unsigned int l = c->workers[i].lcore;

		ws[i].dev_id = -1;
		res[i].lcore = l;
		snprintf(res[i].dev, sizeof(res[i].dev), "%s",
			 c->type == PERF_CPU_MEM_COPY ? "" : c->workers[i].dev);
		if (per == 0 || !rte_lcore_is_enabled(l) || l == rte_get_main_lcore()) {
			fprintf(stderr, "test-netdma-perf: case %u: lcore %u must be an EAL worker and "
				"mem_size must hold a buffer pair per worker\n", c->id, l);
			ret = -EINVAL;
			goto out;
		}
	}
	ret = perf_bufs_create(&bufs, c, bs, nr);
	for (i = 0; ret == 0 && i < c->nb_workers; i++) {
		struct worker *w = &ws[i];

		w->c = c;
		w->bs = bs;
		w->nr = per;
		perf_bufs_slice(&bufs, per * i, per, &w->s);
		ret = setup_engine(c, i, ws, &cpu, dmap);
		w->s.nr = w->nr;    /* NETDMA: whole chains only */
	}
	if (ret < 0)
		goto out;
	if (c->cache_flush)
		perf_bufs_flush(&bufs);
	ret = launch_workers(c, ws);
	if (ret < 0)
		goto out;

	/*
	 * dpdk-test-dma-perf's window: 10 ms of warm-up, then the completions
	 * of test_seconds of sleep; the figures divide by test_seconds.
	 */
	go = true;
	rte_delay_us_sleep(10000);
	for (i = 0; i < c->nb_workers; i++)
		ws[i].done_start = __atomic_load_n(&ws[i].done, __ATOMIC_RELAXED);
	rte_delay_us_sleep((unsigned int)(secs * 1e6));
	for (i = 0; i < c->nb_workers; i++)
		ws[i].done_end = __atomic_load_n(&ws[i].done, __ATOMIC_RELAXED);
	stop = true;
	rte_eal_mp_wait_lcore();

	for (i = 0; i < c->nb_workers; i++) {
		struct worker *w = &ws[i];

		res[i].nr_buf = w->nr;
		res[i].tsc_hz = (double)rte_get_tsc_hz();
		res[i].ops = w->done_end - w->done_start;
		res[i].secs = secs;
		res[i].error = w->error;
		/* every buffer copied at least once must match its source */
		res[i].verified = w->error == 0 && perf_slice_verify(&w->s, w->done);
		if (w->nlat > 0) {
			qsort(w->lat, w->nlat, sizeof(*w->lat), cmp_u64);
			res[i].p50_us = pct_us(w->lat, w->nlat, 0.50);
			res[i].p99_us = pct_us(w->lat, w->nlat, 0.99);
			res[i].p999_us = pct_us(w->lat, w->nlat, 0.999);
			res[i].has_lat = true;
		}
	}
out:
	for (i = 0; i < c->nb_workers; i++) {
		if (ws[i].chan != NULL)
			netdma_chan_free(ws[i].chan);
		if (c->type == PERF_DMA_MEM_COPY && ws[i].dev_id >= 0)
			rte_dma_stop(ws[i].dev_id);
		if (dmap[i] != NULL)
			netdma_dmadev_provider_destroy(dmap[i]);
		free(ws[i].lat);
		free(ws[i].sub_tsc);
		netdma_mem_free(ws[i].d);
		netdma_mem_free((void *)(uintptr_t)ws[i].cw);
	}
	if (cpu != NULL)
		netdma_cpu_provider_destroy(cpu);
	perf_bufs_free(&bufs);
	rte_free(ws);
	return ret;
}
