/* SPDX-License-Identifier: BSD-3-Clause */
/* netdmad: shared pieces of the daemon. */
#ifndef NETDMAD_H
#define NETDMAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_log.h>
#include <rte_spinlock.h>

#include "netdma.h"
#include "netdma_proto.h"

extern int netdmad_logtype;
#define DLOG(level, ...) rte_log(RTE_LOG_ ## level, netdmad_logtype, "netdmad: " __VA_ARGS__)

#define NETDMAD_MAX_ARGS 64
#define NETDMAD_MAX_POLLERS 64

struct netdmad_conf {
	char config_path[256];
	char eal_args[1024];
	bool cpu;
	uint32_t cpu_channels;
	uint32_t cpu_nt_threshold;  /* bytes; 0 = the provider default; UINT32_MAX = never */
	uint8_t major, minor;
	char dmadev[512];             /* "all", "none" or a list */
	bool require_dmadev;
	unsigned int pollers[NETDMAD_MAX_POLLERS];
	unsigned int nb_pollers;
	uint32_t spin_polls, max_sleep_us;
	uint32_t park_after_us, park_timeout_ms;   /* 0: the library's defaults */
	char socket_path[108];
	unsigned int socket_mode;
	uint32_t quota_channels;
	uint64_t quota_region_bytes;
	unsigned int drain_ms;
	uint32_t log_level;
};

/* netdmad_config.c */
int netdmad_config_defaults(struct netdmad_conf *c);
int netdmad_config_load(struct netdmad_conf *c, const char *path);
int netdmad_parse_lcores(const char *s, unsigned int *out, unsigned int max);
int netdmad_log_level(const char *s);

/* netdmad_engines.c */
int netdmad_engines_start(const struct netdmad_conf *c);
void netdmad_engines_stop(void);
void netdmad_report_environment(void);
int netdmad_dma_map(void *va, uint64_t len, bool map);

/* netdmad_client.c: sessions, regions, channels */
struct dclient;
struct dchan;
int netdmad_clients_init(const struct netdmad_conf *c);
struct dclient *netdmad_client_new(int fd);
/* @return 0, or -errno when the client must be dropped */
int netdmad_client_handle(struct dclient *cl);
void netdmad_client_gone(struct dclient *cl);
int netdmad_client_fd(const struct dclient *cl);
/* free what dead clients left once no engine can write into it */
unsigned int netdmad_reap(void);
void netdmad_clients_shutdown(unsigned int drain_ms);
unsigned int netdmad_client_count(void);

/* netdmad_poll.c: command rings and engines on the polling lcores */
void netdmad_poll_attach(struct dchan *dc);
void netdmad_poll_detach(struct dchan *dc);
int netdmad_pollers_start(const struct netdmad_conf *c);
void netdmad_pollers_stop(void);
int netdmad_poll_lcore(unsigned int lcore);
int netdmad_dchan_run_commands(struct dchan *dc);

/* netdmad_telemetry.c */
int netdmad_telemetry_init(void);

#endif
