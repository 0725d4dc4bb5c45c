/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the dmadev provider: its queues, shared by dmadev_provider.c and
 * the fault injection layer (dmadev_fault.c).  Not installed.
 */
#ifndef NETDMA_DMADEV_INTERNAL_H
#define NETDMA_DMADEV_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>
#include <rte_spinlock.h>

#include "netdma_dmadev.h"
#include "netdma_soft_provider.h"
#include "netdma_vq.h"

extern int netdma_dmadev_logtype;
#define DDMA_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, netdma_dmadev_logtype, "netdma dmadev: " __VA_ARGS__)

/* One op failed by netdma_dmadev_set_fault(), still at the device. */
struct ddma_failed_op {
	uint16_t ring_idx;           /* rte_dma_copy()'s index of it */
	uint16_t status;             /* the enum rte_dma_status_code it reports */
};

/*
 * A queue's injected failures, under its lock.  The device reports up to
 * the first of them, then nothing until its status is read, as a device
 * without RTE_DMA_CAPA_HANDLES_ERRORS (CBDMA before Ice Lake) halts.  The
 * ops it already finished behind the failure are held here meanwhile.
 */
struct ddma_queue_fault {
	bool active;                 /* anything below: the slow path */
	struct ddma_failed_op *op;   /* FIFO, oldest first, of @p size (the ring) */
	uint32_t size, first, nb;
	uint16_t held_idx;           /* ring index of the first op held */
	uint32_t held;               /* finished at the device, not reported yet */
	bool halted;                 /* op[first] is the first held: its status is due */
	bool dev_error;              /* the device itself failed the op after the held ones */
};

/*
 * One rte_dma vchan (a CBDMA channel, a DSA work queue) and the NetDMA
 * channels multiplexed over it (netdma_vq.h).  Its channels are all polled
 * on one lcore, the one the first of them got; the lock only orders that
 * lcore with the rare calls of other threads (a Suspend waiting, a Stop
 * draining, an allocation checking a slot, the fault setter), once per
 * engine call, never per copy.
 */
struct ddma_queue {
	struct netdma_dmadev_provider *p;
	uint16_t vchan;
	rte_spinlock_t lock;
	int lcore;                   /* owner of its channels; -1 while it has none */
	bool pinned;                 /* lcore fixed by the configuration */
	uint32_t users;              /* channels allocated on it */
	struct netdma_vq vq;
	struct ddma_queue_fault fault;
};

/* What netdma_dmadev_set_fault() armed; written under every queue's lock. */
struct ddma_fault {
	bool armed;
	uint64_t copies;             /* since it was armed, over all queues */
	uint64_t fail_at, fail_every;
	uint16_t status;
};

struct netdma_dmadev_provider {
	struct netdma_soft_provider *sp;
	int16_t dev_id;
	uint16_t nb_queues;
	uint32_t per_queue;          /* NetDMA channels on each vchan */
	struct ddma_queue *queues;
	struct ddma_fault fault;
	char name[NETDMA_NAME_MAX];
};

/* dmadev_fault.c: the dq_* ops' slow path while a fault is armed or pending. */
int netdma_ddma_fault_init(struct ddma_queue *q, uint32_t ring, int socket);
void netdma_ddma_fault_fini(struct ddma_queue *q);
int netdma_ddma_fault_copy(struct ddma_queue *q, uint64_t src, uint64_t dst, uint32_t len,
			   uint64_t flags);
uint32_t netdma_ddma_fault_completed(struct ddma_queue *q, uint32_t max, bool *has_error);
uint32_t netdma_ddma_fault_completed_status(struct ddma_queue *q, uint32_t max, int *status);

/* dmadev_provider.c: the device's statuses as the vq wants them (0: success). */
uint32_t netdma_ddma_statuses(struct ddma_queue *q, uint32_t max, int *status, uint16_t *last);

#endif /* NETDMA_DMADEV_INTERNAL_H */
