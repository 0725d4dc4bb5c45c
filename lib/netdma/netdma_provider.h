/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * netdma provider API: what a DMA engine driver implements and calls
 * (spec §2 and §3).  Part of the provider SDK (with netdma_engine.h,
 * netdma_chain.h and netdma_soft_provider.h): installed, but an application
 * needs none of it.  Providers of this project live in drivers/; a ported
 * Windows provider may use the WDK names of netdma_wdk.h instead.
 *
 * Lifecycle (spec §7): netdma_register_provider() (calls the affinity
 * callback inside) → netdma_provider_start() → channels are allocated and
 * used → netdma_provider_stop() (drains and frees every channel) →
 * netdma_deregister_provider().
 *
 * Polling replaces interrupts: the library calls poll_dma_channel on the
 * channel's owning lcore; the provider reports progress with netdma_isr() and
 * netdma_interrupt_dpc() exactly as a Windows ISR/DPC pair would.
 *
 * Callback return values: 0 on success, negative on failure (-errno, or an
 * NTSTATUS error code, which is negative as an int32).  Callbacks must not
 * block: they run with the channel lock held.
 */
#ifndef NETDMA_PROVIDER_H
#define NETDMA_PROVIDER_H

#include <stdbool.h>
#include <stdint.h>

#include "netdma.h"
#include "netdma_chain.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netdma_provider;

/** Spec §3.1; optional. @p size_bytes is the array length in bytes (§12.9). */
typedef int (*netdma_set_affinity_t)(void *provider_ctx,
				     struct netdma_channel_cpu_affinity *array,
				     uint32_t size_bytes);
/**
 * Spec §3.2; required.  Choose a channel, write the owning lcore into
 * params->cpu_number (it must be in the allowed mask) and return a context.
 * @p netdma_chan_handle is the handle for netdma_isr()/netdma_interrupt_dpc().
 */
typedef int (*netdma_chan_allocate_t)(void *provider_ctx,
				      struct netdma_channel_params *params,
				      void *netdma_chan_handle,
				      void **provider_chan_ctx);
/** Spec §3.3; required.  Nothing is outstanding when it is called. */
typedef void (*netdma_chan_free_t)(void *provider_chan_ctx);
/** Spec §3.4 (Start) and §3.5 (Append); required.  The chain is pre-checked. */
typedef int (*netdma_dma_submit_t)(void *provider_chan_ctx,
				   struct netdma_descriptor *va,
				   netdma_iova_t pa, uint32_t count);
/** Spec §3.6; optional (requires Resume). */
typedef int (*netdma_dma_suspend_t)(void *provider_chan_ctx, netdma_iova_t *last);
/** Resume, Abort, Reset (spec §3.6–3.8); optional. */
typedef int (*netdma_dma_ctl_t)(void *provider_chan_ctx);

/**
 * netdma extension, required: one engine tick on the owning lcore: feed
 * descriptors, retire completions, publish the completion word, raise
 * netdma_isr()/netdma_interrupt_dpc().  @return > 0 if it did work.
 */
typedef int (*netdma_chan_poll_t)(void *provider_chan_ctx);

/** What the engine holds for a channel (netdma extension). */
struct netdma_chan_progress {
	uint32_t inflight;         /**< descriptors handed to the hardware */
	uint32_t zombie_ops;       /**< aborted ops the hardware still owns */
	bool more;                 /**< chain left to fetch */
	uint64_t descriptors_retired;
	uint64_t bytes_copied;
};
/** netdma extension, required: report progress (channel lock held). */
typedef int (*netdma_chan_query_t)(void *provider_chan_ctx,
				   struct netdma_chan_progress *p);

/** Spec UNICODE_STRING, carrying UTF-8 here. */
struct netdma_friendly_name {
	uint16_t length;          /**< bytes, without terminator */
	uint16_t maximum_length;
	const char *buffer;
};

/** Spec §4.4 (x64 offsets kept), followed by the netdma extensions. */
struct netdma_provider_characteristics {
	uint8_t major_version;
	uint8_t minor_version;
	uint16_t size;                          /**< sizeof(this struct) */
	uint32_t flags;
	void *physical_device_object;           /**< e.g. the rte_device, or NULL */
	uint32_t max_dma_channel_count;
	netdma_set_affinity_t set_dma_channel_cpu_affinity;
	netdma_chan_allocate_t allocate_dma_channel;
	netdma_chan_free_t free_dma_channel;
	netdma_dma_submit_t start_dma;
	netdma_dma_suspend_t suspend_dma;
	netdma_dma_ctl_t resume_dma;
	netdma_dma_ctl_t abort_dma;
	netdma_dma_submit_t append_dma;
	netdma_dma_ctl_t reset_channel;
	struct netdma_friendly_name friendly_name; /**< required for 2.0 */
	/* netdma extensions (no Windows counterpart) */
	netdma_chan_poll_t poll_dma_channel;
	netdma_chan_query_t query_dma_channel;
};

static_assert(offsetof(struct netdma_provider_characteristics, max_dma_channel_count) == 0x10, "spec §4.4");
static_assert(offsetof(struct netdma_provider_characteristics, set_dma_channel_cpu_affinity) == 0x18, "spec §4.4");
static_assert(offsetof(struct netdma_provider_characteristics, start_dma) == 0x30, "spec §4.4");
static_assert(offsetof(struct netdma_provider_characteristics, append_dma) == 0x50, "spec §4.4");
static_assert(offsetof(struct netdma_provider_characteristics, reset_channel) == 0x58, "spec §4.4");
static_assert(offsetof(struct netdma_provider_characteristics, friendly_name) == 0x60, "spec §4.4");
/** Size of the spec's structure (spec §4.4: 0x70 on x64). */
#define NETDMA_PROVIDER_CHARACTERISTICS_SPEC_SIZE 0x70u

/**
 * Register a provider (spec §2.1).  Versions 1.0, 1.1 and 2.0 are accepted.
 * The affinity callback, if any, is called before this returns.
 * @return 0, -EINVAL (bad version/size/flags/callbacks), -ENOSPC, -ENOMEM.
 */
int netdma_register_provider(void *provider_ctx, struct netdma_provider **handle,
			     const struct netdma_provider_characteristics *c);

/** Spec §2.2.  @return 0, -EBUSY if the provider is still started, -EINVAL. */
int netdma_deregister_provider(struct netdma_provider *prov);

/** Spec §2.3.  May be called again after a Stop, with new attributes. */
int netdma_provider_start(struct netdma_provider *prov,
			  const struct netdma_provider_attributes *attr);

/**
 * Spec §2.4: wait for outstanding work (aborting channels that have not
 * drained within the drain timeout), then free every channel.  Consumers'
 * handles become REVOKED: every call but netdma_chan_free() returns -ENODEV.
 */
int netdma_provider_stop(struct netdma_provider *prov);

/**
 * Spec §2.5: the provider saw progress on a channel.  @p cpu_number receives
 * the lcore the DPC must run on (the channel's owner).
 */
void netdma_isr(void *netdma_chan_handle, netdma_iova_t last_completed,
		uint32_t *cpu_number);

/**
 * Spec §2.6: retire up to @p last_completed and notify the consumer; 0 means
 * the channel halted on an error (the channel becomes HALTED).  Delivered to
 * the consumer on the owning lcore after the channel lock is released.
 */
void netdma_interrupt_dpc(void *netdma_chan_handle, netdma_iova_t last_completed);

/**
 * Spec §2.8 and §7.5: PowerDown waits for all channels of the provider to
 * drain and refuses new work with -EAGAIN; PowerUp re-Starts every started
 * channel with a NULL descriptor, and the consumer's next Append is issued as
 * a Start.  1.1+ providers only (-EPERM otherwise).
 */
int netdma_pnp_event_notify(struct netdma_provider *prov,
			    const struct netdma_pnp_notification *ev);

/** Spec §2.7: interface version, major<<16 | minor. */
uint32_t netdma_get_version(void);

/* ---- services for provider implementations ---------------------------- */

/** The consumer's channel parameters of a channel handle. */
const struct netdma_channel_params *netdma_chan_params(void *netdma_chan_handle);

/**
 * Is [iova, iova+len) memory this channel's client may use?  The default
 * accepts DPDK memory (heap and registered external memory) only.  Whatever
 * the validator, a range touching the library's own descriptors (the
 * channel's power-up re-seed slots, spec §7.5) is refused.
 */
bool netdma_chan_addr_ok(void *netdma_chan_handle, netdma_iova_t iova, uint64_t len);

/**
 * netdma_chan_addr_ok() that also gives the window its yes covers: a DPDK
 * memseg list for the default validator in IOVA-as-VA mode, the range
 * itself otherwise (netdma_range_win_t; the engines cache it per pass).
 * The window is narrowed so that it never holds the library's re-seed slots.
 */
bool netdma_chan_addr_win(void *netdma_chan_handle, netdma_iova_t iova, uint64_t len,
			  netdma_iova_t *lo, netdma_iova_t *hi);

/**
 * Is @p pa exactly one of the library's own descriptors of this channel
 * (the power-up re-seed, spec §7.5)?  No consumer check passes them; an
 * engine may fetch them as descriptors only in a chain the library started
 * itself (a Start whose head is one of them).
 */
bool netdma_chan_desc_internal(void *netdma_chan_handle, netdma_iova_t pa);

/** Record why a channel failed (shown by netdma_chan_last_error()). */
void netdma_chan_set_error(void *netdma_chan_handle, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Translate an IOVA to a pointer usable by this process, or NULL. */
void *netdma_iova2virt(netdma_iova_t iova);

/** netdma_check_rules fetch callback: read a descriptor by IOVA in this process. */
const struct netdma_descriptor *netdma_desc_fetch_va(void *ctx, netdma_iova_t pa);

/**
 * Choose an owner lcore for a channel: @p preferred if it is allowed by the
 * parameters' affinity masks and enabled, else the first allowed enabled
 * lcore.  @return the lcore, or -EINVAL if the masks allow none.
 */
int netdma_pick_lcore(const struct netdma_channel_params *params, int preferred);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_PROVIDER_H */
