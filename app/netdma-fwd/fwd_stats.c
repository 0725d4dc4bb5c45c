/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters: per port, in total, on a line, and through rte_telemetry. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "fwd_internal.h"

/* The counters, in the order they are printed and served. */
#define FWD_STATS_FIELDS(X) \
	X(rx) X(rx_bytes) X(rx_chained) X(tx) X(tx_bytes) X(cpu_copied) X(dma_copied) X(spilled) \
	X(recopied) X(drop_full) X(drop_fault) X(drop_nombuf) X(drop_stop) X(halts) \
	X(error_dpcs) X(dma_errors) X(stalls) X(abandoned)

static void
flow_stats(const struct fwd_flow *f, struct fwd_stats *st)
{
#define LOAD(x) st->x = __atomic_load_n(&f->st.x, __ATOMIC_RELAXED);
	FWD_STATS_FIELDS(LOAD)
#undef LOAD
	st->error_dpcs = __atomic_load_n(&f->error_dpcs, __ATOMIC_RELAXED);
}

int
fwd_port_stats(const struct fwd_ctx *ctx, uint16_t port, struct fwd_stats *st)
{
	unsigned int i;

	for (i = 0; i < ctx->nb_flows; i++)
		if (ctx->flows[i].rx_port == port) {
			flow_stats(&ctx->flows[i], st);
			return 0;
		}
	return -ENOENT;
}

void
fwd_total_stats(const struct fwd_ctx *ctx, struct fwd_stats *st)
{
	struct fwd_stats one;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < ctx->nb_flows; i++) {
		flow_stats(&ctx->flows[i], &one);
#define SUM(x) st->x += one.x;
		FWD_STATS_FIELDS(SUM)
#undef SUM
	}
}

void
fwd_print_stats(const char *label, const struct fwd_stats *st, FILE *out)
{
	fprintf(out, "netdma-fwd: %s:", label);
#define PRINT(x) fprintf(out, " " #x "=%" PRIu64, st->x);
	FWD_STATS_FIELDS(PRINT)
#undef PRINT
	fprintf(out, "\n");
}

/*
 * rte_telemetry keeps a command for the life of the process: the handler
 * finds the pipeline through this pointer, cleared at teardown.
 */
static rte_spinlock_t tel_lock = RTE_SPINLOCK_INITIALIZER;
static const struct fwd_ctx *tel_ctx;
static bool tel_registered;

/* /netdma_fwd/stats[,PORT]: the totals, or the counters of one RX port */
static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct fwd_stats st;
	int ret = 0;

	RTE_SET_USED(cmd);
	rte_spinlock_lock(&tel_lock);
	if (tel_ctx == NULL) {
		ret = -ENODEV;
	} else if (params != NULL && *params != '\0') {
		char *end;
		unsigned long port = strtoul(params, &end, 10);

		if (*end != '\0' || port > UINT16_MAX ||
		    fwd_port_stats(tel_ctx, (uint16_t)port, &st) < 0)
			ret = -EINVAL;
	} else {
		fwd_total_stats(tel_ctx, &st);
	}
	if (ret == 0) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_u64(d, "copy_break", tel_ctx->copy_break);
#define TEL(x) rte_tel_data_add_dict_u64(d, #x, st.x);
		FWD_STATS_FIELDS(TEL)
#undef TEL
	}
	rte_spinlock_unlock(&tel_lock);
	return ret;
}

int
fwd_telemetry_register(struct fwd_ctx *ctx)
{
	int ret = 0;

	rte_spinlock_lock(&tel_lock);
	tel_ctx = ctx;
	rte_spinlock_unlock(&tel_lock);
	if (!tel_registered) {
		ret = rte_telemetry_register_cmd("/netdma_fwd/stats", tel_stats,
			"netdma-fwd counters: all ports, or the RX port given. Parameters: int port");
		tel_registered = ret == 0;
	}
	return ret;
}

void
fwd_telemetry_forget(const struct fwd_ctx *ctx)
{
	rte_spinlock_lock(&tel_lock);
	if (tel_ctx == ctx)
		tel_ctx = NULL;
	rte_spinlock_unlock(&tel_lock);
}
