/* SPDX-License-Identifier: BSD-3-Clause */
/* Completion word encoding (spec §5.2, §6.1) and structure layouts (spec §4). */
#include <stddef.h>
#include <string.h>

#include "netdma.h"
#include "unit.h"

/* spec §5.2: the five statuses and their numeric values */
static void
test_status_values(void)
{
	CU_ASSERT_EQUAL(NETDMA_STATUS_ACTIVE, 0);
	CU_ASSERT_EQUAL(NETDMA_STATUS_IDLE, 1);
	CU_ASSERT_EQUAL(NETDMA_STATUS_SUSPEND, 2);
	CU_ASSERT_EQUAL(NETDMA_STATUS_HALTED, 3);
	CU_ASSERT_EQUAL(NETDMA_STATUS_ARMED, 4);
	CU_ASSERT_EQUAL(NETDMA_TRANSFER_STATUS_MASK, 7);
}

/* spec §6.1: word = PA of the last retired descriptor | status; round trip */
static void
test_encode_round_trip(void)
{
	netdma_iova_t pa = 0x123456789ac0ull;
	int st;

	for (st = NETDMA_STATUS_ACTIVE; st <= NETDMA_STATUS_ARMED; st++) {
		uint64_t w = netdma_completion_encode(pa, st);

		CU_ASSERT_EQUAL(w, pa | (uint64_t)st);
		CU_ASSERT_EQUAL((int)netdma_completion_status(w), st);
		CU_ASSERT_EQUAL(netdma_completion_address(w), pa);
	}
}

/* spec §12.1: address with ~0x3F, status with 0x7: stray low bits never leak */
static void
test_encode_masks(void)
{
	uint64_t w = netdma_completion_encode(0x1000 | 0x3F, NETDMA_STATUS_IDLE);

	CU_ASSERT_EQUAL(w, 0x1001);
	CU_ASSERT_EQUAL(netdma_completion_address(0xFFFFull), 0xFFC0ull);
	CU_ASSERT_EQUAL(netdma_completion_status(0xFFFFull), 7);
	/* I/OAT error bits 3 and 4 do not change the 3-bit status (spec §9.3) */
	CU_ASSERT_EQUAL(netdma_completion_status(0x1000 | 0x18 | 3), NETDMA_STATUS_HALTED);
}

static void
test_completion_read(void)
{
	volatile uint64_t w = netdma_completion_encode(0x4000, NETDMA_STATUS_SUSPEND);

	CU_ASSERT_EQUAL(netdma_completion_read(&w), 0x4002);
}

static void
test_status_names(void)
{
	CU_ASSERT_STRING_EQUAL(netdma_status_name(NETDMA_STATUS_ACTIVE), "active");
	CU_ASSERT_STRING_EQUAL(netdma_status_name(NETDMA_STATUS_IDLE), "idle");
	CU_ASSERT_STRING_EQUAL(netdma_status_name(NETDMA_STATUS_SUSPEND), "suspend");
	CU_ASSERT_STRING_EQUAL(netdma_status_name(NETDMA_STATUS_HALTED), "halted");
	CU_ASSERT_STRING_EQUAL(netdma_status_name(NETDMA_STATUS_ARMED), "armed");
	CU_ASSERT_STRING_EQUAL(netdma_status_name(5), "reserved");
}

/* spec §4.1 and §9.1: the descriptor is byte-for-byte the I/OAT copy descriptor */
static void
test_descriptor_layout(void)
{
	CU_ASSERT_EQUAL(sizeof(struct netdma_descriptor), 64);
	CU_ASSERT_EQUAL(_Alignof(struct netdma_descriptor), 64);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, transfer_size), 0x00);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, control_flags), 0x04);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, source_address), 0x08);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, destination_address), 0x10);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, next_descriptor), 0x18);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, next_source_address), 0x20);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, reserved1), 0x20);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, next_destination_address), 0x28);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, user_context1), 0x30);
	CU_ASSERT_EQUAL(offsetof(struct netdma_descriptor, user_context2), 0x38);
}

/* the DCA views share dword 0 with TransferSize (spec §4.1) */
static void
test_descriptor_dca_view(void)
{
	struct netdma_descriptor d;

	memset(&d, 0, sizeof(d));
	d.transfer_size = 0x12345678;
	CU_ASSERT_EQUAL(d.dca_context32, 0x12345678);
	CU_ASSERT_EQUAL(d.dca_context8, 0x78);
}

/* spec §4.3, §4.5, §4.6 (x64 offsets) */
static void
test_other_layouts(void)
{
	CU_ASSERT_EQUAL(sizeof(struct netdma_channel_params), 0x38);
	CU_ASSERT_EQUAL(offsetof(struct netdma_channel_params, cpu_number), 0x20);
	CU_ASSERT_EQUAL(offsetof(struct netdma_channel_params, processor_affinity_mask_ex), 0x28);
	CU_ASSERT_EQUAL(NETDMA_CHANNEL_PARAMS_SIZE_REV1, 36);
	CU_ASSERT_EQUAL(NETDMA_CHANNEL_PARAMS_SIZE_REV2, 56);
	CU_ASSERT_EQUAL(sizeof(struct netdma_provider_attributes), 32);
	CU_ASSERT_EQUAL(offsetof(struct netdma_provider_attributes, maximum_address_space), 0x18);
	CU_ASSERT_EQUAL(sizeof(struct netdma_pnp_notification), 32);
	CU_ASSERT_EQUAL(offsetof(struct netdma_pnp_notification, buffer_length), 0x18);
	CU_ASSERT_EQUAL(sizeof(struct netdma_channel_cpu_affinity), 8);
}

/* spec §5.1, §5.3, §5.5, §2.7: numeric values carry over unchanged */
static void
test_constant_values(void)
{
	CU_ASSERT_EQUAL(NETDMA_F_INTERRUPT_ON_COMPLETION, 0x1);
	CU_ASSERT_EQUAL(NETDMA_F_SOURCE_NO_SNOOP, 0x2);
	CU_ASSERT_EQUAL(NETDMA_F_DESTINATION_NO_SNOOP, 0x4);
	CU_ASSERT_EQUAL(NETDMA_F_STATUS_UPDATE_ON_COMPLETION, 0x8);
	CU_ASSERT_EQUAL(NETDMA_F_SERIALIZE_TRANSFER, 0x10);
	CU_ASSERT_EQUAL(NETDMA_F_NULL_TRANSFER, 0x20);
	CU_ASSERT_EQUAL(NETDMA_F_SOURCE_PAGE_BREAK, 0x40);
	CU_ASSERT_EQUAL(NETDMA_F_DESTINATION_PAGE_BREAK, 0x80);
	CU_ASSERT_EQUAL(NETDMA_F_DESTINATION_DCA_ENABLE, 0x200);
	CU_ASSERT_EQUAL(NETDMA_OP_TYPE_CONTEXT_CHANGE, 0xFF000000u);
	CU_ASSERT_EQUAL(NETDMA_F_RESERVED_MASK, 0x00FFFD00u);
	CU_ASSERT_EQUAL(NETDMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED, 1);
	CU_ASSERT_EQUAL(NETDMA_PROVIDER_SUPPORTS_PROC_GROUPS, 2);
	CU_ASSERT_EQUAL(NETDMA_PNP_PROVIDER_REGISTERED, 1);
	CU_ASSERT_EQUAL(NETDMA_PNP_PROVIDER_POWER_DOWN, 5);
	CU_ASSERT_EQUAL(NETDMA_PNP_PROVIDER_POWER_UP, 6);
	CU_ASSERT_EQUAL(NETDMA_PNP_MAX, 7);
	CU_ASSERT_EQUAL(NETDMA_MAKE_VERSION(2, 0), 0x00020000u);
}

int
unit_add_completion(void)
{
	CU_pSuite s = CU_add_suite("completion word and layouts", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "status values", test_status_values) ||
	    !CU_add_test(s, "encode round trip", test_encode_round_trip) ||
	    !CU_add_test(s, "encode masks", test_encode_masks) ||
	    !CU_add_test(s, "acquire read", test_completion_read) ||
	    !CU_add_test(s, "status names", test_status_names) ||
	    !CU_add_test(s, "descriptor layout", test_descriptor_layout) ||
	    !CU_add_test(s, "descriptor DCA view", test_descriptor_dca_view) ||
	    !CU_add_test(s, "other layouts", test_other_layouts) ||
	    !CU_add_test(s, "constant values", test_constant_values))
		return -1;
	return 0;
}
