/*
 * procparse.h - the one parser of /proc text: a line of /proc/PID/maps (or a
 * mapping line of /proc/PID/smaps), the fields of /proc/PID/stat and numbers
 * of /proc/PID/status. Pure
 * functions over caller-supplied buffers, async-signal-safe (no libc calls,
 * no allocation): used by libsavefds.so and ckpt-dump (procfs.c) and by the
 * restore engine (restore/layout.c, restore/plan.c), which keep their own
 * reading loops; ckpt-dump's tracee.c reads /proc/PID/status with it too.
 */
#ifndef PROCPARSE_H
#define PROCPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt_image.h"

/* What kind of pseudo-mapping a maps line names. */
enum proc_special { PROC_NORMAL = 0, PROC_VDSO, PROC_VVAR, PROC_VSYSCALL, PROC_STACK, PROC_HEAP };

/* One line of /proc/PID/maps. */
struct proc_map {
	uint64_t start, end, offset;   /* offset: file offset of start */
	uint64_t dev;                  /* st_dev encoding (glibc's makedev) */
	uint64_t inode;
	uint32_t prot;                 /* PROT_* */
	uint32_t flags;                /* CKPT_MAP_SHARED; CKPT_MAP_GROWSDOWN for [stack] */
	const char *name;              /* in the line: path or pseudo-name, "" when anonymous */
	size_t namelen;                /* up to the end of the line ('\n' or NUL), not included */
	uint8_t special;               /* enum proc_special */
	uint8_t deleted;               /* a path ending in " (deleted)" */
};

/* Parses a NUL-terminated maps line (with or without its '\n'). 0, or -EINVAL
 * (-22) when the line is no mapping line ("start-end perms offset dev inode"). */
int proc_parse_map_line(const char *line, struct proc_map *out);

/* Parses the len bytes of /proc/PID/stat: field[k] = field k (1-based, man 5
 * proc) for k >= 4, field[1] the pid, field[3] the state character; the rest 0.
 * comm (if not NULL) gets field 2 without its parentheses, cut to commcap - 1
 * bytes and NUL-terminated. 0, or -EINVAL (-22) without "(comm)". */
int proc_parse_stat(const char *buf, size_t len, int64_t field[64], char *comm, size_t commcap);

/* The number after "Key:" at the start of a line of /proc/PID/status text (len
 * bytes; key with its ':'), in base 10 or 16, the first of several. 0, or
 * -ENOENT (-2) when no line starts with key. */
int proc_status_u(const char *buf, size_t len, const char *key, unsigned base, uint64_t *out);

/* The memory layout fields of a parsed stat as struct ckpt_mm (brk, which stat
 * does not show, is 0). */
void proc_stat_mm(const int64_t field[64], struct ckpt_mm *mm);

#endif
