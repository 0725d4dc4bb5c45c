/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The input format of fuzz_client: a list of steps a client could take.
 * Shared with fuzz_seeds.c, which writes valid sessions in it.  Integers are
 * little-endian.  Each step starts with one byte, taken modulo FZ_OP_COUNT.
 *
 *  FZ_OP_MSG        flags u8, fds u8, file u8, len u16, body[len]
 *                   Send body (with FZ_MSG_FIX: magic, version and size set
 *                   right) and the fds, let the daemon handle it, read its
 *                   reply.  fds: kind = (b & 7) % FZ_FD_COUNT, then
 *                   1 + (b >> 3) % FZ_MAX_FDS of them.  file: the size of a
 *                   memfd or file: (b & 15) pages, one byte less if b & 0x80.
 *  FZ_OP_POKE       map u8, off u32, n u8, bytes[n]
 *                   Write into the client's side of a memfd or file sent
 *                   earlier (the maps, in the order they were sent).
 *  FZ_OP_POKE_IOVA  map u8, off u32, target u8, toff u32
 *                   Write the daemon's IOVA of map target + toff there:
 *                   how a client links descriptors and fills commands.
 *  FZ_OP_WAIT       n u8
 *                   Until the poller has consumed every live command ring,
 *                   at most (n % 8 + 1) * 100 us.
 *  FZ_OP_SHRINK     map u8, pages u8
 *                   ftruncate the file behind a map (a sealed memfd
 *                   refuses).  NETDMA_FUZZ_SHRINK=0 in the environment
 *                   turns this step off.
 */
#ifndef FUZZ_CLIENT_WIRE_H
#define FUZZ_CLIENT_WIRE_H

enum fz_op {
	FZ_OP_MSG,
	FZ_OP_POKE,
	FZ_OP_POKE_IOVA,
	FZ_OP_WAIT,
	FZ_OP_SHRINK,
	FZ_OP_COUNT,
};

#define FZ_MSG_FIX 0x01u   /* the harness writes a valid envelope */

enum fz_fd {
	FZ_FD_NONE,
	FZ_FD_MEMFD_SEALED,   /* MFD_ALLOW_SEALING + F_SEAL_SHRINK: what clients send */
	FZ_FD_MEMFD,          /* not sealed */
	FZ_FD_FILE,           /* a regular temporary file */
	FZ_FD_EVENTFD,
	FZ_FD_DEVNULL,
	FZ_FD_COUNT,
};

#define FZ_MAX_FDS 6          /* more than NETDMA_PROTO_MAX_FDS */
#define FZ_MAX_MSG 4352       /* past NETDMA_MSG_MAX: the oversized path too */
#define FZ_PAGE 4096u

/* The fds byte for @p n fds of @p kind. */
#define FZ_FDS(kind, n) ((uint8_t)((kind) | (((n) - 1) << 3)))

#endif
