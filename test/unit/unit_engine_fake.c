/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake host and copy backend the engine tests run over (unit_engine.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit_engine.h"

struct engine_fixture fx;

static inline uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ---- the backend: an asynchronous device ---------------------------------- */

static int
fake_copy(void *be, netdma_iova_t src, netdma_iova_t dst, uint32_t len, uint64_t flags)
{
	struct fake_be *b = be;
	struct fake_op *op = &b->log[b->enq % FAKE_LOG];

	if (b->enq == b->refuse_at) {
		b->refuse_at = FAKE_NONE;
		return -ENOSPC;
	}
	if (b->enq - b->done >= b->slots)
		return -ENOSPC;
	op->src = src;
	op->dst = dst;
	op->len = len;
	op->flags = flags;
	op->cw_at_enqueue = ut_cw();
	b->enq++;
	return 0;
}

static void
fake_submit(void *be)
{
	((struct fake_be *)be)->submits++;
}

static uint32_t
fake_capacity(void *be)
{
	struct fake_be *b = be;
	uint64_t held = b->enq - b->done;

	return held >= b->slots ? 0 : (uint32_t)(b->slots - held);
}

void
fake_finish(uint64_t n)
{
	struct fake_be *b = &fx.be;

	for (n = min_u64(n, b->enq - b->ready); n > 0; n--, b->ready++) {
		const struct fake_op *op = &b->log[b->ready % FAKE_LOG];

		/* like a halted device, nothing runs from the failed op on */
		if (b->fail_at == FAKE_NONE || b->ready < b->fail_at)
			memcpy((void *)(uintptr_t)op->dst, (const void *)(uintptr_t)op->src, op->len);
	}
}

static void
fake_finish_all(void)
{
	fake_finish(fx.be.enq - fx.be.ready);
}

static uint32_t
fake_completed(void *be, uint32_t max, bool *has_error)
{
	struct fake_be *b = be;
	uint64_t end = b->ready, n;

	if (++b->completed_calls == b->finish_on_call)
		fake_finish_all();
	if (b->fail_at != FAKE_NONE && b->fail_at < end)
		end = b->fail_at;   /* the good ones before the failed op */
	n = min_u64(max, end - b->done);
	if (b->per_call != 0)
		n = min_u64(n, b->per_call);
	b->done += n;
	*has_error = b->fail_at != FAKE_NONE && b->done == b->fail_at && b->ready > b->fail_at;
	return (uint32_t)n;
}

/* Hand back finished ops whatever their status; passing the failed one restarts the device. */
static uint32_t
fake_discard(void *be, uint32_t max)
{
	struct fake_be *b = be;
	uint64_t n = min_u64(max, b->ready - b->done);

	b->done += n;
	if (b->fail_at != FAKE_NONE && b->done > b->fail_at)
		b->fail_at = FAKE_NONE;
	return (uint32_t)n;
}

const struct netdma_backend_ops ut_fake_ops = {
	.copy = fake_copy,
	.submit = fake_submit,
	.capacity = fake_capacity,
	.completed = fake_completed,
	.discard = fake_discard,
};

/* ---- the host: counted memory, a clock the test moves, recorded upcalls ---- */

static void *
host_zalloc(size_t size, size_t align, int socket)
{
	CU_ASSERT(align != 0 && (align & (align - 1)) == 0);
	fx.host.socket = socket;
	if (fx.host.fail_alloc)
		return NULL;
	fx.host.allocs++;
	return calloc(1, size);
}

static void
host_free(void *p)
{
	fx.host.frees++;
	free(p);
}

static uint64_t
host_now_us(void)
{
	uint64_t now = fx.host.clock_us;

	fx.host.clock_reads++;
	fx.host.clock_us += fx.host.clock_step_us;
	return now;
}

static bool
host_desc_internal(void *chan, netdma_iova_t pa)
{
	CU_ASSERT_PTR_EQUAL(chan, &fx);
	return pa != 0 && pa == fx.host.internal_pa;
}

static void
host_halted(void *chan, netdma_iova_t bad, const char *why, int status)
{
	(void)status;
	CU_ASSERT_PTR_EQUAL(chan, &fx);
	CU_ASSERT_PTR_NOT_NULL(why);
	fx.host.halts++;
	fx.host.halt_bad = bad;
	fx.host.halt_why = why;
	fx.host.halt_cw = ut_cw();
}

static void
host_interrupt(void *chan, netdma_iova_t pa)
{
	CU_ASSERT_PTR_EQUAL(chan, &fx);
	fx.host.irqs++;
	fx.host.irq_pa = pa;
	fx.host.irq_cw = ut_cw();
}

static void
host_suspended(void *chan, int status, netdma_iova_t last)
{
	CU_ASSERT_PTR_EQUAL(chan, &fx);
	fx.host.suspends++;
	fx.host.suspend_status = status;
	fx.host.suspend_last = last;
	fx.host.suspend_cw = ut_cw();
}

const struct netdma_engine_host ut_fake_host = {
	.zalloc = host_zalloc,
	.free = host_free,
	.now_us = host_now_us,
	.desc_internal = host_desc_internal,
	.halted = host_halted,
	.interrupt = host_interrupt,
	.suspended = host_suspended,
};

/* ---- the fixture ----------------------------------------------------------- */

void
ut_engine_conf(struct netdma_engine_conf *conf, uint8_t major, uint32_t burst)
{
	memset(conf, 0, sizeof(*conf));
	conf->ring_size = 64;
	conf->burst = burst;
	conf->socket = NETDMA_SOCKET_ANY;
	unit_rules(&conf->rules, major);
	conf->cw = &fx.cw;
}

int
ut_engine_setup(uint8_t major, uint32_t slots, uint32_t burst)
{
	struct netdma_engine_conf conf;
	unsigned int i;

	memset(&fx, 0, sizeof(fx));
	fx.d = unit_descs(ARENA_SIZE / 2 / sizeof(struct netdma_descriptor));
	fx.src = arena + ARENA_SIZE / 2;
	fx.dst = fx.src + DATA_BYTES;
	for (i = 0; i < DATA_BYTES; i++)
		fx.src[i] = (uint8_t)(i * 7 + 1);   /* never 0: a copy always shows */
	fx.be.slots = slots;
	fx.be.fail_at = FAKE_NONE;
	fx.be.refuse_at = FAKE_NONE;
	ut_engine_conf(&conf, major, burst);
	return netdma_engine_init(&fx.eng, &conf, &ut_fake_host, &ut_fake_ops, &fx.be, &fx);
}

void
ut_engine_teardown(void)
{
	netdma_engine_fini(&fx.eng);
	CU_ASSERT_EQUAL(fx.host.allocs, 1);
	CU_ASSERT_EQUAL(fx.host.frees, fx.host.allocs);
}

void
ut_copy_desc(unsigned int i, uint32_t off, uint32_t len, uint32_t flags)
{
	fx.d[i].transfer_size = len;
	fx.d[i].control_flags = flags;
	fx.d[i].source_address = iova_of(fx.src + off);
	fx.d[i].destination_address = iova_of(fx.dst + off);
}

void
ut_blocks(unsigned int first, unsigned int n, uint32_t flags)
{
	unsigned int i;

	for (i = first; i < first + n; i++)
		ut_copy_desc(i, i * BLK, BLK, flags);
}

void
ut_complete(void)
{
	fake_finish_all();
	netdma_engine_poll(&fx.eng);
}

void
ut_link(unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++)
		fx.d[i].next_descriptor = ut_pa(i + 1);
	if (fx.eng.rules.major_version < 2)
		fx.d[first + n - 1].next_descriptor = 0;
}

netdma_iova_t
ut_pa(unsigned int i)
{
	return iova_of(&fx.d[i]);
}

uint64_t
ut_word(unsigned int i, enum netdma_transfer_status st)
{
	return netdma_completion_encode(ut_pa(i), st);
}

uint64_t
ut_cw(void)
{
	return __atomic_load_n(&fx.cw, __ATOMIC_ACQUIRE);
}

bool
ut_copied(uint32_t off, uint32_t len)
{
	return memcmp(fx.dst + off, fx.src + off, len) == 0;
}

bool
ut_untouched(uint32_t off, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (fx.dst[off + i] != 0)
			return false;
	return true;
}
