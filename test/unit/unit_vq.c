/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual channels (netdma_vq.c) without EAL: several engines over one
 * fake device queue that completes in order when told and fails a chosen
 * op.  Each channel must keep its own order, completion word and error,
 * an Abort of one must not disturb the others, and a backlog on one must
 * not starve another.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netdma_vq.h"
#include "unit.h"

#define NONE UINT64_MAX
#define SLOTS 16
#define BLK 64
#define SU NETDMA_F_STATUS_UPDATE_ON_COMPLETION

/* ---- a device queue: completes in order when told, fails one chosen op ---- */

struct fdev {
	struct { netdma_iova_t src, dst; uint32_t len; } op[1024];
	uint64_t enq, done, ret;   /* enqueued, finished by the device, handed back */
	uint64_t fail_at;
	int fail_status;
};

static int
fd_copy(void *dev, netdma_iova_t src, netdma_iova_t dst, uint32_t len, uint64_t flags)
{
	struct fdev *f = dev;

	(void)flags;
	if (f->enq - f->ret >= SLOTS)
		return -ENOSPC;
	f->op[f->enq % 1024].src = src;
	f->op[f->enq % 1024].dst = dst;
	f->op[f->enq % 1024].len = len;
	f->enq++;
	return 0;
}

static void
fd_submit(void *dev)
{
	(void)dev;
}

static uint32_t
fd_capacity(void *dev)
{
	struct fdev *f = dev;

	return SLOTS - (uint32_t)(f->enq - f->ret);
}

/* The device finishes its next @p n ops, copying the bytes of the good ones. */
static void
fd_finish(struct fdev *f, uint64_t n)
{
	for (; n > 0 && f->done < f->enq; n--, f->done++)
		if (f->done != f->fail_at)
			memcpy((void *)(uintptr_t)f->op[f->done % 1024].dst,
			       (const void *)(uintptr_t)f->op[f->done % 1024].src,
			       f->op[f->done % 1024].len);
}

static uint32_t
fd_completed(void *dev, uint32_t max, bool *has_error)
{
	struct fdev *f = dev;
	uint64_t end = f->done, n;

	if (f->fail_at >= f->ret && f->fail_at < end)
		end = f->fail_at;
	n = end - f->ret < max ? end - f->ret : max;
	f->ret += n;
	*has_error = f->ret == f->fail_at && f->done > f->fail_at;
	return (uint32_t)n;
}

static uint32_t
fd_completed_status(void *dev, uint32_t max, int *status)
{
	struct fdev *f = dev;
	uint32_t n = 0;

	while (n < max && f->ret < f->done) {
		status[n++] = f->ret == f->fail_at ? f->fail_status : 0;
		f->ret++;
	}
	return n;
}

static const struct netdma_vq_dev_ops fd_ops = {
	.copy = fd_copy, .submit = fd_submit, .capacity = fd_capacity,
	.completed = fd_completed, .completed_status = fd_completed_status,
};

/* ---- the host: plain memory, recorded halts ------------------------------- */

struct tchan {
	struct netdma_engine eng;
	volatile uint64_t cw;
	unsigned int halts;
	netdma_iova_t halt_bad;
	int halt_status;
};

static int last_socket;   /* the NUMA node the last allocation was asked for */

static void *
h_zalloc(size_t size, size_t align, int socket)
{
	void *p = aligned_alloc(align, (size + align - 1) / align * align);

	last_socket = socket;
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

static uint64_t
h_now(void)
{
	return 0;
}

static bool
h_internal(void *chan, netdma_iova_t pa)
{
	(void)chan;
	(void)pa;
	return false;
}

static void
h_halted(void *chan, netdma_iova_t bad, const char *why, int status)
{
	struct tchan *t = chan;

	(void)why;
	t->halts++;
	t->halt_bad = bad;
	t->halt_status = status;
}

static void
h_interrupt(void *chan, netdma_iova_t pa)
{
	(void)chan;
	(void)pa;
}

static void
h_suspended(void *chan, int status, netdma_iova_t last)
{
	(void)chan;
	(void)status;
	(void)last;
}

static const struct netdma_engine_host host = {
	.zalloc = h_zalloc, .free = free, .now_us = h_now, .desc_internal = h_internal,
	.halted = h_halted, .interrupt = h_interrupt, .suspended = h_suspended,
};

/* ---- the fixture: NCH channels over one queue ------------------------------- */

#define NCH 3
static struct fdev dev;
static struct netdma_vq vq;
static struct tchan ch[NCH];
static struct netdma_descriptor *d;   /* channel c's descriptors: d[32 * c ...] */
static uint8_t *src, *dst;

/* Channel @p c's engine over virtual channel @p c: a fresh user of it. */
static int
chan_init(unsigned int c, uint32_t burst)
{
	struct netdma_engine_conf ec;

	memset((void *)&ch[c], 0, sizeof(ch[c]));
	memset(&ec, 0, sizeof(ec));
	unit_rules(&ec.rules, 2);
	ec.iova_is_va = true;
	ec.cw = &ch[c].cw;
	ec.ring_size = 64;
	ec.burst = burst;
	ec.socket = NETDMA_SOCKET_ANY;
	return netdma_engine_init(&ch[c].eng, &ec, &host, &netdma_vq_backend_ops,
				  netdma_vq_chan(&vq, c), &ch[c]);
}

static void
setup(uint32_t burst)
{
	unsigned int c, i;

	d = unit_descs(32 * NCH + 1);
	src = arena + ARENA_SIZE / 2;
	dst = src + ARENA_SIZE / 4;
	for (i = 0; i < ARENA_SIZE / 4; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	memset(&dev, 0, sizeof(dev));
	dev.fail_at = NONE;
	CU_ASSERT_EQUAL_FATAL(netdma_vq_init(&vq, &fd_ops, &dev, SLOTS, NCH, &host,
					     NETDMA_SOCKET_ANY), 0);
	for (c = 0; c < NCH; c++)
		CU_ASSERT_EQUAL_FATAL(chan_init(c, burst), 0);
}

static void
teardown(void)
{
	unsigned int c;

	for (c = 0; c < NCH; c++)
		netdma_engine_fini(&ch[c].eng);
	netdma_vq_fini(&vq, &host);
}

/* Channel @p c's descriptors 0..n-1: 2.0, a BLK copy each, block 32 * c + i. */
static struct netdma_descriptor *
chain(unsigned int c, unsigned int n)
{
	struct netdma_descriptor *x = &d[32 * c];
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned int b = 32 * c + i;

		memset(&x[i], 0, sizeof(x[i]));
		x[i].transfer_size = BLK;
		x[i].control_flags = SU;
		x[i].source_address = iova_of(src + b * BLK);
		x[i].destination_address = iova_of(dst + b * BLK);
		x[i].next_descriptor = iova_of(&x[i + 1]);
	}
	return x;
}

static bool
copied(unsigned int c, unsigned int first, unsigned int n)
{
	unsigned int b = 32 * c + first;

	return memcmp(src + b * BLK, dst + b * BLK, (size_t)n * BLK) == 0;
}

static bool
untouched(unsigned int c, unsigned int first, unsigned int n)
{
	const uint8_t *p = dst + (32 * c + first) * BLK;
	size_t i;

	for (i = 0; i < (size_t)n * BLK; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static uint64_t
word(unsigned int c, unsigned int i, enum netdma_transfer_status st)
{
	return netdma_completion_encode(iova_of(&d[32 * c + i]), st);
}

static void
poll_all(void)
{
	unsigned int c;

	for (c = 0; c < NCH; c++)
		netdma_engine_poll(&ch[c].eng);
}

/* The device finishes everything, the channels poll, until all is quiet. */
static void
run_out(void)
{
	unsigned int k;

	for (k = 0; k < 64; k++) {
		fd_finish(&dev, SLOTS);
		poll_all();
	}
}

/* Three channels' chains interleave in the ring; each gets its own bytes and word. */
static void
test_interleave(void)
{
	unsigned int c;

	setup(2);
	for (c = 0; c < NCH; c++)
		CU_ASSERT_EQUAL(netdma_engine_start(&ch[c].eng, iova_of(chain(c, 8)), 8), 0);
	poll_all();
	CU_ASSERT_EQUAL(dev.enq, 6);   /* two of each, interleaved */
	CU_ASSERT_EQUAL(vq.owner[0], 0);
	CU_ASSERT_EQUAL(vq.owner[2], 1);
	CU_ASSERT_EQUAL(vq.owner[4], 2);
	fd_finish(&dev, 3);            /* ch0's two and ch1's first */
	poll_all();
	CU_ASSERT_EQUAL(ch[0].cw, word(0, 1, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_EQUAL(ch[1].cw, word(1, 0, NETDMA_STATUS_ACTIVE));
	CU_ASSERT_EQUAL(ch[2].cw, netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	run_out();
	for (c = 0; c < NCH; c++) {
		CU_ASSERT_EQUAL(ch[c].cw, word(c, 7, NETDMA_STATUS_IDLE));
		CU_ASSERT_TRUE(copied(c, 0, 8));
		CU_ASSERT_EQUAL(ch[c].halts, 0);
		CU_ASSERT_EQUAL(vq.chans[c].ops, 8);
	}
	CU_ASSERT_EQUAL(vq.head, vq.tail);
	teardown();
}

/*
 * spec §6.3 per channel: a failed op of channel 1 halts channel 1 alone
 * (Halted at its last retired, an error upcall naming the descriptor);
 * channels 0 and 2 finish every byte; then channel 1 starts again on the
 * same queue and completes.
 */
static void
test_error_one_channel(void)
{
	unsigned int c;

	setup(4);
	for (c = 0; c < NCH; c++)
		CU_ASSERT_EQUAL(netdma_engine_start(&ch[c].eng, iova_of(chain(c, 8)), 8), 0);
	poll_all();                    /* ring: 0 0 0 0 1 1 1 1 2 2 2 2 */
	dev.fail_at = 5;               /* channel 1's second descriptor */
	dev.fail_status = 42;
	run_out();
	CU_ASSERT_EQUAL(ch[1].halts, 1);
	CU_ASSERT_EQUAL(ch[1].halt_bad, iova_of(&d[32 + 1]));
	CU_ASSERT_EQUAL(ch[1].halt_status, 42);   /* the device's code reaches the reason */
	CU_ASSERT_EQUAL(ch[1].cw, word(1, 0, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(copied(1, 0, 1));
	CU_ASSERT_TRUE(untouched(1, 1, 1));
	CU_ASSERT_FALSE(vq.chans[1].failed);          /* handed to the engine and discarded */
	CU_ASSERT_EQUAL(vq.chans[1].fail_status, 42);  /* the device's word for it stays */
	CU_ASSERT_EQUAL(vq.errors, 1);
	for (c = 0; c < NCH; c += 2) {
		CU_ASSERT_EQUAL(ch[c].halts, 0);
		CU_ASSERT_EQUAL(ch[c].cw, word(c, 7, NETDMA_STATUS_IDLE));
		CU_ASSERT_TRUE(copied(c, 0, 8));
	}
	/* the queue goes on: channel 1 again, from descriptor 8 */
	memset(dst + 32 * BLK, 0, 32 * BLK);
	CU_ASSERT_EQUAL(netdma_engine_reset(&ch[1].eng), 0);
	chain(1, 16);
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[1].eng, iova_of(&d[32 + 8]), 8), 0);
	run_out();
	CU_ASSERT_EQUAL(ch[1].cw, word(1, 15, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(copied(1, 8, 8));
	CU_ASSERT_EQUAL(ch[1].halts, 1);
	CU_ASSERT_EQUAL(vq.head, vq.tail);
	teardown();
}

/*
 * spec §3.7 per channel: Abort of channel 0 while its ops are at the
 * device: they come back as its zombies and retire nothing; channel 2's ops
 * behind them in the ring complete and retire as ever.
 */
static void
test_abort_one_channel(void)
{
	struct netdma_chan_progress p;

	setup(4);
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[0].eng, iova_of(chain(0, 8)), 8), 0);
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[2].eng, iova_of(chain(2, 8)), 8), 0);
	poll_all();
	CU_ASSERT_EQUAL(netdma_engine_abort(&ch[0].eng), 0);
	CU_ASSERT_EQUAL(ch[0].cw, netdma_completion_encode(0, NETDMA_STATUS_HALTED));
	netdma_engine_query(&ch[0].eng, &p);
	CU_ASSERT_EQUAL(p.device_ops, 4);   /* its share of the ring, aborted or not */
	CU_ASSERT_EQUAL(vq.chans[0].inflight, 4);
	run_out();
	netdma_engine_query(&ch[0].eng, &p);
	CU_ASSERT_EQUAL(p.inflight + p.zombie_ops + p.device_ops, 0);
	CU_ASSERT_EQUAL(p.descriptors_retired, 0);
	CU_ASSERT_EQUAL(ch[0].cw, netdma_completion_encode(0, NETDMA_STATUS_HALTED));
	CU_ASSERT_TRUE(untouched(0, 4, 4));
	CU_ASSERT_EQUAL(ch[2].cw, word(2, 7, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(copied(2, 0, 8));
	CU_ASSERT_EQUAL(ch[2].halts + ch[0].halts, 0);
	teardown();
}

/*
 * A channel with a backlog takes the whole ring when alone; once another
 * channel asks for room, the backlog's share shrinks and the other one's
 * single descriptor goes in at the next completion, not after the backlog.
 */
static void
test_backlog_does_not_starve(void)
{
	unsigned int pass;

	setup(8);
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[0].eng, iova_of(chain(0, 31)), 31), 0);
	netdma_engine_poll(&ch[0].eng);
	netdma_engine_poll(&ch[0].eng);
	CU_ASSERT_EQUAL(dev.enq, SLOTS);          /* alone: the whole ring */
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[1].eng, iova_of(chain(1, 1)), 1), 0);
	for (pass = 0; pass < 20 && ch[1].cw != word(1, 0, NETDMA_STATUS_IDLE); pass++) {
		fd_finish(&dev, SLOTS / 4);
		netdma_engine_poll(&ch[0].eng);   /* the backlog polls first, every pass */
		netdma_engine_poll(&ch[1].eng);
	}
	CU_ASSERT_EQUAL(ch[1].cw, word(1, 0, NETDMA_STATUS_IDLE));
	/* it went in behind what the backlog had at the device then, not behind all 31 */
	CU_ASSERT(ch[0].eng.descriptors_retired <= 24);
	run_out();
	CU_ASSERT_EQUAL(ch[0].cw, word(0, 30, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(copied(0, 0, 31));
	teardown();
}

/*
 * Weighted shares (the channel priority, spec §4.3): two backlogged
 * channels, priority 0 and 2 (weights 1 and 3), get about a quarter and
 * three quarters of the device while both have work.
 */
static void
test_priority_weights(void)
{
	unsigned int pass;
	uint64_t a0, b0;
	double ratio;

	setup(8);
	netdma_vq_chan_set_priority(netdma_vq_chan(&vq, 1), 2);
	CU_ASSERT_EQUAL(vq.chans[1].weight, 3);
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[0].eng, iova_of(chain(0, 31)), 31), 0);
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[1].eng, iova_of(chain(1, 31)), 31), 0);
	/* the first comer fills the ring; count from when both contend */
	netdma_engine_poll(&ch[0].eng);
	netdma_engine_poll(&ch[1].eng);
	a0 = vq.chans[0].ops;
	b0 = vq.chans[1].ops;
	for (pass = 0; pass < 8; pass++) {
		fd_finish(&dev, SLOTS / 4);
		netdma_engine_poll(&ch[0].eng);
		netdma_engine_poll(&ch[1].eng);
	}
	ratio = (double)(vq.chans[1].ops - b0) / (double)(vq.chans[0].ops - a0 + 1);
	CU_ASSERT(ratio >= 2.0 && ratio <= 4.0);
	run_out();
	CU_ASSERT_TRUE(copied(0, 0, 31));
	CU_ASSERT_TRUE(copied(1, 0, 31));
	netdma_vq_chan_set_priority(netdma_vq_chan(&vq, 1), 100);
	CU_ASSERT_EQUAL(vq.chans[1].weight, NETDMA_VQ_MAX_WEIGHT);
	netdma_vq_chan_reset(netdma_vq_chan(&vq, 1));
	CU_ASSERT_EQUAL(vq.chans[1].weight, 1);
	teardown();
}

/*
 * A slot is reused only once its last user's ops are all back from the
 * device.  Channel 1's user aborts (spec §3.7) with four ops at the device,
 * one of which fails there, and its slot is freed at once: it is busy and
 * cannot be taken; as the device finishes them they route to the slot, and
 * once all are back it is taken.  Its new user's engine is handed none of
 * them (no early retirement, no inherited halt): Armed until its own ops
 * complete, then its bytes and Idle at its last descriptor.
 */
static void
test_slot_reuse(void)
{
	struct netdma_vq_chan *s1;

	setup(4);
	s1 = netdma_vq_chan(&vq, 1);
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[0].eng, iova_of(chain(0, 8)), 8), 0);
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[1].eng, iova_of(chain(1, 8)), 8), 0);
	poll_all();                    /* ring: 0 0 0 0 1 1 1 1 */
	dev.fail_at = 5;               /* the old user's second op */
	dev.fail_status = 7;
	CU_ASSERT_EQUAL(netdma_engine_abort(&ch[1].eng), 0);
	netdma_engine_fini(&ch[1].eng);
	netdma_vq_chan_reset(s1);      /* freed with its ops at the device */
	CU_ASSERT_TRUE(netdma_vq_chan_busy(s1));
	CU_ASSERT_EQUAL(netdma_vq_chan_take(s1), -EBUSY);
	fd_finish(&dev, 6);            /* channel 0's four, two of the old user's */
	CU_ASSERT_TRUE(netdma_vq_chan_busy(s1));
	CU_ASSERT_EQUAL(s1->inflight, 2);
	CU_ASSERT_EQUAL(netdma_vq_chan_take(s1), -EBUSY);
	fd_finish(&dev, 2);
	CU_ASSERT_FALSE(netdma_vq_chan_busy(s1));
	CU_ASSERT_EQUAL(s1->ok, 1);    /* left behind: one good, the failure, two after it */
	CU_ASSERT_TRUE(s1->failed);
	CU_ASSERT_EQUAL(s1->after_fail, 2);
	CU_ASSERT_EQUAL(netdma_vq_chan_take(s1), 0);
	dev.fail_at = NONE;

	/* the new user: blocks 8..15 of channel 1's area, never written before */
	CU_ASSERT_EQUAL_FATAL(chan_init(1, 4), 0);
	chain(1, 16);
	CU_ASSERT_TRUE(untouched(1, 8, 8));
	CU_ASSERT_EQUAL(netdma_engine_start(&ch[1].eng, iova_of(&d[32 + 8]), 8), 0);
	netdma_engine_poll(&ch[1].eng);   /* four at the device, none finished */
	netdma_engine_poll(&ch[1].eng);
	CU_ASSERT_EQUAL(ch[1].cw, netdma_completion_encode(0, NETDMA_STATUS_ARMED));
	CU_ASSERT_EQUAL(ch[1].eng.descriptors_retired, 0);
	CU_ASSERT_EQUAL(ch[1].halts, 0);
	run_out();
	CU_ASSERT_EQUAL(ch[1].cw, word(1, 15, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(copied(1, 8, 8));
	CU_ASSERT_EQUAL(ch[1].eng.descriptors_retired, 8);
	CU_ASSERT_EQUAL(ch[1].halts, 0);
	CU_ASSERT_EQUAL(ch[0].cw, word(0, 7, NETDMA_STATUS_IDLE));
	CU_ASSERT_TRUE(copied(0, 0, 8));
	CU_ASSERT_EQUAL(vq.head, vq.tail);
	teardown();
}

/* Limits; the records come from the host on the device's NUMA node. */
static void
test_init_limits(void)
{
	struct netdma_vq q;

	CU_ASSERT_EQUAL(netdma_vq_init(&q, &fd_ops, &dev, SLOTS, 0, &host, 0), -EINVAL);
	CU_ASSERT_EQUAL(netdma_vq_init(&q, &fd_ops, &dev, SLOTS, 70000, &host, 0), -EINVAL);
	CU_ASSERT_EQUAL(netdma_vq_init(&q, &fd_ops, &dev, 0, 2, &host, 0), -EINVAL);
	last_socket = NETDMA_SOCKET_ANY;
	CU_ASSERT_EQUAL(netdma_vq_init(&q, &fd_ops, &dev, 10, 2, &host, 1), 0);
	CU_ASSERT_EQUAL(last_socket, 1);
	CU_ASSERT_EQUAL(q.ring_mask, 15);
	CU_ASSERT_PTR_NULL(netdma_vq_chan(&q, 2));
	netdma_vq_fini(&q, &host);
}

int
unit_add_vq(void)
{
	CU_pSuite s = CU_add_suite("virtual channels over one queue", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "three channels interleave, each its own word", test_interleave) ||
	    !CU_add_test(s, "an error halts its channel only", test_error_one_channel) ||
	    !CU_add_test(s, "Abort of one channel, the others run on", test_abort_one_channel) ||
	    !CU_add_test(s, "a backlog does not starve another channel",
			 test_backlog_does_not_starve) ||
	    !CU_add_test(s, "priority weights the shares", test_priority_weights) ||
	    !CU_add_test(s, "a slot is reused only once its last user's ops are back",
			 test_slot_reuse) ||
	    !CU_add_test(s, "limits; records on the device's NUMA node", test_init_limits))
		return -1;
	return 0;
}
