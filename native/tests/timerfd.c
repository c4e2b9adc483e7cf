/*
 * timerfd: timerfds come back with their clock and times: one periodic
 * (CLOCK_MONOTONIC, first expiration in 1 hour, then every 2 hours), one
 * disarmed (CLOCK_REALTIME), one that expired once before the checkpoint and
 * was not read (the expiration is still there).
 */
#include "feature.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

int main(void)
{
	int per = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	int off = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
	int fired = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec p = { { 7200, 0 }, { 3600, 0 } }, once = { { 0, 0 }, { 0, 1000 } }, g;
	if (per < 0 || off < 0 || fired < 0 || timerfd_settime(per, 0, &p, NULL) != 0 ||
	    timerfd_settime(fired, 0, &once, NULL) != 0) { perror("timerfd"); return 1; }
	usleep(10000);

	checkpoint_point();

	CHECK(timerfd_gettime(per, &g) == 0 && g.it_interval.tv_sec == 7200 && g.it_value.tv_sec > 3000 &&
	      g.it_value.tv_sec < 3600, "fd %d: interval %ld, next in %ld s", per, (long)g.it_interval.tv_sec,
	      (long)g.it_value.tv_sec);
	CHECK((fcntl(per, F_GETFL) & O_NONBLOCK) != 0, "fd %d lost O_NONBLOCK", per);
	CHECK(timerfd_gettime(off, &g) == 0 && g.it_value.tv_sec == 0 && g.it_value.tv_nsec == 0, "fd %d is armed", off);
	CHECK((fcntl(off, F_GETFD) & FD_CLOEXEC) != 0, "fd %d lost close-on-exec", off);
	/* clock: an absolute CLOCK_REALTIME time far in the future is accepted as such */
	struct itimerspec abs = { { 0, 0 }, { time(NULL) + 86400, 0 } };
	CHECK(timerfd_settime(off, TFD_TIMER_ABSTIME, &abs, NULL) == 0 && timerfd_gettime(off, &g) == 0 &&
	      g.it_value.tv_sec > 86000, "fd %d does not run on CLOCK_REALTIME", off);
	uint64_t ticks = 0;
	CHECK(read(fired, &ticks, 8) == 8 && ticks == 1, "fd %d: %llu expirations, want 1", fired,
	      (unsigned long long)ticks);
	return feature_done("timerfd");
}
