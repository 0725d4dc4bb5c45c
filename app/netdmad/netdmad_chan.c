/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client's channels: allocation against its quotas and the memory it
 * names, the DPC that signals it, its doorbell, and release.  The main
 * lcore runs this file; the channel's polling lcore runs chan_intr().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_common.h>

#include "netdma_service.h"
#include "netdmad.h"
#include "netdmad_internal.h"

struct dchan *
chan_get(struct dclient *cl, uint32_t id)
{
	struct dchan *dc = id < NETDMAD_MAX_CHANS ? netdmad_chans[id] : NULL;

	return dc != NULL && dc->cl == cl ? dc : NULL;
}

/*
 * The DPC of a client channel: publish the watermark, send a byte on the
 * interrupt socket.  Our end is ours alone (a socketpair, not a shared
 * eventfd): the client can neither make this send block nor take another
 * channel's, and a client that closed its end costs an error, not SIGPIPE.
 */
static void
chan_intr(struct netdma_chan *ch, netdma_iova_t pa, void *arg)
{
	struct dchan *dc = arg;
	const char one = 1;

	RTE_SET_USED(ch);
	if (pa != 0) {
		__atomic_store_n(&dc->ring->irq_pa, pa, __ATOMIC_RELEASE);
	} else {
		__atomic_add_fetch(&dc->ring->irq_errors, 1, __ATOMIC_RELEASE);
		CLOG(dc->cl, NOTICE, "client %u channel %u halted: %s\n", dc->cl->id, dc->id,
		     netdma_chan_last_error(ch));
	}
	/* a full socket: the client has not read it; it is readable all the same */
	if (dc->efd >= 0 && send(dc->efd, &one, 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN)
		dc->lost_irqs++;
}

/*
 * Publish the channel's state to its client at every change (the client
 * reads it; we never read it back).  Under the channel lock, before the
 * command that caused it is acknowledged.
 */
static void
publish_state(void *arg, int old, int new, enum netdma_chan_event ev)
{
	struct dchan *dc = arg;

	RTE_SET_USED(old);
	RTE_SET_USED(ev);
	__atomic_store_n(&dc->ring->chan_state, new < NETDMA_CHAN_STATE_MAX ? new :
			 NETDMA_CHAN_REVOKED, __ATOMIC_RELEASE);
}

/* What a client's own chain check needs of a provider, and its size. */
static int
provider_info(uint32_t id, struct netdma_provider_info *out)
{
	return netdma_provider_list_from(id, out, 1) > 0 && out->id == id ? 0 : -ENODEV;
}

/*
 * Channel quotas: [quota] channels in all, and at most [quota]
 * provider_share percent of one provider's channels (at least one), so
 * that one client never holds every channel of an engine.
 */
static uint32_t
provider_share(const struct netdma_provider_info *p)
{
	return RTE_MAX(1u, p->channel_count * netdmad_conf->quota_provider_share / 100);
}

static uint32_t
chans_held(const struct dclient *cl, uint32_t provider_id)
{
	const struct dchan *dc;
	uint32_t mine = 0;

	TAILQ_FOREACH(dc, &cl->chans, client_link)
		mine += dc->provider_id == provider_id;
	return mine;
}

static int
check_chan_quota(const struct dclient *cl, const struct netdma_provider_info *p, char *why)
{
	uint32_t share = provider_share(p), mine = chans_held(cl, p->id);

	if (cl->nb_chans >= netdmad_conf->quota_channels)
		return netdmad_refuse(why, -EDQUOT, "channel quota: %u channels per client "
				      "([quota] channels)", netdmad_conf->quota_channels);
	if (mine >= share)
		return netdmad_refuse(why, -EDQUOT, "channel quota: this client holds %u of the %u "
				      "channels of '%s' (%u%%, [quota] provider_share)", mine,
				      p->channel_count, p->name, netdmad_conf->quota_provider_share);
	return 0;
}

/*
 * No channel free on @p p: which provider, what this client holds of it,
 * and the key that gives it more channels (the first-run question).
 */
static int
refuse_full(const struct dclient *cl, const struct netdma_provider_info *p, char *why)
{
	const struct netdmad_dev_conf *d = netdmad_dev_conf(netdmad_conf, p->name);
	char key[96], used[48];

	if (strcmp(p->name, "cpu") == 0)
		snprintf(key, sizeof(key), "[engines] cpu_channels");
	else if (d != NULL && d->channels != 0)
		snprintf(key, sizeof(key), "[dmadev %s] channels", p->name);
	else
		snprintf(key, sizeof(key), "[engines] dmadev_channels");
	/* fewer in use than it has: none free on the lcores this channel may use */
	if (p->channels_in_use >= p->channel_count)
		snprintf(used, sizeof(used), "all %u channels in use", p->channel_count);
	else
		snprintf(used, sizeof(used), "none free here, %u of %u in use", p->channels_in_use,
			 p->channel_count);
	return netdmad_refuse(why, -ENOSPC, "provider %s: %s (this client holds %u, quota %u); free "
			      "one or raise %s", p->name, used, chans_held(cl, p->id), provider_share(p),
			      key);
}

/* The command ring and completion word a CHAN_ALLOC names, checked. */
static int
check_chan_memory(struct dclient *cl, const struct netdma_msg_chan_alloc *m,
		  struct netdma_cmd_ring **ring_out, uint64_t *cw_out, char *why)
{
	struct dregion *rr = region_get(cl, m->ring_region), *cr = region_get(cl, m->cw_region);
	struct netdma_cmd_ring *ring;
	uint64_t ring_len, cw;

	if (rr == NULL || rr->kind != NETDMA_REGION_CONTROL)
		return netdmad_refuse(why, -ENOENT, "ring region %u is not a control region of "
				      "this client", m->ring_region);
	if (cr == NULL)
		return netdmad_refuse(why, -ENOENT, "no region %u for the completion word", m->cw_region);
	if (m->ring_entries < 2 || m->ring_entries > 4096 || (m->ring_entries & (m->ring_entries - 1)))
		return netdmad_refuse(why, -EINVAL, "ring of %u entries (a power of 2, 2 to 4096)",
				      m->ring_entries);
	ring_len = netdma_cmd_ring_size(m->ring_entries);
	if ((m->ring_offset & 63) || m->ring_offset > rr->size || rr->size - m->ring_offset < ring_len)
		return netdmad_refuse(why, -EINVAL, "command ring at offset %" PRIu64 " is misaligned "
				      "or past its region", m->ring_offset);
	if ((m->cw_offset & 7) || m->cw_offset > cr->size - sizeof(uint64_t))
		return netdmad_refuse(why, -EFAULT, "completion word at offset %" PRIu64 " is "
				      "misaligned or outside its region", m->cw_offset);
	cw = (uintptr_t)cr->va + m->cw_offset;
	if (m->cw_region == m->ring_region && overlaps(cw, 8, (uintptr_t)rr->va + m->ring_offset, ring_len))
		return netdmad_refuse(why, -EINVAL, "completion word inside the command ring");
	ring = (struct netdma_cmd_ring *)((char *)rr->va + m->ring_offset);
	if (ring->magic != NETDMA_RING_MAGIC || ring->version != NETDMA_PROTO_VERSION ||
	    ring->entry_size != sizeof(struct netdma_cmd) || ring->entries != m->ring_entries)
		return netdmad_refuse(why, -EPROTO, "command ring not initialised for protocol %u",
				      NETDMA_PROTO_VERSION);
	*ring_out = ring;
	*cw_out = cw;
	return 0;
}

int
chan_alloc(struct dclient *cl, const struct netdma_msg_chan_alloc *m,
	   struct netdma_reply_chan_alloc *rep, int *irq_fd, char *why)
{
	struct netdma_provider_info prov;
	struct netdma_chan_conf cc;
	struct netdma_cmd_ring *ring = NULL;
	struct dchan *dc;
	uint64_t cw = 0;
	uint32_t id;
	int ret, p[2] = { -1, -1 };

	if (m->reserved0 || (m->flags & ~NETDMA_CHAN_F_EVENTFD))
		return netdmad_refuse(why, -EINVAL, "reserved bits set in CHAN_ALLOC");
	if (provider_info(m->provider_id, &prov) < 0)
		return netdmad_refuse(why, -ENODEV, "no provider %u", m->provider_id);
	ret = check_chan_quota(cl, &prov, why);
	if (ret == 0 && prov.channels_in_use >= prov.channel_count)
		ret = refuse_full(cl, &prov, why);
	if (ret == 0)
		ret = check_chan_memory(cl, m, &ring, &cw, why);
	if (ret < 0)
		return ret;
	/* channels run on polling lcores only */
	memset(&cc, 0, sizeof(cc));
	cc.lcore_mask = m->lcore_group == 0 && m->lcore_mask != 0 ? m->lcore_mask & netdmad_poller_mask :
		(m->lcore_mask == 0 ? netdmad_poller_mask : 0);
	if (cc.lcore_mask == 0)
		return netdmad_refuse(why, -EINVAL, "the lcore mask names no polling lcore");
	for (id = 0; id < NETDMAD_MAX_CHANS && netdmad_chans[id] != NULL; id++)
		;
	if (id == NETDMAD_MAX_CHANS)
		return netdmad_refuse(why, -ENOSPC, "the daemon serves %u channels, its limit",
				      NETDMAD_MAX_CHANS);
	dc = calloc(1, sizeof(*dc));
	if (dc == NULL)
		return netdmad_refuse(why, -ENOMEM, "out of memory");
	dc->id = id;
	dc->cl = cl;
	dc->ring = ring;
	dc->entries = m->ring_entries;
	dc->tail = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
	dc->ring_region = m->ring_region;
	dc->cw_region = m->cw_region;
	dc->provider_id = m->provider_id;
	dc->cw = cw;
	dc->efd = -1;
	dc->doorbell = -1;
	if ((m->flags & NETDMA_CHAN_F_EVENTFD) &&
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, p) < 0) {
		ret = netdmad_refuse(why, -errno, "no interrupt socket: %s", strerror(errno));
		goto err;
	}
	dc->efd = p[1];
	ret = cw_slot(cl, cw, true);
	if (ret < 0) {
		netdmad_refuse(why, ret, "too many completion words");
		goto err;
	}
	/* from the reply on, no pass of this client may copy over the new word */
	fence_poll_passes(cl);
	cc.priority = m->priority;
	cc.completion_word = (volatile uint64_t *)(uintptr_t)cw;
	cc.intr_cb = chan_intr;
	cc.intr_arg = dc;
	ret = netdma_chan_alloc(m->provider_id, &cc, &dc->ch);
	if (ret < 0) {
		cw_slot(cl, cw, false);
		if (ret == -ENOSPC)
			refuse_full(cl, &prov, why);
		else
			netdmad_refuse(why, ret, "provider '%s' refused the channel: %s", prov.name,
				       strerror(-ret));
		goto err;
	}
	netdma_chan_set_addr_window_check(dc->ch, client_addr_win, cl);
	/*
	 * No chain is walked on the shared poller: the client checked it (to
	 * give its caller the error), our engine checks each descriptor it
	 * fetches, and bounds a 1.x chain that never ends.
	 */
	netdma_chan_set_check_at_fetch(dc->ch, true);
	netdma_chan_set_state_cb(dc->ch, publish_state, dc);
	dc->lcore = (unsigned int)netdma_chan_lcore(dc->ch);
	ring->tail = dc->tail;
	__atomic_store_n(&ring->daemon_alive, 1, __ATOMIC_RELEASE);
	rte_spinlock_lock(&netdmad_lists_lock);
	netdmad_chans[id] = dc;
	TAILQ_INSERT_TAIL(&cl->chans, dc, client_link);
	rte_spinlock_unlock(&netdmad_lists_lock);
	cl->nb_chans++;
	netdmad_poll_attach(dc);
	rep->chan_id = id;
	rep->lcore = dc->lcore;
	rep->version = (uint32_t)netdma_chan_version(dc->ch);
	rep->max_transfer_size = prov.maximum_transfer_size;
	rep->max_address = prov.maximum_address_space;
	*irq_fd = p[0];
	DLOG(DEBUG, "client %u: channel %u on lcore %u\n", cl->id, id, rep->lcore);
	return 0;
err:
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	free(dc);
	return ret;
}

void
chan_release(struct dchan *dc)
{
	struct dclient *cl = dc->cl;

	__atomic_store_n(&dc->ring->daemon_alive, 0, __ATOMIC_RELEASE);
	rte_spinlock_lock(&netdmad_lists_lock);
	netdmad_chans[dc->id] = NULL;
	TAILQ_REMOVE(&cl->chans, dc, client_link);
	rte_spinlock_unlock(&netdmad_lists_lock);
	cw_slot(cl, dc->cw, false);
	cl->nb_chans--;
	if (dc->efd >= 0)
		close(dc->efd);
	if (dc->doorbell >= 0) {
		/* the client's copy would keep the watch alive past our close */
		netdma_poller_unwatch_fd(dc->lcore, dc->doorbell);
		close(dc->doorbell);
	}
	free(dc);
}

int
chan_free(struct dclient *cl, uint32_t id, char *why)
{
	struct dchan *dc = chan_get(cl, id);
	int ret;

	if (dc == NULL)
		return netdmad_refuse(why, -ENOENT, "no channel %u of this client", id);
	netdmad_poll_detach(dc);   /* no command may run on it from now on */
	ret = netdma_chan_free(dc->ch);
	if (ret < 0) {
		netdmad_poll_attach(dc);
		return netdmad_refuse(why, ret, "%s", netdma_chan_last_error(dc->ch));
	}
	chan_release(dc);
	return 0;
}

/*
 * The channel's own doorbell: an eventfd the poller watches but never
 * reads (netdma_poller_watch_fd), so a client that reads or drains it only
 * loses its own wake-ups.
 */
int
chan_doorbell(struct dclient *cl, uint32_t id, int *fd, char *why)
{
	struct dchan *dc = chan_get(cl, id);
	int ret;

	if (dc == NULL)
		return netdmad_refuse(why, -ENOENT, "no channel %u of this client", id);
	if (dc->doorbell < 0) {
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		if (efd < 0)
			return netdmad_refuse(why, -errno, "no doorbell: %s", strerror(errno));
		/* no poller on that lcore (it never parks): the client needs no doorbell */
		ret = netdma_poller_watch_fd(dc->lcore, efd);
		if (ret < 0) {
			close(efd);
			return netdmad_refuse(why, ret, "channel %u's lcore has no parking poller", id);
		}
		dc->doorbell = efd;
	}
	*fd = dc->doorbell;
	return 0;
}

int
chan_stats(struct dclient *cl, uint32_t id, struct netdma_reply_chan_stats *r, char *why)
{
	struct dchan *dc = chan_get(cl, id);
	struct netdma_chan_stats st;

	if (dc == NULL || netdma_chan_stats_get(dc->ch, &st) < 0)
		return netdmad_refuse(why, -ENOENT, "no channel %u of this client", id);
	netdma_proto_stats_encode(r, &st, netdma_chan_last_error(dc->ch));
	return 0;
}
