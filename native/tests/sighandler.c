/* sighandler: an installed handler and an ignored signal survive the checkpoint
 * (needs an image with CKPT notes: ckpt-save, ckpt-gdb, libsavefds.so). */
#include "feature.h"

static volatile sig_atomic_t got;
static void on_usr1(int sig) { got = sig; }

int main(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	checkpoint_point();
	raise(SIGUSR2);                 /* ignored: must not kill us */
	raise(SIGUSR1);
	CHECK(got == SIGUSR1, "SIGUSR1 handler did not run");
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	CHECK(now.sa_handler == on_usr1, "SIGUSR1 handler changed");
	CHECK(now.sa_flags & SA_RESTART, "SA_RESTART lost");
	return feature_done("sighandler");
}
