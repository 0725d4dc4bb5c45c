/* SPDX-License-Identifier: BSD-3-Clause */
/* Backends, per-test fixtures and chain builders of the functional suite. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <CUnit/TestRun.h>

#include "conf.h"

struct backend *B;
struct fix F;

double
conf_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Suites map to backends; CUnit's init takes no argument, so look it up. */
#define MAX_SUITES 64
static struct {
	CU_pSuite suite;
	struct backend *b;
} suite_map[MAX_SUITES];
static unsigned int nsuites;

static int
suite_init(void)
{
	CU_pSuite s = CU_get_current_suite();
	unsigned int i;

	for (i = 0; i < nsuites; i++)
		if (suite_map[i].suite == s) {
			B = suite_map[i].b;
			return backend_create(B, CONF_BURST) == 0 ? 0 : 1;
		}
	return 1;
}

static int
suite_cleanup(void)
{
	return backend_destroy(B) == 0 ? 0 : 1;
}

CU_pSuite
conf_suite(const char *topic, struct backend *b)
{
	static char names[MAX_SUITES][128];   /* CUnit keeps the pointer */
	char *name;
	CU_pSuite s;

	if (nsuites == MAX_SUITES)
		return NULL;
	name = names[nsuites];
	snprintf(name, sizeof(names[0]), "%s [%s %u.%u]", topic, b->name, b->major, b->minor);
	s = CU_add_suite_with_setup_and_teardown(name, suite_init, suite_cleanup,
						 fix_setup, fix_teardown);
	if (s != NULL) {
		suite_map[nsuites].suite = s;
		suite_map[nsuites++].b = b;
	}
	return s;
}

static void
on_irq(struct netdma_chan *ch, netdma_iova_t pa, void *arg)
{
	struct fix *f = arg;

	UNUSED(ch);
	f->irq_pa = pa;
	f->irq_lcore = conf_self_lcore();
	__atomic_add_fetch(&f->irqs, 1, __ATOMIC_RELEASE);
}

int
fix_alloc_chan(uint64_t lcore_mask)
{
	struct netdma_chan_conf cc = {
		.lcore_mask = lcore_mask,
		.completion_word = F.cw,
		.intr_cb = on_irq,
		.intr_arg = &F,
	};

	return netdma_chan_alloc(B->id, &cc, &F.ch);
}

void
fix_setup(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i;

	memset(&F, 0, sizeof(F));
	F.d = netdma_mem_alloc(sizeof(*F.d) * (MAXD + 2), 64);
	F.src = netdma_mem_alloc(MAXD * BLK, 64);
	F.dst = netdma_mem_alloc(MAXD * BLK, 64);
	F.cw = netdma_mem_alloc(64, 64);
	if (F.d == NULL || F.src == NULL || F.dst == NULL || F.cw == NULL)
		return;   /* NEED_FIX() fails the test */
	for (i = 0; i < MAXD * BLK; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		F.src[i] = (uint8_t)(x | 1);   /* never zero: zero means "not copied" */
	}
	/* in-process, tests poll inline from the main lcore: deterministic on 2 cores */
	if (fix_alloc_chan(conf_home_mask()) != 0)
		F.ch = NULL;
}

void
fix_teardown(void)
{
	double deadline = conf_now() + 5;

	if (F.ch != NULL) {
		/* aborted ops may still be with the engine: poll until it lets go */
		if (netdma_chan_free(F.ch) == -EBUSY) {
			netdma_chan_abort(F.ch);
			while (netdma_chan_free(F.ch) == -EBUSY && conf_now() < deadline)
				poll_n(1);
		}
	}
	netdma_mem_free(F.d);
	netdma_mem_free(F.src);
	netdma_mem_free(F.dst);
	netdma_mem_free((void *)(uintptr_t)F.cw);
	memset(&F, 0, sizeof(F));
}

void
desc_copy(unsigned int i, uint32_t flags)
{
	struct netdma_descriptor *d = &F.d[i];

	memset(d, 0, sizeof(*d));
	d->transfer_size = BLK;
	d->control_flags = flags;
	d->source_address = IO(F.src + (size_t)i * BLK);
	d->destination_address = IO(F.dst + (size_t)i * BLK);
}

void
chain(unsigned int first, unsigned int n, uint32_t last_flags)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		desc_copy(i, i + 1 == first + n ? last_flags : 0);
		F.d[i].next_descriptor = i + 1 < first + n || v2() ? IO(&F.d[i + 1]) : 0;
	}
}

uint64_t
word(unsigned int i, enum netdma_transfer_status st)
{
	return netdma_completion_encode(IO(&F.d[i]), st);
}

void
poll_n(unsigned int n)
{
	while (n-- > 0)
		conf_poll(F.ch);
}

static bool
wait_for(bool (*done)(uint64_t), uint64_t arg)
{
	double deadline = conf_now() + 5;

	while (!done(arg)) {
		if (conf_now() > deadline)
			return false;
		poll_n(1);
	}
	return true;
}

static bool
word_is(uint64_t expect)
{
	return netdma_completion_read(F.cw) == expect;
}

bool
wait_word(uint64_t expect)
{
	return wait_for(word_is, expect);
}

static bool
engine_idle(uint64_t unused)
{
	struct netdma_chan_stats st;

	UNUSED(unused);
	return netdma_chan_stats_get(F.ch, &st) == 0 && st.outstanding == 0;
}

bool
wait_idle_engine(void)
{
	return wait_for(engine_idle, 0);
}

int
irqs(void)
{
	return __atomic_load_n(&F.irqs, __ATOMIC_ACQUIRE);
}

static bool
irqs_at_least(uint64_t n)
{
	return irqs() >= (int)n;
}

bool
wait_irqs(int n)
{
	return wait_for(irqs_at_least, (uint64_t)n);
}

bool
blocks_copied(unsigned int first, unsigned int n)
{
	return memcmp(F.src + (size_t)first * BLK, F.dst + (size_t)first * BLK, (size_t)n * BLK) == 0;
}

bool
bytes_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n-- > 0)
		if (*b++ != 0)
			return false;
	return true;
}

bool
blocks_zero(unsigned int first, unsigned int n)
{
	return bytes_zero(F.dst + (size_t)first * BLK, (size_t)n * BLK);
}
