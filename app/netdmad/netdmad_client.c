/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client sessions: the control protocol, memory regions and channels.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
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

static const struct netdmad_conf *conf;
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

	conf = c;
	for (i = 0; i < c->nb_pollers; i++)
		if (c->pollers[i] < 64)
			poller_mask |= 1ull << c->pollers[i];
	return 0;
}

unsigned int
netdmad_client_count(void)
{
	struct dclient *cl;
	unsigned int n = 0;

	TAILQ_FOREACH(cl, &netdmad_clients, link)
		n++;
	return n;
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
	rte_seqlock_init(&cl->mem_lock);
	TAILQ_INIT(&cl->chans);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		cl->pid = (uint32_t)cred.pid;
	rte_spinlock_lock(&netdmad_lists_lock);
	TAILQ_INSERT_TAIL(&netdmad_clients, cl, link);
	rte_spinlock_unlock(&netdmad_lists_lock);
	DLOG(INFO, "client %u (pid %u) connected\n", cl->id, cl->pid);
	return cl;
}

/* ---- memory ------------------------------------------------------------- */

static struct dregion *
region_get(struct dclient *cl, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < NETDMAD_MAX_REGIONS; i++)
		if (cl->regions[i].used && cl->regions[i].id == id)
			return &cl->regions[i];
	return NULL;
}

static bool
overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool
in_data_region(const struct dregion *r, netdma_iova_t iova, uint64_t len)
{
	return r->used && !r->dying && r->kind == NETDMA_REGION_DATA && iova >= (uintptr_t)r->va &&
		iova - (uintptr_t)r->va <= r->size - len && len <= r->size;
}

/* Index of the first completion word that ends after @p iova (cws[] is sorted). */
static uint32_t
first_cw_after(const struct dclient *cl, netdma_iova_t iova, uint32_t n)
{
	uint32_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cl->cws[mid] + sizeof(uint64_t) <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Is [iova, iova+len) in one live data region and clear of every completion
 * word?  If so, @p w gets the widest window around it with the same answer:
 * the region, narrowed to the completion words on either side.
 */
static bool
checked_range_ok(struct dclient *cl, netdma_iova_t iova, uint64_t len, uint64_t *wlo, uint64_t *whi)
{
	uint32_t i, hint = __atomic_load_n(&cl->hint, __ATOMIC_RELAXED), n = cl->region_slots;
	uint32_t ncw = cl->nb_cws, k;
	const struct dregion *r = NULL;

	if (ncw > NETDMAD_MAX_CWS)
		return false;   /* a torn read: the seqlock retries */
	/* most descriptors of a chain land in the region the previous one did */
	if (hint < NETDMAD_MAX_REGIONS && in_data_region(&cl->regions[hint], iova, len))
		r = &cl->regions[hint];
	for (i = 0; i < n && i < NETDMAD_MAX_REGIONS && r == NULL; i++)
		if (in_data_region(&cl->regions[i], iova, len)) {
			r = &cl->regions[i];
			__atomic_store_n(&cl->hint, i, __ATOMIC_RELAXED);
		}
	if (r == NULL)
		return false;
	*wlo = (uintptr_t)r->va;
	*whi = (uintptr_t)r->va + r->size;
	k = first_cw_after(cl, iova, ncw);
	if (k < ncw && overlaps(iova, len, cl->cws[k], sizeof(uint64_t)))
		return false;
	if (k > 0 && cl->cws[k - 1] + sizeof(uint64_t) > *wlo)
		*wlo = cl->cws[k - 1] + sizeof(uint64_t);
	if (k < ncw && cl->cws[k] < *whi)
		*whi = cl->cws[k];
	return true;
}

/*
 * The engines' address check for this client's channels: [iova, iova+len)
 * inside one live data region, and not over a completion word.  @p lo/hi
 * get the window the answer holds for (netdma_range_win_t): the engine
 * trusts it for the rest of one poll pass, under the channel lock, and
 * region_del() marks a region dying, then waits on every channel's lock
 * before it unmaps.  A poller first asks its own window from the last
 * answer, valid while the seqlock has not moved.
 */
bool
client_addr_win(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *wlo, netdma_iova_t *whi)
{
	struct dclient *cl = ctx;
	unsigned int lcore = rte_lcore_id(), i;
	struct addr_window *w = lcore < RTE_MAX_LCORE ? &cl->win[lcore] : NULL;
	uint64_t lo = 0, hi = 0;
	uint32_t sn;
	bool ok;

	if (len == 0 || iova + len < iova)
		return false;
	sn = rte_seqlock_read_begin(&cl->mem_lock);
	if (w != NULL && w->sn == sn)
		for (i = 0; i < ADDR_WINDOWS; i++)
			if (iova >= w->lo[i] && iova + len <= w->hi[i]) {
				*wlo = w->lo[i];
				*whi = w->hi[i];
				return true;
			}
	do {
		sn = rte_seqlock_read_begin(&cl->mem_lock);
		ok = checked_range_ok(cl, iova, len, &lo, &hi);
	} while (rte_seqlock_read_retry(&cl->mem_lock, sn));
	if (ok && w != NULL) {
		if (w->sn != sn) {
			memset(w->lo, 0, sizeof(w->lo));
			memset(w->hi, 0, sizeof(w->hi));
			w->sn = sn;
		}
		w->lo[w->next] = lo;
		w->hi[w->next] = hi;
		w->next = (w->next + 1) % ADDR_WINDOWS;
	}
	*wlo = lo;
	*whi = hi;
	return ok;
}

bool
client_addr_ok(void *ctx, netdma_iova_t iova, uint64_t len)
{
	netdma_iova_t lo, hi;

	return client_addr_win(ctx, iova, len, &lo, &hi);
}

static void
region_release(struct dregion *r)
{
	if (r->extmem) {
		if (r->kind == NETDMA_REGION_DATA)
			netdmad_dma_map(r->va, r->size, false);
		rte_extmem_unregister(r->va, r->size);
	}
	munmap(r->va, r->size);
	memset(r, 0, sizeof(*r));
}

static int
region_add(struct dclient *cl, const struct netdma_msg_region_add *m, int fd,
	   struct netdma_reply_region_add *rep)
{
	struct dregion *r = NULL;
	struct stat st;
	unsigned int i;
	void *va;
	int ret;

	if (fd < 0)
		return -EBADF;
	if ((m->kind != NETDMA_REGION_DATA && m->kind != NETDMA_REGION_CONTROL) || m->reserved)
		return -EINVAL;
	if (m->size == 0 || m->size % 4096)
		return -EINVAL;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size < m->size)
		return -EINVAL;   /* a client may not make us map past its file */
	for (i = 0; i < NETDMAD_MAX_REGIONS; i++)
		if (cl->regions[i].used && cl->regions[i].dev == (uint64_t)st.st_dev &&
		    cl->regions[i].ino == (uint64_t)st.st_ino)
			return -EEXIST;   /* the same memory twice: overlapping regions */
	if (cl->region_bytes + m->size > conf->quota_region_bytes) {
		DLOG(NOTICE, "client %u: region quota exceeded (%" PRIu64 " + %" PRIu64 " > %" PRIu64 ")\n",
		     cl->id, cl->region_bytes, m->size, conf->quota_region_bytes);
		return -EDQUOT;
	}
	for (i = 0; i < NETDMAD_MAX_REGIONS; i++)
		if (!cl->regions[i].used) {
			r = &cl->regions[i];
			break;
		}
	if (r == NULL)
		return -ENOSPC;
	va = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (va == MAP_FAILED)
		return -errno;
	/* EAL knows it (IOVA = VA), so engines and rte_mem_* accept it */
	ret = rte_extmem_register(va, m->size, NULL, 0, 4096);
	if (ret < 0) {
		ret = -rte_errno;
		munmap(va, m->size);
		return ret;
	}
	if (m->kind == NETDMA_REGION_DATA && netdmad_dma_map(va, m->size, true) < 0) {
		rte_extmem_unregister(va, m->size);
		munmap(va, m->size);
		return -EIO;
	}
	rte_seqlock_write_lock(&cl->mem_lock);
	r->id = ++cl->next_region_id;
	r->kind = m->kind;
	r->va = va;
	r->size = m->size;
	r->extmem = true;
	r->dev = (uint64_t)st.st_dev;
	r->ino = (uint64_t)st.st_ino;
	r->used = true;
	if (cl->region_slots <= i)
		cl->region_slots = i + 1;
	rte_seqlock_write_unlock(&cl->mem_lock);
	cl->region_bytes += m->size;
	rep->region_id = r->id;
	rep->iova_base = (uintptr_t)va;
	return 0;
}

static bool
chan_outstanding(struct dchan *dc)
{
	struct netdma_chan_stats st;

	return netdma_chan_stats_get(dc->ch, &st) < 0 || st.outstanding > 0;
}

/*
 * Wait out every poll pass of this client's channels that may still hold a
 * window from before a change to its memory (each pass runs under its
 * channel's lock; netdma_chan_stats_get takes it).
 */
static void
fence_poll_passes(struct dclient *cl)
{
	struct dchan *dc;

	TAILQ_FOREACH(dc, &cl->chans, client_link)
		chan_outstanding(dc);
}

static int
region_del(struct dclient *cl, uint32_t id)
{
	struct dregion *r = region_get(cl, id);
	struct dchan *dc;
	bool busy = false;

	if (r == NULL)
		return -ENOENT;
	TAILQ_FOREACH(dc, &cl->chans, client_link)
		if (dc->ring_region == id || dc->cw_region == id)
			return -EBUSY;
	/* first no new descriptor may use it, then nothing may still hold it */
	rte_seqlock_write_lock(&cl->mem_lock);
	r->dying = true;
	rte_seqlock_write_unlock(&cl->mem_lock);
	TAILQ_FOREACH(dc, &cl->chans, client_link)
		busy |= chan_outstanding(dc);
	rte_seqlock_write_lock(&cl->mem_lock);
	if (busy) {
		r->dying = false;
	} else {
		cl->region_bytes -= r->size;
		region_release(r);
	}
	rte_seqlock_write_unlock(&cl->mem_lock);
	return busy ? -EBUSY : 0;
}

/* ---- channels ----------------------------------------------------------- */

static struct dchan *
chan_get(struct dclient *cl, uint32_t id)
{
	struct dchan *dc = id < NETDMAD_MAX_CHANS ? netdmad_chans[id] : NULL;

	return dc != NULL && dc->cl == cl ? dc : NULL;
}

/* The DPC of a client channel: publish the watermark, kick the eventfd. */
static void
chan_intr(struct netdma_chan *ch, netdma_iova_t pa, void *arg)
{
	struct dchan *dc = arg;
	uint64_t one = 1;

	RTE_SET_USED(ch);
	if (pa != 0)
		__atomic_store_n(&dc->ring->irq_pa, pa, __ATOMIC_RELEASE);
	else
		__atomic_add_fetch(&dc->ring->irq_errors, 1, __ATOMIC_RELEASE);
	if (dc->efd >= 0 && write(dc->efd, &one, sizeof(one)) < 0)
		dc->lost_irqs++;
}

/* Add or remove a completion word, keeping cws[] sorted. */
static int
cw_slot(struct dclient *cl, uint64_t cw, bool add)
{
	uint32_t i, n = cl->nb_cws;
	int ret = 0;

	rte_seqlock_write_lock(&cl->mem_lock);
	if (add) {
		if (n == NETDMAD_MAX_CWS) {
			ret = -ENOSPC;
		} else {
			for (i = n; i > 0 && cl->cws[i - 1] > cw; i--)
				cl->cws[i] = cl->cws[i - 1];
			cl->cws[i] = cw;
			cl->nb_cws = n + 1;
		}
	} else {
		for (i = 0; i < n && cl->cws[i] != cw; i++)
			;
		if (i == n) {
			ret = -ENOENT;
		} else {
			memmove(&cl->cws[i], &cl->cws[i + 1], (n - i - 1) * sizeof(cl->cws[0]));
			cl->nb_cws = n - 1;
		}
	}
	rte_seqlock_write_unlock(&cl->mem_lock);
	return ret;
}

/* What a client's own chain check needs of the provider (netdma_proto.h). */
static void
provider_limits(uint32_t id, uint32_t *max_transfer, uint64_t *max_address)
{
	struct netdma_provider_info info[NETDMA_PROTO_MAX_PROVIDERS];
	int n = netdma_provider_list(info, NETDMA_PROTO_MAX_PROVIDERS), i;

	*max_transfer = 0;
	*max_address = 0;
	for (i = 0; i < n && i < NETDMA_PROTO_MAX_PROVIDERS; i++)
		if (info[i].id == id) {
			*max_transfer = info[i].maximum_transfer_size;
			*max_address = info[i].maximum_address_space;
		}
}

static int
chan_alloc(struct dclient *cl, const struct netdma_msg_chan_alloc *m,
	   struct netdma_reply_chan_alloc *rep, int *efd_out)
{
	struct dregion *rr = region_get(cl, m->ring_region), *cr = region_get(cl, m->cw_region);
	struct netdma_chan_conf cc;
	struct netdma_cmd_ring *ring;
	struct dchan *dc;
	uint64_t ring_len, cw;
	uint32_t id;
	int ret;

	if (cl->nb_chans >= conf->quota_channels)
		return -EDQUOT;
	if (m->reserved0 || (m->flags & ~NETDMA_CHAN_F_EVENTFD))
		return -EINVAL;
	if (rr == NULL || rr->kind != NETDMA_REGION_CONTROL || cr == NULL)
		return -ENOENT;
	if (m->ring_entries < 2 || m->ring_entries > 4096 || (m->ring_entries & (m->ring_entries - 1)))
		return -EINVAL;
	ring_len = netdma_cmd_ring_size(m->ring_entries);
	if ((m->ring_offset & 63) || m->ring_offset > rr->size || rr->size - m->ring_offset < ring_len)
		return -EINVAL;
	if ((m->cw_offset & 7) || m->cw_offset > cr->size - sizeof(uint64_t))
		return -EFAULT;   /* a completion word outside the client's memory */
	cw = (uintptr_t)cr->va + m->cw_offset;
	if (m->cw_region == m->ring_region && overlaps(cw, 8, (uintptr_t)rr->va + m->ring_offset, ring_len))
		return -EINVAL;
	ring = (struct netdma_cmd_ring *)((char *)rr->va + m->ring_offset);
	if (ring->magic != NETDMA_RING_MAGIC || ring->version != NETDMA_PROTO_VERSION ||
	    ring->entry_size != sizeof(struct netdma_cmd) || ring->entries != m->ring_entries)
		return -EPROTO;
	/* channels run on polling lcores only */
	memset(&cc, 0, sizeof(cc));
	cc.lcore_mask = m->lcore_group == 0 && m->lcore_mask != 0 ? m->lcore_mask & poller_mask :
		(m->lcore_mask == 0 ? poller_mask : 0);
	if (cc.lcore_mask == 0)
		return -EINVAL;
	for (id = 0; id < NETDMAD_MAX_CHANS && netdmad_chans[id] != NULL; id++)
		;
	if (id == NETDMAD_MAX_CHANS)
		return -ENOSPC;
	dc = calloc(1, sizeof(*dc));
	if (dc == NULL)
		return -ENOMEM;
	dc->id = id;
	dc->cl = cl;
	dc->ring = ring;
	dc->entries = m->ring_entries;
	dc->tail = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
	dc->ring_region = m->ring_region;
	dc->cw_region = m->cw_region;
	dc->cw = cw;
	dc->efd = -1;
	if (m->flags & NETDMA_CHAN_F_EVENTFD) {
		dc->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (dc->efd < 0) {
			ret = -errno;
			goto err;
		}
	}
	ret = cw_slot(cl, cw, true);
	if (ret < 0)
		goto err;
	/* from the reply on, no pass of this client may copy over the new word */
	fence_poll_passes(cl);
	cc.priority = m->priority;
	cc.completion_word = (volatile uint64_t *)(uintptr_t)cw;
	cc.intr_cb = chan_intr;
	cc.intr_arg = dc;
	ret = netdma_chan_alloc(m->provider_id, &cc, &dc->ch);
	if (ret < 0) {
		cw_slot(cl, cw, false);
		goto err;
	}
	netdma_chan_set_addr_window_check(dc->ch, client_addr_win, cl);
	/* 2.0: the client checked the chain; our engine checks each descriptor it fetches */
	if (netdma_chan_version(dc->ch) >= 0x200)
		netdma_chan_set_check_at_fetch(dc->ch, true);
	ring->tail = dc->tail;
	__atomic_store_n(&ring->daemon_alive, 1, __ATOMIC_RELEASE);
	rte_spinlock_lock(&netdmad_lists_lock);
	netdmad_chans[id] = dc;
	TAILQ_INSERT_TAIL(&cl->chans, dc, client_link);
	rte_spinlock_unlock(&netdmad_lists_lock);
	cl->nb_chans++;
	netdmad_poll_attach(dc);
	rep->chan_id = id;
	rep->lcore = netdma_chan_lcore(dc->ch);
	rep->version = netdma_chan_version(dc->ch);
	provider_limits(m->provider_id, &rep->max_transfer_size, &rep->max_address);
	*efd_out = dc->efd;
	DLOG(DEBUG, "client %u: channel %u on lcore %u\n", cl->id, id, rep->lcore);
	return 0;
err:
	if (dc->efd >= 0)
		close(dc->efd);
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
	free(dc);
}

static int
chan_free(struct dclient *cl, uint32_t id)
{
	struct dchan *dc = chan_get(cl, id);
	int ret;

	if (dc == NULL)
		return -ENOENT;
	netdmad_poll_detach(dc);   /* no command may run on it from now on */
	ret = netdma_chan_free(dc->ch);
	if (ret < 0) {
		netdmad_poll_attach(dc);
		return ret;
	}
	chan_release(dc);
	return 0;
}

static void
chan_stats(struct dclient *cl, uint32_t id, struct netdma_reply_chan_stats *r)
{
	struct dchan *dc = chan_get(cl, id);
	struct netdma_chan_stats st;

	if (dc == NULL || netdma_chan_stats_get(dc->ch, &st) < 0) {
		r->r.result = -ENOENT;
		return;
	}
	r->starts = st.starts;
	r->appends = st.appends;
	r->descriptors_retired = st.descriptors_retired;
	r->bytes_copied = st.bytes_copied;
	r->interrupts = st.interrupts;
	r->errors = st.errors;
	r->outstanding = st.outstanding;
	r->state = st.state;
	snprintf(r->last_error, sizeof(r->last_error), "%s", netdma_chan_last_error(dc->ch));
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

static int
send_reply(struct dclient *cl, void *reply, size_t len, int fd)
{
	return netdma_proto_send(cl->fd, reply, len, fd);
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

static int
reply_error(struct dclient *cl, const struct netdma_msg_hdr *req, uint16_t type, int err)
{
	struct netdma_reply_hdr r;

	reply_hdr(&r, req, type, sizeof(r));
	r.result = err;
	cl->bad_messages++;
	return send_reply(cl, &r, sizeof(r), -1);
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
	int fds[NETDMA_PROTO_MAX_FDS], nfds, i, out_fd = -1, ret;
	int want_fds;
	ssize_t n;

	n = netdma_proto_recv(cl->fd, &req, sizeof(req), fds, NETDMA_PROTO_MAX_FDS, &nfds);
	if (n == -EAGAIN)
		return 0;
	if (n == -ECONNRESET || n == -ECONNABORTED)
		return (int)n;
	if (n < 0 && n != -EMSGSIZE)
		return (int)n;
	/* validate the envelope; a bad one gets an error and nothing else */
	ret = 0;
	if (n == -EMSGSIZE)
		ret = -EMSGSIZE;
	else if ((size_t)n < sizeof(req.h))
		ret = -EBADMSG;
	else if (req.h.magic != NETDMA_PROTO_MAGIC)
		ret = -EBADMSG;
	else if (req.h.version != NETDMA_PROTO_VERSION)
		ret = -EPROTONOSUPPORT;
	else if (request_size(req.h.type) == 0)
		ret = -EOPNOTSUPP;
	else if (req.h.size != (size_t)n || (size_t)n != request_size(req.h.type))
		ret = -EBADMSG;   /* truncated, padded or lying about its size */
	want_fds = ret == 0 && req.h.type == NETDMA_MSG_REGION_ADD ? 1 : 0;
	if (ret == 0 && nfds != want_fds)
		ret = -EBADF;     /* missing or extra fds */
	if (ret == 0 && !cl->hello && req.h.type != NETDMA_MSG_HELLO)
		ret = -EPERM;
	if (ret < 0) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		DLOG(NOTICE, "client %u: bad message (type %u, %zd bytes): %s\n", cl->id,
		     (size_t)n >= sizeof(req.h) ? req.h.type : 0, n, strerror(-ret));
		/* the client keeps its session; only a dead socket drops it */
		return reply_error(cl, (size_t)n >= sizeof(req.h) ? &req.h : NULL,
				   (size_t)n >= sizeof(req.h) ? req.h.type : 0, ret) == 0 ? 0 : -EPIPE;
	}

	switch (req.h.type) {
	case NETDMA_MSG_HELLO: {
		struct netdma_reply_hello r;

		reply_hdr(&r.r, &req.h, req.h.type, sizeof(r));
		if (req.hello.min_version > NETDMA_PROTO_VERSION ||
		    req.hello.max_version < NETDMA_PROTO_VERSION) {
			r.r.result = -EPROTONOSUPPORT;
		} else {
			cl->hello = true;
			memcpy(cl->name, req.hello.name, sizeof(cl->name) - 1);
			r.version = NETDMA_PROTO_VERSION;
			r.max_channels = conf->quota_channels;
			r.max_region_bytes = conf->quota_region_bytes;
		}
		return send_reply(cl, &r, sizeof(r), -1) == 0 ? 0 : -EPIPE;
	}
	case NETDMA_MSG_REGION_ADD: {
		struct netdma_reply_region_add r;

		reply_hdr(&r.r, &req.h, req.h.type, sizeof(r));
		r.r.result = region_add(cl, &req.radd, fds[0], &r);
		close(fds[0]);
		return send_reply(cl, &r, sizeof(r), -1) == 0 ? 0 : -EPIPE;
	}
	case NETDMA_MSG_REGION_DEL: {
		struct netdma_reply_hdr r;

		reply_hdr(&r, &req.h, req.h.type, sizeof(r));
		r.result = req.rdel.reserved ? -EINVAL : region_del(cl, req.rdel.region_id);
		return send_reply(cl, &r, sizeof(r), -1) == 0 ? 0 : -EPIPE;
	}
	case NETDMA_MSG_PROVIDERS: {
		struct netdma_reply_providers r;
		struct netdma_provider_info info[NETDMA_PROTO_MAX_PROVIDERS];
		int k, cnt = netdma_provider_list(info, NETDMA_PROTO_MAX_PROVIDERS);

		reply_hdr(&r.r, &req.h, req.h.type, sizeof(r));
		r.count = (uint32_t)RTE_MIN(cnt, NETDMA_PROTO_MAX_PROVIDERS);
		for (k = 0; k < (int)r.count; k++) {
			r.p[k].id = info[k].id;
			r.p[k].major_version = info[k].major_version;
			r.p[k].minor_version = info[k].minor_version;
			r.p[k].started = info[k].started;
			r.p[k].powered_down = info[k].powered_down;
			r.p[k].channel_count = info[k].channel_count;
			r.p[k].channels_in_use = info[k].channels_in_use;
			r.p[k].maximum_transfer_size = info[k].maximum_transfer_size;
			r.p[k].flags = info[k].flags;
			memcpy(r.p[k].name, info[k].name, sizeof(r.p[k].name));
		}
		return send_reply(cl, &r, sizeof(r), -1) == 0 ? 0 : -EPIPE;
	}
	case NETDMA_MSG_CHAN_ALLOC: {
		struct netdma_reply_chan_alloc r;

		reply_hdr(&r.r, &req.h, req.h.type, sizeof(r));
		r.r.result = chan_alloc(cl, &req.calloc_, &r, &out_fd);
		return send_reply(cl, &r, sizeof(r), r.r.result == 0 ? out_fd : -1) == 0 ? 0 : -EPIPE;
	}
	case NETDMA_MSG_CHAN_FREE: {
		struct netdma_reply_hdr r;

		reply_hdr(&r, &req.h, req.h.type, sizeof(r));
		r.result = req.chan.reserved ? -EINVAL : chan_free(cl, req.chan.chan_id);
		return send_reply(cl, &r, sizeof(r), -1) == 0 ? 0 : -EPIPE;
	}
	case NETDMA_MSG_CHAN_DOORBELL: {
		struct netdma_reply_hdr r;
		struct dchan *dc = chan_get(cl, req.chan.chan_id);
		int fd = dc != NULL ? netdma_poller_wake_fd(netdma_chan_lcore(dc->ch)) : -ENOENT;

		/* no poller on that lcore (never parks): the client needs no doorbell */
		reply_hdr(&r, &req.h, req.h.type, sizeof(r));
		r.result = req.chan.reserved ? -EINVAL : fd < 0 ? fd : 0;
		return send_reply(cl, &r, sizeof(r), r.result == 0 ? fd : -1) == 0 ? 0 : -EPIPE;
	}
	case NETDMA_MSG_CHAN_STATS: {
		struct netdma_reply_chan_stats r;

		reply_hdr(&r.r, &req.h, req.h.type, sizeof(r));
		chan_stats(cl, req.chan.chan_id, &r);
		return send_reply(cl, &r, sizeof(r), -1) == 0 ? 0 : -EPIPE;
	}
	}
	return 0;   /* not reached: request_size() vetted the type */
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
	TAILQ_INSERT_TAIL(&dead, cl, link);
	DLOG(INFO, "client %u (pid %u) gone: %u channel(s) stopped\n", cl->id, cl->pid, cl->nb_chans);
}

unsigned int
netdmad_reap(void)
{
	struct dclient *cl, *next;
	struct dchan *dc, *dnext;
	unsigned int i, left = 0;

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
		for (i = 0; i < NETDMAD_MAX_REGIONS; i++)
			if (cl->regions[i].used)
				region_release(&cl->regions[i]);
		TAILQ_REMOVE(&dead, cl, link);
		DLOG(INFO, "client %u: memory released\n", cl->id);
		free(cl);
	}
	return left;
}

/* SIGTERM: tell clients, let work finish for drain_ms, then abort and free. */
void
netdmad_clients_shutdown(unsigned int drain_ms)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * drain_ms;
	struct netdma_reply_hdr bye;
	struct dclient *cl;
	struct dchan *dc;
	bool busy = true;

	reply_hdr(&bye, NULL, NETDMA_MSG_BYE, sizeof(bye));
	bye.result = -ESHUTDOWN;
	TAILQ_FOREACH(cl, &netdmad_clients, link)
		send_reply(cl, &bye, sizeof(bye), -1);
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
