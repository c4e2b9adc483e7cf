/*
 * tracee.h - ckpt-dump's hold on the process it checkpoints: every thread
 * seized and stopped with ptrace, each thread's registers, and system calls
 * run inside the process (for what /proc does not show).
 */
#ifndef TRACEE_H
#define TRACEE_H

#include <stdint.h>

#include "sfstate.h"

struct tracee_thread {
	int tid;
	int stopped;           /* waited for: in a ptrace stop */
	int pending_sig;       /* a signal its stop took away, given back on detach */
	unsigned char *xsave;  /* NT_X86_XSTATE, or NULL */
	uint32_t xsave_size;
	unsigned char fxsave[512];
};

struct tracee {
	int pid;
	struct tracee_thread *t;
	int n, cap;
	uint64_t syscall_insn;  /* address of a `syscall` instruction, 0 = none yet */
};

/* Seizes and stops every thread of pid (threads started meanwhile too).
 * 0, or -errno with *what naming the step. On failure every thread that was
 * seized is let go again. */
int tracee_stop(struct tracee *tr, int pid, const char **what);

/* Fills sf.threads (the main thread first) with registers, blocked masks and
 * XSAVE areas. 0 or -errno. */
int tracee_regs(struct tracee *tr, const char **what);

/* Runs a system call in the main thread, which then goes on as before.
 * Returns the kernel's result (-errno on failure), or sets *failed. */
long tracee_syscall(struct tracee *tr, long nr, long a1, long a2, long a3, long a4, int *failed);

/* Fills what only the process itself can say: signal actions (the ones
 * /proc/PID/status says are caught or ignored), tid address, brk, rseq.
 * Returns how many of these could not be read (0 = all). */
int tracee_process_state(struct tracee *tr);

/* Lets every thread go on (PTRACE_DETACH), giving back taken signals. */
void tracee_detach(struct tracee *tr);

void tracee_free(struct tracee *tr);

#endif
