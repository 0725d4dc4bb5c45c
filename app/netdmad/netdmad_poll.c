/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Polling lcores: each runs the command rings of the client channels it owns,
 * then the engines (netdma_lcore_poll), backing off when idle.  Commands run
 * on the owner lcore, so a channel's calls stay on one thread.
 *
 * The test build netdmad-step (-DNETDMAD_TEST_STEP, never installed) runs
 * the command rings alike but polls an engine only when its client posts
 * NETDMA_CMD_STEP: one poll per STEP, so that a test stops an engine
 * mid-chain as exactly through the daemon as in-process.
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

#ifdef NETDMAD_TEST_STEP
static const bool step_build = true;
#else
static const bool step_build = false;
#endif

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

/*
 * netdmad-step: may this pass poll @p dc's engine although its client did
 * not step it?  Only while a Suspend waits for the descriptors being
 * processed (the client waits for its answer and cannot step): the polls
 * then only retire, as the in-process netdma_chan_suspend() polls its own
 * channel.  Otherwise only a STEP moves an engine there (step()).  netdmad
 * polls every engine of the lcore at every pass.
 */
static inline bool
step_build_polls_unasked(const struct dchan *dc)
{
	return dc->suspending;
}

void
netdmad_poll_orphan(struct dchan *dc)
{
	if (step_build)
		netdma_chan_poll(dc->ch);
}

/* NETDMA_CMD_STEP: one poll of the channel's engine, its DPC included, before the answer. */
static int
step(struct dchan *dc)
{
	if (!step_build)
		return -ENOTSUP;
	return netdma_chan_poll(dc->ch) < 0 ? -EINVAL : 0;
}

/* Run one command; @return 0 or -errno, @p value for Suspend. */
static int
run_one(struct dchan *dc, const struct netdma_cmd *cmd, uint64_t *value)
{
	struct netdma_descriptor *d;
	int ret;

	switch (cmd->op) {
	case NETDMA_CMD_START:
	case NETDMA_CMD_APPEND:
		/*
		 * IOVA = VA: nothing is read through @p d before the channel core
		 * has checked the state, then the head against this client's
		 * memory (its validator), in the order in-process calls see.
		 */
		d = netdma_iova2virt(cmd->desc_iova);
		return cmd->op == NETDMA_CMD_START ? netdma_chan_start(dc->ch, d, cmd->count) :
			netdma_chan_append(dc->ch, d, cmd->count);
	case NETDMA_CMD_SUSPEND:
		/* -EINPROGRESS: a later pass acknowledges it (ack_suspend) */
		ret = netdma_chan_suspend_begin(dc->ch);
		return ret == 0 ? netdma_chan_suspend_poll(dc->ch, value) : ret;
	case NETDMA_CMD_RESUME:
		return netdma_chan_resume(dc->ch);
	case NETDMA_CMD_ABORT:
		return netdma_chan_abort(dc->ch);
	case NETDMA_CMD_RESET:
		return netdma_chan_reset(dc->ch);
	case NETDMA_CMD_STEP:
		return step(dc);
	default:
		return -EINVAL;
	}
}

/* Tell the client command @p seq is done. */
static void
ack(struct dchan *dc, uint64_t seq, int result, uint64_t value)
{
	struct netdma_cmd_ring *q = dc->ring;

	q->done_value = value;
	q->done_result = result;
	__atomic_store_n(&q->done_seq, seq, __ATOMIC_RELEASE);
}

/* A pending Suspend: acknowledged once it has an outcome.  @return false while it waits. */
static bool
ack_suspend(struct dchan *dc)
{
	netdma_iova_t last = 0;
	int ret;

	if (!dc->suspending)
		return true;
	ret = netdma_chan_suspend_poll(dc->ch, &last);
	if (ret == -EINPROGRESS)
		return false;
	dc->suspending = false;
	ack(dc, dc->suspend_seq, ret, last);
	return true;
}

int
netdmad_dchan_run_commands(struct dchan *dc)
{
	struct netdma_cmd_ring *q = dc->ring;
	uint64_t head, n;
	int done = 0;

	if (!ack_suspend(dc))
		return 0;
	head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	n = head - dc->tail;
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
	while (dc->tail != head && !dc->suspending) {
		struct netdma_cmd cmd;
		uint64_t value = 0;
		int ret;

		/* copy the command out of shared memory before looking at it */
		memcpy(&cmd, (const void *)&q->cmds[dc->tail & (dc->entries - 1)], sizeof(cmd));
		ret = run_one(dc, &cmd, &value);
		dc->commands++;
		if (ret == -EINPROGRESS && cmd.op == NETDMA_CMD_SUSPEND) {
			dc->suspending = true;
			dc->suspend_seq = cmd.seq;
			__atomic_add_fetch(&netdmad_stats.suspends_deferred, 1, __ATOMIC_RELAXED);
		} else {
			ack(dc, cmd.seq, ret, value);
		}
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
	TAILQ_FOREACH(dc, &s->chans, poll_link) {
		work += netdmad_dchan_run_commands(dc);
		if (step_build && step_build_polls_unasked(dc))
			work += netdma_chan_poll(dc->ch);
	}
	rte_spinlock_unlock(&s->lock);
	/* netdmad: all at once, the channels of clients that left included */
	return step_build ? work : work + netdma_lcore_poll(lcore);
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

	if (step_build)
		DLOG(WARNING, "test build: an engine moves only when its client steps it\n");
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
