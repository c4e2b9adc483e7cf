/* avx512: the AVX-512 state (zmm0-31, k0-7) lives across the checkpoint. Needs a
 * source in this CPU's XSAVE layout: a kernel core, or an image with the CKPT
 * XSTATE note (gdb's own XSTATE note reads AVX-512 as zeros). Breakpoint for gdb:
 * zmm_point. Prints PASS without checking where the CPU has no AVX-512. */
#include "feature.h"
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

__attribute__((target("avx512f,avx512bw")))
static void run(long pid, long sig)
{
	__asm__ volatile(ALLZ(L) ALLK(LK)
		FEATURE_ASM_CHECKPOINT("zmm_point")
		ALLZ(S) ALLK(SK)
		: : [in] "r"(in), [out] "r"(out), [kin] "r"(kin), [kout] "r"(kout), [pid] "r"(pid), [sig] "r"(sig)
		: "rax", "rdi", "rsi", "rcx", "r11", "memory");
}

/* The same breakpoint label for CPUs without AVX-512 (never both in one binary run). */
__attribute__((noinline)) static void run_plain(void)
{
	__asm__ volatile("jmp zmm_point" ::: "memory");
}

int main(void)
{
	long sig = getenv("CKPT_KERNEL_CORE") ? SIGQUIT : 0;
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) {
		printf("no AVX-512 on this CPU: nothing to check\n");
		if (sig) {
			feature_arm_sigquit();
			raise(SIGQUIT);
		} else {
			run_plain();
		}
		return feature_done("avx512");
	}
	for (int r = 0; r < 32; r++)
		for (int b = 0; b < 64; b++)
			in[r][b] = (uint8_t)(r * 53 + b * 7 + 3);
	for (int k = 0; k < 8; k++)
		kin[k] = 0x0123456789abcdefull * (uint64_t)(k + 1);
	if (sig)
		feature_arm_sigquit();
	run(getpid(), sig);
	for (int r = 0; r < 32; r++)
		CHECK(memcmp(in[r], out[r], 64) == 0, "zmm%d lost its value", r);
	for (int k = 1; k < 8; k++)
		CHECK(kin[k] == kout[k], "k%d lost its value", k);
	return feature_done("avx512");
}
