/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The consumer API over netdmad: control requests on the socket, transfer
 * calls through the channel's command ring (no system call), interrupts on
 * a per-channel eventfd.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "client_internal.h"
#include "netdma_client_test.h"
#include "netdma_relax.h"

#define RING_ENTRIES 64

_Static_assert(sizeof(struct netdma_cmd_ring) + RING_ENTRIES * sizeof(struct netdma_cmd) <=
	       CLIENT_RING_SLOT, "a command ring fits its slot");

struct netdma_chan {
	pthread_mutex_t lock;          /* one command in flight at a time */
	uint32_t id;
	unsigned int lcore;
	unsigned int version;
	struct client_region *ctl;     /* holds the command ring */
	uint64_t ring_offset;          /* its slot in that region */
	struct netdma_cmd_ring *ring;
	uint64_t seq;
	int efd;                       /* interrupt eventfd, -1 if none */
	int doorbell;                  /* wakes the parked poller, -1 if none */
	uint64_t doorbell_errors;
	netdma_intr_cb_t cb;
	void *arg;
	uint64_t irq_errors_seen;
	netdma_iova_t cw_iova;         /* no descriptor may touch it */
	const volatile uint64_t *cw;
	struct client_chain_rules rules;
	/*
	 * The checks, the pre-link and the reason (netdma_core.h).  Its state is
	 * not kept here: it is read from what the daemon publishes in the ring
	 * before each check, and only orders the checks; the daemon decides.
	 */
	struct netdma_chan_core core;
};

void
netdma_client_set_intr_thread(bool enable)
{
	netdma_cl_state.intr_thread = enable;
}

/* Fetch the daemon's reason for the channel's last failure. */
static void
refresh_error(struct netdma_chan *c, int ret)
{
	struct netdma_msg_chan m;
	struct netdma_reply_chan_stats r;

	netdma_cl_hdr(&m, NETDMA_MSG_CHAN_STATS, sizeof(m));
	m.chan_id = c->id;
	if (ret == -ECONNRESET)
		netdma_core_fail(&c->core, ret, "the daemon went away");
	else if (netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_CHAN_STATS, -1, &r, sizeof(r), NULL) == 0 &&
		 r.last_error[0] != '\0')
		netdma_core_fail(&c->core, ret, "%.159s", r.last_error);
	else
		netdma_core_fail(&c->core, ret, "%s", strerror(-ret));
}

static uint64_t
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/*
 * Post one command and wait for its acknowledgement.  A busy poller answers
 * within a microsecond or two, so the wait spins; past YIELD_US it yields
 * the CPU at every look at the clock, because the poller may be waking on
 * this very CPU.  It gives up when the daemon revokes the channel, the
 * connection dies, or the timeout passes: nothing hangs forever.  System
 * calls stay off the common path: on a virtual machine each one costs a
 * microsecond or more.
 */
/*
 * The daemon's side is in netdma_poll.c (park): it sets poller_parked, fences
 * and looks at the rings once more; we publish head, fence, and look at
 * poller_parked.  One of the two sees the other.
 */
static inline void
ring_doorbell(struct netdma_chan *c)
{
	uint64_t one = 1;

	if (c->doorbell < 0)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->ring->poller_parked, __ATOMIC_RELAXED) &&
	    write(c->doorbell, &one, sizeof(one)) < 0)
		c->doorbell_errors++;
}

#define SPINS_PER_LOOK 64        /* about a microsecond of pause */
#define YIELD_US       20
#define ALIVE_US       1000      /* how often to ask the socket if the daemon lives */

static enum netdma_chan_event
event_of(uint32_t cmd)
{
	switch (cmd) {
	case NETDMA_CMD_START: return NETDMA_OP_START;
	case NETDMA_CMD_APPEND: return NETDMA_OP_APPEND;
	case NETDMA_CMD_SUSPEND: return NETDMA_OP_SUSPEND;
	case NETDMA_CMD_RESUME: return NETDMA_OP_RESUME;
	case NETDMA_CMD_ABORT: return NETDMA_OP_ABORT;
	default: return NETDMA_OP_RESET;
	}
}

/* What the daemon last published of the channel's state (spec §8). */
static int
published_state(const struct netdma_chan *c)
{
	int st = __atomic_load_n(&c->ring->chan_state, __ATOMIC_ACQUIRE);

	return st >= 0 && st < NETDMA_CHAN_STATE_MAX ? st : NETDMA_CHAN_ALLOCATED;
}

/* c->lock held: one command in flight.  @p refresh: ask the daemon why. */
static int
command_locked(struct netdma_chan *c, uint32_t op, netdma_iova_t iova, uint32_t count,
	       uint64_t *value, bool *refresh)
{
	struct netdma_cmd_ring *q = c->ring;
	uint64_t head, seq, start = 0, t, last_alive = 0;
	unsigned int spins = 0;
	int ret;

	*refresh = false;
	if (!__atomic_load_n(&q->daemon_alive, __ATOMIC_ACQUIRE) || netdma_cl_state.dead)
		return netdma_core_fail(&c->core, -ENODEV, "channel revoked: the daemon let it go");
	head = q->head;
	seq = ++c->seq;
	q->cmds[head & (q->entries - 1)] = (struct netdma_cmd){
		.op = op, .count = count, .desc_iova = iova, .seq = seq,
	};
	__atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
	ring_doorbell(c);

	while (__atomic_load_n(&q->done_seq, __ATOMIC_ACQUIRE) != seq) {
		netdma_cpu_relax();
		if (++spins % SPINS_PER_LOOK)
			continue;
		t = now_us();
		if (start == 0)
			start = last_alive = t;
		if (!__atomic_load_n(&q->daemon_alive, __ATOMIC_ACQUIRE)) {
			ret = -ENODEV;
			goto out;
		}
		if (t - last_alive >= ALIVE_US) {
			last_alive = t;
			if (!netdma_cl_alive()) {
				ret = -ECONNRESET;
				goto out;
			}
		}
		if (t - start > (uint64_t)netdma_cl_state.timeout_ms * 1000) {
			ret = -ETIMEDOUT;
			goto out;
		}
		if (t - start > YIELD_US)
			sched_yield();
	}
	ret = (int)q->done_result;
	if (value != NULL)
		*value = q->done_value;
out:
	*refresh = ret < 0;
	return ret;
}

static int
command(struct netdma_chan *c, uint32_t op, netdma_iova_t iova, uint32_t count, uint64_t *value)
{
	bool refresh;
	int ret;

	if (c == NULL)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	ret = command_locked(c, op, iova, count, value, &refresh);
	pthread_mutex_unlock(&c->lock);
	if (refresh)
		refresh_error(c, ret);
	return ret;
}

/*
 * Start/Append: what can be refused here is refused without a round trip,
 * by the same checks the library runs in-process (netdma_core.h), against
 * this client's memory (client_check.c).  The daemon checks only the head
 * now and each descriptor when its engine fetches it.
 */
static int
submit(struct netdma_chan *c, uint32_t op, struct netdma_descriptor *head, uint32_t count)
{
	netdma_iova_t iova = head != NULL ? netdma_virt2iova(head) : NETDMA_BAD_IOVA, prelink = 0;
	enum netdma_chan_event ev = event_of(op);
	bool refresh;
	int ret;

	if (c == NULL)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	c->core.state = published_state(c);
	ret = netdma_cl_chain_check(&c->core, &c->rules, ev, head, iova, count, &prelink);
	if (ret == 0)
		ret = command_locked(c, op, iova, count, NULL, &refresh);
	else
		refresh = false;
	if (ret == 0)
		netdma_core_submitted(&c->core, ev, iova, count, prelink);
	pthread_mutex_unlock(&c->lock);
	if (refresh)
		refresh_error(c, ret);
	return ret;
}

int
netdma_chan_start(struct netdma_chan *c, struct netdma_descriptor *head, uint32_t count)
{
	return submit(c, NETDMA_CMD_START, head, count);
}

int
netdma_chan_append(struct netdma_chan *c, struct netdma_descriptor *head, uint32_t count)
{
	return submit(c, NETDMA_CMD_APPEND, head, count);
}

int
netdma_chan_suspend(struct netdma_chan *c, netdma_iova_t *last)
{
	uint64_t v = 0;
	int ret = command(c, NETDMA_CMD_SUSPEND, 0, 0, &v);

	if (ret == 0 && last != NULL)
		*last = v;
	return ret;
}

int
netdma_chan_resume(struct netdma_chan *c)
{
	return command(c, NETDMA_CMD_RESUME, 0, 0, NULL);
}

int
netdma_chan_abort(struct netdma_chan *c)
{
	return command(c, NETDMA_CMD_ABORT, 0, 0, NULL);
}

int
netdma_chan_reset(struct netdma_chan *c)
{
	return command(c, NETDMA_CMD_RESET, 0, 0, NULL);
}

/* Tests only (netdma_client_test.h): not a consumer call, so no reason is recorded. */
int
netdma_client_chan_step(struct netdma_chan *c)
{
	bool refresh;
	int ret;

	if (c == NULL)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	ret = command_locked(c, NETDMA_CMD_STEP, 0, 0, NULL, &refresh);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/*
 * Every provider of the daemon, a page at a time (NETDMA_MSG_PROVIDERS):
 * @p fn on each in id order until it returns non-zero.  Each page starts
 * past the last id of the one before, so the walk ends even if the daemon
 * claims more forever.
 * @return what @p fn returned, 0 at the end of the list, or -errno.
 */
static int
providers_each(int (*fn)(const struct netdma_provider_info *, void *), void *arg)
{
	struct netdma_provider_info *page;
	struct netdma_reply_providers *r;
	struct netdma_msg_providers m;
	uint32_t first = 0, more;
	int ret, n, i;

	ret = netdma_cl_ensure();
	if (ret < 0)
		return ret;
	r = malloc(sizeof(*r));
	page = calloc(NETDMA_PROTO_PROVIDERS_PAGE, sizeof(*page));
	if (r == NULL || page == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	do {
		netdma_cl_hdr(&m, NETDMA_MSG_PROVIDERS, sizeof(m));   /* zeroes all of it */
		m.first = first;
		ret = netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_PROVIDERS, -1, r, sizeof(*r), NULL);
		n = ret < 0 ? ret : netdma_proto_providers_decode(r, first, page, &more);
		if (n < 0) {
			ret = n == -EBADMSG ? -EPROTO : n;
			break;
		}
		for (i = 0, ret = 0; i < n && ret == 0; i++)
			ret = fn(&page[i], arg);
		if (ret != 0 || n == 0 || page[n - 1].id == UINT32_MAX)
			break;
		first = page[n - 1].id + 1;
	} while (more > 0);
out:
	free(page);
	free(r);
	return ret;
}

struct provider_list_ctx {
	struct netdma_provider_info *infos;
	unsigned int max, n;
};

static int
list_one(const struct netdma_provider_info *p, void *arg)
{
	struct provider_list_ctx *c = arg;

	if (c->infos != NULL && c->n < c->max)
		c->infos[c->n] = *p;
	c->n++;
	return 0;
}

int
netdma_provider_list(struct netdma_provider_info *infos, unsigned int max)
{
	struct provider_list_ctx c = { .infos = infos, .max = max, .n = 0 };
	int ret = providers_each(list_one, &c);

	return ret < 0 ? ret : (int)c.n;
}

struct provider_find_ctx {
	const char *name;
	uint32_t id;
};

static int
find_one(const struct netdma_provider_info *p, void *arg)
{
	struct provider_find_ctx *c = arg;

	if (strcmp(p->name, c->name) != 0)
		return 0;
	c->id = p->id;
	return 1;
}

int
netdma_provider_find(const char *name)
{
	struct provider_find_ctx c = { .name = name, .id = 0 };
	int ret;

	if (name == NULL)
		return -EINVAL;
	ret = providers_each(find_one, &c);
	return ret < 0 ? ret : ret == 1 ? (int)c.id : -ENOENT;
}

/* The channel's doorbell; -1 when its lcore has no parking poller. */
static int
doorbell_get(uint32_t chan_id)
{
	struct netdma_msg_chan m;
	struct netdma_reply_hdr rep;
	int fd = -1;

	netdma_cl_hdr(&m, NETDMA_MSG_CHAN_DOORBELL, sizeof(m));
	m.chan_id = chan_id;
	if (netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_CHAN_DOORBELL, -1, &rep, sizeof(rep), &fd) < 0)
		return -1;
	return fd;
}

int
netdma_chan_alloc(uint32_t provider_id, const struct netdma_chan_conf *conf,
		  struct netdma_chan **out)
{
	struct netdma_msg_chan_alloc m;
	struct netdma_reply_chan_alloc rep;
	struct client_region *cwr;
	struct netdma_chan *c;
	int ret, efd = -1;

	if (conf == NULL || out == NULL)
		return -EINVAL;
	ret = netdma_cl_ensure();
	if (ret < 0)
		return ret;
	if (conf->completion_word == NULL || ((uintptr_t)conf->completion_word & 7))
		return -EINVAL;
	cwr = netdma_cl_region_of((const void *)conf->completion_word, 8);
	if (cwr == NULL)
		return -EFAULT;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->efd = -1;
	c->doorbell = -1;
	c->cb = conf->intr_cb;
	c->arg = conf->intr_arg;
	c->ring = netdma_cl_ring_get(&c->ctl, &c->ring_offset);
	if (c->ring == NULL) {
		ret = -errno;
		free(c);
		return ret;
	}
	c->ring->magic = NETDMA_RING_MAGIC;
	c->ring->version = NETDMA_PROTO_VERSION;
	c->ring->entries = RING_ENTRIES;
	c->ring->entry_size = sizeof(struct netdma_cmd);

	netdma_cl_hdr(&m, NETDMA_MSG_CHAN_ALLOC, sizeof(m));
	m.provider_id = provider_id;
	m.priority = conf->priority;
	m.lcore_mask = conf->lcore_mask;
	m.lcore_group = conf->lcore_group;
	m.ring_region = c->ctl->id;
	m.ring_offset = c->ring_offset;
	m.cw_region = cwr->id;
	m.cw_offset = (uintptr_t)conf->completion_word - (uintptr_t)cwr->base;
	m.ring_entries = RING_ENTRIES;
	m.flags = conf->intr_cb != NULL ? NETDMA_CHAN_F_EVENTFD : 0;
	/* the word is off limits to this client's descriptors from now on */
	c->cw_iova = netdma_virt2iova((const void *)conf->completion_word);
	c->cw = conf->completion_word;
	ret = netdma_cl_cw_add(c->cw_iova);
	if (ret == 0) {
		ret = netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_CHAN_ALLOC, -1, &rep, sizeof(rep), &efd);
		if (ret < 0)
			netdma_cl_cw_del(c->cw_iova);
	}
	if (ret < 0) {
		netdma_cl_ring_put(c->ctl, c->ring_offset);
		free(c);
		return ret;
	}
	c->id = rep.chan_id;
	c->lcore = rep.lcore;
	c->version = rep.version;
	netdma_core_init(&c->core, (uint8_t)(rep.version >> 8), NULL, NULL);
	c->rules.max_transfer_size = rep.max_transfer_size;
	c->rules.max_address = rep.max_address;
	c->efd = efd;
	if (c->efd >= 0)
		netdma_cl_intr_watch(c);
	c->doorbell = doorbell_get(c->id);
	*out = c;
	return 0;
}

int
netdma_chan_free(struct netdma_chan *c)
{
	struct netdma_msg_chan m;
	struct netdma_reply_hdr rep;
	int ret;

	if (c == NULL)
		return -EINVAL;
	netdma_cl_hdr(&m, NETDMA_MSG_CHAN_FREE, sizeof(m));
	m.chan_id = c->id;
	ret = netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_CHAN_FREE, -1, &rep, sizeof(rep), NULL);
	if (ret == -EBUSY) {
		refresh_error(c, ret);
		return ret;
	}
	/* any other failure means the daemon no longer has it: release locally */
	if (c->efd >= 0) {
		netdma_cl_intr_unwatch(c);
		close(c->efd);
	}
	if (c->doorbell >= 0)
		close(c->doorbell);
	netdma_cl_ring_put(c->ctl, c->ring_offset);
	netdma_cl_cw_del(c->cw_iova);
	pthread_mutex_destroy(&c->lock);
	free(c);
	return 0;
}

int
netdma_chan_lcore(const struct netdma_chan *c)
{
	return c != NULL ? (int)c->lcore : -EINVAL;
}

int
netdma_chan_version(const struct netdma_chan *c)
{
	return c != NULL ? (int)c->version : -EINVAL;
}

const char *
netdma_chan_last_error(const struct netdma_chan *c)
{
	return c != NULL ? c->core.last_error : "no channel (NULL or freed handle)";
}

int
netdma_chan_stats_get(const struct netdma_chan *c, struct netdma_chan_stats *st)
{
	struct netdma_msg_chan m;
	struct netdma_reply_chan_stats r;
	int ret;

	if (c == NULL || st == NULL)
		return -EINVAL;
	netdma_cl_hdr(&m, NETDMA_MSG_CHAN_STATS, sizeof(m));
	m.chan_id = c->id;
	ret = netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_CHAN_STATS, -1, &r, sizeof(r), NULL);
	if (ret < 0)
		return ret;
	netdma_proto_stats_decode(&r, st);
	return 0;
}

/* ---- interrupts ----------------------------------------------------------- */

int
netdma_client_chan_fd(const struct netdma_chan *c)
{
	return c != NULL ? c->efd : -EINVAL;
}

/*
 * Deliver what the daemon signalled.  Nothing of @p c is touched after a
 * callback, which may free the channel; between the watermark and the
 * error DPC, @p alive (when given) says whether it still exists.
 */
int
netdma_cl_chan_dispatch(struct netdma_chan *c, bool (*alive)(const struct netdma_chan *))
{
	netdma_intr_cb_t cb;
	netdma_iova_t pa;
	uint64_t errs;
	char buf[64];
	ssize_t n;
	void *arg;
	bool err;
	int calls = 0;

	if (c == NULL || c->efd < 0)
		return -EINVAL;
	/* a datagram per DPC, non-blocking: what counts is that one came */
	n = read(c->efd, buf, sizeof(buf));
	if (n == 0)
		return -ECONNRESET;   /* the daemon let go of the channel: no DPC will come */
	if (n < 0)
		return 0;
	while (read(c->efd, buf, sizeof(buf)) > 0)
		;
	errs = __atomic_load_n(&c->ring->irq_errors, __ATOMIC_ACQUIRE);
	pa = __atomic_load_n(&c->ring->irq_pa, __ATOMIC_ACQUIRE);
	err = errs != c->irq_errors_seen;
	c->irq_errors_seen = errs;
	cb = c->cb;
	arg = c->arg;
	if (cb == NULL)
		return 0;
	if (pa != 0) {
		cb(c, pa, arg);
		calls++;
	}
	if (err && (calls == 0 || alive == NULL || alive(c))) {
		/* the halt's reason, as in-process it is set before the DPC runs */
		refresh_error(c, -EIO);
		cb(c, 0, arg);   /* the error DPC */
		calls++;
	}
	return calls;
}

int
netdma_client_chan_dispatch(struct netdma_chan *c)
{
	return netdma_cl_chan_dispatch(c, NULL);
}

int
netdma_cl_chan_irq_fd(const struct netdma_chan *c)
{
	return c->efd;
}
