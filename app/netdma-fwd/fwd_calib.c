/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --copy-break auto.  Before forwarding, on the forwarding lcore itself,
 * measure what a packet of each size costs that lcore by each path, and
 * send to the engine the sizes from which it costs less:
 *  - CPU: the copy;
 *  - engine: the descriptors and the Append, plus the polls that did work
 *    on this lcore (in-process poll mode: the engine itself runs here, so
 *    the cpu provider never wins), with the engine busy on earlier bursts
 *    meanwhile, as when forwarding.  With --service or through netdmad the
 *    engine runs elsewhere and only the submission is ours, including what
 *    it waits for (a channel lock the engine's poll holds, netdmad's
 *    answer).
 * Waiting for the engine to finish is not counted: the forwarding loop
 * receives and sends meanwhile.  What the engine cannot take at its own
 * rate, a full ring hands to the CPU (--on-full cpu, the default with a
 * copy-break).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>

#include "fwd_internal.h"

#define CAL_PKTS 32
#define CAL_STREAM 8      /* bursts per engine measurement */
#define CAL_ROUNDS 7

static const uint32_t cal_sizes[] = { 64, 128, 256, 512, 1024, 1518, 2048, 4096, 9000 };
#define CAL_MAX RTE_DIM(cal_sizes)

struct cal {
	struct fwd_ctx *ctx;
	struct fwd_flow *f;
	unsigned int n;                 /* sizes measured */
	unsigned int pkts;              /* per burst: CAL_PKTS, or what the ring holds */
	uint64_t cpu[CAL_MAX], dma[CAL_MAX];   /* TSC cycles per packet, medians */
	int ret;
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
median(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/*
 * CAL_STREAM bursts of the same packets through the engine, a new one
 * submitted whenever the ring has room, so that the engine works while
 * this lcore submits: what a submission costs under load, waits on a
 * channel lock that the engine's poll holds included (a software engine on
 * a service lcore copies under it).  @return the cycles this lcore spent
 * submitting and in polls that did work.
 */
static int
cal_dma_stream(struct cal *c, struct rte_mbuf **s, struct rte_mbuf **d, uint64_t *cycles)
{
	struct fwd_flow *f = c->f;
	unsigned int lcore = (unsigned int)netdma_chan_lcore(f->chan), sent = 0;
	uint64_t busy = 0, end = f->desc_head + (uint64_t)CAL_STREAM * c->pkts;
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 2;
	int ret;

	/* every packet is one segment: one descriptor each */
	while (f->desc_done < end) {
		uint64_t t = rte_rdtsc();
		bool work = false;

		if (sent < CAL_STREAM && fwd_ring_free(f) >= c->pkts) {
			ret = fwd_flow_dma(f, s, d, c->pkts);
			if (ret < 0)
				return ret;
			sent++;
			work = true;
		}
		work |= fwd_engine_poll(c->ctx, lcore) > 0;
		fwd_flow_reap(f);
		if (work)
			busy += rte_rdtsc() - t;
		if (f->recovering)
			return -EIO;
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
	}
	*cycles = busy;
	return 0;
}

static int
cal_size(struct cal *c, unsigned int k)
{
	struct rte_mbuf *m[2 * CAL_PKTS], **s = m, **d = m + CAL_PKTS;
	unsigned int np = c->pkts;
	uint64_t cpu[CAL_ROUNDS], dma[CAL_ROUNDS], t0;
	uint32_t len = cal_sizes[k];
	unsigned int i, r;
	int ret;

	if (rte_pktmbuf_alloc_bulk(c->ctx->pool, m, RTE_DIM(m)) < 0)
		return -ENOMEM;
	for (i = 0; i < RTE_DIM(m); i++)
		m[i]->data_len = (uint16_t)(m[i]->pkt_len = len);
	for (i = 0; i < np; i++)
		memset(rte_pktmbuf_mtod(s[i], void *), (int)(i * 7 + k + 1), len);
	/* round 0 warms up and is measured again */
	for (r = 0; r <= CAL_ROUNDS; r++) {
		t0 = rte_rdtsc_precise();
		for (i = 0; i < np; i++)
			fwd_copy_cpu(s[i], d[i]);
		cpu[r % CAL_ROUNDS] = (rte_rdtsc_precise() - t0) / np;
	}
	for (i = 0; i < np; i++)
		memset(rte_pktmbuf_mtod(d[i], void *), 0, len);
	for (r = 0, ret = 0; r <= CAL_ROUNDS && ret == 0; r++) {
		ret = cal_dma_stream(c, s, d, &t0);
		dma[r % CAL_ROUNDS] = t0 / (CAL_STREAM * np);
	}
	for (i = 0; ret == 0 && i < np; i++)
		if (memcmp(rte_pktmbuf_mtod(s[i], void *), rte_pktmbuf_mtod(d[i], void *), len))
			ret = -EIO;
	rte_pktmbuf_free_bulk(m, RTE_DIM(m));
	if (ret < 0)
		return ret;
	c->cpu[k] = median(cpu, CAL_ROUNDS);
	c->dma[k] = median(dma, CAL_ROUNDS);
	return 0;
}

static int
cal_main(void *arg)
{
	struct cal *c = arg;
	unsigned int k;

	for (k = 0; k < CAL_MAX && cal_sizes[k] <= c->ctx->seg_room; k++) {
		c->ret = cal_size(c, k);
		if (c->ret < 0)
			return c->ret;
		c->n = k + 1;
	}
	return 0;
}

int
fwd_calibrate(struct fwd_ctx *ctx)
{
	/* bursts of one-descriptor packets, at most what the ring holds */
	struct cal c = { .ctx = ctx, .f = &ctx->flows[0],
			 .pkts = RTE_MIN((unsigned int)CAL_PKTS, ctx->flows[0].ring_mask) };
	double ns = 1e9 / (double)rte_get_tsc_hz();
	char line[512];
	size_t len = 0;
	int k;

	/* where the packets will be forwarded: the main lcore may share a CPU */
	if (rte_eal_remote_launch(cal_main, &c, c.f->lcore) < 0 ||
	    rte_eal_wait_lcore(c.f->lcore) < 0 || c.n == 0) {
		FWD_LOG(ERR, "--copy-break auto: the measurement failed: %s\n",
			c.ret == -EIO ? "the engine halted or copied wrong bytes" :
			c.ret == -ETIMEDOUT ? "the engine did not finish a burst in 2 s" :
			c.ret ? strerror(-c.ret) : "no size fits the mbufs");
		return c.ret < 0 ? c.ret : -EINVAL;
	}
	/* the sizes from which the engine wins, up to the largest measured */
	for (k = (int)c.n - 1; k >= 0 && c.dma[k] < c.cpu[k]; k--)
		;
	ctx->copy_break = k == (int)c.n - 1 ? FWD_COPY_BREAK_ALL : (uint32_t)cal_sizes[k + 1];
	if (k < 0)
		ctx->copy_break = 0;
	for (k = 0; k < (int)c.n; k++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %u:%.0f/%.0f", cal_sizes[k],
					(double)c.cpu[k] * ns, (double)c.dma[k] * ns);
	if (ctx->copy_break == FWD_COPY_BREAK_ALL)
		printf("netdma-fwd: copy-break auto: the CPU copies every size (lcore %u, ns per "
		       "packet CPU/engine:%s)\n", c.f->lcore, line);
	else
		printf("netdma-fwd: copy-break auto: %u B (lcore %u, ns per packet CPU/engine:%s)\n",
		       ctx->copy_break, c.f->lcore, line);
	return 0;
}
