/*
 * kobj.c - kernel objects behind descriptors, made again (CKPT_NT_KOBJ, see
 * native/include/ckpt_image.h): pipes and FIFOs with their unread bytes,
 * eventfd, signalfd, timerfd, epoll, AF_UNIX socket pairs with their queued
 * messages, memfds and deleted files, pidfds of the process itself. The
 * parent ties each descriptor of the FILES note to its object; the child
 * makes each object once, before exec, and files_install puts it at its
 * descriptors; memfds and deleted files are also mapped again (the plan).
 */
#include "files.h"
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

/* Which end of socket pair K the descriptor of PATH is: 0, 1, or -1 (none). */
static int sock_end(const struct ckpt_kobj *k, const char *path)
{
	char name[40];
	for (int end = 0; end < 2; end++) {
		snprintf(name, sizeof name, "socket:[%llu]", (unsigned long long)(end ? k->arg[0] : k->ino));
		if (strcmp(path, name) == 0)
			return end;
	}
	return -1;
}

/* The path of descriptor FD in S, or NULL. */
static const char *fd_path(const struct fdset *s, int fd)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].fd == fd)
			return s->e[i].path;
	return NULL;
}

int kobj_from_core(struct fdset *s, const struct core *c)
{
	uint32_t pos = 0;
	const struct ckpt_kobj *r;
	const uint8_t *data;
	int res;
	while ((res = ckpt_next_kobj(c->ckpt.kobj, c->ckpt.kobj_len, &pos, &r, &data)) == 1) {
		void *n = realloc(s->k, (s->nk + 1) * sizeof *s->k);
		if (n == NULL)
			return -1;
		s->k = n;
		s->k[s->nk] = (struct kobjent){ .r = *r, .data = data, .made = { -1, -1 } };
		s->nk++;
	}
	if (res < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		struct fdent *e = &s->e[i];
		for (size_t j = 0; j < s->nk && !e->kobj; j++) {
			const struct ckpt_kobj *k = &s->k[j].r;
			char name[40];
			if (k->type == CKPT_KOBJ_PIPE && (k->flags & CKPT_KOBJ_PIPE_FIFO)) {
				const char *fifo = fd_path(s, k->fd);
				if (e->kind == CKPT_FILE_PIPE && fifo && strcmp(e->path, fifo) == 0)
					e->kobj = (int)j + 1;
			} else if (k->type == CKPT_KOBJ_PIPE) {
				snprintf(name, sizeof name, "pipe:[%llu]", (unsigned long long)k->ino);
				if (e->kind == CKPT_FILE_PIPE && strcmp(e->path, name) == 0)
					e->kobj = (int)j + 1;
			} else if (k->type == CKPT_KOBJ_SOCKPAIR) {
				if (e->kind == CKPT_FILE_SOCK && (sock_end(k, e->path) >= 0))
					e->kobj = (int)j + 1;
			} else if (e->share == k->fd && (e->kind == CKPT_FILE_OTHER || k->type == CKPT_KOBJ_PIDFD)) {
				e->kobj = (int)j + 1;
			}
		}
	}
	return 0;
}

static int fill_pipe(struct kobjent *k, const char *fifo)
{
	int p[2];
	size_t done = 0;
	if (fifo) {
		/* both ends at once, without waiting for a peer */
		p[0] = p[1] = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (p[0] < 0)
			return -1;
	} else if (pipe2(p, O_CLOEXEC) != 0) {
		return -1;
	}
	k->made[0] = p[0];
	k->made[1] = p[1];
	if (k->r.arg[0] > (uint64_t)fcntl(p[1], F_GETPIPE_SZ))
		(void)fcntl(p[1], F_SETPIPE_SZ, (int)k->r.arg[0]); /* else the bytes may still fit */
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) != 0)
		return -1;
	while (done < k->r.data_len) {
		ssize_t n = write(p[1], k->data + done, k->r.data_len - done);
		if (n <= 0) {
			if (n == 0 || errno == EAGAIN)
				errno = ENOSPC; /* the bytes do not fit the pipe this kernel allows */
			return -1;
		}
		done += (size_t)n;
	}
	return fcntl(p[1], F_SETFL, 0);
}

/* Sends the queue at *POS (u32 count, then u32 length and bytes each) from FD,
 * so that it waits at FD's peer. */
static int send_queue(int fd, const struct kobjent *k, uint32_t *pos)
{
	uint32_t count, len;
	if (*pos + 4 > k->r.data_len)
		goto bad;
	memcpy(&count, k->data + *pos, 4);
	*pos += 4;
	while (count--) {
		if (*pos + 4 > k->r.data_len)
			goto bad;
		memcpy(&len, k->data + *pos, 4);
		*pos += 4;
		if (len > k->r.data_len - *pos)
			goto bad;
		size_t done = 0;
		do {
			ssize_t n = send(fd, k->data + *pos + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EAGAIN)
					errno = ENOSPC; /* more than the socket takes */
				return -1;
			}
			done += (size_t)n;
		} while (done < len);
		*pos += len;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* A memfd, or a file deleted while open made again unlinked in its directory
 * (a memfd where that is gone), holding its content. */
static int make_file(struct kobjent *k, const char *path)
{
	const struct ckpt_kobj *r = &k->r;
	char name[256], dir[4096];
	size_t len = strlen(path), done = 0;
	if (len > 10 && strcmp(path + len - 10, " (deleted)") == 0)
		len -= 10;
	if (r->flags & CKPT_KOBJ_FILE_MEMFD) {
		snprintf(name, sizeof name, "%.*s", (int)(len > 7 ? len - 7 : 0), path + 7);
	} else {
		snprintf(dir, sizeof dir, "%.*s", (int)len, path);
		snprintf(name, sizeof name, "%s", basename(dir));
		k->made[0] = open(dirname(dir), O_TMPFILE | O_RDWR | O_CLOEXEC, (mode_t)(r->arg[1] & 07777));
	}
	if (k->made[0] < 0)
		k->made[0] = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (k->made[0] < 0)
		return -1;
	while (done < r->data_len) {
		ssize_t n = pwrite(k->made[0], k->data + done, r->data_len - done, (off_t)done);
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	if (ftruncate(k->made[0], (off_t)r->data_len) != 0)
		return -1;
	if (r->arg[0] && fcntl(k->made[0], F_ADD_SEALS, (int)r->arg[0]) != 0 && errno != EINVAL)
		return -1;
	return 0;
}

static int make(struct kobjent *k, const struct fdent *e)
{
	const struct ckpt_kobj *r = &k->r;
	switch (r->type) {
	case CKPT_KOBJ_PIPE:
		return fill_pipe(k, (r->flags & CKPT_KOBJ_PIPE_FIFO) ? e->path : NULL);
	case CKPT_KOBJ_EVENTFD:
		k->made[0] = eventfd(0, EFD_CLOEXEC | ((r->flags & CKPT_KOBJ_EFD_SEMAPHORE) ? EFD_SEMAPHORE : 0));
		if (k->made[0] < 0)
			return -1;
		if (r->arg[0] && write(k->made[0], &r->arg[0], 8) != 8)
			return -1;
		return 0;
	case CKPT_KOBJ_SIGNALFD: {
		uint64_t mask = r->arg[0];
		k->made[0] = (int)syscall(SYS_signalfd4, -1, &mask, sizeof mask, O_CLOEXEC);
		return k->made[0] < 0 ? -1 : 0;
	}
	case CKPT_KOBJ_TIMERFD: {
		struct itimerspec it = {
			{ (time_t)(r->arg[2] / 1000000000u), (long)(r->arg[2] % 1000000000u) },
			{ (time_t)(r->arg[1] / 1000000000u), (long)(r->arg[1] % 1000000000u) },
		};
		uint64_t ticks = r->flags;
		k->made[0] = timerfd_create((int)r->arg[0], TFD_CLOEXEC);
		if (k->made[0] < 0)
			return -1;
		if (r->arg[1] && timerfd_settime(k->made[0], 0, &it, NULL) != 0)
			return -1;
		/* expirations nobody has read: the kernel takes them back only with
		 * CONFIG_CHECKPOINT_RESTORE; without it, one comes at once instead */
		if (ticks && ioctl(k->made[0], TFD_IOC_SET_TICKS, &ticks) != 0 && !r->arg[1]) {
			struct itimerspec soon = { { 0, 0 }, { 0, 1 } };
			if (timerfd_settime(k->made[0], 0, &soon, NULL) != 0)
				return -1;
		}
		return 0;
	}
	case CKPT_KOBJ_FILE:
		return make_file(k, e->path);
	case CKPT_KOBJ_PIDFD:   /* in the child before exec: the restored process itself */
		k->made[0] = (int)syscall(SYS_pidfd_open, getpid(), 0);
		if (k->made[0] < 0)
			return -1;
		return fcntl(k->made[0], F_SETFD, FD_CLOEXEC);
	case CKPT_KOBJ_EPOLL:
		k->made[0] = epoll_create1(EPOLL_CLOEXEC);
		return k->made[0] < 0 ? -1 : 0;
	case CKPT_KOBJ_SOCKPAIR: {
		uint32_t pos = 0;
		if (socketpair(AF_UNIX, (int)r->arg[1] | SOCK_CLOEXEC, 0, k->made) != 0)
			return -1;
		/* what waited at end 0 was sent by end 1, and the other way round */
		if (send_queue(k->made[1], k, &pos) != 0 || send_queue(k->made[0], k, &pos) != 0)
			return -1;
		return 0;
	}
	}
	errno = EINVAL;
	return -1;
}

/* Whether descriptor FD is one the child gets back. */
static int restored(const struct fdset *s, int fd)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].fd == fd)
			return 1;
	return 0;
}

/* A descriptor of object I at its own number (made[] may be closed by now). */
static int final_fd(const struct fdset *s, size_t i)
{
	for (size_t j = 0; j < s->n; j++)
		if (s->e[j].kobj == (int)i + 1)
			return s->e[j].fd;
	return -1;
}

int kobj_finish(const struct fdset *s)
{
	/* an epoll watches (file, descriptor number): only now are the numbers right;
	 * every object exists already, so an epoll inside an epoll needs no order */
	for (size_t i = 0; i < s->nk; i++) {
		const struct kobjent *k = &s->k[i];
		int ep = final_fd(s, i);
		if (k->r.type != CKPT_KOBJ_EPOLL || k->made[0] < 0 || ep < 0)
			continue;
		for (uint32_t off = 0; off + sizeof(struct ckpt_epoll_item) <= k->r.data_len;
		     off += sizeof(struct ckpt_epoll_item)) {
			struct ckpt_epoll_item it;
			memcpy(&it, k->data + off, sizeof it);
			if (!restored(s, it.tfd))
				continue; /* left closed: nothing to watch */
			struct epoll_event ev = { .events = it.events, .data.u64 = it.data };
			if (epoll_ctl(ep, EPOLL_CTL_ADD, it.tfd, &ev) != 0)
				return -1;
		}
	}
	return 0;
}

int kobj_open(const struct fdset *s, const struct fdent *e, int base)
{
	struct kobjent *k = &s->k[e->kobj - 1];
	if (k->r.type == CKPT_KOBJ_FILE && (k->r.flags & CKPT_KOBJ_FILE_SAME))
		for (size_t i = 0; i < (size_t)(e->kobj - 1); i++)
			if (s->k[i].r.type == CKPT_KOBJ_FILE && s->k[i].r.ino == k->r.ino &&
			    !(s->k[i].r.flags & CKPT_KOBJ_FILE_SAME)) {
				k = &s->k[i]; /* made by its first descriptor, which comes first */
				break;
			}
	if (k->made[0] < 0 && make(k, e) != 0)
		return -1;
	if (k->r.type == CKPT_KOBJ_FILE || (k->r.type == CKPT_KOBJ_PIPE && (k->r.flags & CKPT_KOBJ_PIPE_FIFO))) {
		/* its own open file, with the access mode and position it had (a FIFO:
		 * the other end is open already, so this open does not wait) */
		char self[32];
		snprintf(self, sizeof self, "/proc/self/fd/%d", k->made[0]);
		int o = open(self, (e->flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_NOATIME)) | O_CLOEXEC);
		if (o < 0)
			return -1;
		int fd = k->r.type == CKPT_KOBJ_FILE && lseek(o, e->offset, SEEK_SET) < 0 ? -1
				: fcntl(o, F_DUPFD_CLOEXEC, base);
		close(o);
		return fd;
	}
	int src = k->made[0];
	if (k->r.type == CKPT_KOBJ_PIPE && (e->flags & O_ACCMODE) == O_WRONLY)
		src = k->made[1];
	if (k->r.type == CKPT_KOBJ_SOCKPAIR && sock_end(&k->r, e->path) == 1)
		src = k->made[1];
	int fd = fcntl(src, F_DUPFD_CLOEXEC, base);
	if (fd < 0)
		return -1;
	/* O_NONBLOCK belongs to the open file: dups of it share it */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, (fl & ~O_NONBLOCK) | (e->flags & O_NONBLOCK)) != 0)
		return -1;
	return fd;
}

void kobj_plan_maps(struct fdset *s, struct plan *p, const struct core *c)
{
	uint32_t pos = 0;
	const struct ckpt_map *m;
	const char *path;
	while (c->ckpt.maps && ckpt_next_map(c->ckpt.maps, c->ckpt.maps_len, &pos, &m, &path) == 1)
		for (size_t i = 0; i < s->nk; i++) {
			struct kobjent *k = &s->k[i];
			int fd = final_fd(s, i);
			if (k->r.type != CKPT_KOBJ_FILE || (k->r.flags & CKPT_KOBJ_FILE_SAME) || k->r.ino != m->inode ||
			    fd < 0)
				continue;
			/* the same file: its path as a descriptor of it shows it */
			int named = 0;
			for (size_t j = 0; j < s->n; j++)
				if (s->e[j].kobj == (int)i + 1 && strcmp(s->e[j].path, path) == 0)
					named = 1;
			if (!named)
				continue;
			snprintf(k->procpath, sizeof k->procpath, "/proc/self/fd/%d", fd);
			for (size_t v = 0; v < p->n; v++)
				if (p->v[v].start == m->start && p->v[v].kind == VMA_NORMAL)
					p->v[v].path = k->procpath;
		}
}
