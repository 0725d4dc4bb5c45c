/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire encoders of lib/netdma_proto: what the daemon writes the client
 * reads back, field for field, and a reply cannot make the reader overrun.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netdma_proto.h"
#include "unit.h"

/* every counter a distinct value: a field dropped either way reads back 0 */
static void
test_stats_round_trip(void)
{
	const struct netdma_chan_stats in = {
		.starts = 1, .appends = 2, .descriptors_retired = 3, .bytes_copied = 4,
		.interrupts = 5, .errors = 6, .outstanding = 7, .completion_word = 8,
		.state = NETDMA_CHAN_SUSPENDED,
	};
	struct netdma_reply_chan_stats r;
	struct netdma_chan_stats out;

	memset(&r, 0, sizeof(r));   /* a field encode drops reads 0 */
	memset(&out, 0xff, sizeof(out));
	netdma_proto_stats_encode(&r, &in, "why it failed");
	netdma_proto_stats_decode(&r, &out);
	CU_ASSERT_EQUAL(out.starts, in.starts);
	CU_ASSERT_EQUAL(out.appends, in.appends);
	CU_ASSERT_EQUAL(out.descriptors_retired, in.descriptors_retired);
	CU_ASSERT_EQUAL(out.bytes_copied, in.bytes_copied);
	CU_ASSERT_EQUAL(out.interrupts, in.interrupts);
	CU_ASSERT_EQUAL(out.errors, in.errors);
	CU_ASSERT_EQUAL(out.outstanding, in.outstanding);
	CU_ASSERT_EQUAL(out.state, in.state);
	CU_ASSERT_EQUAL(out.completion_word, 0);   /* not on the wire */
	CU_ASSERT_STRING_EQUAL(r.last_error, "why it failed");
}

static void
test_providers_round_trip(void)
{
	struct netdma_provider_info in[2], out[NETDMA_PROTO_PROVIDERS_PAGE];
	struct netdma_reply_providers r;
	uint32_t more = 99;
	unsigned int k;

	memset(in, 0, sizeof(in));
	for (k = 0; k < 2; k++) {
		in[k].id = 10 + k;
		snprintf(in[k].name, sizeof(in[k].name), "prov%u", k);
		in[k].major_version = 2;
		in[k].minor_version = (uint8_t)(1 + k);
		in[k].started = true;
		in[k].powered_down = k == 1;
		in[k].flags = 0x40 + k;
		in[k].channel_count = 20 + k;
		in[k].channels_in_use = 30 + k;
		in[k].maximum_transfer_size = 4096 * (k + 1);
		in[k].maximum_address_space = 1;
	}
	memset(&r, 0, sizeof(r));   /* a field encode drops reads 0 */
	memset(out, 0xff, sizeof(out));
	netdma_proto_providers_encode(&r, in, 2);
	CU_ASSERT_EQUAL(netdma_proto_providers_decode(&r, 10, out, &more), 2);
	CU_ASSERT_EQUAL(more, 0);
	for (k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(out[k].id, in[k].id);
		CU_ASSERT_STRING_EQUAL(out[k].name, in[k].name);
		CU_ASSERT_EQUAL(out[k].major_version, in[k].major_version);
		CU_ASSERT_EQUAL(out[k].minor_version, in[k].minor_version);
		CU_ASSERT_EQUAL(out[k].started, in[k].started);
		CU_ASSERT_EQUAL(out[k].powered_down, in[k].powered_down);
		CU_ASSERT_EQUAL(out[k].flags, in[k].flags);
		CU_ASSERT_EQUAL(out[k].channel_count, in[k].channel_count);
		CU_ASSERT_EQUAL(out[k].channels_in_use, in[k].channels_in_use);
		CU_ASSERT_EQUAL(out[k].maximum_transfer_size, in[k].maximum_transfer_size);
		CU_ASSERT_EQUAL(out[k].maximum_address_space, 0);   /* not on the wire */
	}
	/* the third entry was not in the reply: untouched */
	CU_ASSERT_EQUAL(out[2].id, UINT32_MAX);
}

/* More providers than a page: the first page, and how many follow. */
static void
test_providers_paged(void)
{
	struct netdma_provider_info in[NETDMA_PROTO_PROVIDERS_PAGE + 8], out[NETDMA_PROTO_PROVIDERS_PAGE];
	struct netdma_reply_providers r;
	uint32_t more = 0;
	unsigned int k;

	memset(in, 0, sizeof(in));
	for (k = 0; k < NETDMA_PROTO_PROVIDERS_PAGE + 8; k++) {
		in[k].id = 3 * k;
		snprintf(in[k].name, sizeof(in[k].name), "dma_skeleton%u", k);
	}
	memset(&r, 0, sizeof(r));
	netdma_proto_providers_encode(&r, in, NETDMA_PROTO_PROVIDERS_PAGE + 8);
	CU_ASSERT_EQUAL(r.count, NETDMA_PROTO_PROVIDERS_PAGE);
	CU_ASSERT_EQUAL(netdma_proto_providers_decode(&r, 0, out, &more), NETDMA_PROTO_PROVIDERS_PAGE);
	CU_ASSERT_EQUAL(more, 8);
	CU_ASSERT_EQUAL(out[NETDMA_PROTO_PROVIDERS_PAGE - 1].id, 3 * (NETDMA_PROTO_PROVIDERS_PAGE - 1));
	CU_ASSERT_STRING_EQUAL(out[NETDMA_PROTO_PROVIDERS_PAGE - 1].name, "dma_skeleton15");
	/* the next page, as the daemon answers a request from the last id + 1 */
	netdma_proto_providers_encode(&r, in + NETDMA_PROTO_PROVIDERS_PAGE, 8);
	CU_ASSERT_EQUAL(netdma_proto_providers_decode(&r, 3 * (NETDMA_PROTO_PROVIDERS_PAGE - 1) + 1,
						      out, &more), 8);
	CU_ASSERT_EQUAL(more, 0);
	CU_ASSERT_STRING_EQUAL(out[7].name, "dma_skeleton23");
}

/*
 * A daemon's count past the page, ids the client did not ask for or out of
 * order (a client paging on them could loop), a name without its NUL.
 */
static void
test_providers_hostile_reply(void)
{
	struct netdma_provider_info out[NETDMA_PROTO_PROVIDERS_PAGE];
	struct netdma_reply_providers r;
	uint32_t more;
	unsigned int k;

	memset(&r, 'x', sizeof(r));
	r.count = 1000;
	CU_ASSERT_EQUAL(netdma_proto_providers_decode(&r, 0, out, &more), -EBADMSG);
	r.count = NETDMA_PROTO_PROVIDERS_PAGE + 1;
	CU_ASSERT_EQUAL(netdma_proto_providers_decode(&r, 0, out, &more), -EBADMSG);
	for (k = 0; k < NETDMA_PROTO_PROVIDERS_PAGE; k++)
		r.p[k].id = 100 + k;
	r.count = 2;
	CU_ASSERT_EQUAL(netdma_proto_providers_decode(&r, 101, out, &more), -EBADMSG);   /* below first */
	r.p[1].id = 100;
	CU_ASSERT_EQUAL(netdma_proto_providers_decode(&r, 100, out, &more), -EBADMSG);   /* not ascending */
	r.p[1].id = 101;
	CU_ASSERT_EQUAL(netdma_proto_providers_decode(&r, 100, out, &more), 2);
	CU_ASSERT_EQUAL(strlen(out[0].name), sizeof(r.p[0].name) - 1);
}

int
unit_add_proto(void)
{
	CU_pSuite s = CU_add_suite("wire replies", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "stats round trip", test_stats_round_trip) ||
	    !CU_add_test(s, "providers round trip", test_providers_round_trip) ||
	    !CU_add_test(s, "providers a page at a time", test_providers_paged) ||
	    !CU_add_test(s, "providers hostile reply", test_providers_hostile_reply))
		return -1;
	return 0;
}
