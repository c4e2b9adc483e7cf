/*
 * restart - make a live process again from an ELF core file.
 *
 *   restart [options] [EXECUTABLE] CORE
 *
 * The seed's interface and defaults. In short: check everything first (bad
 * input: a one-line message, exit 2, nothing started); fork; the child
 * reopens the saved files, traces itself and execs the original executable;
 * at the post-exec stop the parent replaces the whole address space with the
 * core's through system calls injected into the child, then the rest of the
 * state, then the registers, and lets it go. See docs/RESTART.md.
 */
#include "corefile.h"
#include "files.h"
#include "forkserver.h"
#include "log.h"
#include "plan.h"
#include "regs.h"
#include "remote.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define VERSION "restart (ckpt) 0.1.0"
#define PAGE 4096ull
#define EXIT_BAD_INPUT 2
#define EXIT_FAILED    1
#define RSEQ_SIG 0x53053053u
#define THP_MIN  (4ull << 20)

#ifndef PTRACE_SETSIGMASK
#define PTRACE_SETSIGMASK 0x420b
#endif

struct options {
	const char *exe, *core;
	const char *filedes;       /* -f: text file of open files */
	int filedes_default;       /* -f without an attached FILE */
	int nostop, wait, select, skip_missing, same_pid;
	int fork_server;            /* --fork-server: forkserver.c */
	uint64_t breakpoint;       /* -b */
};

struct newmap { uint64_t start, end, offset; char name[256]; };

struct restore {
	struct options *o;
	struct core *c;
	struct plan *p;
	struct fdset *files;
	struct tracee t;
	int core_fd;               /* the core, open in the child at this number */
	struct newmap *nm; size_t nnm;   /* the child's mappings after exec */
	const struct core_thread *lead;  /* the thread the exec'd process becomes */
	int64_t rseq_off, tid_off;       /* from a thread's fs_base: its rseq area, its tid in glibc's TCB */
	int have_rseq_off, have_tid_off;
	uint32_t rseq_len, rseq_sig;
	struct tracee *others; size_t nothers;   /* the other threads, made with clone3 */
	uint64_t new_stat[11];     /* its /proc/PID/stat memory fields (struct ckpt_mm order) */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: restart [options] [EXECUTABLE] CORE\n"
		"Restart a process from an ELF core file (gdb gcore, kernel core, libsavefds.so).\n"
		"  -b, --breakpoint=ADDR  stop the restored process when it reaches ADDR (left stopped, as without -n)\n"
		"  -f, --filedes[=FILE]   reopen the files listed in FILE (default: filedescriptors);\n"
		"                         `-f FILE EXECUTABLE CORE` works too\n"
		"  -k, --skip-missing     leave out saved files that no longer exist\n"
		"  -n, --nostop           let the restored process run (default: leave it stopped with SIGSTOP)\n"
		"  -p, --same-pid         give it its old pid back (needs the pid free and CAP_CHECKPOINT_RESTORE)\n"
		"  -s, --select           ask, region by region, which memory to restore\n"
		"  -V, --verbose          say what is done (twice: more)\n"
		"  -w, --wait             wait for the restored process and exit with its status\n"
		"      --fork-server      restore once, then start a copy per request (docs/RESTART.md)\n"
		"  -h, --help             this text\n"
		"  -v, --version          the version\n"
		"EXECUTABLE may be left out when the core names it. Exit status: with -w the\n"
		"restored program's (128+signal when killed), 2 for bad input, 1 when restoring failed.\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "breakpoint", required_argument, 0, 'b' }, { "filedes", optional_argument, 0, 'f' },
		{ "skip-missing", no_argument, 0, 'k' }, { "nostop", no_argument, 0, 'n' },
		{ "same-pid", no_argument, 0, 'p' }, { "select", no_argument, 0, 's' },
		{ "verbose", no_argument, 0, 'V' }, { "wait", no_argument, 0, 'w' },
		{ "fork-server", no_argument, 0, 'F' }, { "help", no_argument, 0, 'h' }, { "version", no_argument, 0, 'v' }, { 0, 0, 0, 0 } };
	int ch;
	memset(o, 0, sizeof *o);
	while ((ch = getopt_long(argc, argv, "+b:f::knpsVwhv", longs, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 'b':
			errno = 0;
			o->breakpoint = strtoull(optarg, &end, 0);
			if (errno || *end || o->breakpoint == 0) {
				log_error("bad breakpoint address '%s'", optarg);
				return -1;
			}
			break;
		case 'f':
			o->filedes = optarg ? optarg : "filedescriptors";
			o->filedes_default = optarg == NULL;
			break;
		case 'k': o->skip_missing = 1; break;
		case 'n': o->nostop = 1; break;
		case 'p': o->same_pid = 1; break;
		case 's': o->select = 1; break;
		case 'V': log_verbose++; break;
		case 'w': o->wait = 1; break;
		case 'F': o->fork_server = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'v': printf("%s\n", VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (argc - optind == 1) {
		o->core = argv[optind];
	} else if (argc - optind == 2) {
		o->exe = argv[optind];
		o->core = argv[optind + 1];
	} else if (argc - optind == 3 && o->filedes_default) {
		/* `restart -f FILE EXECUTABLE CORE`: the list of files given apart */
		o->filedes = argv[optind];
		o->exe = argv[optind + 1];
		o->core = argv[optind + 2];
	} else {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* ---- the child's view after exec ---- */

static int read_new_maps(struct restore *r)
{
	char path[64], line[512];
	FILE *f;
	snprintf(path, sizeof path, "/proc/%d/maps", r->t.pid);
	if ((f = fopen(path, "re")) == NULL)
		return log_errno("open %s", path);
	while (fgets(line, sizeof line, f)) {
		struct newmap m = { 0 };
		int n = 0;
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", (unsigned long *)&m.start, (unsigned long *)&m.end,
			   (unsigned long *)&m.offset, &n) < 3)
			continue;
		if (n > 0) {
			snprintf(m.name, sizeof m.name, "%s", line + n);
			m.name[strcspn(m.name, "\n")] = 0;
		}
		void *nn = realloc(r->nm, (r->nnm + 1) * sizeof *r->nm);
		if (nn == NULL) { fclose(f); return -1; }
		r->nm = nn;
		r->nm[r->nnm++] = m;
	}
	fclose(f);
	snprintf(path, sizeof path, "/proc/%d/stat", r->t.pid);
	if ((f = fopen(path, "re")) != NULL) {
		/* fields after the last ')' start at field 3; we want 26-28 and 45-51 */
		static const int want[11] = { 26, 27, 28, 45, 46, 47, 0, 48, 49, 50, 51 };
		char buf[2048], *s;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		buf[len] = 0;
		s = strrchr(buf, ')');
		if (s) {
			unsigned long long v[64] = { 0 };
			int field = 3;
			char *tok, *save = NULL;
			for (tok = strtok_r(s + 2, " ", &save); tok && field < 64; tok = strtok_r(NULL, " ", &save))
				v[field++] = strtoull(tok, NULL, 10);
			for (int i = 0; i < 11; i++)
				r->new_stat[i] = want[i] ? v[want[i]] : 0;
		}
		fclose(f);
	}
	return 0;
}

static int special(const struct newmap *m)
{
	return strncmp(m->name, "[vvar", 5) == 0 || strcmp(m->name, "[vdso]") == 0 ||
	       strcmp(m->name, "[vsyscall]") == 0;
}

static int range_free_everywhere(struct restore *r, uint64_t a, uint64_t len)
{
	if (!plan_range_free(r->p, a, len))
		return 0;
	for (size_t i = 0; i < r->nnm; i++)
		if (r->nm[i].start < a + len && a < r->nm[i].end)
			return 0;
	return 1;
}

/* A free place for LEN bytes in both the old and the new layout. */
static uint64_t find_free(struct restore *r, uint64_t len, uint64_t avoid)
{
	for (uint64_t a = 0x10000000ull; a + len < 0x7f0000000000ull; a += 0x40000000ull)
		if (a != avoid && range_free_everywhere(r, a, len) &&
		    (r->t.scratch.v == 0 || a + len <= r->t.scratch.v || a >= r->t.scratch.v + SCRATCH_SIZE))
			return a;
	return 0;
}

static long rsys(struct restore *r, long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		 uint64_t a5, uint64_t a6)
{
	return remote_syscall(&r->t, nr, a1, a2, a3, a4, a5, a6);
}

/* ---- memory ---- */

static int unmap_exec_layout(struct restore *r)
{
	for (size_t i = 0; i < r->nnm; i++) {
		const struct newmap *m = &r->nm[i];
		long res;
		if (special(m) || m->start == r->t.scratch.v)
			continue;
		res = rsys(r, SYS_munmap, m->start, m->end - m->start, 0, 0, 0, 0);
		if (res != 0) {
			log_error("munmap 0x%lx in the new process: %s", (unsigned long)m->start, strerror((int)-res));
			return -1;
		}
	}
	return 0;
}

/* Moves [vvar] [vvar_vclock] [vdso] together so that [vdso] lands at TARGET. */
static int move_vdso_group(struct restore *r, uint64_t target)
{
	uint64_t vdso = 0, lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < r->nnm; i++) {
		const struct newmap *m = &r->nm[i];
		if (!special(m) || strcmp(m->name, "[vsyscall]") == 0)
			continue;
		if (strcmp(m->name, "[vdso]") == 0)
			vdso = m->start;
		if (m->start < lo) lo = m->start;
		if (m->end > hi) hi = m->end;
	}
	if (vdso == 0 || vdso == target)
		return 0;
	uint64_t dst = target - (vdso - lo);
	if (dst < hi && lo < dst + (hi - lo)) {
		/* overlapping move: go through a free place first */
		uint64_t tmp = find_free(r, hi - lo, 0);
		if (tmp == 0 || move_vdso_group(r, tmp + (vdso - lo)) != 0)
			return -1;
		return move_vdso_group(r, target);
	}
	for (size_t i = 0; i < r->nnm; i++) {
		struct newmap *m = &r->nm[i];
		long res;
		if (!special(m) || strcmp(m->name, "[vsyscall]") == 0)
			continue;
		uint64_t to = dst + (m->start - lo);
		res = rsys(r, SYS_mremap, m->start, m->end - m->start, m->end - m->start,
			   MREMAP_MAYMOVE | MREMAP_FIXED, to, 0);
		if (res != (long)to) {
			log_error("cannot move %s to 0x%lx: %s", m->name, (unsigned long)to,
				  res < 0 ? strerror((int)-res) : "moved elsewhere");
			return -1;
		}
		m->end = to + (m->end - m->start);
		m->start = to;
	}
	log_debug("vdso moved to 0x%lx", (unsigned long)target);
	return 0;
}

static int place_vdso(struct restore *r)
{
	if (r->p->vdso)
		return move_vdso_group(r, r->p->vdso);
	/* no old address: only move it out of the way if it is in the way */
	for (size_t i = 0; i < r->nnm; i++)
		if (special(&r->nm[i]) && !plan_range_free(r->p, r->nm[i].start, r->nm[i].end - r->nm[i].start)) {
			uint64_t tmp = find_free(r, 1ull << 20, 0);
			return tmp ? move_vdso_group(r, tmp + (1ull << 19)) : -1;
		}
	return 0;
}

static int has_content(const struct core *c, const struct vma *v)
{
	for (size_t i = 0; i < c->nsegs; i++) {
		const struct core_seg *s = &c->segs[i];
		if (s->filesz && s->vaddr < v->end && v->start < s->vaddr + s->filesz)
			return 1;
	}
	return 0;
}

static int fill_from_core(struct restore *r, const struct vma *v)
{
	for (size_t i = 0; i < r->c->nsegs; i++) {
		const struct core_seg *s = &r->c->segs[i];
		uint64_t a = s->vaddr > v->start ? s->vaddr : v->start;
		uint64_t b = s->vaddr + s->filesz < v->end ? s->vaddr + s->filesz : v->end;
		while (a < b) {
			uint64_t len = b - a > 0x40000000ull ? 0x40000000ull : b - a;
			long n = rsys(r, SYS_pread64, (uint64_t)r->core_fd, a, len, s->offset + (a - s->vaddr), 0, 0);
			if (n <= 0) {
				log_error("reading memory 0x%lx-0x%lx from the core: %s", (unsigned long)a,
					  (unsigned long)b, n < 0 ? strerror((int)-n) : "short file");
				return -1;
			}
			a += (uint64_t)n;
		}
	}
	return 0;
}

static int open_remote(struct restore *r, const char *path, int flags)
{
	raddr p = remote_stage(&r->t, 0, path, strlen(path) + 1);
	long fd;
	if (p.v == 0)
		return -ENAMETOOLONG;
	fd = rsys(r, SYS_openat, (uint64_t)AT_FDCWD, p.v, (uint64_t)(flags | O_CLOEXEC), 0, 0, 0);
	return (int)fd;
}

static int map_vma(struct restore *r, const struct vma *v)
{
	uint64_t len = v->end - v->start;
	int content = has_content(r->c, v) && !(v->shared && v->path);
	int prot0 = v->prot | (content ? PROT_WRITE | PROT_READ : 0);
	int flags = (v->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE;
	long res;
	int fd = -1;

	if (v->path) {
		fd = open_remote(r, v->path, v->shared && (v->prot & PROT_WRITE) ? O_RDWR : O_RDONLY);
		if (fd < 0) {
			log_error("cannot open %s in the new process: %s", v->path, strerror(-fd));
			return -1;
		}
	} else {
		flags |= MAP_ANONYMOUS | (v->growsdown ? MAP_GROWSDOWN : 0);
	}
	res = rsys(r, SYS_mmap, v->start, len, (uint64_t)prot0, (uint64_t)flags, (uint64_t)(int64_t)fd,
		   v->path ? v->offset : 0);
	if (fd >= 0)
		rsys(r, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	if (res != (long)v->start) {
		log_error("cannot map 0x%lx-0x%lx%s%s: %s", (unsigned long)v->start, (unsigned long)v->end,
			  v->path ? " of " : "", v->path ? v->path : "", res < 0 ? strerror((int)-res) : "moved");
		return -1;
	}
	/* Large anonymous regions are filled through transparent huge pages:
	 * far fewer page faults (on a VM, far fewer trips to the host for fresh
	 * memory); the kernel splits them again where the program later unmaps
	 * or changes protection of parts. */
	if (content && !v->path && !v->shared && len >= THP_MIN)
		rsys(r, SYS_madvise, v->start, len, MADV_HUGEPAGE, 0, 0, 0);
	if (content && fill_from_core(r, v) != 0)
		return -1;
	if (prot0 != v->prot) {
		res = rsys(r, SYS_mprotect, v->start, len, (uint64_t)v->prot, 0, 0, 0);
		if (res != 0) {
			log_error("mprotect 0x%lx: %s", (unsigned long)v->start, strerror((int)-res));
			return -1;
		}
	}
	return 0;
}

static int ask(const struct vma *v)
{
	static FILE *tty;
	char answer[16];
	if (tty == NULL && (tty = fopen("/dev/tty", "re")) == NULL)
		tty = stdin;
	fprintf(stderr, "restore 0x%lx-0x%lx %c%c%c %s? [Y/n] ", (unsigned long)v->start, (unsigned long)v->end,
		v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
		v->path ? v->path : "(anonymous)");
	if (fgets(answer, sizeof answer, tty) == NULL)
		return 1;
	return answer[0] != 'n' && answer[0] != 'N';
}

static int restore_memory(struct restore *r)
{
	uint64_t scratch = find_free(r, SCRATCH_SIZE, 0);
	size_t i, mapped = 0;
	uint64_t bytes = 0;
	if (scratch == 0) {
		log_error("no free place for the scratch page");
		return -1;
	}
	if (remote_map_scratch(&r->t, scratch) != 0 || unmap_exec_layout(r) != 0 || place_vdso(r) != 0)
		return -1;
	for (i = 0; i < r->p->n; i++) {
		const struct vma *v = &r->p->v[i];
		if (v->kind != VMA_NORMAL)
			continue;
		if (r->o->select && !ask(v))
			continue;
		if (map_vma(r, v) != 0)
			return -1;
		mapped++;
		bytes += v->end - v->start;
	}
	log_info("%zu mappings, %lu KiB restored", mapped, (unsigned long)(bytes >> 10));
	return 0;
}

/* ---- the rest of the process state ---- */

struct prctl_mm_map_k {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv;
	uint32_t auxv_size;
	uint32_t exe_fd;
};

static uint64_t new_exe_start(struct restore *r)
{
	/* the child exec'd the same file: its lowest mapping is the executable's */
	for (size_t i = 0; i < r->nnm; i++)
		if (r->nm[i].name[0] == '/' && r->nm[i].offset == 0)
			return r->nm[i].start;
	return 0;
}

static int restore_mm(struct restore *r)
{
	const struct ckpt_mm *mm = r->c->ckpt.mm;
	struct prctl_mm_map_k m;
	uint64_t execfn = core_auxv(r->c, AT_EXECFN);
	long res;
	memset(&m, 0, sizeof m);
	if (mm) {
		m.start_code = mm->start_code; m.end_code = mm->end_code;
		m.start_data = mm->start_data; m.end_data = mm->end_data;
		m.start_stack = mm->start_stack;
		m.arg_start = mm->arg_start; m.arg_end = mm->arg_end;
		m.env_start = mm->env_start; m.env_end = mm->env_end;
	} else {
		/* the new exec's own values, moved by the difference in load address */
		uint64_t oldx = 0, newx = new_exe_start(r);
		for (size_t i = 0; i < r->p->n; i++)
			if (same_path(r->p->v[i].path, r->p->exe) && r->p->v[i].offset == 0) {
				oldx = r->p->v[i].start;
				break;
			}
		uint64_t d = oldx - newx;
		m.start_code = r->new_stat[0] + d; m.end_code = r->new_stat[1] + d;
		m.start_data = r->new_stat[3] + d; m.end_data = r->new_stat[4] + d;
		char name[PATH_MAX];
		size_t len = 0;
		if (execfn && core_read_mem(r->c, execfn, name, 1) == 0) {
			while (len + 1 < sizeof name && core_read_mem(r->c, execfn + len, name + len, 1) == 0 && name[len])
				len++;
		}
		if (execfn == 0 || len == 0) {
			log_info("arguments area unknown; /proc/PID/cmdline will be empty");
			return 0;
		}
		m.start_stack = execfn;
		m.arg_start = execfn; m.arg_end = execfn + len + 1;
		m.env_start = execfn + len; m.env_end = execfn + len + 1;
	}
	m.start_brk = r->p->start_brk;
	m.brk = r->p->brk;
	m.exe_fd = (uint32_t)-1;
	size_t auxlen = r->c->nauxv * 16;
	raddr aux = remote_stage(&r->t, 1024, r->c->auxv, auxlen);
	raddr mp;
	m.auxv = aux.v;
	m.auxv_size = (uint32_t)auxlen;
	mp = remote_stage(&r->t, 0, &m, sizeof m);
	log_debug("mm: code %lx-%lx data %lx-%lx brk %lx-%lx stack %lx args %lx-%lx env %lx-%lx auxv %u",
		  (unsigned long)m.start_code, (unsigned long)m.end_code, (unsigned long)m.start_data,
		  (unsigned long)m.end_data, (unsigned long)m.start_brk, (unsigned long)m.brk,
		  (unsigned long)m.start_stack, (unsigned long)m.arg_start, (unsigned long)m.arg_end,
		  (unsigned long)m.env_start, (unsigned long)m.env_end, m.auxv_size);
	res = rsys(r, SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, mp.v, sizeof m, 0, 0);
	if (res != 0) {
		log_error("warning: cannot restore the heap break and argument area (prctl PR_SET_MM_MAP: %s)",
			  strerror((int)-res));
	}
	return 0;
}

/* The CKPT notes describe the first thread of the core; the others have their pr_sighold. */
static uint64_t thread_sigmask(struct restore *r, const struct core_thread *th)
{
	if (th == &r->c->threads[0] && r->c->ckpt.sigmask)
		return *r->c->ckpt.sigmask;
	return th->sighold;
}

static int set_sigmask(pid_t tid, uint64_t mask)
{
	mask &= ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	if (ptrace(PTRACE_SETSIGMASK, tid, sizeof mask, &mask) != 0)
		return log_errno("ptrace(SETSIGMASK)");
	return 0;
}

static int restore_signals(struct restore *r)
{
	const struct ckpt_sigaction *sa = r->c->ckpt.sigaction;
	uint64_t mask = thread_sigmask(r, r->lead);
	if (sa) {
		for (int sig = 1; sig <= 64; sig++) {
			const struct ckpt_sigaction *a = &sa[sig - 1];
			raddr p;
			long res;
			if (sig == SIGKILL || sig == SIGSTOP || (a->handler == 0 && a->flags == 0 && a->mask == 0))
				continue;
			p = remote_stage(&r->t, 0, a, sizeof *a);
			res = rsys(r, SYS_rt_sigaction, (uint64_t)sig, p.v, 0, 8, 0, 0);
			if (res != 0)
				log_error("warning: cannot restore the action of signal %d: %s", sig, strerror((int)-res));
		}
	}
	return set_sigmask(r->t.pid, mask);
}

/* glibc's rseq area sits at a fixed offset from each thread's fs_base: from
 * the CKPT note (which describes the first thread), else from __rseq_offset in
 * ld.so (or a static executable), read from the restored memory. */
static void find_rseq(struct restore *r)
{
	r->rseq_len = 32;
	r->rseq_sig = RSEQ_SIG;
	if (r->c->ckpt.rseq) {
		if (r->c->ckpt.rseq->addr == 0)
			return;
		r->rseq_off = (int64_t)(r->c->ckpt.rseq->addr - r->c->threads[0].regs.fs_base);
		r->rseq_len = r->c->ckpt.rseq->len;
		r->rseq_sig = r->c->ckpt.rseq->sig;
		r->have_rseq_off = 1;
		return;
	}
	uint64_t base = core_auxv(r->c, AT_BASE), symoff, symsize;
	const char *lib = NULL;
	struct elf_file ef;
	int32_t rsize = 0;
	int64_t off = 0;
	for (size_t i = 0; i < r->p->n; i++)
		if (r->p->v[i].path && base && r->p->v[i].start == base)
			lib = r->p->v[i].path;
	if (lib == NULL) {   /* static program: the symbols are the executable's */
		lib = r->p->exe;
		base = r->p->exe_bias;
	}
	if (elf_open(&ef, lib) != 0 || elf_find_symbol(&ef, "__rseq_offset", &symoff) != 0 ||
	    elf_find_symbol(&ef, "__rseq_size", &symsize) != 0) {
		elf_close(&ef);
		log_debug("no glibc rseq symbols; rseq not registered");
		return;
	}
	elf_close(&ef);
	if (remote_read(&r->t, RADDR(base + symoff), &off, 8) != 0 ||
	    remote_read(&r->t, RADDR(base + symsize), &rsize, 4) != 0 || rsize == 0)
		return;
	r->rseq_off = off;
	r->have_rseq_off = 1;
}

static void register_rseq(struct restore *r, struct tracee *t, const struct core_thread *th)
{
	uint64_t addr = th->regs.fs_base + (uint64_t)r->rseq_off;
	long res;
	if (!r->have_rseq_off)
		return;
	res = remote_syscall(t, 334 /* rseq */, addr, r->rseq_len, 0, r->rseq_sig, 0, 0);
	if (res != 0)
		log_info("rseq registration at 0x%lx failed: %s", (unsigned long)addr, strerror((int)-res));
}

/* Where glibc keeps each thread's tid (what set_tid_address points at): from
 * the CKPT TIDADDR note, else the one offset from fs_base at which every
 * thread's TCB holds that thread's own tid. */
static void find_tid_offset(struct restore *r)
{
	const struct core *c = r->c;
	if (c->ckpt.tidaddr && *c->ckpt.tidaddr) {
		r->tid_off = (int64_t)(*c->ckpt.tidaddr - c->threads[0].regs.fs_base);
		r->have_tid_off = 1;
		return;
	}
	if (c->nthreads < 2)
		return;
	for (int64_t off = 0; off < 4096; off += 4) {
		size_t i;
		for (i = 0; i < c->nthreads; i++) {
			int32_t v;
			if (core_read_mem(c, c->threads[i].regs.fs_base + (uint64_t)off, &v, 4) != 0 ||
			    v != c->threads[i].pid)
				break;
		}
		if (i == c->nthreads) {
			r->tid_off = off;
			r->have_tid_off = 1;
			return;
		}
	}
	log_info("thread ids not found in the threads' control blocks; pthread_join may hang");
}

static int restore_rest(struct restore *r)
{
	if (restore_mm(r) != 0 || restore_signals(r) != 0)
		return -1;
	find_rseq(r);
	register_rseq(r, &r->t, r->lead);
	find_tid_offset(r);
	if (r->have_tid_off)
		rsys(r, SYS_set_tid_address, r->lead->regs.fs_base + (uint64_t)r->tid_off, 0, 0, 0, 0, 0);
	for (size_t i = 0; i < r->files->n; i++)
		if (r->files->e[i].cloexec)
			rsys(r, SYS_fcntl, (uint64_t)r->files->e[i].fd, F_SETFD, FD_CLOEXEC, 0, 0, 0);
	rsys(r, SYS_close, (uint64_t)r->core_fd, 0, 0, 0, 0, 0);
	return 0;
}

/*
 * The other threads: each is cloned by the stopped leader from the scratch
 * page (clone3 with CLONE_THREAD and its old fs_base; its old tid when free),
 * taken by the tracer as it starts (PTRACE_O_TRACECLONE), then given its rseq
 * area, blocked mask and registers. glibc finds its threads again through the
 * restored memory; CLONE_CHILD_CLEARTID at the TCB's tid lets pthread_join
 * see them end.
 */
static int restore_threads(struct restore *r)
{
	const struct core *c = r->c;
	if (c->nthreads < 2)
		return 0;
	r->others = calloc(c->nthreads, sizeof *r->others);
	if (r->others == NULL)
		return -1;
	if (ptrace(PTRACE_SETOPTIONS, r->t.pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE) != 0)
		return log_errno("ptrace(SETOPTIONS)");
	for (size_t i = 0; i < c->nthreads; i++) {
		const struct core_thread *th = &c->threads[i];
		struct clone_args ca = { 0 };
		pid_t want = th->pid, tid;
		long res;
		int status;
		if (th == r->lead)
			continue;
		ca.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			   CLONE_SETTLS | (r->have_tid_off ? CLONE_CHILD_CLEARTID : 0);
		ca.tls = th->regs.fs_base;
		ca.child_tid = r->have_tid_off ? th->regs.fs_base + (uint64_t)r->tid_off : 0;
		ca.set_tid = remote_stage(&r->t, 512, &want, sizeof want).v;
		ca.set_tid_size = 1;
		res = rsys(r, SYS_clone3, remote_stage(&r->t, 0, &ca, sizeof ca).v, sizeof ca, 0, 0, 0, 0);
		if (res < 0) {   /* its old tid is taken (or not ours to ask for): any tid */
			log_info("thread %d gets a new tid: %s", want, strerror((int)-res));
			ca.set_tid = 0;
			ca.set_tid_size = 0;
			res = rsys(r, SYS_clone3, remote_stage(&r->t, 0, &ca, sizeof ca).v, sizeof ca, 0, 0, 0, 0);
		}
		if (res <= 0) {
			log_error("cannot create thread %d: %s", want, strerror((int)-res));
			return -1;
		}
		tid = (pid_t)res;
		while (waitpid(tid, &status, __WALL) < 0)
			if (errno != EINTR)
				return log_errno("waitpid for thread %d", tid);
		struct tracee *t = &r->others[r->nothers++];
		*t = r->t;
		t->pid = tid;
		if (ptrace(PTRACE_GETREGS, tid, 0, &t->base) != 0)
			return log_errno("ptrace(GETREGS) of thread %d", tid);
		register_rseq(r, t, th);
		if (set_sigmask(tid, thread_sigmask(r, th)) != 0 || regs_restore(t, c, th) != 0)
			return -1;
		log_debug("thread %d restored as %d", want, tid);
	}
	return 0;
}

static int detach_threads(struct restore *r)
{
	for (size_t i = 0; i < r->nothers; i++)
		if (ptrace(PTRACE_DETACH, r->others[i].pid, 0, 0) != 0)
			return log_errno("ptrace(DETACH) of thread %d", r->others[i].pid);
	return 0;
}

/* -b: run to ADDR, then leave the process stopped there. */
static int run_to_breakpoint(struct restore *r, uint64_t addr)
{
	uint64_t word, trap;
	struct user_regs_struct regs;
	int status;
	errno = 0;
	word = (uint64_t)ptrace(PTRACE_PEEKTEXT, r->t.pid, addr, 0);
	if (errno)
		return log_errno("breakpoint address 0x%lx", (unsigned long)addr);
	trap = (word & ~0xffull) | 0xcc;
	if (ptrace(PTRACE_POKETEXT, r->t.pid, addr, trap) != 0)
		return log_errno("set breakpoint at 0x%lx", (unsigned long)addr);
	for (;;) {
		if (ptrace(PTRACE_CONT, r->t.pid, 0, 0) != 0 || waitpid(r->t.pid, &status, __WALL) < 0)
			return log_errno("run to breakpoint");
		if (!WIFSTOPPED(status)) {
			log_error("the process ended before reaching 0x%lx", (unsigned long)addr);
			r->t.pid = 0;
			return -1;
		}
		if (ptrace(PTRACE_GETREGS, r->t.pid, 0, &regs) != 0)
			return log_errno("ptrace(GETREGS)");
		if (WSTOPSIG(status) == SIGTRAP && regs.rip == addr + 1)
			break;
		/* another signal: pass it on */
		if (ptrace(PTRACE_CONT, r->t.pid, 0, WSTOPSIG(status)) != 0)
			return log_errno("ptrace(CONT)");
		if (waitpid(r->t.pid, &status, __WALL | WNOHANG) < 0)
			return -1;
	}
	regs.rip = addr;
	if (ptrace(PTRACE_POKETEXT, r->t.pid, addr, word) != 0 || ptrace(PTRACE_SETREGS, r->t.pid, 0, &regs) != 0)
		return log_errno("remove breakpoint");
	log_info("reached breakpoint 0x%lx", (unsigned long)addr);
	return 0;
}

/* ---- fork and exec ---- */

static pid_t spawn(struct restore *r, int errpipe[2])
{
	pid_t pid = -1;
	if (r->o->same_pid) {
		pid_t want = r->c->tgid;
		struct clone_args ca = { 0 };
		ca.exit_signal = SIGCHLD;
		ca.set_tid = (uint64_t)(uintptr_t)&want;
		ca.set_tid_size = 1;
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
		if (pid < 0) {
			log_error("cannot restore pid %d (%s); using a new pid", want, strerror(errno));
			pid = -1;
		}
	}
	if (pid < 0 && (pid = fork()) < 0)
		return -1;
	if (pid > 0)
		return pid;

	/* child */
	const char *bad = NULL;
	int err = errpipe[1];
	const char *cwd = r->c->ckpt.cwd;
	char *const argv[] = { (char *)r->p->exe, NULL };
	close(errpipe[0]);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (files_install(r->files, r->c->fd, r->core_fd, &err, &bad) != 0)
		goto fail;
	if (cwd && chdir(cwd) != 0) {
		bad = cwd;
		goto fail;
	}
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) {
		bad = "ptrace(TRACEME)";
		goto fail;
	}
	execv(r->p->exe, argv);
	bad = r->p->exe;
fail:
	{
		char msg[PATH_MAX + 64];
		int n = snprintf(msg, sizeof msg, "%s: %s", bad ? bad : "?", strerror(errno));
		(void)!write(err, msg, (size_t)n);
	}
	_exit(127);
}

static int exec_stop(struct restore *r, int errfd)
{
	int status;
	char msg[PATH_MAX + 64];
	if (waitpid(r->t.pid, &status, __WALL) < 0)
		return log_errno("waitpid");
	if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP)
		return 0;
	ssize_t n = read(errfd, msg, sizeof msg - 1);
	if (n > 0) {
		msg[n] = 0;
		log_error("%s: cannot start the process: %s", r->o->core, msg);
	} else {
		log_error("%s: the new process did not stop after exec (status 0x%x)", r->o->core, status);
	}
	if (WIFSTOPPED(status))
		kill(r->t.pid, SIGKILL);
	r->t.pid = 0;
	return -1;
}

static int wait_exit_status(pid_t pid)
{
	int status;
	signal(SIGINT, SIG_IGN);     /* the terminal's signals are the program's business */
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return log_errno("waitpid"), EXIT_FAILED;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	struct options o;
	struct core c;
	struct plan p;
	struct fdset files = { 0 };
	struct special_layout sl;
	struct restore r;
	char exebuf[PATH_MAX];
	const char *exe = NULL;
	int errpipe[2];

	if (parse_options(argc, argv, &o) != 0)
		return EXIT_BAD_INPUT;
	if (core_open(&c, o.core) != 0) {
		log_error("%s: %s", o.core, c.err);
		core_close(&c);
		return EXIT_BAD_INPUT;
	}
	/* The VERSION note counts the threads a writer could not put in the core
	 * (libsavefds.so leaves out threads that block every signal): restored
	 * without them, the process would run on with threads missing. */
	if (c.ckpt.version != NULL && c.ckpt.version->nthreads > c.nthreads) {
		log_error("%s: the process had %u threads, the core holds %zu (libsavefds.so leaves out threads "
			  "that block every signal); restoring it without them is not supported", o.core,
			  (unsigned)c.ckpt.version->nthreads, c.nthreads);
		return EXIT_BAD_INPUT;
	}
	if (o.exe) {
		if (realpath(o.exe, exebuf) == NULL || access(exebuf, X_OK) != 0) {
			log_error("%s: %s", o.exe, strerror(errno));
			return EXIT_BAD_INPUT;
		}
		exe = exebuf;
	}
	if (special_layout_read(&sl) != 0) {
		log_error("cannot read this process's own vDSO layout from /proc/self/maps");
		return EXIT_FAILED;
	}
	if (plan_build(&p, &c, o.core, exe, &sl) != 0 || plan_check_files(&p, &c) != 0)
		return EXIT_BAD_INPUT;
	if (access(p.exe, X_OK) != 0) {
		log_error("%s: executable %s: %s", o.core, p.exe, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	if (o.filedes ? files_from_text(&files, o.filedes) != 0
		      : (c.ckpt.files && files_from_core(&files, &c) != 0)) {
		if (!o.filedes)
			log_error("%s: CKPT FILES note: malformed record", o.core);
		return EXIT_BAD_INPUT;
	}
	if (o.filedes)
		files_share_from_core(&files, &c);
	if (files_check(&files, o.filedes ? o.filedes : o.core, o.skip_missing) != 0)
		return EXIT_BAD_INPUT;
	if (c.ckpt.cwd) {
		struct stat st;
		if (stat(c.ckpt.cwd, &st) != 0 || !S_ISDIR(st.st_mode)) {
			log_error("%s: working directory %s: %s", o.core, c.ckpt.cwd,
				  errno ? strerror(errno) : "not a directory");
			return EXIT_BAD_INPUT;
		}
	}

	if (o.fork_server && forkserver_begin(&c, o.core) != 0)
		return EXIT_FORKSERVER_UNSUPPORTED;
	memset(&r, 0, sizeof r);
	r.o = &o; r.c = &c; r.p = &p; r.files = &files;
	r.lead = &c.threads[c.leader];
	r.core_fd = (files.maxfd > 2 ? files.maxfd : 2) + 1;
	if (pipe2(errpipe, O_CLOEXEC) != 0)
		return log_errno("pipe"), EXIT_FAILED;
	fflush(NULL);
	r.t.pid = spawn(&r, errpipe);
	if (r.t.pid < 0)
		return log_errno("fork"), EXIT_FAILED;
	close(errpipe[1]);
	if (exec_stop(&r, errpipe[0]) != 0)
		return EXIT_BAD_INPUT;
	close(errpipe[0]);
	pid_t pid = r.t.pid;
	int made = remote_attach_exec(&r.t, pid) == 0 && read_new_maps(&r) == 0 && restore_memory(&r) == 0 &&
		   restore_rest(&r) == 0;
	if (made && o.fork_server)
		return forkserver_serve(&r.t, &c, r.lead);
	if (!made || restore_threads(&r) != 0 || remote_unmap_scratch(&r.t) != 0 ||
	    regs_restore(&r.t, &c, r.lead) != 0 || detach_threads(&r) != 0 ||
	    (o.breakpoint && run_to_breakpoint(&r, o.breakpoint) != 0)) {
		log_error("%s: restore failed; the new process was killed", o.core);
		remote_kill(&r.t);
		return EXIT_FAILED;
	}
	log_info("%lu system calls injected", r.t.nsyscalls);
	int stop = !o.nostop || o.breakpoint;
	if (ptrace(PTRACE_DETACH, pid, 0, stop ? SIGSTOP : 0) != 0) {
		log_errno("ptrace(DETACH)");
		remote_kill(&r.t);
		return EXIT_FAILED;
	}
	if (stop) {
		/* the SIGSTOP takes effect after the detach: report once it has */
		int status;
		while (waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR)
			;
	}
	if (stop)
		fprintf(stderr, "restart: process %d restored and stopped; attach with `gdb -p %d` or resume with `kill -CONT %d`\n",
			pid, pid, pid);
	else
		log_info("process %d restored and running", pid);
	close(r.t.memfd);
	if (o.wait)
		return wait_exit_status(pid);
	return 0;
}
