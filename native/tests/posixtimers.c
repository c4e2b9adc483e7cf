/*
 * posixtimers: POSIX timers come back with their ids, clocks, signals,
 * sigev_values, intervals and time left. Three timers are made (ids 0, 1, 2)
 * and the first deleted: after the restore id 0 does not exist, id 1
 * (CLOCK_MONOTONIC, SIGUSR2) has time left, no more than at the checkpoint,
 * and its interval; id 2 (the process's CPU clock, SIGRTMIN+1) fires after the
 * restore, carrying its sigev_value. Raw system calls: the kernel's ids.
 */
#include "feature.h"

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static volatile sig_atomic_t fired, fired_value;

static void on_rt(int sig, siginfo_t *si, void *ctx)
{
	fired++;
	fired_value = si->si_value.sival_int;
}

static int make(clockid_t clock, int sig, int value)
{
	struct sigevent ev;
	int id = -1;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = value;
	return syscall(SYS_timer_create, clock, &ev, &id) == 0 ? id : -1;
}

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(void)
{
	struct sigaction sa;
	struct itimerspec mono = { { 7, 0 }, { 600, 0 } }, cpu = { { 0, 0 }, { 0, 300000000 } }, before, now;
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);   /* it must not end the program if it ever fired */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGRTMIN + 1, &sa, NULL);

	int a = make(CLOCK_MONOTONIC, SIGUSR1, 1), b = make(CLOCK_MONOTONIC, SIGUSR2, 0xabc);
	int c = make(CLOCK_PROCESS_CPUTIME_ID, SIGRTMIN + 1, 0x77);
	CHECK(a == 0 && b == 1 && c == 2, "timer ids %d %d %d, not 0 1 2", a, b, c);
	syscall(SYS_timer_delete, a);
	syscall(SYS_timer_settime, b, 0, &mono, NULL);
	syscall(SYS_timer_settime, c, 0, &cpu, NULL);
	syscall(SYS_timer_gettime, b, &before);

	checkpoint_point();

	errno = 0;
	CHECK(syscall(SYS_timer_gettime, a, &now) == -1 && errno == EINVAL, "timer %d exists again", a);
	CHECK(syscall(SYS_timer_gettime, b, &now) == 0, "timer %d is gone: %s", b, strerror(errno));
	CHECK(ns(&now.it_value) > 0 && ns(&now.it_value) <= ns(&before.it_value),
	      "timer %d has %lld ns left (checkpointed: %lld)", b, ns(&now.it_value), ns(&before.it_value));
	CHECK(ns(&now.it_interval) == 7000000000LL, "timer %d interval %lld ns", b, ns(&now.it_interval));
	time_t end = time(NULL) + 30;
	while (!fired && time(NULL) < end)
		;
	CHECK(fired == 1 && fired_value == 0x77, "CPU-clock timer fired %d times (value %#x) after the restore",
	      (int)fired, (int)fired_value);
	return feature_done("posixtimers");
}
