/*
 * pipes: pipes with both ends in the process come back with the bytes nobody
 * had read yet, their descriptor numbers, flags and sharing: one blocking pipe
 * holding a short text (one byte of it already read), one with O_NONBLOCK and
 * close-on-exec on its read end, a grown buffer (1 MiB) and 1000000 unread bytes (more than the writers keep in memory: they stream them), whose
 * read end is also dup'd, and an empty one.
 */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>

#define BIG 1000000

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static size_t read_all(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	return got;
}

int main(void)
{
	int a[2], b[2], e[2];
	static unsigned char big[BIG + 16];
	char c;
	if (pipe(a) != 0 || pipe2(b, O_NONBLOCK) != 0 || pipe(e) != 0) { perror("pipe"); return 1; }
	if (fcntl(b[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(b[1], F_SETPIPE_SZ, 1024 * 1024) < 0 ||
	    fcntl(b[1], F_SETFL, 0) != 0) { perror("fcntl"); return 1; }
	int bdup = dup(b[0]);
	for (size_t i = 0; i < BIG; i++)
		big[i] = pattern(i);
	if (write(a[1], "Xhello pipe", 11) != 11 || read(a[0], &c, 1) != 1 ||
	    write(b[1], big, BIG) != BIG || bdup < 0) { perror("fill"); return 1; }
	int bsize = fcntl(b[0], F_GETPIPE_SZ);

	checkpoint_point();

	/* flags and sharing */
	CHECK((fcntl(a[0], F_GETFL) & O_NONBLOCK) == 0, "fd %d became non-blocking", a[0]);
	CHECK((fcntl(b[0], F_GETFL) & O_NONBLOCK) != 0, "fd %d lost O_NONBLOCK", b[0]);
	CHECK((fcntl(b[1], F_GETFL) & O_NONBLOCK) == 0, "fd %d became non-blocking", b[1]);
	CHECK((fcntl(b[0], F_GETFD) & FD_CLOEXEC) != 0, "fd %d lost close-on-exec", b[0]);
	CHECK((fcntl(bdup, F_GETFD) & FD_CLOEXEC) == 0, "fd %d gained close-on-exec", bdup);
	CHECK((fcntl(a[1], F_GETFL) & O_ACCMODE) == O_WRONLY, "fd %d is not the write end", a[1]);
	CHECK(fcntl(b[0], F_GETPIPE_SZ) == bsize, "pipe buffer %d bytes, want %d", fcntl(b[0], F_GETPIPE_SZ), bsize);
	CHECK(fcntl(bdup, F_SETFL, 0) == 0 && (fcntl(b[0], F_GETFL) & O_NONBLOCK) == 0,
	      "fds %d and %d do not share their open file", b[0], bdup);
	CHECK(fcntl(b[0], F_SETFL, O_NONBLOCK) == 0, "fcntl");

	/* the unread bytes, and the ends still joined */
	char text[32] = { 0 };
	CHECK(write(a[1], "!", 1) == 1, "write to fd %d", a[1]);
	close(a[1]);
	CHECK(read_all(a[0], (unsigned char *)text, sizeof text - 1) == 11 && strcmp(text, "hello pipe!") == 0,
	      "pipe a holds \"%s\", want \"hello pipe!\"", text);
	memset(big, 0, sizeof big);
	size_t got = read_all(b[0], big, sizeof big);
	CHECK(got == BIG, "pipe b gave %zu bytes, want %d", got, BIG);
	for (size_t i = 0; i < got; i++)
		if (big[i] != pattern(i)) {
			CHECK(0, "pipe b byte %zu is %u, want %u", i, big[i], pattern(i));
			break;
		}
	CHECK(read(bdup, &c, 1) < 0 && errno == EAGAIN, "pipe b not empty or not non-blocking");
	CHECK(write(e[1], "e", 1) == 1 && read(e[0], &c, 1) == 1 && c == 'e', "pipe e does not join its ends");
	return feature_done("pipes");
}
