/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command-ring slots.  The daemon caps the regions a client may register,
 * so rings share control regions: 64 slots of 4 KiB each, a bitmap of the
 * slots in use, the region given back once its last ring is.
 */
#include <errno.h>
#include <string.h>

#include "client_internal.h"

_Static_assert(CLIENT_RING_SLOTS <= 64, "one bitmap word per control region");

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;

static struct client_region *
region_with_free_slot(void)
{
	struct client_region *r;

	pthread_mutex_lock(&netdma_cl_state.lock);
	for (r = netdma_cl_state.regions; r != NULL; r = r->next)
		if (r->kind == NETDMA_REGION_CONTROL && r->size >= CLIENT_RING_SLOT * CLIENT_RING_SLOTS &&
		    r->ring_slots != UINT64_MAX)
			break;
	pthread_mutex_unlock(&netdma_cl_state.lock);
	return r;
}

struct netdma_cmd_ring *
netdma_cl_ring_get(struct client_region **region, uint64_t *offset)
{
	struct client_region *r;
	unsigned int slot;
	void *p;

	pthread_mutex_lock(&ring_lock);
	r = region_with_free_slot();
	if (r == NULL)
		r = netdma_cl_region_new(CLIENT_RING_SLOT * CLIENT_RING_SLOTS, NETDMA_REGION_CONTROL);
	if (r == NULL) {
		pthread_mutex_unlock(&ring_lock);
		return NULL;   /* errno from netdma_cl_region_new */
	}
	slot = (unsigned int)__builtin_ctzll(~r->ring_slots);
	r->ring_slots |= 1ull << slot;
	pthread_mutex_unlock(&ring_lock);
	*region = r;
	*offset = (uint64_t)slot * CLIENT_RING_SLOT;
	p = (char *)r->base + *offset;
	memset(p, 0, CLIENT_RING_SLOT);   /* a reused slot starts clean */
	return p;
}

void
netdma_cl_ring_put(struct client_region *r, uint64_t offset)
{
	bool last;

	pthread_mutex_lock(&ring_lock);
	r->ring_slots &= ~(1ull << (offset / CLIENT_RING_SLOT));
	last = r->ring_slots == 0;
	if (last)
		netdma_cl_region_release(r);
	pthread_mutex_unlock(&ring_lock);
}
