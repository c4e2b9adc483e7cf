/*
 * remote.h - the tracer side of the restore: a ptrace-stopped tracee, system
 * calls injected into it, its memory, its registers. Every ptrace request of
 * the engine is made here (nowhere else), and every stop it waits for is
 * counted in nstops, every injected call in nsyscalls (`restart -V` prints
 * both).
 */
#ifndef CKPT_REMOTE_H
#define CKPT_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* An address in the tracee: never dereference it here. */
typedef struct { uint64_t v; } raddr;
#define RADDR(x) ((raddr){ (uint64_t)(x) })

/*
 * The scratch area, mapped RWX in the tracee at an address free in both the
 * old and the new layout:
 *   [0, 64)                  a `syscall; int3` the injected calls run from
 *   [64, SCRATCH_STAGE)      the restorer blob (restorer.h)
 *   [SCRATCH_STAGE, +64 KiB) the stage: data for one injected call at a time
 *   [.., +64 KiB)            the restorer's stack
 *   [SCRATCH_FIXED, size)    the restorer's plan
 */
#define SCRATCH_BLOB   64
#define SCRATCH_STAGE  (64 * 1024)
#define STAGE_SIZE     (64 * 1024)
#define STACK_SIZE     (64 * 1024)
#define SCRATCH_FIXED  (SCRATCH_STAGE + STAGE_SIZE + STACK_SIZE)

struct tracee {
	pid_t pid;
	int memfd;                      /* /proc/PID/mem, read-write; shared by a process's threads */
	raddr scratch;                  /* 0 until the scratch area is mapped */
	uint64_t scratch_size;
	size_t stage_top;               /* bytes of the stage in use (see remote_scope_begin) */
	struct user_regs_struct base;   /* registers at the stop the tracee was taken at */
	unsigned long *nsyscalls;       /* shared counters (the leader's) */
	unsigned long *nstops;
	unsigned long own_nsyscalls, own_nstops;
};

/* In the child, before exec: asks to be traced. */
int remote_traceme(void);
/* Takes the child at its post-exec stop: options, registers, /proc/PID/mem. */
int remote_attach_exec(struct tracee *t, pid_t pid);
/* Takes a thread the tracee cloned (traced through PTRACE_O_TRACECLONE) at its first stop. */
int remote_attach_clone(struct tracee *t, const struct tracee *parent, pid_t tid);
/* Takes a process the tracee forked (clone with SIGCHLD) that traced itself
 * (PTRACE_TRACEME) and stopped itself with SIGSTOP, at that stop: options,
 * registers. It shares the parent's counters and scratch address, not its
 * /proc/PID/mem (memfd -1: only injected calls and registers). One stop. */
int remote_attach_fork(struct tracee *t, const struct tracee *parent, pid_t pid);
/* PTRACE_O_TRACECLONE from now on: threads the tracee makes are traced. */
int remote_trace_clones(struct tracee *t);

/* Maps SIZE bytes of scratch at ADDR by patching a syscall over the current rip. */
int remote_map_scratch(struct tracee *t, uint64_t addr, uint64_t size);
/* Runs one system call in the tracee; returns its result (-errno on failure),
 * or -ENOTRECOVERABLE when the tracee could not be driven at all (logged). */
long remote_syscall(struct tracee *t, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t a6);
/* Runs the code at ENTRY with rdi = ARG and the stack at STACK until it
 * traps with rip at TRAP (just after an int3); returns 0 and its rax in
 * *RESULT. Signals on the way are dropped. One ptrace stop. */
int remote_call(struct tracee *t, raddr entry, raddr trap, raddr stack, uint64_t arg, uint64_t *result);
int remote_write(struct tracee *t, raddr addr, const void *buf, size_t len);
int remote_read(struct tracee *t, raddr addr, void *buf, size_t len);
/* Unmaps the scratch area from inside itself. */
int remote_unmap_scratch(struct tracee *t);

/*
 * Data for injected calls, staged in the scratch area. A scope is opened,
 * data pushed (each push returns its tracee address, 0 when the stage is
 * full or the write failed: one check per push), and closed, which frees
 * everything pushed since it opened:
 *     struct rscope s; remote_scope_begin(t, &s);
 *     raddr p = remote_push(&s, buf, len); if (!p.v) goto out; ...
 *   out: remote_scope_end(&s);
 */
struct rscope { struct tracee *t; size_t mark; };
void remote_scope_begin(struct tracee *t, struct rscope *s);
raddr remote_push(struct rscope *s, const void *buf, size_t len);
void remote_scope_end(struct rscope *s);

int remote_getregs(struct tracee *t, struct user_regs_struct *regs);
int remote_setregs(struct tracee *t, const struct user_regs_struct *regs);
/* NT_X86_XSTATE: *LEN in: buffer size, out: the tracee's size. -1 when unsupported. */
int remote_get_xstate(struct tracee *t, void *buf, size_t *len);
int remote_set_xstate(struct tracee *t, void *buf, size_t len);
int remote_set_fpregs(struct tracee *t, const void *fxsave);
int remote_set_sigmask(struct tracee *t, uint64_t mask);

/* Resumes the tracee with SIG (0: none) and waits for its next stop or end. */
int remote_cont(struct tracee *t, int sig, int *status);
/* Lets it go, with SIG (0 or SIGSTOP) to deliver. */
int remote_detach(struct tracee *t, int sig);
int remote_kill(struct tracee *t);

#endif
