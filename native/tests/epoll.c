/*
 * epoll: epolls come back watching what they watched, with the events and
 * data the program gave: epoll A watches an eventfd (EPOLLIN, data 0x1234),
 * a pipe's read end (EPOLLIN | EPOLLET, data 77) and epoll B, which watches a
 * second eventfd (data 5). The watch is on the descriptor number: removing one
 * by its number works after the restart.
 */
#include "feature.h"
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

int main(void)
{
	int a = epoll_create1(0), b = epoll_create1(EPOLL_CLOEXEC);
	int e1 = eventfd(1, 0), e2 = eventfd(0, 0), p[2];
	if (a < 0 || b < 0 || e1 < 0 || e2 < 0 || pipe(p) != 0) { perror("setup"); return 1; }
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1234 };
	if (epoll_ctl(a, EPOLL_CTL_ADD, e1, &ev) != 0) { perror("epoll_ctl e1"); return 1; }
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u64 = 77 };
	if (epoll_ctl(a, EPOLL_CTL_ADD, p[0], &ev) != 0) { perror("epoll_ctl pipe"); return 1; }
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 5 };
	if (epoll_ctl(b, EPOLL_CTL_ADD, e2, &ev) != 0) { perror("epoll_ctl e2"); return 1; }
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0xb };
	if (epoll_ctl(a, EPOLL_CTL_ADD, b, &ev) != 0) { perror("epoll_ctl b"); return 1; }

	checkpoint_point();

	struct epoll_event got[8];
	int n = epoll_wait(a, got, 8, 0);
	CHECK(n == 1 && got[0].data.u64 == 0x1234 && (got[0].events & EPOLLIN), "epoll %d: %d ready, first data 0x%llx",
	      a, n, n > 0 ? (unsigned long long)got[0].data.u64 : 0ull);
	uint64_t one = 1;
	CHECK(write(e2, &one, 8) == 8 && write(p[1], "x", 1) == 1, "write");
	n = epoll_wait(a, got, 8, 1000);
	uint64_t seen = 0;
	for (int i = 0; i < n; i++)
		seen |= got[i].data.u64 == 77 ? 1 : got[i].data.u64 == 0xb ? 2 : got[i].data.u64 == 0x1234 ? 4 : 8;
	CHECK(n == 3 && seen == 7, "epoll %d: %d ready (mask %llx), want the pipe, epoll %d and the eventfd", a, n,
	      (unsigned long long)seen, b);
	CHECK(epoll_wait(b, got, 8, 0) == 1 && got[0].data.u64 == 5, "epoll %d does not see eventfd %d", b, e2);
	/* EPOLLET: the pipe is not reported again until more comes */
	n = epoll_wait(a, got, 8, 0);
	for (int i = 0; i < n; i++)
		CHECK(got[i].data.u64 != 77, "pipe reported again: EPOLLET lost");
	CHECK(epoll_ctl(a, EPOLL_CTL_DEL, e1, NULL) == 0, "epoll %d does not watch fd %d by its number", a, e1);
	CHECK(epoll_ctl(a, EPOLL_CTL_DEL, p[0], NULL) == 0, "epoll %d does not watch fd %d by its number", a, p[0]);
	return feature_done("epoll");
}
