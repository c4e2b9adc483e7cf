/*
 * forkserver.c - restart --fork-server: one restore, a copy per request.
 * See forkserver.h and docs/RESTART.md ("Fork server").
 */
#include "attrs.h"
#include "forkserver.h"
#include "log.h"
#include "regs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>        /* PTRACE_TRACEME, for the stub the copy runs */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROTO_FD_MIN 10
#define PATH_SLOT    4096          /* each staged path gets its own slot in the scratch data area */

static int proto_in = -1, proto_out = -1;

/* Whether the image has an AIO ring: fork does not copy one (VM_DONTCOPY). */
static int has_aio_ring(const struct core *c)
{
	uint32_t pos = 0;
	const struct ckpt_map *m;
	const char *path;
	while (ckpt_next_map(c->ckpt.maps, c->ckpt.maps_len, &pos, &m, &path) == 1)
		if (strncmp(path, "/[aio]", 6) == 0)
			return 1;
	for (size_t i = 0; i < c->nfmaps; i++)
		if (strncmp(c->fmaps[i].path, "/[aio]", 6) == 0)
			return 1;
	return 0;
}

/* What fork does not copy (interval and POSIX timers) and what the copy's
 * limits may differ in, set in the copy through its own /proc/PID/mem. */
static int late_state(struct tracee *ch, const struct core *c)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", (int)ch->pid);
	ch->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (ch->memfd < 0)
		return -1;
	int rc = attrs_restore_late(ch, c);
	close(ch->memfd);
	ch->memfd = -1;
	return rc;
}

int forkserver_begin(const struct core *c, const char *core_path)
{
	int null;
	if (c->nthreads > 1) {
		dprintf(1, "unsupported %s: %zu threads (the fork server copies single-threaded images only)\n",
			core_path, c->nthreads);
		return -1;
	}
	if (c->ckpt.kobj_len > 0) {   /* a pipe's bytes would go to whichever copy reads first */
		dprintf(1, "unsupported %s: kernel objects behind descriptors (pipes, sockets, eventfd ...), "
			"which copies would share\n", core_path);
		return -1;
	}
	if (has_aio_ring(c)) {
		dprintf(1, "unsupported %s: an AIO context (fork does not copy its ring)\n", core_path);
		return -1;
	}
	for (size_t i = 0; i < c->ckpt.nmadvise; i++) {
		struct ckpt_madvise m;
		memcpy(&m, &c->ckpt.madvise[i], sizeof m);
		if (m.flags & (CKPT_ADV_DONTFORK | CKPT_ADV_WIPEONFORK)) {
			dprintf(1, "unsupported %s: MADV_DONTFORK or MADV_WIPEONFORK memory (fork does not copy it)\n",
				core_path);
			return -1;
		}
	}
	proto_in = fcntl(0, F_DUPFD_CLOEXEC, PROTO_FD_MIN);
	proto_out = fcntl(1, F_DUPFD_CLOEXEC, PROTO_FD_MIN);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (proto_in < 0 || proto_out < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		return log_errno("fork server: protocol descriptors");
	close(null);
	return 0;
}

static int reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int reply(const char *fmt, ...)
{
	char line[PATH_MAX + 128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line)
		n = (int)sizeof line - 1;
	return write(proto_out, line, (size_t)n) == n ? 0 : -1;
}

/*
 * The copy is made by a few instructions staged in the template's scratch
 * page, so that it costs three ptrace stops, not one per system call:
 *
 *     clone(CLONE_PARENT | SIGCHLD)        parent (the template): int3
 *     child: ptrace(PTRACE_TRACEME)        its parent, and so its tracer, is restart
 *            close(0); openat(STDIN) == 0; close(1); openat(STDOUT) == 1;
 *            close(2); openat(STDERR) == 2 (or dup2(1, 2))
 *            kill(getpid(), SIGSTOP)       the stop restart waits for (at OK)
 *     a result that is not the one wanted: rbx = result, then the same stop (at FAIL)
 *
 * SIGSTOP cannot be blocked or caught, and the detach discards it.
 */
#define STUB_MAX   320

struct stub { uint8_t b[STUB_MAX]; size_t n; size_t ok, fail, parent; };

static void put(struct stub *s, const void *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void op32(struct stub *s, const char *opcode, size_t olen, uint32_t v)
{
	put(s, opcode, olen);
	put(s, &v, 4);
}

/* jne/jnz rel32 to a label fixed up later: returns where the rel32 is */
static size_t jne(struct stub *s)
{
	put(s, "\x0f\x85\0\0\0\0", 6);
	return s->n - 4;
}

static void fix(struct stub *s, size_t at, size_t target)
{
	int32_t rel = (int32_t)((long)target - (long)(at + 4));
	memcpy(s->b + at, &rel, 4);
}

/* result in rax must be WANT, else to FAIL */
static size_t expect(struct stub *s, uint8_t want)
{
	put(s, "\x48\x83\xf8", 3);                               /* cmp rax, want */
	put(s, &want, 1);
	return jne(s);
}

/* kill(getpid(), SIGSTOP); returns the offset just after its syscall */
static size_t stop_self(struct stub *s)
{
	op32(s, "\xb8", 1, SYS_getpid);
	put(s, "\x0f\x05", 2);
	put(s, "\x89\xc7", 2);                                   /* mov edi, eax */
	op32(s, "\xb8", 1, SYS_kill);
	op32(s, "\xbe", 1, SIGSTOP);
	put(s, "\x0f\x05", 2);
	return s->n;
}

static void build_stub(struct stub *s, const raddr at[3], int err_is_out)
{
	static const uint32_t flags[3] = { O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_TRUNC };
	size_t to_fail[4], to_parent;
	memset(s, 0, sizeof *s);
	op32(s, "\xb8", 1, SYS_clone);
	op32(s, "\xbf", 1, CLONE_PARENT | SIGCHLD);
	put(s, "\x31\xf6\x31\xd2\x4d\x31\xd2\x4d\x31\xc0", 10);   /* esi = edx = r10 = r8 = 0 */
	put(s, "\x0f\x05", 2);                                   /* syscall */
	put(s, "\x48\x85\xc0", 3);                               /* test rax, rax */
	to_parent = jne(s);
	op32(s, "\xb8", 1, SYS_ptrace);
	op32(s, "\xbf", 1, PTRACE_TRACEME);
	put(s, "\x0f\x05", 2);
	to_fail[3] = expect(s, 0);
	for (uint32_t fd = 0; fd < 3; fd++) {
		if (fd == 2 && err_is_out) {
			op32(s, "\xb8", 1, SYS_dup2);
			op32(s, "\xbf", 1, 1);
			op32(s, "\xbe", 1, 2);
		} else {
			op32(s, "\xb8", 1, SYS_close);
			op32(s, "\xbf", 1, fd);
			put(s, "\x0f\x05", 2);
			op32(s, "\xb8", 1, SYS_openat);
			op32(s, "\xbf", 1, (uint32_t)AT_FDCWD);
			put(s, "\x48\xbe", 2);                   /* mov rsi, imm64 */
			put(s, &at[fd].v, 8);
			op32(s, "\xba", 1, flags[fd]);
			op32(s, "\x41\xba", 2, 0644);
		}
		put(s, "\x0f\x05", 2);
		to_fail[fd] = expect(s, (uint8_t)fd);
	}
	s->ok = stop_self(s);
	put(s, "\xcc", 1);                                       /* never reached: the copy gets its registers */
	size_t fail_at = s->n;
	put(s, "\x48\x89\xc3", 3);                               /* mov rbx, rax */
	s->fail = stop_self(s);
	put(s, "\xcc", 1);
	s->parent = s->n;
	put(s, "\xcc", 1);
	for (int i = 0; i < 4; i++)
		fix(s, to_fail[i], fail_at);
	fix(s, to_parent, s->parent);
}

/* Makes one copy with PATHS[0..2] as its stdin, stdout, stderr and lets it
 * run; returns its pid, or -errno (*fatal set when the template is lost).
 * Three ptrace stops: the template's int3 after the clone, the copy's
 * SIGSTOP, the copy's munmap of the scratch area. */
static pid_t make_copy(struct tracee *t, const struct core *c, const struct core_thread *lead,
		       char *const paths[3], int *fatal)
{
	raddr at[3], code;
	struct stub st;
	struct rscope sc;
	struct tracee ch;
	uint64_t res;
	int err = 0;
	remote_scope_begin(t, &sc);     /* the stage is reused by the next copy */
	for (int i = 0; i < 3; i++) {
		at[i] = remote_push(&sc, paths[i], strlen(paths[i]) + 1);
		if (at[i].v == 0) {
			remote_scope_end(&sc);
			return -ENAMETOOLONG;
		}
	}
	build_stub(&st, at, strcmp(paths[1], paths[2]) == 0);
	code = remote_push(&sc, st.b, st.n);
	remote_scope_end(&sc);
	if (code.v == 0)
		return -EIO;
	/* the stub uses no stack; the restorer's will do */
	if (remote_call(t, code, RADDR(code.v + st.parent + 1), RADDR(t->scratch.v + SCRATCH_FIXED), 0, &res) != 0) {
		*fatal = 1;
		return -EIO;
	}
	if ((long)res <= 0)
		return (long)res < 0 ? (pid_t)(long)res : -EIO;

	/* same scratch page as the template; its memory is not touched */
	if (remote_attach_fork(&ch, t, (pid_t)res) != 0)
		err = -EIO;
	else if (ch.base.rip != code.v + st.ok)
		err = ch.base.rip == code.v + st.fail && (long)ch.base.rbx < 0 ? (int)(long)ch.base.rbx : -EIO;
	if (err == 0 && (late_state(&ch, c) != 0 || remote_unmap_scratch(&ch) != 0 || regs_restore(&ch, c, lead) != 0 || remote_detach(&ch, 0) != 0))
		err = -EIO;
	if (err != 0) {
		remote_kill(&ch);
		return err;
	}
	return (pid_t)res;
}

static void report_end(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			reply("error %d waitpid: %s\n", pid, strerror(errno));
			return;
		}
	if (WIFSIGNALED(status))
		reply("signal %d %d\n", pid, WTERMSIG(status));
	else
		reply("exit %d %d\n", pid, WEXITSTATUS(status));
}

/* "run\tSTDIN\tSTDOUT\tSTDERR": splits LINE in place; 0 when well formed. */
static int parse_run(char *line, char *paths[3])
{
	char *save = NULL, *w = strtok_r(line, "\t", &save);
	if (w == NULL || strcmp(w, "run") != 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if ((paths[i] = strtok_r(NULL, "\t", &save)) == NULL || paths[i][0] == 0 ||
		    strlen(paths[i]) >= PATH_SLOT)
			return -1;
	return strtok_r(NULL, "\t", &save) == NULL ? 0 : -1;
}

int forkserver_serve(struct tracee *t, const struct core *c, const struct core_thread *lead)
{
	FILE *in = fdopen(proto_in, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;

	signal(SIGINT, SIG_IGN);    /* the terminal's signals are the copies' business */
	signal(SIGPIPE, SIG_IGN);
	/* the template is traced with PTRACE_O_EXITKILL since remote_attach_exec */
	if (in == NULL) {
		log_errno("fork server: template %d", t->pid);
		remote_kill(t);
		return 1;
	}
	log_info("fork server: template %d ready; %lu ptrace stops, %lu syscalls injected", t->pid, *t->nstops,
		 *t->nsyscalls);
	reply("ready %d\n", t->pid);
	while ((n = getline(&line, &cap, in)) > 0) {
		char *paths[3];
		int fatal = 0;
		unsigned long stops = *t->nstops, calls = *t->nsyscalls;
		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		if (parse_run(line, paths) != 0) {
			reply("error 0 bad request (want: run<TAB>STDIN<TAB>STDOUT<TAB>STDERR)\n");
			continue;
		}
		pid_t pid = make_copy(t, c, lead, paths, &fatal);
		if (pid < 0) {
			reply("error 0 cannot make a copy: %s\n", strerror(-pid));
			if (fatal) {
				status = 1;
				break;
			}
			continue;
		}
		log_info("fork server: copy %d: %lu ptrace stops, %lu syscalls injected", pid, *t->nstops - stops,
			 *t->nsyscalls - calls);
		reply("pid %d\n", pid);
		report_end(pid);
	}
	free(line);
	fclose(in);
	remote_kill(t);
	return status;
}
