/* workerzmm: a worker thread's AVX-512 registers live across the checkpoint.
 * The worker loads zmm0-31 and k1-7, then sleeps (nanosleep, 300 ms) inside the
 * same asm block; main checkpoints meanwhile; after the restart the sleep ends
 * and the worker stores its registers. Regression test for restored
 * worker threads that came back with zeroed AVX-512 registers (xz -T2 copied
 * zeros): an image must carry every thread's XSAVE area, not only the first's. */
#include "feature.h"
#include "zmm.h"
#include <pthread.h>
#include <stdint.h>

static const struct timespec pause_ts = { 0, 300000000 };
static volatile int loaded;

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
	zmm_pattern(29);
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 1;
	while (!loaded)
		usleep(1000);
	usleep(50000);          /* the worker is asleep in nanosleep() */
	checkpoint_point();
	CHECK(pthread_join(t, NULL) == 0, "join");
	ZMM_CHECK("worker's ");
	return feature_done("workerzmm");
}
