/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdma-fwd: a DPDK forwarding pipeline that copies every packet through a
 * NetDMA channel (or, under the copy-break, with the CPU), then forwards
 * the copy.  This header is the pipeline's interface: main() (fwd_main.c)
 * and the embedding tests (test/fwd) use it.  doc/pipeline.rst has the
 * design, the order and fault rules.
 *
 * Built twice from the same sources: netdma-fwd links libnetdma and runs
 * the engines in this process; netdma-fwd-client (NETDMA_FWD_CLIENT) links
 * libnetdma_client and reaches netdmad's engines.  Both implement netdma.h
 * and cannot share a process.
 */
#ifndef NETDMA_FWD_H
#define NETDMA_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "netdma.h"

extern int fwd_logtype;
#define FWD_LOG(level, ...) rte_log(RTE_LOG_ ## level, fwd_logtype, "netdma-fwd: " __VA_ARGS__)

#define FWD_MAX_PORTS 16
#define FWD_MAX_BURST 64
#define FWD_MAX_MIX 64
/** copy_break value: every packet is copied by the CPU. */
#define FWD_COPY_BREAK_ALL UINT32_MAX

/** What a full channel does to the packets that would need it. */
enum fwd_full_policy {
	FWD_FULL_STALL,   /**< they wait, and RX of their port stops meanwhile */
	FWD_FULL_DROP,    /**< they are dropped (drop_full) */
	FWD_FULL_CPU,     /**< the CPU copies them (spilled) */
};

/** What happens to the packets a halted engine did not finish (spec §6.3). */
enum fwd_fault_policy {
	FWD_FAULT_RECOPY, /**< the CPU copies them again (recopied) */
	FWD_FAULT_DROP,   /**< they are dropped (drop_fault) */
};

struct fwd_conf {
	const char *provider;        /**< "cpu", a dmadev name, or a netdmad provider */
	const char *socket;          /**< netdmad's socket (client build) */
	uint32_t copy_break;         /**< bytes: shorter packets by the CPU; 0: none */
	bool copy_break_auto;        /**< measure at start (fwd_calibrate()) */
	bool cpu_only;               /**< no channel at all: the CPU copies everything */
	bool full_set;               /**< on_full was given (else chosen by the mode) */
	enum fwd_full_policy on_full;
	enum fwd_fault_policy on_fault;
	bool mac_rewrite;
	bool service;                /**< channels on a service lcore, driven by rte_service */
	uint16_t burst;
	uint32_t ring_size;          /**< descriptors per channel, a power of 2 */
	uint32_t queue_size;         /**< pending packets per port, a power of 2 */
	uint16_t rxd, txd;
	uint32_t nb_mbufs;           /**< 0: sized from the ports and queues */
	uint16_t data_room;          /**< bytes of packet data per mbuf */
	uint64_t portmask;           /**< 0: every port */
	uint32_t stats_interval;     /**< seconds between stats lines; 0: none */
	uint64_t max_packets;        /**< stop after receiving this many; 0: no limit */
	double run_time;             /**< stop after this many seconds; 0: on a signal */
	double warmup;               /**< the rate line skips this many seconds */
	uint64_t fault_every;        /**< test only: every Nth engine copy fails */
	uint32_t mix[FWD_MAX_MIX];   /**< bench only: received lengths trimmed to these, in turn */
	uint32_t nb_mix;
};

/** Per-port counters; every received packet ends in tx or in one drop. */
struct fwd_stats {
	uint64_t rx, rx_bytes;
	uint64_t rx_chained;   /**< received in more than one segment (jumbo frames) */
	uint64_t tx, tx_bytes;
	uint64_t cpu_copied;   /**< forwarded, copied by the CPU on arrival (copy-break) */
	uint64_t dma_copied;   /**< forwarded, copied through the NetDMA channel */
	uint64_t spilled;      /**< forwarded, copied by the CPU because the channel was full */
	uint64_t recopied;     /**< forwarded, copied again by the CPU after a halt */
	uint64_t drop_full;    /**< the channel was full (--on-full drop) */
	uint64_t drop_fault;   /**< a halt caught them (--on-fault drop) */
	uint64_t drop_nombuf;  /**< no mbuf for the copy */
	uint64_t drop_stop;    /**< still pending when the drain at stop timed out */
	uint64_t halts;        /**< completion word HALTED (spec §6.3) */
	uint64_t error_dpcs;   /**< error DPCs (address 0) delivered */
	uint64_t dma_errors;   /**< Start/Append refused: the CPU copied those packets */
	uint64_t stalls;       /**< RX passes skipped because the channel or queue was full */
	uint64_t abandoned;    /**< copies an engine still held at the recovery timeout: never freed */
};

struct fwd_ctx;

/* fwd_opts.c */
void fwd_conf_default(struct fwd_conf *c);
/* Parse the application's options (after EAL's); @return 0, 1 (--help) or -EINVAL. */
int fwd_parse_args(struct fwd_conf *c, int argc, char **argv);
void fwd_usage(const char *prog);

/* fwd_setup.c */
/**
 * Pool, ports, provider, channels; the copy-break measured if asked.
 * @return a context, or NULL with rte_errno set (the reason is logged).
 */
struct fwd_ctx *fwd_setup(const struct fwd_conf *conf);
/** Launch the forwarding loop on every worker lcore. @return 0 or -errno. */
int fwd_launch(struct fwd_ctx *ctx);
/** Ask the loops to stop receiving, drain what is pending and return. */
void fwd_stop(struct fwd_ctx *ctx);
/** True once a loop stopped by itself (--max-packets reached). */
bool fwd_stopping(const struct fwd_ctx *ctx);
/** Wait for the loops (after fwd_stop()). */
void fwd_wait(struct fwd_ctx *ctx);
/** Channels, provider, ports (a pcap file is flushed here), pool. */
void fwd_teardown(struct fwd_ctx *ctx);
/** The mbuf pool: packets a test puts on an RX ring come from it. */
struct rte_mempool *fwd_pool(const struct fwd_ctx *ctx);
/** The copy-break in use (after calibration). */
uint32_t fwd_copy_break(const struct fwd_ctx *ctx);

/* fwd_stats.c */
/** Counters of the flow that receives on @p port; @return 0 or -ENOENT. */
int fwd_port_stats(const struct fwd_ctx *ctx, uint16_t port, struct fwd_stats *st);
void fwd_total_stats(const struct fwd_ctx *ctx, struct fwd_stats *st);
/** One line of counters, key=value, for people and scripts. */
void fwd_print_stats(const char *label, const struct fwd_stats *st, FILE *out);
/** Register /netdma_fwd/stats (rte_telemetry) for @p ctx. */
int fwd_telemetry_register(struct fwd_ctx *ctx);

#endif /* NETDMA_FWD_H */
