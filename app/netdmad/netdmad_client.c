/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client sessions: the control protocol and channels (their memory:
 * netdmad_region.c).
 * DESIGN.md "The daemon trusts no client": every message is size- and
 * version-checked, every region and offset is checked against what the
 * client registered, descriptors may only point into its own data regions
 * (never at a control region or a completion word), and a client that goes
 * away loses its channels while its memory stays mapped until no engine can
 * write into it.
 *
 * Threads: the main lcore runs this file; polling lcores run the command
 * rings (netdmad_poll.c) and call client_addr_ok() from the engines.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "netdma_lcore.h"
#include "netdma_provider.h"
#include "netdmad.h"
#include "netdmad_internal.h"
#include "netdma_proto_io.h"

const struct netdmad_conf *netdmad_conf;
#define conf netdmad_conf
static uint64_t poller_mask;           /* lcores 0..63 that poll */
struct dclient_list netdmad_clients = TAILQ_HEAD_INITIALIZER(netdmad_clients);
static struct dclient_list dead = TAILQ_HEAD_INITIALIZER(dead);
rte_spinlock_t netdmad_lists_lock = RTE_SPINLOCK_INITIALIZER;  /* for telemetry */
struct dchan *netdmad_chans[NETDMAD_MAX_CHANS];
static uint32_t next_client_id = 1;

int
netdmad_clients_init(const struct netdmad_conf *c)
{
	unsigned int i;

	netdmad_conf = c;
	/* every send to a client says MSG_NOSIGNAL; this covers any write that does not */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < c->nb_pollers; i++)
		if (c->pollers[i] < 64)
			poller_mask |= 1ull << c->pollers[i];
	return 0;
}

unsigned int
netdmad_client_count(void)
{
	return netdmad_stats.clients;
}

int
netdmad_client_fd(const struct dclient *cl)
{
	return cl->fd;
}

struct dclient *
netdmad_client_new(int fd)
{
	struct dclient *cl = calloc(1, sizeof(*cl));
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (cl == NULL)
		return NULL;
	cl->fd = fd;
	cl->id = next_client_id++;
	cl->connected_at = rte_get_timer_cycles();
	snprintf(cl->label, sizeof(cl->label), "client %u", cl->id);
	rte_spinlock_init(&cl->log.lock);
	rte_seqlock_init(&cl->mem_lock);
	TAILQ_INIT(&cl->chans);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		cl->pid = (uint32_t)cred.pid;
	rte_spinlock_lock(&netdmad_lists_lock);
	TAILQ_INSERT_TAIL(&netdmad_clients, cl, link);
	rte_spinlock_unlock(&netdmad_lists_lock);
	netdmad_stats.clients++;
	netdmad_stats.connections++;
	/* connections come as fast as anyone can open them: the global budget */
	DLOG_LIMITED(&netdmad_global_log, "connections", INFO, "client %u (pid %u) connected\n",
		     cl->id, cl->pid);
	return cl;
}

struct dclient *
netdmad_client_overdue(void)
{
	uint64_t now = rte_get_timer_cycles(), limit = rte_get_timer_hz() / 1000 * conf->hello_timeout_ms;
	struct dclient *cl;

	TAILQ_FOREACH(cl, &netdmad_clients, link)
		if (!cl->hello && now - cl->connected_at > limit)
			return cl;
	return NULL;
}

/* ---- channels ----------------------------------------------------------- */

static struct dchan *
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

/* What a client's own chain check needs of a provider, and its size. */
static int
provider_info(uint32_t id, struct netdma_provider_info *out)
{
	struct netdma_provider_info info[NETDMA_PROTO_MAX_PROVIDERS];
	int n = netdma_provider_list(info, NETDMA_PROTO_MAX_PROVIDERS), i;

	for (i = 0; i < n && i < NETDMA_PROTO_MAX_PROVIDERS; i++)
		if (info[i].id == id) {
			*out = info[i];
			return 0;
		}
	return -ENODEV;
}

/*
 * Channel quotas: [quota] channels in all, and at most [quota]
 * provider_share percent of one provider's channels (at least one), so
 * that one client never holds every channel of an engine.
 */
static int
check_chan_quota(const struct dclient *cl, const struct netdma_provider_info *p, char *why)
{
	uint32_t share = RTE_MAX(1u, p->channel_count * conf->quota_provider_share / 100), mine = 0;
	const struct dchan *dc;

	if (cl->nb_chans >= conf->quota_channels)
		return netdmad_refuse(why, -EDQUOT, "channel quota: %u channels per client "
				      "([quota] channels)", conf->quota_channels);
	TAILQ_FOREACH(dc, &cl->chans, client_link)
		mine += dc->provider_id == p->id;
	if (mine >= share)
		return netdmad_refuse(why, -EDQUOT, "channel quota: this client holds %u of the %u "
				      "channels of '%s' (%u%%, [quota] provider_share)", mine,
				      p->channel_count, p->name, conf->quota_provider_share);
	return 0;
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

static int
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
		ret = netdmad_refuse(why, -ENOSPC, "no free channel on '%s' (%u of %u in use); retry "
				     "later or use another provider", prov.name, prov.channels_in_use,
				     prov.channel_count);
	if (ret == 0)
		ret = check_chan_memory(cl, m, &ring, &cw, why);
	if (ret < 0)
		return ret;
	/* channels run on polling lcores only */
	memset(&cc, 0, sizeof(cc));
	cc.lcore_mask = m->lcore_group == 0 && m->lcore_mask != 0 ? m->lcore_mask & poller_mask :
		(m->lcore_mask == 0 ? poller_mask : 0);
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
			netdmad_refuse(why, ret, "no free channel on '%s' (%u of %u in use); retry "
				       "later or use another provider", prov.name, prov.channels_in_use,
				       prov.channel_count);
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

static void
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

static int
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
static int
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

static int
chan_stats(struct dclient *cl, uint32_t id, struct netdma_reply_chan_stats *r, char *why)
{
	struct dchan *dc = chan_get(cl, id);
	struct netdma_chan_stats st;

	if (dc == NULL || netdma_chan_stats_get(dc->ch, &st) < 0)
		return netdmad_refuse(why, -ENOENT, "no channel %u of this client", id);
	r->starts = st.starts;
	r->appends = st.appends;
	r->descriptors_retired = st.descriptors_retired;
	r->bytes_copied = st.bytes_copied;
	r->interrupts = st.interrupts;
	r->errors = st.errors;
	r->outstanding = st.outstanding;
	r->state = st.state;
	snprintf(r->last_error, sizeof(r->last_error), "%s", netdma_chan_last_error(dc->ch));
	return 0;
}

/* ---- messages ----------------------------------------------------------- */

static size_t
request_size(uint16_t type)
{
	switch (type) {
	case NETDMA_MSG_HELLO: return sizeof(struct netdma_msg_hello);
	case NETDMA_MSG_REGION_ADD: return sizeof(struct netdma_msg_region_add);
	case NETDMA_MSG_REGION_DEL: return sizeof(struct netdma_msg_region_del);
	case NETDMA_MSG_PROVIDERS: return sizeof(struct netdma_msg_hdr);
	case NETDMA_MSG_CHAN_ALLOC: return sizeof(struct netdma_msg_chan_alloc);
	case NETDMA_MSG_CHAN_FREE:
	case NETDMA_MSG_CHAN_DOORBELL:
	case NETDMA_MSG_CHAN_STATS: return sizeof(struct netdma_msg_chan);
	default: return 0;
	}
}

static void
reply_hdr(struct netdma_reply_hdr *r, const struct netdma_msg_hdr *req, uint16_t type, size_t size)
{
	memset(r, 0, size);
	r->h.magic = NETDMA_PROTO_MAGIC;
	r->h.version = NETDMA_PROTO_VERSION;
	r->h.type = type;
	r->h.size = (uint32_t)size;
	r->h.seq = req != NULL ? req->seq : 0;
}

/* A failed request's reply: the error and its reason (netdma_reply_error). */
static int
send_error(int fd, const struct netdma_msg_hdr *req, uint16_t type, int err, const char *why)
{
	struct netdma_reply_error r;

	reply_hdr(&r.r, req, type, sizeof(r));
	r.r.result = err;
	snprintf(r.reason, sizeof(r.reason), "%s", why[0] != '\0' ? why : strerror(-err));
	return netdma_proto_send(fd, &r, sizeof(r), -1);
}

/* @p reply (its header filled by reply_hdr) on success, the reason on failure. */
static int
send_result(struct dclient *cl, const struct netdma_msg_hdr *req, void *reply, size_t len,
	    int result, const char *why, int fd)
{
	struct netdma_reply_hdr *r = reply;

	if (result < 0)
		return send_error(cl->fd, req, req->type, result, why) == 0 ? 0 : -EPIPE;
	r->result = 0;
	return netdma_proto_send(cl->fd, reply, len, fd) == 0 ? 0 : -EPIPE;
}

void
netdmad_refuse_connection(int fd, int err, const char *reason)
{
	send_error(fd, NULL, NETDMA_MSG_BYE, err, reason);
	close(fd);
}

/* The envelope of a request: @return 0 or the error its reply carries. */
static int
check_envelope(const struct dclient *cl, const struct netdma_msg_hdr *h, ssize_t n, int nfds,
	       char *why)
{
	if (n == -EMSGSIZE)
		return netdmad_refuse(why, -EMSGSIZE, "message over %u bytes", NETDMA_MSG_MAX);
	if ((size_t)n < sizeof(*h) || h->magic != NETDMA_PROTO_MAGIC)
		return netdmad_refuse(why, -EBADMSG, "not a netdma message");
	if (h->version != NETDMA_PROTO_VERSION)
		return netdmad_refuse(why, -EPROTONOSUPPORT, "protocol version %u; this daemon "
				      "speaks %u", h->version, NETDMA_PROTO_VERSION);
	if (request_size(h->type) == 0)
		return netdmad_refuse(why, -EOPNOTSUPP, "unknown request type %u", h->type);
	if (h->size != (size_t)n || (size_t)n != request_size(h->type))
		return netdmad_refuse(why, -EBADMSG, "request of %zd bytes, header says %u, type "
				      "%u has %zu", n, h->size, h->type, request_size(h->type));
	if (nfds != (h->type == NETDMA_MSG_REGION_ADD ? 1 : 0))
		return netdmad_refuse(why, -EBADF, "%d fds with a type %u request", nfds, h->type);
	if (!cl->hello && h->type != NETDMA_MSG_HELLO)
		return netdmad_refuse(why, -EPERM, "HELLO first");
	return 0;
}

static int
providers_reply(struct netdma_reply_providers *r)
{
	struct netdma_provider_info info[NETDMA_PROTO_MAX_PROVIDERS];
	int k, cnt = netdma_provider_list(info, NETDMA_PROTO_MAX_PROVIDERS);

	r->count = (uint32_t)RTE_MIN(cnt, NETDMA_PROTO_MAX_PROVIDERS);
	for (k = 0; k < (int)r->count; k++) {
		r->p[k].id = info[k].id;
		r->p[k].major_version = info[k].major_version;
		r->p[k].minor_version = info[k].minor_version;
		r->p[k].started = info[k].started;
		r->p[k].powered_down = info[k].powered_down;
		r->p[k].channel_count = info[k].channel_count;
		r->p[k].channels_in_use = info[k].channels_in_use;
		r->p[k].maximum_transfer_size = info[k].maximum_transfer_size;
		r->p[k].flags = info[k].flags;
		memcpy(r->p[k].name, info[k].name, sizeof(r->p[k].name));
	}
	return 0;
}

int
netdmad_client_handle(struct dclient *cl)
{
	union {
		struct netdma_msg_hdr h;
		struct netdma_msg_hello hello;
		struct netdma_msg_region_add radd;
		struct netdma_msg_region_del rdel;
		struct netdma_msg_chan_alloc calloc_;
		struct netdma_msg_chan chan;
		char raw[NETDMA_MSG_MAX];
	} req;
	union {
		struct netdma_reply_hdr h;
		struct netdma_reply_hello hello;
		struct netdma_reply_region_add radd;
		struct netdma_reply_providers prov;
		struct netdma_reply_chan_alloc calloc_;
		struct netdma_reply_chan_stats stats;
	} rep;
	int fds[NETDMA_PROTO_MAX_FDS], nfds, i, out_fd = -1, ret;
	char why[NETDMA_REASON_MAX] = "";
	size_t len = sizeof(rep.h);
	ssize_t n;

	n = netdma_proto_recv(cl->fd, &req, sizeof(req), fds, NETDMA_PROTO_MAX_FDS, &nfds);
	if (n == -EAGAIN)
		return 0;
	if (n < 0 && n != -EMSGSIZE)
		return (int)n;
	/* a bad envelope gets an error and nothing else; the session stays */
	ret = check_envelope(cl, &req.h, n, nfds, why);
	if (ret < 0) {
		bool has_hdr = n >= (ssize_t)sizeof(req.h);

		for (i = 0; i < nfds; i++)
			close(fds[i]);
		cl->bad_messages++;
		CLOG(cl, NOTICE, "client %u: bad message: %s\n", cl->id, why);
		return send_error(cl->fd, has_hdr ? &req.h : NULL, has_hdr ? req.h.type : 0, ret,
				  why) == 0 ? 0 : -EPIPE;
	}

	/* every byte of the reply is set: no daemon stack goes to a client */
	memset(&rep, 0, sizeof(rep));
	reply_hdr(&rep.h, &req.h, req.h.type, sizeof(rep.h));
	switch (req.h.type) {
	case NETDMA_MSG_HELLO:
		len = sizeof(rep.hello);
		if (req.hello.min_version > NETDMA_PROTO_VERSION ||
		    req.hello.max_version < NETDMA_PROTO_VERSION) {
			ret = netdmad_refuse(why, -EPROTONOSUPPORT, "client speaks protocol %u to %u; "
					     "this daemon speaks %u", req.hello.min_version,
					     req.hello.max_version, NETDMA_PROTO_VERSION);
			break;
		}
		cl->hello = true;
		memcpy(cl->name, req.hello.name, sizeof(cl->name) - 1);
		rep.hello.version = NETDMA_PROTO_VERSION;
		rep.hello.max_channels = conf->quota_channels;
		rep.hello.max_region_bytes = conf->quota_region_bytes;
		break;
	case NETDMA_MSG_REGION_ADD:
		len = sizeof(rep.radd);
		ret = region_add(cl, &req.radd, fds[0], &rep.radd, why);
		close(fds[0]);
		break;
	case NETDMA_MSG_REGION_DEL:
		ret = req.rdel.reserved ? netdmad_refuse(why, -EINVAL, "reserved field set") :
			region_del(cl, req.rdel.region_id, why);
		break;
	case NETDMA_MSG_PROVIDERS:
		len = sizeof(rep.prov);
		ret = providers_reply(&rep.prov);
		break;
	case NETDMA_MSG_CHAN_ALLOC:
		len = sizeof(rep.calloc_);
		ret = chan_alloc(cl, &req.calloc_, &rep.calloc_, &out_fd, why);
		break;
	case NETDMA_MSG_CHAN_FREE:
		ret = req.chan.reserved ? netdmad_refuse(why, -EINVAL, "reserved field set") :
			chan_free(cl, req.chan.chan_id, why);
		break;
	case NETDMA_MSG_CHAN_DOORBELL:
		ret = req.chan.reserved ? netdmad_refuse(why, -EINVAL, "reserved field set") :
			chan_doorbell(cl, req.chan.chan_id, &out_fd, why);
		break;
	case NETDMA_MSG_CHAN_STATS:
		len = sizeof(rep.stats);
		ret = chan_stats(cl, req.chan.chan_id, &rep.stats, why);
		break;
	}
	rep.h.h.size = (uint32_t)len;
	ret = send_result(cl, &req.h, &rep, len, ret, why, ret == 0 ? out_fd : -1);
	/* the interrupt socket's other end is the client's alone */
	if (req.h.type == NETDMA_MSG_CHAN_ALLOC && out_fd >= 0)
		close(out_fd);
	return ret;
}

/* ---- clients that go away ------------------------------------------------ */

/*
 * The connection is gone (exit, kill -9, protocol abuse): stop its channels
 * now; what the engines still hold is reaped by netdmad_reap().
 */
void
netdmad_client_gone(struct dclient *cl)
{
	struct dchan *dc;

	TAILQ_FOREACH(dc, &cl->chans, client_link) {
		netdmad_poll_detach(dc);
		netdma_chan_abort(dc->ch);   /* -EPERM when not running: fine */
		__atomic_store_n(&dc->ring->daemon_alive, 0, __ATOMIC_RELEASE);
	}
	close(cl->fd);
	cl->fd = -1;
	cl->gone_at = rte_get_timer_cycles();
	rte_spinlock_lock(&netdmad_lists_lock);
	TAILQ_REMOVE(&netdmad_clients, cl, link);
	rte_spinlock_unlock(&netdmad_lists_lock);
	netdmad_stats.clients--;
	TAILQ_INSERT_TAIL(&dead, cl, link);
	DLOG_LIMITED(&netdmad_global_log, "connections", INFO,
		     "client %u (pid %u) gone: %u channel(s) stopped\n", cl->id, cl->pid, cl->nb_chans);
}

unsigned int
netdmad_reap(void)
{
	struct dclient *cl, *next;
	struct dchan *dc, *dnext;
	unsigned int left = 0;

	for (cl = TAILQ_FIRST(&dead); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, link);
		for (dc = TAILQ_FIRST(&cl->chans); dc != NULL; dc = dnext) {
			dnext = TAILQ_NEXT(dc, client_link);
			if (netdma_chan_free(dc->ch) == 0)
				chan_release(dc);
		}
		if (!TAILQ_EMPTY(&cl->chans)) {
			/* never unmap what an engine may still write (the NET_DMA lesson) */
			if (!cl->warned && rte_get_timer_cycles() - cl->gone_at > rte_get_timer_hz() * 5) {
				DLOG(WARNING, "client %u: engines still hold its memory after 5 s; "
				     "keeping it mapped\n", cl->id);
				cl->warned = true;
			}
			left++;
			continue;
		}
		regions_release_all(cl);
		TAILQ_REMOVE(&dead, cl, link);
		DLOG(DEBUG, "client %u: memory released\n", cl->id);
		free(cl);
	}
	return left;
}

/* SIGTERM: tell clients, let work finish for drain_ms, then abort and free. */
void
netdmad_clients_shutdown(unsigned int drain_ms)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * drain_ms;
	struct dclient *cl;
	struct dchan *dc;
	bool busy = true;

	TAILQ_FOREACH(cl, &netdmad_clients, link)
		send_error(cl->fd, NULL, NETDMA_MSG_BYE, -ESHUTDOWN, "netdmad is shutting down");
	while (busy && rte_get_timer_cycles() < deadline) {
		busy = false;
		TAILQ_FOREACH(cl, &netdmad_clients, link)
			TAILQ_FOREACH(dc, &cl->chans, client_link)
				busy |= chan_outstanding(dc);
		if (busy)
			rte_delay_us_sleep(1000);
	}
	if (busy)
		DLOG(WARNING, "shutdown: work still in flight after %u ms; aborting it\n", drain_ms);
	while ((cl = TAILQ_FIRST(&netdmad_clients)) != NULL)
		netdmad_client_gone(cl);
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 5;
	while (netdmad_reap() > 0 && rte_get_timer_cycles() < deadline)
		rte_delay_us_sleep(1000);
}
