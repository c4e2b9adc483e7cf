/*
 * socketpair: AF_UNIX socket pairs come back connected, with the messages
 * queued at each end: a stream pair (40000 bytes one way, "back" the other,
 * one end non-blocking and dup'd) and a datagram pair (three datagrams one
 * way, one of them empty, their boundaries kept; one empty queue).
 */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#define BIG 40000

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 13 + i / 97);
}

int main(void)
{
	int s[2], d[2];
	static unsigned char big[BIG];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) != 0 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, d) != 0) {
		perror("socketpair");
		return 1;
	}
	int sdup = dup(s[1]);
	for (size_t i = 0; i < BIG; i++)
		big[i] = pattern(i);
	if (sdup < 0 || fcntl(s[1], F_SETFL, O_NONBLOCK) != 0 || write(s[0], big, BIG) != BIG ||
	    write(s[1], "back", 4) != 4 || send(d[0], "one", 3, 0) != 3 || send(d[0], "", 0, 0) != 0 ||
	    send(d[0], "three!", 6, 0) != 6) {
		perror("fill");
		return 1;
	}

	checkpoint_point();

	CHECK((fcntl(s[1], F_GETFL) & O_NONBLOCK) != 0 && (fcntl(sdup, F_GETFL) & O_NONBLOCK) != 0,
	      "fds %d, %d lost O_NONBLOCK", s[1], sdup);
	CHECK((fcntl(s[0], F_GETFL) & O_NONBLOCK) == 0, "fd %d became non-blocking", s[0]);
	CHECK((fcntl(d[0], F_GETFD) & FD_CLOEXEC) != 0, "fd %d lost close-on-exec", d[0]);
	int type = 0;
	socklen_t len = sizeof type;
	CHECK(getsockopt(d[1], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM, "fd %d: type %d", d[1],
	      type);
	/* stream: every byte, in order, at the end it was sent to */
	memset(big, 0, sizeof big);
	size_t got = 0;
	while (got < BIG) {
		ssize_t n = read(sdup, big + got, BIG - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	CHECK(got == BIG, "stream: %zu bytes, want %d", got, BIG);
	for (size_t i = 0; i < got; i++)
		if (big[i] != pattern(i)) {
			CHECK(0, "stream byte %zu is %u, want %u", i, big[i], pattern(i));
			break;
		}
	char buf[16] = { 0 };
	CHECK(read(s[1], buf, 1) < 0 && errno == EAGAIN, "fd %d has more than was sent", s[1]);
	CHECK(read(s[0], buf, sizeof buf) == 4 && memcmp(buf, "back", 4) == 0, "fd %d: \"%s\", want \"back\"", s[0],
	      buf);
	CHECK(write(s[1], "x", 1) == 1 && read(s[0], buf, 1) == 1 && buf[0] == 'x', "stream pair not connected");
	/* datagrams: boundaries kept, the empty one too */
	memset(buf, 0, sizeof buf);
	CHECK(recv(d[1], buf, sizeof buf, 0) == 3 && strcmp(buf, "one") == 0, "datagram 1: \"%s\"", buf);
	ssize_t n = recv(d[1], buf, sizeof buf, MSG_DONTWAIT);
	CHECK(n == 0, "datagram 2: %zd bytes, want 0", n);
	n = recv(d[1], buf, sizeof buf, MSG_DONTWAIT);
	CHECK(n == 6 && memcmp(buf, "three!", 6) == 0, "datagram 3: %zd bytes", n);
	CHECK(recv(d[1], buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == EAGAIN, "more datagrams than sent");
	CHECK(recv(d[0], buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == EAGAIN, "fd %d got a datagram", d[0]);
	CHECK(send(d[1], "ok", 2, 0) == 2 && recv(d[0], buf, sizeof buf, 0) == 2, "datagram pair not connected");
	return feature_done("socketpair");
}
