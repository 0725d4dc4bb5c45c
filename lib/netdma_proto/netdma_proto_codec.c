/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replies that carry the consumer API's structs: each field is written to
 * the wire here and read back here, once per direction, for the daemon and
 * the client alike.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netdma_proto.h"

static_assert(sizeof(((struct netdma_proto_provider *)0)->name) ==
	      sizeof(((struct netdma_provider_info *)0)->name), "provider names fit both ways");

void
netdma_proto_providers_encode(struct netdma_reply_providers *r,
			      const struct netdma_provider_info *infos, unsigned int n)
{
	unsigned int k;

	r->count = n < NETDMA_PROTO_PROVIDERS_PAGE ? n : NETDMA_PROTO_PROVIDERS_PAGE;
	r->more = n - r->count;
	for (k = 0; k < r->count; k++) {
		struct netdma_proto_provider *p = &r->p[k];
		const struct netdma_provider_info *i = &infos[k];

		p->id = i->id;
		p->major_version = i->major_version;
		p->minor_version = i->minor_version;
		p->started = i->started;
		p->powered_down = i->powered_down;
		p->channel_count = i->channel_count;
		p->channels_in_use = i->channels_in_use;
		p->maximum_transfer_size = i->maximum_transfer_size;
		p->flags = i->flags;
		memcpy(p->name, i->name, sizeof(p->name));
	}
}

int
netdma_proto_providers_decode(const struct netdma_reply_providers *r, uint32_t first,
			      struct netdma_provider_info *page, uint32_t *more)
{
	unsigned int k;

	/* the daemon's count and ids are checked before use: the client pages on them */
	if (r->count > NETDMA_PROTO_PROVIDERS_PAGE)
		return -EBADMSG;
	for (k = 0; k < r->count; k++) {
		const struct netdma_proto_provider *p = &r->p[k];
		struct netdma_provider_info *i = &page[k];

		if (p->id < first || (k > 0 && p->id <= r->p[k - 1].id))
			return -EBADMSG;
		memset(i, 0, sizeof(*i));
		i->id = p->id;
		snprintf(i->name, sizeof(i->name), "%.*s", (int)sizeof(p->name) - 1, p->name);
		i->major_version = p->major_version;
		i->minor_version = p->minor_version;
		i->started = p->started;
		i->powered_down = p->powered_down;
		i->flags = p->flags;
		i->channel_count = p->channel_count;
		i->channels_in_use = p->channels_in_use;
		i->maximum_transfer_size = p->maximum_transfer_size;
	}
	*more = r->more;
	return (int)r->count;
}

void
netdma_proto_stats_encode(struct netdma_reply_chan_stats *r, const struct netdma_chan_stats *st,
			  const char *last_error)
{
	r->starts = st->starts;
	r->appends = st->appends;
	r->descriptors_retired = st->descriptors_retired;
	r->bytes_copied = st->bytes_copied;
	r->interrupts = st->interrupts;
	r->errors = st->errors;
	r->outstanding = st->outstanding;
	r->state = st->state;
	snprintf(r->last_error, sizeof(r->last_error), "%s", last_error);
}

void
netdma_proto_stats_decode(const struct netdma_reply_chan_stats *r, struct netdma_chan_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->starts = r->starts;
	st->appends = r->appends;
	st->descriptors_retired = r->descriptors_retired;
	st->bytes_copied = r->bytes_copied;
	st->interrupts = r->interrupts;
	st->errors = r->errors;
	st->outstanding = r->outstanding;
	st->state = r->state;
}
