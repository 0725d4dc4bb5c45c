/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection on the dmadev provider (netdma_dmadev_set_fault()), for
 * tests on devices that never fail (dma_skeleton).  It plays a device
 * without RTE_DMA_CAPA_HANDLES_ERRORS, as CBDMA before Ice Lake: a failed
 * op keeps its ring slot but moves nothing; the device reports the ops
 * before it, then an error and nothing more until its status is read,
 * which restarts it after the failed op.  So the error path of netdma_vq
 * and the engine (spec §6.3: Halted, the error DPC) runs over a real
 * dmadev.  Everything here runs under the queue's lock.
 */
#include <errno.h>
#include <inttypes.h>

#include <rte_dmadev.h>
#include <rte_malloc.h>

#include "dmadev_internal.h"

int
netdma_ddma_fault_init(struct ddma_queue *q, uint32_t ring, int socket)
{
	/* failed ops are at most what the vq has out: its ring */
	q->fault.op = netdma_engine_host_dpdk.zalloc(ring * sizeof(*q->fault.op), 64, socket);
	if (q->fault.op == NULL)
		return -ENOMEM;
	q->fault.size = ring;
	return 0;
}

void
netdma_ddma_fault_fini(struct ddma_queue *q)
{
	rte_free(q->fault.op);
	q->fault.op = NULL;
}

void
netdma_dmadev_set_fault(struct netdma_dmadev_provider *p, uint64_t fail_at, uint64_t fail_every,
			int status)
{
	uint16_t i;

	if (p == NULL)
		return;
	/* every copy runs under its queue's lock: with all of them held none sees half of it */
	for (i = 0; i < p->nb_queues; i++)
		rte_spinlock_lock(&p->queues[i].lock);
	p->fault.fail_at = fail_at;
	p->fault.fail_every = fail_every;
	p->fault.status = status > 0 && status <= UINT16_MAX ? (uint16_t)status :
		RTE_DMA_STATUS_INVALID_SRC_ADDR;
	__atomic_store_n(&p->fault.copies, 0, __ATOMIC_RELAXED);
	p->fault.armed = fail_at != 0 || fail_every != 0;
	for (i = p->nb_queues; i-- > 0;)
		rte_spinlock_unlock(&p->queues[i].lock);
	DDMA_LOG(INFO, "%s: fault injection %s (copy %" PRIu64 ", every %" PRIu64 ", status %u)\n",
		 p->name, p->fault.armed ? "armed" : "off", fail_at, fail_every, p->fault.status);
}

int
netdma_ddma_fault_copy(struct ddma_queue *q, uint64_t src, uint64_t dst, uint32_t len,
		       uint64_t flags)
{
	struct ddma_fault *pf = &q->p->fault;
	struct ddma_queue_fault *f = &q->fault;
	uint64_t n = __atomic_add_fetch(&pf->copies, 1, __ATOMIC_RELAXED);
	bool hit = ((pf->fail_at != 0 && n == pf->fail_at) ||
		    (pf->fail_every != 0 && n % pf->fail_every == 0)) && f->nb < f->size;
	struct ddma_failed_op *o;
	int ret;

	/* a failed op moves nothing but keeps its place in the ring's order */
	ret = rte_dma_copy(q->p->dev_id, q->vchan, src, dst, hit ? 0 : len, flags);
	if (ret < 0) {
		/* refused (ring full): the engine retries the same copy */
		__atomic_sub_fetch(&pf->copies, 1, __ATOMIC_RELAXED);
		return ret;
	}
	if (hit) {
		o = &f->op[(f->first + f->nb++) % f->size];
		o->ring_idx = (uint16_t)ret;
		o->status = pf->status;
		f->active = true;
		DDMA_LOG(DEBUG, "%s vchan %u: copy %" PRIu64 " (ring index %d) fails\n",
			 q->p->name, q->vchan, n, ret);
	}
	return 0;
}

/*
 * Hand back up to @p max held ops, in order, up to the first failed one:
 * there the device halts (f->halted) until its status is read.
 */
static uint32_t
take_held(struct ddma_queue_fault *f, uint32_t max)
{
	uint32_t k = f->held, before;

	if (f->nb > 0) {
		before = (uint16_t)(f->op[f->first].ring_idx - f->held_idx);
		if (before < k)
			k = before;
	}
	if (k > max)
		k = max;
	f->held_idx = (uint16_t)(f->held_idx + k);
	f->held -= k;
	f->halted = f->held > 0 && f->nb > 0 && f->held_idx == f->op[f->first].ring_idx;
	return k;
}

/* Take what the device has finished into the held ops (none held before). */
static void
hold_finished(struct ddma_queue *q, uint32_t max)
{
	struct ddma_queue_fault *f = &q->fault;
	bool err = false;
	uint16_t last, n;

	n = rte_dma_completed(q->p->dev_id, q->vchan, (uint16_t)RTE_MIN(max, (uint32_t)UINT16_MAX),
			      &last, &err);
	if (n > 0) {
		f->held_idx = (uint16_t)(last - n + 1);
		f->held = n;
	}
	f->dev_error = err;   /* a real failure after them: reported once they are */
}

static inline void
recheck(struct ddma_queue_fault *f)
{
	/* nothing left for the slow path: the next op takes the plain one */
	f->active = f->nb > 0 || f->held > 0 || f->dev_error;
}

uint32_t
netdma_ddma_fault_completed(struct ddma_queue *q, uint32_t max, bool *has_error)
{
	struct ddma_queue_fault *f = &q->fault;
	uint32_t k = 0;

	if (!f->halted) {
		k = take_held(f, max);
		if (!f->halted && f->held == 0 && k < max && !f->dev_error) {
			hold_finished(q, max - k);
			k += take_held(f, max - k);
		}
	}
	*has_error = f->halted || (f->dev_error && f->held == 0);
	recheck(f);
	return k;
}

uint32_t
netdma_ddma_fault_completed_status(struct ddma_queue *q, uint32_t max, int *status)
{
	struct ddma_queue_fault *f = &q->fault;
	struct ddma_failed_op *o;
	uint32_t k = 0, n, i;
	uint16_t last;

	if (!f->halted) {
		k = take_held(f, max);
		for (i = 0; i < k; i++)
			status[i] = 0;
	}
	if (f->halted && k < max) {
		/* the status read: the failed op, then the device restarts after it */
		o = &f->op[f->first];
		status[k++] = o->status;
		DDMA_LOG(NOTICE, "%s vchan %u: op failed with status %u (injected)\n", q->p->name,
			 q->vchan, o->status);
		f->first = (f->first + 1) % f->size;
		f->nb--;
		f->held_idx++;
		f->held--;
		f->halted = false;
	} else if (f->held == 0 && k < max) {
		/* nothing held: the device's own statuses, an injected failure where due */
		n = netdma_ddma_statuses(q, max - k, &status[k], &last);
		for (i = 0; i < n; i++) {
			o = &f->op[f->first];
			if (f->nb > 0 && o->ring_idx == (uint16_t)(last - n + 1 + i)) {
				status[k + i] = o->status;
				f->first = (f->first + 1) % f->size;
				f->nb--;
			}
		}
		k += n;
		f->dev_error = false;
	}
	recheck(f);
	return k;
}
