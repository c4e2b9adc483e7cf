/* sigmask: signals blocked at the checkpoint are still blocked after it. */
#include "feature.h"

int main(void)
{
	sigset_t set, now;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &set, NULL);
	checkpoint_point();
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1), "SIGUSR1 not blocked");
	CHECK(sigismember(&now, SIGTERM), "SIGTERM not blocked");
	CHECK(sigismember(&now, SIGRTMIN + 3), "SIGRTMIN+3 not blocked");
	CHECK(!sigismember(&now, SIGUSR2), "SIGUSR2 blocked");
	return feature_done("sigmask");
}
