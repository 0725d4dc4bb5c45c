/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client sessions: connections and the control protocol (their channels:
 * netdmad_chan.c; their memory: netdmad_region.c).
 * DESIGN.md "The daemon trusts no client": every message is size- and
 * version-checked, every region and offset is checked against what the
 * client registered, descriptors may only point into its own data regions
 * (never at a control region or a completion word), and a client that goes
 * away loses its channels while its memory stays mapped until no engine can
 * write into it.
 *
 * Threads: the main lcore runs this file; polling lcores run the command
 * rings (netdmad_poll.c) and call client_addr_win() from the engines.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "netdma_lcore.h"
#include "netdma_service.h"
#include "netdmad.h"
#include "netdmad_internal.h"
#include "netdma_proto_io.h"

const struct netdmad_conf *netdmad_conf;
uint64_t netdmad_poller_mask;          /* lcores 0..63 that poll */
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
			netdmad_poller_mask |= 1ull << c->pollers[i];
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
	cl->cws = (struct netdma_cw_set){ .iova = cl->cw_iovas, .max = NETDMAD_MAX_CWS };
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
	uint64_t now = rte_get_timer_cycles();
	uint64_t limit = rte_get_timer_hz() / 1000 * netdmad_conf->hello_timeout_ms;
	struct dclient *cl;

	TAILQ_FOREACH(cl, &netdmad_clients, link)
		if (!cl->hello && now - cl->connected_at > limit)
			return cl;
	return NULL;
}

/* ---- messages ----------------------------------------------------------- */

static size_t
request_size(uint16_t type)
{
	switch (type) {
	case NETDMA_MSG_HELLO: return sizeof(struct netdma_msg_hello);
	case NETDMA_MSG_REGION_ADD: return sizeof(struct netdma_msg_region_add);
	case NETDMA_MSG_REGION_DEL: return sizeof(struct netdma_msg_region_del);
	case NETDMA_MSG_PROVIDERS: return sizeof(struct netdma_msg_providers);
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
	netdma_proto_hdr(r, type, size, req != NULL ? req->seq : 0);
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
	/* HELLO keeps its layout in every version: it is where versions are agreed */
	if (h->version != NETDMA_PROTO_VERSION && h->type != NETDMA_MSG_HELLO)
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

/* One page of the provider list: the first ones from @p m's id on, and how many follow. */
static int
providers_reply(const struct netdma_msg_providers *m, struct netdma_reply_providers *r, char *why)
{
	struct netdma_provider_info info[NETDMA_PROTO_PROVIDERS_PAGE];
	int cnt;

	if (m->reserved)
		return netdmad_refuse(why, -EINVAL, "reserved field set");
	cnt = netdma_provider_list_from(m->first, info, NETDMA_PROTO_PROVIDERS_PAGE);
	netdma_proto_providers_encode(r, info, cnt < 0 ? 0 : (unsigned int)cnt);
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
		struct netdma_msg_providers prov;
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
		rep.hello.max_channels = netdmad_conf->quota_channels;
		rep.hello.max_region_bytes = netdmad_conf->quota_region_bytes;
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
		ret = providers_reply(&req.prov, &rep.prov, why);
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
			netdmad_poll_orphan(dc);
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
