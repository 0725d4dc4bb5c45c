/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * embed_copy: NetDMA in-process.  Starts EAL, creates the software (cpu)
 * provider, takes a channel owned by this lcore, copies 256 KiB through one
 * descriptor chain while polling the lcore, and checks the bytes and the
 * completion word.  Build: make (examples/Makefile), or
 *     cc embed_copy.c $(pkg-config --cflags --libs libnetdma)
 * Run without hardware or hugepages:
 *     ./embed_copy --no-huge --no-shconf --iova-mode=va --no-pci -l 0-1
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include <netdma.h>
#include <netdma_cpu.h>
#include <netdma_lcore.h>

#define DESCS 4
#define DESC_SIZE (64u << 10)
#define SIZE (DESCS * DESC_SIZE)

int
main(int argc, char **argv)
{
	struct netdma_cpu_provider *cpu;
	struct netdma_chan_conf conf = { 0 };
	struct netdma_descriptor *d;
	struct netdma_chan *chan;
	volatile uint64_t *cw;
	uint8_t *src, *dst;
	uint64_t want, deadline;
	int ret, i, ok;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "embed_copy: cannot start EAL\n");
		return 1;
	}
	/* NULL: the defaults, a NetDMA 2.0 provider named "cpu" */
	ret = netdma_cpu_provider_create(NULL, &cpu);
	if (ret < 0) {
		fprintf(stderr, "embed_copy: cpu provider: %s\n", strerror(-ret));
		return 1;
	}

	cw = netdma_mem_alloc(sizeof(*cw), 64);
	d = netdma_mem_alloc(sizeof(*d) * (DESCS + 1), 64);
	src = netdma_mem_alloc(SIZE, 64);
	dst = netdma_mem_alloc(SIZE, 64);
	if (cw == NULL || d == NULL || src == NULL || dst == NULL) {
		fprintf(stderr, "embed_copy: out of DMA memory\n");
		return 1;
	}
	for (i = 0; i < (int)SIZE; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	memset(dst, 0, SIZE);

	/* A 2.0 chain of DESCS descriptors: each links the next, the last
	 * pre-links where a next Append would start and writes the word. */
	memset(d, 0, sizeof(*d) * (DESCS + 1));
	for (i = 0; i < DESCS; i++) {
		d[i].transfer_size = DESC_SIZE;
		d[i].source_address = netdma_virt2iova(src + i * DESC_SIZE);
		d[i].destination_address = netdma_virt2iova(dst + i * DESC_SIZE);
		d[i].next_descriptor = netdma_virt2iova(&d[i + 1]);
	}
	d[DESCS - 1].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;

	conf.completion_word = cw;
	conf.lcore_mask = 1ull << rte_lcore_id();   /* owned by this lcore: it polls below */
	ret = netdma_chan_alloc(netdma_cpu_provider_id(cpu), &conf, &chan);
	if (ret < 0) {
		fprintf(stderr, "embed_copy: netdma_chan_alloc: %s\n", strerror(-ret));
		return 1;
	}
	ret = netdma_chan_start(chan, d, DESCS);
	if (ret < 0) {
		fprintf(stderr, "embed_copy: netdma_chan_start: %s\n", netdma_chan_last_error(chan));
		return 1;
	}

	want = netdma_completion_encode(netdma_virt2iova(&d[DESCS - 1]), NETDMA_STATUS_IDLE);
	deadline = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	while (netdma_completion_read(cw) != want && rte_get_timer_cycles() < deadline)
		netdma_lcore_poll(rte_lcore_id());
	ok = netdma_completion_read(cw) == want && memcmp(src, dst, SIZE) == 0;
	if (netdma_completion_read(cw) != want)
		fprintf(stderr, "embed_copy: completion word 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
			netdma_completion_read(cw), want);
	else if (!ok)
		fprintf(stderr, "embed_copy: the copy differs from the source\n");
	else
		printf("embed_copy: %u bytes through the cpu provider, verified\n", SIZE);

	netdma_chan_free(chan);
	netdma_mem_free(d);
	netdma_mem_free((void *)(uintptr_t)cw);
	netdma_mem_free(src);
	netdma_mem_free(dst);
	netdma_cpu_provider_destroy(cpu);
	rte_eal_cleanup();
	return ok ? 0 : 1;
}
