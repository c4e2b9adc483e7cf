/*
 * remote.c - ptrace, and system calls injected into a stopped tracee.
 *
 * The first call is made by writing a `syscall` instruction over the current
 * instruction (the tracee sits at the post-exec stop, at the entry of ld.so or
 * of a static program), which maps the scratch area; the original bytes are
 * put back at once. Every later call runs from the scratch area: rip =
 * scratch, rax = number, arguments in rdi rsi rdx r10 r8 r9, one single step.
 */
#include "remote.h"
#include "log.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PTRACE_SETSIGMASK
#define PTRACE_SETSIGMASK 0x420b
#endif

static const uint8_t syscall_insn[] = { 0x0f, 0x05, 0xcc, 0xcc };

int remote_traceme(void)
{
	return ptrace(PTRACE_TRACEME, 0, 0, 0) == 0 ? 0 : -errno;
}

static void counters(struct tracee *t)
{
	t->nsyscalls = &t->own_nsyscalls;
	t->nstops = &t->own_nstops;
}

static int wait_stop(struct tracee *t, int *status)
{
	while (waitpid(t->pid, status, __WALL) < 0)
		if (errno != EINTR)
			return log_errno("waitpid");
	(*t->nstops)++;
	return 0;
}

int remote_attach_exec(struct tracee *t, pid_t pid)
{
	char path[64];
	memset(t, 0, sizeof *t);
	counters(t);
	t->pid = pid;
	t->memfd = -1;
	(*t->nstops)++;                 /* the post-exec stop, waited for by the caller */
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL) != 0)
		return log_errno("ptrace(SETOPTIONS)");
	if (remote_getregs(t, &t->base) != 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	t->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (t->memfd < 0)
		return log_errno("open %s", path);
	return 0;
}

int remote_trace_clones(struct tracee *t)
{
	if (ptrace(PTRACE_SETOPTIONS, t->pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE) != 0)
		return log_errno("ptrace(SETOPTIONS)");
	return 0;
}

/* T becomes PARENT's twin with pid PID, taken at its first stop (a process
 * that ended there is forgotten: pid 0). */
static int first_stop(struct tracee *t, const struct tracee *parent, pid_t pid, const char *what, int *status)
{
	*t = *parent;
	t->pid = pid;
	if (wait_stop(t, status) != 0)
		return -1;
	if (!WIFSTOPPED(*status)) {
		log_error("%s %d ended as it started (status 0x%x)", what, pid, *status);
		t->pid = 0;
		return -1;
	}
	return 0;
}

int remote_attach_clone(struct tracee *t, const struct tracee *parent, pid_t tid)
{
	int status;
	if (first_stop(t, parent, tid, "thread", &status) != 0)
		return -1;
	return remote_getregs(t, &t->base);
}

int remote_attach_fork(struct tracee *t, const struct tracee *parent, pid_t pid)
{
	int status, ret = first_stop(t, parent, pid, "copy", &status);
	t->memfd = -1;                  /* its memory is its own: never written through the parent's */
	if (ret != 0)
		return -1;
	if (WSTOPSIG(status) != SIGSTOP || (status >> 16) != 0) {
		log_error("copy %d stopped with signal %d, not its own SIGSTOP", pid, WSTOPSIG(status));
		return -1;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL) != 0)
		return log_errno("ptrace(SETOPTIONS) of %d", pid);
	return remote_getregs(t, &t->base);
}

int remote_write(struct tracee *t, raddr addr, const void *buf, size_t len)
{
	ssize_t n = pwrite(t->memfd, buf, len, (off_t)addr.v);
	if (n != (ssize_t)len)
		return log_errno("write tracee memory at 0x%lx", (unsigned long)addr.v);
	return 0;
}

int remote_read(struct tracee *t, raddr addr, void *buf, size_t len)
{
	ssize_t n = pread(t->memfd, buf, len, (off_t)addr.v);
	if (n != (ssize_t)len)
		return -1;
	return 0;
}

void remote_scope_begin(struct tracee *t, struct rscope *s)
{
	s->t = t;
	s->mark = t->stage_top;
}

raddr remote_push(struct rscope *s, const void *buf, size_t len)
{
	struct tracee *t = s->t;
	size_t off = (t->stage_top + 15) & ~(size_t)15;
	raddr a = RADDR(t->scratch.v + SCRATCH_STAGE + off);
	if (t->scratch.v == 0 || off + len > STAGE_SIZE) {
		log_error("no room for %zu bytes of data in the new process's scratch area", len);
		return RADDR(0);
	}
	if (remote_write(t, a, buf, len) != 0)
		return RADDR(0);
	t->stage_top = off + len;
	return a;
}

void remote_scope_end(struct rscope *s)
{
	s->t->stage_top = s->mark;
}

int remote_getregs(struct tracee *t, struct user_regs_struct *regs)
{
	if (ptrace(PTRACE_GETREGS, t->pid, 0, regs) != 0)
		return log_errno("ptrace(GETREGS) of %d", t->pid);
	return 0;
}

int remote_setregs(struct tracee *t, const struct user_regs_struct *regs)
{
	if (ptrace(PTRACE_SETREGS, t->pid, 0, regs) != 0)
		return log_errno("ptrace(SETREGS) of %d", t->pid);
	return 0;
}

int remote_get_xstate(struct tracee *t, void *buf, size_t *len)
{
	struct iovec iov = { buf, *len };
	if (ptrace(PTRACE_GETREGSET, t->pid, NT_X86_XSTATE, &iov) != 0)
		return -1;
	*len = iov.iov_len;
	return 0;
}

int remote_set_xstate(struct tracee *t, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	if (ptrace(PTRACE_SETREGSET, t->pid, NT_X86_XSTATE, &iov) != 0)
		return log_errno("ptrace(SETREGSET, NT_X86_XSTATE)");
	return 0;
}

int remote_set_fpregs(struct tracee *t, const void *fxsave)
{
	if (ptrace(PTRACE_SETFPREGS, t->pid, 0, fxsave) != 0)
		return log_errno("ptrace(SETFPREGS)");
	return 0;
}

int remote_set_sigmask(struct tracee *t, uint64_t mask)
{
	mask &= ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	if (ptrace(PTRACE_SETSIGMASK, t->pid, sizeof mask, &mask) != 0)
		return log_errno("ptrace(SETSIGMASK)");
	return 0;
}

int remote_cont(struct tracee *t, int sig, int *status)
{
	if (ptrace(PTRACE_CONT, t->pid, 0, sig) != 0)
		return log_errno("ptrace(CONT) of %d", t->pid);
	return wait_stop(t, status);
}

int remote_detach(struct tracee *t, int sig)
{
	if (ptrace(PTRACE_DETACH, t->pid, 0, sig) != 0)
		return log_errno("ptrace(DETACH) of %d", t->pid);
	return 0;
}

/* Runs the tracee from REGS until rip reaches WANT (after a single step or a
 * trap); returns 0 and the registers there. Signals on the way are dropped. */
static int run_until(struct tracee *t, struct user_regs_struct *regs, uint64_t want, int step)
{
	int status;
	if (remote_setregs(t, regs) != 0)
		return -1;
	for (;;) {
		if (ptrace(step ? PTRACE_SINGLESTEP : PTRACE_CONT, t->pid, 0, 0) != 0)
			return log_errno(step ? "ptrace(SINGLESTEP)" : "ptrace(CONT)");
		if (wait_stop(t, &status) != 0)
			return -1;
		if (!WIFSTOPPED(status)) {
			log_error("restored process ended while being set up (status 0x%x)", status);
			return -1;
		}
		if (status >> 16)     /* a ptrace event (clone) inside the call: it has not returned yet */
			continue;
		if (remote_getregs(t, regs) != 0)
			return -1;
		if (regs->rip == want)
			return 0;
		int sig = WSTOPSIG(status);
		if (!step && (sig == SIGTRAP || sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE)) {
			/* the code it ran faulted: resuming would fault again */
			log_error("the restorer stopped with signal %d at 0x%lx, not at its end", sig,
				  (unsigned long)regs->rip);
			return -1;
		}
		/* a signal from outside before the instruction ran: drop it, go on */
		log_debug("signal %d during setup dropped", sig);
	}
}

long remote_syscall(struct tracee *t, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t a6)
{
	struct user_regs_struct r = t->base;
	r.rip = t->scratch.v;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = a1; r.rsi = a2; r.rdx = a3; r.r10 = a4; r.r8 = a5; r.r9 = a6;
	if (run_until(t, &r, r.rip + 2, 1) != 0)
		return -ENOTRECOVERABLE;
	(*t->nsyscalls)++;
	return (long)r.rax;
}

int remote_call(struct tracee *t, raddr entry, raddr trap, raddr stack, uint64_t arg, uint64_t *result)
{
	struct user_regs_struct r = t->base;
	r.rip = entry.v;
	r.rsp = stack.v & ~15ull;
	r.rdi = arg;
	r.orig_rax = (uint64_t)-1;
	r.eflags &= ~0x100ull;             /* no trap flag */
	if (run_until(t, &r, trap.v, 0) != 0)
		return -1;
	*result = r.rax;
	return 0;
}

int remote_map_scratch(struct tracee *t, uint64_t addr, uint64_t size)
{
	struct user_regs_struct r = t->base;
	uint8_t saved[sizeof syscall_insn];
	long res;

	if (remote_read(t, RADDR(r.rip), saved, sizeof saved) != 0)
		return log_errno("read tracee text at 0x%lx", (unsigned long)r.rip);
	if (remote_write(t, RADDR(r.rip), syscall_insn, 2) != 0)
		return -1;
	r.rax = SYS_mmap;
	r.orig_rax = (uint64_t)-1;
	r.rdi = addr;
	r.rsi = size;
	r.rdx = PROT_READ | PROT_WRITE | PROT_EXEC;
	r.r10 = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	r.r8 = (uint64_t)-1;
	r.r9 = 0;
	if (run_until(t, &r, r.rip + 2, 1) != 0)
		return -1;
	(*t->nsyscalls)++;
	res = (long)r.rax;
	if (remote_write(t, RADDR(t->base.rip), saved, 2) != 0)
		return -1;
	if (res != (long)addr) {
		log_error("cannot map the scratch page at 0x%lx in the new process: %s", (unsigned long)addr,
			  res < 0 ? strerror((int)-res) : "mapped elsewhere");
		return -1;
	}
	t->scratch = RADDR(addr);
	t->scratch_size = size;
	t->stage_top = 0;
	return remote_write(t, t->scratch, syscall_insn, sizeof syscall_insn);
}

int remote_unmap_scratch(struct tracee *t)
{
	long r = remote_syscall(t, SYS_munmap, t->scratch.v, t->scratch_size, 0, 0, 0, 0);
	if (r != 0) {
		log_error("munmap of the scratch page failed: %s", strerror((int)-r));
		return -1;
	}
	t->scratch = RADDR(0);
	return 0;
}

int remote_kill(struct tracee *t)
{
	int status;
	if (t->pid <= 0)
		return 0;
	kill(t->pid, SIGKILL);
	/* reap every traced thread: the leader is reported only after them */
	for (;;) {
		pid_t w = waitpid(-1, &status, __WALL);
		if (w == t->pid || (w < 0 && errno != EINTR))
			break;
	}
	t->pid = 0;
	return 0;
}
