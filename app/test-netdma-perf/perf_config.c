/* SPDX-License-Identifier: BSD-3-Clause */
/* dpdk-test-dma-perf INI, 24.11-25.07 syntax, read with rte_cfgfile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "perf.h"

static const char *const type_names[] = {
	[PERF_DMA_MEM_COPY] = "DMA_MEM_COPY",
	[PERF_CPU_MEM_COPY] = "CPU_MEM_COPY",
	[PERF_NETDMA_MEM_COPY] = "NETDMA_MEM_COPY",
	[PERF_NETDMA_CLIENT_COPY] = "NETDMA_CLIENT_COPY",
	[PERF_NETDMA_CLIENT_IDLE] = "NETDMA_CLIENT_IDLE",
};

const char *
perf_type_name(enum perf_type t)
{
	return type_names[t];
}

static int
bad(const char *sec, const char *key, const char *val, const char *why)
{
	fprintf(stderr, "test-netdma-perf: [%s] %s = '%s': %s\n", sec, key, val ? val : "", why);
	return -EINVAL;
}

static int
get_u32(struct rte_cfgfile *f, const char *sec, const char *key, uint32_t dflt, uint32_t *out)
{
	const char *v = rte_cfgfile_get_entry(f, sec, key);
	char *end;
	unsigned long x;

	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	x = strtoul(v, &end, 0);
	if (end == v || *end != '\0' || x > UINT32_MAX)
		return bad(sec, key, v, "not a number");
	*out = (uint32_t)x;
	return 0;
}

/* A case's key, else the [GLOBAL] one (the 25.11 layout keeps eal_args,
 * cache_flush and test_seconds there). */
static const char *
entry(struct rte_cfgfile *f, const char *sec, const char *key)
{
	const char *v = rte_cfgfile_get_entry(f, sec, key);

	return v != NULL ? v : rte_cfgfile_get_entry(f, "GLOBAL", key);
}

static int
get_numa(struct rte_cfgfile *f, const char *sec, const char *key, int *out)
{
	const char *v = rte_cfgfile_get_entry(f, sec, key);
	char *end;
	long x;

	*out = -1;
	if (v == NULL)
		return 0;
	x = strtol(v, &end, 10);
	if (end == v || *end != '\0' || x < 0 || x > 63)
		return bad(sec, key, v, "a NUMA node number");
	*out = (int)x;
	return 0;
}

/* "lcore=10,dev=0000:00:04.1,dir=mem2mem" */
static int
parse_worker(const char *sec, const char *key, const char *v, struct perf_worker_conf *w)
{
	char copy[256], *save, *tok;
	bool have_lcore = false;

	snprintf(copy, sizeof(copy), "%s", v);
	memset(w, 0, sizeof(*w));
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (strncmp(tok, "lcore=", 6) == 0) {
			w->lcore = (unsigned int)strtoul(tok + 6, NULL, 10);
			have_lcore = true;
		} else if (strncmp(tok, "dev=", 4) == 0) {
			snprintf(w->dev, sizeof(w->dev), "%s", tok + 4);
		} else if (strncmp(tok, "dir=", 4) == 0) {
			if (strcmp(tok + 4, "mem2mem") != 0)
				return bad(sec, key, v, "only dir=mem2mem is supported");
		} else {
			return bad(sec, key, v, "unknown field (lcore=, dev=, dir=)");
		}
	}
	return have_lcore ? 0 : bad(sec, key, v, "lcore= missing");
}

/* The last buf_size a case runs (buf_last itself only if the steps land on it). */
static uint64_t
largest_size(const struct perf_case *c)
{
	uint64_t bs = c->buf_first, next;

	for (;; bs = next) {
		next = c->buf_mul ? bs * c->buf_incr : bs + c->buf_incr;
		if (next > c->buf_last)
			return bs;
	}
}

static int
load_case(struct rte_cfgfile *f, const char *sec, struct perf_case *c)
{
	const char *v;
	char key[32];
	unsigned int i;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->id = (unsigned int)strtoul(sec + 4, NULL, 10);
	v = rte_cfgfile_get_entry(f, sec, "skip");
	c->skip = v != NULL && strcmp(v, "1") == 0;
	v = rte_cfgfile_get_entry(f, sec, "type");
	if (v == NULL)
		return bad(sec, "type", v, "missing");
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(v, type_names[i]) == 0)
			break;
	if (i == sizeof(type_names) / sizeof(type_names[0]))
		return bad(sec, "type", v, "DMA_MEM_COPY, CPU_MEM_COPY, NETDMA_MEM_COPY, "
			   "NETDMA_CLIENT_COPY or NETDMA_CLIENT_IDLE");
	c->type = (enum perf_type)i;
	ret |= get_u32(f, sec, "mem_size", 10, &c->mem_size_mb);
	ret |= get_u32(f, sec, "dma_ring_size", 1024, &c->ring_size);
	ret |= get_u32(f, sec, "kick_batch", 32, &c->kick_batch);
	ret |= get_u32(f, sec, "chain", c->kick_batch ? c->kick_batch : 32, &c->chain);
	ret |= get_u32(f, sec, "channels", 64, &c->channels);
	ret |= get_u32(f, sec, "quiet_ms", 1000, &c->quiet_ms);
	if (ret)
		return -EINVAL;
	if (get_numa(f, sec, "src_numa_node", &c->src_numa) < 0 ||
	    get_numa(f, sec, "dst_numa_node", &c->dst_numa) < 0)
		return -EINVAL;
	if (rte_cfgfile_get_entry(f, sec, "dma_src_sge") != NULL ||
	    rte_cfgfile_get_entry(f, sec, "dma_dst_sge") != NULL)
		return bad(sec, "dma_src_sge/dma_dst_sge", NULL, "scatter-gather cases are not supported");
	v = rte_cfgfile_get_entry(f, sec, "use_enq_deq_ops");
	if (v != NULL && strcmp(v, "0") != 0)
		return bad(sec, "use_enq_deq_ops", v, "the enqueue/dequeue ops path is not supported");
	v = rte_cfgfile_get_entry(f, sec, "dca");
	if (v != NULL && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return bad(sec, "dca", v, "0 or 1");
	c->dca = v != NULL && strcmp(v, "1") == 0;
	v = rte_cfgfile_get_entry(f, sec, "buf_layout");
	if (v != NULL && strcmp(v, "mbuf") != 0 && strcmp(v, "contiguous") != 0)
		return bad(sec, "buf_layout", v, "mbuf (dpdk-test-dma-perf's pktmbuf pools, the "
			   "default) or contiguous (two flat arrays)");
	c->contiguous = v != NULL && strcmp(v, "contiguous") == 0;
	v = rte_cfgfile_get_entry(f, sec, "client_cpus");
	snprintf(c->client_cpus, sizeof(c->client_cpus), "%s", v != NULL ? v : "");
	v = rte_cfgfile_get_entry(f, sec, "client_processes");
	if (v != NULL && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return bad(sec, "client_processes", v, "0 or 1");
	c->client_processes = v != NULL && strcmp(v, "1") == 0;
	v = rte_cfgfile_get_entry(f, sec, "buf_size");
	if (v == NULL && c->type == PERF_NETDMA_CLIENT_IDLE)
		v = "64";   /* the idle probe's requests are 64-byte descriptors */
	if (v == NULL)
		return bad(sec, "buf_size", v, "missing");
	{
		char mode[8] = "";
		int n = sscanf(v, "%u,%u,%u,%7s", &c->buf_first, &c->buf_last, &c->buf_incr, mode);

		if (n == 1) {
			c->buf_last = c->buf_first;
			c->buf_incr = 1;
		} else if (n != 4 || (strcmp(mode, "ADD") && strcmp(mode, "MUL")) ||
			   c->buf_first == 0 || c->buf_last < c->buf_first ||
			   c->buf_incr == 0 || (!strcmp(mode, "MUL") && c->buf_incr < 2)) {
			return bad(sec, "buf_size", v, "first,last,incr,ADD|MUL");
		}
		c->buf_mul = strcmp(mode, "MUL") == 0;
	}
	/* an mbuf's data room is 16 bits, headroom included (so is that tool's) */
	if (!c->contiguous && c->type != PERF_NETDMA_CLIENT_IDLE &&
	    largest_size(c) > perf_mbuf_max_buf_size()) {
		char why[128];

		snprintf(why, sizeof(why), "at most %u B fits an mbuf: lower it, or set "
			 "buf_layout=contiguous", perf_mbuf_max_buf_size());
		return bad(sec, "buf_size", v, why);
	}
	v = entry(f, sec, "cache_flush");
	c->cache_flush = v != NULL && strcmp(v, "1") == 0;
	v = entry(f, sec, "test_seconds");
	c->test_seconds = v != NULL ? atof(v) : 2;
	if (c->test_seconds <= 0)
		return bad(sec, "test_seconds", v, "must be > 0");
	v = entry(f, sec, "eal_args");
	snprintf(c->eal_args, sizeof(c->eal_args), "%s", v != NULL ? v :
		 "-l 0-1 --no-huge --no-shconf -m 1024 --iova-mode=va --no-pci "
		 "--vdev=dma_skeleton,lcore=0 --log-level=lib.eal:error");
	if (c->type == PERF_CPU_MEM_COPY) {
		/* "lcore = 10, 11" */
		v = rte_cfgfile_get_entry(f, sec, "lcore");
		if (v == NULL)
			return bad(sec, "lcore", v, "missing");
		{
			char copy[128], *save, *tok;

			snprintf(copy, sizeof(copy), "%s", v);
			for (tok = strtok_r(copy, ", ", &save); tok != NULL && c->nb_workers < PERF_MAX_WORKERS;
			     tok = strtok_r(NULL, ", ", &save))
				c->workers[c->nb_workers++].lcore = (unsigned int)strtoul(tok, NULL, 10);
		}
	} else {
		for (i = 0; i < PERF_MAX_WORKERS; i++) {
			snprintf(key, sizeof(key), "lcore_dma%u", i);
			v = rte_cfgfile_get_entry(f, sec, key);
			if (v == NULL)
				break;
			if (parse_worker(sec, key, v, &c->workers[c->nb_workers++]) < 0)
				return -EINVAL;
		}
		if (c->nb_workers == 0)
			return bad(sec, "lcore_dma0", NULL, "missing");
	}
	if (c->nb_workers == 0)
		return bad(sec, "lcore", NULL, "no worker lcore");
	if (c->type == PERF_NETDMA_CLIENT_IDLE && (c->channels == 0 || c->channels > 1024))
		return bad(sec, "channels", NULL, "1..1024");
	if (c->kick_batch == 0 || c->chain == 0 || c->ring_size < 2)
		return bad(sec, "kick_batch/chain/dma_ring_size", NULL, "must be positive");
	return 0;
}

int
perf_config_load(const char *path, struct perf_case *cases, unsigned int max)
{
	struct rte_cfgfile *f = rte_cfgfile_load(path, 0);
	char sec[32];
	unsigned int n = 0, i;
	int ret = 0;

	if (f == NULL) {
		fprintf(stderr, "test-netdma-perf: cannot read %s\n", path);
		return -ENOENT;
	}
	for (i = 1; i <= 64 && n < max; i++) {
		snprintf(sec, sizeof(sec), "case%u", i);
		if (!rte_cfgfile_has_section(f, sec))
			continue;
		ret = load_case(f, sec, &cases[n]);
		if (ret < 0)
			break;
		n++;
	}
	rte_cfgfile_close(f);
	if (ret < 0)
		return ret;
	if (n == 0) {
		fprintf(stderr, "test-netdma-perf: %s has no [caseN] section\n", path);
		return -EINVAL;
	}
	return (int)n;
}
