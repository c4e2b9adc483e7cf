/*
 * kobj.c - the kernel objects behind descriptors (CKPT_NT_KOBJ): pipes with
 * both ends in the process and the bytes nobody has read yet, eventfd,
 * signalfd, timerfd, epoll, AF_UNIX socket pairs (kobjsock.c), memfds and
 * files deleted while open. Part of the one /proc parser; async-signal-safe (raw
 * system calls, static storage).
 *
 * The content of a pipe is read without taking it away: tee(2) copies it to a
 * pipe of our own, which we drain. libsavefds.so does that on the process's
 * own descriptor; ckpt-dump (sf.remote) first gets its own copy of the
 * descriptor with pidfd_getfd(2), which its ptrace rights allow.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <sys/socket.h>

#include "raw.h"
#include "procfs.h"
#include "kobj.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef SPLICE_F_NONBLOCK
#define SPLICE_F_NONBLOCK 2
#endif

static long pidfd = -1;
static char kinfo[65536];
static int tmp[2];

static const char *fd_path(const struct sf_fd *f)
{
	return sf.pool + f->path;
}

/* The value after KEY at the start of a line of an fdinfo text, or NULL. */
static const char *field(const char *info, const char *key)
{
	const char *s = info;
	while (*s) {
		if (s_starts(s, key)) {
			s += s_len(key);
			p_skip_spaces(&s);
			return s;
		}
		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
	}
	return NULL;
}

static long read_fdinfo(int fd)
{
	char rest[32];
	struct strbuf b = { rest, 0, sizeof rest, 0 };
	sb_puts(&b, "/fdinfo/");
	sb_u(&b, (uint64_t)fd, 10);
	long n = sf_read_file(sf_proc_path(rest), kinfo, sizeof kinfo - 1);
	if (n >= 0)
		kinfo[n] = 0;
	return n;
}

/* A descriptor of ours for the process's FD: FD itself in this process, a
 * copy from pidfd_getfd in another. */
static long local_fd(int fd)
{
	if (!sf.remote)
		return fd;
	if (pidfd < 0) {
		pidfd = rsys2(__NR_pidfd_open, sf.pid, 0);
		if (pidfd < 0)
			return pidfd;
	}
	return rsys3(__NR_pidfd_getfd, pidfd, fd, 0);
}

static void local_close(long lfd)
{
	if (sf.remote && lfd >= 0)
		rsys1(__NR_close, lfd);
}

static struct sf_kobj *new_kobj(const struct sf_fd *f, uint32_t type)
{
	if (sf.nkobjs == SF_MAXKOBJS)
		return NULL;
	struct sf_kobj *k = &sf.kobjs[sf.nkobjs++];
	m_zero(k, sizeof *k);
	k->r.fd = f->fd;
	k->r.type = type;
	k->srcfd = -1;
	return k;
}

/* The unread bytes of the pipe behind our descriptor LFD (a read end): tee'd
 * into a pipe of ours, whose read end the core writer drains (k->srcfd). 0 or
 * -errno. */
static int peek_pipe(long lfd, struct sf_kobj *k)
{
	long size = rsys2(__NR_fcntl, lfd, F_GETPIPE_SZ);
	int avail = 0;
	if (size < 0)
		return (int)size;
	k->r.arg[0] = (uint64_t)size;
	long e = rsys3(__NR_ioctl, lfd, FIONREAD, (long)&avail);
	if (e < 0)
		return (int)e;
	if (avail == 0)
		return 0;
	e = rsys2(__NR_pipe2, (long)tmp, O_CLOEXEC | O_NONBLOCK);
	if (e < 0)
		return (int)e;
	long n = rsys3(__NR_fcntl, tmp[1], F_SETPIPE_SZ, size);
	if (n >= 0)
		n = rsys4(__NR_tee, lfd, tmp[1], avail, SPLICE_F_NONBLOCK);
	if (n >= 0 && n != avail)
		n = -5; /* EIO: tee copied less than the pipe holds */
	rsys1(__NR_close, tmp[1]);
	if (n < 0) {
		rsys1(__NR_close, tmp[0]);
		return (int)n;
	}
	k->srcfd = tmp[0];
	k->srcpipe = 1;
	k->r.data_len = (uint32_t)avail;
	return 0;
}

/* A pipe, recorded at its lowest descriptor when both ends are in the process. */
static int gather_pipe(int i)
{
	const struct sf_fd *f = &sf.fds[i];
	const char *path = fd_path(f);
	int rfd = -1, has_w = 0;
	for (int j = 0; j < sf.nfds; j++) {
		const struct sf_fd *g = &sf.fds[j];
		if (g->kind != CKPT_FILE_PIPE || !s_eq(fd_path(g), path))
			continue;
		if (j < i)
			return 0; /* recorded at an earlier descriptor */
		uint32_t acc = g->getfl & O_ACCMODE;
		if ((acc == O_RDONLY || acc == O_RDWR) && rfd < 0)
			rfd = g->fd;
		if (acc == O_WRONLY || acc == O_RDWR)
			has_w = 1;
	}
	if (rfd < 0 || !has_w)
		return 0; /* the other end is elsewhere: left out (the engine says so) */
	const char *s = path + 6;
	long lfd = local_fd(rfd);
	if (lfd < 0)
		return 0; /* no pidfd_getfd (Linux < 5.6): left out, closed at restart */
	struct sf_kobj *k = new_kobj(f, CKPT_KOBJ_PIPE);
	if (k == NULL) {
		local_close(lfd);
		return -24; /* EMFILE */
	}
	if (path[0] == '/')
		k->r.flags = CKPT_KOBJ_PIPE_FIFO; /* named: its descriptors are those of its path */
	else
		k->r.ino = p_u(&s, 10);
	int e = peek_pipe(lfd, k);
	local_close(lfd);
	return e;
}

/* The fd of the process whose path is "socket:[INO]", or -1. */
static int sock_fd(uint64_t ino, int *index)
{
	for (int j = 0; j < sf.nfds; j++) {
		const char *s = fd_path(&sf.fds[j]);
		if (sf.fds[j].kind != CKPT_FILE_SOCK || !s_starts(s, "socket:["))
			continue;
		s += 8;
		if (p_u(&s, 10) == ino) {
			*index = j;
			return sf.fds[j].fd;
		}
	}
	return -1;
}

/* An AF_UNIX socket pair with both ends in the process, at its lower end's
 * lowest descriptor: ino = that end, arg[0] = the other, arg[1] = the type;
 * data = the queue of each end (kobjsock.c). */
static int gather_sock(int i)
{
	const struct sf_fd *f = &sf.fds[i];
	const char *s = fd_path(f) + 8;
	uint64_t ino = p_u(&s, 10), peer = 0;
	int me, other;
	if (sock_fd(ino, &me) != f->fd)
		return 0; /* a dup of an earlier descriptor */
	long lfd = local_fd(f->fd);
	if (lfd < 0)
		return 0; /* no pidfd_getfd (Linux < 5.6): left out, closed at restart */
	int domain = 0, type = 0;
	uint32_t len = sizeof domain;
	long e = rsys5(__NR_getsockopt, lfd, SOL_SOCKET, SO_DOMAIN, (long)&domain, (long)&len);
	len = sizeof type;
	if (e == 0)
		e = rsys5(__NR_getsockopt, lfd, SOL_SOCKET, SO_TYPE, (long)&type, (long)&len);
	if (e < 0 || domain != AF_UNIX || sf_unix_peer(ino, &peer) < 0 || peer == 0 ||
	    sock_fd(peer, &other) < 0 || other < i) {
		local_close(lfd);
		return 0; /* another family, no peer, a peer elsewhere, or recorded already */
	}
	struct sf_kobj *k = new_kobj(f, CKPT_KOBJ_SOCKPAIR);
	if (k == NULL) {
		local_close(lfd);
		return -24;
	}
	k->r.ino = ino;
	k->r.arg[0] = peer;
	k->r.arg[1] = (uint64_t)type;
	k->data = sf.poolused;
	uint32_t a = 0, b = 0;
	e = sf_unix_queue(lfd, type, &a);
	local_close(lfd);
	if (e == 0) {
		lfd = local_fd(sf.fds[other].fd);
		if (lfd < 0)
			return (int)lfd;
		e = sf_unix_queue(lfd, type, &b);
		local_close(lfd);
	}
	k->r.data_len = a + b;
	sf.poolused = (sf.poolused + 7) & ~7u;
	return (int)e;
}

/* eventfd, signalfd, timerfd: what fdinfo shows. */
static int gather_anon(int i, uint32_t type)
{
	const struct sf_fd *f = &sf.fds[i];
	const char *v;
	if (f->share_id != f->fd)
		return 0; /* a dup of an earlier descriptor */
	long n = read_fdinfo(f->fd);
	if (n < 0)
		return 0; /* closed meanwhile */
	if (n >= (long)sizeof kinfo - 1)
		return -7; /* E2BIG: an epoll watching more than we can read */
	struct sf_kobj *k = new_kobj(f, type);
	if (k == NULL)
		return -24;
	switch (type) {
	case CKPT_KOBJ_EVENTFD:
		if ((v = field(kinfo, "eventfd-count:")) == NULL)
			goto unknown;
		k->r.arg[0] = p_u(&v, 16);
		if ((v = field(kinfo, "eventfd-semaphore:")) != NULL && p_u(&v, 10))
			k->r.flags = CKPT_KOBJ_EFD_SEMAPHORE;
		break;
	case CKPT_KOBJ_SIGNALFD:
		if ((v = field(kinfo, "sigmask:")) == NULL)
			goto unknown;
		k->r.arg[0] = p_u(&v, 16);
		break;
	case CKPT_KOBJ_TIMERFD: {
		uint64_t t[4];
		if ((v = field(kinfo, "clockid:")) == NULL)
			goto unknown;
		k->r.arg[0] = p_u(&v, 10);
		if ((v = field(kinfo, "ticks:")) == NULL)
			goto unknown;
		uint64_t ticks = p_u(&v, 10);
		k->r.flags = ticks > 0xffffffffu ? 0xffffffffu : (uint32_t)ticks;
		const char *keys[2] = { "it_value:", "it_interval:" };
		for (int n = 0; n < 2; n++) {
			if ((v = field(kinfo, keys[n])) == NULL || *v != '(')
				goto unknown;
			v++;
			t[2 * n] = p_u(&v, 10);
			if (*v == ',')
				v++;
			p_skip_spaces(&v);
			t[2 * n + 1] = p_u(&v, 10);
		}
		k->r.arg[1] = t[0] * 1000000000ull + t[1];
		k->r.arg[2] = t[2] * 1000000000ull + t[3];
		break;
	}
	case CKPT_KOBJ_PIDFD:
		/* only the process's own: one of another process is left closed */
		if ((v = field(kinfo, "Pid:")) == NULL || p_u(&v, 10) != (uint64_t)sf.pid)
			goto unknown;
		break;
	case CKPT_KOBJ_EPOLL: {
		/* "tfd: %8d events: %8x data: %16llx  pos:..." one line per watched fd */
		uint32_t start = sf.poolused;
		const char *line = kinfo;
		while ((v = field(line, "tfd:")) != NULL) {
			struct ckpt_epoll_item it;
			it.tfd = (int32_t)p_u(&v, 10);
			p_skip_spaces(&v);
			if (!s_starts(v, "events:"))
				goto unknown;
			v += 7;
			p_skip_spaces(&v);
			it.events = (uint32_t)p_u(&v, 16);
			p_skip_spaces(&v);
			if (!s_starts(v, "data:"))
				goto unknown;
			v += 5;
			p_skip_spaces(&v);
			it.data = p_u(&v, 16);
			if (sf.poolused + sizeof it > SF_POOL)
				return -7;
			m_copy(sf.pool + sf.poolused, &it, sizeof it);
			sf.poolused += sizeof it;
			line = v;
		}
		k->data = start;
		k->r.data_len = sf.poolused - start;
		break;
	}
	}
	return 0;
unknown:
	sf.nkobjs--; /* a kernel that shows less, or not ours to record: left out */
	return 0;
}

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif

/* A memfd or a file deleted while open: its content is read from a
 * descriptor of ours (opened through /proc/PID/fd, so even a write-only one
 * can be read) when the core is written. */
static int gather_file(int i)
{
	const struct sf_fd *f = &sf.fds[i];
	char rest[32];
	struct strbuf b = { rest, 0, sizeof rest, 0 };
	struct stat st;
	if (f->share_id != f->fd)
		return 0;
	sb_puts(&b, "/fd/");
	sb_u(&b, (uint64_t)f->fd, 10);
	long lfd = rsys4(__NR_openat, AT_FDCWD, (long)sf_proc_path(rest), O_RDONLY | O_CLOEXEC, 0);
	if (lfd < 0)
		return 0; /* closed meanwhile, or not to be opened (left closed) */
	if (rsys2(__NR_fstat, lfd, (long)&st) < 0 || !S_ISREG(st.st_mode)) {
		rsys1(__NR_close, lfd);
		return 0;
	}
	if ((uint64_t)st.st_size > 0xffffffffu) {
		rsys1(__NR_close, lfd);
		return -27; /* EFBIG */
	}
	struct sf_kobj *k = new_kobj(f, CKPT_KOBJ_FILE);
	if (k == NULL) {
		rsys1(__NR_close, lfd);
		return -24;
	}
	for (int j = 0; j < sf.nkobjs - 1; j++)
		if (sf.kobjs[j].r.type == CKPT_KOBJ_FILE && sf.kobjs[j].r.ino == (uint64_t)st.st_ino &&
		    !(sf.kobjs[j].r.flags & CKPT_KOBJ_FILE_SAME)) {
			/* another open file of one already recorded */
			rsys1(__NR_close, lfd);
			k->r.ino = st.st_ino;
			k->r.flags = CKPT_KOBJ_FILE_SAME;
			return 0;
		}
	long seals = rsys2(__NR_fcntl, lfd, F_GET_SEALS);
	k->r.ino = st.st_ino;
	k->r.arg[0] = seals > 0 ? (uint64_t)seals : 0;
	k->r.arg[1] = st.st_mode & 07777;
	k->r.flags = s_starts(fd_path(f), "/memfd:") ? CKPT_KOBJ_FILE_MEMFD : 0;
	k->r.data_len = (uint32_t)st.st_size;
	k->srcfd = (int32_t)lfd;
	return 0;
}

void sf_release_kobjs(void)
{
	for (int i = 0; i < sf.nkobjs; i++)
		if (sf.kobjs[i].srcfd >= 0) {
			rsys1(__NR_close, sf.kobjs[i].srcfd);
			sf.kobjs[i].srcfd = -1;
		}
}

int sf_gather_kobjs(const char **what)
{
	int e = 0;
	sf_release_kobjs();
	sf.nkobjs = 0;
	for (int i = 0; i < sf.nfds && e == 0; i++) {
		const struct sf_fd *f = &sf.fds[i];
		const char *path = fd_path(f);
		if (f->kind == CKPT_FILE_PIPE && (s_starts(path, "pipe:[") || path[0] == '/')) {
			*what = "the content of a pipe";
			e = gather_pipe(i);
		} else if (f->kind == CKPT_FILE_OTHER && s_eq(path, "anon_inode:[eventfd]")) {
			*what = "an eventfd";
			e = gather_anon(i, CKPT_KOBJ_EVENTFD);
		} else if (f->kind == CKPT_FILE_OTHER && s_eq(path, "anon_inode:[signalfd]")) {
			*what = "a signalfd";
			e = gather_anon(i, CKPT_KOBJ_SIGNALFD);
		} else if (f->kind == CKPT_FILE_OTHER && s_eq(path, "anon_inode:[timerfd]")) {
			*what = "a timerfd";
			e = gather_anon(i, CKPT_KOBJ_TIMERFD);
		} else if (f->kind == CKPT_FILE_OTHER && path[0] == '/' &&
			   (s_starts(path, "/memfd:") || s_ends(path, f->pathlen, " (deleted)"))) {
			*what = "a file without a name";
			e = gather_file(i);
		} else if (s_eq(path, "anon_inode:[pidfd]") || s_starts(path, "pidfd:")) {
			*what = "a pidfd";
			e = gather_anon(i, CKPT_KOBJ_PIDFD);
		} else if (f->kind == CKPT_FILE_SOCK && s_starts(path, "socket:[")) {
			*what = "a socket pair";
			e = gather_sock(i);
		} else if (f->kind == CKPT_FILE_OTHER && s_eq(path, "anon_inode:[eventpoll]")) {
			*what = "an epoll";
			e = gather_anon(i, CKPT_KOBJ_EPOLL);
		}
	}
	if (pidfd >= 0) {
		rsys1(__NR_close, pidfd);
		pidfd = -1;
	}
	return e;
}
