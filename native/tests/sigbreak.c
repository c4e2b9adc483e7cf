/*
 * sigbreak: a signal on the way to a breakpoint. After the restore the
 * program raises SIGUSR1 (its handler counts it) and then calls
 * after_signal(), where `restart -b` is asked to stop it. The signal must be
 * delivered to the handler (not dropped, not fatal) and the process must
 * still stop at the breakpoint.
 */
#include "feature.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	(void)sig;
	got++;
}

/* `restart -b` stops here. */
__attribute__((noinline, used)) void after_signal(void)
{
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	checkpoint_point();
	raise(SIGUSR1);
	after_signal();
	CHECK(got == 1, "SIGUSR1 handler ran %d times, want 1", (int)got);
	return feature_done("sigbreak");
}
