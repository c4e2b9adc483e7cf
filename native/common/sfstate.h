/*
 * sfstate.h - the state of a process gathered for one checkpoint, in static
 * storage, and the functions that fill it (procfs.c, reading /proc; the text
 * is parsed by procparse.c, the one /proc parser) and write it out as an ELF
 * core (elfcore.c, the one core writer). Shared by two writers:
 *   libsavefds.so (native/preload) - the process itself, inside a signal
 *     handler: everything here is async-signal-safe (raw system calls, no
 *     malloc, no stdio);
 *   ckpt-dump (native/dump) - another process, stopped with ptrace: it fills
 *     what /proc does not show (registers, signal actions, rseq, tid address,
 *     brk) itself and gives the writer a way to copy the memory.
 */
#ifndef SFSTATE_H
#define SFSTATE_H

#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "ckpt_image.h"
#include "procparse.h"

#define SF_MAXMAPS  8192        /* mappings we can describe (max_map_count is 65530) */
#define SF_MAXFDS   4096        /* open descriptors we can describe */
#define SF_POOL     (1u << 20)  /* bytes for the paths of mappings and descriptors */
#define SF_PAGE     4096ul


struct sf_map {
	uint64_t start, end, offset;   /* offset: file offset of start */
	uint64_t dev, inode;
	uint64_t size;                 /* st_size of the file now (0 when unknown) */
	int64_t  mtime_ns;
	uint64_t core_off;             /* where its content sits in the core */
	uint32_t prot;                 /* PROT_* */
	uint32_t flags;                /* CKPT_MAP_* */
	uint32_t path, pathlen;        /* in the pool; pathlen 0 = anonymous */
	uint32_t anon_kb;              /* smaps "Anonymous:" - copied-on-write pages */
	uint32_t advice;               /* CKPT_ADV_*, from smaps "VmFlags:" */
	uint8_t  special;              /* enum proc_special (procparse.h) */
	uint8_t  dump;                 /* its content goes into the core */
	uint8_t  sparse;               /* private anonymous: untouched pages may stay holes */
	uint8_t  deleted;              /* the file is gone ("(deleted)") */
};

struct sf_fd {
	int32_t  fd;
	uint32_t getfl;                /* F_GETFL */
	uint32_t infoflags;            /* flags: of /proc/self/fdinfo (O_CLOEXEC included) */
	int64_t  offset;
	uint32_t kind;                 /* enum ckpt_file_kind */
	uint32_t fdflags;              /* CKPT_FD_CLOEXEC */
	int32_t  share_id;
	uint32_t path, pathlen;
};

/* A kernel object behind descriptors, recorded whole (CKPT_NT_KOBJ). */
struct sf_kobj {
	struct ckpt_kobj r;            /* data_len: bytes of data */
	uint32_t data;                 /* offset of its data in the pool, */
	int32_t srcfd;                 /* or (>= 0) a descriptor of ours to pread it from, */
	int32_t srcpipe;               /* or (1) to read it from: a pipe holding a copy */
};
#define SF_MAXKOBJS 1024

#define SF_MAXTHREADS 256         /* threads whose registers go into the core */
#define SF_MAXTIMERS  256         /* POSIX timers we can describe */

enum sf_thread_state { SF_T_NONE = 0, SF_T_ASKED, SF_T_FILLING, SF_T_READY };

/* The registers of one thread. libsavefds.so: at the instruction its signal
 * interrupted; threads[0] is the thread that writes the checkpoint, the others
 * report from their own handler and wait there (their signal frames stay
 * valid) until the core is written. ckpt-dump: where ptrace stopped it. */
struct sf_thread {
	int32_t tid;
	volatile int32_t state;        /* enum sf_thread_state */
	uint64_t regs[27];             /* struct user_regs_struct (NT_PRSTATUS pr_reg) */
	uint64_t sigmask;              /* blocked signals, bit n-1 = signal n */
	const unsigned char *fxsave;   /* 512 bytes (signal frame or ptrace buffer), or NULL */
	const unsigned char *xsave;    /* the whole XSAVE area (starts with fxsave) or NULL */
	uint32_t xsave_size;
	uint64_t xfeatures;            /* XCR0 as the kernel reports it in the frame */
	struct ckpt_thread_attrs ta;   /* comm, sigaltstack (CKPT_NT_THREAD_ATTRS) */
};

/* Copies [addr, addr+len) of the checkpointed process to the core at file
 * offset off; pages that cannot be read stay holes. sparse: the mapping is
 * private anonymous memory, where a page of zeros may stay a hole too.
 * 0 or -errno. */
typedef int (*sf_copy_fn)(int fd, uint64_t addr, uint64_t len, uint64_t off, int sparse);

/* Everything one checkpoint needs, gathered before anything is written. */
struct sf_state {
	int sig;
	const siginfo_t *si;
	int pid, tid;
	int remote;                    /* another process (ckpt-dump), not this one */
	char proc[32];                 /* "/proc/self" or "/proc/PID" */
	uint32_t writer;               /* enum ckpt_writer */
	sf_copy_fn copy_mem;           /* NULL: pwrite straight from our own memory */
	uint64_t zero_addr;            /* an int written as 0 in the image (0 = none) */
	uint64_t data_bytes;           /* bytes of memory written by sf_write_core */

	struct sf_thread threads[SF_MAXTHREADS];
	int nthr;                      /* slots in use; threads[0] is this thread */
	volatile uint32_t gen;         /* checkpoint number, tags the requests to threads */
	volatile uint32_t release;     /* = gen when the other threads may go on */

	struct sf_map maps[SF_MAXMAPS];
	int nmaps;
	struct sf_fd fds[SF_MAXFDS];
	int nfds;
	struct sf_kobj kobjs[SF_MAXKOBJS];
	int nkobjs;
	char pool[SF_POOL];
	uint32_t poolused;

	char auxv[8192];
	uint32_t auxvlen;
	char psargs[80];               /* command line, NULs as spaces, NUL-terminated */
	char comm[16];
	char cwd[4096];
	uint32_t cwdlen;               /* with the NUL; 0 = unknown */
	int64_t stat[64];              /* /proc/self/stat, stat[k] = field k (1-based, man 5 proc) */
	char state;                    /* field 3 */
	uint32_t nthreads;
	uint32_t uid, gid;

	struct ckpt_sigaction sigactions[64];
	uint64_t tidaddr;
	struct ckpt_rseq rseq;
	struct ckpt_mm mm;
	struct ckpt_attrs attrs;       /* ckpt-dump fills the itimers itself */
	struct ckpt_posix_timer timers[SF_MAXTIMERS];   /* ckpt-dump fills their times itself */
	int ntimers;
};

extern struct sf_state sf;

/* procfs.c: fill sf. Each returns 0 or -errno; *what names the failed step. */
void sf_target(int pid, int remote);  /* pid: sf.pid; remote: read /proc/PID, not /proc/self */
int sf_gather_fds(const char **what);
/* kobj.c: the kernel objects among sf.fds (called by sf_gather_fds). */
int sf_gather_kobjs(const char **what);
/* Closes the descriptors sf_gather_kobjs opened (elfcore.c, once written). */
void sf_release_kobjs(void);
int sf_gather_maps(const char **what);
/* stat, status, cmdline, auxv, cwd, uid, gid, mm; for this process also the
 * signal actions, rseq, tid address and brk (ckpt-dump fills those itself). */
void sf_gather_process(void);
int sf_list_threads(void);
const char *sf_pool_str(uint32_t off);
/* attrs.c: umask, personality, rlimits, each listed thread's comm (from /proc
 * and prlimit64); for this process also the itimers. Called by sf_gather_process. */
void sf_gather_attrs(void);
/* attrs.c: the calling thread's own sigaltstack into t->ta (libsavefds.so: each
 * thread in its own handler). */
void sf_thread_altstack(struct sf_thread *t);
/* attrs.c: the POSIX timers of /proc/PID/timers into sf.timers (without their
 * times); for this process (not remote) also their times. */
void sf_gather_timers(void);
/* attrs.c: the CKPT_ADV_* flags of a VmFlags line ("rd wr mr mw me dc ..."). */
uint32_t sf_vmflags_advice(const char *flags);

/* elfcore.c: write the core to an open fd. */
int sf_write_core(int fd, const char **what);
/* corememory.c: the memory part of it, once sf_write_core set each core_off. */
int sf_write_memory(int fd, const char **what);
/* pwrite of all N bytes at OFF (retrying short writes and EINTR): 0 or -errno (corememory.c). */
int sf_pwrite_all(int fd, const void *p, size_t n, uint64_t off);

#endif
