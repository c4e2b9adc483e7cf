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
#include "corefile.h"
#include "files.h"
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
	if (restore_threads(r) != 0 || remote_unmap_scratch(&r->t) != 0 || regs_restore(&r->t, r->c, r->lead) != 0 ||
	    detach_threads(r) != 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct core c;
	struct plan p;
	struct fdset files = { 0 };
	struct special_layout sl;
	struct restore r;
	char exebuf[PATH_MAX];
	const char *exe = NULL;
	int errpipe[2];

	if (options_parse(argc, argv, &o) != 0)
		return EXIT_BAD_INPUT;
	if (core_open(&c, o.core) != 0) {
		log_error("%s: %s", o.core, c.err);
		core_close(&c);
		return EXIT_BAD_INPUT;
	}
	/* The VERSION note counts the threads a writer could not put in the core
	 * (libsavefds.so leaves out threads that block every signal): restored
	 * without them, the process would run on with threads missing. */
	if (c.ckpt.version != NULL && c.ckpt.version->nthreads > c.nthreads) {
		log_error("%s: the process had %u threads, the core holds %zu (libsavefds.so leaves out threads "
			  "that block every signal); restoring it without them is not supported", o.core,
			  (unsigned)c.ckpt.version->nthreads, c.nthreads);
		return EXIT_BAD_INPUT;
	}
	if (o.exe) {
		if (realpath(o.exe, exebuf) == NULL || access(exebuf, X_OK) != 0) {
			log_error("%s: %s", o.exe, strerror(errno));
			return EXIT_BAD_INPUT;
		}
		exe = exebuf;
	}
	if (special_layout_read(&sl) != 0) {
		log_error("cannot read this process's own vDSO layout from /proc/self/maps");
		return EXIT_FAILED;
	}
	if (plan_build(&p, &c, o.core, exe, &sl) != 0 || plan_check_files(&p, &c) != 0)
		return EXIT_BAD_INPUT;
	if (access(p.exe, X_OK) != 0) {
		log_error("%s: executable %s: %s", o.core, p.exe, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	if (o.filedes ? files_from_text(&files, o.filedes) != 0
		      : (c.ckpt.files && files_from_core(&files, &c) != 0)) {
		if (!o.filedes)
			log_error("%s: CKPT FILES note: malformed record", o.core);
		return EXIT_BAD_INPUT;
	}
	if (o.filedes)
		files_share_from_core(&files, &c);
	if (files_check(&files, o.filedes ? o.filedes : o.core, o.skip_missing) != 0)
		return EXIT_BAD_INPUT;
	if (c.ckpt.cwd) {
		struct stat st;
		if (stat(c.ckpt.cwd, &st) != 0 || !S_ISDIR(st.st_mode)) {
			log_error("%s: working directory %s: %s", o.core, c.ckpt.cwd,
				  errno ? strerror(errno) : "not a directory");
			return EXIT_BAD_INPUT;
		}
	}

	memset(&r, 0, sizeof r);
	r.o = &o; r.c = &c; r.p = &p; r.files = &files;
	r.lead = &c.threads[c.leader];
	r.core_fd = (files.maxfd > 2 ? files.maxfd : 2) + 1;
	if (pipe2(errpipe, O_CLOEXEC) != 0)
		return log_errno("pipe"), EXIT_FAILED;
	fflush(NULL);
	r.t.pid = spawn(&r, errpipe);
	if (r.t.pid < 0)
		return log_errno("fork"), EXIT_FAILED;
	close(errpipe[1]);
	if (exec_stop(&r, errpipe[0]) != 0)
		return EXIT_BAD_INPUT;
	close(errpipe[0]);
	if (restore_image(&r) != 0 || restore_finish(&r) != 0 ||
	    (o.breakpoint && run_to_breakpoint(&r, o.breakpoint) != 0)) {
		log_error("%s: restore failed; the new process was killed", o.core);
		remote_kill(&r.t);
		return EXIT_FAILED;
	}
	pid_t pid = r.t.pid;
	if (release(&r) != 0) {
		remote_kill(&r.t);
		return EXIT_FAILED;
	}
	if (o.wait)
		return wait_exit_status(pid);
	return 0;
}
