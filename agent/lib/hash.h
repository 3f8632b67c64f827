/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_HASH_H
#define LATWATCH_HASH_H

#include <stdint.h>

/*
 * FNV-1a, 64 bits: the hash of the agent's tables of strings (alert
 * windows, periodic signatures, the report's signatures and stacks).
 * Chain a hash over several strings with lw_fnv1a() from the last one.
 */
#define LW_FNV_OFFSET	0xcbf29ce484222325ull
#define LW_FNV_PRIME	0x100000001b3ull

static inline uint64_t lw_fnv1a_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * LW_FNV_PRIME;
}

/* h, then the bytes of s (not its NUL). */
static inline uint64_t lw_fnv1a(uint64_t h, const char *s)
{
	while (*s)
		h = lw_fnv1a_byte(h, (unsigned char)*s++);
	return h;
}

static inline uint64_t lw_hash_str(const char *s)
{
	return lw_fnv1a(LW_FNV_OFFSET, s);
}

#endif
