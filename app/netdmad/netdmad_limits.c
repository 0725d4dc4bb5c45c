/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What all clients together may hold, refusals with a reason, and log
 * budgets: the shared-resource half of the threat model (doc/security.rst).
 */
#include <stdarg.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_memory.h>

#include "netdmad.h"

/* memseg lists left to EAL itself (its heap may grow on hugepages) */
#define MEMSEG_LISTS_RESERVED 4

struct netdmad_stats netdmad_stats;
struct netdmad_ratelimit netdmad_global_log = { .lock = RTE_SPINLOCK_INITIALIZER };
static uint32_t log_burst;
static uint64_t log_window;   /* timer cycles */

static int
count_list(const struct rte_memseg_list *msl, void *arg)
{
	RTE_SET_USED(msl);
	(*(unsigned int *)arg)++;
	return 0;
}

/*
 * Each client region takes one of EAL's memseg lists (rte_extmem_register):
 * cap the regions of all clients below what is left, or one client could
 * take every list and lock the others out.
 */
void
netdmad_limits_init(struct netdmad_conf *c)
{
	unsigned int used = 0, left;

	rte_memseg_list_walk(count_list, &used);
	left = used + MEMSEG_LISTS_RESERVED < RTE_MAX_MEMSEG_LISTS ?
		RTE_MAX_MEMSEG_LISTS - used - MEMSEG_LISTS_RESERVED : 0;
	if (c->max_regions == 0 || c->max_regions > left) {
		if (c->max_regions > left)
			DLOG(NOTICE, "[limits] regions = %u: EAL leaves %u memseg lists; capped at %u\n",
			     c->max_regions, left, left);
		c->max_regions = left;
	}
	netdmad_stats.max_regions = c->max_regions;
	log_burst = c->log_burst;
	log_window = rte_get_timer_hz() * c->log_interval_s;
}

bool
netdmad_log_allowed(struct netdmad_ratelimit *rl, const char *who)
{
	uint64_t now = rte_get_timer_cycles(), dropped = 0;
	bool ok;

	rte_spinlock_lock(&rl->lock);
	if (now - rl->window_start >= log_window) {
		dropped = rl->suppressed;
		rl->window_start = now;
		rl->lines = 0;
		rl->suppressed = 0;
	}
	ok = rl->lines < log_burst;
	if (ok)
		rl->lines++;
	else
		rl->suppressed++;
	rte_spinlock_unlock(&rl->lock);
	if (!ok)
		__atomic_add_fetch(&netdmad_stats.log_suppressed, 1, __ATOMIC_RELAXED);
	if (dropped > 0)
		DLOG(NOTICE, "%s: %" PRIu64 " log lines suppressed in the last %" PRIu64 " s\n", who,
		     dropped, log_window / rte_get_timer_hz());
	return ok;
}

int
netdmad_refuse(char *why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, NETDMA_REASON_MAX, fmt, ap);
	va_end(ap);
	return err;
}
