/*
 * files.c - reopening a process's files at their descriptors and offsets.
 */
#include "files.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Flags that make sense when reopening an existing file (never create or truncate it). */
#define REOPEN_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECT | \
		      O_NOATIME | O_LARGEFILE | O_DIRECTORY | O_PATH)

static int push(struct fdset *s, struct fdent e)
{
	void *n = realloc(s->e, (s->n + 1) * sizeof *s->e);
	if (n == NULL)
		return -1;
	s->e = n;
	s->e[s->n++] = e;
	if (e.fd > s->maxfd)
		s->maxfd = e.fd;
	return 0;
}

static char *trim(char *a)
{
	char *e;
	while (isspace((unsigned char)*a)) a++;
	e = a + strlen(a);
	while (e > a && isspace((unsigned char)e[-1])) *--e = 0;
	return a;
}

static int parse_num(const char *txt, long long *out)
{
	char *end;
	errno = 0;
	*out = strtoll(txt, &end, 0);
	return errno == 0 && end != txt && *trim(end) == 0 ? 0 : -1;
}

int files_from_text(struct fdset *s, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[8192];
	int lineno = 0;
	if (f == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *fields[4], *p = line, *last, *prev;
		long long fd, off, flags = -1;
		int nf;
		lineno++;
		if (*trim(line) == 0 || line[0] == '#')
			continue;
		/* fd is before the first ':'; offset (and flags) after the last ones;
		 * the path is everything between, so it may contain ':' itself. */
		fields[0] = p;
		p = strchr(p, ':');
		if (p == NULL)
			goto bad;
		*p++ = 0;
		last = strrchr(p, ':');
		if (last == NULL)
			goto bad;
		*last++ = 0;
		nf = 3;
		fields[2] = last;
		prev = strrchr(p, ':');
		if (prev != NULL) {
			long long dummy;
			if (parse_num(prev + 1, &dummy) == 0) {   /* "... : offset : flags" */
				*prev++ = 0;
				fields[2] = prev;
				fields[3] = last;
				nf = 4;
			}
		}
		fields[1] = trim(p);
		if (parse_num(fields[0], &fd) != 0 || fd < 0 || fd > 1 << 20 ||
		    parse_num(fields[2], &off) != 0 || off < 0 ||
		    (nf == 4 && parse_num(fields[3], &flags) != 0) || *fields[1] == 0)
			goto bad;
		struct fdent e = { (int)fd, flags < 0 ? O_RDWR : (int)(flags & ~O_CLOEXEC), off,
				   flags >= 0 && (flags & O_CLOEXEC), (int)fd, CKPT_FILE_REG, strdup(fields[1]), 0 };
		if (flags < 0) {
			/* the seed's 3-field lines: open read-write when allowed, else read-only */
			e.flags = access(e.path, W_OK) == 0 ? O_RDWR : O_RDONLY;
		}
		if (e.path == NULL || push(s, e) != 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
bad:
	log_error("%s: line %d: expected \"<fd> : <file> : <offset> [: <flags>]\"", path, lineno);
	fclose(f);
	return -1;
}

int files_from_core(struct fdset *s, const struct core *c)
{
	uint32_t pos = 0;
	const struct ckpt_file *r;
	const char *path;
	int res;
	while ((res = ckpt_next_file(c->ckpt.files, c->ckpt.files_len, &pos, &r, &path)) == 1) {
		struct fdent e = { r->fd, (int)r->flags, r->offset, !!(r->fdflags & CKPT_FD_CLOEXEC),
				   r->share_id, (int)r->kind, strdup(path), 0 };
		if (r->fd < 0 || e.path == NULL || push(s, e) != 0) {
			free(e.path);
			return -1;
		}
	}
	if (res < 0)
		return -1;
	return kobj_from_core(s, c);
}

int files_share_from_core(struct fdset *s, const struct core *c)
{
	uint32_t pos = 0;
	const struct ckpt_file *r;
	const char *path;
	/* each text line takes the sharing group its fd had in the FILES note */
	while (c->ckpt.files && ckpt_next_file(c->ckpt.files, c->ckpt.files_len, &pos, &r, &path) == 1)
		for (size_t i = 0; i < s->n; i++)
			if (s->e[i].fd == r->fd)
				s->e[i].share = r->share_id;
	/* a group whose lines no longer name one file (an edit split it) is not shared */
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < i; j++)
			if (s->e[j].share == s->e[i].share && strcmp(s->e[j].path, s->e[i].path) != 0)
				s->e[i].share = s->e[i].fd;
	return 0;
}

int files_check(struct fdset *s, const char *label, int skip_missing)
{
	size_t i, j = 0;
	s->maxfd = 2;
	for (i = 0; i < s->n; i++) {
		struct fdent *e = &s->e[i];
		struct stat st;
		int keep = 1;
		if (e->fd <= 2) {
			keep = 0;    /* stdin, stdout, stderr are restart's own */
		} else if (e->kobj) {
			keep = 1;    /* made anew in the child (restore/kobj.c) */
		} else if (e->kind == CKPT_FILE_PIPE && strncmp(e->path, "pipe:[", 6) == 0) {
			log_info("fd %d (%s): a pipe to another process; left closed", e->fd, e->path);
			keep = 0;
		} else if (e->kind == CKPT_FILE_PIPE || e->kind == CKPT_FILE_SOCK || e->kind == CKPT_FILE_OTHER ||
			   e->path[0] != '/') {
			log_info("fd %d (%s) cannot be reopened; left closed", e->fd, e->path);
			keep = 0;
		} else if (stat(e->path, &st) != 0) {
			if (!skip_missing) {
				log_error("%s: file of fd %d, %s: %s", label, e->fd, e->path, strerror(errno));
				return -1;
			}
			log_info("fd %d: %s missing; skipped", e->fd, e->path);
			keep = 0;
		} else if (S_ISDIR(st.st_mode)) {
			e->kind = CKPT_FILE_DIR;
		}
		if (keep) {
			s->e[j++] = *e;
			if (e->fd > s->maxfd)
				s->maxfd = e->fd;
		} else {
			free(e->path);
		}
	}
	s->n = j;
	return 0;
}

int files_install(const struct fdset *s, int core_src, int core_fd, int *errfd, const char **bad)
{
	int base = (s->maxfd > core_fd ? s->maxfd : core_fd) + 1;
	int *staged = calloc(s->n + 1, sizeof *staged);
	size_t i, j;
	if (staged == NULL)
		return -1;
	*errfd = fcntl(*errfd, F_DUPFD_CLOEXEC, base);
	if (*errfd < 0) { *bad = "a pipe"; return -1; }
	/* 1. open everything at fds >= base, close-on-exec */
	for (i = 0; i < s->n; i++) {
		const struct fdent *e = &s->e[i];
		int fd = -1;
		for (j = 0; j < i; j++)       /* shares an open file with an earlier fd */
			if (s->e[j].share == e->share && e->share != e->fd)
				fd = fcntl(staged[j], F_DUPFD_CLOEXEC, base);
		if (fd < 0 && e->kobj) {
			fd = kobj_open(s, e, base);
		} else if (fd < 0) {
			int o = open(e->path, (e->flags & REOPEN_FLAGS) | O_NOCTTY | O_CLOEXEC);
			if (o < 0) { *bad = e->path; return -1; }
			/* a directory's position too: a program reading it with getdents64
			 * goes on after the entries it has had (ext4 keeps a hash there) */
			/* an O_PATH descriptor has no position (lseek fails with EBADF) */
			if ((e->kind == CKPT_FILE_REG || e->kind == CKPT_FILE_DIR) && !(e->flags & (O_APPEND | O_PATH)) &&
			    lseek(o, e->offset, SEEK_SET) < 0) { *bad = e->path; return -1; }
			if (e->kind == CKPT_FILE_REG && (e->flags & O_APPEND) && !(e->flags & O_PATH))
				(void)lseek(o, e->offset, SEEK_SET);
			fd = fcntl(o, F_DUPFD_CLOEXEC, base);
			close(o);
		}
		if (fd < 0) { *bad = e->path; return -1; }
		staged[i] = fd;
	}
	core_src = fcntl(core_src, F_DUPFD_CLOEXEC, base);
	if (core_src < 0) { *bad = "the core file"; return -1; }
	/* 2. nothing else survives: close 3..base-1, mark everything above close-on-exec */
	if (base > 3)
		syscall(SYS_close_range, 3u, (unsigned)base - 1, 0u);
	syscall(SYS_close_range, (unsigned)base, ~0u, CLOSE_RANGE_CLOEXEC);
	/* 3. put each at its number (dup2 clears close-on-exec; the tracer sets it back after exec) */
	for (i = 0; i < s->n; i++)
		if (dup2(staged[i], s->e[i].fd) < 0) { *bad = s->e[i].path; return -1; }
	if (dup2(core_src, core_fd) < 0) { *bad = "the core file"; return -1; }
	if (kobj_finish(s) != 0) { *bad = "an epoll"; return -1; }
	return 0;
}

void files_free(struct fdset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].path);
	free(s->e);
	free(s->k);
	memset(s, 0, sizeof *s);
}
