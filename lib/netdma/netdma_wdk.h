/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The WDK names of netdma.h (spec §2–§5) over the native netdma_* API, so a
 * Windows NetDMA provider or client ports with few edits.  Types have the
 * same layout as the native ones (checked below); functions are thin inline
 * wrappers that turn -errno into NTSTATUS.  Constants keep the spec's values.
 */
#ifndef NETDMA_WDK_H
#define NETDMA_WDK_H

#include <errno.h>

#include "netdma.h"
#include "netdma_provider.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Windows base types ---------------------------------------------- */
typedef uint8_t UCHAR;
typedef uint16_t USHORT;
typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG;
typedef int64_t LONGLONG;
typedef uint64_t ULONG64, KAFFINITY;
typedef unsigned int UINT;
typedef void VOID, *PVOID;
typedef int32_t NTSTATUS;

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	};
	LONGLONG QuadPart;
} LARGE_INTEGER, PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;
static_assert(sizeof(PHYSICAL_ADDRESS) == 8, "spec §4.7");

#define STATUS_SUCCESS                ((NTSTATUS)0x00000000L)
#define STATUS_UNSUCCESSFUL           ((NTSTATUS)0xC0000001L)
#define STATUS_INVALID_PARAMETER      ((NTSTATUS)0xC000000DL)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_BUSY            ((NTSTATUS)0x80000011L)
/* spec §12.11: the DDI's "STATUS_RESOURCES" is not an NTSTATUS name */
#define STATUS_RESOURCES              STATUS_INSUFFICIENT_RESOURCES
#define NT_SUCCESS(s)                 ((NTSTATUS)(s) >= 0)

/** Map a native -errno result to the NTSTATUS a WDK caller expects. */
static inline NTSTATUS
netdma_errno_to_ntstatus(int ret)
{
	switch (ret) {
	case 0:
		return STATUS_SUCCESS;
	case -ENOMEM:
	case -ENOSPC:
		return STATUS_INSUFFICIENT_RESOURCES;
	case -EINVAL:
		return STATUS_INVALID_PARAMETER;
	case -EBUSY:
		return STATUS_DEVICE_BUSY;
	default:
		return ret > 0 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
	}
}

/* ---- constants (spec §5) ---------------------------------------------- */
#define NET_DMA_INTERRUPT_ON_COMPLETION      NETDMA_F_INTERRUPT_ON_COMPLETION
#define NET_DMA_SOURCE_NO_SNOOP              NETDMA_F_SOURCE_NO_SNOOP
#define NET_DMA_DESTINATION_NO_SNOOP         NETDMA_F_DESTINATION_NO_SNOOP
#define NET_DMA_STATUS_UPDATE_ON_COMPLETION  NETDMA_F_STATUS_UPDATE_ON_COMPLETION
#define NET_DMA_SERIALIZE_TRANSFER           NETDMA_F_SERIALIZE_TRANSFER
#define NET_DMA_NULL_TRANSFER                NETDMA_F_NULL_TRANSFER
#define NET_DMA_SOURCE_PAGE_BREAK            NETDMA_F_SOURCE_PAGE_BREAK
#define NET_DMA_DESTINATION_PAGE_BREAK       NETDMA_F_DESTINATION_PAGE_BREAK
#define NET_DMA_DESTINATION_DCA_ENABLE       NETDMA_F_DESTINATION_DCA_ENABLE
#define NET_DMA_OP_TYPE_STANDARD_DMA         NETDMA_OP_TYPE_STANDARD_DMA
#define NET_DMA_OP_TYPE_CONTEXT_CHANGE       NETDMA_OP_TYPE_CONTEXT_CHANGE
#define NET_DMA_DCA_CONTEXT_CHANGE           NETDMA_DCA_CONTEXT_CHANGE
#define NET_DMA_OP_TYPE_MASK                 NETDMA_OP_TYPE_MASK
#define NET_DMA_RESERVED_MASK                NETDMA_F_RESERVED_MASK
#define NET_DMA_TRANSFER_STATUS_MASK         NETDMA_TRANSFER_STATUS_MASK

/* the same enum, so WDK and native status values mix freely */
typedef enum netdma_transfer_status NET_DMA_TRANSFER_STATUS;
#define NetDmaTransferStatusActive  NETDMA_STATUS_ACTIVE
#define NetDmaTransferStatusIdle    NETDMA_STATUS_IDLE
#define NetDmaTransferStatusSuspend NETDMA_STATUS_SUSPEND
#define NetDmaTransferStatusHalted  NETDMA_STATUS_HALTED
#define NetDmaTransferStatusArmed   NETDMA_STATUS_ARMED

#define NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED NETDMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED
#define NET_DMA_PROVIDER_ATTRIBUTES_DCA_SUPPORTED      NETDMA_PROVIDER_ATTRIBUTES_DCA_SUPPORTED
#define NET_DMA_PROVIDER_SUPPORTS_PROC_GROUPS          NETDMA_PROVIDER_SUPPORTS_PROC_GROUPS
#define NET_DMA_PROVIDER_REVISION_1                    NETDMA_PROVIDER_REVISION_1
#define NET_DMA_PROVIDER_REVISION_2                    NETDMA_PROVIDER_REVISION_2
#define NET_DMA_CHANNEL_REVISION_1                     NETDMA_CHANNEL_REVISION_1
#define NET_DMA_CHANNEL_REVISION_2                     NETDMA_CHANNEL_REVISION_2
#define NET_DMA_PNP_NOTIFICATION_REVISION_1            NETDMA_PNP_NOTIFICATION_REVISION_1
#define SIZEOF_NET_DMA_CHANNEL_PARAMETERS_REVISION_1   NETDMA_CHANNEL_PARAMS_SIZE_REV1
#define SIZEOF_NET_DMA_CHANNEL_PARAMETERS_REVISION_2   NETDMA_CHANNEL_PARAMS_SIZE_REV2

typedef enum _NET_DMA_PNP_NOTIFICATION_CODE {
	NetDmaNotificationProviderRegistered = NETDMA_PNP_PROVIDER_REGISTERED,
	NetDmaNotificationProviderArrival = NETDMA_PNP_PROVIDER_ARRIVAL,
	NetDmaNotificationProviderRemoval = NETDMA_PNP_PROVIDER_REMOVAL,
	NetDmaNotificationChannelArrival = NETDMA_PNP_CHANNEL_ARRIVAL,
	NetDmaNotificationProviderPowerDown = NETDMA_PNP_PROVIDER_POWER_DOWN,
	NetDmaNotificationProviderPowerUp = NETDMA_PNP_PROVIDER_POWER_UP,
	NetDmaNotificationMax = NETDMA_PNP_MAX,
} NET_DMA_PNP_NOTIFICATION_CODE;

/* ---- structures (spec §4), layout-identical to the native ones -------- */
typedef struct _NET_DMA_DESCRIPTOR {
	union {
		ULONG TransferSize;
		struct { ULONG DCAContext : 32; } DCAContext32;
		struct { ULONG DCAContext : 16; ULONG Reserved : 16; } DCAContext16;
		struct { ULONG DCAContext : 8; ULONG Reserved : 24; } DCAContext8;
	};
	ULONG ControlFlags;
	PHYSICAL_ADDRESS SourceAddress;
	PHYSICAL_ADDRESS DestinationAddress;
	PHYSICAL_ADDRESS NextDescriptor;
	union {
		ULONG64 Reserved1;
		PHYSICAL_ADDRESS NextSourceAddress;
	};
	union {
		ULONG64 Reserved2;
		PHYSICAL_ADDRESS NextDestinationAddress;
	};
	ULONG64 UserContext1;
	ULONG64 UserContext2;
} __attribute__((aligned(64))) NET_DMA_DESCRIPTOR, *PNET_DMA_DESCRIPTOR;
static_assert(sizeof(NET_DMA_DESCRIPTOR) == sizeof(struct netdma_descriptor), "layout");
static_assert(offsetof(NET_DMA_DESCRIPTOR, NextDescriptor) ==
	      offsetof(struct netdma_descriptor, next_descriptor), "layout");
static_assert(offsetof(NET_DMA_DESCRIPTOR, UserContext2) ==
	      offsetof(struct netdma_descriptor, user_context2), "layout");

typedef struct netdma_channel_cpu_affinity NET_DMA_CHANNEL_CPU_AFFINITY, *PNET_DMA_CHANNEL_CPU_AFFINITY;

typedef struct _GROUP_AFFINITY {
	KAFFINITY Mask;
	USHORT Group;
	USHORT Reserved[3];
} GROUP_AFFINITY;

typedef struct _NET_DMA_CHANNEL_PARAMETERS {
	USHORT Revision;
	USHORT Size;
	ULONG Flags;
	PVOID CompletionVirtualAddress;
	PHYSICAL_ADDRESS CompletionPhysicalAddress;
	ULONG ProcessorAffinityMask;
	ULONG ChannelPriority;
	ULONG CpuNumber;
	GROUP_AFFINITY ProcessorAffinityMaskEx;
} NET_DMA_CHANNEL_PARAMETERS, *PNET_DMA_CHANNEL_PARAMETERS;
static_assert(sizeof(NET_DMA_CHANNEL_PARAMETERS) == sizeof(struct netdma_channel_params), "layout");
static_assert(offsetof(NET_DMA_CHANNEL_PARAMETERS, CpuNumber) ==
	      offsetof(struct netdma_channel_params, cpu_number), "layout");

typedef struct _NET_DMA_PROVIDER_ATTRIBUTES {
	UCHAR MajorHwVersion;
	UCHAR MinorHwVersion;
	USHORT Size;
	ULONG Flags;
	ULONG VendorId;
	ULONG DmaChannelCount;
	ULONG MaximumTransferSize;
	PHYSICAL_ADDRESS MaximumAddressSpace;
} NET_DMA_PROVIDER_ATTRIBUTES, *PNET_DMA_PROVIDER_ATTRIBUTES;
static_assert(sizeof(NET_DMA_PROVIDER_ATTRIBUTES) == sizeof(struct netdma_provider_attributes), "layout");

typedef struct _NET_DMA_PNP_NOTIFICATION {
	ULONG StructureRevision;
	ULONG StructureSize;
	NET_DMA_PNP_NOTIFICATION_CODE NotificationCode;
	PVOID Buffer;
	ULONG BufferLength;
} NET_DMA_PNP_NOTIFICATION, *PNET_DMA_PNP_NOTIFICATION;
static_assert(sizeof(NET_DMA_PNP_NOTIFICATION) == sizeof(struct netdma_pnp_notification), "layout");

typedef struct _UNICODE_STRING {
	USHORT Length;
	USHORT MaximumLength;
	const char *Buffer;           /* UTF-8 here, not UTF-16 */
} UNICODE_STRING;

/* Provider callbacks (spec §3).  PHYSICAL_ADDRESS by value is ABI-identical
 * to a uint64_t, so these may sit where the native callbacks do. */
typedef NTSTATUS (*DMA_CHANNELS_CPU_AFFINITY_HANDLER)(PVOID ProviderContext,
	PNET_DMA_CHANNEL_CPU_AFFINITY CpuAffinityArray, ULONG CpuAffinityArraySize);
typedef NTSTATUS (*DMA_CHANNEL_ALLOCATE_HANDLER)(PVOID ProviderContext,
	PNET_DMA_CHANNEL_PARAMETERS ChannelParameters, PVOID NetDmaChannelHandle,
	PVOID *pProviderChannelContext);
typedef VOID (*DMA_CHANNEL_FREE_HANDLER)(PVOID ProviderChannelContext);
typedef NTSTATUS (*DMA_START_HANDLER)(PVOID ProviderChannelContext,
	PNET_DMA_DESCRIPTOR DescriptorVirtualAddress, PHYSICAL_ADDRESS DescriptorPhysicalAddress,
	ULONG DescriptorCount);
typedef NTSTATUS (*DMA_SUSPEND_HANDLER)(PVOID ProviderChannelContext, PPHYSICAL_ADDRESS pLastDescriptor);
typedef NTSTATUS (*DMA_RESUME_HANDLER)(PVOID ProviderChannelContext);
typedef NTSTATUS (*DMA_ABORT_HANDLER)(PVOID ProviderChannelContext);
typedef NTSTATUS (*DMA_APPEND_HANDLER)(PVOID ProviderChannelContext,
	PNET_DMA_DESCRIPTOR DescriptorVirtualAddress, PHYSICAL_ADDRESS DescriptorPhysicalAddress,
	ULONG DescriptorCount);
typedef NTSTATUS (*DMA_RESET_HANDLER)(PVOID ProviderChannelContext);
/* netdma extensions: polling replaces the hardware interrupt */
typedef int (*DMA_POLL_HANDLER)(PVOID ProviderChannelContext);
typedef int (*DMA_QUERY_HANDLER)(PVOID ProviderChannelContext, struct netdma_chan_progress *Progress);

typedef struct _NET_DMA_PROVIDER_CHARACTERISTICS {
	UCHAR MajorVersion;
	UCHAR MinorVersion;
	USHORT Size;
	ULONG Flags;
	PVOID PhysicalDeviceObject;
	ULONG MaxDmaChannelCount;
	DMA_CHANNELS_CPU_AFFINITY_HANDLER SetDmaChannelCpuAffinity;
	DMA_CHANNEL_ALLOCATE_HANDLER AllocateDmaChannel;
	DMA_CHANNEL_FREE_HANDLER FreeDmaChannel;
	DMA_START_HANDLER StartDma;
	DMA_SUSPEND_HANDLER SuspendDma;
	DMA_RESUME_HANDLER ResumeDma;
	DMA_ABORT_HANDLER AbortDma;
	DMA_APPEND_HANDLER AppendDma;
	DMA_RESET_HANDLER ResetChannel;
	UNICODE_STRING FriendlyName;
	DMA_POLL_HANDLER PollDmaChannel;
	DMA_QUERY_HANDLER QueryDmaChannel;
} NET_DMA_PROVIDER_CHARACTERISTICS, *PNET_DMA_PROVIDER_CHARACTERISTICS;
static_assert(sizeof(NET_DMA_PROVIDER_CHARACTERISTICS) ==
	      sizeof(struct netdma_provider_characteristics), "layout");
static_assert(offsetof(NET_DMA_PROVIDER_CHARACTERISTICS, FriendlyName) ==
	      offsetof(struct netdma_provider_characteristics, friendly_name), "layout");
static_assert(offsetof(NET_DMA_PROVIDER_CHARACTERISTICS, QueryDmaChannel) ==
	      offsetof(struct netdma_provider_characteristics, query_dma_channel), "layout");

/* ---- functions (spec §2) ---------------------------------------------- */
static inline NTSTATUS
NetDmaRegisterProvider(PVOID ProviderContext, PVOID *pNetDmaProviderHandle,
		       PNET_DMA_PROVIDER_CHARACTERISTICS ProviderCharacteristics)
{
	return netdma_errno_to_ntstatus(netdma_register_provider(ProviderContext,
		(struct netdma_provider **)pNetDmaProviderHandle,
		(const struct netdma_provider_characteristics *)(const void *)ProviderCharacteristics));
}

/* spec §2.2: VOID; Deregister before Stop is refused (and logged). */
static inline VOID
NetDmaDeregisterProvider(PVOID NetDmaProviderHandle)
{
	(void)netdma_deregister_provider(NetDmaProviderHandle);
}

static inline VOID
NetDmaProviderStart(PVOID NetDmaProviderHandle, PNET_DMA_PROVIDER_ATTRIBUTES ProviderAttributes)
{
	(void)netdma_provider_start(NetDmaProviderHandle,
		(const struct netdma_provider_attributes *)(const void *)ProviderAttributes);
}

static inline VOID
NetDmaProviderStop(PVOID NetDmaProviderHandle)
{
	(void)netdma_provider_stop(NetDmaProviderHandle);
}

static inline VOID
NetDmaIsr(PVOID NetDmaChannelHandle, PHYSICAL_ADDRESS DmaDescriptor, PULONG pCpuNumber)
{
	netdma_isr(NetDmaChannelHandle, (netdma_iova_t)DmaDescriptor.QuadPart, pCpuNumber);
}

static inline VOID
NetDmaInterruptDpc(PVOID NetDmaChannelHandle, PHYSICAL_ADDRESS DmaDescriptor)
{
	netdma_interrupt_dpc(NetDmaChannelHandle, (netdma_iova_t)DmaDescriptor.QuadPart);
}

static inline UINT
NetDmaGetVersion(VOID)
{
	return netdma_get_version();
}

static inline VOID
NetDmaPnPEventNotify(PVOID NetDmaProviderHandle, PNET_DMA_PNP_NOTIFICATION PnPEvent)
{
	(void)netdma_pnp_event_notify(NetDmaProviderHandle,
		(const struct netdma_pnp_notification *)(const void *)PnPEvent);
}

#ifdef __cplusplus
}
#endif
#endif /* NETDMA_WDK_H */
