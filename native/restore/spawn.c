/* spawn.c - the new process: fork (or clone3 for -p), reopen files, trace, exec. */
#include "log.h"
#include "remote.h"
#include "restore.h"

#include <errno.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t spawn(struct restore *r, int errpipe[2])
{
	pid_t pid = -1;
	if (r->o->same_pid) {
		pid_t want = r->c->tgid;
		struct clone_args ca = { 0 };
		ca.exit_signal = SIGCHLD;
		ca.set_tid = (uint64_t)(uintptr_t)&want;
		ca.set_tid_size = 1;
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
		if (pid < 0) {
			log_error("cannot restore pid %d (%s); using a new pid", want, strerror(errno));
			pid = -1;
		}
	}
	if (pid < 0 && (pid = fork()) < 0)
		return -1;
	if (pid > 0)
		return pid;

	/* child */
	const char *bad = NULL;
	int err = errpipe[1];
	const char *cwd = r->c->ckpt.cwd;
	char *const argv[] = { (char *)r->p->exe, NULL };
	close(errpipe[0]);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (files_install(r->files, r->c->fd, r->core_fd, &err, &bad) != 0)
		goto fail;
	if (cwd && chdir(cwd) != 0) {
		bad = cwd;
		goto fail;
	}
	/* Left stopped (no -n), the process gets a session of its own: when the engine
	 * exits, its process group would otherwise be orphaned with a stopped member and
	 * the kernel would send it SIGHUP and SIGCONT (docs/RESTART.md). */
	if ((!r->o->nostop || r->o->breakpoint) && setsid() < 0) {
		bad = "setsid";
		goto fail;
	}
	if (remote_traceme() != 0) {
		bad = "ptrace(TRACEME)";
		goto fail;
	}
	execv(r->p->exe, argv);
	bad = r->p->exe;
fail:
	{
		char msg[PATH_MAX + 64];
		int n = snprintf(msg, sizeof msg, "%s: %s", bad ? bad : "?", strerror(errno));
		(void)!write(err, msg, (size_t)n);
	}
	_exit(127);
}

int exec_stop(struct restore *r, int errfd)
{
	int status;
	char msg[PATH_MAX + 64];
	if (waitpid(r->t.pid, &status, __WALL) < 0)
		return log_errno("waitpid");
	if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP)
		return 0;
	ssize_t n = read(errfd, msg, sizeof msg - 1);
	if (n > 0) {
		msg[n] = 0;
		log_error("%s: cannot start the process: %s", r->o->core, msg);
	} else {
		log_error("%s: the new process did not stop after exec (status 0x%x)", r->o->core, status);
	}
	if (WIFSTOPPED(status))
		kill(r->t.pid, SIGKILL);
	r->t.pid = 0;
	return -1;
}
