/* SPDX-License-Identifier: BSD-3-Clause */
/* A spin-wait hint for the code without EAL (not installed). */
#ifndef NETDMA_RELAX_H
#define NETDMA_RELAX_H

/* What rte_pause() does, for a loop that waits on another agent. */
static inline void
netdma_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

#endif /* NETDMA_RELAX_H */
