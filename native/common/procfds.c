/*
 * procfds.c - the open-file part of the one /proc parser (procfs.c): every
 * descriptor of /proc/PID/fd with its path, flags, offset (fdinfo), kind and
 * the descriptors it shares an open file with (kcmp). Async-signal-safe.
 */
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/stat.h>

#include "raw.h"
#include "procfs.h"

static char fdpath[96];

static const char *proc_fd_path(const char *dir, int fd)
{
	struct strbuf b = { fdpath, 0, sizeof fdpath, 0 };
	sb_puts(&b, sf.proc);
	sb_puts(&b, dir);
	sb_u(&b, (uint64_t)fd, 10);
	return fdpath;
}

static uint32_t file_kind(int fd, const char *path, size_t pathlen)
{
	struct stat st;
	long r = sf.remote ? rsys4(__NR_newfstatat, AT_FDCWD, (long)proc_fd_path("/fd/", fd), (long)&st, 0)
			   : rsys2(__NR_fstat, fd, (long)&st);
	if (r < 0)
		return CKPT_FILE_OTHER;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		if (path[0] != '/' || s_ends(path, pathlen, " (deleted)"))
			return CKPT_FILE_OTHER;
		return CKPT_FILE_REG;
	case S_IFCHR:
		return CKPT_FILE_CHR;
	case S_IFDIR:
		return CKPT_FILE_DIR;
	case S_IFIFO:
		return CKPT_FILE_PIPE;
	case S_IFSOCK:
		return CKPT_FILE_SOCK;
	default:
		return CKPT_FILE_OTHER;
	}
}

static char linkbuf[4096];
static char infobuf[4096];

static int describe_fd(int fd, struct sf_fd *f)
{
	f->fd = fd;
	long n = rsys4(__NR_readlinkat, AT_FDCWD, (long)proc_fd_path("/fd/", fd), (long)linkbuf,
		       sizeof linkbuf - 1);
	if (n < 0)
		return (int)n; /* closed meanwhile */
	long off = sf_pool_add(linkbuf, (size_t)n);
	if (off < 0)
		return (int)off;
	f->path = (uint32_t)off;
	f->pathlen = (uint32_t)n;

	if (sf.remote) {
		f->getfl = 0; /* from fdinfo below: the kernel's f_flags, O_CLOEXEC added */
		f->fdflags = 0;
	} else {
		long fl = rsys2(__NR_fcntl, fd, F_GETFL);
		long fdfl = rsys2(__NR_fcntl, fd, F_GETFD);
		f->getfl = fl < 0 ? 0 : (uint32_t)fl;
		f->fdflags = (fdfl > 0 && (fdfl & FD_CLOEXEC)) ? CKPT_FD_CLOEXEC : 0;
	}
	f->infoflags = f->getfl | (f->fdflags ? O_CLOEXEC : 0);
	f->offset = 0;

	long len = sf_read_file(proc_fd_path("/fdinfo/", fd), infobuf, sizeof infobuf - 1);
	if (len > 0) {
		infobuf[len] = 0;
		const char *s = infobuf;
		while (*s) {
			if (s_starts(s, "pos:")) {
				s += 4;
				p_skip_spaces(&s);
				f->offset = p_i(&s);
			} else if (s_starts(s, "flags:")) {
				s += 6;
				p_skip_spaces(&s);
				f->infoflags = (uint32_t)p_u(&s, 8);
			}
			while (*s && *s != '\n')
				s++;
			if (*s)
				s++;
		}
	} else if (!sf.remote) {
		long pos = rsys3(__NR_lseek, fd, 0, SEEK_CUR);
		f->offset = pos < 0 ? 0 : pos;
	}
	if (sf.remote) {
		f->getfl = f->infoflags & ~(uint32_t)O_CLOEXEC;
		f->fdflags = (f->infoflags & O_CLOEXEC) ? CKPT_FD_CLOEXEC : 0;
	}
	f->kind = file_kind(fd, sf.pool + f->path, f->pathlen);
	f->share_id = fd;
	return 0;
}

/* Groups descriptors that share one open file description (dup'd): share_id
 * is the lowest fd of the group. kcmp(2) decides; without it, every fd stands
 * alone. */
static void find_shares(void)
{
	int pid = sf.pid;
	for (int i = 0; i < sf.nfds; i++) {
		struct sf_fd *a = &sf.fds[i];
		for (int j = 0; j < i; j++) {
			struct sf_fd *b = &sf.fds[j];
			if (b->share_id != b->fd || b->kind != a->kind || b->pathlen != a->pathlen ||
			    !s_eq(sf.pool + a->path, sf.pool + b->path))
				continue;
			long r = rsys5(__NR_kcmp, pid, pid, KCMP_FILE, b->fd, a->fd);
			if (r < 0)
				return; /* no kcmp here (ENOSYS, EPERM): share_id = fd */
			if (r == 0) {
				a->share_id = b->fd;
				break;
			}
		}
	}
}

static void sort_fds(void)
{
	/* getdents of /proc/self/fd lists in order already; keep it certain */
	for (int i = 1; i < sf.nfds; i++) {
		struct sf_fd t = sf.fds[i];
		int j = i - 1;
		while (j >= 0 && sf.fds[j].fd > t.fd) {
			sf.fds[j + 1] = sf.fds[j];
			j--;
		}
		sf.fds[j + 1] = t;
	}
}

static int add_fd(int fd, long dirfd, void *arg)
{
	const char **what = arg;
	if (fd == dirfd && !sf.remote)
		return 0;   /* our own descriptor of the directory */
	if (sf.nfds == SF_MAXFDS) {
		*what = "too many open files to describe";
		return -7;
	}
	int r = describe_fd(fd, &sf.fds[sf.nfds]);
	if (r == -7) {
		*what = "paths of open files";
		return r;
	}
	if (r == 0)
		sf.nfds++;
	return 0;
}

int sf_gather_fds(const char **what)
{
	sf.nfds = 0;
	*what = "/proc/PID/fd";
	int r = sf_each_number("/fd", add_fd, what);
	if (r < 0)
		return r;
	sort_fds();
	find_shares();
	return sf_gather_kobjs(what);
}

