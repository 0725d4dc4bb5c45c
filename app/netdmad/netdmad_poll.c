/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Polling lcores: each runs the command rings of the client channels it owns,
 * then the engines (netdma_lcore_poll), backing off when idle.  Commands run
 * on the owner lcore, so a channel's calls stay on one thread.
 */
#include <errno.h>
#include <string.h>

#include <rte_lcore.h>

#include "netdma_provider.h"
#include "netdma_service.h"
#include "netdmad.h"
#include "netdmad_internal.h"

struct poll_set {
	rte_spinlock_t lock;
	TAILQ_HEAD(, dchan) chans;
	bool parked;            /* mirrored into each ring's poller_parked */
} __rte_cache_aligned;

static struct poll_set sets[RTE_MAX_LCORE];

RTE_INIT(netdmad_poll_init)
{
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++) {
		rte_spinlock_init(&sets[i].lock);
		TAILQ_INIT(&sets[i].chans);
	}
}

void
netdmad_poll_attach(struct dchan *dc)
{
	struct poll_set *s = &sets[dc->lcore];

	rte_spinlock_lock(&s->lock);
	if (!dc->on_poller)
		TAILQ_INSERT_TAIL(&s->chans, dc, poll_link);
	dc->on_poller = true;
	/* a channel joining a parked poller must ring the doorbell too */
	__atomic_store_n(&dc->ring->poller_parked, s->parked, __ATOMIC_SEQ_CST);
	rte_spinlock_unlock(&s->lock);
}

/*
 * The poller parks or wakes (netdma_poller_conf.park_fn): tell every client
 * ring it serves, so that clients ring the doorbell only while it sleeps.
 */
static void
park_notify(unsigned int lcore, bool parked)
{
	struct poll_set *s = &sets[lcore];
	struct dchan *dc;

	rte_spinlock_lock(&s->lock);
	s->parked = parked;
	TAILQ_FOREACH(dc, &s->chans, poll_link)
		__atomic_store_n(&dc->ring->poller_parked, parked, __ATOMIC_SEQ_CST);
	rte_spinlock_unlock(&s->lock);
}

/* Returns once the poller is not inside a command of @p dc. */
void
netdmad_poll_detach(struct dchan *dc)
{
	struct poll_set *s = &sets[dc->lcore];

	rte_spinlock_lock(&s->lock);
	if (dc->on_poller)
		TAILQ_REMOVE(&s->chans, dc, poll_link);
	dc->on_poller = false;
	rte_spinlock_unlock(&s->lock);
}

/* Run one command; @return 0 or -errno, @p value for Suspend. */
static int
run_one(struct dchan *dc, const struct netdma_cmd *cmd, uint64_t *value)
{
	struct netdma_descriptor *d;

	switch (cmd->op) {
	case NETDMA_CMD_START:
	case NETDMA_CMD_APPEND:
		/* the head must be the client's own data memory before we touch it */
		if (!client_addr_ok(dc->cl, cmd->desc_iova, sizeof(*d)))
			return -EFAULT;
		d = netdma_iova2virt(cmd->desc_iova);
		if (d == NULL)
			return -EFAULT;
		return cmd->op == NETDMA_CMD_START ? netdma_chan_start(dc->ch, d, cmd->count) :
			netdma_chan_append(dc->ch, d, cmd->count);
	case NETDMA_CMD_SUSPEND:
		return netdma_chan_suspend(dc->ch, value);
	case NETDMA_CMD_RESUME:
		return netdma_chan_resume(dc->ch);
	case NETDMA_CMD_ABORT:
		return netdma_chan_abort(dc->ch);
	case NETDMA_CMD_RESET:
		return netdma_chan_reset(dc->ch);
	default:
		return -EINVAL;
	}
}

int
netdmad_dchan_run_commands(struct dchan *dc)
{
	struct netdma_cmd_ring *q = dc->ring;
	uint64_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	uint64_t n = head - dc->tail;
	int done = 0;

	if (n == 0)
		return 0;
	if (n > dc->entries) {
		/* the client wrote past its ring: halt this channel only */
		dc->bad_commands++;
		dc->tail = head;
		q->tail = head;
		netdma_chan_abort(dc->ch);
		CLOG(dc->cl, NOTICE, "client %u channel %u: command ring overrun; channel halted\n",
		     dc->cl->id, dc->id);
		return 1;
	}
	/* a bounded share per pass: the rest waits for the next one */
	if (n > netdmad_conf->commands_per_pass)
		head = dc->tail + netdmad_conf->commands_per_pass;
	while (dc->tail != head) {
		struct netdma_cmd cmd;
		uint64_t value = 0;
		int ret;

		/* copy the command out of shared memory before looking at it */
		memcpy(&cmd, (const void *)&q->cmds[dc->tail & (dc->entries - 1)], sizeof(cmd));
		ret = run_one(dc, &cmd, &value);
		dc->commands++;
		q->done_value = value;
		q->done_result = ret;
		__atomic_store_n(&q->done_seq, cmd.seq, __ATOMIC_RELEASE);
		dc->tail++;
		__atomic_store_n(&q->tail, dc->tail, __ATOMIC_RELEASE);
		done++;
	}
	return done;
}

int
netdmad_poll_lcore(unsigned int lcore)
{
	struct poll_set *s = &sets[lcore];
	struct dchan *dc;
	int work = 0;

	rte_spinlock_lock(&s->lock);
	TAILQ_FOREACH(dc, &s->chans, poll_link)
		work += netdmad_dchan_run_commands(dc);
	rte_spinlock_unlock(&s->lock);
	return work + netdma_lcore_poll(lcore);
}

int
netdmad_pollers_start(const struct netdmad_conf *c)
{
	struct netdma_poller_conf pc = {
		.spin_polls = c->spin_polls, .max_sleep_us = c->max_sleep_us,
		.park_after_us = c->park_after_us, .park_timeout_ms = c->park_timeout_ms,
		.park_fn = park_notify,
	};
	unsigned int i, l;
	int ret;

	for (i = 0; i < c->nb_pollers; i++) {
		l = c->pollers[i];
		if (l >= RTE_MAX_LCORE || !rte_lcore_is_enabled(l) || l == rte_get_main_lcore()) {
			DLOG(ERR, "[pollers] lcores: %u is not a worker lcore of the EAL core list\n", l);
			return -EINVAL;
		}
		/* the library's backing-off loop, running our commands and its engines */
		ret = netdma_poller_start_fn(l, &pc, netdmad_poll_lcore);
		if (ret < 0) {
			DLOG(ERR, "cannot launch the poller on lcore %u: %d\n", l, ret);
			return ret;
		}
	}
	return 0;
}

void
netdmad_pollers_stop(void)
{
	netdma_poller_stop_all();
}
