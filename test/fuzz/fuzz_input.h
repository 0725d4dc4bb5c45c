/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading a fuzzer input front to back.  A read past the end yields zeros
 * and marks the input spent, so a harness never needs to check lengths
 * before it decodes a field.
 */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fz_in {
	const uint8_t *p;
	size_t left;
	bool spent;
};

static inline void
fz_bytes(struct fz_in *in, void *out, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(out, in->p, k);
	memset((uint8_t *)out + k, 0, n - k);
	in->p += k;
	in->left -= k;
	if (k < n)
		in->spent = true;
}

static inline uint8_t
fz_u8(struct fz_in *in)
{
	uint8_t v;

	fz_bytes(in, &v, 1);
	return v;
}

/* little-endian, whatever the host */
static inline uint64_t
fz_le(struct fz_in *in, unsigned int n)
{
	uint8_t b[8];
	uint64_t v = 0;

	fz_bytes(in, b, n);
	while (n-- > 0)
		v = v << 8 | b[n];
	return v;
}

#define fz_u16(in) ((uint16_t)fz_le((in), 2))
#define fz_u32(in) ((uint32_t)fz_le((in), 4))
#define fz_u64(in) fz_le((in), 8)

static inline bool
fz_done(const struct fz_in *in)
{
	return in->spent || in->left == 0;
}

#endif
