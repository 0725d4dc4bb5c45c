/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * NetDMA data structures and constants, with the layouts and numeric values
 * of netdma-spec §4 and §5.
 *
 * This header depends on libc only: it is shared by the in-process library
 * (lib/netdma), the daemon client shim and the unit tests.  A physical
 * address (Windows PHYSICAL_ADDRESS) is an IOVA here (DESIGN.md: "Physical
 * address = IOVA") and is carried as a plain uint64_t.
 */
#ifndef NETDMA_TYPES_H
#define NETDMA_TYPES_H

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A bus address as seen by the engine (spec: PHYSICAL_ADDRESS). */
typedef uint64_t netdma_iova_t;

/* ---- spec §5.1: descriptor ControlFlags ------------------------------- */
#define NETDMA_F_INTERRUPT_ON_COMPLETION   0x00000001u
#define NETDMA_F_SOURCE_NO_SNOOP           0x00000002u
#define NETDMA_F_DESTINATION_NO_SNOOP      0x00000004u
#define NETDMA_F_STATUS_UPDATE_ON_COMPLETION 0x00000008u
#define NETDMA_F_SERIALIZE_TRANSFER        0x00000010u
#define NETDMA_F_NULL_TRANSFER             0x00000020u
#define NETDMA_F_SOURCE_PAGE_BREAK         0x00000040u /**< 2.0 only */
#define NETDMA_F_DESTINATION_PAGE_BREAK    0x00000080u /**< 2.0 only */
#define NETDMA_F_DESTINATION_DCA_ENABLE    0x00000200u /**< 2.0 only */

/** Operation type, bits 31..24 (spec §5.1; value of the mask is [inference]). */
#define NETDMA_OP_TYPE_MASK                0xFF000000u
#define NETDMA_OP_TYPE_STANDARD_DMA        0x00000000u
#define NETDMA_OP_TYPE_CONTEXT_CHANGE      0xFF000000u /**< 2.0 only */
/** Bit 0 inside a context-change descriptor (overlaps INTERRUPT_ON_COMPLETION). */
#define NETDMA_DCA_CONTEXT_CHANGE          0x00000001u

/** Flags a 1.x provider understands (spec §1: V2 flags are 2.0-only). */
#define NETDMA_F_V1_MASK                   0x0000003Fu
/** Flags a 2.0 provider understands on a standard descriptor. */
#define NETDMA_F_V2_MASK                   (NETDMA_F_V1_MASK | \
	NETDMA_F_SOURCE_PAGE_BREAK | NETDMA_F_DESTINATION_PAGE_BREAK | \
	NETDMA_F_DESTINATION_DCA_ENABLE)
/**
 * Bits reserved for future use: everything not assigned in spec §5.1 and not
 * the op type (bits 8 and 10..23, spec §5.1 [inference]).  They must be zero.
 */
#define NETDMA_F_RESERVED_MASK             (~(NETDMA_F_V2_MASK | NETDMA_OP_TYPE_MASK))

/** Page size used by the 2.0 page-break rule (spec §5.1: "first 4 KB page"). */
#define NETDMA_PAGE_BREAK_SIZE             4096u

/* ---- spec §5.2: completion status ------------------------------------ */
#define NETDMA_TRANSFER_STATUS_MASK        0x7ull
/** Address bits of the completion word: descriptors are 64-byte aligned (spec §12.1). */
#define NETDMA_COMPLETION_ADDR_MASK        (~0x3Full)

enum netdma_transfer_status {
	NETDMA_STATUS_ACTIVE = 0,  /**< reported descriptor done, more pending */
	NETDMA_STATUS_IDLE = 1,    /**< reported descriptor done, nothing pending */
	NETDMA_STATUS_SUSPEND = 2, /**< Suspend completed */
	NETDMA_STATUS_HALTED = 3,  /**< Abort, Reset or error */
	NETDMA_STATUS_ARMED = 4,   /**< nothing retired since (re)load; address invalid */
};

/* ---- spec §5.3: flags and revisions ----------------------------------- */
#define NETDMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED 0x00000001u
#define NETDMA_PROVIDER_ATTRIBUTES_DCA_SUPPORTED      0x00000001u
#define NETDMA_PROVIDER_SUPPORTS_PROC_GROUPS          0x00000002u
#define NETDMA_PROVIDER_REVISION_1                    1
#define NETDMA_PROVIDER_REVISION_2                    2
#define NETDMA_CHANNEL_REVISION_1                     1
#define NETDMA_CHANNEL_REVISION_2                     2
#define NETDMA_PNP_NOTIFICATION_REVISION_1            1

/** Interface version this library implements (spec §2.7: major<<16 | minor). */
#define NETDMA_INTERFACE_VERSION_MAJOR 2
#define NETDMA_INTERFACE_VERSION_MINOR 0
#define NETDMA_MAKE_VERSION(maj, min)  (((uint32_t)(maj) << 16) | (uint32_t)(min))

/* ---- spec §5.5: PnP notification codes -------------------------------- */
enum netdma_pnp_code {
	NETDMA_PNP_PROVIDER_REGISTERED = 1,
	NETDMA_PNP_PROVIDER_ARRIVAL = 2,
	NETDMA_PNP_PROVIDER_REMOVAL = 3,
	NETDMA_PNP_CHANNEL_ARRIVAL = 4,
	NETDMA_PNP_PROVIDER_POWER_DOWN = 5,
	NETDMA_PNP_PROVIDER_POWER_UP = 6,
	NETDMA_PNP_MAX = 7,
};

/* ---- spec §4.1: the 64-byte descriptor -------------------------------- */
/**
 * One NetDMA descriptor; byte-for-byte the I/OAT copy descriptor (spec §9.1).
 * Must sit 64-byte aligned in IOVA-addressable memory.
 */
struct netdma_descriptor {
	union {
		uint32_t transfer_size;       /**< bytes to copy (standard op) */
		uint32_t dca_context32;       /**< context change: DCA target */
		struct {
			uint32_t dca_context8 : 8; /**< APIC id of the target CPU */
			uint32_t dca_reserved : 24;
		};
	};
	uint32_t control_flags;               /**< NETDMA_F_* | op type */
	netdma_iova_t source_address;
	netdma_iova_t destination_address;
	netdma_iova_t next_descriptor;        /**< 0 ends a 1.x chain */
	union {
		uint64_t reserved1;           /**< 1.x: provider-owned */
		netdma_iova_t next_source_address; /**< 2.0 page break */
	};
	union {
		uint64_t reserved2;
		netdma_iova_t next_destination_address;
	};
	uint64_t user_context1;               /**< never touched by a provider */
	uint64_t user_context2;
} __attribute__((aligned(64)));

static_assert(sizeof(struct netdma_descriptor) == 64, "spec §4.1: 64 bytes");
static_assert(offsetof(struct netdma_descriptor, control_flags) == 0x04, "spec §4.1");
static_assert(offsetof(struct netdma_descriptor, source_address) == 0x08, "spec §4.1");
static_assert(offsetof(struct netdma_descriptor, destination_address) == 0x10, "spec §4.1");
static_assert(offsetof(struct netdma_descriptor, next_descriptor) == 0x18, "spec §4.1");
static_assert(offsetof(struct netdma_descriptor, next_source_address) == 0x20, "spec §4.1");
static_assert(offsetof(struct netdma_descriptor, next_destination_address) == 0x28, "spec §4.1");
static_assert(offsetof(struct netdma_descriptor, user_context1) == 0x30, "spec §4.1");
static_assert(offsetof(struct netdma_descriptor, user_context2) == 0x38, "spec §4.1");

/* ---- spec §4.2 ---------------------------------------------------------- */
struct netdma_channel_cpu_affinity {
	uint32_t dma_channel;   /**< 0 .. MaxDmaChannelCount-1 */
	uint32_t cpu_number;    /**< lcore that services the channel */
};
static_assert(sizeof(struct netdma_channel_cpu_affinity) == 8, "spec §4.2");

/* ---- spec §4.3: channel parameters (x64 layout) ------------------------- */
/** GROUP_AFFINITY: lcores 64*group .. 64*group+63. */
struct netdma_group_affinity {
	uint64_t mask;
	uint16_t group;
	uint16_t reserved[3];
};

struct netdma_channel_params {
	uint16_t revision;              /**< NETDMA_CHANNEL_REVISION_1/2 */
	uint16_t size;
	uint32_t flags;                 /**< none defined: 0 */
	volatile uint64_t *completion_virtual_address;
	netdma_iova_t completion_physical_address;
	uint32_t processor_affinity_mask; /**< bit n = lcore n (revision 1) */
	uint32_t channel_priority;
	uint32_t cpu_number;            /**< out: the owning lcore */
	struct netdma_group_affinity processor_affinity_mask_ex; /**< revision 2 */
};
static_assert(offsetof(struct netdma_channel_params, completion_virtual_address) == 0x08, "spec §4.3");
static_assert(offsetof(struct netdma_channel_params, completion_physical_address) == 0x10, "spec §4.3");
static_assert(offsetof(struct netdma_channel_params, processor_affinity_mask) == 0x18, "spec §4.3");
static_assert(offsetof(struct netdma_channel_params, channel_priority) == 0x1C, "spec §4.3");
static_assert(offsetof(struct netdma_channel_params, cpu_number) == 0x20, "spec §4.3");
static_assert(offsetof(struct netdma_channel_params, processor_affinity_mask_ex) == 0x28, "spec §4.3");
static_assert(sizeof(struct netdma_channel_params) == 0x38, "spec §4.3");
/** Bytes through cpu_number (spec §5.3 SIZEOF_..._REVISION_1). */
#define NETDMA_CHANNEL_PARAMS_SIZE_REV1 36u
/** Bytes through processor_affinity_mask_ex (x64). */
#define NETDMA_CHANNEL_PARAMS_SIZE_REV2 56u

/* ---- spec §4.5: provider attributes ------------------------------------ */
struct netdma_provider_attributes {
	uint8_t major_hw_version;
	uint8_t minor_hw_version;
	uint16_t size;
	uint32_t flags;
	uint32_t vendor_id;
	uint32_t dma_channel_count;     /**< actual channels */
	uint32_t maximum_transfer_size; /**< bytes per descriptor, >= 4096 */
	netdma_iova_t maximum_address_space;
};
static_assert(sizeof(struct netdma_provider_attributes) == 32, "spec §4.5");
static_assert(offsetof(struct netdma_provider_attributes, maximum_transfer_size) == 0x10, "spec §4.5");
static_assert(offsetof(struct netdma_provider_attributes, maximum_address_space) == 0x18, "spec §4.5");

/** Spec §2.3: the maximum transfer size is at least 4 KB. */
#define NETDMA_MIN_MAX_TRANSFER_SIZE 4096u

/* ---- spec §4.6: PnP notification --------------------------------------- */
struct netdma_pnp_notification {
	uint32_t structure_revision;
	uint32_t structure_size;
	uint32_t notification_code;     /**< enum netdma_pnp_code */
	void *buffer;
	uint32_t buffer_length;
};
static_assert(offsetof(struct netdma_pnp_notification, buffer) == 0x10, "spec §4.6");
static_assert(sizeof(struct netdma_pnp_notification) == 32, "spec §4.6");

/* ---- completion word (spec §5.2, §6.1) --------------------------------- */
/**
 * Build a completion word (spec §6.1).
 *
 * @param desc
 *   IOVA of the last retired descriptor (64-byte aligned; low bits dropped).
 * @param st
 *   The transfer status.
 * @return
 *   desc | st, as an engine publishes it.
 */
static inline uint64_t
netdma_completion_encode(netdma_iova_t desc, enum netdma_transfer_status st)
{
	return (desc & NETDMA_COMPLETION_ADDR_MASK) | ((uint64_t)st & NETDMA_TRANSFER_STATUS_MASK);
}

/**
 * @param word
 *   A completion word, as read by netdma_completion_read().
 * @return
 *   Its transfer status (spec §5.2); values 5 to 7 are reserved.
 */
static inline enum netdma_transfer_status
netdma_completion_status(uint64_t word)
{
	return (enum netdma_transfer_status)(word & NETDMA_TRANSFER_STATUS_MASK);
}

/**
 * @param word
 *   A completion word.
 * @return
 *   IOVA of the last retired descriptor; meaningless when the status is
 *   ARMED (spec §5.2).
 */
static inline netdma_iova_t
netdma_completion_address(uint64_t word)
{
	return word & NETDMA_COMPLETION_ADDR_MASK;
}

/**
 * Read a completion word: one 64-bit acquire load (spec §11), so the data
 * of every descriptor it reports as retired is visible after it.  Any
 * thread, any time.
 *
 * @param word
 *   netdma_chan_conf.completion_word.
 * @return
 *   Its value.
 */
static inline uint64_t
netdma_completion_read(const volatile uint64_t *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

/**
 * Name of a transfer status, for logs and traces.
 *
 * @param st
 *   A status (spec §5.2).
 * @return
 *   Its name, or "reserved" for 5 to 7 and out-of-range values; never NULL.
 */
const char *netdma_status_name(enum netdma_transfer_status st);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_TYPES_H */
