/* aio: a process with an AIO context (io_setup maps its ring, "/[aio] (deleted)"
 * in /proc/PID/maps) is restored, and its context works afterwards: the engine
 * makes a new context and moves its ring to the old address, so the old
 * context id (which is that address) stays valid. */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <sys/syscall.h>

int main(void)
{
	aio_context_t ctx = 0;
	if (syscall(SYS_io_setup, 8, &ctx) != 0) {
		perror("io_setup");
		return 1;
	}
	checkpoint_point();
	/* one read of /dev/zero through the old context id */
	char buf[64];
	memset(buf, 'x', sizeof buf);
	int fd = open("/dev/zero", O_RDONLY);
	struct iocb cb = { 0 }, *cbs[1] = { &cb };
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_fildes = (uint32_t)fd;
	cb.aio_buf = (uint64_t)(uintptr_t)buf;
	cb.aio_nbytes = sizeof buf;
	long n = syscall(SYS_io_submit, ctx, 1, cbs);
	CHECK(n == 1, "io_submit on the old context: %ld (%s)", n, n < 0 ? strerror(errno) : "");
	if (n == 1) {
		struct io_event ev;
		struct timespec ts = { 10, 0 };
		long got = syscall(SYS_io_getevents, ctx, 1, 1, &ev, &ts);
		CHECK(got == 1 && ev.res == sizeof buf && buf[0] == 0, "io_getevents: %ld, res %lld", got,
		      got == 1 ? (long long)ev.res : 0LL);
	}
	CHECK(syscall(SYS_io_destroy, ctx) == 0, "io_destroy");
	return feature_done("aio");
}
