/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scenario's buffers (perf_mbuf.c), in an EAL process.
 *
 * Default: dpdk-test-dma-perf's layout, so that the two tools' figures are
 * comparable: a source and a destination pktmbuf pool, one mbuf per buffer
 * (data room buf_size + RTE_PKTMBUF_HEADROOM, no cache, no private area),
 * taken in one bulk allocation each, worker i having the i-th equal slice.
 * A copy loop reaches a buffer through its mbuf (rte_pktmbuf_mtod,
 * rte_mbuf_data_iova), as that tool's does: the mbuf's header is read on
 * every copy.  buf_layout=contiguous: two flat arrays, buffer k at k *
 * buf_size (this tool's layout before issue 14; no header to read and no
 * gap between buffers, so several times the 64 B figures).
 */
#ifndef NETDMA_PERF_BUFS_H
#define NETDMA_PERF_BUFS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "perf.h"

struct perf_bufs {
	uint32_t bs, nr;                    /* every worker's buffers */
	struct rte_mempool *pool[2];        /* [0] source, [1] destination */
	struct rte_mbuf **m[2];
	uint8_t *flat[2];                   /* buf_layout=contiguous */
	rte_iova_t flat_iova[2];
};

/* One worker's buffers: [first, first + nr) of the scenario's. */
struct perf_slice {
	uint32_t bs, nr, first;
	struct rte_mbuf **src, **dst;       /* NULL: contiguous */
	uint8_t *src_flat, *dst_flat;
	rte_iova_t src_iova, dst_iova;
};

static inline void *
perf_src_va(const struct perf_slice *s, uint32_t i)
{
	return s->src != NULL ? rte_pktmbuf_mtod(s->src[i], void *) :
		s->src_flat + (uint64_t)i * s->bs;
}

static inline void *
perf_dst_va(const struct perf_slice *s, uint32_t i)
{
	return s->dst != NULL ? rte_pktmbuf_mtod(s->dst[i], void *) :
		s->dst_flat + (uint64_t)i * s->bs;
}

static inline rte_iova_t
perf_src_iova(const struct perf_slice *s, uint32_t i)
{
	return s->src != NULL ? rte_mbuf_data_iova(s->src[i]) : s->src_iova + (uint64_t)i * s->bs;
}

static inline rte_iova_t
perf_dst_iova(const struct perf_slice *s, uint32_t i)
{
	return s->dst != NULL ? rte_mbuf_data_iova(s->dst[i]) : s->dst_iova + (uint64_t)i * s->bs;
}

/* @return 0 or -errno, the reason printed. */
int perf_bufs_create(struct perf_bufs *b, const struct perf_case *c, uint32_t bs, uint32_t nr);
void perf_bufs_slice(const struct perf_bufs *b, uint32_t first, uint32_t nr, struct perf_slice *s);
/* cache_flush=1: every buffer's data out of the caches (not the mbuf headers, as that tool). */
void perf_bufs_flush(const struct perf_bufs *b);
/* The first @p copied buffers of the slice (each copied at least once) equal their sources. */
bool perf_slice_verify(const struct perf_slice *s, uint64_t copied);
void perf_bufs_free(struct perf_bufs *b);

#endif
