/*
 * remote.c - injecting system calls into a ptrace-stopped tracee.
 *
 * The first call is made by writing a `syscall` instruction over the current
 * instruction (the tracee sits at the post-exec stop, at the entry of ld.so or
 * of a static program), which maps a scratch page; the original bytes are put
 * back at once. Every later call runs from the scratch page: rip = scratch,
 * rax = number, arguments in rdi rsi rdx r10 r8 r9, one single step.
 */
#include "remote.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const uint8_t syscall_insn[] = { 0x0f, 0x05, 0xcc, 0xcc };

int remote_attach_exec(struct tracee *t, pid_t pid)
{
	char path[64];
	memset(t, 0, sizeof *t);
	t->pid = pid;
	t->memfd = -1;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL) != 0)
		return log_errno("ptrace(SETOPTIONS)");
	if (ptrace(PTRACE_GETREGS, pid, 0, &t->base) != 0)
		return log_errno("ptrace(GETREGS)");
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	t->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (t->memfd < 0)
		return log_errno("open %s", path);
	return 0;
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

raddr remote_stage(struct tracee *t, size_t off, const void *buf, size_t len)
{
	raddr a = RADDR(t->scratch.v + SCRATCH_DATA + off);
	if (SCRATCH_DATA + off + len > SCRATCH_SIZE || remote_write(t, a, buf, len) != 0)
		return RADDR(0);
	return a;
}

/* Single-steps the syscall instruction at regs->rip; returns 0 and the new registers. */
static int step_syscall(struct tracee *t, struct user_regs_struct *regs)
{
	uint64_t want = regs->rip + 2;
	int status;
	if (ptrace(PTRACE_SETREGS, t->pid, 0, regs) != 0)
		return log_errno("ptrace(SETREGS)");
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, t->pid, 0, 0) != 0)
			return log_errno("ptrace(SINGLESTEP)");
		if (waitpid(t->pid, &status, __WALL) < 0)
			return log_errno("waitpid");
		if (!WIFSTOPPED(status)) {
			log_error("restored process ended while being set up (status 0x%x)", status);
			return -1;
		}
		if (status >> 16)     /* a ptrace event (clone) inside the call: it has not returned yet */
			continue;
		if (ptrace(PTRACE_GETREGS, t->pid, 0, regs) != 0)
			return log_errno("ptrace(GETREGS)");
		if (regs->rip == want)
			break;
		/* a signal arrived before the instruction ran: drop it and step again */
		log_debug("signal %d during setup dropped", WSTOPSIG(status));
	}
	t->nsyscalls++;
	return 0;
}

long remote_syscall(struct tracee *t, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t a6)
{
	struct user_regs_struct r = t->base;
	r.rip = t->scratch.v;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = a1; r.rsi = a2; r.rdx = a3; r.r10 = a4; r.r8 = a5; r.r9 = a6;
	if (step_syscall(t, &r) != 0)
		return -ENOTRECOVERABLE;
	return (long)r.rax;
}

int remote_map_scratch(struct tracee *t, uint64_t addr)
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
	r.rsi = SCRATCH_SIZE;
	r.rdx = PROT_READ | PROT_WRITE | PROT_EXEC;
	r.r10 = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	r.r8 = (uint64_t)-1;
	r.r9 = 0;
	if (step_syscall(t, &r) != 0)
		return -1;
	res = (long)r.rax;
	if (remote_write(t, RADDR(t->base.rip), saved, 2) != 0)
		return -1;
	if (res != (long)addr) {
		log_error("cannot map the scratch page at 0x%lx in the new process: %s", (unsigned long)addr,
			  res < 0 ? strerror((int)-res) : "mapped elsewhere");
		return -1;
	}
	t->scratch = RADDR(addr);
	return remote_write(t, t->scratch, syscall_insn, sizeof syscall_insn);
}

int remote_unmap_scratch(struct tracee *t)
{
	long r = remote_syscall(t, SYS_munmap, t->scratch.v, SCRATCH_SIZE, 0, 0, 0, 0);
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
