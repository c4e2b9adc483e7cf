/*
 * forkserver.c - restart --fork-server: one restore, a copy per request.
 * See forkserver.h and docs/RESTART.md ("Fork server").
 */
#include "forkserver.h"
#include "log.h"
#include "regs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROTO_FD_MIN 10
#define PATH_SLOT    4096          /* each staged path gets its own slot in the scratch data area */

static int proto_in = -1, proto_out = -1;

int forkserver_begin(const struct core *c, const char *core_path)
{
	int null;
	if (c->nthreads > 1) {
		dprintf(1, "unsupported %s: %zu threads (the fork server copies single-threaded images only)\n",
			core_path, c->nthreads);
		return -1;
	}
	proto_in = fcntl(0, F_DUPFD_CLOEXEC, PROTO_FD_MIN);
	proto_out = fcntl(1, F_DUPFD_CLOEXEC, PROTO_FD_MIN);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (proto_in < 0 || proto_out < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		return log_errno("fork server: protocol descriptors");
	close(null);
	return 0;
}

static int reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int reply(const char *fmt, ...)
{
	char line[PATH_MAX + 128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line)
		n = (int)sizeof line - 1;
	return write(proto_out, line, (size_t)n) == n ? 0 : -1;
}

/* Gives the copy FD opened from the path staged at ADDR (the lowest free
 * descriptor after the close is FD whenever 0..FD-1 are open). */
static int reopen(struct tracee *ch, int fd, raddr addr, int flags)
{
	long r = remote_syscall(ch, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	if (r < 0 && r != -EBADF)
		return (int)r;
	r = remote_syscall(ch, SYS_openat, (uint64_t)AT_FDCWD, addr.v, (uint64_t)flags, 0644, 0, 0);
	if (r < 0 || r == fd)
		return r < 0 ? (int)r : 0;
	long d = remote_syscall(ch, SYS_dup2, (uint64_t)r, (uint64_t)fd, 0, 0, 0, 0);
	remote_syscall(ch, SYS_close, (uint64_t)r, 0, 0, 0, 0, 0);
	return d < 0 ? (int)d : 0;
}

/* Makes one copy with PATHS[0..2] as its stdin, stdout, stderr and lets it
 * run; returns its pid, or -errno (*fatal set when the template is lost). */
static pid_t make_copy(struct tracee *t, const struct core *c, const struct core_thread *lead,
		       char *const paths[3], int *fatal)
{
	static const int flags[3] = { O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_TRUNC };
	raddr at[3];
	int status, err = 0;
	for (int i = 0; i < 3; i++) {
		at[i] = remote_stage(t, (size_t)i * PATH_SLOT, paths[i], strlen(paths[i]) + 1);
		if (at[i].v == 0)
			return -ENAMETOOLONG;
	}
	long res = remote_syscall(t, SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0, 0);
	if (res <= 0) {
		*fatal = res == -ENOTRECOVERABLE;
		return res < 0 ? (pid_t)res : -EIO;
	}
	pid_t pid = (pid_t)res;
	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFSTOPPED(status))
		return -ECHILD;

	struct tracee ch = *t;          /* same registers and scratch page; its memory is not touched */
	ch.pid = pid;
	ch.memfd = -1;
	for (int i = 0; i < 3 && err == 0; i++) {
		if (i == 2 && strcmp(paths[2], paths[1]) == 0) {   /* 2>&1 */
			long d = remote_syscall(&ch, SYS_dup2, 1, 2, 0, 0, 0, 0);
			err = d < 0 ? (int)d : 0;
		} else {
			err = reopen(&ch, i, at[i], flags[i]);
		}
	}
	if (err == 0 && (remote_unmap_scratch(&ch) != 0 || regs_restore(&ch, c, lead) != 0))
		err = -EIO;
	if (err == 0 && ptrace(PTRACE_DETACH, pid, 0, 0) != 0)
		err = -errno;
	if (err != 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
			;
		return err;
	}
	return pid;
}

static void report_end(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			reply("error %d waitpid: %s\n", pid, strerror(errno));
			return;
		}
	if (WIFSIGNALED(status))
		reply("signal %d %d\n", pid, WTERMSIG(status));
	else
		reply("exit %d %d\n", pid, WEXITSTATUS(status));
}

/* "run\tSTDIN\tSTDOUT\tSTDERR": splits LINE in place; 0 when well formed. */
static int parse_run(char *line, char *paths[3])
{
	char *save = NULL, *w = strtok_r(line, "\t", &save);
	if (w == NULL || strcmp(w, "run") != 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if ((paths[i] = strtok_r(NULL, "\t", &save)) == NULL || paths[i][0] == 0 ||
		    strlen(paths[i]) >= PATH_SLOT)
			return -1;
	return strtok_r(NULL, "\t", &save) == NULL ? 0 : -1;
}

int forkserver_serve(struct tracee *t, const struct core *c, const struct core_thread *lead)
{
	FILE *in = fdopen(proto_in, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;

	signal(SIGINT, SIG_IGN);    /* the terminal's signals are the copies' business */
	signal(SIGPIPE, SIG_IGN);
	if (in == NULL || ptrace(PTRACE_SETOPTIONS, t->pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACEFORK) != 0) {
		log_errno("fork server: template %d", t->pid);
		remote_kill(t);
		return 1;
	}
	log_info("fork server: template %d ready", t->pid);
	reply("ready %d\n", t->pid);
	while ((n = getline(&line, &cap, in)) > 0) {
		char *paths[3];
		int fatal = 0;
		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		if (parse_run(line, paths) != 0) {
			reply("error 0 bad request (want: run<TAB>STDIN<TAB>STDOUT<TAB>STDERR)\n");
			continue;
		}
		pid_t pid = make_copy(t, c, lead, paths, &fatal);
		if (pid < 0) {
			reply("error 0 cannot make a copy: %s\n", strerror(-pid));
			if (fatal) {
				status = 1;
				break;
			}
			continue;
		}
		reply("pid %d\n", pid);
		report_end(pid);
	}
	free(line);
	fclose(in);
	remote_kill(t);
	return status;
}
