/* SPDX-License-Identifier: BSD-3-Clause */
/* Client-library internals; never installed. */
#ifndef NETDMA_CLIENT_INTERNAL_H
#define NETDMA_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "netdma_chain.h"
#include "netdma_client.h"
#include "netdma_core.h"
#include "netdma_proto.h"

struct client_region {
	struct client_region *next;
	void *base;
	size_t size;
	uint32_t id;
	uint32_t kind;
	uint64_t iova;
	size_t bump;                 /* allocator: next never-used byte */
	struct free_blk *free;       /* allocator: freed blocks, first fit */
	uint64_t ring_slots;         /* control regions: command-ring slots in use */
};

/* process-wide state */
struct client {
	pthread_mutex_t lock;        /* connection and region list */
	int fd;                      /* control socket, -1 if none */
	uint32_t seq;
	uint32_t version;
	bool dead;                   /* the daemon went away */
	unsigned int timeout_ms;
	bool intr_thread;
	struct client_region *regions;
};
extern struct client netdma_cl_state;

int netdma_cl_ensure(void);
/* false once the daemon's end of the socket is gone (no data is consumed) */
bool netdma_cl_alive(void);
/* One request, one reply; optional fd either way.  @return reply result. */
int netdma_cl_rpc(void *req, size_t req_len, uint16_t type, int send_fd,
		  void *reply, size_t reply_len, int *recv_fd);
void netdma_cl_hdr(void *msg, uint16_t type, size_t size);
/* Set what netdma_client_last_error() says on this thread. */
void netdma_cl_set_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct client_region *netdma_cl_region_new(size_t size, uint32_t kind);
void netdma_cl_region_del(struct client_region *r);
/* Unregister from the daemon, drop from the list, unmap. */
void netdma_cl_region_release(struct client_region *r);
struct client_region *netdma_cl_region_of(const void *p, size_t len);

/*
 * Command rings (client_ring.c): 4 KiB slots, 64 to a control region, so a
 * client's channels do not each cost one of its daemon regions.
 */
#define CLIENT_RING_SLOT 4096u
#define CLIENT_RING_SLOTS 64u
struct netdma_cmd_ring *netdma_cl_ring_get(struct client_region **region, uint64_t *offset);
void netdma_cl_ring_put(struct client_region *region, uint64_t offset);

/*
 * Chains checked before they are posted (client_check.c), against this
 * client's data regions and clear of its completion words.
 */
struct client_chain_rules {
	uint32_t max_transfer_size;
	uint64_t max_address;
};
int netdma_cl_cw_add(netdma_iova_t iova);
void netdma_cl_cw_del(netdma_iova_t iova);
void netdma_cl_check_regions_changed(void);
/* Disconnected: no completion word, no region is known any more. */
void netdma_cl_check_forget_all(void);
/*
 * netdma_core_check_submit() against this client's memory.
 * @return 0 or -errno with the reason in @p k; @p prelink: where the next Append starts.
 */
int netdma_cl_chain_check(struct netdma_chan_core *k, const struct client_chain_rules *rules,
			  enum netdma_chan_event op, const void *head_va, netdma_iova_t head,
			  uint32_t count, netdma_iova_t *prelink);

/* DPCs of @p chan (client_chan.c); @p alive: does it still exist between two callbacks */
int netdma_cl_chan_dispatch(struct netdma_chan *chan, bool (*alive)(const struct netdma_chan *));
/*
 * The interrupt thread (client_intr.c).  Once unwatch returns, the thread
 * is not in a DPC of @p chan and will start none (unless unwatch is called
 * from that DPC itself): the channel may be freed.
 */
void netdma_cl_intr_watch(struct netdma_chan *chan);
void netdma_cl_intr_unwatch(struct netdma_chan *chan);
/* No DPC of any channel from now on (the connection goes, its memory with it). */
void netdma_cl_intr_unwatch_all(void);
/* The channel's interrupt fd, for the interrupt thread. */
int netdma_cl_chan_irq_fd(const struct netdma_chan *chan);

#endif
