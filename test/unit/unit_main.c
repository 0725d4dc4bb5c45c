/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the pure parts of lib/netdma: no EAL, no DPDK library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

unsigned char *arena;

struct netdma_descriptor *
unit_descs(unsigned int n)
{
	if (n * sizeof(struct netdma_descriptor) > ARENA_SIZE / 2)
		abort();   /* the second half of the arena holds the data buffers */
	memset(arena, 0, ARENA_SIZE);
	return (struct netdma_descriptor *)(void *)arena;
}

static bool
in_arena(void *ctx, netdma_iova_t iova, uint64_t len)
{
	(void)ctx;
	return iova >= iova_of(arena) && len <= ARENA_SIZE &&
		iova - iova_of(arena) <= ARENA_SIZE - len;
}

static const struct netdma_descriptor *
fetch(void *ctx, netdma_iova_t pa)
{
	(void)ctx;
	return (const struct netdma_descriptor *)(uintptr_t)pa;
}

void
unit_rules(struct netdma_check_rules *r, uint8_t major)
{
	memset(r, 0, sizeof(*r));
	r->major_version = major;
	r->max_transfer_size = 8192;
	r->range_ok = in_arena;
	r->fetch = fetch;
}

int
main(void)
{
	unsigned int failed, passed;

	arena = aligned_alloc(4096, ARENA_SIZE);
	if (arena == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (unit_add_completion() || unit_add_desc() || unit_add_chain() || unit_add_state() ||
	    unit_add_core() || unit_add_engine() || unit_add_engine_ctl() || unit_add_proto() ||
	    unit_add_vq()) {
		fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	passed = CU_get_number_of_tests_run() - CU_get_number_of_tests_failed();
	printf("\nunit: %u passed, %u failed\n", passed, failed);
	CU_cleanup_registry();
	free(arena);
	return failed ? 1 : 0;
}
