/* SPDX-License-Identifier: BSD-3-Clause */
/* The library's host for netdma_engine: EAL memory and clock, channel upcalls. */
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "netdma_engine.h"
#include "netdma_internal.h"

static_assert(NETDMA_SOCKET_ANY == SOCKET_ID_ANY, "the engine's no-preference socket");

static void *
dpdk_zalloc(size_t size, size_t align, int socket)
{
	void *p = rte_zmalloc_socket("netdma_engine", size, (unsigned int)align, socket);

	/* a node out of memory: a ring elsewhere beats no channel */
	if (p == NULL && socket != SOCKET_ID_ANY)
		p = rte_zmalloc_socket("netdma_engine", size, (unsigned int)align, SOCKET_ID_ANY);
	return p;
}

static uint64_t
dpdk_now_us(void)
{
	uint64_t cycles = rte_get_timer_cycles(), hz = rte_get_timer_hz();

	/* split so that cycles * 10^6 cannot overflow */
	return cycles / hz * US_PER_S + cycles % hz * US_PER_S / hz;
}

static void
dpdk_halted(void *chan, netdma_iova_t bad, const char *why, int status)
{
	uint32_t cpu;

	if (status != 0)
		netdma_chan_set_error(chan, "halted at descriptor 0x%" PRIx64 ": %s (device status %d, "
				      "enum rte_dma_status_code)", bad, why, status);
	else
		netdma_chan_set_error(chan, "halted at descriptor 0x%" PRIx64 ": %s", bad, why);
	netdma_isr(chan, 0, &cpu);
	netdma_interrupt_dpc(chan, 0);
}

static void
dpdk_interrupt(void *chan, netdma_iova_t pa)
{
	uint32_t cpu;

	/* the library runs the DPC on the owner lcore */
	netdma_isr(chan, pa, &cpu);
	netdma_interrupt_dpc(chan, pa);
}

const struct netdma_engine_host netdma_engine_host_dpdk = {
	.zalloc = dpdk_zalloc,
	.free = rte_free,
	.now_us = dpdk_now_us,
	.desc_internal = netdma_chan_desc_internal,
	.halted = dpdk_halted,
	.interrupt = dpdk_interrupt,
	.suspended = netdma_suspend_complete,
};

void
netdma_engine_conf_from_chan(struct netdma_engine_conf *conf, void *chan_handle)
{
	struct netdma_chan *c = chan_handle;

	netdma_chan_check_rules(c, &conf->rules);
	conf->iova_is_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	conf->cw = c->params.completion_virtual_address;
	conf->checked = &c->checked;
}
