/* mthreads: a multi-threaded process restarts with all its threads. Four
 * workers: two compute (each with its own __thread counter), one waits on a
 * condition variable, one sleeps in a loop with SIGUSR2 blocked. After the
 * checkpoint the main thread wakes them, they finish their work, are joined,
 * and a thread created after the restart works. pthread_kill(t, 0) reaches each
 * worker: glibc's cached thread ids still name them. The sleeper's mask needs
 * per-thread masks in the image (kernel cores, ckpt-save; not plain gcore). */
#include "feature.h"
#include <pthread.h>
#include <stdint.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static volatile int go, started, stop;
static __thread uint64_t mine;

static void *compute(void *arg)
{
	uint64_t n = (uintptr_t)arg, sum = 0;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (uint64_t i = 0; !stop; i++) {
		mine = i;
		sum += i * n;
	}
	return (void *)(uintptr_t)(mine > 0 && sum > 0);
}

static void *waiter(void *arg)
{
	pthread_mutex_lock(&lock);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!go)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return (void *)42;
}

static void *sleeping(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop) {
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, NULL);
	}
	sigset_t now;
	pthread_sigmask(SIG_BLOCK, NULL, &now);
	return (void *)(uintptr_t)(sigismember(&now, SIGUSR2) ? 7 : 0);
}

static void *late(void *arg) { return (void *)(uintptr_t)((uintptr_t)arg + 1); }

int main(void)
{
	pthread_t t[4];
	void *res;
	pthread_create(&t[0], NULL, compute, (void *)3);
	pthread_create(&t[1], NULL, compute, (void *)5);
	pthread_create(&t[2], NULL, waiter, NULL);
	pthread_create(&t[3], NULL, sleeping, NULL);
	while (started < 4)
		sched_yield();
	usleep(20000);
	checkpoint_point();
	for (int i = 0; i < 4; i++)
		CHECK(pthread_kill(t[i], 0) == 0, "pthread_kill(worker %d, 0): its thread id is stale", i);
	pthread_mutex_lock(&lock);
	go = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	usleep(20000);
	stop = 1;
	for (int i = 0; i < 2; i++) {
		CHECK(pthread_join(t[i], &res) == 0 && res == (void *)1, "compute thread %d", i);
	}
	CHECK(pthread_join(t[2], &res) == 0 && res == (void *)42, "condition variable waiter");
	CHECK(pthread_join(t[3], &res) == 0 && res == (void *)7, "sleeper lost its blocked mask");
	pthread_t n;
	CHECK(pthread_create(&n, NULL, late, (void *)9) == 0 && pthread_join(n, &res) == 0 && res == (void *)10,
	      "a thread created after the restart");
	return feature_done("mthreads");
}
