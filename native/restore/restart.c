/*
 * restart - make a live process again from an ELF core file.
 *
 *   restart [options] [EXECUTABLE] CORE
 *
 * The seed's interface and defaults. In short: check everything first (bad
 * input: a one-line message, exit 2, nothing started); fork; the child
 * reopens the saved files, traces itself and execs the original executable;
 * at the post-exec stop the parent maps a scratch area into the child and
 * runs the restorer blob there once, which replaces the whole address space
 * with the core's; then the rest of the state, then the registers, and lets
 * it go. The steps are listed in restore.h; docs/RESTART.md tells the story.
 */
#include "check.h"
#include "corefile.h"
#include "files.h"
#include "forkserver.h"
#include "log.h"
#include "plan.h"
#include "regs.h"
#include "remote.h"
#include "restore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int restore_image(struct restore *r)
{
	if (remote_attach_exec(&r->t, r->t.pid) != 0 || layout_read(r) != 0 || restore_memory(r) != 0 ||
	    restore_state(r) != 0)
		return -1;
	return 0;
}

int restore_finish(struct restore *r)
{
	if (restore_threads(r) != 0 || attrs_restore_late(&r->t, r->c) != 0 || remote_unmap_scratch(&r->t) != 0 || regs_restore(&r->t, r->c, r->lead) != 0 ||
	    detach_threads(r) != 0)
		return -1;
	return 0;
}

/* Writes PID to PATH, made anew (a temporary name renamed over it, so a reader never sees half). */
static int write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], line[32];
	int n = snprintf(line, sizeof line, "%d\n", (int)pid);
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return errno = ENAMETOOLONG, -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, line, (size_t)n) != n || close(fd) != 0 || rename(tmp, path) != 0) {
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct core c;
	struct plan p;
	struct fdset files = { 0 };
	struct restore r;
	int errpipe[2];

	if (options_parse(argc, argv, &o) != 0)
		return EXIT_BAD_INPUT;
	struct check_input ci = { o.core, o.exe, o.filedes, o.skip_missing, o.force };
	struct check_result cr;
	int rc = check_all(&ci, &c, &p, &files, &cr);
	if (rc < 0)
		return rc == -1 ? EXIT_BAD_INPUT : o.failed_status;
	if (o.check) {
		if (o.json)
			check_print_json(&cr, o.core, stdout);
		else
			check_print_text(&cr, o.core, stdout);
		return check_not_ok(&cr) ? EXIT_FAILED : 0;
	}
	check_print_text(&cr, o.core, stderr);
	if (check_refuses(&cr))
		return EXIT_BAD_INPUT;
	check_free(&cr);

	if (o.fork_server && forkserver_begin(&c, o.core) != 0)
		return EXIT_FORKSERVER_UNSUPPORTED;
	memset(&r, 0, sizeof r);
	r.o = &o; r.c = &c; r.p = &p; r.files = &files;
	r.lead = &c.threads[c.leader];
	r.core_fd = (files.maxfd > 2 ? files.maxfd : 2) + 1;
	if (pipe2(errpipe, O_CLOEXEC) != 0)
		return log_errno("pipe"), o.failed_status;
	fflush(NULL);
	r.t.pid = spawn(&r, errpipe);
	if (r.t.pid < 0)
		return log_errno("fork"), o.failed_status;
	close(errpipe[1]);
	if (exec_stop(&r, errpipe[0]) != 0)
		return EXIT_BAD_INPUT;
	close(errpipe[0]);
	int made = restore_image(&r) == 0;
	if (made && o.fork_server)
		return forkserver_serve(&r.t, &c, r.lead);
	if (!made || restore_finish(&r) != 0 ||
	    (o.breakpoint && run_to_breakpoint(&r, o.breakpoint) != 0)) {
		log_error("%s: restore failed; the new process was killed", o.core);
		remote_kill(&r.t);
		return o.failed_status;
	}
	pid_t pid = r.t.pid;
	if (release(&r) != 0) {
		remote_kill(&r.t);
		return o.failed_status;
	}
	if (o.pid_file && write_pid_file(o.pid_file, pid) != 0)
		log_errno("%s: cannot write the restored pid", o.pid_file);   /* said; the process runs on */
	if (o.wait)
		return wait_exit_status(pid);
	return 0;
}
