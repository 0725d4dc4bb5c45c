/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdma-fwd [EAL options] -- [options]: the forwarding pipeline (fwd.h) on
 * the worker lcores; the main lcore prints counters and the rate.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "fwd.h"

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	quit = 1;
}

/* --help anywhere after --, or as the only argument: no EAL needed to read it */
static bool
wants_help(int argc, char **argv)
{
	bool after = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			after = true;
		else if ((after || argc == 2) && (strcmp(argv[i], "--help") == 0 ||
						  strcmp(argv[i], "-h") == 0))
			return true;
	}
	return false;
}

static double
now_s(void)
{
	return (double)rte_get_timer_cycles() / (double)rte_get_timer_hz();
}

static void
print_ports(const struct fwd_ctx *ctx, uint16_t nb_ports, FILE *out)
{
	struct fwd_stats st;
	char label[32];
	uint16_t port;

	for (port = 0; port < nb_ports; port++)
		if (fwd_port_stats(ctx, port, &st) == 0) {
			snprintf(label, sizeof(label), "port %u", port);
			fwd_print_stats(label, &st, out);
		}
}

/* Counters every interval, until a signal, --time or --max-packets. */
static void
run(struct fwd_ctx *ctx, const struct fwd_conf *conf, double *rate_secs, struct fwd_stats *w0,
    struct fwd_stats *w1)
{
	double start = now_s(), next = start + conf->stats_interval, t0 = start, t;
	struct fwd_stats st, prev = { 0 };
	bool sampled = conf->warmup <= 0;

	memset(w0, 0, sizeof(*w0));
	while (!quit && !fwd_stopping(ctx)) {
		rte_delay_us_sleep(10000);
		t = now_s();
		if (!sampled && t - start >= conf->warmup) {
			fwd_total_stats(ctx, w0);
			t0 = t;
			sampled = true;
		}
		if (conf->run_time > 0 && t - start >= conf->run_time)
			break;
		if (conf->stats_interval > 0 && t >= next) {
			fwd_total_stats(ctx, &st);
			printf("netdma-fwd: %.0f s: %.3f Mpps, %.3f Gbps\n", t - start,
			       (double)(st.tx - prev.tx) / conf->stats_interval / 1e6,
			       (double)(st.tx_bytes - prev.tx_bytes) * 8 / conf->stats_interval / 1e9);
			fwd_print_stats("total", &st, stdout);
			fflush(stdout);
			prev = st;
			next += conf->stats_interval;
		}
	}
	/* the rate is what went out while receiving, before the drain */
	fwd_total_stats(ctx, w1);
	*rate_secs = now_s() - t0;
}

int
main(int argc, char **argv)
{
	struct fwd_stats w0, w1, st;
	struct fwd_conf conf;
	struct fwd_ctx *ctx;
	double secs;
	int ret;

	if (wants_help(argc, argv)) {
		fwd_usage(argv[0]);
		return 0;
	}
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "netdma-fwd: EAL does not start: %s (without hugepages: "
			"--no-huge --iova-mode=va; see --help)\n", rte_strerror(rte_errno));
		return 2;
	}
	argc -= ret;
	argv += ret;
	fwd_conf_default(&conf);
	ret = fwd_parse_args(&conf, argc, argv);
	if (ret != 0) {
		rte_eal_cleanup();
		return ret > 0 ? 0 : 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ctx = fwd_setup(&conf);
	if (ctx == NULL) {
		fprintf(stderr, "netdma-fwd: setup failed: %s (the log above says why)\n",
			rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	if (fwd_telemetry_register(ctx) < 0)
		fprintf(stderr, "netdma-fwd: /netdma_fwd/stats not registered with telemetry\n");
	if (conf.cpu_only || fwd_copy_break(ctx) == FWD_COPY_BREAK_ALL)
		printf("netdma-fwd: forwarding, the CPU copies every packet%s\n",
		       conf.cpu_only ? " (--cpu-only)" : "");
	else
		printf("netdma-fwd: forwarding through '%s', packets under %" PRIu32 " B copied by "
		       "the CPU\n", conf.provider, fwd_copy_break(ctx));
	fflush(stdout);
	ret = fwd_launch(ctx);
	if (ret == 0) {
		run(ctx, &conf, &secs, &w0, &w1);
		fwd_stop(ctx);
		fwd_wait(ctx);
		print_ports(ctx, RTE_MAX_ETHPORTS, stdout);
		fwd_total_stats(ctx, &st);
		fwd_print_stats("total", &st, stdout);
		printf("netdma-fwd: rate %.3f Mpps %.3f Gbps over %.2f s\n",
		       secs > 0 ? (double)(w1.tx - w0.tx) / secs / 1e6 : 0.0,
		       secs > 0 ? (double)(w1.tx_bytes - w0.tx_bytes) * 8 / secs / 1e9 : 0.0, secs);
		/* every packet received was sent or counted in one drop */
		if (st.rx != st.tx + st.drop_full + st.drop_fault + st.drop_nombuf + st.drop_stop) {
			fprintf(stderr, "netdma-fwd: counters do not add up: rx %" PRIu64 " != tx + "
				"drops\n", st.rx);
			ret = -EIO;
		}
	}
	fflush(stdout);
	fwd_teardown(ctx);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
