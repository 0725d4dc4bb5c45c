/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The input format of fuzz_chain, shared with fuzz_seeds.c.  Little-endian:
 *
 *   mode u8, count u16, head u64, max_address u32,
 *   then descriptors until the input ends: slot u16, reloc u8, 64 bytes.
 *
 * The arena is FZC_ARENA bytes at IOVA FZC_BASE, guard pages around three
 * regions (A and C adjacent, B not page aligned) and one completion word in
 * A that no range may touch, as in netdmad.  A descriptor lands at slot
 * (slot % slots) * 64.  Fields whose reloc bit is set, the head with
 * FZC_HEAD_RELATIVE and max_address are offsets: FZC_BASE + v % FZC_SPAN,
 * so that mutations stay near the regions.
 */
#ifndef FUZZ_CHAIN_WIRE_H
#define FUZZ_CHAIN_WIRE_H

#define FZC_BASE      0x40000000ull
#define FZC_ARENA     0x8000u
#define FZC_SPAN      (FZC_ARENA + 0x1000u)   /* a page past the arena too */
#define FZC_REGION_A  0x1000u                  /* [A, A + 0x2000) */
#define FZC_REGION_C  0x3000u                  /* [C, C + 0x1000), right after A */
#define FZC_REGION_B  0x5040u                  /* [B, 0x7000) */
#define FZC_CW        (FZC_REGION_A + 0x800u)  /* 8 bytes */

/* mode */
#define FZC_V2            0x01u   /* NetDMA 2.0 rules, else 1.x */
#define FZC_WINDOWS       0x02u   /* a window validator (range_win), else range_ok */
#define FZC_CACHE         0x04u   /* a range cache, as the engine keeps */
#define FZC_MAX_ADDRESS   0x08u   /* max_address from the input, else 0 */
#define FZC_XFER_SHIFT    4       /* max_transfer_size = 4096 << ((mode >> 4) & 3) */
#define FZC_HEAD_RELATIVE 0x40u
#define FZC_EACH          0x80u   /* also netdma_desc_check_split on every slot */

/* reloc */
#define FZC_R_SRC      0x01u
#define FZC_R_DST      0x02u
#define FZC_R_NEXT     0x04u
#define FZC_R_NEXT_SRC 0x08u
#define FZC_R_NEXT_DST 0x10u

#endif
