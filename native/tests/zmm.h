/*
 * zmm.h - the AVX-512 register file for the vector feature programs: a
 * pattern in in[]/kin[], asm pieces that load all of zmm0-31 and k1-7 from it
 * and store them to out[]/kout[] (operands %[in] %[out] %[kin] %[kout]).
 */
#ifndef ZMM_H
#define ZMM_H
#include <stdint.h>

static uint8_t in[32][64] __attribute__((aligned(64))), out[32][64] __attribute__((aligned(64)));
static uint64_t kin[8], kout[8];

#define L(i) "vmovdqu64 " #i "*64(%[in]), %%zmm" #i "\n\t"
#define S(i) "vmovdqu64 %%zmm" #i ", " #i "*64(%[out])\n\t"
#define LK(i) "kmovq " #i "*8(%[kin]), %%k" #i "\n\t"
#define SK(i) "kmovq %%k" #i ", " #i "*8(%[kout])\n\t"
#define R16(M, a) M(a##0) M(a##1) M(a##2) M(a##3) M(a##4) M(a##5) M(a##6) M(a##7) M(a##8) M(a##9)
#define ALLZ(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) R16(M, 1) M(20) M(21) M(22) M(23) \
	M(24) M(25) M(26) M(27) M(28) M(29) M(30) M(31)
#define ALLK(M) M(1) M(2) M(3) M(4) M(5) M(6) M(7)

/* Fills the pattern; SEED makes each program's different. */
static inline void zmm_pattern(unsigned seed)
{
	for (int r = 0; r < 32; r++)
		for (int b = 0; b < 64; b++)
			in[r][b] = (uint8_t)(r * (seed | 1) + b * 7 + seed);
	for (int k = 0; k < 8; k++)
		kin[k] = 0x0123456789abcdefull * (uint64_t)(k + seed);
}

/* CHECKs every register the asm stored against the pattern. */
#define ZMM_CHECK(who) do { \
	for (int r = 0; r < 32; r++) \
		CHECK(memcmp(in[r], out[r], 64) == 0, who "zmm%d lost its value", r); \
	for (int k = 1; k < 8; k++) \
		CHECK(kin[k] == kout[k], who "k%d lost its value", k); \
} while (0)
#endif
