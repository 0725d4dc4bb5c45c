/* SPDX-License-Identifier: BSD-3-Clause */
/* netdma-fwd internals: the flow (one RX port's path), the context. */
#ifndef NETDMA_FWD_INTERNAL_H
#define NETDMA_FWD_INTERNAL_H

#include <rte_common.h>
#include <rte_lcore.h>

#include "fwd.h"

#ifndef NETDMA_FWD_CLIENT
#include "netdma_lcore.h"
#endif

/* Where a pending packet stands. */
enum fwd_entry_state {
	E_WAIT,       /* to go to the engine: its descriptors are not submitted yet */
	E_INFLIGHT,   /* submitted; landed once the completion word passes seq_end */
	E_READY,      /* its copy is complete (CPU, or re-copied after a halt) */
	E_RECOPY,     /* a halt caught it: copied again (or dropped) once the engine lets go */
	E_DROPPED,    /* given up: skipped at TX */
};

/* How its copy was made: the counter it lands in when it is forwarded. */
enum fwd_entry_path { P_CPU, P_DMA, P_SPILL, P_RECOPY };

/* One packet between RX and TX, in arrival order. */
struct fwd_entry {
	struct rte_mbuf *src;   /* the original: freed once its copy is forwarded */
	struct rte_mbuf *dst;   /* the copy: forwarded */
	uint64_t seq_end;       /* E_INFLIGHT: ring sequence just past its last descriptor */
	uint8_t state;
	uint8_t path;
};

/*
 * One RX port's path: its channel, the channel's descriptor ring (2.0,
 * pre-linked once: spec §3.5), and its in-order queue of pending packets.
 * Only the flow's lcore touches it, except the counters (read by the stats
 * and telemetry threads) and error_dpcs (written by the DPC).
 */
struct fwd_flow {
	struct fwd_entry *q;
	uint32_t q_mask;
	uint32_t q_head;        /* next entry RX fills */
	uint32_t q_tail;        /* oldest entry, next to go out */
	uint32_t q_sub;         /* first entry that may still be E_WAIT */

	struct netdma_chan *chan;
	struct netdma_descriptor *ring;
	netdma_iova_t ring_iova;
	uint32_t ring_mask;
	uint64_t desc_head;     /* descriptors submitted (free-running) */
	uint64_t desc_done;     /* descriptors known retired */
	volatile uint64_t *cw;
	uint64_t last_word;
	bool started;           /* Start given since allocation or the last Reset */
	bool recovering;        /* halted: waiting for the engine to let go (fwd_flow.c) */
	uint32_t recovery_ms;
	uint64_t recover_check, recover_deadline;

	uint16_t rx_port, tx_port;
	uint8_t mac_hdr[2 * RTE_ETHER_ADDR_LEN];   /* destination, source */
	uint32_t mix_pos;
	unsigned int lcore;
	struct fwd_ctx *ctx;
	struct fwd_stats st;
	uint64_t error_dpcs;    /* atomic: the DPC may run on another thread */
} __rte_cache_aligned;

struct fwd_ctx {
	struct fwd_conf conf;
	uint32_t copy_break;
	enum fwd_full_policy on_full;
	struct rte_mempool *pool;
	uint32_t seg_room;          /* packet bytes per mbuf of the pool */
	void *pool_area;            /* client build: the data buffers, netdmad's memory */
	size_t pool_area_len;
	uint64_t iova_delta;        /* client build: netdmad's IOVA minus our address */
	uint16_t ports[FWD_MAX_PORTS];
	bool port_started[FWD_MAX_PORTS];
	uint16_t nb_ports;
	struct fwd_flow *flows;
	unsigned int nb_flows;
	unsigned int fwd_lcores[RTE_MAX_LCORE];
	unsigned int nb_fwd_lcores;

	void *cpu_prov;             /* in-process providers */
	void *dma_prov;
	int provider_id;
	unsigned int service_lcore;
	uint32_t service_id;
	bool service_registered, service_started;

	volatile bool stop;
	bool limited;
	uint64_t rx_left;           /* atomic, with --max-packets */
	bool launched;
};

/* STAT_ADD from the flow's lcore only; readers load with __atomic_load_n. */
#define STAT_ADD(f, field, n) \
	__atomic_store_n(&(f)->st.field, (f)->st.field + (n), __ATOMIC_RELAXED)

/* The IOVA an engine uses for byte @p off of segment @p m's data. */
static inline netdma_iova_t
fwd_iova(const struct fwd_ctx *ctx, const struct rte_mbuf *m, uint32_t off)
{
#ifdef NETDMA_FWD_CLIENT
	/* the pool is one block of netdmad's memory: one offset for all of it */
	return (uintptr_t)rte_pktmbuf_mtod_offset(m, const char *, off) + ctx->iova_delta;
#else
	RTE_SET_USED(ctx);
	return rte_pktmbuf_iova_offset(m, off);
#endif
}

/* One pass of the engines this lcore drives (poll mode, in-process). */
static inline int
fwd_engine_poll(const struct fwd_ctx *ctx, unsigned int lcore)
{
#ifdef NETDMA_FWD_CLIENT
	RTE_SET_USED(ctx);
	RTE_SET_USED(lcore);
	return 0;   /* netdmad's pollers drive its engines */
#else
	return ctx->conf.service || ctx->conf.cpu_only ? 0 : netdma_lcore_poll(lcore);
#endif
}

/* Mbufs a copy of @p s takes: each filled to the pool's data room. */
static inline unsigned int
fwd_dst_segs(const struct fwd_ctx *ctx, const struct rte_mbuf *s)
{
	uint32_t room = ctx->seg_room;

	return likely(s->pkt_len <= room) ? 1 : (s->pkt_len + room - 1) / room;
}

/*
 * A destination chain for @p s from @p objs (fwd_dst_segs() fresh mbufs),
 * lengths set.  Filling each segment to the data room mirrors a source of
 * the same pool segment by segment, and a source laid out otherwise still
 * fits.
 */
static inline struct rte_mbuf *
fwd_dst_chain(const struct fwd_ctx *ctx, const struct rte_mbuf *s, struct rte_mbuf **objs)
{
	struct rte_mbuf *h = objs[0];
	unsigned int n, i;
	uint32_t left;

	h->pkt_len = s->pkt_len;
	h->packet_type = s->packet_type;
	h->vlan_tci = s->vlan_tci;
	h->vlan_tci_outer = s->vlan_tci_outer;
	if (likely(s->pkt_len <= ctx->seg_room)) {
		h->data_len = (uint16_t)s->pkt_len;
		return h;
	}
	n = fwd_dst_segs(ctx, s);
	for (i = 0, left = s->pkt_len; i < n; i++) {
		objs[i]->data_len = (uint16_t)RTE_MIN(left, ctx->seg_room);
		left -= objs[i]->data_len;
		if (i > 0)
			objs[i - 1]->next = objs[i];
	}
	h->nb_segs = (uint16_t)n;
	return h;
}

/* fwd_flow.c */
int fwd_loop(void *arg);
/* Copy @p s into @p d (a chain at least as long) with the CPU. */
void fwd_copy_cpu(const struct rte_mbuf *s, struct rte_mbuf *d);
/* Descriptors for @p n copies s[i] -> d[i], then one Start/Append. @return 0 or -errno. */
int fwd_flow_dma(struct fwd_flow *f, struct rte_mbuf *const *s, struct rte_mbuf *const *d,
		 unsigned int n);
/* Read the completion word: advance desc_done; a halt starts recovery. */
void fwd_flow_reap(struct fwd_flow *f);
/* Descriptors free in the flow's ring. */
static inline uint32_t
fwd_ring_free(const struct fwd_flow *f)
{
	return f->ring_mask - (uint32_t)(f->desc_head - f->desc_done);
}

/* fwd_engine.c: providers and channels, in-process or through netdmad */
int fwd_engine_open(struct fwd_ctx *ctx);
int fwd_chan_open(struct fwd_ctx *ctx, struct fwd_flow *f);
int fwd_engine_start(struct fwd_ctx *ctx);
void fwd_engine_arm_faults(struct fwd_ctx *ctx);
void fwd_chan_close(struct fwd_ctx *ctx, struct fwd_flow *f);
void fwd_engine_close(struct fwd_ctx *ctx);
void fwd_engine_release(struct fwd_ctx *ctx);
/* What the engine still holds of @p f (0: nothing); -errno if it cannot tell. */
int fwd_chan_outstanding(struct fwd_flow *f);

/* fwd_mem.c */
int fwd_pool_create(struct fwd_ctx *ctx);
void fwd_pool_free(struct fwd_ctx *ctx);

/* fwd_stats.c: telemetry stops answering for @p ctx */
void fwd_telemetry_forget(const struct fwd_ctx *ctx);

/* fwd_calib.c */
int fwd_calibrate(struct fwd_ctx *ctx);

#endif /* NETDMA_FWD_INTERNAL_H */
