/* avx: vector registers live across the checkpoint. ymm0-15 (or xmm0-15 without
 * AVX) hold a pattern at the instant of the checkpoint: gdb breaks at the
 * vector_point label (vector_point_sse without AVX); for a kernel core the program sends itself SIGQUIT from
 * the same asm block (a system call keeps the vector registers). */
#include "feature.h"
#include <stdint.h>

static uint8_t in[16][32] __attribute__((aligned(32))), out[16][32] __attribute__((aligned(32)));

#define LOAD(i)  "vmovdqu " #i "*32(%[in]), %%ymm" #i "\n\t"
#define STORE(i) "vmovdqu %%ymm" #i ", " #i "*32(%[out])\n\t"
#define LOADX(i)  "movdqu " #i "*32(%[in]), %%xmm" #i "\n\t"
#define STOREX(i) "movdqu %%xmm" #i ", " #i "*32(%[out])\n\t"
#define ALL(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)

int main(void)
{
	long pid = getpid(), sig = getenv("CKPT_KERNEL_CORE") ? SIGQUIT : 0;
	int avx = __builtin_cpu_supports("avx");
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 32; b++)
			in[r][b] = (uint8_t)(r * 37 + b * 11 + 1);
	if (sig) feature_arm_sigquit();
	if (avx) {
		__asm__ volatile(ALL(LOAD)
			FEATURE_ASM_CHECKPOINT("vector_point")
			ALL(STORE)
			: : [in] "r"(in), [out] "r"(out), [pid] "r"(pid), [sig] "r"(sig)
			: "rax", "rdi", "rsi", "rcx", "r11", "memory",
			  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
			  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	} else {
		__asm__ volatile(ALL(LOADX)
			FEATURE_ASM_CHECKPOINT("vector_point_sse")
			ALL(STOREX)
			: : [in] "r"(in), [out] "r"(out), [pid] "r"(pid), [sig] "r"(sig)
			: "rax", "rdi", "rsi", "rcx", "r11", "memory",
			  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
			  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	}
	int width = avx ? 32 : 16;
	for (int r = 0; r < 16; r++)
		CHECK(memcmp(in[r], out[r], (size_t)width) == 0, "%cmm%d lost its value", avx ? 'y' : 'x', r);
	printf("%s\n", avx ? "checked ymm0-15" : "checked xmm0-15 (no AVX)");
	return feature_done("avx");
}
