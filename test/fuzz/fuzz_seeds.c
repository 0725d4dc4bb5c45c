/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpora of fuzz_client and fuzz_chain: valid sessions and
 * chains (the fuzzer starts deep in the protocol instead of at its magic
 * number) and a few classic mistakes.  Usage: fuzz_seeds DIR; it writes
 * DIR/fuzz_client/ *.bin and DIR/fuzz_chain/ *.bin (the directories must exist).
 * The committed corpora under test/fuzz/corpus came from this program.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netdma_proto.h"

#include "fuzz_chain_wire.h"
#include "fuzz_client_wire.h"

struct out {
	uint8_t b[16384];
	size_t n;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->n + n <= sizeof(o->b)) {
		memcpy(o->b + o->n, p, n);
		o->n += n;
	}
}

static void
put_le(struct out *o, uint64_t v, unsigned int n)
{
	while (n-- > 0) {
		uint8_t b = (uint8_t)v;

		put(o, &b, 1);
		v >>= 8;
	}
}

static int
save(const char *dir, const char *harness, const char *name, const struct out *o)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s.bin", dir, harness, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(o->b, 1, o->n, f) != o->n || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* ---- fuzz_client sessions ------------------------------------------------ */

enum { DATA_MAP, CTRL_MAP };   /* maps in the order the sessions send them */
#define DATA_PAGES 4
#define DESC_OFF   0x1000u      /* descriptors, in the data region */
#define SRC_OFF    0x2000u
#define DST_OFF    0x3000u

static void
msg(struct out *o, uint8_t flags, uint8_t fds, uint8_t file, const void *m, size_t len)
{
	put_le(o, FZ_OP_MSG, 1);
	put_le(o, flags, 1);
	put_le(o, fds, 1);
	put_le(o, file, 1);
	put_le(o, len, 2);
	put(o, m, len);
}

static struct netdma_msg_hdr
hdr(uint16_t type, size_t size)
{
	static uint32_t seq;

	return (struct netdma_msg_hdr){ .magic = NETDMA_PROTO_MAGIC, .version = NETDMA_PROTO_VERSION,
					.type = type, .size = (uint32_t)size, .seq = ++seq };
}

static void
hello(struct out *o)
{
	struct netdma_msg_hello m = { .h = hdr(NETDMA_MSG_HELLO, sizeof(m)),
		.min_version = NETDMA_PROTO_VERSION, .max_version = NETDMA_PROTO_VERSION };

	snprintf(m.name, sizeof(m.name), "seed");
	msg(o, FZ_MSG_FIX, 0, 0, &m, sizeof(m));
}

static void
region_add(struct out *o, uint32_t kind, unsigned int pages, uint8_t fds)
{
	struct netdma_msg_region_add m = { .h = hdr(NETDMA_MSG_REGION_ADD, sizeof(m)),
		.size = pages * (uint64_t)FZ_PAGE, .kind = kind };

	msg(o, FZ_MSG_FIX, fds, (uint8_t)pages, &m, sizeof(m));
}

static void
chan_msg(struct out *o, uint16_t type, uint32_t id)
{
	struct netdma_msg_chan m = { .h = hdr(type, sizeof(m)), .chan_id = id };

	msg(o, FZ_MSG_FIX, 0, 0, &m, sizeof(m));
}

static void
region_del(struct out *o, uint32_t id)
{
	struct netdma_msg_region_del m = { .h = hdr(NETDMA_MSG_REGION_DEL, sizeof(m)), .region_id = id };

	msg(o, FZ_MSG_FIX, 0, 0, &m, sizeof(m));
}

/* One page of the provider list, from id @p first on. */
static void
providers_from(struct out *o, uint32_t first, uint32_t reserved)
{
	struct netdma_msg_providers m = { .h = hdr(NETDMA_MSG_PROVIDERS, sizeof(m)), .first = first,
					  .reserved = reserved };

	msg(o, FZ_MSG_FIX, 0, 0, &m, sizeof(m));
}

static void
providers(struct out *o)
{
	providers_from(o, 0, 0);
}

static void
poke(struct out *o, uint8_t map, uint32_t off, const void *p, uint8_t n)
{
	put_le(o, FZ_OP_POKE, 1);
	put_le(o, map, 1);
	put_le(o, off, 4);
	put_le(o, n, 1);
	put(o, p, n);
}

static void
poke_iova(struct out *o, uint8_t map, uint32_t off, uint8_t target, uint32_t toff)
{
	put_le(o, FZ_OP_POKE_IOVA, 1);
	put_le(o, map, 1);
	put_le(o, off, 4);
	put_le(o, target, 1);
	put_le(o, toff, 4);
}

static void
wait_poller(struct out *o)
{
	put_le(o, FZ_OP_WAIT, 1);
	put_le(o, 7, 1);
}

/* hello, a data and a control region, a command ring, a channel on @p provider */
static void
open_channel_with(struct out *o, uint32_t provider, uint32_t entries, enum fz_fd ctrl)
{
	struct netdma_cmd_ring ring = { .magic = NETDMA_RING_MAGIC, .version = NETDMA_PROTO_VERSION,
					.entries = entries, .entry_size = sizeof(struct netdma_cmd) };
	struct netdma_msg_chan_alloc ca = { .h = hdr(NETDMA_MSG_CHAN_ALLOC, sizeof(ca)),
		.provider_id = provider, .ring_region = 2, .cw_region = 1, .ring_offset = 0,
		.cw_offset = 0, .ring_entries = entries, .flags = NETDMA_CHAN_F_EVENTFD };

	hello(o);
	region_add(o, NETDMA_REGION_DATA, DATA_PAGES, FZ_FDS(FZ_FD_MEMFD_SEALED, 1));
	region_add(o, NETDMA_REGION_CONTROL, 1, FZ_FDS(ctrl, 1));
	poke(o, CTRL_MAP, 0, &ring, 16);
	msg(o, FZ_MSG_FIX, 0, 0, &ca, sizeof(ca));
	providers(o);
}

static void
open_channel(struct out *o, uint32_t provider, uint32_t entries)
{
	open_channel_with(o, provider, entries, FZ_FD_MEMFD_SEALED);
}

/* @p n descriptors at DESC_OFF copying 256-byte blocks; 2.0: the last pre-links */
static void
chain(struct out *o, unsigned int n, int v2)
{
	static const uint8_t pattern[32] = "netdma fuzz seed: source bytes";
	unsigned int i;

	poke(o, DATA_MAP, SRC_OFF, pattern, sizeof(pattern));
	for (i = 0; i < n; i++) {
		struct netdma_descriptor d = { .transfer_size = 256,
			.control_flags = i + 1 == n ? NETDMA_F_INTERRUPT_ON_COMPLETION |
			NETDMA_F_STATUS_UPDATE_ON_COMPLETION : 0 };
		uint32_t at = DESC_OFF + i * 64;

		poke(o, DATA_MAP, at, &d, sizeof(d));
		poke_iova(o, DATA_MAP, at + offsetof(struct netdma_descriptor, source_address),
			  DATA_MAP, SRC_OFF + i * 256);
		poke_iova(o, DATA_MAP, at + offsetof(struct netdma_descriptor, destination_address),
			  DATA_MAP, DST_OFF + i * 256);
		if (i + 1 < n || v2)
			poke_iova(o, DATA_MAP, at + offsetof(struct netdma_descriptor, next_descriptor),
				  DATA_MAP, at + 64);
	}
}

/* Post command @p seq (1-based) at slot seq-1 and bump head to @p seq. */
static void
command(struct out *o, uint32_t entries, uint64_t seq, uint32_t op, uint32_t count, int with_desc)
{
	struct netdma_cmd c = { .op = op, .count = count, .seq = seq };
	uint32_t at = (uint32_t)(offsetof(struct netdma_cmd_ring, cmds) +
				 ((seq - 1) & (entries - 1)) * sizeof(c));

	poke(o, CTRL_MAP, at, &c, sizeof(c));
	if (with_desc)
		poke_iova(o, CTRL_MAP, at + offsetof(struct netdma_cmd, desc_iova), DATA_MAP, DESC_OFF);
	poke(o, CTRL_MAP, offsetof(struct netdma_cmd_ring, head), &seq, sizeof(seq));
}

static void
close_all(struct out *o)
{
	chan_msg(o, NETDMA_MSG_CHAN_STATS, 0);
	chan_msg(o, NETDMA_MSG_CHAN_FREE, 0);
	region_del(o, 1);
	region_del(o, 2);
}

/* The whole life of one channel: copy, suspend, resume, abort, reset. */
static void
session_full(struct out *o, uint32_t provider, int v2)
{
	open_channel(o, provider, 8);
	chain(o, 3, v2);
	command(o, 8, 1, NETDMA_CMD_START, 3, 1);
	wait_poller(o);
	chan_msg(o, NETDMA_MSG_CHAN_STATS, 0);
	chan_msg(o, NETDMA_MSG_CHAN_DOORBELL, 0);
	command(o, 8, 2, NETDMA_CMD_SUSPEND, 0, 0);
	command(o, 8, 3, NETDMA_CMD_RESUME, 0, 0);
	command(o, 8, 4, NETDMA_CMD_ABORT, 0, 0);
	command(o, 8, 5, NETDMA_CMD_RESET, 0, 0);
	wait_poller(o);
	close_all(o);
}

/* A client that leaves with a chain in flight: the reaper's path. */
static void
session_leave(struct out *o)
{
	open_channel(o, 0, 4);
	chain(o, 2, 1);
	command(o, 4, 1, NETDMA_CMD_START, 2, 1);
}

/*
 * An interrupt for a client that closed the read end of its interrupt pipe
 * (as the harness always does): the daemon's write must not raise SIGPIPE.
 */
static void
session_closed_pipe(struct out *o)
{
	open_channel(o, 0, 2);
	chain(o, 1, 1);
	command(o, 2, 1, NETDMA_CMD_START, 1, 1);
	wait_poller(o);
}

/* head far past tail: the ring overrun */
static void
session_overrun(struct out *o)
{
	uint64_t head = 1000;

	open_channel(o, 0, 2);
	poke(o, CTRL_MAP, offsetof(struct netdma_cmd_ring, head), &head, sizeof(head));
	wait_poller(o);
	close_all(o);
}

/*
 * An unsealed control region, truncated under the daemon's command ring:
 * a daemon that requires F_SEAL_SHRINK refuses the region, one that did
 * not (before 10181f4) faulted in its poller.
 */
static void
session_shrink(struct out *o)
{
	open_channel_with(o, 0, 8, FZ_FD_MEMFD);
	put_le(o, FZ_OP_SHRINK, 1);
	put_le(o, CTRL_MAP, 1);
	put_le(o, 0, 1);
	wait_poller(o);
	close_all(o);
}

/* What daemon_test's bad-message cases send, in one session. */
static void
session_bad(struct out *o)
{
	struct netdma_msg_providers junk = { .h = hdr(NETDMA_MSG_PROVIDERS, sizeof(junk)) };
	struct netdma_msg_region_add ra = { .h = hdr(NETDMA_MSG_REGION_ADD, sizeof(ra)),
		.size = 2 * FZ_PAGE, .kind = NETDMA_REGION_DATA };
	static uint8_t big[FZ_MAX_MSG];

	msg(o, 0, 0, 0, &junk, sizeof(junk));                 /* before hello */
	hello(o);
	junk.h.magic = 0x12345678;
	msg(o, 0, 0, 0, &junk, sizeof(junk));                 /* bad magic */
	msg(o, 0, 0, 0, &junk, 3);                            /* truncated */
	memcpy(big, &ra, sizeof(ra));
	msg(o, FZ_MSG_FIX, 0, 0, big, sizeof(big));           /* oversized */
	msg(o, FZ_MSG_FIX, 0, 0, &ra, sizeof(ra));            /* no fd */
	msg(o, FZ_MSG_FIX, FZ_FDS(FZ_FD_MEMFD_SEALED, 5), 2, &ra, sizeof(ra));   /* 5 fds */
	msg(o, FZ_MSG_FIX, FZ_FDS(FZ_FD_MEMFD_SEALED, 1), 1, &ra, sizeof(ra));   /* short */
	msg(o, FZ_MSG_FIX, FZ_FDS(FZ_FD_MEMFD_SEALED, 1), 0x82, &ra, sizeof(ra)); /* a byte short */
	msg(o, FZ_MSG_FIX, FZ_FDS(FZ_FD_MEMFD, 1), 2, &ra, sizeof(ra));          /* unsealed */
	msg(o, FZ_MSG_FIX, FZ_FDS(FZ_FD_FILE, 1), 2, &ra, sizeof(ra));           /* a file */
	msg(o, FZ_MSG_FIX, FZ_FDS(FZ_FD_EVENTFD, 1), 0, &ra, sizeof(ra));
	msg(o, FZ_MSG_FIX, FZ_FDS(FZ_FD_DEVNULL, 1), 0, &ra, sizeof(ra));
	chan_msg(o, NETDMA_MSG_CHAN_FREE, 7);                 /* not ours */
	region_del(o, 99);
}

/*
 * The provider list a page at a time (protocol 6): from the start, from
 * each id, past the last one, at UINT32_MAX, a bare header of version 5's
 * layout, and a reserved field set.
 */
static void
session_provider_pages(struct out *o)
{
	struct netdma_msg_hdr old = hdr(NETDMA_MSG_PROVIDERS, sizeof(old));
	uint32_t first;

	hello(o);
	for (first = 0; first < 4; first++)
		providers_from(o, first, 0);
	providers_from(o, 64, 0);
	providers_from(o, UINT32_MAX, 0);
	msg(o, FZ_MSG_FIX, 0, 0, &old, sizeof(old));
	providers_from(o, 0, 1);
}

static int
client_seeds(const char *dir)
{
	static struct out o;
	int bad = 0;

#define SEED(name, call) do { o.n = 0; call; bad |= save(dir, "fuzz_client", name, &o); } while (0)
	SEED("hello", hello(&o));
	SEED("full-cpu-v2", session_full(&o, 0, 1));
	SEED("full-skeleton-v2", session_full(&o, 1, 1));
	SEED("full-cpu-v1", session_full(&o, 0, 0));
	SEED("leave-in-flight", session_leave(&o));
	SEED("ring-overrun", session_overrun(&o));
	SEED("regress-closed-interrupt-pipe", session_closed_pipe(&o));
	SEED("bad-messages", session_bad(&o));
	SEED("shrink-unsealed-ring", session_shrink(&o));
	SEED("provider-pages", session_provider_pages(&o));
#undef SEED
	return bad;
}

/* ---- fuzz_chain chains ---------------------------------------------------- */

static void
chain_desc(struct out *o, uint16_t slot, uint8_t reloc, const struct netdma_descriptor *d)
{
	put_le(o, slot, 2);
	put_le(o, reloc, 1);
	put(o, d, sizeof(*d));
}

/* @p n linked descriptors in region A copying from @p src (in B) to C; @p flags on each */
static void
chain_linear(struct out *o, uint8_t mode, unsigned int n, uint32_t flags, uint32_t size, uint32_t src)
{
	unsigned int i;

	put_le(o, mode | FZC_HEAD_RELATIVE, 1);
	put_le(o, n, 2);
	put_le(o, FZC_REGION_A, 8);
	put_le(o, FZC_ARENA - 1, 4);
	for (i = 0; i < n; i++) {
		struct netdma_descriptor d = {
			.transfer_size = size, .control_flags = flags,
			.source_address = src + 64 * i,
			.destination_address = FZC_REGION_C + 64 * i,
			.next_descriptor = (mode & FZC_V2) || i + 1 < n ? FZC_REGION_A + 64 * (i + 1) : 0,
			.next_source_address = FZC_REGION_B + 0x1000,
			.next_destination_address = FZC_REGION_A + 0x1000,
		};
		uint8_t reloc = FZC_R_SRC | FZC_R_DST | FZC_R_NEXT_SRC | FZC_R_NEXT_DST |
			(d.next_descriptor != 0 ? FZC_R_NEXT : 0);

		chain_desc(o, (uint16_t)(FZC_REGION_A / 64 + i), reloc, &d);
	}
}

static int
chain_seeds(const char *dir)
{
	static struct out o;
	int bad = 0;

#define SEED(name, call) do { o.n = 0; call; bad |= save(dir, "fuzz_chain", name, &o); } while (0)
	SEED("v1-linked", chain_linear(&o, FZC_WINDOWS | FZC_CACHE, 4, 0, 64, FZC_REGION_B));
	SEED("v2-counted", chain_linear(&o, FZC_V2 | FZC_WINDOWS | FZC_CACHE | FZC_EACH, 4, 0, 64,
					FZC_REGION_B));
	SEED("v2-page-break", chain_linear(&o, FZC_V2 | FZC_WINDOWS | FZC_CACHE, 2,
		NETDMA_F_SOURCE_PAGE_BREAK | NETDMA_F_DESTINATION_PAGE_BREAK, 4000, FZC_REGION_B + 0x800));
	SEED("v2-null", chain_linear(&o, FZC_V2 | FZC_MAX_ADDRESS, 3, NETDMA_F_NULL_TRANSFER, 0,
				     FZC_REGION_B));
	SEED("v1-no-window", chain_linear(&o, FZC_EACH, 8, NETDMA_F_SERIALIZE_TRANSFER, 128, FZC_REGION_B));
#undef SEED
	return bad;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (writes DIR/fuzz_client and DIR/fuzz_chain)\n", argv[0]);
		return 2;
	}
	return client_seeds(argv[1]) | chain_seeds(argv[1]) ? 1 : 0;
}
