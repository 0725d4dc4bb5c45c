/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The channel core (netdma_core.h): the state table of spec §8, the one
 * transition function, the submit checks and the pre-link rule, and the
 * completion-word set.  Pure: the in-process library, the client library
 * and netdmad (through the library) all call this one copy.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "netdma_core.h"

#define X -EPERM
#define A NETDMA_CHAN_ALLOCATED
#define R NETDMA_CHAN_RUNNING
#define S NETDMA_CHAN_SUSPENDED
#define SG NETDMA_CHAN_SUSPENDING
#define H NETDMA_CHAN_HALTED
#define V NETDMA_CHAN_REVOKED
#define F NETDMA_CHAN_FREED
#define D -ENODEV

/*
 * next[state][event].  Choices where the spec is silent (§12.14):
 *  - Append on a suspended channel is accepted: the chain may be edited
 *    while suspended and the new work runs after Resume.
 *  - Reset is accepted in every live state (it is the recovery path) and
 *    leaves the channel HALTED, as the spec's table says.
 *  - Free is accepted in every live state; the library additionally refuses
 *    it while the engine still holds work (rule 10).
 *  - While a Suspend waits for the descriptors being processed (SUSPENDING)
 *    only Abort, Reset and Free are taken: the suspending caller owns the
 *    channel until its call returns.
 *  - Power-up re-starts every running channel (spec §7.5) on a re-seed, so
 *    its next Append is a Start.  A suspended one stays suspended: its
 *    engine holds nothing and Resume re-reads the last processed
 *    descriptor as ever (spec §3.6), so none of its chain is lost.
 */
static const int next_state[NETDMA_CHAN_STATE_MAX][NETDMA_EV_MAX] = {
	/*                  start append suspend resume abort reset free drained timeout error revoke power-up */
	[NETDMA_CHAN_ALLOCATED] =  { R, X, X,  X, X, H, F, X, X, H, V, A },   /* rule 3: Start first */
	[NETDMA_CHAN_RUNNING] =    { R, R, SG, X, H, H, F, X, X, H, V, R },   /* rule 5: restart */
	[NETDMA_CHAN_SUSPENDING] = { X, X, X,  X, H, H, F, S, R, H, V, SG },
	[NETDMA_CHAN_SUSPENDED] =  { R, S, X,  R, H, H, F, X, X, H, V, S },
	[NETDMA_CHAN_HALTED] =     { R, X, X,  X, X, H, F, X, X, H, V, H },   /* rule 3 */
	[NETDMA_CHAN_REVOKED] =    { D, D, D,  D, D, D, F, D, D, D, V, D },
};

int
netdma_state_next(int state, enum netdma_chan_event ev)
{
	if (state < 0 || state >= NETDMA_CHAN_STATE_MAX || (unsigned int)ev >= NETDMA_EV_MAX)
		return -EINVAL;
	return next_state[state][ev];
}

static const char *const event_names[NETDMA_EV_MAX] = {
	[NETDMA_OP_START] = "start",
	[NETDMA_OP_APPEND] = "append",
	[NETDMA_OP_SUSPEND] = "suspend",
	[NETDMA_OP_RESUME] = "resume",
	[NETDMA_OP_ABORT] = "abort",
	[NETDMA_OP_RESET] = "reset",
	[NETDMA_OP_FREE] = "free",
	[NETDMA_EV_DRAINED] = "drained",
	[NETDMA_EV_DRAIN_TIMEOUT] = "drain timeout",
	[NETDMA_EV_ERROR] = "error",
	[NETDMA_EV_REVOKE] = "revoke",
	[NETDMA_EV_POWER_UP] = "power-up",
};

const char *
netdma_event_name(enum netdma_chan_event ev)
{
	return (unsigned int)ev < NETDMA_EV_MAX ? event_names[ev] : "?";
}

static const char *const state_names[NETDMA_CHAN_STATE_MAX] = {
	[NETDMA_CHAN_ALLOCATED] = "allocated",
	[NETDMA_CHAN_RUNNING] = "running",
	[NETDMA_CHAN_SUSPENDED] = "suspended",
	[NETDMA_CHAN_HALTED] = "halted",
	[NETDMA_CHAN_REVOKED] = "revoked",
	[NETDMA_CHAN_SUSPENDING] = "suspending",
};

const char *
netdma_chan_state_name(int state)
{
	if (state == NETDMA_CHAN_FREED)
		return "freed";
	return state >= 0 && state < NETDMA_CHAN_STATE_MAX ? state_names[state] : "?";
}

static const char *const status_names[] = {
	[NETDMA_STATUS_ACTIVE] = "active",
	[NETDMA_STATUS_IDLE] = "idle",
	[NETDMA_STATUS_SUSPEND] = "suspend",
	[NETDMA_STATUS_HALTED] = "halted",
	[NETDMA_STATUS_ARMED] = "armed",
};

const char *
netdma_status_name(enum netdma_transfer_status st)
{
	return (unsigned int)st <= NETDMA_STATUS_ARMED ? status_names[st] : "reserved";
}

/* ---- the core ------------------------------------------------------------ */

void
netdma_core_init(struct netdma_chan_core *k, uint8_t major_version, netdma_core_state_cb_t on_state,
		 void *arg)
{
	memset(k, 0, sizeof(*k));
	k->state = NETDMA_CHAN_ALLOCATED;
	k->major_version = major_version;
	k->on_state = on_state;
	k->on_state_arg = arg;
}

int
netdma_core_fail(struct netdma_chan_core *k, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->last_error, sizeof(k->last_error), fmt, ap);
	va_end(ap);
	return err;
}

int
netdma_core_allows(struct netdma_chan_core *k, enum netdma_chan_event ev)
{
	int next = netdma_state_next(k->state, ev);

	if (next == -EPERM)
		return netdma_core_fail(k, next, "%s not allowed on a %s channel",
					netdma_event_name(ev), netdma_chan_state_name(k->state));
	if (next == -ENODEV)
		return netdma_core_fail(k, next, "channel revoked: provider stopped");
	if (next < 0)
		return netdma_core_fail(k, next, "no such channel event %d in state %d", (int)ev,
					k->state);
	return next;
}

int
netdma_core_event(struct netdma_chan_core *k, enum netdma_chan_event ev)
{
	int old = k->state, next = netdma_core_allows(k, ev);

	if (next < 0)
		return next;
	if (next == NETDMA_CHAN_HALTED || next == NETDMA_CHAN_ALLOCATED || next == NETDMA_CHAN_FREED) {
		/* spec §8 rule 3: a Start comes next; nothing of the old chain carries over */
		k->prelink = 0;
		k->restart_on_append = false;
		k->deferred = false;
	}
	if (ev == NETDMA_EV_POWER_UP && next == NETDMA_CHAN_RUNNING)
		k->restart_on_append = true;   /* the engine runs the re-seed, not the old tail */
	k->state = next;
	if (next != old && k->on_state != NULL)
		k->on_state(k->on_state_arg, old, next, ev);
	return next;
}

/* Only the head (check_at_fetch): the engine checks the rest as it fetches. */
static int
check_head(struct netdma_chan_core *k, netdma_iova_t head, uint32_t count,
	   const struct netdma_check_rules *rules)
{
	const char *why = "";
	int ret = netdma_chain_count_check(k->major_version, count, &why);

	if (ret < 0)
		return netdma_core_fail(k, ret, "%s", why);
	if (!netdma_range_check(rules, head, sizeof(struct netdma_descriptor)))
		return netdma_core_fail(k, -EFAULT, "descriptor outside the client's DMA memory "
					"(descriptor 0x%" PRIx64 ")", head);
	return 0;
}

int
netdma_core_check_submit(struct netdma_chan_core *k, enum netdma_chan_event op, const void *head_va,
			 netdma_iova_t head, uint32_t count, const struct netdma_check_rules *rules,
			 netdma_iova_t *prelink)
{
	const struct netdma_descriptor *last_d;
	enum netdma_submit_route route;
	netdma_iova_t last = 0, bad = 0;
	const char *why = "";
	int ret, n;

	*prelink = 0;
	/* the state first: a call its state refuses gets -EPERM whatever its chain */
	ret = netdma_core_allows(k, op);
	if (ret < 0)
		return ret;
	if (head_va == NULL)
		return netdma_core_fail(k, -EINVAL, "no descriptor given");
	if ((uintptr_t)head_va & 63)
		return netdma_core_fail(k, -EINVAL, "descriptor not 64-byte aligned");
	if (head == NETDMA_BAD_IOVA)
		return netdma_core_fail(k, -EFAULT, "descriptor outside the client's DMA memory");
	if (k->check_at_fetch)
		return check_head(k, head, count, rules);
	n = netdma_chain_check(head, count, rules, &last, &bad, &why);
	if (n < 0)
		return netdma_core_fail(k, n, "%s (descriptor 0x%" PRIx64 ")", why, bad);
	/* spec §3.5 (2.0): an Append continues in the slot the last chain pre-linked */
	route = netdma_core_route(k, op);
	/* an Append continues a chain: the engine's, or the one held for Resume */
	if ((route == NETDMA_ROUTE_APPEND || (route == NETDMA_ROUTE_DEFER && k->deferred)) &&
	    k->major_version >= 2 && k->prelink != 0 &&
	    netdma_prelink_check(k->prelink, head, &why) < 0)
		return netdma_core_fail(k, -EINVAL, "%s (0x%" PRIx64 ", pre-linked 0x%" PRIx64 ")",
					why, head, k->prelink);
	if (k->major_version >= 2 && last != 0) {
		last_d = rules->fetch(rules->fetch_ctx, last);
		*prelink = last_d != NULL ? last_d->next_descriptor : 0;
	}
	return 0;
}

enum netdma_submit_route
netdma_core_route(const struct netdma_chan_core *k, enum netdma_chan_event op)
{
	if (op == NETDMA_OP_START)
		return NETDMA_ROUTE_START;
	if (!k->restart_on_append)
		return NETDMA_ROUTE_APPEND;
	/* a Start of the engine would run it while the channel says suspended */
	return k->state == NETDMA_CHAN_SUSPENDED ? NETDMA_ROUTE_DEFER : NETDMA_ROUTE_START;
}

void
netdma_core_submitted(struct netdma_chan_core *k, enum netdma_chan_event op, netdma_iova_t head,
		      uint32_t count, netdma_iova_t prelink)
{
	if (netdma_core_route(k, op) == NETDMA_ROUTE_DEFER) {
		if (!k->deferred) {
			k->deferred = true;
			k->deferred_head = head;
			k->deferred_count = 0;
		}
		/* 2.0 counts on from the first head; 1.x follows the consumer's links */
		k->deferred_count = count > UINT32_MAX - k->deferred_count ? UINT32_MAX :
			k->deferred_count + count;
	} else {
		k->restart_on_append = false;
		k->deferred = false;
	}
	netdma_core_event(k, op);
	k->prelink = prelink;
}

bool
netdma_core_take_deferred(struct netdma_chan_core *k, netdma_iova_t *head, uint32_t *count)
{
	if (!k->deferred)
		return false;
	*head = k->deferred_head;
	*count = k->deferred_count;
	k->deferred = false;
	k->restart_on_append = false;
	return true;
}

/* ---- completion words ------------------------------------------------------ */

int
netdma_cw_set_add(struct netdma_cw_set *s, uint64_t iova)
{
	uint32_t i;

	if (s->nb >= s->max)
		return -ENOSPC;
	for (i = s->nb; i > 0 && s->iova[i - 1] > iova; i--)
		s->iova[i] = s->iova[i - 1];
	s->iova[i] = iova;
	s->nb++;
	return 0;
}

int
netdma_cw_set_del(struct netdma_cw_set *s, uint64_t iova)
{
	uint32_t i;

	for (i = 0; i < s->nb && s->iova[i] != iova; i++)
		;
	if (i == s->nb)
		return -ENOENT;
	memmove(&s->iova[i], &s->iova[i + 1], (s->nb - i - 1) * sizeof(s->iova[0]));
	s->nb--;
	return 0;
}

bool
netdma_cw_set_clip(const struct netdma_cw_set *s, uint64_t iova, uint64_t len, uint64_t *lo,
		   uint64_t *hi)
{
	uint32_t n = s->nb, a = 0, b, mid;

	if (n > s->max)
		return false;   /* a torn read under a seqlock: the reader retries */
	/* the first word that ends after iova */
	b = n;
	while (a < b) {
		mid = a + (b - a) / 2;
		if (s->iova[mid] + sizeof(uint64_t) <= iova)
			a = mid + 1;
		else
			b = mid;
	}
	if (a < n && s->iova[a] < iova + len && iova < s->iova[a] + sizeof(uint64_t))
		return false;   /* over a completion word: the engine's to write */
	if (a > 0 && s->iova[a - 1] + sizeof(uint64_t) > *lo)
		*lo = s->iova[a - 1] + sizeof(uint64_t);
	if (a < n && s->iova[a] < *hi)
		*hi = s->iova[a];
	return true;
}
