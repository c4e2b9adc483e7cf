/*
 * tracee.c - ckpt-dump's ptrace side: seize and stop every thread
 * (PTRACE_SEIZE + PTRACE_INTERRUPT, the way CRIU does: a process that was
 * job-control stopped stays stopped after the detach), read each thread's
 * registers and XSAVE area, and run a few system calls inside the process for
 * the state /proc does not show (signal handlers, tid address, brk).
 *
 * Injected system calls run from a `syscall` instruction of the process's own
 * vDSO (nothing is written to its code), or, without a vDSO, from two bytes
 * put at the thread's rip and put back. rax = number, orig_rax = -1 (no
 * syscall restart), PTRACE_SINGLESTEP, read rax, put the registers back: the
 * thread's syscall-restart state (orig_rax/rax) is as before, so an
 * interrupted sleep or read goes on as it would have. Results come back
 * through 32 bytes below the red zone of the thread's stack, saved and
 * restored around each call.
 *
 * A single step leaves the thread's trap flag set until the next resume: were
 * ckpt-dump killed before it detaches, the kernel's own detach would leave the
 * flag and the process would die of SIGTRAP. So after the last call the thread
 * is resumed once with PTRACE_CONT with a PTRACE_INTERRUPT pending, which
 * clears the flag and stops it again inside the kernel's signal code, before
 * any instruction of its own runs (see settle()).
 */
#include <cpuid.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <linux/prctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracee.h"

#ifndef PTRACE_GETSIGMASK
#define PTRACE_GETSIGMASK 0x420a
#endif
#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif
#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

_Static_assert(sizeof(struct user_regs_struct) == 27 * 8, "user_regs_struct is NT_PRSTATUS pr_reg");

static struct tracee_thread *find(struct tracee *tr, int tid)
{
	for (int i = 0; i < tr->n; i++)
		if (tr->t[i].tid == tid)
			return &tr->t[i];
	return NULL;
}

static int add(struct tracee *tr, int tid)
{
	if (tr->n == tr->cap) {
		int cap = tr->cap ? tr->cap * 2 : 16;
		struct tracee_thread *t = realloc(tr->t, (size_t)cap * sizeof *t);
		if (!t)
			return -ENOMEM;
		tr->t = t;
		tr->cap = cap;
	}
	memset(&tr->t[tr->n], 0, sizeof tr->t[0]);
	tr->t[tr->n++].tid = tid;
	return 0;
}

static void drop(struct tracee *tr, struct tracee_thread *t)
{
	free(t->xsave);
	*t = tr->t[--tr->n];
}

/* Waits for a seized thread's stop. A signal-delivery stop takes the signal
 * away from the thread: it is given back on detach. 1 stopped, 0 gone,
 * -errno. */
static int wait_stop(struct tracee_thread *t, int want_trap)
{
	for (;;) {
		int st;
		pid_t r = waitpid(t->tid, &st, __WALL);
		if (r < 0)
			return errno == ECHILD ? 0 : -errno;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return 0;
		if (!WIFSTOPPED(st))
			continue;
		int sig = WSTOPSIG(st), event = st >> 16;
		if (want_trap) {
			if (event == 0 && sig == SIGTRAP)
				return 1;
			if (event == 0 && !t->pending_sig)
				t->pending_sig = sig;
			/* not our trap yet: step on */
			if (ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0) < 0)
				return -errno;
			continue;
		}
		if (event == 0 && sig != SIGTRAP && !t->pending_sig)
			t->pending_sig = sig;
		return 1;
	}
}

int tracee_stop(struct tracee *tr, int pid, const char **what)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	tr->pid = pid;
	for (int round = 0;; round++) {
		if (round == 1000) {
			*what = "threads keep starting";
			tracee_detach(tr);
			return -EAGAIN;
		}
		DIR *d = opendir(path);
		if (!d) {
			*what = "/proc/PID/task";
			int e = -errno;
			tracee_detach(tr);
			return e;
		}
		int added = 0;
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			int tid = atoi(de->d_name);
			if (tid <= 0 || find(tr, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0) {
				if (errno == ESRCH)
					continue; /* ended meanwhile */
				int e = -errno;
				closedir(d);
				*what = "cannot attach";
				tracee_detach(tr);
				return e;
			}
			int e = add(tr, tid);
			if (e == 0 && ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 && errno != ESRCH)
				e = -errno;
			if (e) {
				closedir(d);
				*what = "cannot stop a thread";
				tracee_detach(tr);
				return e;
			}
			added++;
		}
		closedir(d);
		for (int i = 0; i < tr->n;) {
			struct tracee_thread *t = &tr->t[i];
			if (t->stopped) {
				i++;
				continue;
			}
			int r = wait_stop(t, 0);
			if (r < 0) {
				*what = r == -EINTR ? "timed out stopping the threads" : "waiting for a thread to stop";
				tracee_detach(tr);
				return r;
			}
			if (r == 0) {
				drop(tr, t);
				continue;
			}
			t->stopped = 1;
			i++;
		}
		if (!added)
			break;
	}
	/* the main thread first */
	struct tracee_thread *m = find(tr, pid);
	if (!m) {
		*what = "the main thread has ended";
		tracee_detach(tr);
		return -ESRCH;
	}
	struct tracee_thread tmp = tr->t[0];
	tr->t[0] = *m;
	*m = tmp;
	return 0;
}

static uint32_t xsave_max(void)
{
	unsigned eax, ebx, ecx, edx;
	if (!__get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx) || ecx < 576)
		return 4096;
	return (ecx + 63) & ~63u;
}

int tracee_regs(struct tracee *tr, const char **what)
{
	if (tr->n > SF_MAXTHREADS) {
		*what = "too many threads";
		return -E2BIG;
	}
	uint32_t cap = xsave_max();
	sf.nthr = tr->n;
	for (int i = 0; i < tr->n; i++) {
		struct tracee_thread *t = &tr->t[i];
		struct sf_thread *s = &sf.threads[i];
		memset(s, 0, sizeof *s);
		s->tid = t->tid;
		s->state = SF_T_READY;
		struct user_regs_struct regs;
		if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) < 0) {
			*what = "reading registers";
			return -errno;
		}
		memcpy(s->regs, &regs, sizeof regs);
		if (ptrace(PTRACE_GETSIGMASK, t->tid, (void *)8, &s->sigmask) < 0)
			s->sigmask = 0;
		if (!t->xsave && !(t->xsave = malloc(cap))) {
			*what = "memory for XSAVE areas";
			return -ENOMEM;
		}
		struct iovec iov = { t->xsave, cap };
		if (ptrace(PTRACE_GETREGSET, t->tid, (void *)NT_X86_XSTATE, &iov) == 0 && iov.iov_len >= 576) {
			t->xsave_size = (uint32_t)iov.iov_len;
			s->xsave = t->xsave;
			s->xsave_size = t->xsave_size;
			s->fxsave = t->xsave;
			memcpy(&s->xfeatures, t->xsave + 464, 8); /* XCR0, where the kernel puts it */
		} else if (ptrace(PTRACE_GETFPREGS, t->tid, 0, t->fxsave) == 0) {
			s->fxsave = t->fxsave;
		}
	}
	return 0;
}

/* ---- system calls inside the process ---- */

static uint64_t find_syscall_insn(struct tracee *tr)
{
	for (int i = 0; i < sf.nmaps; i++) {
		const struct sf_map *m = &sf.maps[i];
		if (m->special != PROC_VDSO || m->end - m->start > (1u << 20))
			continue;
		size_t len = m->end - m->start;
		unsigned char *buf = malloc(len);
		if (!buf)
			return 0;
		struct iovec l = { buf, len }, r = { (void *)m->start, len };
		ssize_t n = process_vm_readv(tr->pid, &l, 1, &r, 1, 0);
		uint64_t at = 0;
		for (ssize_t k = 0; n > 1 && k + 1 < n && !at; k++)
			if (buf[k] == 0x0f && buf[k + 1] == 0x05)
				at = m->start + (uint64_t)k;
		free(buf);
		return at;
	}
	return 0;
}

long tracee_syscall(struct tracee *tr, long nr, long a1, long a2, long a3, long a4, int *failed)
{
	struct tracee_thread *t = &tr->t[0];
	struct user_regs_struct saved, regs;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &saved) < 0)
		goto fail;
	regs = saved;
	long poked = 0, word = 0;
	if (tr->syscall_insn) {
		regs.rip = tr->syscall_insn;
	} else {
		/* no vDSO: two bytes at rip, put back below */
		errno = 0;
		word = ptrace(PTRACE_PEEKTEXT, t->tid, (void *)saved.rip, 0);
		if (errno)
			goto fail;
		long patched = (word & ~0xffffL) | 0x050f;
		if (ptrace(PTRACE_POKETEXT, t->tid, (void *)saved.rip, (void *)patched) < 0)
			goto fail;
		poked = 1;
	}
	regs.rax = (unsigned long long)nr;
	regs.orig_rax = (unsigned long long)-1;
	regs.rdi = (unsigned long long)a1;
	regs.rsi = (unsigned long long)a2;
	regs.rdx = (unsigned long long)a3;
	regs.r10 = (unsigned long long)a4;
	long result = 0;
	int ok = ptrace(PTRACE_SETREGS, t->tid, 0, &regs) == 0 && ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0) == 0 &&
		 wait_stop(t, 1) == 1 && ptrace(PTRACE_GETREGS, t->tid, 0, &regs) == 0;
	result = (long)regs.rax;
	if (poked)
		ptrace(PTRACE_POKETEXT, t->tid, (void *)saved.rip, (void *)word);
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &saved) < 0 || !ok)
		goto fail;
	return result;
fail:
	*failed = 1;
	return -EIO;
}

/* A 32-byte scratch area below the red zone of the main thread's stack,
 * its old content in save[]. */
static uint64_t scratch_at(struct tracee *tr, long save[4])
{
	uint64_t a = (sf.threads[0].regs[19] /* rsp */ - 512) & ~15ull;
	for (int i = 0; i < 4; i++) {
		errno = 0;
		save[i] = ptrace(PTRACE_PEEKDATA, tr->t[0].tid, (void *)(a + 8 * (uint64_t)i), 0);
		if (errno)
			return 0;
	}
	return a;
}

static int scratch_read(struct tracee *tr, uint64_t a, void *out, int words)
{
	long *w = out;
	for (int i = 0; i < words; i++) {
		errno = 0;
		w[i] = ptrace(PTRACE_PEEKDATA, tr->t[0].tid, (void *)(a + 8 * (uint64_t)i), 0);
		if (errno)
			return -errno;
	}
	return 0;
}

static void scratch_restore(struct tracee *tr, uint64_t a, const long save[4])
{
	for (int i = 0; i < 4; i++)
		ptrace(PTRACE_POKEDATA, tr->t[0].tid, (void *)(a + 8 * (uint64_t)i), (void *)save[i]);
}

/* SigCgt | SigIgn of /proc/PID/status: the signals whose action is not SIG_DFL. */
static uint64_t non_default_signals(int pid)
{
	char path[64], buf[16384];   /* Groups: comes before SigCgt: and may be long */
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return ~0ull;
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	uint64_t cgt, ign;
	if (proc_status_u(buf, len, "SigCgt:", 16, &cgt) < 0 || proc_status_u(buf, len, "SigIgn:", 16, &ign) < 0)
		return ~0ull;
	return cgt | ign;
}

/* Clears the single-step flag of the main thread without letting it run:
 * PTRACE_CONT from its current stop, with a PTRACE_INTERRUPT queued, brings it
 * back to a PTRACE_EVENT_STOP inside get_signal(). */
static int settle(struct tracee *tr)
{
	struct tracee_thread *t = &tr->t[0];
	if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) < 0 || ptrace(PTRACE_CONT, t->tid, 0, 0) < 0)
		return -errno;
	for (;;) {
		int st;
		if (waitpid(t->tid, &st, __WALL) < 0)
			return -errno;
		if (!WIFSTOPPED(st))
			return -ESRCH;
		if (st >> 16 == PTRACE_EVENT_STOP)
			return 0;
		/* a signal-delivery stop first: keep the signal for the detach */
		if (!t->pending_sig && WSTOPSIG(st) != SIGTRAP)
			t->pending_sig = WSTOPSIG(st);
		if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0)
			return -errno;
	}
}

int tracee_process_state(struct tracee *tr)
{
	int missing = 0, failed = 0;
	memset(sf.sigactions, 0, sizeof sf.sigactions);
	memset(&sf.rseq, 0, sizeof sf.rseq);
	sf.tidaddr = 0;

	struct {
		uint64_t ptr;
		uint32_t size, sig, flags, pad;
	} rc;
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tr->t[0].tid, (void *)sizeof rc, &rc) >= (long)16) {
		sf.rseq.addr = rc.ptr;
		sf.rseq.len = rc.size;
		sf.rseq.sig = rc.sig;
	} else {
		missing++;
	}

	tr->syscall_insn = find_syscall_insn(tr);
	long save[4];
	uint64_t scratch = scratch_at(tr, save);
	if (!scratch)
		return missing + 3;
	long brk = tracee_syscall(tr, 12 /* brk */, 0, 0, 0, 0, &failed);
	if (!failed && brk > 0)
		sf.mm.brk = (uint64_t)brk;
	else
		missing++;
	failed = 0;
	if (tracee_syscall(tr, 157 /* prctl */, PR_GET_TID_ADDRESS, (long)scratch, 0, 0, &failed) == 0 && !failed)
		missing += scratch_read(tr, scratch, &sf.tidaddr, 1) < 0;
	else
		missing++;
	/* interval timers (process-wide) and the main thread's alternate signal stack;
	 * the other threads' stacks would need calls in each thread (docs/LIMITS.md) */
	memset(&sf.attrs, 0, sizeof sf.attrs);
	int64_t itv[4];
	int w;
	for (w = 0; w < 3 && !failed; w++) {
		if (tracee_syscall(tr, 36 /* getitimer */, w, (long)scratch, 0, 0, &failed) != 0 || failed ||
		    scratch_read(tr, scratch, itv, 4) < 0)
			break;
		sf.attrs.itimers[w].interval_us = itv[0] * 1000000 + itv[1];
		sf.attrs.itimers[w].value_us = itv[2] * 1000000 + itv[3];
	}
	if (w == 3)
		sf.attrs.have |= CKPT_ATTR_ITIMERS;
	else
		missing++;
	uint64_t ss[3];
	if (!failed && tracee_syscall(tr, 131 /* sigaltstack */, 0, (long)scratch, 0, 0, &failed) == 0 && !failed &&
	    scratch_read(tr, scratch, ss, 3) == 0) {
		struct ckpt_thread_attrs *ta = &sf.threads[0].ta;
		ta->ss_sp = ss[0];
		ta->ss_flags = (uint32_t)ss[1] & ~(uint32_t)SS_ONSTACK;
		ta->ss_size = ss[2];
		ta->have |= CKPT_TA_SIGALTSTACK;
	} else {
		missing++;
	}
	sf_gather_timers();
	for (int i = 0; i < sf.ntimers && !failed; i++) {
		int64_t its[4];
		if (tracee_syscall(tr, 224 /* timer_gettime */, sf.timers[i].id, (long)scratch, 0, 0, &failed) != 0 ||
		    failed || scratch_read(tr, scratch, its, 4) < 0) {
			missing++;
			continue;
		}
		sf.timers[i].interval_ns = its[0] * 1000000000 + its[1];
		sf.timers[i].value_ns = its[2] * 1000000000 + its[3];
		sf.timers[i].have_time = 1;
	}
	uint64_t which = non_default_signals(tr->pid);
	for (int sig = 1; sig <= 64 && !failed; sig++) {
		if (!(which & (1ull << (sig - 1))) || sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (tracee_syscall(tr, 13 /* rt_sigaction */, sig, 0, (long)scratch, 8, &failed) != 0 || failed ||
		    scratch_read(tr, scratch, &sf.sigactions[sig - 1], 4) < 0)
			missing++;
	}
	scratch_restore(tr, scratch, save);
	if (settle(tr) < 0)
		missing++;
	return missing;
}

void tracee_detach(struct tracee *tr)
{
	/* a thread seized but not yet stopped cannot be detached: it is let go
	 * when ckpt-dump exits */
	for (int i = 0; i < tr->n; i++) {
		struct tracee_thread *t = &tr->t[i];
		if (t->stopped)
			ptrace(PTRACE_DETACH, t->tid, 0, (void *)(long)t->pending_sig);
		t->stopped = 0;
	}
}

void tracee_free(struct tracee *tr)
{
	for (int i = 0; i < tr->n; i++)
		free(tr->t[i].xsave);
	free(tr->t);
	memset(tr, 0, sizeof *tr);
}
