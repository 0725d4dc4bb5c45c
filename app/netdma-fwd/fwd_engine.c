/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engines.  netdma-fwd: a provider this process creates (drivers/cpu,
 * or drivers/dmadev over a dmadev such as dma_skeleton), its channels
 * polled by the forwarding lcore (netdma_lcore_poll() in fwd_loop) or, with
 * --service, by an rte_service mapped to a service lcore.
 * netdma-fwd-client: a provider of netdmad, found by name; netdmad's
 * pollers drive the channels.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "fwd_internal.h"

#ifdef NETDMA_FWD_CLIENT
#include "netdma_client.h"
#else
#include <rte_dmadev.h>
#include <rte_service.h>
#include <rte_service_component.h>

#include "netdma_cpu.h"
#include "netdma_dmadev.h"
#endif

/* The DPC: only error DPCs come (no descriptor asks for an interrupt). */
static void
on_dpc(struct netdma_chan *ch, netdma_iova_t last, void *arg)
{
	struct fwd_flow *f = arg;

	RTE_SET_USED(ch);
	if (last == 0)
		__atomic_fetch_add(&f->error_dpcs, 1, __ATOMIC_RELAXED);
}

#ifdef NETDMA_FWD_CLIENT

int
fwd_engine_open(struct fwd_ctx *ctx)
{
	const struct fwd_conf *c = &ctx->conf;
	int ret;

	if (c->service || c->fault_every) {
		FWD_LOG(ERR, "%s: netdmad's pollers drive its channels and it injects no faults for "
			"clients; use netdma-fwd (in-process)\n", c->service ? "--service" : "--fault-every");
		return -EINVAL;
	}
	ret = netdma_client_connect(c->socket);
	if (ret < 0) {
		FWD_LOG(ERR, "cannot reach netdmad%s%s: %s (%s)\n", c->socket ? " at " : "",
			c->socket ? c->socket : "", strerror(-ret), netdma_client_last_error());
		return ret;
	}
	if (c->cpu_only)
		return 0;
	ret = netdma_provider_find(c->provider);
	if (ret < 0) {
		FWD_LOG(ERR, "netdmad has no provider '%s' (%s)\n", c->provider, strerror(-ret));
		return ret;
	}
	ctx->provider_id = ret;
	return 0;
}

int
fwd_engine_start(struct fwd_ctx *ctx)
{
	RTE_SET_USED(ctx);
	return 0;
}

void
fwd_engine_arm_faults(struct fwd_ctx *ctx)
{
	RTE_SET_USED(ctx);   /* refused at open: netdmad injects no faults for clients */
}

void
fwd_engine_close(struct fwd_ctx *ctx)
{
	RTE_SET_USED(ctx);
	netdma_client_disconnect();
}

#else /* in-process */

static int
open_cpu(struct fwd_ctx *ctx)
{
	struct netdma_cpu_conf pc = {
		.nb_channels = ctx->nb_flows,
		.ring_size = ctx->conf.ring_size,
	};
	struct netdma_cpu_provider *p;
	int ret = netdma_cpu_provider_create(&pc, &p);

	if (ret < 0) {
		FWD_LOG(ERR, "cpu provider: %s\n", strerror(-ret));
		return ret;
	}
	ctx->cpu_prov = p;
	ctx->provider_id = (int)netdma_cpu_provider_id(p);
	return 0;
}

static int
open_dmadev(struct fwd_ctx *ctx)
{
	/* every flow's channel is a virtual channel of the device's vchan */
	struct netdma_dmadev_conf dc = { .channels_per_vchan = ctx->nb_flows };
	struct netdma_dmadev_provider *p;
	char names[256] = "";
	int16_t dev;
	int ret = rte_dma_get_dev_id_by_name(ctx->conf.provider);

	if (ret < 0) {
		RTE_DMA_FOREACH_DEV(dev) {
			struct rte_dma_info info;

			if (rte_dma_info_get(dev, &info) == 0)
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 names[0] ? ", " : "", info.dev_name);
		}
		FWD_LOG(ERR, "no provider '%s': it is neither 'cpu' nor a dmadev (dmadevs: %s)\n",
			ctx->conf.provider, names[0] ? names : "none; add --vdev=dma_skeleton");
		return -ENODEV;
	}
	ret = netdma_dmadev_provider_create((int16_t)ret, &dc, &p);
	if (ret < 0) {
		FWD_LOG(ERR, "dmadev provider over %s: %s\n", ctx->conf.provider, strerror(-ret));
		return ret;
	}
	ctx->dma_prov = p;
	ctx->provider_id = (int)netdma_dmadev_provider_id(p);
	return 0;
}

int
fwd_engine_open(struct fwd_ctx *ctx)
{
	const struct fwd_conf *c = &ctx->conf;

	if (c->cpu_only)
		return 0;
	if (c->service) {
		uint32_t list[RTE_MAX_LCORE];
		int n = rte_service_lcore_list(list, RTE_DIM(list));

		if (n <= 0) {
			FWD_LOG(ERR, "--service needs a service lcore: EAL -s LCOREMASK (e.g. "
				"--lcores=0@0,1@1,2@0 -s 0x4)\n");
			return -EINVAL;
		}
		ctx->service_lcore = list[0];
	}
	return strcmp(c->provider, "cpu") == 0 ? open_cpu(ctx) : open_dmadev(ctx);
}

/*
 * --service: an rte_service for the service lcore's channels, mapped there
 * (the wrapper checks every rte_service result); then the lcore starts.
 */
int
fwd_engine_start(struct fwd_ctx *ctx)
{
	int ret;

	if (!ctx->conf.service || ctx->conf.cpu_only)
		return 0;
	ret = netdma_service_register(ctx->service_lcore, &ctx->service_id);
	if (ret < 0) {
		FWD_LOG(ERR, "rte_service for service lcore %u: %s\n", ctx->service_lcore,
			strerror(-ret));
		return ret;
	}
	ctx->service_registered = true;
	if (rte_service_map_lcore_get(ctx->service_id, ctx->service_lcore) != 1) {
		FWD_LOG(ERR, "the NetDMA service is not mapped to service lcore %u\n",
			ctx->service_lcore);
		return -EINVAL;
	}
	ret = rte_service_lcore_start(ctx->service_lcore);
	if (ret < 0 && ret != -EALREADY) {
		FWD_LOG(ERR, "service lcore %u does not start: %s\n", ctx->service_lcore,
			strerror(-ret));
		return ret;
	}
	ctx->service_started = true;
	FWD_LOG(INFO, "channels driven by rte_service %u on service lcore %u\n", ctx->service_id,
		ctx->service_lcore);
	return 0;
}

/* Test only; armed after the copy-break measurement, which must run clean. */
void
fwd_engine_arm_faults(struct fwd_ctx *ctx)
{
	if (ctx->conf.fault_every == 0 || (ctx->cpu_prov == NULL && ctx->dma_prov == NULL))
		return;
	if (ctx->cpu_prov != NULL)
		netdma_cpu_set_fault(ctx->cpu_prov, 0, ctx->conf.fault_every);
	else if (ctx->dma_prov != NULL)
		netdma_dmadev_set_fault(ctx->dma_prov, 0, ctx->conf.fault_every, 0);
	FWD_LOG(WARNING, "test-only fault injection: every %" PRIu64 "th engine copy fails\n",
		ctx->conf.fault_every);
}

void
fwd_engine_close(struct fwd_ctx *ctx)
{
	unsigned int i;

	if (ctx->service_registered) {
		rte_service_runstate_set(ctx->service_id, 0);
		if (ctx->service_started) {
			for (i = 0; i < 1000 && rte_service_lcore_stop(ctx->service_lcore) == -EBUSY; i++)
				rte_delay_us_sleep(1000);
			rte_eal_wait_lcore(ctx->service_lcore);
		}
		rte_service_map_lcore_set(ctx->service_id, ctx->service_lcore, 0);
		rte_service_component_runstate_set(ctx->service_id, 0);
		rte_service_component_unregister(ctx->service_id);
		ctx->service_registered = false;
	}
	if (ctx->cpu_prov != NULL)
		netdma_cpu_provider_destroy(ctx->cpu_prov);
	if (ctx->dma_prov != NULL)
		netdma_dmadev_provider_destroy(ctx->dma_prov);
	ctx->cpu_prov = ctx->dma_prov = NULL;
}

#endif /* NETDMA_FWD_CLIENT */

/*
 * The copy-break sends every packet to the CPU: no channel, and no engine
 * left running beside the forwarding lcore (a dmadev's thread, a service
 * lcore), which would only take CPU time from it.  Through netdmad the
 * connection stays: the pool's memory is netdmad's.
 */
void
fwd_engine_release(struct fwd_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nb_flows; i++)
		fwd_chan_close(ctx, &ctx->flows[i]);
#ifndef NETDMA_FWD_CLIENT
	fwd_engine_close(ctx);
#endif
	ctx->conf.cpu_only = true;
	FWD_LOG(INFO, "no engine: the CPU copies every packet\n");
}

/*
 * The flow's channel, its completion word and its descriptor ring, all in
 * memory the engines reach (netdma_mem_alloc(); through netdmad, memory
 * registered with it).  The ring is pre-linked once, slot i to slot i + 1
 * and the last to the first: every chain's last descriptor then already
 * names the head of the next Append (spec §3.5, §8 rule 6).
 */
int
fwd_chan_open(struct fwd_ctx *ctx, struct fwd_flow *f)
{
	struct netdma_chan_conf cc = { .intr_cb = on_dpc, .intr_arg = f };
	uint32_t n = ctx->conf.ring_size, i;
	int ret;

	if (ctx->conf.cpu_only)
		return 0;
	f->ring = netdma_mem_alloc(sizeof(*f->ring) * n, 64);
	f->cw = netdma_mem_alloc(64, 64);
	if (f->ring == NULL || f->cw == NULL) {
		FWD_LOG(ERR, "port %u: no DMA memory for %u descriptors\n", f->rx_port, n);
		return -ENOMEM;
	}
	f->ring_iova = netdma_virt2iova(f->ring);
	f->ring_mask = n - 1;
	for (i = 0; i < n; i++)
		f->ring[i].next_descriptor = f->ring_iova + (uint64_t)((i + 1) & f->ring_mask) *
			sizeof(*f->ring);
	cc.completion_word = f->cw;
#ifndef NETDMA_FWD_CLIENT
	cc.lcore_mask = 1ull << (ctx->conf.service ? ctx->service_lcore : f->lcore);
#endif
	ret = netdma_chan_alloc((uint32_t)ctx->provider_id, &cc, &f->chan);
	if (ret < 0) {
		FWD_LOG(ERR, "port %u: no NetDMA channel on '%s': %s%s\n", f->rx_port,
			ctx->conf.provider, strerror(-ret), ret == -EINVAL ?
			" (the channels of one dmadev queue are polled on one lcore: forward every "
			"port from one lcore, or give each lcore a device)" : "");
		f->chan = NULL;
		return ret;
	}
	if (netdma_chan_version(f->chan) < 0x200) {
		FWD_LOG(ERR, "port %u: provider '%s' is NetDMA %d.%d; netdma-fwd chains bursts by "
			"count and needs 2.0\n", f->rx_port, ctx->conf.provider,
			netdma_chan_version(f->chan) >> 8, netdma_chan_version(f->chan) & 0xff);
		return -ENOTSUP;
	}
	f->last_word = netdma_completion_read(f->cw);
	f->recovery_ms = 1000;
	FWD_LOG(INFO, "port %u: channel on lcore %d of provider '%s', %u descriptors\n",
		f->rx_port, netdma_chan_lcore(f->chan), ctx->conf.provider, n);
	return 0;
}

int
fwd_chan_outstanding(struct fwd_flow *f)
{
	struct netdma_chan_stats st;
	int ret = netdma_chan_stats_get(f->chan, &st);

	return ret < 0 ? ret : (int)st.outstanding;
}

/* Free once the engine has let go (after the drain it normally has). */
void
fwd_chan_close(struct fwd_ctx *ctx, struct fwd_flow *f)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 2;
	int ret = -EBUSY;
	bool aborted = false;

	while (f->chan != NULL && rte_get_timer_cycles() < deadline) {
		ret = netdma_chan_free(f->chan);
		if (ret != -EBUSY)
			break;
		if (!aborted)
			aborted = netdma_chan_abort(f->chan) == 0;
		fwd_engine_poll(ctx, (unsigned int)netdma_chan_lcore(f->chan));
	}
	if (f->chan != NULL && ret < 0)
		FWD_LOG(ERR, "port %u: channel not freed: %s (%s); its memory is kept\n", f->rx_port,
			strerror(-ret), netdma_chan_last_error(f->chan));
	if (f->chan == NULL || ret == 0) {
		netdma_mem_free(f->ring);
		netdma_mem_free((void *)(uintptr_t)f->cw);
	}
	f->chan = NULL;
	f->ring = NULL;
	f->cw = NULL;
}
