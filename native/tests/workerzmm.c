/* workerzmm: a worker thread's AVX-512 registers live across the checkpoint.
 * The worker loads zmm0-31 and k1-7, then sleeps (nanosleep, 300 ms) inside the
 * same asm block; main checkpoints meanwhile; after the restart the sleep ends
 * and the worker stores its registers. Regression test for restored
 * worker threads that came back with zeroed AVX-512 registers (xz -T2 copied
 * zeros): an image must carry every thread's XSAVE area, not only the first's. */
#include "feature.h"
#include <pthread.h>
#include <stdint.h>

static uint8_t in[32][64] __attribute__((aligned(64))), out[32][64] __attribute__((aligned(64)));
static uint64_t kin[8], kout[8];
static const struct timespec pause_ts = { 0, 300000000 };
static volatile int loaded;

#define L(i) "vmovdqu64 " #i "*64(%[in]), %%zmm" #i "\n\t"
#define S(i) "vmovdqu64 %%zmm" #i ", " #i "*64(%[out])\n\t"
#define LK(i) "kmovq " #i "*8(%[kin]), %%k" #i "\n\t"
#define SK(i) "kmovq %%k" #i ", " #i "*8(%[kout])\n\t"
#define R16(M, a) M(a##0) M(a##1) M(a##2) M(a##3) M(a##4) M(a##5) M(a##6) M(a##7) M(a##8) M(a##9)
#define ALLZ(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) R16(M, 1) M(20) M(21) M(22) M(23) \
	M(24) M(25) M(26) M(27) M(28) M(29) M(30) M(31)
#define ALLK(M) M(1) M(2) M(3) M(4) M(5) M(6) M(7)

__attribute__((target("avx512f,avx512bw"))) static void *worker(void *arg)
{
	__asm__ volatile(ALLZ(L) ALLK(LK)
		"movl $1, %[loaded]\n\t"
		"mov $35, %%eax\n\t"          /* nanosleep(&pause_ts, NULL) */
		"mov %[ts], %%rdi\n\t"
		"xor %%esi, %%esi\n\t"
		"syscall\n\t"
		ALLZ(S) ALLK(SK)
		: [loaded] "=m"(loaded)
		: [in] "r"(in), [out] "r"(out), [kin] "r"(kin), [kout] "r"(kout), [ts] "r"(&pause_ts)
		: "rax", "rdi", "rsi", "rcx", "r11", "memory");
	return arg;
}

int main(void)
{
	pthread_t t;
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) {
		printf("no AVX-512 on this CPU: nothing to check\n");
		checkpoint_point();
		return feature_done("workerzmm");
	}
	for (int r = 0; r < 32; r++)
		for (int b = 0; b < 64; b++)
			in[r][b] = (uint8_t)(r * 29 + b * 13 + 5);
	for (int k = 0; k < 8; k++)
		kin[k] = 0xfedcba9876543210ull ^ (uint64_t)k * 0x1111;
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 1;
	while (!loaded)
		usleep(1000);
	usleep(50000);          /* the worker is asleep in nanosleep() */
	checkpoint_point();
	CHECK(pthread_join(t, NULL) == 0, "join");
	for (int r = 0; r < 32; r++)
		CHECK(memcmp(in[r], out[r], 64) == 0, "worker's zmm%d lost its value", r);
	for (int k = 1; k < 8; k++)
		CHECK(kin[k] == kout[k], "worker's k%d lost its value", k);
	return feature_done("workerzmm");
}
