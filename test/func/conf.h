/* SPDX-License-Identifier: BSD-3-Clause */
/* Harness of the functional conformance suite: backends, fixtures, chains. */
#ifndef NETDMA_CONF_H
#define NETDMA_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "netdma.h"

enum backend_kind { BE_CPU, BE_DMADEV };

/*
 * One provider under test: the cpu engine or dma_skeleton, as 1.1 or 2.0,
 * reached in-process (lib/netdma) or through netdmad (lib/netdma_client).
 * The rules and bad-input tests see only netdma.h and the hooks below, so
 * one suite runs on both backends.
 */
struct backend {
	const char *name;
	enum backend_kind kind;
	uint8_t major, minor;
	bool dpc_on_owner;           /* DPCs run on the channel's lcore (in-process) */
	bool word_dma_readable;      /* a descriptor may read a completion word (not netdmad) */
	void *provider;              /* backend-specific */
	int daemon;                  /* client backend: netdmad's pid */
	uint32_t id;
};

/* Backend hooks: conf_backend_dpdk.c or conf_backend_client.c. */
void conf_poll(struct netdma_chan *ch);          /* one poll of its engine, DPC included */
unsigned int conf_self_lcore(void);              /* the caller's lcore */
uint64_t conf_home_mask(void);                   /* lcore mask for test channels */
int conf_worker_lcore(void);                     /* another enabled lcore, or -1 */

extern struct backend *B;   /* the backend of the running suite */
#define UNUSED(x) ((void)(x))

/*
 * Two descriptors per poll: tests stop an engine mid-chain deterministically
 * (poll once → exactly descriptors 0 and 1 handed to the engine).
 */
#define CONF_BURST 2
#define BLK 256             /* bytes per descriptor in the tests */
#define MAXD 64             /* descriptors per fixture */

int backend_create(struct backend *b, uint32_t burst);
int backend_destroy(struct backend *b);

/* Buffers, descriptors, a completion word and a channel on B. */
struct fix {
	struct netdma_descriptor *d;    /* MAXD + 2 slots */
	uint8_t *src, *dst;             /* MAXD * BLK each */
	volatile uint64_t *cw;
	struct netdma_chan *ch;
	int irqs;                       /* written by the DPC: read with irqs() */
	netdma_iova_t irq_pa;
	unsigned int irq_lcore;
};
extern struct fix F;

void fix_setup(void);              /* CUnit test setup/teardown */
#define NEED_FIX() CU_ASSERT_FATAL(F.ch != NULL)
void fix_teardown(void);
int fix_alloc_chan(uint64_t lcore_mask);

static inline netdma_iova_t
IO(const volatile void *p)
{
	return netdma_virt2iova((const void *)(uintptr_t)p);
}

/* Descriptor i copies src block i → dst block i. */
void desc_copy(unsigned int i, uint32_t flags);
/* Build descriptors [first, first+n) as one chain in B's style (1.x: NULL
 * end; 2.0: last pre-links d[first+n]); @p last_flags on the last one. */
void chain(unsigned int first, unsigned int n, uint32_t last_flags);
static inline bool v2(void) { return B->major >= 2; }

uint64_t word(unsigned int i, enum netdma_transfer_status st);
void poll_n(unsigned int n);
bool wait_word(uint64_t expect);          /* polls the owner; 5 s at most */
bool wait_idle_engine(void);              /* nothing outstanding */
bool wait_irqs(int n);                    /* at least n DPCs; 5 s at most */
int irqs(void);
bool blocks_copied(unsigned int first, unsigned int n);
bool blocks_zero(unsigned int first, unsigned int n);
bool bytes_zero(const void *p, size_t n);

/* Suite registration (one set per backend). */
int conf_add_rules(struct backend *b);
int conf_add_bad_input(struct backend *b);
int conf_add_internal(struct backend *b);   /* in-process only */
int conf_add_checked(struct backend *b);    /* in-process only */
int conf_add_lifecycle(void);
int conf_add_vchan(void);                    /* in-process only */
int conf_add_wdk(void);
int conf_add_telemetry(void);   /* in-process only */
double conf_now(void);

/* One suite per backend: its init creates the provider, cleanup destroys it. */
CU_pSuite conf_suite(const char *topic, struct backend *b);

#endif
