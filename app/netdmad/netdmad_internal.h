/* SPDX-License-Identifier: BSD-3-Clause */
/* netdmad sessions, regions and channels (main lcore and pollers). */
#ifndef NETDMAD_INTERNAL_H
#define NETDMAD_INTERNAL_H

#include <sys/queue.h>

#include <rte_lcore.h>
#include <rte_seqlock.h>
#include <rte_spinlock.h>

#include "netdma_core.h"
#include "netdmad.h"

#define NETDMAD_MAX_REGIONS NETDMAD_MAX_CLIENT_REGIONS
#define NETDMAD_MAX_CWS     1024   /* one per channel: a client may hold them all */
#define NETDMAD_MAX_CHANS   1024

struct dregion {
	bool used;
	bool dying;            /* being deleted: no new descriptor may use it */
	bool extmem;
	uint32_t id;
	uint32_t kind;         /* NETDMA_REGION_* */
	void *va;              /* the daemon's mapping; IOVA = VA */
	uint64_t size;
	uint64_t dev, ino;     /* the file behind it: registered once only */
};

struct dchan {
	uint32_t id;
	struct dclient *cl;
	struct netdma_chan *ch;
	struct netdma_cmd_ring *ring;   /* in the client's control region */
	uint32_t entries;               /* checked copy: never re-read from the ring */
	uint64_t tail;                  /* authoritative consumer index */
	uint64_t cw;                    /* completion word address (IOVA = VA) */
	uint32_t ring_region, cw_region;
	uint32_t provider_id;
	unsigned int lcore;             /* the owner lcore: CpuNumber, fixed at allocation */
	int efd;                        /* interrupts: our end of a socketpair, non-blocking */
	int doorbell;                   /* the client's doorbell, watched by the poller; -1 */
	uint64_t commands, bad_commands, lost_irqs;
	/*
	 * A Suspend waiting for the descriptors being processed: acknowledged
	 * by a later pass once they completed (the poller never waits); the
	 * channel's later commands wait behind it.
	 */
	bool suspending;
	uint64_t suspend_seq;
	bool on_poller;
	TAILQ_ENTRY(dchan) client_link;
	TAILQ_ENTRY(dchan) poll_link;
};

/*
 * A poller's last answers for one client: each window lies in a live data
 * region and holds no completion word, as of the client's memory
 * generation (its gen).  Per lcore, so pollers never share them.
 */
struct addr_window {
	struct netdma_range_cache c;
} __rte_cache_aligned;

struct dclient {
	uint32_t id;
	int fd;
	uint32_t pid;
	char name[32];
	bool hello;
	bool warned;
	uint64_t connected_at;          /* timer cycles: HELLO is due within the timeout */
	uint64_t gone_at;
	char label[24];                 /* "client N", for rate-limited logs */
	struct netdmad_ratelimit log;
	uint64_t bad_messages;
	/*
	 * Regions and completion words: written by the main lcore under the
	 * seqlock, read lock-free by the pollers' address checks (several per
	 * descriptor, so a reader lock would cost more than the check).
	 */
	rte_seqlock_t mem_lock;
	uint64_t mem_gen;               /* moves at every change; windows carry it */
	struct dregion regions[NETDMAD_MAX_REGIONS];
	uint64_t cw_iovas[NETDMAD_MAX_CWS];
	struct netdma_cw_set cws;       /* over cw_iovas; no descriptor may touch one */
	uint32_t region_slots;          /* no used region at or above this index */
	uint32_t hint;                  /* the region the last check matched */
	struct addr_window win[RTE_MAX_LCORE];
	uint32_t next_region_id;
	uint64_t region_bytes;
	uint32_t nb_regions;
	uint32_t nb_chans;
	TAILQ_HEAD(, dchan) chans;
	TAILQ_ENTRY(dclient) link;
};

TAILQ_HEAD(dclient_list, dclient);
extern struct dclient_list netdmad_clients;
extern rte_spinlock_t netdmad_lists_lock;
extern struct dchan *netdmad_chans[NETDMAD_MAX_CHANS];

extern const struct netdmad_conf *netdmad_conf;
extern uint64_t netdmad_poller_mask;    /* lcores 0..63 that poll */

static inline bool
overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* A client's log lines: DLOG within its budget. */
#define CLOG(cl, level, ...) DLOG_LIMITED(&(cl)->log, (cl)->label, level, __VA_ARGS__)

/* netdmad_chan.c: a client's channels; each @return 0 or -errno with @p why */
struct dchan *chan_get(struct dclient *cl, uint32_t id);
int chan_alloc(struct dclient *cl, const struct netdma_msg_chan_alloc *m,
	       struct netdma_reply_chan_alloc *rep, int *irq_fd, char *why);
int chan_free(struct dclient *cl, uint32_t id, char *why);
int chan_doorbell(struct dclient *cl, uint32_t id, int *fd, char *why);
int chan_stats(struct dclient *cl, uint32_t id, struct netdma_reply_chan_stats *r, char *why);
/* Forget a channel the library has freed. */
void chan_release(struct dchan *dc);

/* netdmad_region.c: a client's memory */
bool client_addr_win(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *lo,
		     netdma_iova_t *hi);
struct dregion *region_get(struct dclient *cl, uint32_t id);
int region_add(struct dclient *cl, const struct netdma_msg_region_add *m, int fd,
	       struct netdma_reply_region_add *rep, char *why);
int region_del(struct dclient *cl, uint32_t id, char *why);
/* Unmap every region of a client no engine can reach any more. */
void regions_release_all(struct dclient *cl);
/* Add or remove a completion word: no descriptor may touch it. */
int cw_slot(struct dclient *cl, uint64_t cw, bool add);
/* Wait out poll passes that may hold an address window of @p cl from before now. */
void fence_poll_passes(struct dclient *cl);
/* Work with the engine, or no answer: memory it uses must stay. */
bool chan_outstanding(struct dchan *dc);

#endif
