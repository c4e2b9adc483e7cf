/*
 * threadattrs: per-thread attributes come back for a thread other than the
 * main one: its name (prctl PR_SET_NAME) and its own alternate signal stack,
 * on which its SA_ONSTACK handler runs after the restore.
 */
#include "feature.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/prctl.h>

#define ALT_SIZE (64 * 1024)

static char altstack[ALT_SIZE] __attribute__((aligned(16)));
static __thread volatile uintptr_t handler_sp;
static pthread_barrier_t ready, checked;
static int worker_ok;
static volatile int worker_tid;

static void on_usr1(int sig)
{
	char here;
	handler_sp = (uintptr_t)&here;
}

static void *worker(void *arg)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = ALT_SIZE, .ss_flags = 0 }, got;
	worker_tid = gettid();
	prctl(PR_SET_NAME, "ta-worker");
	sigaltstack(&ss, NULL);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&ready);   /* the main thread has been restored */
	worker_ok = sigaltstack(NULL, &got) == 0 && got.ss_sp == altstack && got.ss_size == ALT_SIZE &&
		    !(got.ss_flags & SS_DISABLE);
	raise(SIGUSR1);
	worker_ok = worker_ok && handler_sp >= (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + ALT_SIZE;
	pthread_barrier_wait(&checked);
	return NULL;
}

int main(void)
{
	pthread_t t;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_barrier_init(&ready, NULL, 2);
	pthread_barrier_init(&checked, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	pthread_barrier_wait(&ready);

	checkpoint_point();

	char path[64], name[32] = "";
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", worker_tid);
	FILE *f = fopen(path, "r");
	CHECK(f && fgets(name, sizeof name, f), "cannot read %s", path);
	if (f)
		fclose(f);
	CHECK(strcmp(name, "ta-worker\n") == 0, "worker's name \"%s\"", name);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&checked);
	CHECK(worker_ok, "the worker's alternate signal stack is not back");
	pthread_join(t, NULL);
	return feature_done("threadattrs");
}
