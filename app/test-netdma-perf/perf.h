/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test-netdma-perf: dpdk-test-dma-perf's config and CSV, with NetDMA cases
 * beside raw dmadev and a CPU copy (landscape.md §3).
 */
#ifndef NETDMA_PERF_H
#define NETDMA_PERF_H

#include <stdbool.h>
#include <stdint.h>

#define PERF_MAX_CASES   16
#define PERF_MAX_WORKERS 8
#define PERF_MAX_SCEN    64

enum perf_type { PERF_DMA_MEM_COPY, PERF_CPU_MEM_COPY, PERF_NETDMA_MEM_COPY };

struct perf_worker_conf {
	unsigned int lcore;
	char dev[64];               /* dmadev name, or NetDMA provider */
};

struct perf_case {
	unsigned int id;            /* N of [caseN] */
	enum perf_type type;
	uint32_t mem_size_mb;
	uint32_t buf_first, buf_last, buf_incr;
	bool buf_mul;
	uint32_t ring_size;
	uint32_t kick_batch;
	uint32_t chain;             /* NETDMA: descriptors per Start/Append */
	bool cache_flush;
	double test_seconds;
	unsigned int nb_workers;
	struct perf_worker_conf workers[PERF_MAX_WORKERS];
	char eal_args[512];
	bool skip;
};

/* One worker's figures for one buffer size. */
struct perf_result {
	unsigned int lcore;
	char dev[64];
	uint32_t nr_buf;
	uint64_t ops;               /* copies completed in the timed window */
	double secs;
	double p50_us, p99_us, p999_us; /* NETDMA: submission → completion word */
	bool verified;
	int error;                  /* 0, or -errno */
	double tsc_hz;              /* the child's TSC: cycles per op */
};

int perf_config_load(const char *path, struct perf_case *cases, unsigned int max);
const char *perf_type_name(enum perf_type t);

/* Runs in the child after rte_eal_init(); fills one result per worker. */
int perf_run_scenario(const struct perf_case *c, uint32_t buf_size, bool smoke,
		      struct perf_result *res);

#endif
