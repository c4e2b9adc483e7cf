/*
 * plan.c - resolve the old address space from the core.
 *
 * With a CKPT MAPS note the mapping list is exact (it is /proc/PID/maps at
 * checkpoint time). Without it the list is rebuilt from the PT_LOAD segments
 * (one per mapping in gdb and kernel cores) and NT_FILE (file-backed
 * mappings, some of which gdb leaves out of the PT_LOADs: their protection
 * comes from the mapped file's own program headers).
 */
#include "plan.h"
#include "log.h"
#include "procparse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096ull
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))
#define TASK_TOP 0x800000000000ull

int same_path(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int add(struct plan *p, struct vma v)
{
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		void *nv = realloc(p->v, ncap * sizeof *p->v);
		if (nv == NULL)
			return -1;
		p->v = nv;
		p->cap = ncap;
	}
	p->v[p->n++] = v;
	return 0;
}

static int cmp_vma(const void *a, const void *b)
{
	const struct vma *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

int special_layout_read(struct special_layout *s)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	uint64_t lo = 0, vdso = 0, vdso_end = 0;
	memset(s, 0, sizeof *s);
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f)) {
		struct proc_map pm;
		if (proc_parse_map_line(line, &pm) < 0)
			continue;
		if (pm.special == PROC_VVAR)
			if (lo == 0 || pm.start < lo)
				lo = pm.start;
		if (pm.special == PROC_VDSO) {
			vdso = pm.start;
			vdso_end = pm.end;
		}
	}
	fclose(f);
	s->vdso_size = vdso_end - vdso;
	s->before_vdso = (lo && lo < vdso) ? vdso - lo : 0;
	return vdso ? 0 : -1;
}

/* A path that names no file to map: anonymous shared memory and the like. */
static int anonymous_path(const char *path)
{
	return path == NULL || path[0] != '/' || strncmp(path, "/dev/zero", 9) == 0 ||
	       strncmp(path, "/memfd:", 7) == 0 || strncmp(path, "/SYSV", 5) == 0 ||
	       strncmp(path, "/anon_hugepage", 14) == 0;
}

/* A file deleted before the checkpoint. The writers of CKPT MAPS put such a
 * mapping's content in the core (ckpt-dump and libsavefds.so always; gdb as
 * anonymous memory), so it is restored as memory, not looked for by name; a
 * file still open is made again and mapped from it (restore/kobj.c). */
static int deleted_path(const char *path)
{
	size_t n = strlen(path);
	/* an AIO ring is "/[aio] (deleted)" too, but is made again by restore/aio.c */
	return n > 10 && strcmp(path + n - 10, " (deleted)") == 0 && strncmp(path, "/[aio]", 6) != 0;
}

static int prot_of_flags(uint32_t pf)
{
	return ((pf & PF_R) ? PROT_READ : 0) | ((pf & PF_W) ? PROT_WRITE : 0) | ((pf & PF_X) ? PROT_EXEC : 0);
}

static int from_ckpt_maps(struct plan *p, const struct core *c)
{
	uint32_t pos = 0;
	const struct ckpt_map *m;
	const char *path;
	int r;
	while ((r = ckpt_next_map(c->ckpt.maps, c->ckpt.maps_len, &pos, &m, &path)) == 1) {
		struct vma v = { m->start, m->end, (int)m->prot & 7, !!(m->flags & CKPT_MAP_SHARED),
				 !!(m->flags & CKPT_MAP_GROWSDOWN), VMA_NORMAL, NULL, m->offset };
		if (m->end <= m->start || (m->start & (PAGE - 1)) || (m->end & (PAGE - 1))) {
			log_error("%s: CKPT MAPS note: bad range 0x%lx-0x%lx", p->core_path,
				  (unsigned long)m->start, (unsigned long)m->end);
			return -1;
		}
		if (strcmp(path, "[vdso]") == 0) v.kind = VMA_VDSO;
		else if (strncmp(path, "[vvar", 5) == 0) v.kind = VMA_VVAR;
		else if (strcmp(path, "[vsyscall]") == 0 || m->start >= TASK_TOP) v.kind = VMA_VSYSCALL;
		else if (strcmp(path, "[heap]") == 0) {
			p->start_brk = m->start;
			p->brk = m->end;
		}
		if (!anonymous_path(path) && !deleted_path(path))
			v.path = path;
		if (add(p, v) != 0)
			return -1;
	}
	if (r < 0) {
		log_error("%s: CKPT MAPS note: malformed record", p->core_path);
		return -1;
	}
	return 0;
}

/* Adds the parts of [s, e) of file mapping F not covered by any vma so far. */
static int add_uncovered(struct plan *p, const struct core_fmap *f, size_t nbefore)
{
	uint64_t s = f->start;
	while (s < f->end) {
		uint64_t e = f->end;
		int covered = 0;
		for (size_t i = 0; i < nbefore; i++) {
			const struct vma *v = &p->v[i];
			if (v->start <= s && s < v->end) { s = v->end; covered = 1; break; }
			if (v->start > s && v->start < e) e = v->start;
		}
		if (covered)
			continue;
		struct vma v = { s, e, PROT_READ, 0, 0, VMA_NORMAL, f->path, f->offset + (s - f->start) };
		struct elf_file ef;
		if (elf_open(&ef, f->path) == 0) {
			int pf = elf_prot_at_offset(&ef, v.offset);
			if (pf >= 0)
				v.prot = prot_of_flags((uint32_t)pf);
		} else if (!anonymous_path(f->path)) {
			/* A data file gdb left out: gdb never dumps shared file
			 * mappings, and leaves out unwritten private ones, which
			 * read the same through a shared mapping. */
			v.shared = 1;
			v.prot = PROT_READ | (access(f->path, W_OK) == 0 ? PROT_WRITE : 0);
		}
		elf_close(&ef);
		if (add(p, v) != 0)
			return -1;
		s = e;
	}
	return 0;
}

static int from_segments(struct plan *p, const struct core *c)
{
	size_t i, j, nseg;
	for (i = 0; i < c->nsegs; i++) {
		const struct core_seg *s = &c->segs[i];
		struct vma v = { s->vaddr, s->vaddr + s->memsz, prot_of_flags(s->flags), 0, 0, VMA_NORMAL, NULL, 0 };
		if (s->memsz == 0)
			continue;
		if ((s->vaddr & (PAGE - 1)) || (s->memsz & (PAGE - 1))) {
			log_error("%s: segment at 0x%lx is not page aligned", p->core_path, (unsigned long)s->vaddr);
			return -1;
		}
		if (v.start >= TASK_TOP)
			v.kind = VMA_VSYSCALL;
		/* split at NT_FILE boundaries and name the file-backed parts */
		for (j = 0; j < c->nfmaps; j++) {
			const struct core_fmap *f = &c->fmaps[j];
			if (f->end <= v.start || f->start >= v.end)
				continue;
			if (f->start > v.start) {
				struct vma head = v;
				head.end = f->start;
				if (add(p, head) != 0) return -1;
				v.start = f->start;
			}
			struct vma mid = v;
			mid.end = f->end < v.end ? f->end : v.end;
			mid.path = f->path;
			mid.offset = f->offset + (mid.start - f->start);
			/* Both gdb and the kernel (default coredump_filter) dump every
			 * written private file mapping and never a shared one: a
			 * writable file mapping without content was MAP_SHARED. */
			mid.shared = (mid.prot & PROT_WRITE) && s->filesz == 0;
			if (add(p, mid) != 0) return -1;
			v.start = mid.end;
			if (v.start >= v.end)
				break;
		}
		if (v.start < v.end && add(p, v) != 0)
			return -1;
	}
	nseg = p->n;
	qsort(p->v, p->n, sizeof *p->v, cmp_vma);
	for (j = 0; j < c->nfmaps; j++)
		if (add_uncovered(p, &c->fmaps[j], nseg) != 0)
			return -1;
	for (i = 0; i < p->n; i++)
		if (p->v[i].path && anonymous_path(p->v[i].path))
			p->v[i].path = NULL;
	return 0;
}

/* Finds the executable: the file mapping that holds the entry point. */
static const char *find_exe(const struct plan *p, const struct core *c)
{
	uint64_t entry = core_auxv(c, AT_ENTRY);
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].path && entry >= p->v[i].start && entry < p->v[i].end)
			return p->v[i].path;
	for (size_t i = 0; i < p->n; i++)   /* no auxv: the lowest file mapping */
		if (p->v[i].path)
			return p->v[i].path;
	return NULL;
}

/* The heap of a core without notes: brk starts at the page after the
 * executable's bss, moved up by at most 1 GiB (ASLR). */
static void guess_heap(struct plan *p, const struct core *c)
{
	struct elf_file ef;
	uint64_t bss_end = 0, lowest = UINT64_MAX;
	size_t i;
	if (p->exe == NULL || elf_open(&ef, p->exe) != 0) {
		elf_close(&ef);
		return;
	}
	for (i = 0; i < ef.phnum; i++) {
		const Elf64_Phdr *ph = &ef.ph[i];
		if (ph->p_type == PT_LOAD) {
			if (ph->p_vaddr + ph->p_memsz > bss_end)
				bss_end = ph->p_vaddr + ph->p_memsz;
			if ((ph->p_vaddr & ~(PAGE - 1)) < lowest)
				lowest = ph->p_vaddr & ~(PAGE - 1);
		}
	}
	elf_close(&ef);
	for (i = 0; i < p->n; i++)
		if (same_path(p->v[i].path, p->exe) && p->v[i].offset == 0) {
			p->exe_bias = p->v[i].start - (lowest == UINT64_MAX ? 0 : lowest);
			break;
		}
	bss_end = PAGE_UP(bss_end + p->exe_bias);
	p->start_brk = p->brk = bss_end;
	for (i = 0; i < p->n; i++) {
		const struct vma *v = &p->v[i];
		if (v->path || v->kind != VMA_NORMAL || !(v->prot & PROT_WRITE) || v->end <= bss_end)
			continue;
		if (v->start > bss_end + (1ull << 30) + PAGE)
			break;
		p->start_brk = v->start > bss_end ? v->start : bss_end;
		p->brk = v->end;
		break;
	}
}

/* Whether the core holds the whole content of [start, end). */
static int core_covers(const struct core *c, uint64_t start, uint64_t end)
{
	while (start < end) {
		const struct core_seg *s = core_seg_at(c, start);
		if (s == NULL || s->vaddr + s->filesz <= start)
			return 0;
		start = s->vaddr + s->filesz;
	}
	return 1;
}

/* A shared mapping of a file that is gone (deleted before the checkpoint, or
 * since: a cleaned /tmp, /dev/shm) whose content the image keeps becomes
 * shared memory with that content: there is no file left to share it with. */
static void vanished_files(struct plan *p, const struct core *c)
{
	for (size_t i = 0; i < p->n; i++) {
		struct vma *v = &p->v[i];
		size_t len = v->path ? strlen(v->path) : 0;
		int deleted = len > 10 && strcmp(v->path + len - 10, " (deleted)") == 0;
		if (!v->shared || !v->path || v->kind != VMA_NORMAL || (!deleted && access(v->path, F_OK) == 0) ||
		    !core_covers(c, v->start, v->end))
			continue;
		log_info("%s is gone: its shared mapping at 0x%lx comes back as shared memory with the image's content",
			 v->path, (unsigned long)v->start);
		v->path = NULL;
		v->offset = 0;
	}
}

int plan_build(struct plan *p, const struct core *c, const char *core_path,
	       const char *exe_override, const struct special_layout *sl)
{
	size_t i;
	uint64_t rsp = c->threads[c->leader].regs.rsp;   /* the main stack grows down */
	memset(p, 0, sizeof *p);
	p->core_path = core_path;
	if (c->ckpt.maps ? from_ckpt_maps(p, c) : from_segments(p, c))
		return -1;
	qsort(p->v, p->n, sizeof *p->v, cmp_vma);
	for (i = 1; i < p->n; i++)
		if (p->v[i].start < p->v[i - 1].end) {
			log_error("%s: mappings overlap at 0x%lx", core_path, (unsigned long)p->v[i].start);
			return -1;
		}
	p->vdso = core_auxv(c, AT_SYSINFO_EHDR);
	for (i = 0; i < p->n; i++) {
		struct vma *v = &p->v[i];
		if (p->vdso && v->start == p->vdso && v->kind == VMA_NORMAL)
			v->kind = VMA_VDSO;
		else if (p->vdso && v->kind == VMA_NORMAL && !v->path &&
			 v->start >= p->vdso - sl->before_vdso && v->end <= p->vdso)
			v->kind = VMA_VVAR;
		if (v->kind == VMA_NORMAL && v->path && strncmp(v->path, "/[aio]", 6) == 0)
			v->kind = VMA_AIO;
		if (rsp >= v->start && rsp < v->end && !v->path)
			v->growsdown = 1;
	}
	vanished_files(p, c);
	p->exe = find_exe(p, c);
	if (p->exe == NULL) {
		log_error("%s: cannot tell which executable the core is of (no file mappings)", core_path);
		return -1;
	}
	if (exe_override) {
		const char *old = p->exe;
		for (i = 0; i < p->n; i++)
			if (same_path(p->v[i].path, old))
				p->v[i].path = exe_override;
		p->exe = exe_override;
	}
	if (!c->ckpt.maps)
		guess_heap(p, c);
	else if (p->start_brk == 0)
		guess_heap(p, c);
	if (c->ckpt.mm && c->ckpt.mm->start_brk) {
		p->start_brk = c->ckpt.mm->start_brk;
		if (c->ckpt.mm->brk >= p->start_brk)
			p->brk = c->ckpt.mm->brk;
	}
	return 0;
}

int plan_range_free(const struct plan *p, uint64_t a, uint64_t len)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].start < a + len && a < p->v[i].end)
			return 0;
	return 1;
}

void plan_free(struct plan *p)
{
	free(p->v);
	memset(p, 0, sizeof *p);
}
