/*
 * pidfd: a pidfd of the process itself comes back as a pidfd of the restored
 * process (its new pid), non-blocking as it was; one of a child process (not
 * restored) is left closed.
 */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long pid_of(int fd)
{
	char path[64], info[512] = { 0 };
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(info, 1, sizeof info - 1, f);
	fclose(f);
	info[n] = 0;
	char *p = strstr(info, "Pid:");
	return p ? strtol(p + 4, NULL, 10) : -1;
}

int main(void)
{
	pid_t me = getpid();
	int self = (int)syscall(SYS_pidfd_open, me, O_NONBLOCK);
	pid_t child = fork();
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* gone with the checkpointed run */
		if (getppid() != me)
			_exit(0);
		pause();
		_exit(0);
	}
	int other = child > 0 ? (int)syscall(SYS_pidfd_open, child, 0) : -1;
	if (self < 0 || other < 0) { perror("pidfd_open"); return 1; }

	checkpoint_point();

	CHECK(pid_of(self) == getpid(), "fd %d is a pidfd of %ld, not of this process (%d)", self, pid_of(self),
	      (int)getpid());
	CHECK((fcntl(self, F_GETFL) & O_NONBLOCK) != 0, "fd %d lost O_NONBLOCK", self);
	CHECK(syscall(SYS_pidfd_send_signal, self, 0, NULL, 0) == 0, "pidfd_send_signal through fd %d: %s", self,
	      strerror(errno));
	if (getpid() != me) {
		CHECK(fcntl(other, F_GETFD) < 0 && errno == EBADF, "fd %d (a pidfd of another process) is open", other);
	} else {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	return feature_done("pidfd");
}
