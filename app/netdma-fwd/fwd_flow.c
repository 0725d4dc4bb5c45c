/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path of one RX port (a flow): receive a burst; copy each packet
 * into a fresh mbuf chain with the CPU (under the copy-break) or through
 * the flow's NetDMA channel; forward the copies in arrival order once they
 * are complete; free the originals.
 *
 * Order: every packet takes the next entry of the flow's queue, and TX
 * takes entries from the oldest on while they are complete, so a packet
 * the CPU copied at once waits behind an earlier one the engine has not
 * finished.  Completion: each packet's last descriptor asks for a status
 * update, and the completion word names the last descriptor retired (spec
 * §6.1: in order, a high-water mark): an entry is complete once the word
 * has passed its last descriptor.  A burst is one Append of a 2.0 chain
 * (spec §3.5) in the flow's pre-linked descriptor ring.
 *
 * Faults (spec §6.3): a HALTED word stops the flow's submissions.  The
 * entries the word had not passed are the ones the halt caught: the
 * channel is Reset, and once the engine has let go of every op it still
 * held (a device may finish copies already in its ring after the halt,
 * doc/hardware.rst) each of them is copied again by the CPU into its own
 * destination, or dropped; nothing half-copied is ever forwarded.  Then
 * the next submission Starts the channel afresh.
 */
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_memcpy.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "fwd_internal.h"

/* Seconds of draining at stop before what is still pending is dropped. */
#define DRAIN_S 5
/* Packets whose data is fetched ahead of their turn in a burst. */
#define PREFETCH_AHEAD 4
/* rte_pause() calls after a turn that moved nothing */
#define IDLE_PAUSES 16

/* ---- segments ------------------------------------------------------------ */

/* Walks a source chain and a destination chain of the same length together. */
struct walk {
	const struct rte_mbuf *s;
	struct rte_mbuf *d;
	uint32_t soff, doff;
};

/* Length of the next piece inside one source and one destination segment; 0 at the end. */
static inline uint32_t
walk_next(struct walk *w)
{
	while (w->s != NULL && w->soff == w->s->data_len) {
		w->s = w->s->next;
		w->soff = 0;
	}
	while (w->d != NULL && w->doff == w->d->data_len) {
		w->d = w->d->next;
		w->doff = 0;
	}
	if (w->s == NULL || w->d == NULL)
		return 0;
	return RTE_MIN((uint32_t)(w->s->data_len - w->soff), (uint32_t)(w->d->data_len - w->doff));
}

void
fwd_copy_cpu(const struct rte_mbuf *s, struct rte_mbuf *d)
{
	struct walk w = { s, d, 0, 0 };
	uint32_t len;

	if (likely(s->next == NULL && d->next == NULL)) {
		rte_memcpy(rte_pktmbuf_mtod(d, void *), rte_pktmbuf_mtod(s, const void *), s->data_len);
		return;
	}
	while ((len = walk_next(&w)) != 0) {
		rte_memcpy(rte_pktmbuf_mtod_offset(w.d, char *, w.doff),
			   rte_pktmbuf_mtod_offset(w.s, const char *, w.soff), len);
		w.soff += len;
		w.doff += len;
	}
}

/* ---- the channel ----------------------------------------------------------- */

/*
 * Descriptors for one packet at ring sequence @p seq, one per piece (one
 * per segment when the layouts match); the last asks for a status update.
 * next_descriptor was pre-linked once for the whole ring.  @return the count.
 */
static inline uint32_t
put_packet(struct fwd_flow *f, uint64_t seq, const struct rte_mbuf *s, struct rte_mbuf *d)
{
	struct netdma_descriptor *desc = NULL;
	struct walk w = { s, d, 0, 0 };
	uint32_t len, n = 0;

	while ((len = walk_next(&w)) != 0) {
		desc = &f->ring[(seq + n) & f->ring_mask];
		desc->transfer_size = len;
		desc->control_flags = 0;
		desc->source_address = fwd_iova(f->ctx, w.s, w.soff);
		desc->destination_address = fwd_iova(f->ctx, w.d, w.doff);
		w.soff += len;
		w.doff += len;
		n++;
	}
	if (desc != NULL)
		desc->control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;
	return n;
}

/* Descriptors a packet may need: one per piece, at most this many. */
static inline uint32_t
packet_need(const struct rte_mbuf *s, const struct rte_mbuf *d)
{
	return (uint32_t)s->nb_segs + d->nb_segs - 1;
}

/*
 * Hand the @p n descriptors from desc_head to the engine: a Start after
 * allocation or Reset (spec §8 rule 3), else an Append at the slot the
 * previous chain pre-linked (spec §3.5).
 */
static int
kick(struct fwd_flow *f, uint32_t n)
{
	struct netdma_descriptor *head = &f->ring[f->desc_head & f->ring_mask];
	int ret = f->started ? netdma_chan_append(f->chan, head, n) :
		netdma_chan_start(f->chan, head, n);

	if (ret < 0)
		return ret;
	/*
	 * A Start wrote ARMED (spec §5.2) before it returned.  Taking that as
	 * the last word seen matters after a halt: if the new chain halts
	 * before anything retires, the word reads HALTED at address 0 again,
	 * the very value the last halt left, and only the ARMED between them
	 * tells the two apart.
	 */
	if (!f->started)
		f->last_word = netdma_completion_encode(0, NETDMA_STATUS_ARMED);
	f->started = true;
	f->desc_head += n;
	return 0;
}

int
fwd_flow_dma(struct fwd_flow *f, struct rte_mbuf *const *s, struct rte_mbuf *const *d,
	     unsigned int n)
{
	uint32_t built = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (packet_need(s[i], d[i]) > fwd_ring_free(f) - built)
			return -ENOSPC;
		built += put_packet(f, f->desc_head + built, s[i], d[i]);
	}
	return built > 0 ? kick(f, built) : 0;
}

/* The CPU copies the entry now: it is complete, by @p path. */
static inline void
copy_now(struct fwd_entry *e, enum fwd_entry_path path)
{
	fwd_copy_cpu(e->src, e->dst);
	e->state = E_READY;
	e->path = path;
}

static void
free_entry(struct fwd_entry *e)
{
	rte_pktmbuf_free(e->src);
	rte_pktmbuf_free(e->dst);
	e->src = e->dst = NULL;
	e->state = E_DROPPED;
}

static void
flow_halted(struct fwd_flow *f)
{
	uint64_t now = rte_get_timer_cycles();
	uint32_t k;
	int ret;

	STAT_ADD(f, halts, 1);
	/* a burst of faults must not flood the log */
	if (f->st.halts <= 3 || f->st.halts % 1000 == 0)
		FWD_LOG(WARNING, "port %u: channel halted (%s); halt %" PRIu64 ", the packets it "
			"caught are %s\n", f->rx_port, netdma_chan_last_error(f->chan), f->st.halts,
			f->ctx->conf.on_fault == FWD_FAULT_DROP ? "dropped" : "copied again by the CPU");
	for (k = f->q_tail; k != f->q_head; k++) {
		struct fwd_entry *e = &f->q[k & f->q_mask];

		if (e->state == E_INFLIGHT && e->seq_end > f->desc_done)
			e->state = E_RECOPY;
	}
	ret = netdma_chan_reset(f->chan);
	if (ret < 0)
		FWD_LOG(ERR, "port %u: Reset after a halt: %s (%s); a Start follows anyway\n",
			f->rx_port, strerror(-ret), netdma_chan_last_error(f->chan));
	/* after Reset no old descriptor is referenced (spec §3.8): the ring is free */
	f->started = false;
	f->desc_done = f->desc_head;
	f->last_word = netdma_completion_read(f->cw);
	f->recovering = true;
	f->recover_check = now;
	f->recover_deadline = now + rte_get_timer_hz() * f->recovery_ms / 1000;
}

void
fwd_flow_reap(struct fwd_flow *f)
{
	uint64_t w = netdma_completion_read(f->cw), off;
	enum netdma_transfer_status st;

	if (likely(w == f->last_word))
		return;
	f->last_word = w;
	st = netdma_completion_status(w);
	if (st == NETDMA_STATUS_ARMED || f->recovering)
		return;   /* ARMED: nothing retired since Start; its address means nothing */
	off = netdma_completion_address(w) - f->ring_iova;
	if (off < ((uint64_t)f->ring_mask + 1) * sizeof(struct netdma_descriptor)) {
		/* fewer than ring-size descriptors in flight: the slot says how far */
		uint64_t idx = off / sizeof(struct netdma_descriptor);
		uint64_t adv = (idx + 1 - f->desc_done) & f->ring_mask;

		if (adv <= f->desc_head - f->desc_done)
			f->desc_done += adv;
	}
	if (st == NETDMA_STATUS_HALTED)
		flow_halted(f);
}

/*
 * The halt's entries, once the engine holds nothing more of the flow (or
 * the recovery timeout passed: then their destinations are abandoned,
 * never freed, and fresh ones take the copy).
 */
static void
flow_recover(struct fwd_flow *f)
{
	struct fwd_ctx *ctx = f->ctx;
	uint64_t now = rte_get_timer_cycles();
	bool timeout = now >= f->recover_deadline;
	int left;
	uint32_t k;

	if (now < f->recover_check)
		return;
	f->recover_check = now + rte_get_timer_hz() / 10000;
	left = fwd_chan_outstanding(f);
	if (left != 0 && !timeout)
		return;
	if (left != 0)
		FWD_LOG(ERR, "port %u: the engine still holds %d ops %u ms after the halt; their "
			"memory is left to it\n", f->rx_port, left, f->recovery_ms);
	for (k = f->q_tail; k != f->q_head; k++) {
		struct fwd_entry *e = &f->q[k & f->q_mask];
		struct rte_mbuf *objs[FWD_MAX_BURST];
		unsigned int n;

		if (e->state != E_RECOPY)
			continue;
		if (left != 0) {
			STAT_ADD(f, abandoned, 1);
			n = fwd_dst_segs(ctx, e->src);
			e->dst = n <= RTE_DIM(objs) && rte_pktmbuf_alloc_bulk(ctx->pool, objs, n) == 0 ?
				fwd_dst_chain(ctx, e->src, objs) : NULL;
		}
		if (ctx->conf.on_fault == FWD_FAULT_DROP || e->dst == NULL) {
			if (e->dst == NULL)
				STAT_ADD(f, drop_nombuf, 1);
			else
				STAT_ADD(f, drop_fault, 1);
			free_entry(e);
			continue;
		}
		copy_now(e, P_RECOPY);
	}
	f->recovering = false;
}

/* ---- submit, receive, transmit -------------------------------------------- */

/* Appended entries that the channel refused: back to E_WAIT, or the CPU copies them. */
static void
kick_failed(struct fwd_flow *f, uint32_t first, int err)
{
	bool halted = netdma_completion_status(netdma_completion_read(f->cw)) == NETDMA_STATUS_HALTED;
	uint32_t k;

	if (!halted) {
		STAT_ADD(f, dma_errors, 1);
		if (f->st.dma_errors <= 3 || f->st.dma_errors % 1000 == 0)
			FWD_LOG(ERR, "port %u: %s refused: %s (%s); the CPU copies those packets\n",
				f->rx_port, f->started ? "Append" : "Start", strerror(-err),
				netdma_chan_last_error(f->chan));
	}
	for (k = first; k != f->q_head; k++) {
		struct fwd_entry *e = &f->q[k & f->q_mask];

		if (e->state != E_INFLIGHT || e->seq_end <= f->desc_head)
			continue;
		if (halted) {
			e->state = E_WAIT;   /* resubmitted after the recovery the word starts */
		} else {
			copy_now(e, P_SPILL);
		}
	}
	if (halted)
		f->q_sub = first;
}

/*
 * Descriptors for the waiting entries, one Start/Append for all.  An entry
 * the ring cannot take (full, or recovering from a halt) waits (and stops
 * RX), is dropped or is copied by the CPU, as --on-full says.
 */
static void
flow_submit(struct fwd_flow *f)
{
	struct fwd_ctx *ctx = f->ctx;
	bool usable = f->chan != NULL && !f->recovering;
	uint32_t k, first = f->q_head, built = 0;
	int ret;

	for (k = f->q_sub; k != f->q_head; k++) {
		struct fwd_entry *e = &f->q[k & f->q_mask];
		uint32_t need;

		if (e->state != E_WAIT)
			continue;
		need = packet_need(e->src, e->dst);
		if (!usable || need > fwd_ring_free(f) - built) {
			/* a packet longer than the whole ring can only go by the CPU */
			if (ctx->on_full == FWD_FULL_STALL && need <= f->ring_mask && f->chan != NULL)
				break;
			if (ctx->on_full == FWD_FULL_DROP && need <= f->ring_mask) {
				STAT_ADD(f, drop_full, 1);
				free_entry(e);
				continue;
			}
			copy_now(e, P_SPILL);
			continue;
		}
		if (first == f->q_head)
			first = k;
		built += put_packet(f, f->desc_head + built, e->src, e->dst);
		e->seq_end = f->desc_head + built;
		e->state = E_INFLIGHT;
		e->path = P_DMA;
	}
	f->q_sub = k;
	if (built > 0 && (ret = kick(f, built)) < 0)
		kick_failed(f, first, ret);
}

/* With --max-packets: take up to @p n from what may still be received. */
static uint16_t
rx_reserve(struct fwd_ctx *ctx, uint16_t n)
{
	uint64_t left, take;

	if (!ctx->limited)
		return n;
	left = __atomic_load_n(&ctx->rx_left, __ATOMIC_RELAXED);
	do {
		if (left == 0)
			return 0;
		take = RTE_MIN(left, (uint64_t)n);
	} while (!__atomic_compare_exchange_n(&ctx->rx_left, &left, left - take, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return (uint16_t)take;
}

static void
rx_unreserve(struct fwd_ctx *ctx, uint16_t n)
{
	if (!ctx->limited)
		return;
	if (__atomic_add_fetch(&ctx->rx_left, n, __ATOMIC_RELAXED) == 0)
		ctx->stop = true;   /* every packet asked for is in */
}

/* Destination chains for a burst: one bulk allocation, else one per packet. */
static void
alloc_dsts(struct fwd_ctx *ctx, struct rte_mbuf **pkts, struct rte_mbuf **dst, uint16_t nb,
	   unsigned int total)
{
	struct rte_mbuf *objs[FWD_MAX_BURST * 8];
	unsigned int i, n;

	if (total <= RTE_DIM(objs) && rte_pktmbuf_alloc_bulk(ctx->pool, objs, total) == 0) {
		for (i = 0, n = 0; i < nb; i++) {
			dst[i] = fwd_dst_chain(ctx, pkts[i], &objs[n]);
			n += dst[i]->nb_segs;
		}
		return;
	}
	for (i = 0; i < nb; i++) {
		n = fwd_dst_segs(ctx, pkts[i]);
		dst[i] = n <= RTE_DIM(objs) && rte_pktmbuf_alloc_bulk(ctx->pool, objs, n) == 0 ?
			fwd_dst_chain(ctx, pkts[i], objs) : NULL;
	}
}

/*
 * Receive a burst into the queue.  The MAC rewrite goes into the original,
 * before either copy: the copy carries it and the engine's destination is
 * never touched by this CPU.
 */
static unsigned int
flow_rx(struct fwd_flow *f)
{
	struct fwd_ctx *ctx = f->ctx;
	struct rte_mbuf *pkts[FWD_MAX_BURST], *dst[FWD_MAX_BURST];
	uint32_t room = f->q_mask + 1 - (f->q_head - f->q_tail);
	uint16_t want = (uint16_t)RTE_MIN((uint32_t)ctx->conf.burst, room), n, nb, i;
	unsigned int segs = 0, chained = 0;
	uint64_t bytes = 0;

	if (f->q_sub != f->q_head || want == 0) {
		STAT_ADD(f, stalls, 1);   /* the channel, or the queue, is full: leave them on the port */
		return 0;
	}
	n = rx_reserve(ctx, want);
	if (n == 0)
		return 0;
	nb = rte_eth_rx_burst(f->rx_port, 0, pkts, n);
	rx_unreserve(ctx, (uint16_t)(n - nb));
	if (nb == 0)
		return 0;
	/* the originals' data: the MAC rewrite and the CPU copies read it soon */
	for (i = 0; i < nb && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + PREFETCH_AHEAD < nb)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		if (ctx->conf.nb_mix > 0 && m->nb_segs == 1) {
			uint32_t len = ctx->conf.mix[f->mix_pos];

			if (++f->mix_pos == ctx->conf.nb_mix)
				f->mix_pos = 0;
			if (len < m->data_len)
				m->data_len = (uint16_t)(m->pkt_len = len);
		}
		if (ctx->conf.mac_rewrite && m->data_len >= sizeof(f->mac_hdr))
			memcpy(rte_pktmbuf_mtod(m, void *), f->mac_hdr, sizeof(f->mac_hdr));
		bytes += m->pkt_len;
		chained += m->nb_segs > 1;
		segs += fwd_dst_segs(ctx, m);
	}
	STAT_ADD(f, rx, nb);
	STAT_ADD(f, rx_bytes, bytes);
	STAT_ADD(f, rx_chained, chained);
	alloc_dsts(ctx, pkts, dst, nb, segs);
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];
		struct fwd_entry *e;

		if (unlikely(dst[i] == NULL)) {
			STAT_ADD(f, drop_nombuf, 1);
			rte_pktmbuf_free(m);
			continue;
		}
		e = &f->q[f->q_head++ & f->q_mask];
		e->src = m;
		e->dst = dst[i];
		if (ctx->conf.cpu_only || m->pkt_len < ctx->copy_break || m->pkt_len == 0) {
			copy_now(e, P_CPU);
		} else {
			e->state = E_WAIT;
		}
	}
	flow_submit(f);
	return nb;
}

/* The complete entries from the oldest on, at most a burst. */
static unsigned int
flow_tx(struct fwd_flow *f)
{
	struct rte_mbuf *tx[FWD_MAX_BURST], *done[FWD_MAX_BURST];
	uint64_t counts[P_RECOPY + 1] = { 0 }, bytes = 0;
	uint32_t k = f->q_tail;
	uint16_t n = 0, sent, i;

	while (k != f->q_head && n < f->ctx->conf.burst) {
		struct fwd_entry *e = &f->q[k & f->q_mask];

		if (e->state == E_DROPPED) {
			if (n > 0)
				break;
			f->q_tail = ++k;   /* nothing to send before it: just pass it */
			continue;
		}
		if (e->state != E_READY && (e->state != E_INFLIGHT || e->seq_end > f->desc_done))
			break;
		tx[n++] = e->dst;
		k++;
	}
	if (n == 0)
		return 0;
	sent = rte_eth_tx_burst(f->tx_port, 0, tx, n);
	for (i = 0; i < sent; i++) {
		struct fwd_entry *e = &f->q[(f->q_tail + i) & f->q_mask];

		counts[e->path]++;
		bytes += tx[i]->pkt_len;
		done[i] = e->src;
	}
	rte_pktmbuf_free_bulk(done, sent);
	f->q_tail += sent;
	STAT_ADD(f, tx, sent);
	STAT_ADD(f, tx_bytes, bytes);
	STAT_ADD(f, cpu_copied, counts[P_CPU]);
	STAT_ADD(f, dma_copied, counts[P_DMA]);
	STAT_ADD(f, spilled, counts[P_SPILL]);
	STAT_ADD(f, recopied, counts[P_RECOPY]);
	return sent;
}

/* One turn of the flow; @return the packets it moved (0: idle). */
static unsigned int
flow_pass(struct fwd_flow *f, bool rx)
{
	unsigned int moved;

	if (f->chan != NULL) {
		fwd_flow_reap(f);
		if (unlikely(f->recovering))
			flow_recover(f);
	}
	moved = flow_tx(f);
	if (f->q_sub != f->q_head)
		flow_submit(f);
	if (rx)
		moved += flow_rx(f);
	return moved;
}

static bool
flow_idle(const struct fwd_flow *f)
{
	return f->q_head == f->q_tail && !f->recovering;
}

/*
 * What the drain could not send: dropped.  Memory an engine may still
 * write (submitted, or caught by a halt) is left to it, never freed.
 */
static void
flow_abandon(struct fwd_flow *f)
{
	uint32_t k;

	for (k = f->q_tail; k != f->q_head; k++) {
		struct fwd_entry *e = &f->q[k & f->q_mask];

		if (e->state == E_DROPPED)
			continue;
		STAT_ADD(f, drop_stop, 1);
		if (e->state == E_INFLIGHT || e->state == E_RECOPY) {
			STAT_ADD(f, abandoned, 1);
			continue;
		}
		free_entry(e);
	}
	f->q_tail = f->q_sub = f->q_head;
}

/*
 * Anything with the engines of these flows: submitted and not known
 * retired, or a halt's ops not let go.  When the copy-break sends every
 * packet to the CPU, the loop then never pays for polling idle channels.
 */
static inline bool
engine_has_work(struct fwd_flow *const *flows, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (flows[i]->desc_head != flows[i]->desc_done || flows[i]->recovering)
			return true;
	return false;
}

int
fwd_loop(void *arg)
{
	struct fwd_ctx *ctx = arg;
	unsigned int lcore = rte_lcore_id(), n = 0, i;
	struct fwd_flow *mine[FWD_MAX_PORTS];
	uint64_t deadline;
	bool busy;

	for (i = 0; i < ctx->nb_flows; i++)
		if (ctx->flows[i].lcore == lcore)
			mine[n++] = &ctx->flows[i];
	FWD_LOG(INFO, "lcore %u forwards %u port(s)\n", lcore, n);
	while (!ctx->stop) {
		unsigned int moved = 0;
		int work = engine_has_work(mine, n) ? fwd_engine_poll(ctx, lcore) : 0;

		for (i = 0; i < n; i++)
			moved += flow_pass(mine[i], true);
		/*
		 * Nothing moved: waiting for an engine on another CPU.  Polling its
		 * completion ring flat out takes cache lines it writes.
		 */
		if (moved == 0 && work <= 0)
			for (i = 0; i < IDLE_PAUSES; i++)
				rte_pause();
	}
	/* stopped: receive nothing more, send what is pending */
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * DRAIN_S;
	do {
		fwd_engine_poll(ctx, lcore);
		busy = false;
		for (i = 0; i < n; i++) {
			flow_pass(mine[i], false);
			busy |= !flow_idle(mine[i]);
		}
	} while (busy && rte_get_timer_cycles() < deadline);
	for (i = 0; i < n; i++)
		if (!flow_idle(mine[i])) {
			FWD_LOG(ERR, "port %u: %u packets still pending after %d s of draining: "
				"dropped\n", mine[i]->rx_port, mine[i]->q_head - mine[i]->q_tail, DRAIN_S);
			flow_abandon(mine[i]);
		}
	return 0;
}
