/* vdso: clock_gettime and gettimeofday (vDSO calls) work after restart and
 * agree with the kernel's own clock. */
#include "feature.h"
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

int main(void)
{
	struct timespec before, a, k;
	struct timeval tv;
	clock_gettime(CLOCK_REALTIME, &before);
	checkpoint_point();
	for (int i = 0; i < 1000; i++) {
		CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0, "clock_gettime(MONOTONIC)");
		CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0, "clock_gettime(REALTIME)");
		CHECK(gettimeofday(&tv, NULL) == 0, "gettimeofday");
		if (feature_failed) break;
	}
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &k);
	CHECK(a.tv_sec >= before.tv_sec, "time went backwards across the checkpoint");
	CHECK(labs(a.tv_sec - k.tv_sec) <= 1, "vDSO time %ld differs from the kernel's %ld", (long)a.tv_sec, (long)k.tv_sec);
	CHECK(labs(tv.tv_sec - k.tv_sec) <= 1, "gettimeofday %ld differs from the kernel's %ld", (long)tv.tv_sec, (long)k.tv_sec);
	CHECK(time(NULL) >= before.tv_sec, "time()");
	return feature_done("vdso");
}
