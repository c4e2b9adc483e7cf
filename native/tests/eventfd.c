/*
 * eventfd: eventfds come back with their counters and flags: one counting
 * (non-blocking, close-on-exec, counter 41 after a write and a read of 0),
 * one EFD_SEMAPHORE with counter 3, dup'd (the dup shares it).
 */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>

int main(void)
{
	int c = eventfd(40, EFD_NONBLOCK | EFD_CLOEXEC);
	int s = eventfd(3, EFD_SEMAPHORE);
	int sdup = dup(s);
	uint64_t v = 1;
	if (c < 0 || s < 0 || sdup < 0 || write(c, &v, 8) != 8) { perror("eventfd"); return 1; }

	checkpoint_point();

	CHECK((fcntl(c, F_GETFL) & O_NONBLOCK) != 0, "fd %d lost O_NONBLOCK", c);
	CHECK((fcntl(c, F_GETFD) & FD_CLOEXEC) != 0, "fd %d lost close-on-exec", c);
	CHECK((fcntl(s, F_GETFL) & O_NONBLOCK) == 0, "fd %d became non-blocking", s);
	v = 0;
	CHECK(read(c, &v, 8) == 8 && v == 41, "counter of fd %d is %llu, want 41", c, (unsigned long long)v);
	CHECK(read(c, &v, 8) < 0 && errno == EAGAIN, "fd %d not empty or not non-blocking after a read", c);
	for (int i = 0; i < 3; i++) {
		v = 0;
		CHECK(read(i % 2 ? sdup : s, &v, 8) == 8 && v == 1, "semaphore read %d gave %llu, want 1", i,
		      (unsigned long long)v);
	}
	CHECK(fcntl(sdup, F_SETFL, O_NONBLOCK) == 0 && read(s, &v, 8) < 0 && errno == EAGAIN,
	      "fds %d and %d are not one eventfd with counter 0", s, sdup);
	return feature_done("eventfd");
}
