/* threads.c - the other threads of a multi-threaded process. */
#include "log.h"
#include "regs.h"
#include "restore.h"

#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/*
 * The other threads: each is cloned by the stopped leader from the scratch
 * page (clone3 with CLONE_THREAD and its old fs_base; its old tid when free),
 * taken by the tracer as it starts (PTRACE_O_TRACECLONE), then given its rseq
 * area, blocked mask and registers. glibc finds its threads again through the
 * restored memory; CLONE_CHILD_CLEARTID at the TCB's tid lets pthread_join
 * see them end.
 */
int restore_threads(struct restore *r)
{
	const struct core *c = r->c;
	if (c->nthreads < 2)
		return 0;
	r->others = calloc(c->nthreads, sizeof *r->others);
	if (r->others == NULL)
		return -1;
	if (remote_trace_clones(&r->t) != 0)
		return -1;
	for (size_t i = 0; i < c->nthreads; i++) {
		const struct core_thread *th = &c->threads[i];
		struct clone_args ca = { 0 };
		pid_t want = th->pid, tid;
		long res;
		struct rscope s;
		raddr cap;
		if (th == r->lead)
			continue;
		ca.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			   CLONE_SETTLS | (r->have_tid_off ? CLONE_CHILD_CLEARTID : 0);
		ca.tls = th->regs.fs_base;
		ca.child_tid = r->have_tid_off ? th->regs.fs_base + (uint64_t)r->tid_off : 0;
		remote_scope_begin(&r->t, &s);
		ca.set_tid = remote_push(&s, &want, sizeof want).v;
		ca.set_tid_size = 1;
		cap = remote_push(&s, &ca, sizeof ca);
		res = ca.set_tid && cap.v ? remote_syscall(&r->t, SYS_clone3, cap.v, sizeof ca, 0, 0, 0, 0) : -ENOTRECOVERABLE;
		if (res < 0 && res != -ENOTRECOVERABLE) {   /* its old tid is taken (or not ours to ask for): any tid */
			log_info("thread %d gets a new tid: %s", want, strerror((int)-res));
			ca.set_tid = 0;
			ca.set_tid_size = 0;
			cap = remote_push(&s, &ca, sizeof ca);
			res = cap.v ? remote_syscall(&r->t, SYS_clone3, cap.v, sizeof ca, 0, 0, 0, 0) : -ENOTRECOVERABLE;
		}
		remote_scope_end(&s);
		if (res <= 0) {
			log_error("cannot create thread %d: %s", want, strerror((int)-res));
			return -1;
		}
		tid = (pid_t)res;
		struct tracee *t = &r->others[r->nothers++];
		if (remote_attach_clone(t, &r->t, tid) != 0)
			return -1;
		if (register_rseq(r, t, th) != 0 || remote_set_sigmask(t, thread_sigmask(r, th)) != 0 ||
		    attrs_restore_thread(t, c, th) != 0 || regs_restore(t, c, th) != 0)
			return -1;
		log_debug("thread %d restored as %d", want, tid);
	}
	return 0;
}

int detach_threads(struct restore *r)
{
	for (size_t i = 0; i < r->nothers; i++)
		if (remote_detach(&r->others[i], 0) != 0)
			return -1;
	return 0;
}
