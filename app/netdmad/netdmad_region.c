/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client's memory: the regions it shares (sealed memfds, mapped here and
 * made DMA-visible), its completion words, and the address check every
 * descriptor of its channels must pass (DESIGN.md "The daemon trusts no
 * client", doc/security.rst).
 *
 * Threads: the main lcore adds and removes regions and completion words
 * under the client's seqlock; polling lcores read them lock-free in
 * client_addr_win().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "netdmad.h"
#include "netdmad_internal.h"

struct dregion *
region_get(struct dclient *cl, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < NETDMAD_MAX_REGIONS; i++)
		if (cl->regions[i].used && cl->regions[i].id == id)
			return &cl->regions[i];
	return NULL;
}

static bool
in_data_region(const struct dregion *r, netdma_iova_t iova, uint64_t len)
{
	return r->used && !r->dying && r->kind == NETDMA_REGION_DATA && iova >= (uintptr_t)r->va &&
		iova - (uintptr_t)r->va <= r->size - len && len <= r->size;
}

/*
 * Is [iova, iova+len) in one live data region and clear of every completion
 * word?  If so, @p w gets the widest window around it with the same answer:
 * the region, narrowed to the completion words on either side.
 */
static bool
checked_range_ok(struct dclient *cl, netdma_iova_t iova, uint64_t len, uint64_t *wlo, uint64_t *whi)
{
	uint32_t i, hint = __atomic_load_n(&cl->hint, __ATOMIC_RELAXED), n = cl->region_slots;
	const struct dregion *r = NULL;
	/* most descriptors of a chain land in the region the previous one did */
	if (hint < NETDMAD_MAX_REGIONS && in_data_region(&cl->regions[hint], iova, len))
		r = &cl->regions[hint];
	for (i = 0; i < n && i < NETDMAD_MAX_REGIONS && r == NULL; i++)
		if (in_data_region(&cl->regions[i], iova, len)) {
			r = &cl->regions[i];
			__atomic_store_n(&cl->hint, i, __ATOMIC_RELAXED);
		}
	if (r == NULL)
		return false;
	*wlo = (uintptr_t)r->va;
	*whi = (uintptr_t)r->va + r->size;
	/* a torn read of the set fails here, and the seqlock retries */
	return netdma_cw_set_clip(&cl->cws, iova, len, wlo, whi);
}

/*
 * A change to a client's regions or completion words.  The generation
 * moves first, so no poller takes a window from before the change once
 * it has begun.
 */
static void
mem_write_begin(struct dclient *cl)
{
	rte_seqlock_write_lock(&cl->mem_lock);
	__atomic_store_n(&cl->mem_gen, cl->mem_gen + 1, __ATOMIC_RELEASE);
}

static void
mem_write_end(struct dclient *cl)
{
	rte_seqlock_write_unlock(&cl->mem_lock);
}

/*
 * The engines' address check for this client's channels: [iova, iova+len)
 * inside one live data region, and not over a completion word.  @p lo/hi
 * get the window the answer holds for (netdma_range_win_t): the engine
 * trusts it for the rest of one poll pass, under the channel lock, and
 * region_del() marks a region dying, then waits on every channel's lock
 * before it unmaps.  A poller first asks its own window from the last
 * answer, valid while the client's memory generation has not moved (64
 * bits: it never comes back to a value a window was computed under, as
 * the seqlock's 32-bit count would after 2^31 changes).
 */
bool
client_addr_win(void *ctx, netdma_iova_t iova, uint64_t len, netdma_iova_t *wlo, netdma_iova_t *whi)
{
	struct dclient *cl = ctx;
	unsigned int lcore = rte_lcore_id();
	struct netdma_range_cache *w = lcore < RTE_MAX_LCORE ? &cl->win[lcore].c : NULL;
	uint64_t lo = 0, hi = 0, gen;
	uint32_t sn;
	bool ok;

	if (len == 0 || iova + len < iova)
		return false;
	gen = __atomic_load_n(&cl->mem_gen, __ATOMIC_ACQUIRE);
	if (w != NULL && w->gen == gen && netdma_range_cache_find(w, iova, len, wlo, whi))
		return true;
	do {
		sn = rte_seqlock_read_begin(&cl->mem_lock);
		gen = __atomic_load_n(&cl->mem_gen, __ATOMIC_RELAXED);
		ok = checked_range_ok(cl, iova, len, &lo, &hi);
	} while (rte_seqlock_read_retry(&cl->mem_lock, sn));
	if (ok && w != NULL) {
		netdma_range_cache_sync(w, gen);
		netdma_range_cache_put(w, lo, hi);
	}
	*wlo = lo;
	*whi = hi;
	return ok;
}

static void
region_release(struct dclient *cl, struct dregion *r)
{
	if (r->extmem) {
		if (r->kind == NETDMA_REGION_DATA)
			netdmad_dma_map(r->va, r->size, false);
		rte_extmem_unregister(r->va, r->size);
	}
	munmap(r->va, r->size);
	cl->region_bytes -= r->size;
	cl->nb_regions--;
	netdmad_stats.regions--;
	netdmad_stats.region_bytes -= r->size;
	memset(r, 0, sizeof(*r));
}

void
regions_release_all(struct dclient *cl)
{
	unsigned int i;

	for (i = 0; i < NETDMAD_MAX_REGIONS; i++)
		if (cl->regions[i].used)
			region_release(cl, &cl->regions[i]);
}

/*
 * Only a memfd sealed against shrinking: the daemon keeps the file mapped,
 * and a file that shrank under the mapping would kill the daemon with
 * SIGBUS the next time an engine, a poller or a completion touched it.
 */
static int
check_region_fd(int fd, uint64_t size, struct stat *st, char *why)
{
	struct statfs fs;
	int seals;

	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || fstatfs(fd, &fs) < 0 ||
	    (fs.f_type != TMPFS_MAGIC && fs.f_type != HUGETLBFS_MAGIC))
		return netdmad_refuse(why, -EINVAL, "region fd is not a memfd");
	/*
	 * No seal keeps a hugetlbfs file from having its pages punched out
	 * (fallocate) and the pool emptied under our mapping: SIGBUS again.
	 */
	if (fs.f_type == HUGETLBFS_MAGIC && !netdmad_conf->hugetlb_regions)
		return netdmad_refuse(why, -EPERM, "hugetlbfs memfds are refused: their pages can be "
				      "taken from under the daemon ([limits] hugetlb_regions, trusted "
				      "clients only)");
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0)
		return netdmad_refuse(why, -EINVAL, "region fd is not a memfd: create it with "
				      "memfd_create(MFD_ALLOW_SEALING) and seal it with F_SEAL_SHRINK");
	if (!(seals & F_SEAL_SHRINK))
		return netdmad_refuse(why, -EPERM, "region memfd is not sealed against shrinking: "
				      "fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) before registering it");
	if ((uint64_t)st->st_size < size)
		return netdmad_refuse(why, -EINVAL, "region of %" PRIu64 " bytes over a memfd of %"
				      PRIu64, size, (uint64_t)st->st_size);
	return 0;
}

/* Per-client quota and the cap of all clients, regions and bytes alike. */
static int
check_region_limits(const struct dclient *cl, uint64_t size, char *why)
{
	const struct netdmad_conf *c = netdmad_conf;

	if (cl->nb_regions >= c->quota_regions)
		return netdmad_refuse(why, -EDQUOT, "region quota: %u regions per client "
				      "([quota] regions); free one first", c->quota_regions);
	if (cl->region_bytes + size > c->quota_region_bytes)
		return netdmad_refuse(why, -EDQUOT, "region quota: %" PRIu64 " + %" PRIu64 " bytes over %"
				      PRIu64 " per client ([quota] region_bytes)", cl->region_bytes,
				      size, c->quota_region_bytes);
	if (netdmad_stats.regions >= c->max_regions)
		return netdmad_refuse(why, -ENOSPC, "all clients together hold %u regions, the "
				      "daemon's limit ([limits] regions); retry later", c->max_regions);
	if (netdmad_stats.region_bytes + size > c->max_region_bytes)
		return netdmad_refuse(why, -ENOSPC, "all clients together would hold more than %"
				      PRIu64 " bytes ([limits] region_bytes); retry later",
				      c->max_region_bytes);
	return 0;
}

/*
 * The page size EAL is told for a region: the largest power of two up to
 * 2 MiB that divides its size.  EAL keeps 48 bytes per page (12 MiB per
 * GiB of 4 KiB pages) and IOVA = VA either way.
 */
static size_t
extmem_page(uint64_t size)
{
	size_t pg = 2u << 20;

	while (pg > 4096 && size % pg != 0)
		pg >>= 1;
	return pg;
}

/*
 * Map @p size bytes of @p fd shared, at an address aligned to @p align, and
 * only that: no MAP_POPULATE, so only the pages the client touches are
 * committed.  @return the address, or NULL with errno.
 */
static void *
map_aligned(int fd, uint64_t size, size_t align)
{
	char *res = mmap(NULL, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0), *va;
	size_t head;

	if (res == MAP_FAILED)
		return NULL;
	va = (char *)RTE_ALIGN_CEIL((uintptr_t)res, align);
	head = (size_t)(va - res);
	if (mmap(va, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
		int err = errno;

		munmap(res, size + align);
		errno = err;
		return NULL;
	}
	if (head > 0)
		munmap(res, head);
	if (align - head > 0)
		munmap(va + size, align - head);
	return va;
}

int
region_add(struct dclient *cl, const struct netdma_msg_region_add *m, int fd,
	   struct netdma_reply_region_add *rep, char *why)
{
	struct dregion *r = NULL;
	struct stat st;
	unsigned int i;
	size_t pg;
	void *va;
	int ret;

	if (fd < 0)
		return netdmad_refuse(why, -EBADF, "REGION_ADD without its memfd");
	if ((m->kind != NETDMA_REGION_DATA && m->kind != NETDMA_REGION_CONTROL) || m->reserved)
		return netdmad_refuse(why, -EINVAL, "unknown region kind %u", m->kind);
	if (m->size == 0 || m->size % 4096)
		return netdmad_refuse(why, -EINVAL, "region size %" PRIu64 " is not a positive "
				      "multiple of 4096", m->size);
	ret = check_region_fd(fd, m->size, &st, why);
	if (ret < 0)
		return ret;
	for (i = 0; i < NETDMAD_MAX_REGIONS; i++)
		if (cl->regions[i].used && cl->regions[i].dev == (uint64_t)st.st_dev &&
		    cl->regions[i].ino == (uint64_t)st.st_ino)
			return netdmad_refuse(why, -EEXIST, "this memfd is already region %u",
					      cl->regions[i].id);
	ret = check_region_limits(cl, m->size, why);
	if (ret < 0) {
		CLOG(cl, NOTICE, "client %u: %s\n", cl->id, why);
		return ret;
	}
	for (i = 0; i < NETDMAD_MAX_REGIONS && r == NULL; i++)
		if (!cl->regions[i].used)
			r = &cl->regions[i];
	if (r == NULL)
		return netdmad_refuse(why, -EDQUOT, "region table full");
	i = (unsigned int)(r - cl->regions);
	pg = extmem_page(m->size);
	va = map_aligned(fd, m->size, pg);
	if (va == NULL)
		return netdmad_refuse(why, -errno, "cannot map the region: %s", strerror(errno));
	/* EAL knows it (IOVA = VA), so engines and rte_mem_* accept it */
	ret = rte_extmem_register(va, m->size, NULL, 0, pg);
	if (ret < 0) {
		ret = -rte_errno;
		munmap(va, m->size);
		return netdmad_refuse(why, ret, "EAL refused the region: %s", rte_strerror(-ret));
	}
	if (m->kind == NETDMA_REGION_DATA && netdmad_dma_map(va, m->size, true) < 0) {
		rte_extmem_unregister(va, m->size);
		munmap(va, m->size);
		return netdmad_refuse(why, -EIO, "the IOMMU refused to map the region");
	}
	mem_write_begin(cl);
	r->id = ++cl->next_region_id;
	r->kind = m->kind;
	r->va = va;
	r->size = m->size;
	r->extmem = true;
	r->dev = (uint64_t)st.st_dev;
	r->ino = (uint64_t)st.st_ino;
	r->used = true;
	if (cl->region_slots <= i)
		cl->region_slots = i + 1;
	mem_write_end(cl);
	cl->region_bytes += m->size;
	cl->nb_regions++;
	netdmad_stats.regions++;
	netdmad_stats.region_bytes += m->size;
	rep->region_id = r->id;
	rep->iova_base = (uintptr_t)va;
	return 0;
}

bool
chan_outstanding(struct dchan *dc)
{
	struct netdma_chan_stats st;

	return netdma_chan_stats_get(dc->ch, &st) < 0 || st.outstanding > 0;
}

/*
 * Wait out every poll pass of this client's channels that may still hold a
 * window from before a change to its memory (each pass runs under its
 * channel's lock; netdma_chan_stats_get takes it).
 */
void
fence_poll_passes(struct dclient *cl)
{
	struct dchan *dc;

	TAILQ_FOREACH(dc, &cl->chans, client_link)
		chan_outstanding(dc);
}

int
region_del(struct dclient *cl, uint32_t id, char *why)
{
	struct dregion *r = region_get(cl, id);
	struct dchan *dc;
	bool busy = false;

	if (r == NULL)
		return netdmad_refuse(why, -ENOENT, "no region %u", id);
	TAILQ_FOREACH(dc, &cl->chans, client_link)
		if (dc->ring_region == id || dc->cw_region == id)
			return netdmad_refuse(why, -EBUSY, "region %u holds channel %u's command "
					      "ring or completion word: free the channel first",
					      id, dc->id);
	/* first no new descriptor may use it, then nothing may still hold it */
	mem_write_begin(cl);
	r->dying = true;
	mem_write_end(cl);
	TAILQ_FOREACH(dc, &cl->chans, client_link)
		busy |= chan_outstanding(dc);
	mem_write_begin(cl);
	if (busy)
		r->dying = false;
	else
		region_release(cl, r);
	mem_write_end(cl);
	return busy ? netdmad_refuse(why, -EBUSY, "an engine still works on channel memory; "
				     "retry once it is idle") : 0;
}

/* Add or remove a completion word (the set stays sorted for the checks). */
int
cw_slot(struct dclient *cl, uint64_t cw, bool add)
{
	int ret;

	mem_write_begin(cl);
	ret = add ? netdma_cw_set_add(&cl->cws, cw) : netdma_cw_set_del(&cl->cws, cw);
	mem_write_end(cl);
	return ret;
}
