/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One thread per process delivers the DPCs of channels with a callback
 * (spec §6.2), unless the application asked to run them itself
 * (netdma_client_set_intr_thread(false)).
 *
 * epoll hands back channel pointers that a Free on another thread may have
 * invalidated since: the thread dispatches only channels still in the
 * watched set, and holds intr_lock while it does, so a Free (which leaves
 * the set under that lock) waits for a DPC in progress.  The lock is
 * recursive, for a DPC that frees its own channel.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "client_internal.h"

static pthread_mutex_t intr_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static int intr_epfd = -1;
static pthread_t intr_tid;
static struct netdma_chan **watched;
static unsigned int nb_watched, cap_watched;

/* intr_lock held: the index of @p c in the watched set, or -1 */
static int
watched_index(const struct netdma_chan *c)
{
	unsigned int i;

	for (i = 0; i < nb_watched; i++)
		if (watched[i] == c)
			return (int)i;
	return -1;
}

static bool
is_watched(const struct netdma_chan *c)
{
	return watched_index(c) >= 0;
}

/* intr_lock held */
static void
forget(unsigned int i)
{
	epoll_ctl(intr_epfd, EPOLL_CTL_DEL, netdma_cl_chan_irq_fd(watched[i]), NULL);
	watched[i] = watched[--nb_watched];
}

static void *
intr_main(void *arg)
{
	struct epoll_event ev[16];
	int n, i;

	(void)arg;
	for (;;) {
		n = epoll_wait(intr_epfd, ev, 16, -1);
		pthread_mutex_lock(&intr_lock);
		for (i = 0; i < n; i++) {
			int k = watched_index(ev[i].data.ptr);

			/* a socket the daemon closed stays readable: stop looking at it */
			if (k >= 0 && netdma_cl_chan_dispatch(ev[i].data.ptr, is_watched) == -ECONNRESET &&
			    (k = watched_index(ev[i].data.ptr)) >= 0)
				forget((unsigned int)k);
		}
		pthread_mutex_unlock(&intr_lock);
	}
	return NULL;
}

void
netdma_cl_intr_watch(struct netdma_chan *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	if (!netdma_cl_state.intr_thread)
		return;
	pthread_mutex_lock(&intr_lock);
	if (intr_epfd < 0) {
		intr_epfd = epoll_create1(EPOLL_CLOEXEC);
		if (intr_epfd >= 0 && pthread_create(&intr_tid, NULL, intr_main, NULL) == 0)
			pthread_detach(intr_tid);
	}
	if (nb_watched == cap_watched) {
		unsigned int cap = cap_watched ? cap_watched * 2 : 16;
		struct netdma_chan **v = realloc(watched, cap * sizeof(*v));

		if (v == NULL) {   /* no DPCs for it: the application may poll its fd */
			pthread_mutex_unlock(&intr_lock);
			return;
		}
		watched = v;
		cap_watched = cap;
	}
	if (intr_epfd >= 0 && epoll_ctl(intr_epfd, EPOLL_CTL_ADD, netdma_cl_chan_irq_fd(c), &ev) == 0)
		watched[nb_watched++] = c;
	pthread_mutex_unlock(&intr_lock);
}

void
netdma_cl_intr_unwatch(struct netdma_chan *c)
{
	int k;

	pthread_mutex_lock(&intr_lock);
	k = watched_index(c);
	if (k >= 0)
		forget((unsigned int)k);
	pthread_mutex_unlock(&intr_lock);
}

void
netdma_cl_intr_unwatch_all(void)
{
	pthread_mutex_lock(&intr_lock);
	while (nb_watched > 0)
		forget(nb_watched - 1);
	pthread_mutex_unlock(&intr_lock);
}
