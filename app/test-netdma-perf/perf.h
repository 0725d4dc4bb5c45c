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
	bool contiguous;            /* buf_layout=contiguous: two flat arrays, not mbufs */
	bool skip;
};

/* One worker's figures for one buffer size. */
struct perf_result {
	unsigned int lcore;
	char dev[64];
	uint32_t nr_buf;
	uint64_t ops;               /* copies completed in the timed window */
	double secs;                /* the window: test_seconds, as dpdk-test-dma-perf divides by */
	double p50_us, p99_us, p999_us; /* NETDMA: submission → completion word */
	bool has_lat;               /* the percentiles were measured (NETDMA cases) */
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

/*
 * perf_mbuf.c: dpdk-test-dma-perf's geometry.  Buffers per worker for a
 * footprint: mem_size / (2 * buf_size) in all, less the remainder of a split
 * between the workers.
 */
uint32_t perf_nr_buf(uint64_t mem_bytes, uint32_t buf_size, unsigned int nb_workers);
/* The largest buf_size an mbuf holds: its data room is 16 bits, headroom included. */
uint32_t perf_mbuf_max_buf_size(void);
/*
 * Where the client cases put buffer k of a region: the object size of a
 * pktmbuf pool of that data room (rte_mempool_calc_obj_size, no EAL needed)
 * and the offset of an mbuf's data in its object.
 */
int perf_mbuf_geometry(uint32_t buf_size, uint32_t *stride, uint32_t *data_off);

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
