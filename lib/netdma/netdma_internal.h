/* SPDX-License-Identifier: BSD-3-Clause */
/* Library-private objects; never installed. */
#ifndef NETDMA_INTERNAL_H
#define NETDMA_INTERNAL_H

#include <stdbool.h>
#include <sys/queue.h>

#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include "netdma.h"
#include "netdma_iova_internal.h"
#include "netdma_provider.h"
#include "netdma_checked.h"
#include "netdma_core.h"
#include "netdma_service.h"

extern int netdma_logtype;
#define NETDMA_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, netdma_logtype, "netdma: " __VA_ARGS__)

#define NETDMA_MAX_PROVIDERS 64
/* a 2.0 chain's last descriptor must pre-link the next one: two slots */
#define NETDMA_RESEED_SLOTS 2
#define NETDMA_RESEED_BYTES (NETDMA_RESEED_SLOTS * sizeof(struct netdma_descriptor))

/* struct netdma_chan.magic: a live channel, and one freed (kept for reuse) */
#define NETDMA_CHAN_MAGIC 0x4e444d41u       /* "NDMA" */
#define NETDMA_CHAN_MAGIC_FREED 0x46524545u /* "FREE" */

struct netdma_chan {
	/*
	 * Checked by every consumer entry point.  Channel memory never goes
	 * back to the heap (netdma_channel.c free list): a stale handle finds
	 * NETDMA_CHAN_MAGIC_FREED, not unmapped or foreign memory.
	 */
	uint32_t magic;
	/*
	 * Telemetry's name for it (/netdma/channel/info,<id>): given to the
	 * memory, not the allocation, so ids stay below the most channels this
	 * process ever held at once and a freed channel's id goes to the channel
	 * that reuses its memory.
	 */
	uint32_t id;
	rte_spinlock_t lock;             /* serialises consumer calls and polls */
	struct netdma_provider *prov;    /* NULL once revoked: the provider may be gone */
	uint16_t version;                /* provider's major<<8 | minor, kept past revocation */
	uint32_t provider_id;            /* kept past revocation too */
	void *prov_ctx;                  /* provider's channel context */
	/* state, chain checks, pre-link, reason: the rules written once (netdma_core.h) */
	struct netdma_chan_core core;
	/* in-process: chains as checked at the call, for the engine (netdma_checked.h) */
	struct netdma_checked_fifo checked;
	netdma_core_state_cb_t state_cb; /* a service's own view of state changes */
	void *state_cb_arg;
	netdma_iova_t suspend_last;      /* what the completed Suspend reports */
	unsigned int lcore;              /* owner: spec CpuNumber */
	struct netdma_channel_params params;
	netdma_intr_cb_t intr_cb;
	void *intr_arg;
	netdma_addr_check_t addr_check;  /* NULL when addr_win is set */
	netdma_range_win_t addr_win;     /* when set, used instead of addr_check */
	void *addr_ctx;
	/*
	 * power-up re-seed (spec §7.5): a NULL descriptor owned by the library.
	 * No consumer check passes an address in these slots; only the engine
	 * fetches them, when the library started them (netdma_chan_desc_internal).
	 */
	struct netdma_descriptor *reseed;   /* NETDMA_RESEED_SLOTS */
	netdma_iova_t reseed_iova;       /* computed once: checked per descriptor */
	bool detached;                   /* taken off its provider by Stop */
	/* DPCs recorded under the lock, delivered by the owner after unlock */
	bool dpc_pending;
	bool dpc_error_pending;
	netdma_iova_t dpc_pa;
	/* counters */
	uint64_t starts, appends, interrupts, errors;
	TAILQ_ENTRY(netdma_chan) prov_link;   /* also the free list's link */
	TAILQ_ENTRY(netdma_chan) lcore_link;
};

TAILQ_HEAD(netdma_chan_list, netdma_chan);

struct netdma_provider {
	uint32_t id;
	bool registered;
	bool started;
	bool powered_down;
	void *ctx;                       /* provider's own context */
	struct netdma_provider_characteristics c;
	struct netdma_provider_attributes attr;
	char name[NETDMA_NAME_MAX];
	struct netdma_chan_list chans;   /* allocated channels */
	uint32_t nb_chans;
};

/* registry lock: provider list and per-provider channel lists */
extern rte_spinlock_t netdma_registry_lock;
struct netdma_provider *netdma_provider_get(uint32_t id);

/* per-lcore poll lists (netdma_poll.c) */
void netdma_lcore_attach(struct netdma_chan *chan);
void netdma_lcore_detach(struct netdma_chan *chan);
/* Wake @p lcore's poller if it is parked: call after handing it work. */
void netdma_lcore_kick(unsigned int lcore);
/* What telemetry shows of an lcore (/netdma/poller/info). */
struct netdma_lcore_state {
	bool poller;                     /* a netdma_poller_start() loop runs there */
	bool parked;
	uint64_t parks, wakeups;
	unsigned int channels;           /* channels it owns */
};
/* @return 0, or -ENOENT if @p lcore runs no poller and owns no channel */
int netdma_lcore_state_get(unsigned int lcore, struct netdma_lcore_state *st);

/*
 * Channels by telemetry id (netdma_channel.c), registry lock held by the
 * caller: that lock keeps a channel's memory from being reused meanwhile.
 */
uint32_t netdma_chan_id_count_locked(void);   /* every id so far is below it */
struct netdma_chan *netdma_chan_by_id_locked(uint32_t id);   /* live, or NULL */

/* Register the /netdma/... telemetry commands, once (netdma_telemetry.c). */
void netdma_telemetry_register(void);

/* A handle a consumer may use: not NULL, not freed (struct netdma_chan.magic). */
static inline bool
netdma_chan_live(const struct netdma_chan *c)
{
	return c != NULL && __atomic_load_n(&c->magic, __ATOMIC_ACQUIRE) == NETDMA_CHAN_MAGIC;
}

/*
 * A consumer call's entry (netdma_chan_calls.c): lock, check @p ev against
 * the state (spec §8) and power.  On success the lock is held and the
 * target state returned; on failure it is released and -errno returned.
 */
int netdma_chan_enter(struct netdma_chan *chan, enum netdma_chan_event ev);
/* Release the lock netdma_chan_enter() took; @return @p ret. */
int netdma_chan_leave(struct netdma_chan *chan, int ret);

/* The default address validator: the range lies in DPDK memory (netdma_chan_mem.c). */
bool netdma_dpdk_range_ok(void *ctx, netdma_iova_t iova, uint64_t len);

/* channel helpers (netdma_channel.c) */
int netdma_chan_poll_locked(struct netdma_chan *chan);
int netdma_chan_outstanding_locked(struct netdma_chan *chan, struct netdma_chan_progress *p);
int netdma_chan_drain(struct netdma_chan *chan, unsigned int timeout_ms);
/* The rules a chain of @p chan is checked against (no window cache). */
void netdma_chan_check_rules(struct netdma_chan *chan, struct netdma_check_rules *rules);
int netdma_status_to_errno(int status);
extern unsigned int netdma_drain_timeout_ms;

#endif /* NETDMA_INTERNAL_H */
