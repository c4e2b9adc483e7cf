/*
 * check.c - the validation sequence of restart, as a list of problems.
 *
 * Everything restart checks before it forks is here, once: the core, the
 * threads the VERSION note counts, this machine's CPU state and page size,
 * the executable and every mapped file (identity.c), the open files and the
 * working directory, and whether the image is of a crashed process.
 * `restart` refuses on CHECK_ERROR and CHECK_MISMATCH; `restart --check`
 * prints the list and runs nothing.
 */
#include "check.h"
#include "log.h"

#include <cpuid.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NT_SIGINFO_TYPE 0x53494749u

static const char *const severities[] = { "error", "mismatch", "forced", "crash", "warning" };

void check_add(struct check_result *r, const char *kind, enum check_severity sev, const char *file,
	       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	void *nv = realloc(r->v, (r->n + 1) * sizeof *r->v);
	if (nv == NULL)
		return;   /* out of memory: the problem list is short by one; nothing better to do */
	r->v = nv;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->v[r->n++] = (struct check_problem){ kind, file ? strdup(file) : NULL, strdup(msg), sev };
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV"; case SIGBUS: return "SIGBUS"; case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL"; case SIGABRT: return "SIGABRT"; case SIGSYS: return "SIGSYS";
	default: return "a signal";
	}
}

static int crash_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGABRT || sig == SIGSYS;
}

/* The fatal signal the core was dumped on, from pr_cursig and NT_SIGINFO. A
 * gdb checkpoint at a breakpoint has SIGTRAP there, a kernel core made on
 * purpose SIGQUIT: neither is a crash. */
static void check_crash(struct check_result *r, const struct core *c, const char *core_path)
{
	const struct core_thread *t = NULL;
	for (size_t i = 0; i < c->nthreads && t == NULL; i++)
		if (crash_signal(c->threads[i].cursig))
			t = &c->threads[i];
	if (t == NULL)
		return;
	r->crashed = 1;
	r->crash = (struct check_crash){ .signo = t->cursig, .rip = t->regs.rip, .tid = t->pid };
	for (size_t i = 0; i < c->nnotes; i++) {
		const struct core_note *n = &c->notes[i];
		int32_t si[4];
		if (n->type != NT_SIGINFO_TYPE || strcmp(n->owner, "CORE") != 0 || n->descsz < 24)
			continue;
		memcpy(si, n->desc, sizeof si);
		if (si[0] != t->cursig)
			continue;
		r->crash.code = si[2];
		if (si[2] > 0 && t->cursig != SIGABRT && t->cursig != SIGSYS) {   /* sent by the kernel: si_addr */
			memcpy(&r->crash.addr, n->desc + 16, 8);
			r->crash.have_addr = 1;
		}
		break;
	}
	char addr[64] = "";
	if (r->crash.have_addr)
		snprintf(addr, sizeof addr, " at address 0x%llx", (unsigned long long)r->crash.addr);
	check_add(r, "crash", CHECK_CRASH, NULL, "the process crashed: %s%s, rip 0x%llx (thread %d); restarted, it "
		  "runs into the crash again; to look at it live: ckpt debug %s", signame(t->cursig), addr,
		  (unsigned long long)t->regs.rip, t->pid, core_path);
}

static uint64_t host_xcr0(void)
{
	unsigned a, b, cx, d;
	if (!__get_cpuid(1, &a, &b, &cx, &d) || !(cx & (1u << 27)))   /* OSXSAVE */
		return 3;   /* x87 and SSE */
	__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	return ((uint64_t)d << 32) | a;
}

/* CPU state this machine cannot take (XCR0 in each thread's XSAVE area), page size. */
static void check_machine(struct check_result *r, const struct core *c)
{
	static const struct { uint64_t bits; const char *name; } feat[] = {
		{ 1ull << 2, "avx" }, { 0xe0ull, "avx512f" }, { 1ull << 9, "pku" }, { 3ull << 17, "amx_tile" } };
	uint64_t have = host_xcr0(), want = 0;
	char lacking[128] = "";
	for (size_t i = 0; i < c->nthreads; i++) {
		uint64_t x;
		if (c->threads[i].xstate && c->threads[i].xstate_len >= 472) {
			memcpy(&x, c->threads[i].xstate + 464, 8);
			want |= x;
		}
	}
	for (size_t i = 0; i < sizeof feat / sizeof *feat; i++)
		if ((want & feat[i].bits) && (have & feat[i].bits) != (want & feat[i].bits))
			snprintf(lacking + strlen(lacking), sizeof lacking - strlen(lacking), "%s%s",
				 *lacking ? ", " : "", feat[i].name);
	if (*lacking)
		check_add(r, "foreign-machine", CHECK_ERROR, NULL, "the core holds CPU state this machine lacks (%s): it "
			  "was made on another kind of CPU", lacking);
	uint64_t page = core_auxv(c, AT_PAGESZ);
	if (page && page != (uint64_t)sysconf(_SC_PAGESIZE))
		check_add(r, "foreign-machine", CHECK_ERROR, NULL, "the core was made with page size %llu, this "
			  "machine's is %ld", (unsigned long long)page, sysconf(_SC_PAGESIZE));
}

/* Saved open files that cannot be reopened. fds 0-2 are the caller's, never a problem. */
static void check_open_files(struct check_result *r, const struct check_input *in, struct fdset *files)
{
	for (size_t i = 0; i < files->n; i++) {
		const struct fdent *e = &files->e[i];
		struct stat st;
		if (e->fd <= 2 || e->kind == CKPT_FILE_PIPE || e->kind == CKPT_FILE_SOCK ||
		    e->kind == CKPT_FILE_OTHER || e->path[0] != '/' || stat(e->path, &st) == 0)
			continue;
		if (in->skip_missing)
			continue;
		check_add(r, "open-file-missing", in->force ? CHECK_FORCED : CHECK_MISMATCH, e->path,
			  "open file (fd %d) %s: %s%s", e->fd, e->path, strerror(errno),
			  in->force ? " (--force: left closed)" : "");
	}
}

int check_all(const struct check_input *in, struct core *c, struct plan *p, struct fdset *files,
	      struct check_result *r)
{
	struct special_layout sl;
	const char *exe = NULL;
	memset(r, 0, sizeof *r);
	if (core_open(c, in->core_path) != 0) {
		log_error("%s: %s", in->core_path, c->err);
		return -1;
	}
	/* The VERSION note counts the threads a writer could not put in the core
	 * (libsavefds.so leaves out threads that block every signal): restored
	 * without them, the process would run on with threads missing. */
	if (c->ckpt.version != NULL && c->ckpt.version->nthreads > c->nthreads)
		check_add(r, "threads-missing", CHECK_ERROR, NULL, "the process had %u threads, the core holds %zu "
			  "(libsavefds.so leaves out threads that block every signal); restoring it without them is "
			  "not supported", (unsigned)c->ckpt.version->nthreads, c->nthreads);
	check_machine(r, c);
	if (in->exe) {
		if (realpath(in->exe, r->exe) == NULL)   /* said by check_mapped_files, which cannot open it */
			snprintf(r->exe, sizeof r->exe, "%s", in->exe);
		exe = r->exe;
	}
	if (special_layout_read(&sl) != 0) {
		log_error("cannot read this process's own vDSO layout from /proc/self/maps");
		return -2;
	}
	if (plan_build(p, c, in->core_path, exe, &sl) != 0)
		return -1;
	r->start_brk = p->start_brk;
	r->brk = p->brk;
	if (in->filedes ? files_from_text(files, in->filedes) != 0
			: (c->ckpt.files && files_from_core(files, c) != 0)) {
		if (!in->filedes)
			log_error("%s: CKPT FILES note: malformed record", in->core_path);
		return -1;
	}
	if (in->filedes)
		files_share_from_core(files, c);
	/* a deleted file made again is mapped from it, not looked for by its name */
	kobj_plan_maps(files, p, c);
	check_mapped_files(r, p, c, in->force);
	if (access(p->exe, F_OK) == 0 && access(p->exe, X_OK) != 0)
		check_add(r, "executable-missing", CHECK_ERROR, p->exe, "executable %s: %s", p->exe, strerror(errno));
	check_open_files(r, in, files);
	/* what is left to reopen: missing files are refused above or left closed */
	files_check(files, in->filedes ? in->filedes : in->core_path, 1);
	if (c->ckpt.cwd) {
		struct stat st;
		errno = 0;
		if (stat(c->ckpt.cwd, &st) != 0 || !S_ISDIR(st.st_mode))
			check_add(r, "cwd-missing", CHECK_ERROR, c->ckpt.cwd, "working directory %s: %s", c->ckpt.cwd,
				  errno ? strerror(errno) : "not a directory");
	}
	check_crash(r, c, in->core_path);
	return 0;
}

int check_refuses(const struct check_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].severity == CHECK_ERROR || r->v[i].severity == CHECK_MISMATCH)
			return 1;
	return 0;
}

int check_not_ok(const struct check_result *r)
{
	return check_refuses(r) || r->crashed;
}

void check_print_text(const struct check_result *r, const char *core_path, FILE *f)
{
	for (size_t i = 0; i < r->n; i++) {
		enum check_severity s = r->v[i].severity;
		fprintf(f, "restart: %s: %s%s\n", core_path,
			s == CHECK_WARNING ? "warning: " : s == CHECK_CRASH ? "note: " : "", r->v[i].message);
	}
}

static void json_str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void check_print_json(const struct check_result *r, const char *core_path, FILE *f)
{
	fputs("{\"core\":", f);
	json_str(f, core_path);
	fprintf(f, ",\"ok\":%s,\"refused\":%s,\"crash\":", check_not_ok(r) ? "false" : "true",
		check_refuses(r) ? "true" : "false");
	if (r->crashed) {
		fprintf(f, "{\"signal\":%d,\"name\":\"%s\",\"code\":%d,\"addr\":", r->crash.signo,
			signame(r->crash.signo), r->crash.code);
		if (r->crash.have_addr)
			fprintf(f, "\"0x%llx\"", (unsigned long long)r->crash.addr);
		else
			fputs("null", f);
		fprintf(f, ",\"rip\":\"0x%llx\",\"tid\":%d}", (unsigned long long)r->crash.rip, r->crash.tid);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"heap\":{\"start\":\"0x%llx\",\"end\":\"0x%llx\"}", (unsigned long long)r->start_brk,
		(unsigned long long)r->brk);
	fputs(",\"problems\":[", f);
	for (size_t i = 0; i < r->n; i++) {
		fputs(i ? ",{\"kind\":" : "{\"kind\":", f);
		json_str(f, r->v[i].kind);
		fputs(",\"file\":", f);
		json_str(f, r->v[i].file);
		fputs(",\"message\":", f);
		json_str(f, r->v[i].message);
		fprintf(f, ",\"severity\":\"%s\"}", severities[r->v[i].severity]);
	}
	fputs("]}\n", f);
}

void check_free(struct check_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].file);
		free(r->v[i].message);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
