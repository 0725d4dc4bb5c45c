/* SPDX-License-Identifier: BSD-3-Clause */
/* Software provider: a netdma_engine whose backend is the CPU. */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_memcpy.h>
#if defined(RTE_ARCH_X86)
#include <emmintrin.h>
#endif

#include "netdma_cpu.h"
#include "netdma_iova_internal.h"
#include "netdma_soft_provider.h"

/* Per-channel backend: copies happen at enqueue, on the owner lcore. */
struct cpu_be {
	struct netdma_cpu_provider *prov;
	uint32_t ring;          /* capacity, mirrors a device ring */
	uint64_t enq;           /* ops enqueued */
	uint64_t done;          /* ops handed back */
	bool failed;            /* an op failed and was not handed back yet */
	uint64_t fail_pos;      /* its index */
};

struct netdma_cpu_provider {
	struct netdma_soft_provider *sp;
	uint32_t ring_size;
	uint64_t copies;        /* copies attempted since the fault was set */
	uint64_t fail_at;
	uint64_t fail_every;
	uint32_t nt_threshold;  /* bytes; streaming stores from here up */
};

static bool
inject_fault(struct netdma_cpu_provider *p)
{
	uint64_t n;

	/* no atomic per copy unless a fault is armed */
	if (p->fail_at == 0 && p->fail_every == 0)
		return false;
	n = __atomic_add_fetch(&p->copies, 1, __ATOMIC_RELAXED);

	return (p->fail_at != 0 && n == p->fail_at) ||
		(p->fail_every != 0 && n % p->fail_every == 0);
}

/*
 * The best copy for the size.  rte_memcpy is built for the SSE baseline
 * that DPDK's pkg-config imposes (-march=corei7) and wins on small copies,
 * inlined; glibc's memcpy picks AVX2/AVX-512 or rep movsb for the machine
 * at run time and wins on large cached ones.  Past nt_threshold, without
 * the DCA hint, stores go around the caches: a cold 4 KiB copy then costs
 * no read-for-ownership of its destination (9.3 against 6.7 GB/s on the
 * development VM), and a stream of copies does not evict the consumer's
 * working set, as a DMA engine would not.
 */
#define LARGE_COPY 8192

#if defined(RTE_ARCH_X86)
/* SSE2 streaming stores (the x86-64 baseline), then a fence: streaming
 * stores are weakly ordered, and the completion word must come after. */
static void
copy_nt(void *dst, const void *src, uint32_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	uint32_t head = (uint32_t)(-(uintptr_t)d & 15);

	if (len < head + 64) {   /* not one whole aligned line to stream */
		memcpy(d, s, len);
		return;
	}
	memcpy(d, s, head);
	d += head;
	s += head;
	len -= head;
	for (; len >= 64; len -= 64, d += 64, s += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + 32));
		__m128i e = _mm_loadu_si128((const __m128i *)(const void *)(s + 48));

		_mm_stream_si128((__m128i *)(void *)d, a);
		_mm_stream_si128((__m128i *)(void *)(d + 16), b);
		_mm_stream_si128((__m128i *)(void *)(d + 32), c);
		_mm_stream_si128((__m128i *)(void *)(d + 48), e);
	}
	memcpy(d, s, len);
	_mm_sfence();
}
#else
static void
copy_nt(void *dst, const void *src, uint32_t len)
{
	memcpy(dst, src, len);
}
#endif

static inline void
copy(const struct netdma_cpu_provider *p, void *dst, const void *src, uint32_t len,
     uint64_t flags)
{
	if (len >= p->nt_threshold && !(flags & NETDMA_ENGINE_LLC))
		copy_nt(dst, src, len);
	else if (len >= LARGE_COPY)
		memcpy(dst, src, len);
	else
		rte_memcpy(dst, src, len);
}

/* A failure held or armed, or a copy too large to inline: the general way. */
static __rte_noinline int
cpu_copy_slow(struct cpu_be *b, netdma_iova_t src, netdma_iova_t dst, uint32_t len,
	      uint64_t flags)
{
	/* like a halted device, nothing runs after a failure */
	if (!b->failed) {
		if (inject_fault(b->prov)) {
			b->failed = true;
			b->fail_pos = b->enq;
		} else {
			copy(b->prov, netdma_iova2virt_inline(dst), netdma_iova2virt_inline(src), len,
			     flags);
		}
	}
	b->enq++;
	return 0;
}

/* Copies up to this size are inlined here (rte_memcpy's small sizes). */
#define INLINE_COPY 256

static int
cpu_copy(void *be, netdma_iova_t src, netdma_iova_t dst, uint32_t len, uint64_t flags)
{
	struct cpu_be *b = be;
	const struct netdma_cpu_provider *p = b->prov;

	/* a fence needs nothing: copies are done in order, one at a time */
	if (unlikely(b->enq - b->done >= b->ring))
		return -ENOSPC;
	if (unlikely(b->failed || p->fail_at != 0 || p->fail_every != 0 || len > INLINE_COPY ||
		     (len >= p->nt_threshold && !(flags & NETDMA_ENGINE_LLC))))
		return cpu_copy_slow(b, src, dst, len, flags);
	rte_memcpy(netdma_iova2virt_inline(dst), netdma_iova2virt_inline(src), len);
	b->enq++;
	return 0;
}

static void
cpu_submit(void *be)
{
	RTE_SET_USED(be);
}

static uint32_t
cpu_capacity(void *be)
{
	struct cpu_be *b = be;

	return b->ring - (uint32_t)(b->enq - b->done);
}

static uint32_t
cpu_completed(void *be, uint32_t max, bool *has_error)
{
	struct cpu_be *b = be;
	uint64_t end = b->failed ? b->fail_pos : b->enq;
	uint32_t n = (uint32_t)RTE_MIN((uint64_t)max, end - b->done);

	b->done += n;
	*has_error = b->failed && b->done == b->fail_pos;
	return n;
}

static uint32_t
cpu_discard(void *be, uint32_t max)
{
	struct cpu_be *b = be;
	uint32_t n = (uint32_t)RTE_MIN((uint64_t)max, b->enq - b->done);

	b->done += n;
	if (b->failed && b->done > b->fail_pos)
		b->failed = false;
	return n;
}

static const struct netdma_backend_ops cpu_ops = {
	.copy = cpu_copy,
	.submit = cpu_submit,
	.capacity = cpu_capacity,
	.completed = cpu_completed,
	.discard = cpu_discard,
	.synchronous = true,
};

static int
cpu_chan_init(void *drv, uint32_t idx, unsigned int lcore, void **be)
{
	struct netdma_cpu_provider *p = drv;
	struct cpu_be *b = rte_zmalloc("netdma_cpu_be", sizeof(*b), RTE_CACHE_LINE_SIZE);

	RTE_SET_USED(idx);
	RTE_SET_USED(lcore);   /* every channel copies on its own poller */
	if (b == NULL)
		return -ENOMEM;
	b->prov = p;
	b->ring = p->ring_size;
	*be = b;
	return 0;
}

static void
cpu_chan_fini(void *drv, uint32_t idx, void *be)
{
	RTE_SET_USED(drv);
	RTE_SET_USED(idx);
	rte_free(be);
}

int
netdma_cpu_provider_create(const struct netdma_cpu_conf *conf, struct netdma_cpu_provider **out)
{
	struct netdma_soft_provider_conf sc;
	struct netdma_cpu_provider *p;
	int ret;

	if (out == NULL)
		return -EINVAL;
	p = rte_zmalloc("netdma_cpu", sizeof(*p), 0);
	if (p == NULL)
		return -ENOMEM;
	memset(&sc, 0, sizeof(sc));
	sc.name = conf != NULL && conf->name != NULL ? conf->name : "cpu";
	sc.major_version = conf != NULL && conf->major_version ? conf->major_version : 2;
	sc.minor_version = conf != NULL && conf->major_version ? conf->minor_version : 0;
	sc.nb_channels = conf != NULL && conf->nb_channels ? conf->nb_channels : 4;
	sc.ring_size = conf != NULL && conf->ring_size ? conf->ring_size : 1024;
	sc.burst = conf != NULL ? conf->burst : 0;
	/* copies run at enqueue on the poller: bound what one poll may copy */
	sc.poll_byte_budget = conf != NULL && conf->poll_bytes ? conf->poll_bytes :
		NETDMA_CPU_POLL_BYTES;
	sc.attr.major_hw_version = 1;
	sc.attr.maximum_transfer_size = conf != NULL && conf->max_transfer_size ?
		conf->max_transfer_size : 1u << 20;
	sc.attr.maximum_address_space = UINT64_MAX;
	sc.socket = NETDMA_SOCKET_ANY;   /* channels on any lcore: no one node */
	sc.ops = &cpu_ops;
	sc.chan_init = cpu_chan_init;
	sc.chan_fini = cpu_chan_fini;
	sc.drv = p;
	p->ring_size = sc.ring_size;
	p->nt_threshold = conf != NULL && conf->nt_threshold ? conf->nt_threshold :
		NETDMA_CPU_NT_THRESHOLD;
	/* below a line, streaming stores only cost: never stream less */
	if (p->nt_threshold < NETDMA_CPU_NT_MIN)
		p->nt_threshold = NETDMA_CPU_NT_MIN;
	ret = netdma_soft_provider_create(&sc, &p->sp);
	if (ret < 0) {
		rte_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int
netdma_cpu_provider_destroy(struct netdma_cpu_provider *p)
{
	int ret;

	if (p == NULL)
		return -EINVAL;
	ret = netdma_soft_provider_destroy(p->sp);
	if (ret == 0)
		rte_free(p);
	return ret;
}

uint32_t
netdma_cpu_provider_id(const struct netdma_cpu_provider *p)
{
	return netdma_soft_provider_id(p->sp);
}

struct netdma_provider *
netdma_cpu_provider_handle(const struct netdma_cpu_provider *p)
{
	return netdma_soft_provider_handle(p->sp);
}

void
netdma_cpu_set_fault(struct netdma_cpu_provider *p, uint64_t fail_at, uint64_t fail_every)
{
	p->fail_at = fail_at;
	p->fail_every = fail_every;
	__atomic_store_n(&p->copies, 0, __ATOMIC_RELAXED);
}
