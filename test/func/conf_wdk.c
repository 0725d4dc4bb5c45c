/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A provider written against the WDK names (netdma_wdk.h), the way a ported
 * Windows provider would be, registered and driven through the library; and
 * the dmadev ring filling up under a long chain.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "conf_dpdk.h"
#include "netdma_engine.h"
#include "netdma_wdk.h"

/* The "hardware": the library's engine over the CPU, one channel. */
static struct netdma_engine wdk_eng;
static PVOID wdk_handle;
static ULONG wdk_affinity_cpu = 999;
static int wdk_copies;

static int
be_copy(void *be, netdma_iova_t src, netdma_iova_t dst, uint32_t len, uint64_t flags)
{
	RTE_SET_USED(be);
	RTE_SET_USED(flags);
	memcpy(netdma_iova2virt(dst), netdma_iova2virt(src), len);
	wdk_copies++;
	return 0;
}

static void be_submit(void *be) { RTE_SET_USED(be); }
static uint32_t be_capacity(void *be) { RTE_SET_USED(be); return 1024; }

static uint32_t
be_completed(void *be, uint32_t max, bool *err)
{
	RTE_SET_USED(be);
	*err = false;
	return max;   /* copies are synchronous: everything asked for is done */
}

static uint32_t be_discard(void *be, uint32_t max) { RTE_SET_USED(be); return max; }

static const struct netdma_backend_ops wdk_ops = {
	.copy = be_copy, .submit = be_submit, .capacity = be_capacity,
	.completed = be_completed, .discard = be_discard, .synchronous = true,
};

static NTSTATUS
WdkSetAffinity(PVOID ctx, PNET_DMA_CHANNEL_CPU_AFFINITY arr, ULONG size)
{
	RTE_SET_USED(ctx);
	if (size < sizeof(*arr))
		return STATUS_UNSUCCESSFUL;
	wdk_affinity_cpu = arr[0].cpu_number;
	return STATUS_SUCCESS;
}

static NTSTATUS
WdkAllocate(PVOID ctx, PNET_DMA_CHANNEL_PARAMETERS p, PVOID handle, PVOID *out)
{
	struct netdma_engine_conf ec = { .ring_size = 64, .socket = NETDMA_SOCKET_ANY };
	int lcore = netdma_pick_lcore((struct netdma_channel_params *)(void *)p, (int)wdk_affinity_cpu);

	RTE_SET_USED(ctx);
	netdma_engine_conf_from_chan(&ec, handle);
	if (lcore < 0 ||
	    netdma_engine_init(&wdk_eng, &ec, &netdma_engine_host_dpdk, &wdk_ops, NULL, handle) < 0)
		return STATUS_INSUFFICIENT_RESOURCES;
	p->CpuNumber = (ULONG)lcore;
	wdk_handle = handle;
	*out = &wdk_eng;
	return STATUS_SUCCESS;
}

static VOID WdkFree(PVOID c) { netdma_engine_fini(c); }

static NTSTATUS
WdkStart(PVOID c, PNET_DMA_DESCRIPTOR va, PHYSICAL_ADDRESS pa, ULONG n)
{
	RTE_SET_USED(va);
	return netdma_engine_start(c, (netdma_iova_t)pa.QuadPart, n) == 0 ?
		STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

static NTSTATUS
WdkAppend(PVOID c, PNET_DMA_DESCRIPTOR va, PHYSICAL_ADDRESS pa, ULONG n)
{
	RTE_SET_USED(va);
	return netdma_engine_append(c, (netdma_iova_t)pa.QuadPart, n) == 0 ?
		STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

/* Suspend is optional: this provider leaves it out, so the library says -ENOTSUP */
static int WdkPoll(PVOID c) { return netdma_engine_poll(c); }
static int WdkQuery(PVOID c, struct netdma_chan_progress *p) { return netdma_engine_query(c, p); }

static void
w_wdk_provider(void)
{
	NET_DMA_PROVIDER_CHARACTERISTICS ch;
	NET_DMA_PROVIDER_ATTRIBUTES attr;
	PVOID h = NULL;
	struct backend wb = { .name = "wdk", .major = 2 };
	netdma_iova_t last;
	int id;

	memset(&ch, 0, sizeof(ch));
	ch.MajorVersion = 2;
	ch.MinorVersion = 0;
	ch.Size = sizeof(ch);
	ch.MaxDmaChannelCount = 1;
	ch.SetDmaChannelCpuAffinity = WdkSetAffinity;
	ch.AllocateDmaChannel = WdkAllocate;
	ch.FreeDmaChannel = WdkFree;
	ch.StartDma = WdkStart;
	ch.AppendDma = WdkAppend;
	ch.FriendlyName.Buffer = "wdk-port";
	ch.FriendlyName.Length = 8;
	ch.PollDmaChannel = WdkPoll;
	ch.QueryDmaChannel = WdkQuery;
	CU_ASSERT_EQUAL_FATAL(NetDmaRegisterProvider(NULL, &h, &ch), STATUS_SUCCESS);
	CU_ASSERT(rte_lcore_is_enabled(wdk_affinity_cpu));   /* called inside Register */
	memset(&attr, 0, sizeof(attr));
	attr.Size = sizeof(attr);
	attr.DmaChannelCount = 1;
	attr.MaximumTransferSize = 65536;
	NetDmaProviderStart(h, &attr);
	CU_ASSERT_EQUAL(NetDmaGetVersion(), 0x00020000u);

	id = netdma_provider_find("wdk-port");
	CU_ASSERT_FATAL(id >= 0);
	wb.id = (uint32_t)id;
	B = &wb;
	fix_setup();
	NEED_FIX();
	chain(0, 8, NETDMA_F_STATUS_UPDATE_ON_COMPLETION | NET_DMA_INTERRUPT_ON_COMPLETION);
	CU_ASSERT_EQUAL(netdma_chan_start(F.ch, F.d, 8), 0);
	CU_ASSERT_TRUE(wait_word(word(7, NetDmaTransferStatusIdle)));
	poll_n(1);
	CU_ASSERT_TRUE(blocks_copied(0, 8));
	CU_ASSERT_EQUAL(wdk_copies, 8);
	CU_ASSERT_EQUAL(F.irq_pa, IO(&F.d[7]));
	CU_ASSERT_EQUAL(netdma_chan_suspend(F.ch, &last), -ENOTSUP);
	/* the WDK DPC entry point with a 0 address halts the channel (spec §2.6) */
	{
		PHYSICAL_ADDRESS zero = { .QuadPart = 0 };

		NetDmaInterruptDpc(wdk_handle, zero);
		poll_n(1);
		CU_ASSERT_EQUAL(F.irqs, 2);
		CU_ASSERT_EQUAL(F.irq_pa, 0);
		CU_ASSERT_EQUAL(netdma_chan_append(F.ch, &F.d[8], 1), -EPERM);
	}
	fix_teardown();
	NetDmaDeregisterProvider(h);   /* refused: still started */
	CU_ASSERT_EQUAL(netdma_provider_find("wdk-port"), id);
	NetDmaProviderStop(h);
	NetDmaDeregisterProvider(h);
	CU_ASSERT_EQUAL(netdma_provider_find("wdk-port"), -ENOENT);
}

/* drivers/dmadev: a full device ring holds work in the channel; nothing is lost */
static void
w_dmadev_ring_full(void)
{
	struct backend rb = { .name = "skeleton-small-ring", .kind = BE_DMADEV, .major = 1, .minor = 1 };
	struct netdma_dmadev_conf c = { .name = rb.name, .major_version = 1, .minor_version = 1,
					.ring_size = 32, .burst = 256 };
	struct netdma_chan_stats st;
	unsigned int round;

	struct netdma_dmadev_provider *p = NULL;

	CU_ASSERT_EQUAL_FATAL(netdma_dmadev_provider_create(0, &c, &p), 0);
	rb.provider = p;
	rb.id = netdma_dmadev_provider_id(p);
	B = &rb;
	fix_setup();
	NEED_FIX();
	for (round = 0; round < 4; round++) {
		memset(F.dst, 0, MAXD * BLK);
		chain(0, MAXD, NETDMA_F_STATUS_UPDATE_ON_COMPLETION);   /* 64 > 32 slots */
		CU_ASSERT_EQUAL_FATAL(netdma_chan_start(F.ch, F.d, MAXD), 0);
		/* same addresses each round: the word alone cannot tell rounds apart */
		CU_ASSERT_TRUE(wait_idle_engine());
		CU_ASSERT_EQUAL(netdma_completion_read(F.cw), word(MAXD - 1, NETDMA_STATUS_IDLE));
		CU_ASSERT_TRUE(blocks_copied(0, MAXD));
	}
	CU_ASSERT_EQUAL(netdma_chan_stats_get(F.ch, &st), 0);
	CU_ASSERT_EQUAL(st.descriptors_retired, 4 * MAXD);
	CU_ASSERT_EQUAL(st.bytes_copied, 4ull * MAXD * BLK);
	fix_teardown();
	CU_ASSERT_EQUAL(netdma_dmadev_provider_destroy(p), 0);
}

int
conf_add_wdk(void)
{
	CU_pSuite s = CU_add_suite("WDK names and ring limits", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "provider written with WDK names", w_wdk_provider) ||
	    !CU_add_test(s, "dmadev ring full (32 slots, 64-descriptor chain)", w_dmadev_ring_full))
		return -1;
	return 0;
}
