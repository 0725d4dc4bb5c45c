/* SPDX-License-Identifier: BSD-3-Clause */
/* Setting the pipeline up and down: ports, pool, engines, flows, lcores. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_malloc.h>

#include "fwd_internal.h"

RTE_LOG_REGISTER_DEFAULT(fwd_logtype, NOTICE);

/* Ports in pairs, as dmafwd: 0 <-> 1, 2 <-> 3; an odd last one to itself. */
static uint16_t
peer_of(const struct fwd_ctx *ctx, unsigned int i)
{
	if (i % 2 == 0)
		return i + 1 < ctx->nb_ports ? ctx->ports[i + 1] : ctx->ports[i];
	return ctx->ports[i - 1];
}

static int
port_init(struct fwd_ctx *ctx, unsigned int i)
{
	const struct fwd_conf *c = &ctx->conf;
	uint16_t port = ctx->ports[i], rxd = c->rxd, txd = c->txd;
	struct rte_eth_conf pc = { 0 };
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	char name[RTE_ETH_NAME_MAX_LEN];
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		goto fail;
	/* copies of jumbo frames go out as chains (fwd_dst_chain()) */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		pc.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		pc.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	ret = rte_eth_dev_configure(port, 1, 1, &pc);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, rxd, rte_eth_dev_socket_id(port), NULL,
					     ctx->pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, txd, rte_eth_dev_socket_id(port), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret < 0)
		goto fail;
	ctx->port_started[i] = true;
	ret = rte_eth_promiscuous_enable(port);
	if (ret < 0 && ret != -ENOTSUP)
		FWD_LOG(WARNING, "port %u: promiscuous mode: %s\n", port, strerror(-ret));
	ret = rte_eth_macaddr_get(port, &mac);
	if (ret < 0)
		goto fail;
	rte_eth_dev_get_name_by_port(port, name);
	/* a line scripts and tests read: the source MAC the rewrite puts in */
	printf("netdma-fwd: port %u (%s): MAC " RTE_ETHER_ADDR_PRT_FMT ", %u/%u descriptors\n",
	       port, name, RTE_ETHER_ADDR_BYTES(&mac), rxd, txd);
	return 0;
fail:
	FWD_LOG(ERR, "port %u: %s\n", port, strerror(-ret));
	return ret;
}

/* The flow receiving on port i: its queue and the rewrite it applies. */
static int
flow_init(struct fwd_ctx *ctx, unsigned int i)
{
	struct fwd_flow *f = &ctx->flows[i];
	struct rte_ether_addr mac;
	int ret;

	f->ctx = ctx;
	f->rx_port = ctx->ports[i];
	f->tx_port = peer_of(ctx, i);
	f->lcore = ctx->fwd_lcores[i % ctx->nb_fwd_lcores];
	f->q = rte_zmalloc("fwd_queue", sizeof(*f->q) * ctx->conf.queue_size, RTE_CACHE_LINE_SIZE);
	if (f->q == NULL)
		return -ENOMEM;
	f->q_mask = ctx->conf.queue_size - 1;
	/* as dmafwd: to 02:00:00:00:00:<tx port>, from the TX port's own address */
	ret = rte_eth_macaddr_get(f->tx_port, &mac);
	if (ret < 0)
		return ret;
	memset(f->mac_hdr, 0, sizeof(f->mac_hdr));
	f->mac_hdr[0] = 0x02;
	f->mac_hdr[5] = (uint8_t)f->tx_port;
	memcpy(&f->mac_hdr[RTE_ETHER_ADDR_LEN], mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	return 0;
}

static int
pick_ports(struct fwd_ctx *ctx)
{
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		if (ctx->conf.portmask != 0 && (port >= 64 || !((ctx->conf.portmask >> port) & 1)))
			continue;
		if (ctx->nb_ports == FWD_MAX_PORTS) {
			FWD_LOG(ERR, "more than %d ports: narrow them with --portmask\n", FWD_MAX_PORTS);
			return -E2BIG;
		}
		ctx->ports[ctx->nb_ports++] = port;
	}
	if (ctx->nb_ports == 0) {
		FWD_LOG(ERR, "no ports%s: give some, e.g. --vdev=net_null0 --vdev=net_null1\n",
			ctx->conf.portmask ? " in --portmask" : "");
		return -ENODEV;
	}
	return 0;
}

static int
pick_lcores(struct fwd_ctx *ctx)
{
	unsigned int l;

	RTE_LCORE_FOREACH_WORKER(l)
		ctx->fwd_lcores[ctx->nb_fwd_lcores++] = l;
	if (ctx->nb_fwd_lcores == 0) {
		FWD_LOG(ERR, "no worker lcore to forward on: give EAL two lcores at least (-l 0-1)\n");
		return -EINVAL;
	}
	return 0;
}

static int
setup(struct fwd_ctx *ctx)
{
	unsigned int i;
	int ret;

	ret = pick_ports(ctx);
	if (ret == 0)
		ret = pick_lcores(ctx);
	if (ret < 0)
		return ret;
	ctx->nb_flows = ctx->nb_ports;
	ctx->flows = rte_zmalloc("fwd_flows", sizeof(*ctx->flows) * ctx->nb_flows,
				 RTE_CACHE_LINE_SIZE);
	if (ctx->flows == NULL)
		return -ENOMEM;
	/* netdmad first: through it, the pool's memory is its */
	ret = fwd_engine_open(ctx);
	if (ret == 0)
		ret = fwd_pool_create(ctx);
	for (i = 0; ret == 0 && i < ctx->nb_ports; i++)
		ret = port_init(ctx, i);
	for (i = 0; ret == 0 && i < ctx->nb_flows; i++) {
		ret = flow_init(ctx, i);
		if (ret == 0)
			ret = fwd_chan_open(ctx, &ctx->flows[i]);
	}
	if (ret == 0)
		ret = fwd_engine_start(ctx);
	if (ret == 0 && ctx->conf.copy_break_auto && !ctx->conf.cpu_only) {
		ret = fwd_calibrate(ctx);
		if (ret == 0 && ctx->copy_break == FWD_COPY_BREAK_ALL)
			fwd_engine_release(ctx);
	}
	if (ret == 0)
		fwd_engine_arm_faults(ctx);
	return ret;
}

struct fwd_ctx *
fwd_setup(const struct fwd_conf *conf)
{
	struct fwd_ctx *ctx = calloc(1, sizeof(*ctx));
	int ret;

	if (ctx == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ctx->conf = *conf;
	ctx->copy_break = conf->cpu_only ? FWD_COPY_BREAK_ALL : conf->copy_break;
	/*
	 * Default: with a copy-break the CPU is the other path, so it takes what
	 * a full channel cannot (spilled); all-DMA (copy-break off) waits.
	 */
	ctx->on_full = conf->full_set ? conf->on_full :
		conf->copy_break_auto || conf->copy_break > 0 ? FWD_FULL_CPU : FWD_FULL_STALL;
	ctx->limited = conf->max_packets > 0;
	ctx->rx_left = conf->max_packets;
	ret = setup(ctx);
	if (ret < 0) {
		fwd_teardown(ctx);
		rte_errno = -ret;
		return NULL;
	}
	return ctx;
}

int
fwd_launch(struct fwd_ctx *ctx)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ctx->nb_fwd_lcores; i++) {
		ret = rte_eal_remote_launch(fwd_loop, ctx, ctx->fwd_lcores[i]);
		if (ret < 0) {
			FWD_LOG(ERR, "lcore %u: launch: %s\n", ctx->fwd_lcores[i], strerror(-ret));
			fwd_stop(ctx);
			fwd_wait(ctx);
			return ret;
		}
		ctx->launched = true;
	}
	return 0;
}

void
fwd_stop(struct fwd_ctx *ctx)
{
	ctx->stop = true;
}

bool
fwd_stopping(const struct fwd_ctx *ctx)
{
	return ctx->stop;
}

void
fwd_wait(struct fwd_ctx *ctx)
{
	unsigned int i;

	if (!ctx->launched)
		return;
	for (i = 0; i < ctx->nb_fwd_lcores; i++)
		rte_eal_wait_lcore(ctx->fwd_lcores[i]);
	ctx->launched = false;
}

void
fwd_teardown(struct fwd_ctx *ctx)
{
	unsigned int i;

	if (ctx == NULL)
		return;
	fwd_stop(ctx);
	fwd_wait(ctx);
	for (i = 0; ctx->flows != NULL && i < ctx->nb_flows; i++)
		fwd_chan_close(ctx, &ctx->flows[i]);
	/* stopping and closing a port flushes what it wrote (a pcap file) */
	for (i = 0; i < ctx->nb_ports; i++) {
		if (ctx->port_started[i] && rte_eth_dev_stop(ctx->ports[i]) < 0)
			FWD_LOG(WARNING, "port %u does not stop\n", ctx->ports[i]);
		rte_eth_dev_close(ctx->ports[i]);
	}
	fwd_telemetry_forget(ctx);
	for (i = 0; ctx->flows != NULL && i < ctx->nb_flows; i++)
		rte_free(ctx->flows[i].q);
	rte_free(ctx->flows);
	/* before the engines: through netdmad, disconnecting unmaps the pool's memory */
	fwd_pool_free(ctx);
	fwd_engine_close(ctx);
	free(ctx);
}

struct rte_mempool *
fwd_pool(const struct fwd_ctx *ctx)
{
	return ctx->pool;
}

uint32_t
fwd_copy_break(const struct fwd_ctx *ctx)
{
	return ctx->copy_break;
}
