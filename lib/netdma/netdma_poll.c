/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore poll sets: the owner lcore of a channel runs its engine and its
 * DPCs (DESIGN.md "Polling replaces interrupts", spec §6.2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_memory.h>
#include <rte_pause.h>
#include <rte_service_component.h>

#include "netdma_internal.h"
#include "netdma_lcore.h"

/*
 * A recursive lock: a DPC callback running inside a poll pass may free its
 * channel, which edits this set.  Iteration is by index so such an edit
 * only makes the pass skip one channel until the next pass.
 */
struct lcore_set {
	rte_spinlock_recursive_t lock;
	struct netdma_chan **v;
	unsigned int n, cap;
	bool poller_running;
	volatile bool poller_stop;
	struct netdma_poller_conf conf;
	netdma_poll_fn_t poll_fn;
	/*
	 * Parking: the poller blocks on park_ep, which holds wake_fd (this
	 * library's own kicks) and any doorbells watched; producers check
	 * `parked`.
	 */
	int wake_fd;
	int park_ep;
	uint32_t parked;
	uint64_t parks, wakeups;
} __rte_cache_aligned;

static struct lcore_set sets[RTE_MAX_LCORE];

RTE_INIT(netdma_poll_init)
{
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++) {
		rte_spinlock_recursive_init(&sets[i].lock);
		sets[i].wake_fd = -1;
		sets[i].park_ep = -1;
	}
}

void
netdma_lcore_attach(struct netdma_chan *c)
{
	struct lcore_set *s = &sets[c->lcore];

	rte_spinlock_recursive_lock(&s->lock);
	if (s->n == s->cap) {
		unsigned int cap = s->cap ? s->cap * 2 : 8;
		struct netdma_chan **v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL) {   /* keep the channel usable: callers may poll it inline */
			rte_spinlock_recursive_unlock(&s->lock);
			NETDMA_LOG(ERR, "no memory to add a channel to lcore %u's poll set\n", c->lcore);
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = c;
	rte_spinlock_recursive_unlock(&s->lock);
}

void
netdma_lcore_detach(struct netdma_chan *c)
{
	struct lcore_set *s = &sets[c->lcore];
	unsigned int i;

	rte_spinlock_recursive_lock(&s->lock);
	for (i = 0; i < s->n; i++)
		if (s->v[i] == c) {
			s->v[i] = s->v[--s->n];
			break;
		}
	rte_spinlock_recursive_unlock(&s->lock);
}

struct dpc {
	netdma_iova_t pa;       /* 0: the error DPC */
	netdma_intr_cb_t cb;
	void *arg;
};

/*
 * One pass over @p c, its lock held: the engine, then the DPC to run once
 * the lock is dropped, if any.  One DPC per channel per pass, progress
 * before error: a DPC may free its channel, and then no second call may
 * name it.
 */
static int
poll_locked(struct netdma_chan *c, struct dpc *d)
{
	int work = netdma_chan_poll_locked(c);

	if (c->dpc_pending || c->dpc_error_pending) {
		d->pa = c->dpc_pending ? c->dpc_pa : 0;
		d->cb = c->intr_cb;
		d->arg = c->intr_arg;
		if (c->dpc_pending)
			c->dpc_pending = false;
		else
			c->dpc_error_pending = false;
		c->interrupts++;
		work++;
	}
	return work;
}

int
netdma_lcore_poll(unsigned int lcore_id)
{
	struct lcore_set *s;
	unsigned int i;
	int work = 0;

	if (lcore_id >= RTE_MAX_LCORE)
		return -EINVAL;
	s = &sets[lcore_id];
	rte_spinlock_recursive_lock(&s->lock);
	for (i = 0; i < s->n; i++) {
		struct netdma_chan *c = s->v[i];
		struct dpc d = { 0, NULL, NULL };

		/* never wait here: a consumer holding this lock may want ours */
		if (!rte_spinlock_trylock(&c->lock))
			continue;
		work += poll_locked(c, &d);
		rte_spinlock_unlock(&c->lock);
		/* outside the channel lock, so the DPC may call the API, Free too */
		if (d.cb != NULL)
			d.cb(c, d.pa, d.arg);
	}
	rte_spinlock_recursive_unlock(&s->lock);
	return work;
}

int
netdma_chan_poll(struct netdma_chan *c)
{
	struct dpc d = { 0, NULL, NULL };
	int work;

	if (c == NULL)
		return -EINVAL;
	/* the caller asked for this pass: wait for a consumer call to end */
	rte_spinlock_lock(&c->lock);
	work = poll_locked(c, &d);
	rte_spinlock_unlock(&c->lock);
	if (d.cb != NULL)
		d.cb(c, d.pa, d.arg);
	return work;
}

/*
 * Producer side of parking.  The producer published its work (a channel
 * update, a command-ring head) before its fence; the poller published
 * `parked` before its own fence and then polls once more.  Whichever fence
 * comes second sees the other side's store: the work is polled, or the
 * poller is woken.
 */
void
netdma_lcore_kick(unsigned int lcore)
{
	struct lcore_set *s = &sets[lcore];
	uint64_t one = 1;

	if (s->wake_fd < 0)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->parked, __ATOMIC_RELAXED) && write(s->wake_fd, &one, sizeof(one)) < 0)
		NETDMA_LOG(DEBUG, "lcore %u: wake-up write failed\n", lcore);
}

/* Nothing in flight or queued on any channel of the set, no DPC due. */
static bool
lcore_quiet(struct lcore_set *s)
{
	struct netdma_chan_progress pr;
	bool quiet = true;
	unsigned int i;

	rte_spinlock_recursive_lock(&s->lock);
	for (i = 0; i < s->n && quiet; i++) {
		struct netdma_chan *c = s->v[i];

		if (!rte_spinlock_trylock(&c->lock)) {
			quiet = false;   /* a consumer is in a call: not a moment to park */
			break;
		}
		quiet = !c->dpc_pending && !c->dpc_error_pending &&
			netdma_chan_outstanding_locked(c, &pr) == 0;
		rte_spinlock_unlock(&c->lock);
	}
	rte_spinlock_recursive_unlock(&s->lock);
	return quiet;
}

/* Block until kicked or the park timeout; @return true if work was found. */
static bool
park(struct lcore_set *s, unsigned int lcore)
{
	struct epoll_event ev[8];
	uint64_t v;
	bool work;

	__atomic_store_n(&s->parked, 1, __ATOMIC_SEQ_CST);
	if (s->conf.park_fn != NULL)
		s->conf.park_fn(lcore, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* the second look: whatever was handed over before `parked` showed */
	work = s->poll_fn(lcore) > 0;
	if (!work && !__atomic_load_n(&s->poller_stop, __ATOMIC_ACQUIRE)) {
		s->parks++;
		if (epoll_wait(s->park_ep, ev, RTE_DIM(ev), (int)s->conf.park_timeout_ms) > 0)
			s->wakeups++;
	}
	if (read(s->wake_fd, &v, sizeof(v)) < 0)
		v = 0;   /* nothing was written: a timeout or the second look */
	__atomic_store_n(&s->parked, 0, __ATOMIC_RELEASE);
	if (s->conf.park_fn != NULL)
		s->conf.park_fn(lcore, false);
	return work;
}

static void
sleep_us(uint32_t us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * Spin while busy; when idle, sleep 1 µs doubling up to max_sleep_us; idle
 * for park_after_us with nothing outstanding, park until woken.
 */
static int
poller_main(void *arg)
{
	unsigned int lcore = (unsigned int)(uintptr_t)arg;
	struct lcore_set *s = &sets[lcore];
	uint64_t hz = rte_get_timer_hz(), idle_since = 0;
	uint64_t park_after = s->conf.park_after_us == UINT32_MAX ? UINT64_MAX :
		(uint64_t)s->conf.park_after_us * hz / 1000000;
	uint32_t idle = 0, sleep = 1;

	while (!__atomic_load_n(&s->poller_stop, __ATOMIC_ACQUIRE)) {
		if (s->poll_fn(lcore) > 0) {
			idle = 0;
			sleep = 1;
			continue;
		}
		if (++idle < s->conf.spin_polls) {
			rte_pause();
			continue;
		}
		if (idle == s->conf.spin_polls)
			idle_since = rte_get_timer_cycles();
		if (rte_get_timer_cycles() - idle_since >= park_after && lcore_quiet(s)) {
			if (park(s, lcore)) {
				idle = 0;
				sleep = 1;
			}
			/* else still idle: the next empty poll parks again */
			continue;
		}
		sleep_us(sleep);
		if (sleep < s->conf.max_sleep_us)
			sleep = RTE_MIN(sleep * 2, s->conf.max_sleep_us);
	}
	return 0;
}

int
netdma_poller_wake_fd(unsigned int lcore_id)
{
	if (lcore_id >= RTE_MAX_LCORE || !sets[lcore_id].poller_running)
		return -ENOENT;
	return sets[lcore_id].wake_fd;
}

/*
 * Edge-triggered, and never read by the poller: a doorbell may be shared
 * with another process, which could read it (or make it blocking) between
 * our wake-up and our read.  Each write still wakes a parked poller.
 */
int
netdma_poller_watch_fd(unsigned int lcore_id, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = fd };

	if (lcore_id >= RTE_MAX_LCORE || sets[lcore_id].park_ep < 0)
		return -ENOENT;
	if (fd < 0)
		return -EBADF;
	return epoll_ctl(sets[lcore_id].park_ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int
netdma_poller_unwatch_fd(unsigned int lcore_id, int fd)
{
	if (lcore_id >= RTE_MAX_LCORE || sets[lcore_id].park_ep < 0)
		return -ENOENT;
	return epoll_ctl(sets[lcore_id].park_ep, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

int
netdma_poller_park_stats(unsigned int lcore_id, uint64_t *parks, uint64_t *wakeups)
{
	if (lcore_id >= RTE_MAX_LCORE || !sets[lcore_id].poller_running)
		return -ENOENT;
	*parks = __atomic_load_n(&sets[lcore_id].parks, __ATOMIC_RELAXED);
	*wakeups = __atomic_load_n(&sets[lcore_id].wakeups, __ATOMIC_RELAXED);
	return 0;
}

int
netdma_lcore_state_get(unsigned int lcore, struct netdma_lcore_state *st)
{
	struct lcore_set *s;

	if (lcore >= RTE_MAX_LCORE)
		return -ENOENT;
	s = &sets[lcore];
	rte_spinlock_recursive_lock(&s->lock);
	st->channels = s->n;
	rte_spinlock_recursive_unlock(&s->lock);
	st->poller = __atomic_load_n(&s->poller_running, __ATOMIC_RELAXED);
	st->parked = st->poller && __atomic_load_n(&s->parked, __ATOMIC_RELAXED) != 0;
	st->parks = __atomic_load_n(&s->parks, __ATOMIC_RELAXED);
	st->wakeups = __atomic_load_n(&s->wakeups, __ATOMIC_RELAXED);
	return st->poller || st->channels > 0 ? 0 : -ENOENT;
}

int
netdma_poller_start(unsigned int lcore_id, const struct netdma_poller_conf *conf)
{
	return netdma_poller_start_fn(lcore_id, conf, netdma_lcore_poll);
}

int
netdma_poller_start_fn(unsigned int lcore_id, const struct netdma_poller_conf *conf,
		       netdma_poll_fn_t fn)
{
	struct lcore_set *s;
	int ret;

	if (lcore_id >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore_id) ||
	    lcore_id == rte_get_main_lcore())
		return -EINVAL;
	s = &sets[lcore_id];
	if (s->poller_running)
		return -EBUSY;
	s->conf.spin_polls = conf != NULL && conf->spin_polls ? conf->spin_polls : 2000;
	s->conf.max_sleep_us = conf != NULL && conf->max_sleep_us ? conf->max_sleep_us : 50;
	s->conf.park_after_us = conf != NULL && conf->park_after_us ? conf->park_after_us : 1000;
	s->conf.park_timeout_ms = conf != NULL && conf->park_timeout_ms ? conf->park_timeout_ms : 100;
	s->conf.park_fn = conf != NULL ? conf->park_fn : NULL;
	s->poll_fn = fn != NULL ? fn : netdma_lcore_poll;
	s->poller_stop = false;
	s->parked = 0;
	s->parks = s->wakeups = 0;
	/*
	 * Created once and never closed: a consumer racing a stop may still
	 * kick it, and a closed number could by then name another file.
	 */
	if (s->wake_fd < 0) {
		struct epoll_event ev = { .events = EPOLLIN };

		s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (s->wake_fd < 0)
			return -errno;
		s->park_ep = epoll_create1(EPOLL_CLOEXEC);
		ev.data.fd = s->wake_fd;
		if (s->park_ep < 0 || epoll_ctl(s->park_ep, EPOLL_CTL_ADD, s->wake_fd, &ev) < 0) {
			ret = -errno;
			if (s->park_ep >= 0)
				close(s->park_ep);
			close(s->wake_fd);
			s->park_ep = s->wake_fd = -1;
			return ret;
		}
	} else {
		uint64_t stale;

		if (read(s->wake_fd, &stale, sizeof(stale)) < 0)
			stale = 0;   /* nothing pending */
	}
	ret = rte_eal_remote_launch(poller_main, (void *)(uintptr_t)lcore_id, lcore_id);
	if (ret < 0)
		return ret;
	s->poller_running = true;
	return 0;
}

int
netdma_poller_stop(unsigned int lcore_id)
{
	struct lcore_set *s;
	uint64_t one = 1;

	if (lcore_id >= RTE_MAX_LCORE || !sets[lcore_id].poller_running)
		return -ENOENT;
	s = &sets[lcore_id];
	__atomic_store_n(&s->poller_stop, true, __ATOMIC_RELEASE);
	if (write(s->wake_fd, &one, sizeof(one)) < 0)
		NETDMA_LOG(DEBUG, "lcore %u: wake-up write failed\n", lcore_id);
	rte_eal_wait_lcore(lcore_id);
	s->poller_running = false;
	return 0;
}

void
netdma_poller_stop_all(void)
{
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++)
		netdma_poller_stop(l);
}

static int32_t
service_poll(void *arg)
{
	return netdma_lcore_poll((unsigned int)(uintptr_t)arg) > 0 ? 0 : -EAGAIN;
}

int
netdma_service_register(unsigned int lcore_id, uint32_t *service_id)
{
	struct rte_service_spec spec = {
		.callback = service_poll,
		.callback_userdata = (void *)(uintptr_t)lcore_id,
		.capabilities = 0,
		.socket_id = SOCKET_ID_ANY,
	};
	uint32_t id;
	int ret;

	if (lcore_id >= RTE_MAX_LCORE || service_id == NULL)
		return -EINVAL;
	snprintf(spec.name, sizeof(spec.name), "netdma_lcore_%u", lcore_id);
	ret = rte_service_component_register(&spec, &id);
	if (ret < 0)
		return ret;
	ret = rte_service_component_runstate_set(id, 1);
	if (ret == 0)
		ret = rte_service_runstate_set(id, 1);
	/*
	 * Only on the owner lcore do its channels' DPCs run where they must
	 * (spec §6.2): a service lcore gets the service mapped; any other
	 * lcore runs it itself (rte_service_run_iter_on_app_lcore()).
	 */
	if (ret == 0 && rte_lcore_has_role(lcore_id, ROLE_SERVICE))
		ret = rte_service_map_lcore_set(id, lcore_id, 1);
	if (ret < 0) {
		NETDMA_LOG(ERR, "service for lcore %u: %s\n", lcore_id, strerror(-ret));
		rte_service_runstate_set(id, 0);
		rte_service_component_runstate_set(id, 0);
		rte_service_component_unregister(id);
		return ret;
	}
	*service_id = id;
	return 0;
}
