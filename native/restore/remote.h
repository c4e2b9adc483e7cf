/*
 * remote.h - the tracer side of the restore: a stopped tracee and system
 * calls injected into it. Every resume of the tracee goes through
 * remote_syscall() or remote_detach().
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

#define SCRATCH_SIZE  (64 * 1024)
#define SCRATCH_DATA  256           /* data area offset inside the scratch page */

struct tracee {
	pid_t pid;
	int memfd;                      /* /proc/PID/mem, read-write */
	raddr scratch;                  /* 0 until the scratch page is mapped */
	struct user_regs_struct base;   /* registers at the post-exec stop */
	unsigned long nsyscalls;
};

int remote_attach_exec(struct tracee *t, pid_t pid);
/* Maps the scratch page at ADDR by patching a syscall over the current rip. */
int remote_map_scratch(struct tracee *t, uint64_t addr);
/* Runs one system call in the tracee; returns its result (-errno on failure),
 * or sets *fatal when the tracee could not be driven at all. */
long remote_syscall(struct tracee *t, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t a6);
int remote_write(struct tracee *t, raddr addr, const void *buf, size_t len);
int remote_read(struct tracee *t, raddr addr, void *buf, size_t len);
/* Copies LEN bytes into the scratch data area at OFF and returns its tracee address. */
raddr remote_stage(struct tracee *t, size_t off, const void *buf, size_t len);
/* Unmaps the scratch page from inside itself. */
int remote_unmap_scratch(struct tracee *t);
int remote_kill(struct tracee *t);

#endif
