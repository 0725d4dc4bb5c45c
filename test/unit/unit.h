/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers of the EAL-free unit tests. */
#ifndef NETDMA_UNIT_H
#define NETDMA_UNIT_H

#include <CUnit/CUnit.h>

#include "netdma_chain.h"

/* An arena of plain memory standing in for a client's DMA memory. */
#define ARENA_SIZE (64 * 1024)
extern unsigned char *arena;

static inline netdma_iova_t
iova_of(const void *p)
{
	return (netdma_iova_t)(uintptr_t)p;
}

struct netdma_descriptor *unit_descs(unsigned int n);   /* zeroed, in the arena */
void unit_rules(struct netdma_check_rules *r, uint8_t major);

int unit_add_completion(void);
int unit_add_desc(void);
int unit_add_chain(void);
int unit_add_state(void);
int unit_add_core(void);
int unit_add_engine(void);
int unit_add_engine_ctl(void);
int unit_add_proto(void);
int unit_add_vq(void);

#endif
