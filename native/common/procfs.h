/*
 * procfs.h - what the two files of the /proc reader (procfs.c, procfds.c)
 * share; not for other users (they take sfstate.h).
 */
#ifndef PROCFS_H
#define PROCFS_H

#include <stddef.h>

#include "sfstate.h"

/* sf.proc + rest ("/proc/self/maps", "/proc/1234/maps"), in a static buffer
 * (one path at a time). */
const char *sf_proc_path(const char *rest);
/* Calls FN(number, the directory's fd, ARG) for each entry of the /proc directory
 * REST (e.g. "/fd", "/task") whose name is a number, until FN returns nonzero;
 * returns that, 0 at the end, or -errno when the directory cannot be read. */
int sf_each_number(const char *rest, int (*fn)(int n, long dirfd, void *arg), void *arg);
/* Copies n bytes (plus a NUL) into sf.pool; the offset or -E2BIG. */
long sf_pool_add(const char *s, size_t n);
/* Reads a whole (small) file into buf; the length or -errno. */
long sf_read_file(const char *path, char *buf, size_t cap);
/* getdents64 buffer for /proc/PID/fd and /proc/PID/task */
extern char sf_dentbuf[8192];

#endif
