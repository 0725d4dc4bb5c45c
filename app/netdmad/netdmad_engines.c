/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engines: the software provider and one provider per configured dmadev;
 * what the machine offers and why something is missing (DESIGN.md
 * "Hardware is opt-in and diagnosed").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_vfio.h>

#include "netdma_cpu.h"
#include "netdma_dmadev.h"
#include "netdmad.h"

static struct netdma_cpu_provider *cpu;
static struct netdma_dmadev_provider *dmas[RTE_DMADEV_DEFAULT_MAX];
static unsigned int nb_dmas;

/* Is @p name in the comma-separated @p list? */
static bool
listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name)) != NULL) {
		bool start = p == list || p[-1] == ',' || p[-1] == ' ';
		bool end = p[n] == '\0' || p[n] == ',' || p[n] == ' ';

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

/* Is @p lcore one of the polling lcores? */
static bool
is_poller(const struct netdmad_conf *c, unsigned int lcore)
{
	unsigned int i;

	for (i = 0; i < c->nb_pollers; i++)
		if (c->pollers[i] == lcore)
			return true;
	return false;
}

/* A device's own [dmadev NAME] section over the [engines] defaults. */
static int
apply_dev_conf(const struct netdmad_conf *c, const char *name, struct netdma_dmadev_conf *dc)
{
	const struct netdmad_dev_conf *d = netdmad_dev_conf(c, name);

	if (d == NULL)
		return 0;
	if (d->ring_size != 0)
		dc->ring_size = (uint16_t)d->ring_size;
	if (d->burst != 0)
		dc->burst = d->burst;
	if (d->max_transfer_size != 0)
		dc->max_transfer_size = d->max_transfer_size;
	if (d->channels != 0)
		dc->channels_per_vchan = d->channels;
	if (d->lcore != UINT32_MAX) {
		if (!is_poller(c, d->lcore)) {
			DLOG(ERR, "[dmadev %s] lcore = %u is not a polling lcore: add it to [pollers] "
			     "lcores\n", name, d->lcore);
			return -EINVAL;
		}
		dc->pin_lcore = true;
		dc->lcore = d->lcore;
	}
	return 0;
}

int
netdmad_engines_start(const struct netdmad_conf *c)
{
	bool all = strcmp(c->dmadev, "all") == 0, none = strcmp(c->dmadev, "none") == 0;
	int16_t dev;
	int ret;

	if (c->cpu) {
		struct netdma_cpu_conf cc = {
			.name = "cpu", .major_version = c->major, .minor_version = c->minor,
			.nb_channels = c->cpu_channels,
			.nt_threshold = c->cpu_nt_threshold,
			.poll_bytes = c->cpu_bytes_per_poll,
			.burst = c->burst,
		};

		ret = netdma_cpu_provider_create(&cc, &cpu);
		if (ret < 0) {
			DLOG(ERR, "software engine: %s\n", strerror(-ret));
			return ret;
		}
		DLOG(INFO, "engine 'cpu': software, %u channels, NetDMA %u.%u\n",
		     c->cpu_channels, c->major, c->minor);
	}
	if (!none) {
		RTE_DMA_FOREACH_DEV(dev) {
			struct netdma_dmadev_conf dc = {
				.major_version = c->major, .minor_version = c->minor,
				.max_inflight_bytes = c->dmadev_inflight_bytes,
				.burst = c->burst,
				.channels_per_vchan = c->dmadev_channels,
			};
			struct rte_dma_info info;

			if (rte_dma_info_get(dev, &info) < 0 || (!all && !listed(c->dmadev, info.dev_name)))
				continue;
			ret = apply_dev_conf(c, info.dev_name, &dc);
			if (ret < 0)
				return ret;
			ret = netdma_dmadev_provider_create(dev, &dc, &dmas[nb_dmas]);
			if (ret < 0) {
				DLOG(WARNING, "dmadev %s: not used: %s\n", info.dev_name, strerror(-ret));
				continue;
			}
			DLOG(INFO, "engine '%s': dmadev %d, %u vchan(s), NetDMA %u.%u%s\n", info.dev_name,
			     dev, info.max_vchans, c->major, c->minor,
			     netdmad_dev_conf(c, info.dev_name) != NULL ? " ([dmadev] section)" : "");
			nb_dmas++;
		}
		if (nb_dmas == 0) {
			rte_log(c->require_dmadev ? RTE_LOG_ERR : RTE_LOG_WARNING, netdmad_logtype,
			     "netdmad: no dmadev engine found (dmadev = %s): %s\n", c->dmadev,
			     rte_dma_count_avail() == 0 ? "EAL probed none; allow-list vfio-pci bound "
			     "engines with -a, or add --vdev=dma_skeleton" : "none matched the list");
			if (c->require_dmadev)
				return -ENODEV;
		}
		if (!all) {
			/* name each configured device that did not show up */
			char copy[sizeof(c->dmadev)], *save, *tok;

			snprintf(copy, sizeof(copy), "%s", c->dmadev);
			for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
				if (rte_dma_get_dev_id_by_name(tok) < 0)
					DLOG(WARNING, "configured dmadev '%s' is absent\n", tok);
		}
	}
	if (cpu == NULL && nb_dmas == 0) {
		DLOG(ERR, "no engine at all: enable [engines] cpu or provide a dmadev\n");
		return -ENODEV;
	}
	return 0;
}

void
netdmad_engines_stop(void)
{
	unsigned int i;

	for (i = 0; i < nb_dmas; i++)
		netdma_dmadev_provider_destroy(dmas[i]);
	nb_dmas = 0;
	if (cpu != NULL)
		netdma_cpu_provider_destroy(cpu);
	cpu = NULL;
}

/*
 * Make client memory reachable by VFIO devices (IOVA = VA).  Without VFIO
 * (software engine, dma_skeleton) registration with EAL is all it takes.
 */
int
netdmad_dma_map(void *va, uint64_t len, bool map)
{
	int ret;

	if (!rte_vfio_is_enabled("vfio_pci"))
		return 0;
	ret = map ? rte_vfio_container_dma_map(RTE_VFIO_DEFAULT_CONTAINER_FD, (uintptr_t)va,
					      (uintptr_t)va, len) :
		rte_vfio_container_dma_unmap(RTE_VFIO_DEFAULT_CONTAINER_FD, (uintptr_t)va,
					     (uintptr_t)va, len);
	return ret < 0 ? -EIO : 0;
}
