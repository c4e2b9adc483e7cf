/*
 * procfs.c - the /proc reader: gathers the process state into the static
 * struct sf_state, from /proc/self (libsavefds.so, about its own process) or
 * /proc/PID (ckpt-dump, about a stopped one), async-signal-safe: raw system
 * calls and static buffers only. The text is parsed by procparse.c, the one
 * /proc parser, which restart uses too.
 */
#include <fcntl.h>
#include <linux/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <asm/prctl.h>

#include "raw.h"
#include "procfs.h"

struct sf_state sf;

/* Weak: glibc >= 2.35 exports these from ld.so; elsewhere they are NULL. */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

const char *sf_pool_str(uint32_t off)
{
	return sf.pool + off;
}

void sf_target(int pid, int remote)
{
	sf.pid = pid;
	sf.remote = remote;
	struct strbuf b = { sf.proc, 0, sizeof sf.proc, 0 };
	sb_puts(&b, "/proc/");
	if (remote)
		sb_u(&b, (uint64_t)pid, 10);
	else
		sb_puts(&b, "self");
}

/* sf.proc + rest, in a static buffer (one path at a time). */
static char pathbuf[96];

const char *sf_proc_path(const char *rest)
{
	struct strbuf b = { pathbuf, 0, sizeof pathbuf, 0 };
	sb_puts(&b, sf.proc);
	sb_puts(&b, rest);
	return pathbuf;
}

/* Copies n bytes (plus a NUL) into the pool; returns the offset or -E2BIG. */
long sf_pool_add(const char *s, size_t n)
{
	if (sf.poolused + n + 1 > SF_POOL)
		return -7; /* E2BIG */
	uint32_t off = sf.poolused;
	m_copy(sf.pool + off, s, n);
	sf.pool[off + n] = 0;
	sf.poolused += (uint32_t)n + 1;
	return off;
}

/* Reads a whole (small) file into buf; returns the length or -errno. */
long sf_read_file(const char *path, char *buf, size_t cap)
{
	long fd = rsys4(__NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	size_t len = 0;
	while (len < cap) {
		long r = rsys3(__NR_read, fd, (long)(buf + len), (long)(cap - len));
		if (r == -4) /* EINTR */
			continue;
		if (r < 0) {
			rsys1(__NR_close, fd);
			return r;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	rsys1(__NR_close, fd);
	return (long)len;
}

/* ---- a line reader over a /proc file, with a static buffer ---- */

static char lr_buf[65536];

struct lr {
	long fd;
	uint32_t beg, end;
	int eof;
};

/* The next line, NUL-terminated without its '\n', or NULL at the end. */
static char *lr_next(struct lr *r)
{
	for (;;) {
		for (uint32_t i = r->beg; i < r->end; i++)
			if (lr_buf[i] == '\n') {
				char *line = lr_buf + r->beg;
				lr_buf[i] = 0;
				r->beg = i + 1;
				return line;
			}
		if (r->eof) {
			if (r->beg == r->end)
				return NULL;
			char *line = lr_buf + r->beg; /* last line without '\n' */
			if (r->end == sizeof lr_buf)
				r->end--;
			lr_buf[r->end] = 0;
			r->beg = r->end;
			return line;
		}
		if (r->beg > 0) {
			uint32_t n = r->end - r->beg;
			for (uint32_t i = 0; i < n; i++)
				lr_buf[i] = lr_buf[r->beg + i];
			r->beg = 0;
			r->end = n;
		}
		if (r->end >= sizeof lr_buf - 1) {
			/* a line longer than the buffer: cut it */
			lr_buf[r->end - 1] = '\n';
			continue;
		}
		long n = rsys3(__NR_read, r->fd, (long)(lr_buf + r->end), (long)(sizeof lr_buf - 1 - r->end));
		if (n == -4)
			continue;
		if (n <= 0)
			r->eof = 1;
		else
			r->end += (uint32_t)n;
	}
}

char sf_dentbuf[8192];

/* ---- mappings: /proc/PID/smaps ---- */

/* A parsed mapping line into m, its path into the pool. */
static int map_from_line(const struct proc_map *pm, struct sf_map *m)
{
	m_zero(m, sizeof *m);
	m->start = pm->start;
	m->end = pm->end;
	m->offset = pm->offset;
	m->dev = pm->dev;
	m->inode = pm->inode;
	m->prot = pm->prot;
	m->flags = pm->flags;
	m->special = pm->special;
	m->deleted = pm->deleted;
	long off = sf_pool_add(pm->name, pm->namelen);
	if (off < 0)
		return (int)off;
	m->path = (uint32_t)off;
	m->pathlen = (uint32_t)pm->namelen;
	return 0;
}

/* File identity (st_size, st_mtime) of a mapped file, if the path still names
 * the mapped inode. */
static void map_identity(struct sf_map *m)
{
	const char *path = sf.pool + m->path;
	struct stat st;
	if (m->inode == 0 || path[0] != '/' || m->deleted)
		return;
	if (rsys4(__NR_newfstatat, AT_FDCWD, (long)path, (long)&st, 0) < 0)
		return;
	if (st.st_ino != m->inode || st.st_dev != m->dev)
		return;
	m->size = (uint64_t)st.st_size;
	m->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* Whether a mapping's content goes into the core: what cannot be read back
 * from a file. Private mappings that are anonymous, writable, or have
 * copied-on-write pages (relocated RELRO, patched text); shared mappings of
 * deleted files (shmem, memfd, SysV) and named shared anonymous memory; the
 * vDSO. Never [vvar*], never what
 * cannot be read. */
static void decide_dump(struct sf_map *m)
{
	int priv = !(m->flags & CKPT_MAP_SHARED);
	m->dump = 0;
	if (!(m->prot & PROT_READ) || m->special == PROC_VVAR || m->special == PROC_VSYSCALL)
		return;
	if (m->special == PROC_VDSO) {
		m->dump = 1;
		return;
	}
	if (priv) {
		if (m->inode == 0 || (m->prot & PROT_WRITE) || m->anon_kb > 0 || m->deleted)
			m->dump = 1;
		m->sparse = m->inode == 0;
	} else if (m->deleted || s_starts(sf.pool + m->path, "[anon_shmem:")) {
		m->dump = 1; /* shared anonymous memory (named or not), memfd, SysV shm */
	} else if (s_starts(sf.pool + m->path, "/tmp/") || s_starts(sf.pool + m->path, "/var/tmp/") ||
		   s_starts(sf.pool + m->path, "/dev/shm/") || s_starts(sf.pool + m->path, "/run/user/")) {
		m->dump = 1; /* a file that may be gone at restart (docs/IMAGE-FORMAT.md, section 2) */
	}
}

int sf_gather_maps(const char **what)
{
	sf.nmaps = 0;
	*what = "/proc/PID/smaps";
	struct lr r = { 0, 0, 0, 0 };
	r.fd = rsys4(__NR_openat, AT_FDCWD, (long)sf_proc_path("/smaps"), O_RDONLY | O_CLOEXEC, 0);
	if (r.fd < 0) {
		/* no smaps (CONFIG_PROC_PAGE_MONITOR off): maps, without COW knowledge */
		*what = "/proc/PID/maps";
		r.fd = rsys4(__NR_openat, AT_FDCWD, (long)sf_proc_path("/maps"), O_RDONLY | O_CLOEXEC, 0);
		if (r.fd < 0)
			return (int)r.fd;
	}
	struct sf_map *cur = NULL;
	char *line;
	while ((line = lr_next(&r)) != NULL) {
		/* a mapping line starts "start-end "; field lines start "Name:" */
		struct proc_map pm;
		if (proc_parse_map_line(line, &pm) == 0) {
			if (cur)
				decide_dump(cur);
			if (sf.nmaps == SF_MAXMAPS) {
				rsys1(__NR_close, r.fd);
				*what = "too many mappings to describe";
				return -7;
			}
			cur = &sf.maps[sf.nmaps];
			int e = map_from_line(&pm, cur);
			if (e < 0) {
				rsys1(__NR_close, r.fd);
				if (e == -7)
					*what = "paths of mappings";
				return e;
			}
			map_identity(cur);
			sf.nmaps++;
		} else if (cur && s_starts(line, "Anonymous:")) {
			const char *v = line + 10;
			p_skip_spaces(&v);
			cur->anon_kb = (uint32_t)p_u(&v, 10);
		} else if (cur && s_starts(line, "VmFlags:")) {
			for (const char *v = line + 8; v[0] && v[1]; v++)
				if (v[0] == ' ' && v[1] == 'g' && v[2] == 'd' && (v[3] == ' ' || v[3] == 0))
					cur->flags |= CKPT_MAP_GROWSDOWN;
			cur->advice = sf_vmflags_advice(line + 8);
		}
	}
	if (cur)
		decide_dump(cur);
	rsys1(__NR_close, r.fd);
	return 0;
}

/* ---- the rest: stat, status, auxv, cmdline, cwd, signals, rseq ... ---- */

static char statbuf[4096];

static void gather_stat(void)
{
	sf.state = 'R';
	long n = sf_read_file(sf_proc_path("/stat"), statbuf, sizeof statbuf - 1);
	if (proc_parse_stat(statbuf, n > 0 ? (size_t)n : 0, sf.stat, sf.comm, sizeof sf.comm) == 0 && sf.stat[3])
		sf.state = (char)sf.stat[3];
}

static void gather_status(void)
{
	sf.nthreads = 1;
	long n = sf_read_file(sf_proc_path("/status"), statbuf, sizeof statbuf);
	size_t len = n > 0 ? (size_t)n : 0;
	uint64_t v;
	if (proc_status_u(statbuf, len, "Threads:", 10, &v) == 0)
		sf.nthreads = (uint32_t)v;
	/* the real ids, as getuid() and getgid() give them */
	if (proc_status_u(statbuf, len, "Uid:", 10, &v) == 0)
		sf.uid = (uint32_t)v;
	if (proc_status_u(statbuf, len, "Gid:", 10, &v) == 0)
		sf.gid = (uint32_t)v;
}

static void gather_cmdline(void)
{
	m_zero(sf.psargs, sizeof sf.psargs);
	long n = sf_read_file(sf_proc_path("/cmdline"), sf.psargs, sizeof sf.psargs - 1);
	if (n <= 0)
		return;
	/* like the kernel: NULs between arguments become spaces */
	while (n > 0 && sf.psargs[n - 1] == 0)
		n--;
	for (long i = 0; i < n; i++)
		if (sf.psargs[i] == 0)
			sf.psargs[i] = ' ';
	sf.psargs[n] = 0;
}

int sf_each_number(const char *rest, int (*fn)(int n, long dirfd, void *arg), void *arg)
{
	long dir = rsys4(__NR_openat, AT_FDCWD, (long)sf_proc_path(rest), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dir < 0)
		return (int)dir;
	int r = 0;
	for (;;) {
		long n = rsys3(__NR_getdents64, dir, (long)sf_dentbuf, sizeof sf_dentbuf);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		for (long pos = 0; pos < n && r == 0;) {
			/* struct linux_dirent64: ino(8) off(8) reclen(2) type(1) name */
			const char *d = sf_dentbuf + pos;
			uint16_t reclen = (uint16_t)((unsigned char)d[16] | ((unsigned char)d[17] << 8));
			const char *name = d + 19;
			pos += reclen;
			if (name[0] < '0' || name[0] > '9')
				continue;
			const char *num = name;
			r = fn((int)p_u(&num, 10), dir, arg);
		}
		if (r != 0)
			break;
	}
	rsys1(__NR_close, dir);
	return r;
}

static int add_thread(int tid, long dirfd, void *arg)
{
	if (tid == sf.tid || sf.nthr == SF_MAXTHREADS)
		return 0;
	struct sf_thread *t = &sf.threads[sf.nthr++];
	m_zero(t, sizeof *t);
	t->tid = tid;
	return 0;
}

/* Fills threads[1..] with the other threads of the process (state NONE);
 * returns how many slots are in use. */
int sf_list_threads(void)
{
	sf.nthr = 1;
	(void)sf_each_number("/task", add_thread, NULL);   /* unreadable: this thread alone */
	return sf.nthr;
}

static void gather_signals(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct ckpt_sigaction *a = &sf.sigactions[sig - 1];
		m_zero(a, sizeof *a);
		/* the kernel's struct sigaction: handler, flags, restorer, mask */
		rsys4(__NR_rt_sigaction, sig, 0, (long)a, 8);
	}
}

static void gather_rseq(void)
{
	m_zero(&sf.rseq, sizeof sf.rseq);
	if (&__rseq_size == NULL || &__rseq_offset == NULL || __rseq_size == 0)
		return;
	sf.rseq.addr = sf.threads[0].regs[21] /* fs_base */ + (uint64_t)__rseq_offset;
	sf.rseq.len = 32;
	sf.rseq.sig = 0x53053053;
}

static void gather_mm(void)
{
	uint64_t brk = sf.mm.brk;   /* ckpt-dump's, got with an injected brk(0) */
	proc_stat_mm(sf.stat, &sf.mm);
	sf.mm.brk = sf.remote ? brk : (uint64_t)rsys1(__NR_brk, 0);
}

void sf_gather_process(void)
{
	gather_stat();
	gather_status();
	gather_cmdline();
	long n = sf_read_file(sf_proc_path("/auxv"), sf.auxv, sizeof sf.auxv);
	sf.auxvlen = n > 0 ? (uint32_t)n : 0;
	gather_mm();
	sf_gather_attrs();
	if (sf.remote) {
		long c = rsys4(__NR_readlinkat, AT_FDCWD, (long)sf_proc_path("/cwd"), (long)sf.cwd, sizeof sf.cwd - 1);
		if (c > 0 && sf.cwd[0] == '/') {
			sf.cwd[c] = 0;
			sf.cwdlen = (uint32_t)c + 1;
		} else
			sf.cwdlen = 0;
		return;
	}
	long c = rsys2(__NR_getcwd, (long)sf.cwd, sizeof sf.cwd);
	sf.cwdlen = c > 0 ? (uint32_t)c : 0;
	sf.uid = (uint32_t)rsys0(__NR_getuid);
	sf.gid = (uint32_t)rsys0(__NR_getgid);

	gather_signals();
	gather_rseq();
	uint64_t tid = 0;
	sf.tidaddr = rsys2(__NR_prctl, PR_GET_TID_ADDRESS, (long)&tid) == 0 ? tid : 0;
}
