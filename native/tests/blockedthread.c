/*
 * blockedthread: a second thread keeps every signal blocked. libsavefds.so
 * cannot ask it for its registers, so the core holds main's only, while the
 * CKPT VERSION note counts 2 threads. restart must refuse that image: the
 * process would run on without its worker. (Found by the differential suite:
 * xz -T2 through libsavefds.so was restored as a single-threaded process.)
 * Restored anyway, main finds its worker gone and prints FAIL.
 *
 * main prints "ready" once the worker runs, then watches the worker's
 * heartbeat for up to 60 s; the test checkpoints it meanwhile.
 */
#include "feature.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>

static volatile unsigned long beats;

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
}

static void *worker(void *arg)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		nap();
		__atomic_add_fetch(&beats, 1, __ATOMIC_SEQ_CST);
	}
	return arg;
}

int main(void)
{
	pthread_t t;
	CHECK(pthread_create(&t, NULL, worker, NULL) == 0, "pthread_create");
	while (beats == 0)
		nap();
	printf("ready\n");
	fflush(stdout);
	for (int ms = 0; ms < 60000 && !feature_failed; ms += 1000) {
		unsigned long before = beats;
		for (int i = 0; i < 1000 && beats == before; i++)
			nap();
		CHECK(beats != before, "the worker thread is gone");
	}
	return feature_done("blockedthread");
}
