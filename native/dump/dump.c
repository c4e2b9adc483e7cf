/*
 * dump.c - ckpt-dump: checkpoint a running process into an ELF core with the
 * CKPT notes, without a debugger.
 *
 *     ckpt-dump [--core FILE] [--kill] [--json] [-v] PID
 *
 * Stops every thread with ptrace, gathers the state with the /proc parser and
 * writes it with the core writer libsavefds.so uses (native/common), copying
 * memory with process_vm_readv, only the pages that are present or swapped
 * out. The image is written under a temporary name in the same directory
 * (mode 0600), fsync'd and renamed: never a half-written file at FILE. The
 * process runs on afterwards (the fsync runs after it goes on), or is killed
 * with --kill once the image is safely on disk. A failed dump never kills the
 * process.
 *
 * Exit status: 0 written; 2 bad input; 4 cannot attach (ptrace refused);
 * 6 the checkpoint could not be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "tracee.h"

#define EX_BAD_INPUT 2
#define EX_ATTACH    4
#define EX_FAILED    6

static const char *prog = "ckpt dump";
static int target_pid;
static volatile sig_atomic_t interrupted;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	interrupted = sig;
}

/* ---- memory, through a buffer ---- */

/* Small enough to stay in the CPU's cache between process_vm_readv and
 * pwrite: 128-512 KiB copied 1 GiB about twice as fast as 4 MiB here. */
#define COPY_BUF (256u << 10)
static char *copy_buf;

static int pwrite_all(int fd, const char *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static uint64_t zero_bytes; /* pages of zeros left as holes */

static int zero_page(const char *p)
{
	const uint64_t *w = (const uint64_t *)p;
	for (size_t i = 0; i < SF_PAGE / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

/* Writes n bytes of buf, leaving out the pages that hold only zeros when
 * sparse (private anonymous memory: a hole reads as zeros there; a page the
 * process only read, or one gdb's gcore read, maps the zero page and counts
 * as present in pagemap). */
static int write_out(int fd, const char *buf, size_t n, uint64_t off, int sparse)
{
	if (!sparse)
		return pwrite_all(fd, buf, n, off);
	size_t i = 0;
	while (i < n) {
		size_t k = n - i < SF_PAGE ? n - i : SF_PAGE;
		if (k == SF_PAGE && zero_page(buf + i)) {
			zero_bytes += SF_PAGE;
			i += SF_PAGE;
			continue;
		}
		size_t j = i + k;
		while (j + SF_PAGE <= n && !zero_page(buf + j))
			j += SF_PAGE;
		if (j < n && n - j < SF_PAGE)
			j = n;
		int e = pwrite_all(fd, buf + i, j - i, off + i);
		if (e)
			return e;
		i = j;
	}
	return 0;
}

/* sf.copy_mem: process_vm_readv into a buffer, then pwrite. A page that
 * cannot be read (beyond the end of a mapped file ...) stays a hole. */
static int copy_remote(int fd, uint64_t addr, uint64_t len, uint64_t off, int sparse)
{
	while (len > 0) {
		if (interrupted)
			return -EINTR;
		size_t n = len < COPY_BUF ? (size_t)len : COPY_BUF;
		struct iovec l = { copy_buf, n }, r = { (void *)addr, n };
		ssize_t got = process_vm_readv(target_pid, &l, 1, &r, 1, 0);
		if (got < 0 && errno == ESRCH)
			return -ESRCH;
		if (got > 0) {
			int e = write_out(fd, copy_buf, (size_t)got, off, sparse);
			if (e)
				return e;
		} else {
			got = SF_PAGE; /* this page cannot be read: skip it */
		}
		if ((uint64_t)got > len)
			got = (ssize_t)len;
		addr += (uint64_t)got;
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return 0;
}

/* ---- the image file ---- */

struct image {
	const char *path;
	char *tmp;
	char *dir;
	int fd;
};

static int image_open(struct image *im)
{
	char *a = strdup(im->path), *b = strdup(im->path);
	if (!a || !b)
		return -ENOMEM;
	im->dir = strdup(dirname(a));
	const char *base = basename(b);
	size_t len = strlen(im->dir) + strlen(base) + 64;
	im->tmp = malloc(len);
	if (!im->dir || !im->tmp)
		return -ENOMEM;
	snprintf(im->tmp, len, "%s/.%s.tmp.%d", im->dir, base, (int)getpid());
	free(a);
	free(b);
	im->fd = open(im->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	return im->fd < 0 ? -errno : 0;
}

static int image_finish(struct image *im)
{
	int e = 0;
	if (fsync(im->fd) < 0 && errno != EINVAL)
		e = -errno;
	if (close(im->fd) < 0 && !e && errno != EINTR)
		e = -errno;
	im->fd = -1;
	if (!e && rename(im->tmp, im->path) < 0)
		e = -errno;
	if (!e) {
		int d = open(im->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d >= 0) {
			fsync(d);
			close(d);
		}
	}
	return e;
}

static void image_discard(struct image *im)
{
	if (im->fd >= 0)
		close(im->fd);
	im->fd = -1;
	if (im->tmp)
		unlink(im->tmp);
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: ckpt-dump [--core FILE] [--kill] [--json] [-v] PID\n");
}

static int fail(int status, const char *fmt, const char *a, int err)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, a);
	if (err)
		fprintf(stderr, ": %s", strerror(-err));
	fputc('\n', stderr);
	return status;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	double t0 = now();
	const char *core = NULL, *pidarg = NULL;
	int kill_after = 0, json = 0, verbose = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--kill"))
			kill_after = 1;
		else if (!strcmp(a, "--json"))
			json = 1;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			verbose = 1;
		else if (!strcmp(a, "--core") && i + 1 < argc)
			core = argv[++i];
		else if (!strncmp(a, "--core=", 7))
			core = a + 7;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			usage(stderr);
			return fail(EX_BAD_INPUT, "%s: unknown option", a, 0);
		} else if (!pidarg)
			pidarg = a;
		else
			return fail(EX_BAD_INPUT, "%s: one PID only", a, 0);
	}
	if (!pidarg) {
		usage(stderr);
		return EX_BAD_INPUT;
	}
	char *end;
	errno = 0;
	long pid = strtol(pidarg, &end, 10);
	if (errno || *end || end == pidarg || pid <= 0 || pid > 0x3fffffff)
		return fail(EX_BAD_INPUT, "%s: not a process id", pidarg, 0);
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/%ld", pid);
	if (access(proc, F_OK) != 0)
		return fail(EX_BAD_INPUT, "%s: no such process", pidarg, 0);
	if (pid == getpid())
		return fail(EX_BAD_INPUT, "%s: that is ckpt itself", pidarg, 0);
	char defname[64];
	snprintf(defname, sizeof defname, "core.%ld", pid);
	struct image im = { core ? core : defname, NULL, NULL, -1 };
	struct stat dst;
	char *dircopy = strdup(im.path);
	if (!dircopy || stat(dirname(dircopy), &dst) != 0 || !S_ISDIR(dst.st_mode))
		return fail(EX_BAD_INPUT, "%s: no such directory for the checkpoint", im.path, 0);
	free(dircopy);
	target_pid = (int)pid;
	copy_buf = malloc(COPY_BUF);
	if (!copy_buf)
		return fail(EX_FAILED, "checkpoint %s", im.path, -ENOMEM);

	/* before the process is touched: a directory we cannot write fails here */
	int e = image_open(&im);
	if (e) {
		image_discard(&im);
		return fail(EX_FAILED, "checkpoint %s", im.path, e);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: a stuck waitpid returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct tracee tr = { 0 };
	const char *what = NULL;
	alarm(30);
	double frozen0 = now();
	e = tracee_stop(&tr, (int)pid, &what);
	if (e) {
		image_discard(&im);
		tracee_free(&tr);
		if (e == -EPERM || e == -EACCES || !strcmp(what, "cannot attach"))
			return fail(EX_ATTACH, "cannot attach to process %s", pidarg, e);
		return fail(EX_FAILED, "checkpoint: %s", what, e);
	}
	alarm(0);
	if (verbose)
		fprintf(stderr, "%s: stopped %d thread(s) of process %ld\n", prog, tr.n, pid);
	fprintf(stderr, "%s: attached to process %ld\n", prog, pid);

	memset(&sf.threads[0], 0, sizeof sf.threads[0]);
	sf_target((int)pid, 1);
	sf.tid = (int)pid;
	sf.writer = CKPT_WRITER_NATIVE;
	sf.copy_mem = copy_remote;
	sf.zero_addr = 0;
	sf.si = NULL;
	sf.sig = 0;
	sf.poolused = 0;
	what = NULL;
	e = tracee_regs(&tr, &what);
	if (!e)
		e = sf_gather_fds(&what);
	if (!e)
		e = sf_gather_maps(&what);
	int missing = 0;
	if (!e) {
		memset(&sf.mm, 0, sizeof sf.mm);
		missing = tracee_process_state(&tr);
		sf_gather_process();
		if (!sf.mm.brk) { /* brk(0) could not run: the end of [heap], else its start */
			sf.mm.brk = sf.mm.start_brk;
			for (int i = 0; i < sf.nmaps; i++)
				if (sf.maps[i].special == PROC_HEAP)
					sf.mm.brk = sf.maps[i].end;
		}
		what = NULL;
		e = sf_write_core(im.fd, &what);
	}
	if (e) {
		tracee_detach(&tr);
		tracee_free(&tr);
		image_discard(&im);
		if (e == -EINTR)
			return fail(EX_FAILED, "checkpoint %s: interrupted; process left running", im.path, 0);
		fprintf(stderr, "%s: checkpoint %s: %s: %s\n", prog, im.path, what ? what : "writing", strerror(-e));
		return EX_FAILED;
	}
	if (missing)
		fprintf(stderr, "%s: warning: %d of the signal actions, tid address, brk, rseq, interval timers, sigaltstack and POSIX timers could not be read\n",
			prog, missing);
	double frozen1 = 0;
	if (!kill_after) {
		tracee_detach(&tr);
		frozen1 = now();
		fprintf(stderr, "%s: detached from process %ld: it keeps running\n", prog, pid);
	}
	e = image_finish(&im);
	if (e) {
		if (kill_after)
			tracee_detach(&tr);
		tracee_free(&tr);
		image_discard(&im);
		return fail(EX_FAILED, "checkpoint %s", im.path, e);
	}
	if (kill_after) {
		kill((pid_t)pid, SIGKILL);
		tracee_detach(&tr);
		frozen1 = now();
		fprintf(stderr, "%s: killed process %ld\n", prog, pid);
	}
	tracee_free(&tr);
	double t1 = now();
	uint64_t virt = 0;
	for (int i = 0; i < sf.nmaps; i++)
		virt += sf.maps[i].end - sf.maps[i].start;
	uint64_t data = sf.data_bytes - zero_bytes;
	fprintf(stderr, "%s: wrote %s: %d thread(s), %.1f MiB of memory data (%.1f MiB mapped); frozen %.3f s, total %.3f s\n",
		prog, im.path, sf.nthr, (double)data / 1048576.0, (double)virt / 1048576.0, frozen1 - frozen0, t1 - t0);
	if (json) {
		printf("{\"pid\": %ld, \"core\": ", pid);
		json_str(im.path);
		printf(", \"threads\": %d, \"data_bytes\": %" PRIu64 ", \"mapped_bytes\": %" PRIu64
		       ", \"frozen_seconds\": %.6f, \"total_seconds\": %.6f, \"killed\": %s}\n",
		       sf.nthr, data, virt, frozen1 - frozen0, t1 - t0, kill_after ? "true" : "false");
	}
	return 0;
}
