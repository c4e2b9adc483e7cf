/*
 * workers: a threaded program, for `ckpt suite` examples (examples/suites).
 *
 * Starts two threads that wait for a flag, then counts in the main thread
 * (line 35 is inside that loop). When the count is done it wakes the threads;
 * each prints its share of the work and main prints the total. The fork
 * server copies single-threaded images only, so ckpt suite restores this one
 * anew for every case.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int go;
static long shares[2];

static void *worker(void *arg)
{
	long id = (long)arg;
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		usleep(1000);
	for (long i = 0; i < 1000; i++)
		shares[id] += i * (id + 1);
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	long count = 0;
	for (long i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
			return 1;
	for (long i = 0; i < 2000; i++) {
		count += i;
	}
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("count %ld\nshare 0 %ld\nshare 1 %ld\n", count, shares[0], shares[1]);
	return 0;
}
