/*
 * restore.h - one restore, and the steps main() runs in order:
 *
 *   options_parse      the command line                        (options.c)
 *   [checks]           bad input: one line, exit 2             (restart.c)
 *   spawn, exec_stop   fork; the child reopens its files,      (spawn.c)
 *                      traces itself, execs the executable
 *   restore_image      the whole address space and the state   (restart.c)
 *   restore_finish     threads, scratch gone, registers        (restart.c)
 *   run_to_breakpoint  -b                                      (runner.c)
 *   release            leave it running or stopped             (runner.c)
 *
 * restore_image leaves a stopped, single-threaded tracee whose memory,
 * signal actions and mask, mm fields, rseq, tid address and fd flags are
 * restored, whose registers are NOT yet set (it still sits at the post-exec
 * stop, rip inside the exec'd program) and whose scratch area (stage,
 * restorer blob, plan) is still mapped. restore_finish makes the other
 * threads (clone3 from the scratch area, each given its registers), unmaps
 * the scratch area, sets the leader's registers and lets the other threads
 * go; after it the process must only be let go (release) or run to a
 * breakpoint. A fork server can run restore_image once and fork copies of
 * that tracee before restore_finish.
 */
#ifndef CKPT_RESTORE_H
#define CKPT_RESTORE_H

#include "attrs.h"
#include "corefile.h"
#include "files.h"
#include "plan.h"
#include "procparse.h"
#include "remote.h"

#include <stdint.h>
#include <stdio.h>

#define VERSION "restart (ckpt) 0.1.0"
#define PAGE 4096ull
#define EXIT_BAD_INPUT 2
#define EXIT_FAILED    1

struct options {
	const char *exe, *core;
	const char *filedes;       /* -f: text file of open files */
	int filedes_default;       /* -f without an attached FILE */
	int nostop, wait, select, skip_missing, same_pid;
	int check, json, force;    /* --check, --json, --force */
	int fork_server;           /* --fork-server: forkserver.c */
	const char *pid_file;      /* --pid-file: the restored pid is written there */
	int failed_status;         /* --failed-status: exit status when restoring fails (EXIT_FAILED) */
	uint64_t breakpoint;       /* -b */
};

/* One line of /proc/PID/maps of the new process. */
struct newmap { uint64_t start, end, offset; uint8_t special; /* enum proc_special */ char name[256]; };

struct restore {
	struct options *o;
	struct core *c;
	struct plan *p;
	struct fdset *files;
	struct tracee t;
	int core_fd;               /* the core, open in the child at this number */
	struct newmap *nm; size_t nnm;   /* the child's mappings after exec */
	const struct core_thread *lead;  /* the thread the exec'd process becomes */
	int64_t rseq_off, tid_off;       /* from a thread's fs_base: its rseq area, its tid in glibc's TCB */
	int have_rseq_off, have_tid_off;
	uint32_t rseq_len, rseq_sig;
	struct tracee *others; size_t nothers;   /* the other threads, made with clone3 */
	struct ckpt_mm new_mm;     /* its /proc/PID/stat memory fields (brk 0) */
};

/* options.c */
void usage(FILE *f);
int options_parse(int argc, char **argv, struct options *o);

/* layout.c: the new process's own layout after exec */
int layout_read(struct restore *r);
int layout_special(const struct newmap *m);
/* A free place for LEN bytes in both the old and the new layout (and not the scratch area). */
uint64_t layout_find_free(struct restore *r, uint64_t len);

/* memory.c: the address space */
int restore_memory(struct restore *r);

/* state.c: mm fields, signal actions and mask, rseq, tid address, fd flags */
int restore_state(struct restore *r);
uint64_t thread_sigmask(struct restore *r, const struct core_thread *th);
int register_rseq(struct restore *r, struct tracee *t, const struct core_thread *th);

/* threads.c */
int restore_threads(struct restore *r);
int detach_threads(struct restore *r);

/* spawn.c */
pid_t spawn(struct restore *r, int errpipe[2]);
int exec_stop(struct restore *r, int errfd);

/* runner.c */
int run_to_breakpoint(struct restore *r, uint64_t addr);
int release(struct restore *r);
int wait_exit_status(pid_t pid);

/* restart.c */
int restore_image(struct restore *r);
int restore_finish(struct restore *r);

#endif
