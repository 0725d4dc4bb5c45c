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
	printf("Usage: %s --config FILE.ini [--result OUT.csv] [--smoke]\n"
	       "\n"
	       "Reads a dpdk-test-dma-perf configuration (24.11-25.07 syntax: [caseN], type,\n"
	       "mem_size, buf_size=first,last,incr,ADD|MUL, dma_ring_size, kick_batch,\n"
	       "cache_flush, test_seconds, lcore_dmaN=lcore=..,dev=..,dir=mem2mem, eal_args)\n"
	       "and runs DMA_MEM_COPY (raw rte_dma), CPU_MEM_COPY (rte_memcpy) and\n"
	       "NETDMA_MEM_COPY (an in-process NetDMA channel; dev= names a provider: cpu\n"
	       "or a dmadev; chain= sets descriptors per Append).  Every copied byte is\n"
	       "verified after each scenario.\n"
	       "\n"
	       "  -c, --config FILE   the cases (see config/perf/)\n"
	       "  -r, --result FILE   CSV output, dpdk-test-dma-perf columns plus latency\n"
	       "  -s, --smoke         50 ms per scenario, at most 8 MB: correctness only\n"
	       "  -h, --help          this text\n", prog);
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

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "result", required_argument, NULL, 'r' },
		{ "smoke", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct perf_case cases[PERF_MAX_CASES];
	const char *config = NULL, *result = NULL;
	bool smoke = false;
	FILE *csv = NULL;
	int ch, n, k, fails = 0, runs = 0;

	while ((ch = getopt_long(argc, argv, "c:r:sh", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'r': result = optarg; break;
		case 's': smoke = true; break;
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
	if (result != NULL) {
		csv = fopen(result, "w");
		if (csv == NULL) {
			fprintf(stderr, "test-netdma-perf: cannot write %s\n", result);
			return 2;
		}
		fprintf(csv, "Test Environment:\nCPU frequency,%.2f Ghz\n", tsc_hz() / 1e9);
	}
	for (k = 0; k < n; k++) {
		const struct perf_case *c = &cases[k];
		unsigned int scen = 0;
		uint32_t bs;

		if (c->skip)
			continue;
		printf("Case %u: %s, %u worker(s), mem_size %u MB, ring %u, kick_batch %u%s\n", c->id,
		       perf_type_name(c->type), c->nb_workers, c->mem_size_mb, c->ring_size, c->kick_batch,
		       c->type == PERF_NETDMA_MEM_COPY ? "" : "");
		if (csv != NULL)
			fprintf(csv, "Case %u : %s,lcore,DMA,DMA ring size,kick batch size,buffer size(B),"
				"number of buffers,memory(MB),average cycle,bandwidth(Gbps),MOps,"
				"p50(us),p99(us),p999(us),verified\n", c->id, perf_type_name(c->type));
		for (bs = c->buf_first; bs <= c->buf_last;
		     bs = c->buf_mul ? bs * c->buf_incr : bs + c->buf_incr) {
			struct perf_result res[PERF_MAX_WORKERS];
			double sum_ops = 0, secs = 0;
			uint32_t sum_buf = 0;
			unsigned int w;

			scen++;
			runs++;
			memset(res, 0, sizeof(res));
			if (run_child(c, bs, smoke, res) < 0 || res[0].error < 0) {
				printf("  buf %u B: FAILED (%s)\n", bs, strerror(-(res[0].error ? res[0].error : EIO)));
				fails++;
				continue;
			}

			for (w = 0; w < c->nb_workers; w++) {
				const struct perf_result *r = &res[w];
				double mops = (double)r->ops / r->secs / 1e6;
				double gbps = (double)r->ops * bs * 8 / r->secs / 1e9;
				double cyc = r->ops ? r->secs * r->tsc_hz / (double)r->ops : 0;

				if (!r->verified)
					fails++;
				sum_ops += (double)r->ops;
				sum_buf += r->nr_buf;
				secs = r->secs;
				printf("  buf %6u B  lcore %u %-14s %10.1f cycles/op %8.2f Gbps %8.3f MOps",
				       bs, r->lcore, r->dev, cyc, gbps, mops);
				if (c->type == PERF_NETDMA_MEM_COPY)
					printf("  latency p50 %.2f p99 %.2f p999 %.2f us (chains of %u)",
					       r->p50_us, r->p99_us, r->p999_us, c->chain);
				printf("  %s\n", r->verified ? "verified" : "VERIFY FAILED");
				if (csv != NULL)
					fprintf(csv, "Scenario %u,%u,%s,%u,%u,%u,%u,%u,%.0f,%.3f,%.3f,%.2f,%.2f,%.2f,%s\n",
						scen, r->lcore, r->dev, c->ring_size, c->kick_batch, bs, r->nr_buf,
						c->mem_size_mb, cyc, gbps, mops, r->p50_us, r->p99_us, r->p999_us,
						r->verified ? "yes" : "no");
			}
			if (csv != NULL && secs > 0)
				fprintf(csv, "Scenario %u Summary, , , , , ,%u,%u,%.0f,%.3f,%.3f\n", scen, sum_buf,
					c->mem_size_mb, sum_ops > 0 ? secs * res[0].tsc_hz / sum_ops : 0,
					sum_ops * bs * 8 / secs / 1e9, sum_ops / secs / 1e6);
		}
	}
	if (csv != NULL)
		fclose(csv);
	printf("\nperf: %d passed, %d failed\n", runs - fails, fails);
	return fails ? 1 : 0;
}
