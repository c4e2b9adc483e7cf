/*
 * threads: a checkpoint by libsavefds.so holds every thread's registers and
 * holds the threads still while the core is written. Three workers: one spins
 * in user space (worker_spin), one sleeps in a loop (worker_sleep), one keeps
 * all signals blocked (worker_blocked: it cannot be asked, so it is not in the
 * core, and the request it finds pending when it unblocks at its end must not
 * start a second checkpoint). main prints "ready" and waits for a byte on
 * stdin: the test checkpoints it there (with CKPT_SIGNAL, so it runs on),
 * then sends the byte; the workers stop and main prints PASS threads.
 */
#include "feature.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>

static volatile int stop;
static volatile int started;
static volatile unsigned long spins;

__attribute__((noinline)) static void *worker_spin(void *arg)
{
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop)
		spins++;
	return arg;
}

__attribute__((noinline)) static void *worker_sleep(void *arg)
{
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	return arg;
}

__attribute__((noinline)) static void *worker_blocked(void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL); /* a pending request arrives now */
	return arg;
}

int main(void)
{
	pthread_t t[3];
	void *(*fn[3])(void *) = { worker_spin, worker_sleep, worker_blocked };
	for (int i = 0; i < 3; i++)
		CHECK(pthread_create(&t[i], NULL, fn[i], NULL) == 0, "pthread_create %d", i);
	while (started < 3)
		sched_yield();
	printf("ready\n");
	fflush(stdout);
	char go;
	while (read(0, &go, 1) < 0)
		;
	checkpoint_point();
	stop = 1;
	for (int i = 0; i < 3; i++)
		CHECK(pthread_join(t[i], NULL) == 0, "pthread_join %d", i);
	CHECK(spins > 0, "the spinning thread never ran");
	return feature_done("threads");
}
