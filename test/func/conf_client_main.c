/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance suite again, through netdmad: the same rules and bad-input
 * tests as netdma_func, linked against libnetdma_client (no DPDK here), on
 * the test build netdmad-step, whose engines move only when the test steps
 * them.
 * Usage: netdma_conf_client NETDMAD_STEP_BINARY CONFIG_INI
 */
#include <stdio.h>

#include <CUnit/Basic.h>

#include "conf.h"

extern const char *conf_netdmad, *conf_config;

/*
 * The test steps the engine (conf_poll); DPCs run on its thread, not on the
 * channel's lcore, and netdmad refuses descriptors at a completion word.
 */
static struct backend backends[] = {
	{ .name = "cpu via netdmad", .kind = BE_CPU, .major = 1, .minor = 1 },
	{ .name = "cpu via netdmad", .kind = BE_CPU, .major = 2, .minor = 0 },
	{ .name = "skeleton via netdmad", .kind = BE_DMADEV, .major = 1, .minor = 1 },
	{ .name = "skeleton via netdmad", .kind = BE_DMADEV, .major = 2, .minor = 0 },
};

int
main(int argc, char **argv)
{
	unsigned int i, failed, passed;

	if (argc != 3) {
		fprintf(stderr, "usage: %s NETDMAD_STEP_BINARY CONFIG_INI\n", argv[0]);
		return 2;
	}
	conf_netdmad = argv[1];
	conf_config = argv[2];
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (conf_add_rules(&backends[i]) || conf_add_bad_input(&backends[i])) {
			fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
			return 1;
		}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	passed = CU_get_number_of_tests_run() - CU_get_number_of_tests_failed();
	printf("\nclient: %u passed, %u failed\n", passed, failed);
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
