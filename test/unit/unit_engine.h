/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine under test, over a fake host and a fake copy backend: an
 * asynchronous "device" that finishes ops only when a test says so, can fail
 * one op, refuse one enqueue, hand completions back a few at a time, and
 * run out of ring slots.  Descriptors and data live in the unit arena
 * (IOVA = VA): descriptors in its first half, the source at 32 KiB, the
 * destination at 48 KiB, each 4 pages of 4 KiB.
 */
#ifndef NETDMA_UNIT_ENGINE_H
#define NETDMA_UNIT_ENGINE_H

#include "netdma_engine.h"
#include "unit.h"

#define FAKE_NONE UINT64_MAX
#define FAKE_LOG 256            /* ops remembered (by op index modulo) */
#define DATA_BYTES (ARENA_SIZE / 4)
#define BLK 256                 /* ut_blocks(): descriptor i copies src/dst + i * BLK */
#define STATUS NETDMA_F_STATUS_UPDATE_ON_COMPLETION

struct fake_op {
	netdma_iova_t src, dst;
	uint32_t len;
	uint64_t flags;
	uint64_t cw_at_enqueue;     /* the completion word when the op was handed over */
};

struct fake_be {
	uint32_t slots;             /* ring size: capacity() = slots - ops not handed back */
	uint64_t enq;               /* ops enqueued */
	uint64_t ready;             /* ops the device has finished (done <= ready <= enq) */
	uint64_t done;              /* ops handed back by completed() or discard() */
	uint64_t fail_at;           /* index of the op that fails; FAKE_NONE: none */
	uint64_t refuse_at;         /* index copy() refuses with -ENOSPC, once; FAKE_NONE */
	uint32_t per_call;          /* completed() hands back at most this many; 0: all */
	uint32_t finish_on_call;    /* at this completed() call the device finishes all; 0: never */
	uint32_t completed_calls;
	uint32_t submits;
	struct fake_op log[FAKE_LOG];
};

struct fake_host {
	unsigned int allocs, frees;
	bool fail_alloc;
	int socket;                 /* the NUMA node the last zalloc was asked for */
	uint64_t clock_us;
	uint64_t clock_step_us;     /* time that passes at each read */
	unsigned int clock_reads;
	netdma_iova_t internal_pa;  /* the "library's own" descriptor, or 0 */
	unsigned int halts;
	netdma_iova_t halt_bad;
	const char *halt_why;
	uint64_t halt_cw;           /* the completion word when halted() ran */
	unsigned int irqs;
	netdma_iova_t irq_pa;
	uint64_t irq_cw;
	unsigned int suspends;      /* suspended() upcalls */
	int suspend_status;
	netdma_iova_t suspend_last;
	uint64_t suspend_cw;        /* the completion word when suspended() ran */
};

struct engine_fixture {
	struct netdma_engine eng;
	struct fake_be be;
	struct fake_host host;
	volatile uint64_t cw;
	struct netdma_descriptor *d;
	uint8_t *src, *dst;
};
extern struct engine_fixture fx;
extern const struct netdma_engine_host ut_fake_host;
extern const struct netdma_backend_ops ut_fake_ops;

/** The tests' engine settings: a 64-descriptor ring, the unit arena's rules. */
void ut_engine_conf(struct netdma_engine_conf *conf, uint8_t major, uint32_t burst);

/** Fresh arena, fake and engine (ring of @p slots device slots). @return engine_init's. */
int ut_engine_setup(uint8_t major, uint32_t slots, uint32_t burst);
/** Finish the engine; assert that every allocation was given back. */
void ut_engine_teardown(void);

/** d[i]: copy @p len bytes from src+off to dst+off. */
void ut_copy_desc(unsigned int i, uint32_t off, uint32_t len, uint32_t flags);
/** d[first..first+n): BLK-byte copies, descriptor i at offset i * BLK. */
void ut_blocks(unsigned int first, unsigned int n, uint32_t flags);
/** Link d[first..first+n): 1.x ends with 0, 2.0 pre-links d[first+n]. */
void ut_link(unsigned int first, unsigned int n);
/** The device finishes its next @p n ops (copying the bytes of those that succeed). */
void fake_finish(uint64_t n);
/** The device finishes everything it holds, then the engine polls once. */
void ut_complete(void);

netdma_iova_t ut_pa(unsigned int i);
uint64_t ut_word(unsigned int i, enum netdma_transfer_status st);
uint64_t ut_cw(void);
/** dst+off holds src+off's @p len bytes. */
bool ut_copied(uint32_t off, uint32_t len);
/** dst+off's @p len bytes are still zero. */
bool ut_untouched(uint32_t off, uint32_t len);

#endif
