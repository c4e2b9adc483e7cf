/* avx512: the AVX-512 state (zmm0-31, k0-7) lives across the checkpoint. Needs a
 * source in this CPU's XSAVE layout: a kernel core, or an image with the CKPT
 * XSTATE note (gdb's own XSTATE note reads AVX-512 as zeros). Breakpoint for gdb:
 * zmm_point. Prints PASS without checking where the CPU has no AVX-512. */
#include "feature.h"
#include "zmm.h"
#include <stdint.h>


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
	zmm_pattern(53);
	if (sig)
		feature_arm_sigquit();
	run(getpid(), sig);
	ZMM_CHECK("");
	return feature_done("avx512");
}
