/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The buffers of a scenario, in dpdk-test-dma-perf's layout (pktmbuf pools)
 * or buf_layout=contiguous; and that layout's geometry for the client cases,
 * whose process has no EAL and so no mempool (perf_bufs.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "perf_bufs.h"
#include "perf_cache.h"
#include "perf_fill.h"

uint32_t
perf_nr_buf(uint64_t mem_bytes, uint32_t buf_size, unsigned int nb_workers)
{
	uint64_t nr = mem_bytes / (2ull * buf_size);

	if (nr > UINT32_MAX)
		nr = UINT32_MAX;
	return (uint32_t)(nr - nr % nb_workers);
}

uint32_t
perf_mbuf_max_buf_size(void)
{
	return UINT16_MAX - RTE_PKTMBUF_HEADROOM;
}

int
perf_mbuf_geometry(uint32_t buf_size, uint32_t *stride, uint32_t *data_off)
{
	struct rte_mempool_objsz sz;

	if (buf_size == 0 || buf_size > perf_mbuf_max_buf_size())
		return -EINVAL;
	/* rte_pktmbuf_pool_create(): element = mbuf + private area (0) + data room */
	*stride = rte_mempool_calc_obj_size(sizeof(struct rte_mbuf) + RTE_PKTMBUF_HEADROOM +
					    buf_size, 0, &sz);
	*data_off = sz.header_size + (uint32_t)sizeof(struct rte_mbuf) + RTE_PKTMBUF_HEADROOM;
	return 0;
}

static int
create_pools(struct perf_bufs *b, const struct perf_case *c)
{
	static const char *const names[2] = { "perf_src", "perf_dst" };
	int numa[2] = { c->src_numa, c->dst_numa };
	unsigned int s;

	for (s = 0; s < 2; s++) {
		b->pool[s] = rte_pktmbuf_pool_create(names[s], b->nr, 0, 0,
						     (uint16_t)(b->bs + RTE_PKTMBUF_HEADROOM),
						     numa[s] < 0 ? SOCKET_ID_ANY : numa[s]);
		b->m[s] = rte_malloc(NULL, sizeof(*b->m[s]) * b->nr, 0);
		if (b->pool[s] == NULL || b->m[s] == NULL ||
		    rte_pktmbuf_alloc_bulk(b->pool[s], b->m[s], b->nr) != 0) {
			fprintf(stderr, "test-netdma-perf: case %u: no memory for a pool of %u mbufs "
				"of %u B data on NUMA node %d (raise -m in eal_args, or lower "
				"mem_size)\n", c->id, b->nr, b->bs + RTE_PKTMBUF_HEADROOM, numa[s]);
			return -ENOMEM;
		}
	}
	return 0;
}

static int
create_flat(struct perf_bufs *b, const struct perf_case *c)
{
	size_t len = (size_t)b->nr * b->bs;

	b->flat[0] = rte_malloc_socket("perf_src", len, 64,
				       c->src_numa < 0 ? SOCKET_ID_ANY : c->src_numa);
	b->flat[1] = rte_malloc_socket("perf_dst", len, 64,
				       c->dst_numa < 0 ? SOCKET_ID_ANY : c->dst_numa);
	if (b->flat[0] == NULL || b->flat[1] == NULL) {
		fprintf(stderr, "test-netdma-perf: case %u: no memory for %u x %u B on NUMA "
			"nodes %d/%d (raise -m, or check src_numa_node/dst_numa_node)\n",
			c->id, b->nr, b->bs, c->src_numa, c->dst_numa);
		return -ENOMEM;
	}
	b->flat_iova[0] = rte_malloc_virt2iova(b->flat[0]);
	b->flat_iova[1] = rte_malloc_virt2iova(b->flat[1]);
	return 0;
}

int
perf_bufs_create(struct perf_bufs *b, const struct perf_case *c, uint32_t bs, uint32_t nr)
{
	struct perf_slice all;
	uint32_t k;
	int ret;

	memset(b, 0, sizeof(*b));
	b->bs = bs;
	b->nr = nr;
	ret = c->contiguous ? create_flat(b, c) : create_pools(b, c);
	if (ret < 0)
		return ret;
	/* sources filled, destinations zeroed, in allocation order */
	perf_bufs_slice(b, 0, nr, &all);
	for (k = 0; k < nr; k++) {
		perf_fill(perf_src_va(&all, k), k, bs);
		memset(perf_dst_va(&all, k), 0, bs);
	}
	return 0;
}

void
perf_bufs_slice(const struct perf_bufs *b, uint32_t first, uint32_t nr, struct perf_slice *s)
{
	memset(s, 0, sizeof(*s));
	s->bs = b->bs;
	s->nr = nr;
	s->first = first;
	if (b->m[0] != NULL) {
		s->src = b->m[0] + first;
		s->dst = b->m[1] + first;
		return;
	}
	s->src_flat = b->flat[0] + (uint64_t)first * b->bs;
	s->dst_flat = b->flat[1] + (uint64_t)first * b->bs;
	s->src_iova = b->flat_iova[0] + (uint64_t)first * b->bs;
	s->dst_iova = b->flat_iova[1] + (uint64_t)first * b->bs;
}

void
perf_bufs_flush(const struct perf_bufs *b)
{
	struct perf_slice all;
	uint32_t k;

	perf_bufs_slice(b, 0, b->nr, &all);
	if (all.src == NULL) {
		perf_flush_cache(all.src_flat, (size_t)b->nr * b->bs);
		perf_flush_cache(all.dst_flat, (size_t)b->nr * b->bs);
		return;
	}
	for (k = 0; k < b->nr; k++) {
		perf_flush_cache(perf_src_va(&all, k), b->bs);
		perf_flush_cache(perf_dst_va(&all, k), b->bs);
	}
}

bool
perf_slice_verify(const struct perf_slice *s, uint64_t copied)
{
	uint32_t k, n = copied < s->nr ? (uint32_t)copied : s->nr;

	if (n == 0)
		return false;
	if (s->src == NULL)
		return memcmp(s->src_flat, s->dst_flat, (size_t)n * s->bs) == 0;
	for (k = 0; k < n; k++)
		if (memcmp(perf_src_va(s, k), perf_dst_va(s, k), s->bs) != 0)
			return false;
	return true;
}

void
perf_bufs_free(struct perf_bufs *b)
{
	unsigned int s;

	for (s = 0; s < 2; s++) {
		if (b->m[s] != NULL && b->pool[s] != NULL &&
		    rte_mempool_in_use_count(b->pool[s]) == b->nr)
			rte_pktmbuf_free_bulk(b->m[s], b->nr);
		rte_free(b->m[s]);
		rte_mempool_free(b->pool[s]);
		rte_free(b->flat[s]);
	}
	memset(b, 0, sizeof(*b));
}
