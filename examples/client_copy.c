/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client_copy: the smallest libnetdma_client program.  Connects to netdmad,
 * takes a channel of its first provider, copies 256 KiB through one
 * descriptor chain and checks the bytes and the completion word.  Plain C:
 * no DPDK.  Build: make (examples/Makefile), or
 *     cc client_copy.c $(pkg-config --cflags --libs libnetdma_client)
 * Run: ./client_copy [SOCKET]   (default $NETDMA_SOCKET, else /run/netdma/netdmad.sock)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <netdma.h>
#include <netdma_client.h>

#define DESCS 4
#define DESC_SIZE (64u << 10)
#define SIZE (DESCS * DESC_SIZE)

static int
fail(const char *what, int ret)
{
	const char *why = netdma_client_last_error();

	/* the library's reason where it has one, else the errno's name */
	fprintf(stderr, "client_copy: %s: %s\n", what, why[0] != '\0' ? why : strerror(-ret));
	return 1;
}

int
main(int argc, char **argv)
{
	struct netdma_provider_info info;
	struct netdma_chan_conf conf = { 0 };
	struct netdma_descriptor *d;
	struct netdma_chan *chan;
	volatile uint64_t *cw;
	uint8_t *src, *dst;
	uint64_t want;
	time_t deadline;
	int ret, i;

	ret = netdma_client_connect(argc > 1 ? argv[1] : NULL);
	if (ret < 0)
		return fail("cannot connect to netdmad", ret);
	ret = netdma_provider_list(&info, 1);
	if (ret <= 0)
		return fail("no provider", ret < 0 ? ret : -ENODEV);

	/* DMA-visible memory: shared with netdmad */
	cw = netdma_mem_alloc(sizeof(*cw), 64);
	d = netdma_mem_alloc(sizeof(*d) * (DESCS + 1), 64);
	src = netdma_mem_alloc(SIZE, 64);
	dst = netdma_mem_alloc(SIZE, 64);
	if (cw == NULL || d == NULL || src == NULL || dst == NULL)
		return fail("netdma_mem_alloc", -ENOMEM);
	for (i = 0; i < (int)SIZE; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	memset(dst, 0, SIZE);

	/* One chain; the last descriptor writes the completion word.  1.x
	 * providers stop at a 0 next_descriptor, 2.0 ones take the count and
	 * the last one pre-links where a next Append would start. */
	memset(d, 0, sizeof(*d) * (DESCS + 1));
	for (i = 0; i < DESCS; i++) {
		d[i].transfer_size = DESC_SIZE;
		d[i].source_address = netdma_virt2iova(src + i * DESC_SIZE);
		d[i].destination_address = netdma_virt2iova(dst + i * DESC_SIZE);
		d[i].next_descriptor = i + 1 < DESCS || info.major_version >= 2 ?
			netdma_virt2iova(&d[i + 1]) : 0;
	}
	d[DESCS - 1].control_flags = NETDMA_F_STATUS_UPDATE_ON_COMPLETION;

	conf.completion_word = cw;   /* any lcore of netdmad's pollers */
	ret = netdma_chan_alloc(info.id, &conf, &chan);
	if (ret < 0)
		return fail("netdma_chan_alloc", ret);
	ret = netdma_chan_start(chan, d, DESCS);
	if (ret < 0)
		return fail(netdma_chan_last_error(chan), ret);

	/* netdmad's pollers run the engine: wait for the completion word */
	want = netdma_completion_encode(netdma_virt2iova(&d[DESCS - 1]), NETDMA_STATUS_IDLE);
	deadline = time(NULL) + 10;
	while (netdma_completion_read(cw) != want && time(NULL) < deadline)
		nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	if (netdma_completion_read(cw) != want) {
		fprintf(stderr, "client_copy: completion word 0x%" PRIx64 ", expected 0x%" PRIx64
			" (%s)\n", netdma_completion_read(cw), want, netdma_chan_last_error(chan));
		return 1;
	}
	if (memcmp(src, dst, SIZE) != 0) {
		fprintf(stderr, "client_copy: the copy differs from the source\n");
		return 1;
	}
	printf("client_copy: %u bytes through %s, verified\n", SIZE, info.name);
	netdma_chan_free(chan);
	netdma_client_disconnect();
	return 0;
}
