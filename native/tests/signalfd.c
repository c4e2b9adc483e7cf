/*
 * signalfd: a signalfd comes back with its mask (SIGUSR1 and SIGUSR2) and
 * reads the signals sent after the restart.
 */
#include "feature.h"
#include <fcntl.h>
#include <sys/signalfd.h>

int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &m, NULL) != 0) { perror("sigprocmask"); return 1; }
	int fd = signalfd(-1, &m, SFD_NONBLOCK);
	if (fd < 0) { perror("signalfd"); return 1; }

	checkpoint_point();

	/* the mask: /proc shows it in fdinfo */
	char path[64], info[512] = { 0 };
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(info, 1, sizeof info - 1, f) : 0;
	if (f)
		fclose(f);
	CHECK(n > 0 && strstr(info, "sigmask:\t0000000000000a00") != NULL, "fd %d is no signalfd of SIGUSR1+2: %s",
	      fd, info);
	CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, "fd %d lost O_NONBLOCK", fd);
	struct signalfd_siginfo si;
	CHECK(read(fd, &si, sizeof si) < 0, "a signal was pending already");
	kill(getpid(), SIGUSR2);
	CHECK(read(fd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR2, "fd %d did not read SIGUSR2", fd);
	return feature_done("signalfd");
}
