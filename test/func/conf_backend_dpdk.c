/* SPDX-License-Identifier: BSD-3-Clause */
/* The in-process backend: providers in this process, polled inline. */
#include <errno.h>

#include <rte_lcore.h>

#include "conf_dpdk.h"

int
backend_create(struct backend *b, uint32_t burst)
{
	int ret;

	if (b->kind == BE_CPU) {
		struct netdma_cpu_conf c = {
			.name = b->name, .major_version = b->major, .minor_version = b->minor,
			.burst = burst,
		};
		struct netdma_cpu_provider *p;

		ret = netdma_cpu_provider_create(&c, &p);
		if (ret == 0) {
			b->provider = p;
			b->id = netdma_cpu_provider_id(p);
		}
	} else {
		/* four virtual channels over the skeleton's one vchan: every test runs on one */
		struct netdma_dmadev_conf c = {
			.name = b->name, .major_version = b->major, .minor_version = b->minor,
			.burst = burst, .channels_per_vchan = 4,
		};
		struct netdma_dmadev_provider *p;

		ret = netdma_dmadev_provider_create(0, &c, &p);
		if (ret == 0) {
			b->provider = p;
			b->id = netdma_dmadev_provider_id(p);
		}
	}
	return ret;
}

int
backend_destroy(struct backend *b)
{
	int ret;

	if (b->provider == NULL)
		return 0;
	ret = b->kind == BE_CPU ? netdma_cpu_provider_destroy(b->provider) :
		netdma_dmadev_provider_destroy(b->provider);
	b->provider = NULL;
	return ret;
}

void
conf_poll(struct netdma_chan *ch)
{
	netdma_lcore_poll((unsigned int)netdma_chan_lcore(ch));
}

unsigned int
conf_self_lcore(void)
{
	return rte_lcore_id();
}

uint64_t
conf_home_mask(void)
{
	return 1ull << rte_get_main_lcore();
}

int
conf_worker_lcore(void)
{
	unsigned int w = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);

	return w < RTE_MAX_LCORE ? (int)w : -1;
}
