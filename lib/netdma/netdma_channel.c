/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Consumer side: channel allocation and the Start/Append/Suspend/Resume/
 * Abort/Reset/Free calls, with the state machine of spec §8 enforced here
 * so that providers stay thin.  Lock order: registry lock, then a channel
 * lock, then nothing; never the registry lock while holding a channel lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_per_lcore.h>

#include "netdma_chain.h"
#include "netdma_internal.h"

/* A handle a consumer may use: not NULL, not freed (struct netdma_chan.magic). */
static inline bool
chan_live(const struct netdma_chan *c)
{
	return c != NULL && __atomic_load_n(&c->magic, __ATOMIC_ACQUIRE) == NETDMA_CHAN_MAGIC;
}

/* ---- memory --------------------------------------------------------- */

void *
netdma_mem_alloc(size_t size, size_t align)
{
	return rte_zmalloc("netdma", size, align < 64 ? 64 : align);
}

void
netdma_mem_free(void *ptr)
{
	rte_free(ptr);
}

/*
 * The memseg list of an address.  Descriptors and buffers checked one after
 * the other almost always share one, and EAL's lookup walks every list: keep
 * the last hit per thread, revalidated against the live list (an
 * unregistered list has no base any more, so a stale hit cannot pass).
 */
static RTE_DEFINE_PER_LCORE(const struct rte_memseg_list *, last_msl);

static const struct rte_memseg_list *
msl_of(const void *va)
{
	const struct rte_memseg_list *m = RTE_PER_LCORE(last_msl);

	if (m != NULL && m->base_va != NULL &&
	    (uintptr_t)va - (uintptr_t)m->base_va < m->len)
		return m;
	m = rte_mem_virt2memseg_list(va);
	RTE_PER_LCORE(last_msl) = m;
	return m;
}

netdma_iova_t
netdma_virt2iova(const void *va)
{
	rte_iova_t iova;

	/* in IOVA-as-VA mode rte_mem_virt2iova() accepts any address: ask EAL */
	if (va == NULL || msl_of(va) == NULL)
		return NETDMA_BAD_IOVA;
	iova = rte_mem_virt2iova(va);
	return iova == RTE_BAD_IOVA ? NETDMA_BAD_IOVA : iova;
}

/* The IOVA mode is fixed once EAL is up; asking EAL each time costs a call. */
int netdma_iova_mode_va = -1;

static inline bool
iova_is_va(void)
{
	if (unlikely(netdma_iova_mode_va < 0))
		netdma_iova_mode_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	return netdma_iova_mode_va == 1;
}

static inline void *
iova2virt(netdma_iova_t iova)
{
	if (likely(iova_is_va()))
		return (void *)(uintptr_t)iova;
	return rte_mem_iova2virt(iova);
}

void *
netdma_iova2virt(netdma_iova_t iova)
{
	return iova2virt(iova);
}

/*
 * Default validator: the whole range lies in one DPDK memseg list.  Inline:
 * it runs for every descriptor and both its buffers, at Append and at fetch.
 */
static inline bool
in_dpdk_memory(netdma_iova_t iova, uint64_t len)
{
	const char *va = iova2virt(iova);
	const struct rte_memseg_list *msl;

	if (va == NULL || len == 0)
		return false;
	msl = msl_of(va);
	if (msl == NULL)
		return false;
	if (!iova_is_va())   /* IOVA contiguity only within a memseg */
		return rte_mem_virt2memseg(va, msl) == rte_mem_virt2memseg(va + len - 1, msl);
	return (uintptr_t)va + len <= (uintptr_t)msl->base_va + msl->len;
}

static bool
dpdk_range_ok(void *ctx __rte_unused, netdma_iova_t iova, uint64_t len)
{
	return in_dpdk_memory(iova, len);
}

/*
 * Does [iova, iova+len) touch the channel's re-seed slots (spec §7.5)?  They
 * are library memory in the same heap as the consumer's: no consumer range
 * may name them, whatever the validator says (issue 9, hole 2).
 */
static inline bool
touches_reseed(const struct netdma_chan *c, netdma_iova_t iova, uint64_t len)
{
	netdma_iova_t end = iova + len;

	if (end < iova)   /* wraps: it covers everything above iova */
		return iova < c->reseed_iova + NETDMA_RESEED_BYTES;
	return iova < c->reseed_iova + NETDMA_RESEED_BYTES && end > c->reseed_iova;
}

/*
 * Shrink a validator's window [*lo, *hi) around [iova, iova+len) so that it
 * leaves the re-seed slots out: the engines and the chain check answer
 * later ranges from cached windows without asking again.
 */
static inline void
narrow_window(const struct netdma_chan *c, netdma_iova_t iova, netdma_iova_t *lo,
	      netdma_iova_t *hi)
{
	netdma_iova_t r = c->reseed_iova, r_end = r + NETDMA_RESEED_BYTES;

	if (iova < r)
		*hi = RTE_MIN(*hi, r);
	else
		*lo = RTE_MAX(*lo, r_end);
}

bool
netdma_chan_addr_ok(void *handle, netdma_iova_t iova, uint64_t len)
{
	struct netdma_chan *c = handle;

	if (unlikely(touches_reseed(c, iova, len)))
		return false;
	/* the default validator, without the indirect call */
	if (likely(c->addr_check == dpdk_range_ok))
		return in_dpdk_memory(iova, len);
	if (c->addr_win != NULL) {
		netdma_iova_t lo, hi;

		return c->addr_win(c->addr_ctx, iova, len, &lo, &hi);
	}
	return c->addr_check(c->addr_ctx, iova, len);
}

bool
netdma_chan_addr_win(void *handle, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo,
		     netdma_iova_t *hi)
{
	struct netdma_chan *c = handle;
	const struct rte_memseg_list *msl;

	if (unlikely(touches_reseed(c, iova, len)))
		return false;
	if (c->addr_win != NULL) {
		if (!c->addr_win(c->addr_ctx, iova, len, lo, hi))
			return false;
	} else if (likely(c->addr_check == dpdk_range_ok) && iova_is_va()) {
		if (!in_dpdk_memory(iova, len))
			return false;
		/* the whole list: one VA reservation, every part of it passes the same test */
		msl = msl_of((const void *)(uintptr_t)iova);
		*lo = (uintptr_t)msl->base_va;
		*hi = (uintptr_t)msl->base_va + msl->len;
	} else {
		if (!netdma_chan_addr_ok(handle, iova, len))
			return false;
		*lo = iova;
		*hi = iova + len;
	}
	narrow_window(c, iova, lo, hi);
	return true;
}

bool
netdma_chan_desc_internal(void *handle, netdma_iova_t pa)
{
	const struct netdma_chan *c = handle;

	return pa == c->reseed_iova || pa == c->reseed_iova + sizeof(*c->reseed);
}

int
netdma_chan_set_addr_check(struct netdma_chan *c, netdma_addr_check_t fn, void *ctx)
{
	if (!chan_live(c))
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	c->addr_check = fn != NULL ? fn : dpdk_range_ok;
	c->addr_win = NULL;
	c->addr_ctx = fn != NULL ? ctx : NULL;
	rte_spinlock_unlock(&c->lock);
	return 0;
}

int
netdma_chan_set_addr_window_check(struct netdma_chan *c, netdma_range_win_t fn, void *ctx)
{
	if (fn == NULL)
		return netdma_chan_set_addr_check(c, NULL, NULL);
	if (!chan_live(c))
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	c->addr_check = NULL;   /* addr_win answers */
	c->addr_win = fn;
	c->addr_ctx = ctx;
	rte_spinlock_unlock(&c->lock);
	return 0;
}

const struct netdma_channel_params *
netdma_chan_params(void *handle)
{
	return &((struct netdma_chan *)handle)->params;
}

void
netdma_chan_set_error(void *handle, const char *fmt, ...)
{
	struct netdma_chan *c = handle;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->core.last_error, sizeof(c->core.last_error), fmt, ap);
	va_end(ap);
	/* a consumer may halt its channels at will: netdma_chan_last_error() tells it */
	NETDMA_LOG(DEBUG, "channel on lcore %u (%s): %s\n", c->lcore, c->prov->name,
		   c->core.last_error);
}

/* Every state change of a channel: logged, and told to a service that asked. */
static void
chan_state_changed(void *arg, int old, int new, enum netdma_chan_event ev)
{
	struct netdma_chan *c = arg;

	NETDMA_LOG(DEBUG, "channel %p on lcore %u: %s -> %s (%s)\n", (void *)c, c->lcore,
		   netdma_chan_state_name(old), netdma_chan_state_name(new), netdma_event_name(ev));
	if (c->state_cb != NULL)
		c->state_cb(c->state_cb_arg, old, new, ev);
}

/* ---- lcore choice ----------------------------------------------------- */

static bool
lcore_allowed(const struct netdma_channel_params *p, unsigned int l)
{
	if (l >= RTE_MAX_LCORE || !rte_lcore_is_enabled(l))
		return false;
	if (p->revision >= NETDMA_CHANNEL_REVISION_2) {
		const struct netdma_group_affinity *g = &p->processor_affinity_mask_ex;

		if (g->mask == 0)
			return true;
		return l / 64 == g->group && (g->mask >> (l % 64)) & 1;
	}
	if (p->processor_affinity_mask == 0)
		return true;
	return l < 32 && (p->processor_affinity_mask >> l) & 1;
}

int
netdma_pick_lcore(const struct netdma_channel_params *p, int preferred)
{
	unsigned int l;

	if (preferred >= 0 && lcore_allowed(p, (unsigned int)preferred))
		return preferred;
	RTE_LCORE_FOREACH(l)
		if (lcore_allowed(p, l))
			return (int)l;
	return -EINVAL;
}

/* ---- allocation --------------------------------------------------------- */

/*
 * Freed channels, oldest first.  Their memory is never handed back to the
 * heap, so a stale handle reads a dead magic instead of freed memory, and
 * they are reused FIFO so that a stale handle stays dead as long as
 * possible (the ABA limit is documented in netdma.h).  Protected by the
 * registry lock.  The memory is libc's, not DPDK's: no default validator
 * lets a descriptor reach a channel.
 */
static struct netdma_chan_list free_chans = TAILQ_HEAD_INITIALIZER(free_chans);

/* A zeroed channel, not live yet: the oldest freed one, or new memory. */
static struct netdma_chan *
chan_get(void)
{
	struct netdma_chan *c;
	void *mem;

	rte_spinlock_lock(&netdma_registry_lock);
	c = TAILQ_FIRST(&free_chans);
	if (c != NULL)
		TAILQ_REMOVE(&free_chans, c, prov_link);
	rte_spinlock_unlock(&netdma_registry_lock);
	if (c == NULL) {
		if (posix_memalign(&mem, RTE_CACHE_LINE_SIZE, sizeof(*c)) != 0)
			return NULL;
		c = mem;
	}
	memset(c, 0, sizeof(*c));
	c->magic = NETDMA_CHAN_MAGIC_FREED;
	rte_spinlock_init(&c->lock);
	return c;
}

/* Kill the handle and keep the memory for a later allocation. */
static void
chan_put(struct netdma_chan *c)
{
	__atomic_store_n(&c->magic, NETDMA_CHAN_MAGIC_FREED, __ATOMIC_RELEASE);
	rte_free(c->reseed);
	c->reseed = NULL;
	c->prov = NULL;
	c->prov_ctx = NULL;
	rte_spinlock_lock(&netdma_registry_lock);
	TAILQ_INSERT_TAIL(&free_chans, c, prov_link);
	rte_spinlock_unlock(&netdma_registry_lock);
}

int
netdma_chan_alloc(uint32_t provider_id, const struct netdma_chan_conf *conf,
		  struct netdma_chan **out)
{
	struct netdma_provider *p = netdma_provider_get(provider_id);
	struct netdma_chan *c;
	netdma_iova_t cw_iova;
	int ret;

	if (out == NULL || conf == NULL)
		return -EINVAL;
	if (p == NULL || !p->registered || !p->started) {
		NETDMA_LOG(DEBUG, "alloc: provider %u absent or not started (spec §8 rule 1)\n", provider_id);
		return -ENODEV;
	}
	if (p->powered_down)
		return -EAGAIN;
	if (conf->completion_word == NULL || ((uintptr_t)conf->completion_word & 7)) {
		NETDMA_LOG(ERR, "alloc: completion word missing or not 8-byte aligned\n");
		return -EINVAL;
	}
	cw_iova = netdma_virt2iova((const void *)conf->completion_word);
	if (cw_iova == NETDMA_BAD_IOVA) {
		NETDMA_LOG(ERR, "alloc: completion word is not in DMA-visible memory\n");
		return -EFAULT;
	}

	c = chan_get();
	if (c == NULL)
		return -ENOMEM;
	/* two slots: a 2.0 chain's last descriptor must pre-link the next one */
	c->reseed = rte_zmalloc("netdma_reseed", NETDMA_RESEED_BYTES, 64);
	c->reseed_iova = c->reseed != NULL ? netdma_virt2iova(c->reseed) : NETDMA_BAD_IOVA;
	if (c->reseed_iova == NETDMA_BAD_IOVA) {
		ret = -ENOMEM;
		goto err;
	}
	c->reseed[0].control_flags = NETDMA_F_NULL_TRANSFER;
	if (p->c.major_version >= 2)
		c->reseed[0].next_descriptor = netdma_virt2iova(&c->reseed[1]);
	c->prov = p;
	c->version = (uint16_t)(p->c.major_version << 8 | p->c.minor_version);
	netdma_core_init(&c->core, p->c.major_version, chan_state_changed, c);
	c->addr_check = dpdk_range_ok;
	c->intr_cb = conf->intr_cb;
	c->intr_arg = conf->intr_arg;
	c->params.revision = NETDMA_CHANNEL_REVISION_2;
	c->params.size = NETDMA_CHANNEL_PARAMS_SIZE_REV2;
	c->params.completion_virtual_address = conf->completion_word;
	c->params.completion_physical_address = cw_iova;
	c->params.processor_affinity_mask = conf->lcore_group == 0 ? (uint32_t)conf->lcore_mask : 0;
	c->params.channel_priority = conf->priority;
	c->params.processor_affinity_mask_ex.mask = conf->lcore_mask;
	c->params.processor_affinity_mask_ex.group = conf->lcore_group;
	if (conf->lcore_mask != 0 && netdma_pick_lcore(&c->params, -1) < 0) {
		NETDMA_LOG(ERR, "alloc: the lcore mask allows no enabled lcore\n");
		ret = -EINVAL;
		goto err;
	}
	/* spec §12.16 leaves the initial value open: "nothing retired yet" */
	__atomic_store_n(conf->completion_word,
			 netdma_completion_encode(0, NETDMA_STATUS_ARMED), __ATOMIC_RELEASE);

	ret = p->c.allocate_dma_channel(p->ctx, &c->params, c, &c->prov_ctx);
	if (ret < 0) {
		ret = netdma_status_to_errno(ret);
		/* no free channel is an answer, not an event: the caller has the errno */
		NETDMA_LOG(DEBUG, "alloc on '%s' failed: %d\n", p->name, ret);
		goto err;
	}
	/* spec §3.2: the provider must report a CpuNumber inside the mask */
	if (!lcore_allowed(&c->params, c->params.cpu_number)) {
		NETDMA_LOG(ERR, "alloc on '%s': provider chose lcore %u outside the mask\n",
			   p->name, c->params.cpu_number);
		p->c.free_dma_channel(c->prov_ctx);
		ret = -EINVAL;
		goto err;
	}
	c->lcore = c->params.cpu_number;

	rte_spinlock_lock(&netdma_registry_lock);
	if (!p->started) {   /* raced with netdma_provider_stop() */
		rte_spinlock_unlock(&netdma_registry_lock);
		p->c.free_dma_channel(c->prov_ctx);
		ret = -ENODEV;
		goto err;
	}
	TAILQ_INSERT_TAIL(&p->chans, c, prov_link);
	p->nb_chans++;
	rte_spinlock_unlock(&netdma_registry_lock);
	netdma_lcore_attach(c);
	/* published last: a handle is live only once everything above holds */
	__atomic_store_n(&c->magic, NETDMA_CHAN_MAGIC, __ATOMIC_RELEASE);
	*out = c;
	return 0;
err:
	chan_put(c);
	return ret;
}

int
netdma_chan_lcore(const struct netdma_chan *c)
{
	if (!chan_live(c))
		return -EINVAL;
	return (int)c->lcore;
}

int
netdma_chan_version(const struct netdma_chan *c)
{
	if (!chan_live(c))
		return -EINVAL;
	return c->version;   /* cached: a revoked channel's provider may be gone */
}

/* ---- the transfer calls ------------------------------------------------- */

const struct netdma_descriptor *
netdma_desc_fetch_va(void *ctx __rte_unused, netdma_iova_t pa)
{
	return netdma_iova2virt_inline(pa);
}

bool
netdma_chan_range_ok(void *handle, netdma_iova_t iova, uint64_t len)
{
	return netdma_chan_addr_ok(handle, iova, len);
}

void
netdma_chan_check_rules(struct netdma_chan *c, struct netdma_check_rules *rules)
{
	memset(rules, 0, sizeof(*rules));
	rules->major_version = c->prov->c.major_version;
	rules->max_transfer_size = c->prov->attr.maximum_transfer_size;
	rules->max_address = c->prov->attr.maximum_address_space;
	rules->range_ok = netdma_chan_addr_ok;
	rules->range_win = netdma_chan_addr_win;   /* one call, not two */
	rules->range_ctx = c;
	rules->fetch = netdma_desc_fetch_va;
	rules->fetch_ctx = c;
}

/*
 * Common entry: lock, check the transition (spec §8).  On success the lock is
 * held and the target state returned; on failure the lock is released.
 */
static int
enter(struct netdma_chan *c, enum netdma_chan_event op)
{
	int next;

	if (!chan_live(c))
		return -EINVAL;   /* NULL, or freed: nothing of it may be used */
	rte_spinlock_lock(&c->lock);
	next = netdma_core_allows(&c->core, op);
	if (next < 0) {
		rte_spinlock_unlock(&c->lock);
		return next;
	}
	if (op != NETDMA_OP_FREE && c->prov->powered_down) {
		netdma_core_fail(&c->core, -EAGAIN, "provider powered down");
		rte_spinlock_unlock(&c->lock);
		return -EAGAIN;
	}
	return next;
}

static int
leave(struct netdma_chan *c, int ret)
{
	rte_spinlock_unlock(&c->lock);
	return ret;
}

int
netdma_chan_set_check_at_fetch(struct netdma_chan *c, bool enable)
{
	if (!chan_live(c))
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	c->core.check_at_fetch = enable;
	rte_spinlock_unlock(&c->lock);
	return 0;
}

int
netdma_chan_set_state_cb(struct netdma_chan *c, netdma_core_state_cb_t cb, void *arg)
{
	if (!chan_live(c))
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	c->state_cb = cb;
	c->state_cb_arg = arg;
	if (cb != NULL)   /* the state as of now, so the service starts from the truth */
		cb(arg, c->core.state, c->core.state, NETDMA_EV_MAX);
	rte_spinlock_unlock(&c->lock);
	return 0;
}

static int
submit(struct netdma_chan *c, enum netdma_chan_event op, struct netdma_descriptor *head,
       uint32_t count)
{
	struct netdma_range_cache cache;
	struct netdma_check_rules rules;
	netdma_iova_t pa, prelink;
	netdma_dma_submit_t fn;
	int ret;

	ret = enter(c, op);
	if (ret < 0)
		return ret;
	netdma_chan_check_rules(c, &rules);
	rules.cache = &cache;   /* this call's only */
	netdma_range_cache_reset(&cache);
	pa = head != NULL ? netdma_virt2iova(head) : NETDMA_BAD_IOVA;
	ret = netdma_core_check_submit(&c->core, op, head, pa, count, &rules, &prelink);
	if (ret < 0) {
		NETDMA_LOG(DEBUG, "%s refused: %s\n", netdma_event_name(op), c->core.last_error);
		return leave(c, ret);
	}
	fn = netdma_core_as_start(&c->core, op) ? c->prov->c.start_dma : c->prov->c.append_dma;
	ret = netdma_status_to_errno(fn(c->prov_ctx, head, pa, count));
	if (ret < 0)
		return leave(c, netdma_core_fail(&c->core, ret, "provider refused %s: %d",
						 netdma_event_name(op), ret));
	netdma_core_submitted(&c->core, op, prelink);
	if (op == NETDMA_OP_START)
		c->starts++;
	else
		c->appends++;
	leave(c, 0);
	netdma_lcore_kick(c->lcore);   /* a parked poller has work now */
	return 0;
}

int
netdma_chan_start(struct netdma_chan *c, struct netdma_descriptor *head, uint32_t count)
{
	return submit(c, NETDMA_OP_START, head, count);
}

int
netdma_chan_append(struct netdma_chan *c, struct netdma_descriptor *head, uint32_t count)
{
	return submit(c, NETDMA_OP_APPEND, head, count);
}

/* Resume/Abort/Reset: optional provider callbacks (spec §3.6-3.8). */
static int
control(struct netdma_chan *c, enum netdma_chan_event op)
{
	netdma_dma_ctl_t fn;
	int ret;

	ret = enter(c, op);
	if (ret < 0)
		return ret;
	fn = op == NETDMA_OP_RESUME ? c->prov->c.resume_dma :
		op == NETDMA_OP_ABORT ? c->prov->c.abort_dma : c->prov->c.reset_channel;
	ret = netdma_status_to_errno(fn == NULL ? -ENOTSUP : fn(c->prov_ctx));
	if (ret < 0)
		return leave(c, netdma_core_fail(&c->core, ret, "%s failed: %d",
						 netdma_event_name(op), ret));
	netdma_core_event(&c->core, op);
	leave(c, 0);
	netdma_lcore_kick(c->lcore);
	return 0;
}

/*
 * Suspend, first half: stop fetching.  The provider either stopped at
 * once (its last descriptor is known) or answers -EINPROGRESS and reports
 * the end of the descriptors it was processing from a later poll
 * (netdma_suspend_complete()): nothing waits here, so netdmad can run it
 * on a poller other channels share.
 */
int
netdma_chan_suspend_begin(struct netdma_chan *c)
{
	netdma_iova_t last = 0;
	int ret;

	ret = enter(c, NETDMA_OP_SUSPEND);
	if (ret < 0)
		return ret;
	ret = c->prov->c.suspend_dma == NULL ? -ENOTSUP : c->prov->c.suspend_dma(c->prov_ctx, &last);
	if (ret != -EINPROGRESS) {
		ret = netdma_status_to_errno(ret);
		if (ret < 0)
			return leave(c, netdma_core_fail(&c->core, ret, "suspend failed: %d", ret));
	}
	netdma_core_event(&c->core, NETDMA_OP_SUSPEND);
	if (ret == 0) {
		c->suspend_last = last;
		netdma_core_event(&c->core, NETDMA_EV_DRAINED);
	}
	leave(c, 0);
	netdma_lcore_kick(c->lcore);   /* the poll completes it */
	return ret;
}

/* Called by the provider, channel lock held, when a -EINPROGRESS Suspend ends. */
void
netdma_suspend_complete(void *handle, int status, netdma_iova_t last)
{
	struct netdma_chan *c = handle;

	if (c->core.state != NETDMA_CHAN_SUSPENDING)
		return;   /* aborted or reset meanwhile: nothing to complete */
	if (status == 0) {
		c->suspend_last = last;
		netdma_core_event(&c->core, NETDMA_EV_DRAINED);
	} else {
		netdma_core_fail(&c->core, status, "suspend did not complete: the descriptors being "
				 "processed did not finish in time");
		netdma_core_event(&c->core, NETDMA_EV_DRAIN_TIMEOUT);
	}
}

/* The outcome of the channel's Suspend, while it is the last thing that happened to it. */
static int
suspend_outcome(const struct netdma_chan *c, netdma_iova_t *last)
{
	switch (c->core.state) {
	case NETDMA_CHAN_SUSPENDING:
		return -EINPROGRESS;
	case NETDMA_CHAN_SUSPENDED:
		*last = c->suspend_last;
		return 0;
	case NETDMA_CHAN_RUNNING:
		return -ETIMEDOUT;   /* the drain timed out: it runs on */
	case NETDMA_CHAN_REVOKED:
		return -ENODEV;
	default:
		return -EIO;         /* halted: an error, an Abort or a Reset came first */
	}
}

int
netdma_chan_suspend_poll(struct netdma_chan *c, netdma_iova_t *last)
{
	int ret;

	if (!chan_live(c) || last == NULL)
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	ret = suspend_outcome(c, last);
	rte_spinlock_unlock(&c->lock);
	return ret;
}

/*
 * The consumer's Suspend returns once the descriptors being processed have
 * completed (spec §3.6).  The caller polls the channel while it waits, so
 * that it completes also where no poller runs (the owner may be the
 * caller), and holds the channel lock only for one poll at a time.
 */
int
netdma_chan_suspend(struct netdma_chan *c, netdma_iova_t *last)
{
	netdma_iova_t dummy = 0, *out = last != NULL ? last : &dummy;
	int ret = netdma_chan_suspend_begin(c);

	if (ret == 0)
		return netdma_chan_suspend_poll(c, out);
	if (ret != -EINPROGRESS)
		return ret;
	for (;;) {
		rte_spinlock_lock(&c->lock);
		if (c->core.state == NETDMA_CHAN_SUSPENDING)
			netdma_chan_poll_locked(c);
		ret = suspend_outcome(c, out);
		rte_spinlock_unlock(&c->lock);
		if (ret != -EINPROGRESS)
			return ret;
		rte_pause();
	}
}

int
netdma_chan_resume(struct netdma_chan *c)
{
	return control(c, NETDMA_OP_RESUME);
}

int
netdma_chan_abort(struct netdma_chan *c)
{
	return control(c, NETDMA_OP_ABORT);
}

int
netdma_chan_reset(struct netdma_chan *c)
{
	return control(c, NETDMA_OP_RESET);
}

/*
 * Outstanding = anything an engine could still read or write (rule 10):
 * descriptors with it, ops of aborted ones, and in a started channel the
 * descriptors it has still to fetch - a suspended channel's included, since
 * Resume would fetch them (spec §3.3: Free only when nothing is outstanding).
 */
int
netdma_chan_outstanding_locked(struct netdma_chan *c, struct netdma_chan_progress *p)
{
	int st = c->core.state;

	memset(p, 0, sizeof(*p));
	if (c->prov_ctx == NULL)
		return 0;
	c->prov->c.query_dma_channel(c->prov_ctx, p);
	return p->inflight + p->zombie_ops +
		((st == NETDMA_CHAN_RUNNING || st == NETDMA_CHAN_SUSPENDING ||
		  st == NETDMA_CHAN_SUSPENDED) && p->more);
}

int
netdma_chan_free(struct netdma_chan *c)
{
	struct netdma_chan_progress pr;
	struct netdma_provider *p;
	bool revoked;
	int ret;

	ret = enter(c, NETDMA_OP_FREE);
	if (ret < 0)
		return ret;
	if (c->detached && c->core.state != NETDMA_CHAN_REVOKED)
		return leave(c, netdma_core_fail(&c->core, -EBUSY, "provider is stopping: retry Free "
						 "once it has revoked the channel"));
	if (netdma_chan_outstanding_locked(c, &pr) > 0)
		return leave(c, netdma_core_fail(&c->core, -EBUSY, "free with work outstanding (%u in "
						 "flight, %u aborted ops pending%s): Abort first, "
						 "or let it finish", pr.inflight, pr.zombie_ops,
						 pr.more ? ", more to fetch" : ""));
	p = c->prov;
	revoked = c->core.state == NETDMA_CHAN_REVOKED;
	if (!revoked) {
		p->c.free_dma_channel(c->prov_ctx);
		c->prov_ctx = NULL;
	}
	netdma_core_event(&c->core, NETDMA_OP_FREE);   /* pollers skip it from now on */
	rte_spinlock_unlock(&c->lock);

	if (!revoked) {
		netdma_lcore_detach(c);
		rte_spinlock_lock(&netdma_registry_lock);
		TAILQ_REMOVE(&p->chans, c, prov_link);
		p->nb_chans--;
		rte_spinlock_unlock(&netdma_registry_lock);
	}
	chan_put(c);
	return 0;
}

/* ---- stats ---------------------------------------------------------------- */

int
netdma_chan_stats_get(const struct netdma_chan *cc, struct netdma_chan_stats *st)
{
	struct netdma_chan *c = (struct netdma_chan *)(uintptr_t)cc;
	struct netdma_chan_progress pr;

	if (!chan_live(c) || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	rte_spinlock_lock(&c->lock);
	st->outstanding = (uint32_t)netdma_chan_outstanding_locked(c, &pr);
	st->descriptors_retired = pr.descriptors_retired;
	st->bytes_copied = pr.bytes_copied;
	st->starts = c->starts;
	st->appends = c->appends;
	st->interrupts = c->interrupts;
	st->errors = c->errors;
	st->state = c->core.state;
	st->completion_word = netdma_completion_read(c->params.completion_virtual_address);
	rte_spinlock_unlock(&c->lock);
	return 0;
}

const char *
netdma_chan_last_error(const struct netdma_chan *c)
{
	return chan_live(c) ? c->core.last_error : "no channel (NULL or freed handle)";
}

/* ---- interrupts: ISR/DPC (spec §2.5, §2.6, §6.2) ------------------------- */

void
netdma_isr(void *handle, netdma_iova_t last_completed __rte_unused, uint32_t *cpu_number)
{
	struct netdma_chan *c = handle;

	if (cpu_number != NULL)
		*cpu_number = c->lcore;
}

/* Called by the provider with the channel lock held: record, deliver later. */
void
netdma_interrupt_dpc(void *handle, netdma_iova_t last_completed)
{
	struct netdma_chan *c = handle;

	if (last_completed == 0) {
		/* spec §6.3: an error; Start is required before any Append */
		netdma_core_event(&c->core, NETDMA_EV_ERROR);
		c->errors++;
		c->dpc_error_pending = true;
		return;
	}
	c->dpc_pending = true;
	c->dpc_pa = last_completed;
}

/* One engine tick; the channel lock is held. */
int
netdma_chan_poll_locked(struct netdma_chan *c)
{
	if (c->prov_ctx == NULL || c->core.state == NETDMA_CHAN_REVOKED)
		return 0;
	return c->prov->c.poll_dma_channel(c->prov_ctx);
}

/*
 * Wait until the engine holds nothing of this channel (spec §2.4), polling it
 * from here (the owner may be idle or absent).  Past the timeout the channel
 * is aborted, then its aborted ops get the same time to come back.  A
 * suspended channel whose engine holds nothing is left as it is, with
 * -ECANCELED: its unfetched descriptors wait for a Resume only its consumer
 * can give (Stop abandons them, power-down keeps them).
 */
int
netdma_chan_drain(struct netdma_chan *c, unsigned int timeout_ms)
{
	struct netdma_chan_progress pr;
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * timeout_ms;
	bool aborted = false;
	int left;

	for (;;) {
		rte_spinlock_lock(&c->lock);
		netdma_chan_poll_locked(c);
		left = netdma_chan_outstanding_locked(c, &pr);
		if (left > 0 && c->core.state == NETDMA_CHAN_SUSPENDED &&
		    pr.inflight + pr.zombie_ops == 0) {
			rte_spinlock_unlock(&c->lock);
			return -ECANCELED;
		}
		if (left > 0 && !aborted && rte_get_timer_cycles() > deadline) {
			if (c->prov->c.abort_dma != NULL && c->prov_ctx != NULL)
				c->prov->c.abort_dma(c->prov_ctx);
			netdma_core_event(&c->core, NETDMA_OP_ABORT);
			aborted = true;
			deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * timeout_ms;
		}
		rte_spinlock_unlock(&c->lock);
		if (left == 0)
			return aborted ? -ETIMEDOUT : 0;
		if (aborted && rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(10);
	}
}
