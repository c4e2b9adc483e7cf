/*
 * files.h - the open files a restored process gets back: read from the CKPT
 * FILES note or from the seed's `filedescriptors` text file, checked in the
 * parent, opened in the child before exec.
 */
#ifndef CKPT_FILES_H
#define CKPT_FILES_H

#include <stddef.h>
#include <stdint.h>
#include "corefile.h"

struct fdent {
	int fd;
	int flags;           /* open flags to reopen with */
	int64_t offset;
	int cloexec;
	int share;           /* fd of the first member of its sharing group */
	int kind;            /* enum ckpt_file_kind */
	char *path;
	int kobj;            /* 1 + index into fdset.k: a kernel object made anew; 0 = none */
};

/* A kernel object of the CKPT KOBJ note (restore/kobj.c makes it in the child). */
struct kobjent {
	struct ckpt_kobj r;
	const uint8_t *data; /* r.data_len bytes, inside the core's notes */
	int made[2];         /* the child's descriptors of it (a pipe: read, write end); -1 */
	char procpath[32];   /* a FILE: "/proc/self/fd/N", what its mappings map */
};

struct fdset {
	struct fdent *e; size_t n;
	int maxfd;
	struct kobjent *k; size_t nk;
};

/* restore/kobj.c: reads the KOBJ note and ties each descriptor of FILES to its
 * object (fdent.kobj). */
int kobj_from_core(struct fdset *s, const struct core *c);
/* In the child: a descriptor >= BASE, close-on-exec, of E's object (made on
 * first use, filled with its saved state). -1 with errno set. */
int kobj_open(const struct fdset *s, const struct fdent *e, int base);
/* After files_check: the mappings of a memfd or deleted file of the KOBJ
 * note map the file made again (through /proc/self/fd/N) instead of being
 * anonymous. */
struct plan;
void kobj_plan_maps(struct fdset *s, struct plan *p, const struct core *c);
/* In the child, once every descriptor has its number: fills the epolls. */
int kobj_finish(const struct fdset *s);

/* Reads the seed's text format: "<fd> : <path> : <offset> [: <flags>]". */
int files_from_text(struct fdset *s, const char *path);
int files_from_core(struct fdset *s, const struct core *c);
/* After files_from_text: descriptors that shared one open file in the core's
 * FILES note share one again, as long as their lines still name one file. */
int files_share_from_core(struct fdset *s, const struct core *c);
/* Drops what cannot be reopened (0-2, pipes, sockets) and checks the rest
 * exist; a missing file is an error unless SKIP_MISSING. LABEL names the
 * source in messages. */
int files_check(struct fdset *s, const char *label, int skip_missing);
/* In the child: opens everything at its fd (and CORE_SRC at CORE_FD).
 * *ERRFD (the child's error pipe) is moved out of the way and kept.
 * Returns -1 with errno set and *bad pointing at the failing path. */
int files_install(const struct fdset *s, int core_src, int core_fd, int *errfd, const char **bad);
void files_free(struct fdset *s);

#endif
