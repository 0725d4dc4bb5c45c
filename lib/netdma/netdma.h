/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * netdma consumer API: what an application uses to move bytes through
 * NetDMA channels.
 *
 *     application ──► netdma_chan_* ──► channel (state machine, spec §8)
 *                                          │ provider callbacks (spec §3)
 *                                          ▼
 *                     provider (drivers/cpu, drivers/dmadev) ──► engine
 *                                          │ completion word + DPC
 *     owner lcore: netdma_lcore_poll() ◄───┘
 *
 * Call order: netdma_provider_list() → netdma_chan_alloc() →
 * netdma_chan_start() → netdma_chan_append()* → ... → netdma_chan_free().
 * Descriptors are struct netdma_descriptor chains in DMA-visible memory
 * (netdma_mem_alloc()); addresses inside them are IOVAs (netdma_virt2iova()).
 *
 * Two libraries implement this header.  libnetdma runs the channels in
 * this process (DPDK EAL initialised; an lcore polls them, netdma_lcore.h).
 * libnetdma_client (netdma_client.h) sends the same calls to netdmad; where
 * a function behaves differently there, its documentation says so under
 * "Through netdmad".
 *
 * Chains follow the provider's version (spec §1): 1.x providers walk
 * NULL-terminated lists and ignore the count; 2.0 providers take exactly
 * `count` descriptors and the last one's next_descriptor pre-links the head
 * of the next Append.
 *
 * Progress is reported through the channel's completion word (spec §6.1):
 * read it with netdma_completion_read().  The optional interrupt callback
 * runs on the channel's owning lcore (spec §6.2); through netdmad, on a
 * thread of the client or wherever the application calls
 * netdma_client_chan_dispatch().
 *
 * Errors: every int function returns 0 (or a count) on success and -errno on
 * failure.  A failed call changes nothing, except where its documentation
 * says otherwise (Suspend's -EIO; -ETIMEDOUT through netdmad).  The errnos:
 *   -EINVAL  malformed argument or descriptor, or a NULL or freed channel
 *            (see netdma_chan_last_error())
 *   -ERANGE  zero or over-maximum transfer size
 *   -ELOOP   a 1.x chain that never ends (cycle)
 *   -E2BIG   a chain longer than NETDMA_CHAIN_MAX
 *   -EFAULT  an address outside the caller's DMA-visible memory
 *   -EPERM   the call is not allowed in the channel's state (spec §8)
 *   -EBUSY   work is still outstanding (Free)
 *   -ENOTSUP the provider does not implement an optional operation
 *   -EAGAIN  the provider is powered down; retry after power-up
 *   -ENODEV  no such provider, provider not started, or channel revoked
 *   -ENOSPC  no free channel
 *   -ENOMEM  out of memory
 *   -ETIMEDOUT  Suspend could not drain; through netdmad, no answer in time
 *   -EIO     the provider failed with an NTSTATUS code; Suspend: the channel
 *            halted while draining (a copy failed, or an Abort or Reset)
 * and, through netdmad only, -EDQUOT (a quota of netdmad) and the
 * connection errors listed in netdma_client.h.  Each function's @return
 * lists those it can return.
 *
 * MT-safety: a channel serves one client (spec §8 rule 13).  Its calls may
 * come from any thread and are serialised per channel by the library; a call
 * waits while the owner lcore polls that channel.  The interrupt callback
 * runs outside the channel's lock: it may call any function of this header
 * on its channel, Free included.  Provider lookups, channel allocation and
 * memory calls may run on any thread (in-process: once EAL is initialised).
 *
 * Handles: in-process, a call with a NULL or freed channel returns -EINVAL
 * (a string function: "no channel ...") and touches nothing; one whose
 * provider was stopped returns -ENODEV (only Free works).  Freed channel
 * memory is never returned to the heap but kept for reuse, oldest first, so
 * a stale handle finds a dead channel rather than freed memory.  Limit
 * (ABA): once that memory is reused by a later netdma_chan_alloc(), the
 * stale handle names the new channel and its calls act on it; handles must
 * not be used after Free.  A pointer that never was a channel is undefined
 * behaviour.  Through netdmad only NULL is detected: a freed handle is
 * undefined behaviour.
 *
 * This header uses libc types only: the daemon client library implements
 * the same API.
 */
#ifndef NETDMA_H
#define NETDMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netdma_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest chain accepted by one Start/Append/Resume. */
#define NETDMA_CHAIN_MAX (1u << 20)
/** Returned by netdma_virt2iova() for memory the engines cannot reach. */
#define NETDMA_BAD_IOVA UINT64_MAX
/** Size of a provider's name, its NUL included. */
#define NETDMA_NAME_MAX 64

/** A channel handle (opaque). */
struct netdma_chan;

/**
 * Interrupt-on-completion callback (the "DPC", spec §2.6, §6.2).
 *
 * Called on the channel's owning lcore, from netdma_lcore_poll(), outside
 * the channel's lock (through netdmad: on the client's interrupt thread, or
 * in netdma_client_chan_dispatch()).  It may call the channel functions of
 * this header, netdma_chan_free() included; it should return quickly, as
 * the other channels of that lcore wait for it.
 *
 * @param chan
 *   The channel.
 * @param last_completed
 *   IOVA of the last retired descriptor that asked for an interrupt (a
 *   watermark: everything before it has retired too), or 0 when the
 *   channel halted on an error (spec §6.3; netdma_chan_last_error() says
 *   why).
 * @param arg
 *   netdma_chan_conf.intr_arg.
 */
typedef void (*netdma_intr_cb_t)(struct netdma_chan *chan,
				 netdma_iova_t last_completed, void *arg);

/** What a consumer may know about a provider. */
struct netdma_provider_info {
	uint32_t id;                     /**< argument of netdma_chan_alloc() */
	char name[NETDMA_NAME_MAX];      /**< friendly name */
	uint8_t major_version;           /**< provider NetDMA version */
	uint8_t minor_version;
	bool started;                    /**< netdma_provider_start() done */
	bool powered_down;               /**< between PowerDown and PowerUp (spec §7.5) */
	uint32_t flags;                  /**< NETDMA_PROVIDER_CHARACTERISTICS_* */
	uint32_t channel_count;          /**< actual channels (attributes) */
	uint32_t channels_in_use;
	uint32_t maximum_transfer_size;  /**< bytes per descriptor (spec §4.5) */
	uint64_t maximum_address_space;  /**< highest IOVA; 0 through netdmad (not sent) */
};

/**
 * List the registered providers (spec §2.1), started or not, in id order.
 * Any thread.
 *
 * @param[out] infos
 *   Array of @p max entries to fill; NULL to count only.
 * @param max
 *   Number of entries of @p infos.
 * @return
 *   - >= 0: the number of providers registered.  It may exceed @p max; only
 *     the first min(@p max, return) entries are written.
 *   Through netdmad (which sends the list a page at a time), also:
 *   - -ENOMEM: no memory for the reply.
 *   - the connection errors of netdma_client.h.
 */
int netdma_provider_list(struct netdma_provider_info *infos, unsigned int max);

/**
 * Find a provider by its friendly name.  Any thread.
 *
 * @param name
 *   The name, as in netdma_provider_info.name.
 * @return
 *   - >= 0: the provider's id, for netdma_chan_alloc().
 *   - -EINVAL: @p name is NULL.
 *   - -ENOENT: no registered provider has that name.
 *   Through netdmad, also the errors of netdma_provider_list().
 */
int netdma_provider_find(const char *name);

/** Channel allocation request (maps onto spec §4.3 channel parameters). */
struct netdma_chan_conf {
	/**
	 * Lcores allowed to own the channel: bit n = lcore 64*group+n; 0 = any
	 * EAL lcore.  A service lcore only when named here: the rte_service
	 * of netdma_service_register() mapped to it then polls the channel.
	 */
	uint64_t lcore_mask;
	uint16_t lcore_group;
	uint32_t priority;               /**< clamped by the provider */
	/** Completion word: 8-byte aligned, DMA-visible (required). */
	volatile uint64_t *completion_word;
	netdma_intr_cb_t intr_cb;        /**< optional */
	void *intr_arg;                  /**< passed to intr_cb */
};

/**
 * Allocate a channel on a provider (spec §3.2, §8 rule 2).  The completion
 * word is set to ARMED (spec §5.2); the channel is ALLOCATED and its first
 * transfer call must be netdma_chan_start() (spec §8 rule 3).  Any thread.
 *
 * @param provider_id
 *   Id from netdma_provider_list() or netdma_provider_find().
 * @param conf
 *   The request; read during the call only.
 * @param[out] chan
 *   The new channel; netdma_chan_lcore() tells its owning lcore.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p conf or @p chan is NULL; the completion word is NULL or
 *     not 8-byte aligned; the lcore mask allows no enabled lcore (through
 *     netdmad: no polling lcore of the daemon); the provider chose an lcore
 *     outside the mask.
 *   - -EFAULT: the completion word is not in DMA-visible memory (through
 *     netdmad: not in memory from netdma_mem_alloc()).
 *   - -ENODEV: no such provider, or it is not (or no longer) started
 *     (spec §8 rule 1).
 *   - -EAGAIN: the provider is powered down (spec §7.5).
 *   - -ENOSPC: the provider has no free channel.
 *   - -ENOMEM: out of memory.
 *   - -EIO, or another -errno: the provider's AllocateDmaChannel failed
 *     (spec §3.2).
 *   Through netdmad, also:
 *   - -ENOSPC: this process has too many completion words, or netdmad
 *     serves as many channels as it can.
 *   - -EDQUOT: a quota of netdmad (channels per client, share of a
 *     provider, control regions); netdma_client_last_error() says which.
 *   - -EIO, -ENOSPC, -EDQUOT or a memfd/mmap -errno: the memory region of
 *     the channel's command ring could not be created or registered.
 *   - the connection errors of netdma_client.h.
 */
int netdma_chan_alloc(uint32_t provider_id, const struct netdma_chan_conf *conf,
		      struct netdma_chan **chan);

/**
 * The lcore that owns the channel (spec CpuNumber, §3.2): it runs the
 * channel's engine and interrupt callback.  Any thread; does not wait.
 *
 * @param chan
 *   The channel.
 * @return
 *   - >= 0: the lcore id.
 *   - -EINVAL: @p chan is NULL (in-process: or freed).
 */
int netdma_chan_lcore(const struct netdma_chan *chan);

/**
 * NetDMA version of the channel's provider (spec §1), still answered once
 * the provider is stopped.  Any thread; does not wait.
 *
 * @param chan
 *   The channel.
 * @return
 *   - > 0: major << 8 | minor (0x100, 0x101 or 0x200).
 *   - -EINVAL: @p chan is NULL (in-process: or freed).
 */
int netdma_chan_version(const struct netdma_chan *chan);

/**
 * Start a chain (spec §3.4, §8 rules 3 and 5).  Allowed in every state but
 * REVOKED and SUSPENDING (while another thread's Suspend waits for the
 * descriptors being processed); the channel becomes RUNNING.  On a running channel the
 * descriptors already with the engine finish and the rest of the old chain
 * is dropped.  The completion word reads ARMED until a descriptor of the
 * new chain retires (spec §5.2, §6.1).  The whole chain is checked first
 * (spec §4.1, §5.1); a bad chain is refused and nothing is handed to the
 * engine.
 *
 * In-process, the engine then copies what this check read: a descriptor
 * changed after the call, until it has retired, is not seen, but for the
 * changes the spec allows - the chain while the channel is suspended
 * (spec §3.6) and a 1.x tail's next_descriptor (spec §3.5) - which are
 * read and checked again.  Through netdmad, and on a channel with
 * netdma_chan_set_check_at_fetch(), every descriptor is read and checked
 * as the engine fetches it.  As with any DMA engine, memory a descriptor
 * names must stay DMA-visible (not freed, not rte_extmem_unregister()ed)
 * until that descriptor has retired: in-process this call's check is the
 * check.
 *
 * @param chan
 *   The channel.
 * @param head
 *   The first descriptor: 64-byte aligned, in DMA-visible memory.
 * @param count
 *   2.0: the number of descriptors, 1 to NETDMA_CHAIN_MAX; the last one's
 *   next_descriptor pre-links the head of the next Append (spec §8 rule 6).
 *   1.x: ignored; the chain ends at a next_descriptor of 0.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p chan is NULL or freed; @p head is NULL or not 64-byte
 *     aligned; a 2.0 @p count of 0; a descriptor with reserved control
 *     bits, a 2.0-only flag or op type on a 1.x provider, an unknown op
 *     type, or a misaligned next_descriptor; a 2.0 chain whose last
 *     next_descriptor is not a pre-link (0 or misaligned).
 *   - -ERANGE: a transfer size of 0 or over the provider's maximum; a 2.0
 *     page break that needs more than two pages (spec §5.1).
 *   - -EFAULT: a descriptor or buffer outside DMA-visible memory, past the
 *     provider's maximum address, or over the library's own descriptors.
 *   - -ELOOP: a 1.x chain that loops.
 *   - -E2BIG: more than NETDMA_CHAIN_MAX descriptors.
 *   - -EAGAIN: the provider is powered down.
 *   - -ENODEV: the channel is revoked (its provider stopped).
 *   - -EIO, or another -errno: the provider's StartDma failed.
 *   Through netdmad, also:
 *   - -ENODEV: netdmad let the channel go.
 *   - -ECONNRESET: netdmad went away.
 *   - -ETIMEDOUT: no answer within netdma_client_set_timeout_ms(); the
 *     command may still run.
 */
int netdma_chan_start(struct netdma_chan *chan, struct netdma_descriptor *head,
		      uint32_t count);

/**
 * Append a chain to a started channel (spec §3.5, §8 rules 4 to 6).
 * Allowed on a RUNNING or SUSPENDED channel (work appended while suspended
 * runs after Resume).  1.x: patch the old tail's next_descriptor to
 * @p head *before* this call.  2.0: @p head must be the slot the previous
 * chain's last descriptor pre-linked.  After a power-up (spec §7.5) the
 * first Append is issued to the provider as a Start.
 *
 * @param chan
 *   The channel.
 * @param head
 *   The first appended descriptor: 64-byte aligned, in DMA-visible memory.
 * @param count
 *   As for netdma_chan_start().
 * @return
 *   - 0: success.
 *   - -EPERM: the channel is ALLOCATED or HALTED: Start first (spec §8
 *     rule 3); or SUSPENDING (another thread's Suspend is under way).
 *   - -EINVAL: as for netdma_chan_start(), and a 2.0 @p head that is not
 *     the slot the previous chain pre-linked.
 *   - -E2BIG: as for netdma_chan_start(), and 2.0 descriptors still to
 *     fetch that would pass UINT32_MAX.
 *   - -ERANGE, -EFAULT, -ELOOP, -EAGAIN, -ENODEV, -EIO: as for
 *     netdma_chan_start().
 *   Through netdmad, also -ENODEV, -ECONNRESET and -ETIMEDOUT as for
 *   netdma_chan_start().
 */
int netdma_chan_append(struct netdma_chan *chan, struct netdma_descriptor *head,
		       uint32_t count);

/**
 * Suspend (spec §3.6, §8 rule 7): returns once the descriptors being
 * processed have completed, or -ETIMEDOUT.  The completion word then reads
 * SUSPEND; the chain may be edited until netdma_chan_resume().
 *
 * @param chan
 *   The channel; RUNNING.
 * @param[out] last
 *   IOVA of the last processed descriptor (0 if none since Start or Reset);
 *   may be NULL.
 * @return
 *   - 0: success; the channel is SUSPENDED.
 *   - -EINVAL: @p chan is NULL or freed.
 *   - -EPERM: the channel is not RUNNING.
 *   - -ENOTSUP: the provider has no SuspendDma (it is optional).
 *   - -ETIMEDOUT: the descriptors being processed did not complete in
 *     time.
 *   - -EIO: the channel halted before the descriptors completed: a copy
 *     failed (spec §6.3), or another thread's Abort or Reset came first.
 *   - -EAGAIN, -ENODEV: as for netdma_chan_start().
 *   - another -errno: the provider's SuspendDma failed.
 *   Through netdmad, also -ENODEV, -ECONNRESET and -ETIMEDOUT as for
 *   netdma_chan_start().
 */
int netdma_chan_suspend(struct netdma_chan *chan, netdma_iova_t *last);

/**
 * Resume (spec §3.6, §8 rule 8): the engine re-reads the last processed
 * descriptor's next_descriptor, which may have been edited while
 * suspended, and continues from there.  The channel becomes RUNNING.
 *
 * @param chan
 *   The channel; SUSPENDED.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p chan is NULL or freed.
 *   - -EPERM: the channel is not SUSPENDED.
 *   - -EAGAIN, -ENODEV: as for netdma_chan_start().
 *   - -EIO, or another -errno: the provider's ResumeDma failed.
 *   Through netdmad, also -ENODEV, -ECONNRESET and -ETIMEDOUT as for
 *   netdma_chan_start().
 */
int netdma_chan_resume(struct netdma_chan *chan);

/**
 * Abort (spec §3.7, §8 rule 7): stop now, without completing the
 * descriptors being processed; the completion word reads HALTED and the
 * channel is HALTED: netdma_chan_start() is required next.  What the
 * engine still held is never reported; netdma_chan_free() returns -EBUSY
 * until the engine has let go of it.
 *
 * @param chan
 *   The channel; RUNNING or SUSPENDED.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p chan is NULL or freed.
 *   - -EPERM: the channel is ALLOCATED or HALTED.
 *   - -ENOTSUP: the provider has no AbortDma (it is optional).
 *   - -EAGAIN, -ENODEV: as for netdma_chan_start().
 *   - -EIO, or another -errno: the provider's AbortDma failed.
 *   Through netdmad, also -ENODEV, -ECONNRESET and -ETIMEDOUT as for
 *   netdma_chan_start().
 */
int netdma_chan_abort(struct netdma_chan *chan);

/**
 * Reset (spec §3.8, §8 rule 9): Abort, and forget every earlier
 * descriptor (no later Resume or Append re-reads one).  Allowed in every
 * state but REVOKED; the channel is HALTED, and netdma_chan_start() is
 * required next.
 *
 * @param chan
 *   The channel.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p chan is NULL or freed.
 *   - -ENOTSUP: the provider has no ResetChannel (it is optional).
 *   - -EAGAIN, -ENODEV: as for netdma_chan_start().
 *   - -EIO, or another -errno: the provider's ResetChannel failed.
 *   Through netdmad, also -ENODEV, -ECONNRESET and -ETIMEDOUT as for
 *   netdma_chan_start().
 */
int netdma_chan_reset(struct netdma_chan *chan);

/**
 * Free the channel (spec §3.3, §8 rule 10).  Allowed in every state,
 * REVOKED and powered down included, once nothing is outstanding: let the
 * work finish, or Abort and retry until the engine has let go of the
 * memory.  May be called from the channel's own interrupt callback.  After
 * 0 the handle must not be used again.
 *
 * @param chan
 *   The channel.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p chan is NULL (in-process: or freed).
 *   - -EBUSY: work is outstanding, or its provider is being stopped and
 *     has not yet revoked it; retry.  Outstanding is what an engine could
 *     still read or write: descriptors it holds, ops of aborted ones it
 *     has not handed back, and in a started channel (running, suspending
 *     or suspended) descriptors it has still to fetch - a suspended
 *     channel's too, since Resume would fetch them.  A provider Stop
 *     (spec §2.4) waits for what the engine holds, then frees the
 *     channel; a suspended channel's unfetched descriptors are abandoned.
 *   Through netdmad: -EBUSY when netdmad says work is outstanding; any
 *   other failure (netdmad no longer has the channel, or is gone) frees
 *   the channel here and returns 0.
 */
int netdma_chan_free(struct netdma_chan *chan);

/** Channel counters. */
struct netdma_chan_stats {
	uint64_t starts;
	uint64_t appends;
	uint64_t descriptors_retired;
	uint64_t bytes_copied;
	uint64_t interrupts;          /**< DPCs delivered */
	uint64_t errors;              /**< halts caused by errors */
	uint32_t outstanding;         /**< descriptors with the engine */
	/**
	 * Ops of this channel in the device ring now (on a shared queue, its
	 * occupancy of it).  In-process only: 0 through netdmad.
	 */
	uint32_t device_ops;
	uint64_t completion_word;     /**< current value; 0 through netdmad (not sent) */
	int state;                    /**< enum netdma_chan_state */
};

/**
 * Read the channel's counters and state.  Any thread.
 *
 * @param chan
 *   The channel.
 * @param[out] st
 *   The counters.
 * @return
 *   - 0: success.
 *   - -EINVAL: @p chan or @p st is NULL, or @p chan is freed (in-process).
 *   Through netdmad, also:
 *   - -ENOENT: netdmad no longer has the channel.
 *   - the connection errors of netdma_client.h.
 */
int netdma_chan_stats_get(const struct netdma_chan *chan, struct netdma_chan_stats *st);

/**
 * Why the channel's last call failed, or why it halted (spec §6.3).
 *
 * @param chan
 *   The channel.
 * @return
 *   A NUL-terminated string, never NULL: "" if nothing failed yet; for a
 *   NULL (in-process: or freed) @p chan, a static "no channel ..." text.
 *   The channel's next call may overwrite it.
 */
const char *netdma_chan_last_error(const struct netdma_chan *chan);

/** Channel states of spec §8. */
enum netdma_chan_state {
	NETDMA_CHAN_ALLOCATED = 0, /**< allocated: Start first */
	NETDMA_CHAN_RUNNING,       /**< started, resumed or re-started */
	NETDMA_CHAN_SUSPENDED,     /**< Suspend completed */
	NETDMA_CHAN_HALTED,        /**< Abort, Reset or an error: Start first */
	NETDMA_CHAN_REVOKED,       /**< its provider stopped; only Free is valid */
	/**
	 * Between a Suspend and the end of the descriptors the engine was
	 * processing (spec §3.6): the channel fetches nothing new; Abort,
	 * Reset and Free are accepted, and the Suspend completes on a poll.
	 */
	NETDMA_CHAN_SUSPENDING,
	NETDMA_CHAN_STATE_MAX,
};

/**
 * Name of a channel state, for logs.
 *
 * @param state
 *   An enum netdma_chan_state value.
 * @return
 *   Its name, or "?" for a value out of range; never NULL.
 */
const char *netdma_chan_state_name(int state);

/**
 * Allocate zeroed DMA-visible memory, for descriptors, buffers and
 * completion words.  Any thread.
 *
 * @param size
 *   Bytes; > 0.
 * @param align
 *   Alignment, a power of 2 (0: the default); at least 64 is given.
 *   Through netdmad at most 4096.
 * @return
 *   The memory, or NULL (out of memory, @p size 0, a bad @p align; through
 *   netdmad also: no connection, or the daemon refused the memory region).
 */
void *netdma_mem_alloc(size_t size, size_t align);

/**
 * Free memory of netdma_mem_alloc().  No engine may still use it.
 *
 * @param ptr
 *   The memory, or NULL (nothing is done).
 */
void netdma_mem_free(void *ptr);

/**
 * The IOVA that descriptors use for @p va.  Any thread.
 *
 * @param va
 *   An address in memory of netdma_mem_alloc() (in-process: any DPDK
 *   memory).
 * @return
 *   Its IOVA, or NETDMA_BAD_IOVA if no engine can reach it (NULL, or
 *   memory the engines do not map).
 */
netdma_iova_t netdma_virt2iova(const void *va);

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_H */
