/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DMA-visible memory for clients: memfd regions registered with netdmad,
 * and a small first-fit allocator over them.  IOVA = region IOVA base +
 * offset (the daemon maps the region and answers with its base).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client_internal.h"

#define REGION_MIN   (4u << 20)   /* the data pool's first region */
#define BLK_HDR      64u          /* keeps every block 64-byte aligned */

struct free_blk {
	struct free_blk *next;
	size_t size;                  /* whole block, header included */
};

/* Header in front of every allocation. */
struct blk_hdr {
	size_t size;                  /* whole block */
	struct client_region *r;
};

static size_t
round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * A memfd of @p size, sealed at that size (netdmad maps only memfds that
 * cannot shrink under it), mapped shared and populated; @return the fd or -1.
 */
static int
map_memfd(size_t size, unsigned int flags, void **base)
{
	int fd = memfd_create("netdma", MFD_CLOEXEC | MFD_ALLOW_SEALING | flags), err;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) == 0 &&
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0) {
		*base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
		if (*base != MAP_FAILED)
			return fd;
	}
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* Register @p fd as a region; @return 0 or the daemon's -errno. */
static int
region_register(int fd, size_t size, uint32_t kind, struct netdma_reply_region_add *rep)
{
	struct netdma_msg_region_add m;

	netdma_cl_hdr(&m, NETDMA_MSG_REGION_ADD, sizeof(m));
	m.size = size;
	m.kind = kind;
	return netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_REGION_ADD, fd, rep, sizeof(*rep), NULL);
}

/* Map a fresh memfd and register it with the daemon. */
struct client_region *
netdma_cl_region_new(size_t size, uint32_t kind)
{
	struct netdma_reply_region_add rep;
	struct client_region *r;
	int fd, ret = -ENOMEM;

	size = round_up(size, 4096);
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	/*
	 * NETDMA_HUGETLB=1: data regions in 2 MiB hugepages (fewer IOTLB
	 * misses), where the machine has them and the daemon takes them
	 * ([limits] hugetlb_regions); else 4 KiB pages.
	 */
	if (kind == NETDMA_REGION_DATA && getenv("NETDMA_HUGETLB") != NULL &&
	    strcmp(getenv("NETDMA_HUGETLB"), "1") == 0) {
		r->size = round_up(size, 2u << 20);
		fd = map_memfd(r->size, MFD_HUGETLB, &r->base);
		if (fd >= 0) {
			ret = region_register(fd, r->size, kind, &rep);
			close(fd);   /* the daemon holds its own reference now */
			if (ret < 0)
				munmap(r->base, r->size);
		}
	}
	if (ret < 0 && ret != -ENOTCONN && ret != -ECONNRESET) {
		r->size = size;
		fd = map_memfd(size, 0, &r->base);
		if (fd < 0) {
			free(r);
			return NULL;
		}
		ret = region_register(fd, size, kind, &rep);
		close(fd);
		if (ret < 0)
			munmap(r->base, size);
	}
	if (ret < 0) {
		free(r);
		errno = -ret;
		return NULL;
	}
	r->kind = kind;
	r->id = rep.region_id;
	r->iova = rep.iova_base;
	pthread_mutex_lock(&netdma_cl_state.lock);
	r->next = netdma_cl_state.regions;
	__atomic_store_n(&netdma_cl_state.regions, r, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&netdma_cl_state.lock);
	return r;
}

/* Unmap only: unregistering is the caller's business (see client_chan.c). */
void
netdma_cl_region_del(struct client_region *r)
{
	munmap(r->base, r->size);
	free(r);
}

struct client_region *
netdma_cl_region_of(const void *p, size_t len)
{
	struct client_region *r;
	uintptr_t a = (uintptr_t)p;

	for (r = __atomic_load_n(&netdma_cl_state.regions, __ATOMIC_ACQUIRE); r != NULL; r = r->next)
		if (a >= (uintptr_t)r->base && len <= r->size && a - (uintptr_t)r->base <= r->size - len)
			return r;
	return NULL;
}

netdma_iova_t
netdma_virt2iova(const void *va)
{
	struct client_region *r = netdma_cl_region_of(va, 1);

	if (r == NULL || r->kind != NETDMA_REGION_DATA)
		return NETDMA_BAD_IOVA;
	return r->iova + ((uintptr_t)va - (uintptr_t)r->base);
}

static void *
carve(struct client_region *r, size_t need)
{
	struct free_blk **pp, *b;
	struct blk_hdr *h;

	for (pp = &r->free; (b = *pp) != NULL; pp = &b->next)
		if (b->size >= need) {
			*pp = b->next;
			h = (struct blk_hdr *)(void *)b;
			h->size = b->size;
			memset((char *)h + BLK_HDR, 0, h->size - BLK_HDR);   /* zeroed, as promised */
			h->r = r;
			return (char *)h + BLK_HDR;
		}
	if (r->size - r->bump < need)
		return NULL;
	h = (struct blk_hdr *)(void *)((char *)r->base + r->bump);
	r->bump += need;
	h->size = need;
	h->r = r;
	return (char *)h + BLK_HDR;   /* fresh memfd pages are zero */
}

static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;

void *
netdma_mem_alloc(size_t size, size_t align)
{
	struct client_region *r;
	size_t need;
	void *p = NULL;

	if (size == 0 || (align != 0 && (align & (align - 1))) || align > 4096 ||
	    netdma_cl_ensure() < 0)
		return NULL;
	/* blocks start on 64 bytes; a larger alignment needs its own slack */
	need = round_up(size + BLK_HDR + (align > BLK_HDR ? align : 0), BLK_HDR);
	pthread_mutex_lock(&alloc_lock);
	for (r = netdma_cl_state.regions; r != NULL && p == NULL; r = r->next)
		if (r->kind == NETDMA_REGION_DATA)
			p = carve(r, need);
	if (p == NULL) {
		/* double the pool each time: regions are few ([quota] regions) */
		size_t grow = REGION_MIN;

		for (r = netdma_cl_state.regions; r != NULL; r = r->next)
			if (r->kind == NETDMA_REGION_DATA && grow < ((size_t)1 << 30))
				grow += r->size;
		r = netdma_cl_region_new(need > grow ? need : grow, NETDMA_REGION_DATA);
		if (r != NULL)
			p = carve(r, need);
	}
	pthread_mutex_unlock(&alloc_lock);
	if (p != NULL && align > BLK_HDR && ((uintptr_t)p & (align - 1))) {
		/* move the header up so the pointer is aligned; keep the block size */
		struct blk_hdr *h = (struct blk_hdr *)(void *)((char *)p - BLK_HDR);
		uintptr_t aligned = round_up((uintptr_t)p, align);
		struct blk_hdr *nh = (struct blk_hdr *)(aligned - BLK_HDR);
		size_t shift = aligned - (uintptr_t)p;

		nh->r = h->r;
		nh->size = h->size - shift;
		/* the skipped head goes back to the free list */
		if (shift >= sizeof(struct free_blk)) {
			struct free_blk *fb = (struct free_blk *)(void *)h;

			pthread_mutex_lock(&alloc_lock);
			fb->size = shift;
			fb->next = nh->r->free;
			nh->r->free = fb;
			pthread_mutex_unlock(&alloc_lock);
		}
		p = (void *)aligned;
	}
	return p;
}

void
netdma_mem_free(void *ptr)
{
	struct blk_hdr *h;
	struct free_blk *b;
	struct client_region *r;

	if (ptr == NULL)
		return;
	h = (struct blk_hdr *)(void *)((char *)ptr - BLK_HDR);
	r = h->r;
	b = (struct free_blk *)(void *)h;
	b->size = h->size;
	pthread_mutex_lock(&alloc_lock);
	b->next = r->free;
	r->free = b;
	pthread_mutex_unlock(&alloc_lock);
}

void
netdma_cl_region_release(struct client_region *r)
{
	struct netdma_msg_region_del m;
	struct netdma_reply_hdr rep;
	struct client_region **pp;

	netdma_cl_hdr(&m, NETDMA_MSG_REGION_DEL, sizeof(m));
	m.region_id = r->id;
	netdma_cl_rpc(&m, sizeof(m), NETDMA_MSG_REGION_DEL, -1, &rep, sizeof(rep), NULL);
	pthread_mutex_lock(&netdma_cl_state.lock);
	for (pp = &netdma_cl_state.regions; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	pthread_mutex_unlock(&netdma_cl_state.lock);
	netdma_cl_check_regions_changed();   /* before the memory goes */
	netdma_cl_region_del(r);
}
