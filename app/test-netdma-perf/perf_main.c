/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test-netdma-perf --config FILE.ini [--result OUT.csv] [--smoke]
 *
 * Each scenario (a case at one buffer size) runs in a child process with the
 * case's EAL arguments, as dpdk-test-dma-perf does; the parent prints the
 * figures and writes the CSV.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_log.h>

#include "perf.h"

static void
usage(const char *prog)
{
	printf("Usage: %s --config FILE.ini [--result OUT.csv] [--smoke] [--netdmad PATH]\n"
	       "\n"
	       "Reads a dpdk-test-dma-perf configuration (24.11-25.07 syntax: [caseN], type,\n"
	       "mem_size, buf_size=first,last,incr,ADD|MUL, dma_ring_size, kick_batch,\n"
	       "src_numa_node, dst_numa_node, cache_flush, test_seconds,\n"
	       "lcore_dmaN=lcore=..,dev=..,dir=mem2mem, eal_args; a [GLOBAL] section, as in\n"
	       "25.11, gives eal_args, cache_flush and test_seconds to cases without them)\n"
	       "and runs DMA_MEM_COPY (raw rte_dma), CPU_MEM_COPY (rte_memcpy) and\n"
	       "NETDMA_MEM_COPY (an in-process NetDMA channel; dev= names a provider: cpu\n"
	       "or a dmadev; chain= sets descriptors per Append; dca=1 has every descriptor\n"
	       "ask for DESTINATION_DCA_ENABLE, so the cpu engine copies into the cache\n"
	       "rather than around it).  Every copied byte is\n"
	       "verified after each scenario.\n"
	       "\n"
	       "Buffers, order and counting are dpdk-test-dma-perf's: a source and a\n"
	       "destination pktmbuf pool (data room buf_size + headroom, so buf_size <= %u),\n"
	       "one mbuf per buffer, mem_size / (2 * buf_size) of them split between the\n"
	       "workers; copies reached through the mbufs, passes over them in order, the\n"
	       "completions of test_seconds after 10 ms counted and divided by test_seconds.\n"
	       "NETDMA_MEM_COPY's descriptors point into the same mbufs; a client's buffers\n"
	       "are laid out as such a pool's.  buf_layout=contiguous (per case) uses two\n"
	       "flat arrays instead, buffer k at k * buf_size: no mbuf header read per copy,\n"
	       "no gap between buffers.  p50/p99/p999 are blank where not measured.\n"
	       "\n"
	       "Daemon cases start a private netdmad (eal_args become its EAL arguments,\n"
	       "lcore= its polling lcores) and drive it from netdma-perf-client:\n"
	       "NETDMA_CLIENT_COPY is NETDMA_MEM_COPY through the daemon (client_cpus= pins\n"
	       "the client's threads); NETDMA_CLIENT_IDLE opens channels= idle channels and,\n"
	       "after quiet_ms, reports the daemon's resident memory, its CPU over one second\n"
	       "and the latency of the first request.\n"
	       "\n"
	       "  -c, --config FILE   the cases (see config/perf/)\n"
	       "  -r, --result FILE   CSV output, dpdk-test-dma-perf columns plus latency\n"
	       "  -s, --smoke         50 ms per scenario, at most 8 MB: correctness only\n"
	       "  -n, --netdmad PATH  netdmad for the daemon cases (default: beside this\n"
	       "                      program, or ../netdmad/ in the build tree)\n"
	       "  -h, --help          this text\n", prog, perf_mbuf_max_buf_size());
}

/* The TSC rate without EAL (the parent never initialises it): 20 ms of rdtsc. */
static double
tsc_hz(void)
{
	struct timespec a, b;
	uint64_t t0, t1;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 = rte_rdtsc();
	do
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 20000000L);
	t1 = rte_rdtsc();
	return (double)(t1 - t0) / ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
}

static int
split_args(char *s, char **argv, int max)
{
	int n = 1;
	char *save, *tok;

	for (tok = strtok_r(s, " \t", &save); tok != NULL && n < max - 1; tok = strtok_r(NULL, " \t", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	return n;
}

/* Fork, init EAL with the case's arguments, run, send the results back. */
static int
run_child(const struct perf_case *c, uint32_t bs, bool smoke, struct perf_result *res)
{
	int p[2], st;
	pid_t pid;
	ssize_t want = (ssize_t)(sizeof(*res) * c->nb_workers);

	if (pipe(p) < 0)
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char args[sizeof(c->eal_args)], *argv[64];
		int argc, ret;

		close(p[0]);
		snprintf(args, sizeof(args), "%s", c->eal_args);
		argv[0] = (char *)(uintptr_t)"test-netdma-perf";
		argc = split_args(args, argv, 64);
		if (rte_eal_init(argc, argv) < 0)
			_exit(3);
		/* the figures, not the providers' lifecycle, are the output here */
		rte_log_set_level_pattern("lib.netdma", RTE_LOG_WARNING);
		rte_log_set_level_pattern("pmd.netdma*", RTE_LOG_WARNING);
		memset(res, 0, (size_t)want);
		ret = perf_run_scenario(c, bs, smoke, res);
		if (ret < 0)
			res[0].error = ret;
		if (write(p[1], res, (size_t)want) != want)
			_exit(4);
		rte_eal_cleanup();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], res, (size_t)want) != want) {
		close(p[0]);
		waitpid(pid, &st, 0);
		return -EIO;
	}
	close(p[0]);
	waitpid(pid, &st, 0);
	return 0;
}

/* NETDMA_CLIENT_IDLE: one line and one CSV block of its own.  @return failures. */
static int
idle_case(const struct perf_case *c, bool smoke, const struct perf_tools *t, FILE *csv)
{
	struct perf_idle_result r;
	int ret;

	printf("Case %u: %s, %u idle channels on %s, quiet %u ms\n", c->id, perf_type_name(c->type),
	       c->channels, c->workers[0].dev, smoke ? 50 : c->quiet_ms);
	ret = perf_run_idle_probe(c, smoke, t, &r);
	if (ret < 0) {
		printf("  FAILED (%s)\n", strerror(-ret));
		return 1;
	}
	printf("  netdmad resident %.1f MiB (own %.1f, clients' regions %.1f); CPU over 1 s: "
	       "pollers %.2f%%, whole daemon %.2f%% of a core; first request after the quiet "
	       "%.1f us (this machine's eventfd wake-up of an idle CPU: %.1f us)  %s\n", r.rss_mib,
	       r.anon_mib, r.shmem_mib, r.poller_cpu_pct, r.process_cpu_pct, r.first_us,
	       r.wake_floor_us, r.verified ? "verified" : "VERIFY FAILED");
	if (csv != NULL)
		fprintf(csv, "Case %u : %s,DMA,channels,resident(MiB),own(MiB),client regions(MiB),"
			"poller CPU(%%),daemon CPU(%%),first request(us),wake-up floor(us),verified\n"
			"Scenario 1,%s,%u,%.1f,%.1f,%.1f,%.2f,%.2f,%.1f,%.1f,%s\n", c->id,
			perf_type_name(c->type), c->workers[0].dev, r.channels, r.rss_mib, r.anon_mib,
			r.shmem_mib, r.poller_cpu_pct, r.process_cpu_pct, r.first_us, r.wake_floor_us,
			r.verified ? "yes" : "no");
	return r.verified ? 0 : 1;
}

/*
 * Several workers (several clients with client_processes=1) on one case:
 * their sum, and how far each is from an equal share of it.
 */
static void
print_share(const struct perf_case *c, const struct perf_result *res, double total_mops)
{
	double share = total_mops / c->nb_workers, lo = 1e300, hi = 0;
	unsigned int w;

	for (w = 0; w < c->nb_workers; w++) {
		double m = res[w].secs > 0 ? (double)res[w].ops / res[w].secs / 1e6 : 0;

		lo = m < lo ? m : lo;
		hi = m > hi ? m : hi;
	}
	printf("  all %u %s: %.3f MOps; each %.3f to %.3f MOps, %+.0f%% to %+.0f%% of an equal "
	       "share\n", c->nb_workers, c->client_processes ? "clients" : "workers", total_mops,
	       lo, hi, share > 0 ? (lo / share - 1) * 100 : 0, share > 0 ? (hi / share - 1) * 100 : 0);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "result", required_argument, NULL, 'r' },
		{ "smoke", no_argument, NULL, 's' },
		{ "netdmad", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct perf_case cases[PERF_MAX_CASES];
	const char *config = NULL, *result = NULL, *netdmad = NULL;
	struct perf_tools tools;
	bool have_tools = false;
	double hz;
	bool smoke = false;
	FILE *csv = NULL;
	int ch, n, k, fails = 0, runs = 0;

	while ((ch = getopt_long(argc, argv, "c:r:sn:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'r': result = optarg; break;
		case 's': smoke = true; break;
		case 'n': netdmad = optarg; break;
		case 'h': usage(argv[0]); return 0;
		default: usage(argv[0]); return 2;
		}
	}
	if (config == NULL) {
		usage(argv[0]);
		return 2;
	}
	n = perf_config_load(config, cases, PERF_MAX_CASES);
	if (n < 0)
		return 2;
	for (k = 0; k < n; k++)
		if (!cases[k].skip && perf_type_is_client(cases[k].type) && !have_tools) {
			if (perf_tools_find(&tools, netdmad) < 0)
				return 2;
			have_tools = true;
		}
	hz = tsc_hz();
	if (result != NULL) {
		csv = fopen(result, "w");
		if (csv == NULL) {
			fprintf(stderr, "test-netdma-perf: cannot write %s\n", result);
			return 2;
		}
		fprintf(csv, "Test Environment:\nCPU frequency,%.2f Ghz\n", hz / 1e9);
	}
	for (k = 0; k < n; k++) {
		const struct perf_case *c = &cases[k];
		unsigned int scen = 0;
		uint32_t bs;

		if (c->skip)
			continue;
		if (c->type == PERF_NETDMA_CLIENT_IDLE) {
			runs++;
			fails += idle_case(c, smoke, &tools, csv);
			continue;
		}
		printf("Case %u: %s, %u worker(s), mem_size %u MB, ring %u, kick_batch %u\n", c->id,
		       perf_type_name(c->type), c->nb_workers, c->mem_size_mb, c->ring_size, c->kick_batch);
		if (csv != NULL)
			fprintf(csv, "Case %u : %s,lcore,DMA,DMA ring size,kick batch size,buffer size(B),"
				"number of buffers,memory(MB),average cycle,bandwidth(Gbps),MOps,"
				"p50(us),p99(us),p999(us),verified\n", c->id, perf_type_name(c->type));
		for (bs = c->buf_first; bs <= c->buf_last;
		     bs = c->buf_mul ? bs * c->buf_incr : bs + c->buf_incr) {
			struct perf_result res[PERF_MAX_WORKERS];
			double sum_ops = 0, sum_mem = 0, sum_cyc = 0, secs = 0;
			uint32_t sum_buf = 0;
			unsigned int w;
			int ret;

			scen++;
			runs++;
			memset(res, 0, sizeof(res));
			ret = c->type == PERF_NETDMA_CLIENT_COPY ?
				perf_run_client_scenario(c, bs, smoke, &tools, res) :
				run_child(c, bs, smoke, res);
			if (ret < 0 || res[0].error < 0) {
				printf("  buf %u B: FAILED (%s)\n", bs,
				       strerror(-(res[0].error ? res[0].error : ret < 0 ? ret : -EIO)));
				fails++;
				continue;
			}
			for (w = 0; w < c->nb_workers; w++)
				if (res[w].tsc_hz == 0)
					res[w].tsc_hz = hz;   /* a client process has no EAL */

			for (w = 0; w < c->nb_workers; w++) {
				const struct perf_result *r = &res[w];
				/* dpdk-test-dma-perf's figures: per window second, cycles truncated */
				double mops = (double)r->ops / r->secs / 1e6;
				double gbps = (double)r->ops * bs * 8 / r->secs / 1e9;
				double cyc = r->ops ? (double)(uint64_t)(r->secs * r->tsc_hz / (double)r->ops) : 0;
				double mem = (double)bs * r->nr_buf * 2 / (1024 * 1024);
				char lat[64] = ",,";

				if (!r->verified)
					fails++;
				sum_ops += (double)r->ops;
				sum_buf += r->nr_buf;
				sum_mem += mem;
				sum_cyc += cyc;
				secs = r->secs;
				printf("  buf %6u B  lcore %u %-14s %10.0f cycles/op %8.2f Gbps %8.3f MOps",
				       bs, r->lcore, r->dev, cyc, gbps, mops);
				/* a case that does not time each copy prints no latency, not 0 */
				if (r->has_lat) {
					printf("  latency p50 %.2f p99 %.2f p999 %.2f us (chains of %u)",
					       r->p50_us, r->p99_us, r->p999_us, c->chain);
					snprintf(lat, sizeof(lat), "%.2f,%.2f,%.2f", r->p50_us, r->p99_us,
						 r->p999_us);
				}
				printf("  %s\n", r->verified ? "verified" : "VERIFY FAILED");
				if (csv != NULL)
					fprintf(csv, "Scenario %u,%u,%s,%u,%u,%u,%u,%.2f,%.0f,%.3f,%.3f,%s,%s\n",
						scen, r->lcore, r->dev, c->ring_size, c->kick_batch, bs, r->nr_buf,
						mem, cyc, gbps, mops, lat, r->verified ? "yes" : "no");
			}
			if (c->nb_workers > 1 && secs > 0)
				print_share(c, res, sum_ops / secs / 1e6);
			/* as that tool: all buffers, all memory, the workers' mean cycles, sums */
			if (csv != NULL && secs > 0)
				fprintf(csv, "Scenario %u Summary, , , , , ,%u,%.2f,%.1f,%.3f,%.3f\n", scen,
					sum_buf, sum_mem, sum_cyc / c->nb_workers,
					sum_ops * bs * 8 / secs / 1e9, sum_ops / secs / 1e6);
		}
	}
	if (csv != NULL)
		fclose(csv);
	printf("\nperf: %d passed, %d failed\n", runs - fails, fails);
	return fails ? 1 : 0;
}
