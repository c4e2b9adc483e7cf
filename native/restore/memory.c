/* memory.c - the address space: the exec's layout out, the vDSO moved, every mapping made and filled. */
#include "log.h"
#include "restore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define THP_MIN  (4ull << 20)

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
		if (layout_special(m) || m->start == r->t.scratch.v)
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
		if (!layout_special(m) || strcmp(m->name, "[vsyscall]") == 0)
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
		uint64_t tmp = layout_find_free(r, hi - lo);
		if (tmp == 0 || move_vdso_group(r, tmp + (vdso - lo)) != 0)
			return -1;
		return move_vdso_group(r, target);
	}
	for (size_t i = 0; i < r->nnm; i++) {
		struct newmap *m = &r->nm[i];
		long res;
		if (!layout_special(m) || strcmp(m->name, "[vsyscall]") == 0)
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
		if (layout_special(&r->nm[i]) && !plan_range_free(r->p, r->nm[i].start, r->nm[i].end - r->nm[i].start)) {
			uint64_t tmp = layout_find_free(r, 1ull << 20);
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
	struct rscope s;
	long fd = -ENAMETOOLONG;
	remote_scope_begin(&r->t, &s);
	raddr p = remote_push(&s, path, strlen(path) + 1);
	if (p.v != 0)
		fd = rsys(r, SYS_openat, (uint64_t)AT_FDCWD, p.v, (uint64_t)(flags | O_CLOEXEC), 0, 0, 0);
	remote_scope_end(&s);
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
	if (fd >= 0 && rsys(r, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0) != 0)
		return -1;
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
		if (rsys(r, SYS_madvise, v->start, len, MADV_HUGEPAGE, 0, 0, 0) == -ENOTRECOVERABLE)
			return -1;    /* EINVAL (no THP in this kernel) is fine */
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

int restore_memory(struct restore *r)
{
	uint64_t scratch = layout_find_free(r, SCRATCH_FIXED);
	size_t i, mapped = 0;
	uint64_t bytes = 0;
	if (scratch == 0) {
		log_error("no free place for the scratch page");
		return -1;
	}
	if (remote_map_scratch(&r->t, scratch, SCRATCH_FIXED) != 0 || unmap_exec_layout(r) != 0 || place_vdso(r) != 0)
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
