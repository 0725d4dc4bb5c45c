/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The netdmad wire protocol, shared by the daemon and the client library.
 * libc only.  Nothing here holds a pointer: shared memory carries offsets
 * and IOVAs, every message and shared struct carries its size and version
 * (DESIGN.md "Daemon transport").
 *
 * Control path: a Unix SOCK_SEQPACKET socket, one request → one reply.
 * Memory regions are memfds passed with SCM_RIGHTS; the daemon maps them and
 * makes them DMA-visible; the reply gives the region's IOVA base, so that
 * iova = iova_base + (p - client_base).
 *
 * Fast path: per channel, a single-producer/single-consumer command ring in a
 * control region of the client (not DMA-visible: no descriptor may point
 * into it).  The client writes commands and bumps head; the daemon's
 * polling lcore consumes them and acknowledges each with its sequence
 * number and result.  Start/Append of a 2.0 chain carry a chain the client
 * has checked; the daemon checks only its head then, and every descriptor
 * as its engine fetches it (a bad one halts the channel).  A poller idle for a while parks; the ring says so and
 * the client rings the channel's doorbell, an eventfd.  The completion word lives in the client's memory; the
 * daemon refuses descriptors that point at it or at a control region.
 */
#ifndef NETDMA_PROTO_H
#define NETDMA_PROTO_H

#include <assert.h>
#include <stdint.h>

#include "netdma.h"
#include "netdma_types.h"

#define NETDMA_PROTO_MAGIC     0x414d444eu   /* "NDMA" */
/*
 * 2: poller parking and the doorbell; 3: 2.0 chains checked by the client;
 * 4: failed replies carry a reason, doorbells are per channel, regions are
 * sealed memfds; 6: the provider list comes a page at a time (no cap)
 */
#define NETDMA_PROTO_VERSION   6
#define NETDMA_MSG_MAX         4096          /* largest message either way */
#define NETDMA_DEFAULT_SOCKET  "/run/netdma/netdmad.sock"

enum netdma_msg_type {
	NETDMA_MSG_HELLO = 1,
	NETDMA_MSG_REGION_ADD,    /* + 1 fd */
	NETDMA_MSG_REGION_DEL,
	NETDMA_MSG_PROVIDERS,     /* msg_providers: one page of the list */
	NETDMA_MSG_CHAN_ALLOC,    /* reply + 1 eventfd */
	NETDMA_MSG_CHAN_FREE,
	NETDMA_MSG_CHAN_STATS,
	NETDMA_MSG_BYE,           /* daemon → client, unsolicited: shutting down */
	NETDMA_MSG_CHAN_DOORBELL, /* msg_chan; reply + 1 eventfd: the channel's own doorbell */
	NETDMA_MSG_TYPE_MAX,
};

struct netdma_msg_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;            /* enum netdma_msg_type */
	uint32_t size;            /* whole message, header included */
	uint32_t seq;             /* echoed in the reply */
};

/* Every reply starts like this; result is 0 or -errno. */
struct netdma_reply_hdr {
	struct netdma_msg_hdr h;
	int32_t result;
	uint32_t reserved;
};

#define NETDMA_REASON_MAX 128

/*
 * Every reply whose result is negative has this form, whatever its type:
 * the reason says what was refused and what to do about it (NUL-terminated).
 * A BYE of this form, sent instead of serving a new connection, says why
 * the daemon would not take it (too many connections, out of fds).
 */
struct netdma_reply_error {
	struct netdma_reply_hdr r;
	char reason[NETDMA_REASON_MAX];
};

/* Room for any reply, whatever its type and whether it failed or not. */
union netdma_reply_any {
	struct netdma_reply_hdr r;
	struct netdma_reply_error e;
	char raw[NETDMA_MSG_MAX];
};

/*
 * The same in every protocol version, whatever the header's version says:
 * the daemon answers with the version it chose from [min, max], or
 * -EPROTONOSUPPORT and the versions it speaks.
 */
struct netdma_msg_hello {
	struct netdma_msg_hdr h;
	uint32_t min_version;
	uint32_t max_version;
	uint32_t pid;
	uint32_t reserved;
	char name[32];
};

struct netdma_reply_hello {
	struct netdma_reply_hdr r;
	uint32_t version;          /* chosen */
	uint32_t max_channels;     /* this client's quota */
	uint64_t max_region_bytes; /* this client's quota */
};

/*
 * Region kinds: data may be the target of descriptors; control may not.
 * The fd must be a memfd sealed against shrinking (MFD_ALLOW_SEALING, then
 * F_ADD_SEALS with F_SEAL_SHRINK): the daemon maps it, and a file that
 * shrank under that mapping would fault the daemon.
 */
#define NETDMA_REGION_DATA     0u
#define NETDMA_REGION_CONTROL  1u

struct netdma_msg_region_add {
	struct netdma_msg_hdr h;
	uint64_t size;
	uint32_t kind;             /* NETDMA_REGION_* */
	uint32_t reserved;
};

struct netdma_reply_region_add {
	struct netdma_reply_hdr r;
	uint32_t region_id;
	uint32_t reserved;
	uint64_t iova_base;
};

struct netdma_msg_region_del {
	struct netdma_msg_hdr h;
	uint32_t region_id;
	uint32_t reserved;
};

/*
 * The provider list, a page at a time, so that it has no cap: the client
 * asks from id 0, then from the last id it got + 1 while the reply says
 * more follow.
 */
#define NETDMA_PROTO_PROVIDERS_PAGE 16

struct netdma_msg_providers {
	struct netdma_msg_hdr h;
	uint32_t first;            /* the smallest provider id wanted */
	uint32_t reserved;
};

struct netdma_proto_provider {
	uint32_t id;
	uint8_t major_version;
	uint8_t minor_version;
	uint8_t started;
	uint8_t powered_down;
	uint32_t channel_count;
	uint32_t channels_in_use;
	uint32_t maximum_transfer_size;
	uint32_t flags;
	char name[64];
};

struct netdma_reply_providers {
	struct netdma_reply_hdr r;
	uint32_t count;            /* entries in p[]: ids ascending, none below first */
	uint32_t more;             /* providers after p[count - 1], not in this reply */
	struct netdma_proto_provider p[NETDMA_PROTO_PROVIDERS_PAGE];
};
static_assert(sizeof(struct netdma_reply_providers) <= NETDMA_MSG_MAX, "a page fits a message");

/**
 * Fill @p r's count, more and entries (not its header) with one page:
 * @p infos are the @p n providers of ids from the request's first on, in id
 * order (netdma_provider_list_from()), of which the first
 * NETDMA_PROTO_PROVIDERS_PAGE are sent and the rest counted in more.
 */
void netdma_proto_providers_encode(struct netdma_reply_providers *r,
				   const struct netdma_provider_info *infos, unsigned int n);

/**
 * Read the page @p r answering a request from id @p first into @p page
 * (NETDMA_PROTO_PROVIDERS_PAGE entries).  Fields the wire does not carry are 0.
 * @param[out] more
 *   Providers after this page (the daemon's word).
 * @return
 *   - >= 0: the entries read.
 *   - -EBADMSG: the reply breaks the rules (a count over the page, an id
 *     below @p first or not above the one before): nothing to trust.
 */
int netdma_proto_providers_decode(const struct netdma_reply_providers *r, uint32_t first,
				  struct netdma_provider_info *page, uint32_t *more);

struct netdma_msg_chan_alloc {
	struct netdma_msg_hdr h;
	uint32_t provider_id;
	uint32_t priority;
	uint64_t lcore_mask;
	uint16_t lcore_group;
	uint16_t reserved0;
	uint32_t ring_region;      /* a control region */
	uint32_t cw_region;        /* any region of this client */
	uint64_t ring_offset;      /* struct netdma_cmd_ring, 64-byte aligned */
	uint64_t cw_offset;        /* completion word, 8-byte aligned; never a DMA target */
	uint32_t ring_entries;     /* power of 2 */
	uint32_t flags;            /* NETDMA_CHAN_F_* */
};
#define NETDMA_CHAN_F_EVENTFD  1u  /* signal interrupts on an eventfd */

/*
 * For a 2.0 channel the daemon checks only the head at Start/Append and
 * every descriptor as its engine fetches it; the client checks the chain
 * before posting (client_check.c) with the provider's limits given here.
 */
struct netdma_reply_chan_alloc {
	struct netdma_reply_hdr r;
	uint32_t chan_id;
	uint32_t lcore;            /* CpuNumber */
	uint32_t version;          /* provider NetDMA version major<<8 | minor */
	uint32_t max_transfer_size;
	uint64_t max_address;      /* highest IOVA an engine reaches; 0 = no limit */
};

struct netdma_msg_chan {
	struct netdma_msg_hdr h;
	uint32_t chan_id;
	uint32_t reserved;
};

struct netdma_reply_chan_stats {
	struct netdma_reply_hdr r;
	uint64_t starts, appends, descriptors_retired, bytes_copied, interrupts, errors;
	uint32_t outstanding;
	int32_t state;
	char last_error[160];
};

/** Fill @p r's counters and reason (not its header) from a channel's. */
void netdma_proto_stats_encode(struct netdma_reply_chan_stats *r,
			       const struct netdma_chan_stats *st, const char *last_error);

/** Read @p r's counters into @p st; fields the wire does not carry are 0. */
void netdma_proto_stats_decode(const struct netdma_reply_chan_stats *r,
			       struct netdma_chan_stats *st);

/* ---- the command ring (shared memory, written by both sides) ---------- */

enum netdma_cmd_op {
	NETDMA_CMD_START = 1,
	NETDMA_CMD_APPEND,
	NETDMA_CMD_SUSPEND,
	NETDMA_CMD_RESUME,
	NETDMA_CMD_ABORT,
	NETDMA_CMD_RESET,
	/*
	 * Tests only: poll this channel's engine once, then acknowledge.  The
	 * test build netdmad-step polls an engine at nothing else; netdmad
	 * answers -ENOTSUP.
	 */
	NETDMA_CMD_STEP,
};

struct netdma_cmd {
	uint32_t op;               /* enum netdma_cmd_op */
	uint32_t count;
	uint64_t desc_iova;
	uint64_t seq;
	uint64_t reserved;
};

#define NETDMA_RING_MAGIC 0x474e4952u   /* "RING" */

struct netdma_cmd_ring {
	uint32_t magic;
	uint32_t version;
	uint32_t entries;          /* power of 2 */
	uint32_t entry_size;       /* sizeof(struct netdma_cmd) */
	/* client → daemon */
	uint64_t head __attribute__((aligned(64)));
	/* daemon → client */
	uint64_t tail __attribute__((aligned(64)));
	uint64_t done_seq;         /* last command acknowledged */
	int64_t done_result;       /* its result: 0 or -errno */
	uint64_t done_value;       /* Suspend: last processed IOVA */
	uint32_t daemon_alive;     /* cleared when the channel is revoked */
	/*
	 * Set while the channel's poller is parked (blocked, not polling): after
	 * bumping head, a client fences and, if this is set, writes 1 to the
	 * doorbell eventfd (NETDMA_MSG_CHAN_DOORBELL).
	 */
	uint32_t poller_parked;
	uint64_t irq_pa;           /* last interrupt watermark (spec §2.6) */
	uint64_t irq_errors;       /* error DPCs so far */
	/*
	 * The channel's spec §8 state (enum netdma_chan_state), written by the
	 * daemon at every change before it acknowledges the command that made
	 * it; the daemon never reads it back.
	 */
	int32_t chan_state;
	struct netdma_cmd cmds[] __attribute__((aligned(64)));
};

static inline uint64_t
netdma_cmd_ring_size(uint32_t entries)
{
	return sizeof(struct netdma_cmd_ring) + (uint64_t)entries * sizeof(struct netdma_cmd);
}

#endif /* NETDMA_PROTO_H */
