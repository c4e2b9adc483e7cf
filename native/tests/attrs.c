/*
 * attrs: process attributes come back: umask, resource limits, personality,
 * the thread's name, its alternate signal stack (a handler with SA_ONSTACK runs
 * on it), and the interval timers: ITIMER_REAL and ITIMER_VIRTUAL with time
 * left, no more than they had at the checkpoint and more than 0; ITIMER_PROF
 * (CPU time, which does not pass while the process is stopped) fires after the
 * restore; oom_score_adj (raised, which needs no privilege) and the THP-disable
 * flag. A new process has none of them (umask 022, the caller's limits, its
 * own name, no alternate stack, no timers, the caller's oom_score_adj, THP on).
 */
#include "feature.h"

#include <stdint.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#define NOFILE_CUR  203
#define MSGQ_CUR    12345
#define PERS        (PER_LINUX | ADDR_COMPAT_LAYOUT)
#define ALT_SIZE    (64 * 1024)
#define OOM_ADJ     617

static char altstack[ALT_SIZE] __attribute__((aligned(16)));
static volatile uintptr_t handler_sp;
static volatile sig_atomic_t profs;

static void on_usr1(int sig)
{
	char here;
	handler_sp = (uintptr_t)&here;
}

static void on_prof(int sig)
{
	profs++;
}

static int oom_adj(int set)
{
	FILE *f = fopen("/proc/self/oom_score_adj", set >= -1000 ? "w" : "r");
	int v = -10000;
	if (f == NULL)
		return v;
	if (set >= -1000)
		v = fprintf(f, "%d", set) > 0 ? set : v;
	else if (fscanf(f, "%d", &v) != 1)
		v = -10000;
	return fclose(f) == 0 ? v : -10000;
}

static long us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000L + tv->tv_usec;
}

int main(void)
{
	struct rlimit rl;
	struct itimerval real = { { 0, 0 }, { 600, 0 } }, virt = { { 0, 0 }, { 500, 0 } };
	struct itimerval prof = { { 0, 0 }, { 0, 300000 } }, before_real, before_virt, now;
	stack_t ss = { .ss_sp = altstack, .ss_size = ALT_SIZE, .ss_flags = 0 }, got;
	struct sigaction sa;

	umask(027);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = NOFILE_CUR;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit NOFILE");
	getrlimit(RLIMIT_MSGQUEUE, &rl);
	rl.rlim_cur = rl.rlim_max < MSGQ_CUR ? rl.rlim_max : MSGQ_CUR;
	CHECK(setrlimit(RLIMIT_MSGQUEUE, &rl) == 0, "setrlimit MSGQUEUE");
	CHECK(personality(PERS) != -1, "personality");
	prctl(PR_SET_NAME, "attrs-ckpt");
	CHECK(oom_adj(OOM_ADJ) == OOM_ADJ, "cannot set oom_score_adj");
	CHECK(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0, "PR_SET_THP_DISABLE");
	CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_REAL, &real, NULL);   /* 600 s: the test ends long before */
	setitimer(ITIMER_VIRTUAL, &virt, NULL);
	setitimer(ITIMER_PROF, &prof, NULL);
	getitimer(ITIMER_REAL, &before_real);
	getitimer(ITIMER_VIRTUAL, &before_virt);

	checkpoint_point();

	CHECK(umask(022) == 027, "umask is not 027");
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK(rl.rlim_cur == NOFILE_CUR, "RLIMIT_NOFILE soft limit %lu, not %d", (unsigned long)rl.rlim_cur, NOFILE_CUR);
	getrlimit(RLIMIT_MSGQUEUE, &rl);
	CHECK(rl.rlim_cur == (rl.rlim_max < MSGQ_CUR ? rl.rlim_max : MSGQ_CUR), "RLIMIT_MSGQUEUE soft limit %lu",
	      (unsigned long)rl.rlim_cur);
	int p = personality(0xffffffff);
	CHECK(p == PERS, "personality 0x%x, not 0x%x", p, PERS);
	CHECK(oom_adj(-10000) == OOM_ADJ, "oom_score_adj %d, not %d", oom_adj(-10000), OOM_ADJ);
	CHECK(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1, "THP not disabled");
	char name[16] = "";
	prctl(PR_GET_NAME, name);
	CHECK(strcmp(name, "attrs-ckpt") == 0, "name \"%s\"", name);
	CHECK(sigaltstack(NULL, &got) == 0 && got.ss_sp == altstack && got.ss_size == ALT_SIZE &&
	      !(got.ss_flags & SS_DISABLE), "sigaltstack %p+%zu flags %d", got.ss_sp, got.ss_size, got.ss_flags);
	raise(SIGUSR1);
	CHECK(handler_sp >= (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + ALT_SIZE,
	      "the SA_ONSTACK handler ran at %#lx, not on the alternate stack", (unsigned long)handler_sp);

	getitimer(ITIMER_REAL, &now);
	CHECK(us(&now.it_value) > 0 && us(&now.it_value) <= us(&before_real.it_value),
	      "ITIMER_REAL has %ld us left (checkpointed: %ld)", us(&now.it_value), us(&before_real.it_value));
	getitimer(ITIMER_VIRTUAL, &now);
	CHECK(us(&now.it_value) > 0 && us(&now.it_value) <= us(&before_virt.it_value),
	      "ITIMER_VIRTUAL has %ld us left (checkpointed: %ld)", us(&now.it_value), us(&before_virt.it_value));
	/* ITIMER_PROF counts CPU time: spin until it fires (30 s of wall time at most) */
	time_t end = time(NULL) + 30;
	while (!profs && time(NULL) < end)
		;
	CHECK(profs == 1, "ITIMER_PROF fired %d times after the restore", (int)profs);
	return feature_done("attrs");
}
