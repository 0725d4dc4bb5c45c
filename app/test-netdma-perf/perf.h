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

enum perf_type {
	PERF_DMA_MEM_COPY,          /* raw rte_dma, as dpdk-test-dma-perf */
	PERF_CPU_MEM_COPY,          /* rte_memcpy, as dpdk-test-dma-perf */
	PERF_NETDMA_MEM_COPY,       /* an in-process NetDMA channel */
	PERF_NETDMA_CLIENT_COPY,    /* a channel of netdmad, from a client process */
	PERF_NETDMA_CLIENT_IDLE,    /* netdmad with idle channels: memory, CPU, wake-up */
};

static inline bool
perf_type_is_client(enum perf_type t)
{
	return t == PERF_NETDMA_CLIENT_COPY || t == PERF_NETDMA_CLIENT_IDLE;
}

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
	bool dca;                   /* NETDMA: descriptors ask for DESTINATION_DCA_ENABLE */
	bool cache_flush;
	double test_seconds;
	unsigned int nb_workers;
	struct perf_worker_conf workers[PERF_MAX_WORKERS];
	char eal_args[512];         /* client cases: netdmad's EAL arguments */
	char client_cpus[64];       /* client cases: CPUs of the client's threads */
	bool client_processes;      /* client cases: one client process per worker */
	int src_numa, dst_numa;     /* NUMA nodes of the buffers, -1: any */
	uint32_t channels;          /* NETDMA_CLIENT_IDLE: idle channels */
	uint32_t quiet_ms;          /* NETDMA_CLIENT_IDLE: quiet spell before measuring */
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

/* What NETDMA_CLIENT_IDLE measures of netdmad. */
struct perf_idle_result {
	uint32_t channels;
	double rss_mib;             /* VmRSS */
	double shmem_mib;           /* RssShmem: the clients' regions mapped in */
	double anon_mib;            /* RssAnon + RssFile: the daemon's own */
	double poller_cpu_pct;      /* polling lcores, over one second after the quiet */
	double process_cpu_pct;     /* the whole daemon, same second */
	double first_us;            /* the first request after the quiet spell */
	double wake_floor_us;       /* the machine's: an eventfd wake-up on the poller's CPU */
	bool verified;
};

/* Programs the client cases run: netdmad and netdma-perf-client. */
struct perf_tools {
	char netdmad[4200];
	char client[4200];
};

int perf_config_load(const char *path, struct perf_case *cases, unsigned int max);
const char *perf_type_name(enum perf_type t);

/* Runs in the child after rte_eal_init(); fills one result per worker. */
int perf_run_scenario(const struct perf_case *c, uint32_t buf_size, bool smoke,
		      struct perf_result *res);

/* perf_daemon.c: the client cases, in the parent (no EAL). */
int perf_tools_find(struct perf_tools *t, const char *netdmad_override);
int perf_run_client_scenario(const struct perf_case *c, uint32_t buf_size, bool smoke,
			     const struct perf_tools *t, struct perf_result *res);
int perf_run_idle_probe(const struct perf_case *c, bool smoke, const struct perf_tools *t,
			struct perf_idle_result *res);

#endif
