/* state.c - the rest of the process state: mm fields, signals, rseq, the tid address, fd flags. */
#include "log.h"
#include "restore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define RSEQ_SIG 0x53053053u

static long rsys(struct restore *r, long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		 uint64_t a5, uint64_t a6)
{
	return remote_syscall(&r->t, nr, a1, a2, a3, a4, a5, a6);
}

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
		m.start_code = r->new_mm.start_code + d; m.end_code = r->new_mm.end_code + d;
		m.start_data = r->new_mm.start_data + d; m.end_data = r->new_mm.end_data + d;
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
	struct rscope s;
	raddr aux, mp;
	remote_scope_begin(&r->t, &s);
	if ((aux = remote_push(&s, r->c->auxv, auxlen)).v == 0)
		goto fail;
	m.auxv = aux.v;
	m.auxv_size = (uint32_t)auxlen;
	if ((mp = remote_push(&s, &m, sizeof m)).v == 0)
		goto fail;
	log_debug("mm: code %lx-%lx data %lx-%lx brk %lx-%lx stack %lx args %lx-%lx env %lx-%lx auxv %u",
		  (unsigned long)m.start_code, (unsigned long)m.end_code, (unsigned long)m.start_data,
		  (unsigned long)m.end_data, (unsigned long)m.start_brk, (unsigned long)m.brk,
		  (unsigned long)m.start_stack, (unsigned long)m.arg_start, (unsigned long)m.arg_end,
		  (unsigned long)m.env_start, (unsigned long)m.env_end, m.auxv_size);
	res = rsys(r, SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, mp.v, sizeof m, 0, 0);
	remote_scope_end(&s);
	if (res == -ENOTRECOVERABLE)
		return -1;
	if (res != 0) {
		log_error("warning: cannot restore the heap break and argument area (prctl PR_SET_MM_MAP: %s)",
			  strerror((int)-res));
	}
	return 0;
fail:
	remote_scope_end(&s);
	return -1;
}

/* The CKPT notes describe the first thread of the core; the others have their pr_sighold. */
uint64_t thread_sigmask(struct restore *r, const struct core_thread *th)
{
	if (th == &r->c->threads[0] && r->c->ckpt.sigmask)
		return *r->c->ckpt.sigmask;
	return th->sighold;
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
			struct rscope s;
			remote_scope_begin(&r->t, &s);
			p = remote_push(&s, a, sizeof *a);
			res = p.v ? rsys(r, SYS_rt_sigaction, (uint64_t)sig, p.v, 0, 8, 0, 0) : -ENOTRECOVERABLE;
			remote_scope_end(&s);
			if (res == -ENOTRECOVERABLE)
				return -1;
			if (res != 0)
				log_error("warning: cannot restore the action of signal %d: %s", sig, strerror((int)-res));
		}
	}
	return remote_set_sigmask(&r->t, mask);
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

int register_rseq(struct restore *r, struct tracee *t, const struct core_thread *th)
{
	uint64_t addr = th->regs.fs_base + (uint64_t)r->rseq_off;
	long res;
	if (!r->have_rseq_off)
		return 0;
	res = remote_syscall(t, 334 /* rseq */, addr, r->rseq_len, 0, r->rseq_sig, 0, 0);
	if (res == -ENOTRECOVERABLE)
		return -1;
	if (res != 0)   /* the program runs on; sched_getcpu() may then tell an old CPU */
		log_info("rseq registration at 0x%lx failed: %s", (unsigned long)addr, strerror((int)-res));
	return 0;
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

int restore_state(struct restore *r)
{
	long res;
	if (restore_mm(r) != 0 || restore_signals(r) != 0)
		return -1;
	find_rseq(r);
	if (register_rseq(r, &r->t, r->lead) != 0)
		return -1;
	if (aio_restore(r) != 0 || attrs_restore_madvise(r) != 0 || attrs_restore_process(r) != 0 || attrs_restore_thread(&r->t, r->c, r->lead) != 0)
		return -1;
	find_tid_offset(r);
	if (r->have_tid_off &&
	    rsys(r, SYS_set_tid_address, r->lead->regs.fs_base + (uint64_t)r->tid_off, 0, 0, 0, 0, 0) < 0)
		return -1;   /* it returns the caller's tid: only a tracee that cannot be driven fails it */
	for (size_t i = 0; i < r->files->n; i++) {
		if (!r->files->e[i].cloexec)
			continue;
		res = rsys(r, SYS_fcntl, (uint64_t)r->files->e[i].fd, F_SETFD, FD_CLOEXEC, 0, 0, 0);
		if (res == -ENOTRECOVERABLE)
			return -1;
		if (res != 0)
			log_error("warning: cannot set close-on-exec on fd %d: %s", r->files->e[i].fd, strerror((int)-res));
	}
	res = rsys(r, SYS_close, (uint64_t)r->core_fd, 0, 0, 0, 0, 0);
	if (res != 0) {
		log_error("cannot close the core (fd %d) in the new process: %s", r->core_fd, strerror((int)-res));
		return -1;
	}
	return 0;
}
