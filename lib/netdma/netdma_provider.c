/* SPDX-License-Identifier: BSD-3-Clause */
/* Provider registry and lifecycle: spec §2.1–2.4, §2.7, §2.8, §7. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "netdma_internal.h"

RTE_LOG_REGISTER_DEFAULT(netdma_logtype, INFO);

rte_spinlock_t netdma_registry_lock = RTE_SPINLOCK_INITIALIZER;
static struct netdma_provider *providers[NETDMA_MAX_PROVIDERS];
unsigned int netdma_drain_timeout_ms = 5000;

struct netdma_provider *
netdma_provider_get(uint32_t id)
{
	struct netdma_provider *p;

	if (id >= NETDMA_MAX_PROVIDERS)
		return NULL;
	rte_spinlock_lock(&netdma_registry_lock);
	p = providers[id];
	rte_spinlock_unlock(&netdma_registry_lock);
	return p;
}

uint32_t
netdma_get_version(void)
{
	return NETDMA_MAKE_VERSION(NETDMA_INTERFACE_VERSION_MAJOR, NETDMA_INTERFACE_VERSION_MINOR);
}

void
netdma_set_drain_timeout_ms(unsigned int ms)
{
	netdma_drain_timeout_ms = ms;
}

/* spec §1: 1.0, 1.1 and 2.0 are the documented provider versions, all <= 2.0 */
static bool
version_known(uint8_t major, uint8_t minor)
{
	return (major == 1 && minor <= 1) || (major == 2 && minor == 0);
}

static int
check_characteristics(const struct netdma_provider_characteristics *c)
{
	if (c->size != sizeof(*c)) {
		NETDMA_LOG(ERR, "register: characteristics size %u, expected %zu\n",
			   c->size, sizeof(*c));
		return -EINVAL;
	}
	if (!version_known(c->major_version, c->minor_version)) {
		NETDMA_LOG(ERR, "register: provider version %u.%u is not 1.0, 1.1 or 2.0\n",
			   c->major_version, c->minor_version);
		return -EINVAL;
	}
	if (c->major_version < 2 && c->flags != 0) {
		NETDMA_LOG(ERR, "register: 1.x providers must pass flags 0 (spec §1)\n");
		return -EINVAL;
	}
	if (c->flags & ~(NETDMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED |
			 NETDMA_PROVIDER_SUPPORTS_PROC_GROUPS)) {
		NETDMA_LOG(ERR, "register: unknown characteristics flags 0x%x\n", c->flags);
		return -EINVAL;
	}
	if (c->max_dma_channel_count == 0) {
		NETDMA_LOG(ERR, "register: MaxDmaChannelCount is 0\n");
		return -EINVAL;
	}
	/* spec §3: Allocate, Free, Start and Append are mandatory */
	if (c->allocate_dma_channel == NULL || c->free_dma_channel == NULL ||
	    c->start_dma == NULL || c->append_dma == NULL ||
	    c->poll_dma_channel == NULL || c->query_dma_channel == NULL) {
		NETDMA_LOG(ERR, "register: a mandatory callback is NULL\n");
		return -EINVAL;
	}
	/* spec rule 12: Suspend requires Resume */
	if (c->suspend_dma != NULL && c->resume_dma == NULL) {
		NETDMA_LOG(ERR, "register: SuspendDma given without ResumeDma (spec §8 rule 12)\n");
		return -EINVAL;
	}
	/* spec §1: FriendlyName is required for 2.0 */
	if (c->major_version >= 2 &&
	    (c->friendly_name.buffer == NULL || c->friendly_name.length == 0)) {
		NETDMA_LOG(ERR, "register: 2.0 provider without a FriendlyName\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * Spec §3.1: tell the provider which lcore services each channel.  Worker
 * lcores first (the main lcore usually runs the application), round-robin.
 */
static int
call_affinity(struct netdma_provider *p)
{
	struct netdma_channel_cpu_affinity *arr;
	unsigned int lcores[RTE_MAX_LCORE], n = 0, l, i;
	int ret;

	if (p->c.set_dma_channel_cpu_affinity == NULL)
		return 0;
	RTE_LCORE_FOREACH_WORKER(l)
		lcores[n++] = l;
	lcores[n++] = rte_get_main_lcore();
	arr = calloc(p->c.max_dma_channel_count, sizeof(*arr));
	if (arr == NULL)
		return -ENOMEM;
	for (i = 0; i < p->c.max_dma_channel_count; i++) {
		arr[i].dma_channel = i;
		arr[i].cpu_number = lcores[i % n];
	}
	ret = p->c.set_dma_channel_cpu_affinity(p->ctx, arr,
			p->c.max_dma_channel_count * (uint32_t)sizeof(*arr));
	free(arr);
	return ret < 0 ? netdma_status_to_errno(ret) : 0;
}

int
netdma_register_provider(void *provider_ctx, struct netdma_provider **handle,
			 const struct netdma_provider_characteristics *c)
{
	struct netdma_provider *p;
	uint32_t id;
	int ret;

	if (handle == NULL || c == NULL)
		return -EINVAL;
	ret = check_characteristics(c);
	if (ret < 0)
		return ret;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->ctx = provider_ctx;
	p->c = *c;
	TAILQ_INIT(&p->chans);

	rte_spinlock_lock(&netdma_registry_lock);
	for (id = 0; id < NETDMA_MAX_PROVIDERS && providers[id] != NULL; id++)
		;
	if (id == NETDMA_MAX_PROVIDERS) {
		rte_spinlock_unlock(&netdma_registry_lock);
		free(p);
		NETDMA_LOG(ERR, "register: %d providers already registered\n", NETDMA_MAX_PROVIDERS);
		return -ENOSPC;
	}
	p->id = id;
	providers[id] = p;   /* reserve the slot; not listed until registered */
	rte_spinlock_unlock(&netdma_registry_lock);

	if (c->friendly_name.buffer != NULL && c->friendly_name.length > 0)
		snprintf(p->name, sizeof(p->name), "%.*s", (int)c->friendly_name.length,
			 c->friendly_name.buffer);
	else
		snprintf(p->name, sizeof(p->name), "provider%u", id);
	p->c.friendly_name.buffer = p->name;  /* don't keep the caller's pointer */

	ret = call_affinity(p);   /* spec §2.1: inside Register */
	if (ret < 0) {
		NETDMA_LOG(ERR, "register %s: SetDmaChannelCpuAffinity failed: %d\n", p->name, ret);
		rte_spinlock_lock(&netdma_registry_lock);
		providers[id] = NULL;
		rte_spinlock_unlock(&netdma_registry_lock);
		free(p);
		return ret;
	}
	p->registered = true;
	*handle = p;
	/* a process with a provider has something to show (netdma_lcore.h "Telemetry") */
	netdma_telemetry_register();
	NETDMA_LOG(INFO, "provider %u '%s' registered, version %u.%u, up to %u channels\n",
		   id, p->name, c->major_version, c->minor_version, c->max_dma_channel_count);
	return 0;
}

int
netdma_deregister_provider(struct netdma_provider *p)
{
	if (p == NULL || !p->registered)
		return -EINVAL;
	if (p->started) {
		/* spec rule 11: Stop precedes Deregister */
		NETDMA_LOG(ERR, "deregister %s: provider still started; call netdma_provider_stop first\n",
			   p->name);
		return -EBUSY;
	}
	rte_spinlock_lock(&netdma_registry_lock);
	providers[p->id] = NULL;
	rte_spinlock_unlock(&netdma_registry_lock);
	NETDMA_LOG(INFO, "provider %u '%s' deregistered\n", p->id, p->name);
	p->registered = false;
	free(p);
	return 0;
}

int
netdma_provider_start(struct netdma_provider *p, const struct netdma_provider_attributes *attr)
{
	if (p == NULL || !p->registered || attr == NULL)
		return -EINVAL;
	if (attr->size != sizeof(*attr)) {
		NETDMA_LOG(ERR, "start %s: attributes size %u, expected %zu\n",
			   p->name, attr->size, sizeof(*attr));
		return -EINVAL;
	}
	if (attr->dma_channel_count == 0 ||
	    attr->maximum_transfer_size < NETDMA_MIN_MAX_TRANSFER_SIZE) {
		NETDMA_LOG(ERR, "start %s: need >= 1 channel and MaximumTransferSize >= 4096 (spec §2.3)\n",
			   p->name);
		return -EINVAL;
	}
	rte_spinlock_lock(&netdma_registry_lock);
	if (p->started) {
		rte_spinlock_unlock(&netdma_registry_lock);
		return -EBUSY;
	}
	p->attr = *attr;
	p->started = true;
	rte_spinlock_unlock(&netdma_registry_lock);
	NETDMA_LOG(INFO, "provider %u '%s' started: %u channels, max transfer %u\n",
		   p->id, p->name, attr->dma_channel_count, attr->maximum_transfer_size);
	return 0;
}

/* Detach the first channel of @p p, or NULL once none is left. */
static struct netdma_chan *
pop_chan(struct netdma_provider *p)
{
	struct netdma_chan *c;

	rte_spinlock_lock(&netdma_registry_lock);
	c = TAILQ_FIRST(&p->chans);
	if (c != NULL) {
		TAILQ_REMOVE(&p->chans, c, prov_link);
		p->nb_chans--;
		rte_spinlock_lock(&c->lock);
		c->detached = true;   /* Free waits until Stop has revoked it */
		rte_spinlock_unlock(&c->lock);
	}
	rte_spinlock_unlock(&netdma_registry_lock);
	return c;
}

/* Spec §2.4: let a channel's work finish; say what was abandoned instead. */
static void
drain_or_abort(const struct netdma_provider *p, struct netdma_chan *c, const char *why)
{
	int ret = netdma_chan_drain(c, netdma_drain_timeout_ms);

	if (ret == -ECANCELED)
		NETDMA_LOG(NOTICE, "%s %s: channel on lcore %u is suspended with descriptors left "
			   "to fetch%s\n", why, p->name, c->lcore,
			   strcmp(why, "stop") == 0 ? "; they are abandoned" : "");
	else if (ret < 0)
		NETDMA_LOG(WARNING, "%s %s: channel on lcore %u did not drain in %u ms; aborted\n",
			   why, p->name, c->lcore, netdma_drain_timeout_ms);
}

int
netdma_provider_stop(struct netdma_provider *p)
{
	struct netdma_chan *c;

	if (p == NULL || !p->registered)
		return -EINVAL;
	rte_spinlock_lock(&netdma_registry_lock);
	if (!p->started) {
		rte_spinlock_unlock(&netdma_registry_lock);
		return -EPERM;
	}
	p->started = false;   /* no new allocations from here on */
	rte_spinlock_unlock(&netdma_registry_lock);

	/* spec §2.4: drain, then FreeDmaChannel for every channel */
	while ((c = pop_chan(p)) != NULL) {
		drain_or_abort(p, c, "stop");
		netdma_lcore_detach(c);
		rte_spinlock_lock(&c->lock);
		p->c.free_dma_channel(c->prov_ctx);
		c->prov_ctx = NULL;
		c->prov = NULL;   /* Deregister frees it: nothing may read it from here on */
		netdma_core_event(&c->core, NETDMA_EV_REVOKE);
		netdma_core_fail(&c->core, -ENODEV, "provider '%s' stopped", p->name);
		rte_spinlock_unlock(&c->lock);
	}
	NETDMA_LOG(INFO, "provider %u '%s' stopped\n", p->id, p->name);
	return 0;
}

/* spec §7.5 PowerUp: re-Start every running channel with a NULL descriptor */
static void
reseed_channels(struct netdma_provider *p)
{
	struct netdma_chan *c;

	rte_spinlock_lock(&netdma_registry_lock);
	TAILQ_FOREACH(c, &p->chans, prov_link) {
		netdma_iova_t pa = c->reseed_iova;
		int ret;

		rte_spinlock_lock(&c->lock);
		/* started channels only: the table says which (power-up column) */
		if (netdma_state_next(c->core.state, NETDMA_EV_POWER_UP) == NETDMA_CHAN_RUNNING) {
			ret = p->c.start_dma(c->prov_ctx, c->reseed, pa, 1);
			if (ret < 0) {
				netdma_core_event(&c->core, NETDMA_EV_ERROR);
				netdma_core_fail(&c->core, ret, "power-up re-start failed (%d)", ret);
			} else {
				netdma_core_event(&c->core, NETDMA_EV_POWER_UP);
			}
		}
		rte_spinlock_unlock(&c->lock);
	}
	rte_spinlock_unlock(&netdma_registry_lock);
}

/*
 * The registry lock keeps every channel alive while it drains (Free needs
 * that lock to unlink a channel); power-down is rare enough to block others.
 */
static void
drain_all(struct netdma_provider *p)
{
	struct netdma_chan *c;

	rte_spinlock_lock(&netdma_registry_lock);
	TAILQ_FOREACH(c, &p->chans, prov_link)
		drain_or_abort(p, c, "power-down");
	rte_spinlock_unlock(&netdma_registry_lock);
}

int
netdma_pnp_event_notify(struct netdma_provider *p, const struct netdma_pnp_notification *ev)
{
	if (p == NULL || !p->registered || ev == NULL)
		return -EINVAL;
	if (p->c.major_version == 1 && p->c.minor_version == 0) {
		NETDMA_LOG(ERR, "pnp %s: notifications need a 1.1 or later provider (spec §2.8)\n", p->name);
		return -EPERM;
	}
	if (ev->structure_revision != NETDMA_PNP_NOTIFICATION_REVISION_1 ||
	    ev->structure_size != sizeof(*ev))
		return -EINVAL;
	switch (ev->notification_code) {
	case NETDMA_PNP_PROVIDER_POWER_DOWN:
		if (!p->started || p->powered_down)
			return -EPERM;
		p->powered_down = true;   /* consumers get -EAGAIN from here on */
		drain_all(p);
		NETDMA_LOG(INFO, "provider '%s' powered down\n", p->name);
		return 0;
	case NETDMA_PNP_PROVIDER_POWER_UP:
		if (!p->powered_down)
			return -EPERM;
		reseed_channels(p);
		p->powered_down = false;
		NETDMA_LOG(INFO, "provider '%s' powered up; channels re-started\n", p->name);
		return 0;
	default:
		/* spec §2.8: providers may only send the two power codes */
		return -EINVAL;
	}
}

int
netdma_provider_list(struct netdma_provider_info *infos, unsigned int max)
{
	return netdma_provider_list_from(0, infos, max);
}

int
netdma_provider_list_from(uint32_t first, struct netdma_provider_info *infos, unsigned int max)
{
	unsigned int id, n = 0;

	rte_spinlock_lock(&netdma_registry_lock);
	for (id = first; id < NETDMA_MAX_PROVIDERS; id++) {
		struct netdma_provider *p = providers[id];
		struct netdma_provider_info *i;

		if (p == NULL || !p->registered)
			continue;
		if (n < max && infos != NULL) {
			i = &infos[n];
			memset(i, 0, sizeof(*i));
			i->id = p->id;
			snprintf(i->name, sizeof(i->name), "%s", p->name);
			i->major_version = p->c.major_version;
			i->minor_version = p->c.minor_version;
			i->started = p->started;
			i->powered_down = p->powered_down;
			i->flags = p->c.flags;
			i->channel_count = p->started ? p->attr.dma_channel_count : 0;
			i->channels_in_use = p->nb_chans;
			i->maximum_transfer_size = p->attr.maximum_transfer_size;
			i->maximum_address_space = p->attr.maximum_address_space;
		}
		n++;
	}
	rte_spinlock_unlock(&netdma_registry_lock);
	return (int)n;
}

int
netdma_provider_find(const char *name)
{
	unsigned int id;
	int ret = -ENOENT;

	if (name == NULL)
		return -EINVAL;
	rte_spinlock_lock(&netdma_registry_lock);
	for (id = 0; id < NETDMA_MAX_PROVIDERS; id++)
		if (providers[id] != NULL && providers[id]->registered &&
		    strcmp(providers[id]->name, name) == 0) {
			ret = (int)id;
			break;
		}
	rte_spinlock_unlock(&netdma_registry_lock);
	return ret;
}

/* NTSTATUS failures (0xC...) are negative int32 values below -4095. */
int
netdma_status_to_errno(int status)
{
	if (status >= 0)
		return 0;
	return status >= -4095 ? status : -EIO;
}
