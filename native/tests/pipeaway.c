/*
 * pipeaway: a pipe to another process is not restored: its descriptor is
 * left closed (restart -V names it). The program writes to a child through a
 * pipe; after a restart (a new pid) the descriptor is closed, in the run that
 * goes on (same pid) it still works.
 */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>

int main(void)
{
	int p[2];
	pid_t me = getpid();
	if (pipe(p) != 0) { perror("pipe"); return 1; }
	pid_t child = fork();
	if (child < 0) { perror("fork"); return 1; }
	if (child == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	if (write(p[1], "x", 1) != 1) { perror("write"); return 1; }
	printf("write end %d\n", p[1]);
	fflush(stdout);

	checkpoint_point();

	if (getpid() != me) {
		CHECK(fcntl(p[1], F_GETFD) < 0 && errno == EBADF, "fd %d (a pipe to another process) is open", p[1]);
	} else {
		CHECK(write(p[1], "y", 1) == 1, "fd %d: %s", p[1], strerror(errno));
		close(p[1]);
		waitpid(child, NULL, 0);
	}
	return feature_done("pipeaway");
}
