/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mbuf pool: RX fills its buffers, the copies come from it, and every
 * engine must reach its data.  In-process that is any DPDK memory.  Through
 * netdmad the daemon reaches only memory this process registered with it
 * (netdma_mem_alloc(): a sealed memfd netdmad maps): the pool's data
 * buffers are one such block, attached to the mempool as external pinned
 * buffers (rte_pktmbuf_pool_create_extbuf()), so that every mbuf's data is
 * memory both this process's ports and netdmad's engines can use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "fwd_internal.h"

#define POOL_CACHE 256
#define PAGE 4096u

#ifdef NETDMA_FWD_CLIENT
#include <rte_memory.h>

/*
 * The block's IOVA as netdmad's engines see it differs from its address
 * here; rte_extmem_register() records this process's own view (IOVA = VA,
 * or none in PA mode), which a device of this process would use, and
 * fwd_iova() adds iova_delta for NetDMA descriptors.
 */
static int
pool_create_ext(struct fwd_ctx *ctx, unsigned int n, uint16_t room)
{
	uint16_t elt = (uint16_t)RTE_ALIGN_CEIL(room, RTE_CACHE_LINE_SIZE);
	size_t len = RTE_ALIGN_CEIL((size_t)elt * n, PAGE);
	unsigned int pages = (unsigned int)(len / PAGE), i;
	bool va = rte_eal_iova_mode() == RTE_IOVA_VA;
	struct rte_pktmbuf_extmem ext;
	rte_iova_t *iovas = NULL;
	netdma_iova_t niova;
	int ret;

	ctx->pool_area = netdma_mem_alloc(len, PAGE);
	if (ctx->pool_area == NULL) {
		FWD_LOG(ERR, "no memory from netdmad for %zu bytes of packet buffers (%s)\n", len,
			strerror(errno));
		return -ENOMEM;
	}
	ctx->pool_area_len = len;
	niova = netdma_virt2iova(ctx->pool_area);
	ctx->iova_delta = niova - (uint64_t)(uintptr_t)ctx->pool_area;
	if (va) {
		iovas = malloc(sizeof(*iovas) * pages);
		if (iovas == NULL)
			return -ENOMEM;
		for (i = 0; i < pages; i++)
			iovas[i] = (uintptr_t)ctx->pool_area + (uint64_t)i * PAGE;
	}
	ret = rte_extmem_register(ctx->pool_area, len, iovas, va ? pages : 0, PAGE);
	free(iovas);
	if (ret < 0) {
		FWD_LOG(ERR, "rte_extmem_register of the packet buffers: %s\n", rte_strerror(rte_errno));
		return -rte_errno;
	}
	ext = (struct rte_pktmbuf_extmem){
		.buf_ptr = ctx->pool_area,
		.buf_iova = va ? (uintptr_t)ctx->pool_area : RTE_BAD_IOVA,
		.buf_len = len,
		.elt_size = elt,
	};
	ctx->pool = rte_pktmbuf_pool_create_extbuf("fwd_pool", n, POOL_CACHE, 0, room,
						   (int)rte_socket_id(), &ext, 1);
	return ctx->pool != NULL ? 0 : -rte_errno;
}
#endif

int
fwd_pool_create(struct fwd_ctx *ctx)
{
	const struct fwd_conf *c = &ctx->conf;
	uint16_t room = (uint16_t)(c->data_room + RTE_PKTMBUF_HEADROOM);
	unsigned int n = c->nb_mbufs;
	int ret;

	/* RX and TX rings full, every queue full of originals and copies */
	if (n == 0)
		n = ctx->nb_ports * (c->rxd + c->txd + 2u * c->queue_size + 2u * c->burst) +
			POOL_CACHE * 2 * (ctx->nb_fwd_lcores + 1);
	ctx->seg_room = c->data_room;
#ifdef NETDMA_FWD_CLIENT
	ret = pool_create_ext(ctx, n, room);
#else
	ctx->pool = rte_pktmbuf_pool_create("fwd_pool", n, POOL_CACHE, 0, room,
					    (int)rte_socket_id());
	ret = ctx->pool != NULL ? 0 : -rte_errno;
#endif
	if (ret < 0)
		FWD_LOG(ERR, "no mbuf pool of %u x %u bytes: %s (fewer --mbufs, or more memory: EAL "
			"-m)\n", n, room, rte_strerror(-ret));
	else
		FWD_LOG(INFO, "%u mbufs of %u data bytes\n", n, c->data_room);
	return ret;
}

void
fwd_pool_free(struct fwd_ctx *ctx)
{
	rte_mempool_free(ctx->pool);
	ctx->pool = NULL;
#ifdef NETDMA_FWD_CLIENT
	if (ctx->pool_area != NULL) {
		rte_extmem_unregister(ctx->pool_area, ctx->pool_area_len);
		netdma_mem_free(ctx->pool_area);
		ctx->pool_area = NULL;
	}
#endif
}
