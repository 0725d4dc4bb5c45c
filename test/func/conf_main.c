/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Functional conformance suite: spec §8 and §13 on the cpu provider and on
 * the dmadev provider over dma_skeleton, each as NetDMA 1.1 and 2.0.
 * Run with EAL options, e.g.:
 *   netdma_func -l 0-1 --no-huge --no-shconf --iova-mode=va --no-pci \
 *               --vdev=dma_skeleton,lcore=1
 */
#include <stdio.h>

#include <CUnit/Basic.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_log.h>

#include "conf_dpdk.h"

/* the test polls the owner lcore: it drives the engine and runs the DPCs */
#define IN_PROCESS .dpc_on_owner = true, .word_dma_readable = true

static struct backend backends[] = {
	{ .name = "cpu", .kind = BE_CPU, .major = 1, .minor = 1, IN_PROCESS },
	{ .name = "cpu", .kind = BE_CPU, .major = 2, .minor = 0, IN_PROCESS },
	{ .name = "skeleton", .kind = BE_DMADEV, .major = 1, .minor = 1, IN_PROCESS },
	{ .name = "skeleton", .kind = BE_DMADEV, .major = 2, .minor = 0, IN_PROCESS },
};

int
main(int argc, char **argv)
{
	unsigned int i, failed, passed;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (rte_dma_count_avail() == 0) {
		fprintf(stderr, "no dmadev: run with --vdev=dma_skeleton\n");
		return 1;
	}
	/* expected refusals are logged at NOTICE/ERR; keep the report readable */
	rte_log_set_level_pattern("lib.netdma", RTE_LOG_CRIT);
	rte_log_set_level_pattern("pmd.netdma*", RTE_LOG_CRIT);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (i = 0; i < RTE_DIM(backends); i++)
		if (conf_add_rules(&backends[i]) || conf_add_bad_input(&backends[i]) ||
		    conf_add_internal(&backends[i]) || conf_add_checked(&backends[i]))
			goto reg_err;
	if (conf_add_lifecycle() || conf_add_vchan() || conf_add_wdk() || conf_add_telemetry())
		goto reg_err;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	passed = CU_get_number_of_tests_run() - CU_get_number_of_tests_failed();
	printf("\nfunc: %u passed, %u failed\n", passed, failed);
	CU_cleanup_registry();
	rte_eal_cleanup();
	return failed ? 1 : 0;
reg_err:
	fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
	return 1;
}
