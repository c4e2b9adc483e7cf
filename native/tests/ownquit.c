/*
 * ownquit: a program that installs its own SIGQUIT handler keeps it, even with
 * libsavefds.so preloaded (the library installs its handler from a
 * constructor, before main; the program's later sigaction wins). Prints
 * "ready", waits for SIGQUIT, and prints PASS ownquit when its own handler ran.
 */
#include "feature.h"
#include <signal.h>

static volatile sig_atomic_t got;

static void on_quit(int sig)
{
	got = sig;
}

int main(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_quit;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGQUIT, &sa, &old) == 0, "sigaction");
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 3000 && !got; i++)
		usleep(10000); /* at most 30 s */
	CHECK(got == SIGQUIT, "own SIGQUIT handler did not run");
	return feature_done("ownquit");
}
