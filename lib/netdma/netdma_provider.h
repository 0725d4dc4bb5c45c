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
 * NTSTATUS error code, which is negative as an int32; the consumer then
 * gets -EIO).  A channel callback runs with the channel's lock held (except
 * allocate_dma_channel, which runs before the channel exists): it must not
 * block, must not call the consumer API (netdma.h) on that channel, and
 * must not call the registry functions of this header (register, start,
 * stop, PnP): the library takes its registry lock before a channel lock,
 * never after.
 *
 * Threads: the registry functions may be called from any thread once EAL
 * is initialised, one at a time per provider.  netdma_isr() and
 * netdma_interrupt_dpc() are called from inside the provider's own
 * callbacks.
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

/** A registered provider (opaque): the handle of the registry functions. */
struct netdma_provider;

/**
 * SetDmaChannelCpuAffinity (spec §3.1); optional.  Called once, inside
 * netdma_register_provider(), with one entry per channel: the lcore whose
 * DPCs that channel should target (worker lcores first, round-robin).
 *
 * @param provider_ctx
 *   The provider's context, from netdma_register_provider().
 * @param array
 *   max_dma_channel_count entries.
 * @param size_bytes
 *   The array's length in bytes (spec §12.9).
 * @return
 *   0, or negative: registration fails with it.
 */
typedef int (*netdma_set_affinity_t)(void *provider_ctx,
				     struct netdma_channel_cpu_affinity *array,
				     uint32_t size_bytes);
/**
 * AllocateDmaChannel (spec §3.2); required.  Choose a free channel, write
 * its owning lcore into params->cpu_number (allowed by the masks:
 * netdma_pick_lcore()) and return its context.  Runs without the channel
 * lock (the channel is not published yet), from netdma_chan_alloc()'s
 * thread.
 *
 * @param provider_ctx
 *   The provider's context.
 * @param params
 *   The consumer's parameters (spec §4.3); cpu_number is the output.
 * @param netdma_chan_handle
 *   The library's handle of the channel, for netdma_isr(),
 *   netdma_interrupt_dpc() and the channel services below.
 * @param[out] provider_chan_ctx
 *   The provider's context of the channel, passed to its channel callbacks.
 * @return
 *   0, or negative (-ENOSPC: no free channel); netdma_chan_alloc() returns
 *   it.
 */
typedef int (*netdma_chan_allocate_t)(void *provider_ctx,
				      struct netdma_channel_params *params,
				      void *netdma_chan_handle,
				      void **provider_chan_ctx);
/**
 * FreeDmaChannel (spec §3.3); required.  Nothing is outstanding when it is
 * called (spec §8 rule 10), and nothing of the channel is called after it.
 *
 * @param provider_chan_ctx
 *   The channel's context.
 */
typedef void (*netdma_chan_free_t)(void *provider_chan_ctx);
/**
 * StartDma (spec §3.4) and AppendDma (spec §3.5); required.  The library
 * has checked the chain (spec §4.1, §5.1) and the channel's state; a
 * provider still checks each descriptor it fetches (a consumer may edit
 * the chain while suspended).
 *
 * @param provider_chan_ctx
 *   The channel's context.
 * @param va
 *   The head descriptor, in this process.
 * @param pa
 *   Its IOVA.
 * @param count
 *   2.0: descriptors in the chain; 1.x: to be ignored.
 * @return
 *   0, or negative: the consumer's call fails with it.
 */
typedef int (*netdma_dma_submit_t)(void *provider_chan_ctx,
				   struct netdma_descriptor *va,
				   netdma_iova_t pa, uint32_t count);
/**
 * SuspendDma (spec §3.6); optional, and requires resume_dma (spec §8 rule
 * 12).  Stop fetching.  Never wait here (the caller may be a poller that
 * other channels share): once the descriptors being processed have
 * completed, SUSPEND is published in the completion word and the last one
 * reported, now or from a later poll.
 *
 * @param provider_chan_ctx
 *   The channel's context.
 * @param[out] last
 *   IOVA of the last processed descriptor, 0 if none (on 0 only).
 * @return
 *   - 0: suspended now.
 *   - -EINPROGRESS: descriptors are still being processed; the channel's
 *     poll reports the end with netdma_suspend_complete().
 *   - other negative: the consumer's call fails with it.
 */
typedef int (*netdma_dma_suspend_t)(void *provider_chan_ctx, netdma_iova_t *last);
/**
 * ResumeDma, AbortDma, ResetChannel (spec §3.6–3.8); optional (the
 * consumer's call then fails with -ENOTSUP).
 *
 * @param provider_chan_ctx
 *   The channel's context.
 * @return
 *   0, or negative: the consumer's call fails with it.
 */
typedef int (*netdma_dma_ctl_t)(void *provider_chan_ctx);

/**
 * netdma extension, required: one engine tick: feed descriptors, retire
 * completions, publish the completion word, raise netdma_isr() and
 * netdma_interrupt_dpc().  Called by netdma_lcore_poll() on the owning
 * lcore, and by netdma_provider_stop() and power-down (draining) on their
 * caller's thread.
 *
 * @param provider_chan_ctx
 *   The channel's context.
 * @return
 *   > 0 if it did work, 0 if idle.
 */
typedef int (*netdma_chan_poll_t)(void *provider_chan_ctx);

/** What the engine holds for a channel (netdma extension). */
struct netdma_chan_progress {
	uint32_t inflight;         /**< descriptors handed to the hardware */
	uint32_t zombie_ops;       /**< aborted ops the hardware still owns */
	uint32_t device_ops;       /**< ops in the device ring now, aborted ones included */
	bool more;                 /**< chain left to fetch */
	uint64_t descriptors_retired;
	uint64_t bytes_copied;
};
/**
 * netdma extension, required: what the engine holds and has done, for
 * Free, Stop and the counters (spec §8 rule 10: outstanding work).
 *
 * @param provider_chan_ctx
 *   The channel's context.
 * @param[out] p
 *   The progress.
 * @return
 *   0 (the library ignores the value).
 */
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
 * NetDmaRegisterProvider (spec §2.1).  Provider versions 1.0, 1.1 and 2.0
 * are accepted (spec §1).  The affinity callback, if any, is called before
 * this returns.  The provider is listed to consumers, but no channel can
 * be allocated before netdma_provider_start() (spec §8 rule 1).
 *
 * @param provider_ctx
 *   The provider's context, passed to its provider-wide callbacks.
 * @param[out] handle
 *   The registered provider.
 * @param c
 *   The characteristics (spec §4.4); copied, friendly name included.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p handle or @p c is NULL; c->size is not sizeof(*c); a
 *     version other than 1.0, 1.1 and 2.0; flags on a 1.x provider, or
 *     unknown flags; max_dma_channel_count 0; a required callback NULL
 *     (allocate, free, start, append, poll, query); suspend without resume
 *     (spec §8 rule 12); a 2.0 provider without a friendly name.
 *   - -ENOSPC: 64 providers are registered already.
 *   - -ENOMEM: out of memory.
 *   - the affinity callback's failure (-EIO for an NTSTATUS code).
 */
int netdma_register_provider(void *provider_ctx, struct netdma_provider **handle,
			     const struct netdma_provider_characteristics *c);

/**
 * NetDmaDeregisterProvider (spec §2.2): after netdma_provider_stop()
 * (spec §8 rule 11).  The handle is freed.
 *
 * @param prov
 *   The provider.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p prov is NULL or not registered.
 *   - -EBUSY: the provider is still started.
 */
int netdma_deregister_provider(struct netdma_provider *prov);

/**
 * NetDmaProviderStart (spec §2.3): consumers may allocate channels from
 * now on.  May be called again after a Stop, with new attributes.
 *
 * @param prov
 *   The provider.
 * @param attr
 *   The attributes (spec §4.5); copied.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p prov is NULL or not registered; @p attr is NULL;
 *     attr->size is not sizeof(*attr); no channel; a maximum transfer size
 *     under 4096 (spec §2.3).
 *   - -EBUSY: the provider is started already.
 */
int netdma_provider_start(struct netdma_provider *prov,
			  const struct netdma_provider_attributes *attr);

/**
 * NetDmaProviderStop (spec §2.4, §8 rule 11): no new channel from now on;
 * wait for each channel's outstanding work, polling it from the calling
 * thread (a channel not drained within the drain timeout, 5 s by default,
 * is aborted and waited for again), then free every channel.  Consumers'
 * handles become REVOKED: every call but netdma_chan_free() returns
 * -ENODEV.  Blocks; not from a provider callback.
 *
 * @param prov
 *   The provider.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p prov is NULL or not registered.
 *   - -EPERM: the provider is not started.
 */
int netdma_provider_stop(struct netdma_provider *prov);

/**
 * NetDmaIsr (spec §2.5): the provider saw progress on a channel.  Called
 * from the provider's poll callback.
 *
 * @param netdma_chan_handle
 *   The library's channel handle.
 * @param last_completed
 *   IOVA of the last completed descriptor (informational).
 * @param[out] cpu_number
 *   The lcore the DPC must run on: the channel's owner.  May be NULL.
 */
void netdma_isr(void *netdma_chan_handle, netdma_iova_t last_completed,
		uint32_t *cpu_number);

/**
 * NetDmaInterruptDpc (spec §2.6, §6.2, §6.3): descriptors up to
 * @p last_completed have retired and one of them asked for an interrupt;
 * the consumer's callback is called on the owning lcore once the channel
 * lock is released.  Called from the provider's channel callbacks (the
 * channel lock held).
 *
 * @param netdma_chan_handle
 *   The library's channel handle.
 * @param last_completed
 *   IOVA of the last retired descriptor that asked for an interrupt; 0:
 *   the channel halted on an error (it becomes HALTED; Start is required
 *   next).
 */
void netdma_interrupt_dpc(void *netdma_chan_handle, netdma_iova_t last_completed);

/**
 * NetDmaPnPEventNotify (spec §2.8, §7.5), for 1.1 and 2.0 providers.
 * PowerDown: consumers' calls return -EAGAIN from now on (Free excepted)
 * and every channel of the provider is drained as by netdma_provider_stop();
 * blocks.  PowerUp: every running or suspended channel is re-started with a
 * NULL descriptor of the library's, and the consumer's next Append is
 * issued as a Start.
 *
 * @param prov
 *   The provider.
 * @param ev
 *   The notification (spec §4.6): revision 1, size sizeof(*ev), code
 *   NETDMA_PNP_PROVIDER_POWER_DOWN or NETDMA_PNP_PROVIDER_POWER_UP.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p prov is NULL or not registered; @p ev is NULL, of another
 *     revision or size, or another code.
 *   - -EPERM: a 1.0 provider; PowerDown of a provider not started or
 *     already down; PowerUp of a provider not down.
 */
int netdma_pnp_event_notify(struct netdma_provider *prov,
			    const struct netdma_pnp_notification *ev);

/**
 * NetDmaGetVersion (spec §2.7).
 *
 * @return
 *   The interface version, major << 16 | minor (2.0).
 */
uint32_t netdma_get_version(void);

/* ---- services for provider implementations ----------------------------
 * For a provider's channel callbacks: @p netdma_chan_handle is the handle
 * allocate_dma_channel received, valid until free_dma_channel returns.
 */

/**
 * @param netdma_chan_handle
 *   The library's channel handle.
 * @return
 *   The consumer's channel parameters (spec §4.3); never NULL.
 */
const struct netdma_channel_params *netdma_chan_params(void *netdma_chan_handle);

/**
 * Is [iova, iova+len) memory this channel's client may use?  The default
 * accepts DPDK memory (heap and registered external memory) only.  Whatever
 * the validator, a range touching the library's own descriptors (the
 * channel's power-up re-seed slots, spec §7.5) is refused.  Usable as a
 * netdma_range_ok_t with the handle as context.
 *
 * @param netdma_chan_handle
 *   The library's channel handle.
 * @param iova
 *   Start of the range.
 * @param len
 *   Its length in bytes.
 * @return
 *   true if the engine may read or write it.
 */
bool netdma_chan_addr_ok(void *netdma_chan_handle, netdma_iova_t iova, uint64_t len);

/**
 * netdma_chan_addr_ok() that also gives the window its yes covers: a DPDK
 * memseg list for the default validator in IOVA-as-VA mode, the range
 * itself otherwise (netdma_range_win_t; the engines cache it per pass).
 * The window is narrowed so that it never holds the library's re-seed slots.
 *
 * @param netdma_chan_handle
 *   The library's channel handle.
 * @param iova
 *   Start of the range.
 * @param len
 *   Its length in bytes.
 * @param[out] lo
 *   On true: start of the window.
 * @param[out] hi
 *   On true: its end (exclusive).
 * @return
 *   true if the engine may read or write the range.
 */
bool netdma_chan_addr_win(void *netdma_chan_handle, netdma_iova_t iova, uint64_t len,
			  netdma_iova_t *lo, netdma_iova_t *hi);

/**
 * Is @p pa exactly one of the library's own descriptors of this channel
 * (the power-up re-seed, spec §7.5)?  No consumer check passes them; an
 * engine may fetch them as descriptors only in a chain the library started
 * itself (a Start whose head is one of them).
 *
 * @param netdma_chan_handle
 *   The library's channel handle.
 * @param pa
 *   A descriptor's IOVA.
 * @return
 *   true if it is one of them.
 */
bool netdma_chan_desc_internal(void *netdma_chan_handle, netdma_iova_t pa);

/**
 * A provider's Suspend that answered -EINPROGRESS has ended (spec §3.6).
 * Call it from the channel's poll, with the channel lock held.
 *
 * @param netdma_chan_handle
 *   The library's channel handle.
 * @param status
 *   0: suspended, SUSPEND published; -ETIMEDOUT: the descriptors being
 *   processed did not complete in time and the channel runs on.
 * @param last
 *   With status 0, IOVA of the last processed descriptor (0 if none).
 */
void netdma_suspend_complete(void *netdma_chan_handle, int status, netdma_iova_t last);

/**
 * Record why a channel failed, shown by netdma_chan_last_error() (e.g. the
 * bad descriptor that halted it).  The channel lock must be held.
 *
 * @param netdma_chan_handle
 *   The library's channel handle.
 * @param fmt
 *   printf format; the text is cut at 159 bytes.
 */
void netdma_chan_set_error(void *netdma_chan_handle, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Translate an IOVA to a pointer usable by this process.  Any thread.
 *
 * @param iova
 *   An IOVA of DPDK memory.
 * @return
 *   The pointer; NULL where EAL knows no such IOVA (IOVA-as-PA mode).  In
 *   IOVA-as-VA mode the IOVA itself, unchecked: check ranges first
 *   (netdma_chan_addr_ok()).
 */
void *netdma_iova2virt(netdma_iova_t iova);

/**
 * netdma_check_rules fetch callback: a descriptor by IOVA, in this
 * process, as netdma_iova2virt().
 *
 * @param ctx
 *   Ignored.
 * @param pa
 *   The descriptor's IOVA, already checked by the rules' range callback.
 * @return
 *   The descriptor, or NULL if it cannot be reached.
 */
const struct netdma_descriptor *netdma_desc_fetch_va(void *ctx, netdma_iova_t pa);

/**
 * Choose an owner lcore for a channel (spec §3.2, §4.3): @p preferred if
 * the parameters' affinity masks allow it, else the first allowed EAL
 * lcore, else the first allowed service lcore.  Allowed: an enabled EAL
 * lcore in the mask, or a service lcore the mask names (its rte_service
 * polls the channel, netdma_service_register()).
 *
 * @param params
 *   The channel's parameters (revision 2: the group mask; revision 1: the
 *   32-bit mask; a zero mask allows every EAL lcore, no service lcore).
 * @param preferred
 *   The provider's choice, or -1.
 * @return
 *   - >= 0: the lcore.
 *   - -EINVAL: the masks allow no lcore.
 */
int netdma_pick_lcore(const struct netdma_channel_params *params, int preferred);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_PROVIDER_H */
