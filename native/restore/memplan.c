/*
 * memplan.c - resolves the address space into the restorer plan: which of
 * the exec's mappings go, where the vDSO group moves, every mapping with its
 * file and the data ranges to read from the core (holes left out), adjacent
 * anonymous mappings with content joined into runs.
 */
#include "log.h"
#include "memplan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_MIN  (2ull << 20)

static void *buf_add(struct buf *b, const void *x, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (p == NULL)
			return NULL;
		b->p = p;
		b->cap = cap;
	}
	void *at = b->p + b->len;
	memcpy(at, x, n);
	b->len += n;
	return at;
}

void memplan_free(struct builder *b)
{
	free(b->unmap.p); free(b->move.p); free(b->vma.p); free(b->read.p); free(b->prot.p); free(b->str.p);
	free(b->src);
	free(b->extents);
}

/* ---- the exec's layout out, the vDSO group to its old place ---- */

static int build_unmaps(struct restore *r, struct builder *b)
{
	for (size_t i = 0; i < r->nnm; i++) {
		const struct newmap *m = &r->nm[i];
		struct rst_range u = { m->start, m->end - m->start, 0 };
		if (layout_special(m))
			continue;
		if (!buf_add(&b->unmap, &u, sizeof u))
			return -1;
	}
	return 0;
}

static int is_vdso_group(const struct newmap *m)
{
	return layout_special(m) && m->special != PROC_VSYSCALL;
}

/* Moves [vvar] [vvar_vclock] [vdso] together so that [vdso] lands at TARGET:
 * mremaps for the restorer, and r->nm updated as if they had run. */
static int move_vdso_group(struct restore *r, struct builder *b, uint64_t target)
{
	uint64_t vdso = 0, lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < r->nnm; i++) {
		const struct newmap *m = &r->nm[i];
		if (!is_vdso_group(m))
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
		if (tmp == 0) {
			log_error("no free place to move the vDSO through");
			return -1;
		}
		if (move_vdso_group(r, b, tmp + (vdso - lo)) != 0)
			return -1;
		return move_vdso_group(r, b, target);
	}
	for (size_t i = 0; i < r->nnm; i++) {
		struct newmap *m = &r->nm[i];
		if (!is_vdso_group(m))
			continue;
		struct rst_range mv = { m->start, m->end - m->start, dst + (m->start - lo) };
		size_t k = COUNT(b->move, struct rst_range);
		if (k >= MOVE_MAX || !buf_add(&b->move, &mv, sizeof mv)) {
			log_error("too many vDSO mappings to move");
			return -1;
		}
		b->move_name[k] = m->name;
		m->end = mv.dst + mv.len;
		m->start = mv.dst;
	}
	log_debug("vdso to be moved to 0x%lx", (unsigned long)target);
	return 0;
}

int memplan_vdso_moves(struct restore *r, struct builder *b)
{
	if (r->p->vdso)
		return move_vdso_group(r, b, r->p->vdso);
	/* no old address: only move it out of the way if it is in the way */
	for (size_t i = 0; i < r->nnm; i++)
		if (layout_special(&r->nm[i]) && !plan_range_free(r->p, r->nm[i].start, r->nm[i].end - r->nm[i].start)) {
			uint64_t tmp = layout_find_free(r, 1ull << 20);
			if (tmp == 0) {
				log_error("no free place to move the vDSO to");
				return -1;
			}
			return move_vdso_group(r, b, tmp + (1ull << 19));
		}
	return 0;
}

/* ---- every mapping ---- */

/*
 * Where to start looking for the core's segments that overlap a mapping at
 * START: when the segments are in address order without overlaps (every
 * writer does that; segs_in_order() says so), at the last one starting at or
 * below START, and the search may stop at the first one at or past the
 * mapping's end; else at the first segment. Restoring tens of thousands of
 * mappings must not take a pass over every segment for each.
 */
static int segs_in_order(const struct core *c)
{
	for (size_t i = 1; i < c->nsegs; i++)
		if (c->segs[i - 1].vaddr + c->segs[i - 1].memsz > c->segs[i].vaddr)
			return 0;
	return 1;
}

static size_t first_seg(const struct core *c, uint64_t start, int ordered)
{
	size_t lo = 0, hi = c->nsegs;
	if (!ordered)
		return 0;
	while (lo < hi) {                /* the first segment starting above START */
		size_t mid = lo + (hi - lo) / 2;
		if (c->segs[mid].vaddr <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

static int has_content(const struct core *c, const struct vma *v, int ordered)
{
	for (size_t i = first_seg(c, v->start, ordered); i < c->nsegs; i++) {
		const struct core_seg *s = &c->segs[i];
		if (ordered && s->vaddr >= v->end)
			break;
		if (s->filesz && s->vaddr < v->end && v->start < s->vaddr + s->filesz)
			return 1;
	}
	return 0;
}

/* A range to read; joined to the previous one of the same rst_vma when it
 * continues it both in memory and in the core. */
static int add_read(struct builder *b, uint64_t addr, uint64_t len, uint64_t off)
{
	struct rst_read rd = { addr, len, off };
	size_t n = COUNT(b->read, struct rst_read);
	b->data += len;
	if (n > b->read_floor) {
		struct rst_read *last = (struct rst_read *)b->read.p + n - 1;
		if (last->addr + last->len == addr && last->core_offset + last->len == off) {
			last->len += len;
			return 0;
		}
	}
	return buf_add(&b->read, &rd, sizeof rd) ? 0 : -1;
}

/*
 * The core file's data extents (SEEK_DATA/SEEK_HOLE), found once: a few for
 * a dense core, one per run of touched pages for a sparse one. When the file
 * system cannot tell, the whole file is data.
 */
static int find_extents(struct builder *b, int fd)
{
	off_t end = lseek(fd, 0, SEEK_END), pos = 0;
	size_t cap = 0;
	while (pos < end) {
		off_t d = lseek(fd, pos, SEEK_DATA), h;
		if (d < 0 && errno == ENXIO)
			break;                           /* a hole up to the end */
		if (d < 0) {
			d = pos;
			h = end;
		} else if ((h = lseek(fd, d, SEEK_HOLE)) < 0) {
			h = end;
		}
		if (b->nextents == cap) {
			struct extent *x = realloc(b->extents, (cap = cap ? 2 * cap : 64) * sizeof *x);
			if (x == NULL)
				return -1;
			b->extents = x;
		}
		b->extents[b->nextents].start = (uint64_t)d;
		b->extents[b->nextents].end = (uint64_t)h;
		b->nextents++;
		pos = h;
	}
	return 0;
}

/* The first extent that ends after OFF. */
static size_t first_extent(const struct builder *b, uint64_t off)
{
	size_t lo = 0, hi = b->nextents;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->extents[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The data ranges of V in the core. For an anonymous mapping the holes of
 * the core file (pages the checkpoint left out as never touched) are not
 * read: those pages stay untouched zero pages, as they were. A file mapping
 * reads its holes too (a hole there is zeros over the file's own bytes).
 */
static int add_reads(struct restore *r, struct builder *b, const struct vma *v)
{
	int ordered = b->segs_ordered;
	for (size_t i = first_seg(r->c, v->start, ordered); i < r->c->nsegs; i++) {
		const struct core_seg *s = &r->c->segs[i];
		if (ordered && s->vaddr >= v->end)
			break;
		uint64_t a = s->vaddr > v->start ? s->vaddr : v->start;
		uint64_t e = s->vaddr + s->filesz < v->end ? s->vaddr + s->filesz : v->end;
		if (a >= e)
			continue;
		uint64_t off = s->offset + (a - s->vaddr), off_end = off + (e - a);
		if (v->path) {
			if (add_read(b, a, e - a, off) != 0)
				return -1;
			continue;
		}
		/* the data extents that overlap [off, off_end), in order */
		size_t k = first_extent(b, off);
		for (; k < b->nextents && b->extents[k].start < off_end; k++) {
			uint64_t d = b->extents[k].start > off ? b->extents[k].start : off;
			uint64_t h = b->extents[k].end < off_end ? b->extents[k].end : off_end;
			if (d < h && add_read(b, a + (d - off), h - d, d) != 0)
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

static int add_prot(struct builder *b, struct rst_vma *rv, uint64_t start, uint64_t len, int prot)
{
	struct rst_range pr = { start, len, (uint64_t)prot };
	if (rv->nprots == 0)
		rv->first_prot = (uint32_t)COUNT(b->prot, struct rst_range);
	rv->nprots++;
	return buf_add(&b->prot, &pr, sizeof pr) ? 0 : -1;
}

/* Transparent huge pages only for a dense private anonymous region (every
 * byte data, 2 MiB or more): far fewer faults there; never for a sparse one,
 * whose untouched pages must stay untouched. A dense one is populated at
 * once rather than page fault by page fault. */
static void mark_dense(struct rst_vma *rv, uint64_t data)
{
	int dense = !rv->path && !(rv->flags & MAP_SHARED) && data == rv->len;
	/* a run split by mprotect would split its huge pages again */
	rv->hugepage = dense && rv->len >= HUGE_MIN && rv->nprots == 0;
	rv->populate = dense;
}

/* V joins the run in the last rst_vma: an anonymous private mapping with
 * content right after it. */
static int join_run(struct restore *r, struct builder *b, const struct vma *v)
{
	struct rst_vma *rv;
	uint64_t data0 = b->data;
	if (add_reads(r, b, v) != 0)
		return -1;
	rv = (struct rst_vma *)b->vma.p + COUNT(b->vma, struct rst_vma) - 1;
	rv->len += v->end - v->start;
	rv->nreads = (uint32_t)(COUNT(b->read, struct rst_read) - rv->first_read);
	b->run_data += b->data - data0;
	if (v->prot != (PROT_READ | PROT_WRITE) && add_prot(b, rv, v->start, v->end - v->start, v->prot) != 0)
		return -1;
	mark_dense(rv, b->run_data);
	b->src[COUNT(b->vma, struct rst_vma) - 1] = NULL;   /* a run: reported by address */
	b->bytes += v->end - v->start;
	return 0;
}

static int add_vma(struct restore *r, struct builder *b, const struct vma *v)
{
	struct rst_vma rv;
	uint64_t len = v->end - v->start;
	int content = has_content(r->c, v, b->segs_ordered) && !(v->shared && v->path);
	int runnable = content && !v->path && !v->shared && !v->growsdown;
	size_t n = COUNT(b->vma, struct rst_vma);

	if (runnable && b->run_open) {
		const struct rst_vma *last = (const struct rst_vma *)b->vma.p + n - 1;
		if (last->start + last->len == v->start)
			return join_run(r, b, v);
	}
	memset(&rv, 0, sizeof rv);
	rv.start = v->start;
	rv.len = len;
	rv.prot0 = runnable ? PROT_READ | PROT_WRITE : v->prot | (content ? PROT_WRITE | PROT_READ : 0);
	rv.flags = (v->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE;
	if (v->path) {
		rv.path = (uint32_t)b->str.len + 1;      /* made an offset in the plan by memplan_assemble() */
		/* A shared mapping of a file the user may write is mapped from an O_RDWR
		 * descriptor even when it is read-only now: the process may have mapped it
		 * from one and mprotect it writable later (/proc does not tell the mode of
		 * the descriptor it was mapped from; CRIU decides by that mode). */
		rv.open_flags = v->shared && ((v->prot & PROT_WRITE) || access(v->path, W_OK) == 0) ? O_RDWR : O_RDONLY;
		rv.file_offset = v->offset;
		if (!buf_add(&b->str, v->path, strlen(v->path) + 1))
			return -1;
	} else {
		rv.flags |= MAP_ANONYMOUS | (v->growsdown ? MAP_GROWSDOWN : 0);
	}
	rv.first_read = (uint32_t)COUNT(b->read, struct rst_read);
	b->read_floor = rv.first_read;
	uint64_t data0 = b->data;
	if (content && add_reads(r, b, v) != 0)
		return -1;
	rv.nreads = (uint32_t)(COUNT(b->read, struct rst_read) - rv.first_read);
	b->run_data = b->data - data0;
	if (rv.prot0 != v->prot && add_prot(b, &rv, v->start, len, v->prot) != 0)
		return -1;
	mark_dense(&rv, b->run_data);
	b->run_open = runnable;
	const struct vma **src = realloc(b->src, (n + 1) * sizeof *src);
	if (src == NULL)
		return -1;
	b->src = src;
	b->src[n] = v;
	b->bytes += len;
	return buf_add(&b->vma, &rv, sizeof rv) ? 0 : -1;
}

static int build_vmas(struct restore *r, struct builder *b)
{
	for (size_t i = 0; i < r->p->n; i++) {
		const struct vma *v = &r->p->v[i];
		if (v->kind != VMA_NORMAL)
			continue;
		if (r->o->select && !ask(v)) {
			b->run_open = 0;
			continue;
		}
		if (add_vma(r, b, v) != 0) {
			log_error("out of memory building the restorer plan");
			return -1;
		}
		b->nmapped++;
	}
	return 0;
}

/* ---- the plan in one block ---- */

size_t memplan_size(const struct builder *b)
{
	return sizeof(struct rst_plan) + b->unmap.len + MOVE_MAX * sizeof(struct rst_range) + b->vma.len +
	       b->read.len + b->prot.len + b->str.len + 8;
}

static size_t put(uint8_t *out, size_t at, const struct buf *b)
{
	if (b->len)
		memcpy(out + at, b->p, b->len);
	return at + b->len;
}

/* header | unmap[] | move[] | vma[] | read[] | prot[] | strings */
uint8_t *memplan_assemble(struct restore *r, struct builder *b, size_t *size)
{
	size_t sz = memplan_size(b);
	uint8_t *out = calloc(1, sz);
	struct rst_plan *h = (struct rst_plan *)out;
	size_t at = sizeof *h;
	if (out == NULL)
		return NULL;
	h->magic = RST_MAGIC;
	h->core_fd = r->core_fd;
	h->unmap = (uint32_t)at; h->nunmap = (uint32_t)COUNT(b->unmap, struct rst_range);
	at = put(out, at, &b->unmap);
	h->move = (uint32_t)at; h->nmove = (uint32_t)COUNT(b->move, struct rst_range);
	at = put(out, at, &b->move);
	h->vma = (uint32_t)at; h->nvma = (uint32_t)COUNT(b->vma, struct rst_vma);
	at = put(out, at, &b->vma);
	h->read = (uint32_t)at; h->nread = (uint32_t)COUNT(b->read, struct rst_read);
	at = put(out, at, &b->read);
	h->prot = (uint32_t)at; h->nprot = (uint32_t)COUNT(b->prot, struct rst_range);
	at = put(out, at, &b->prot);
	struct rst_vma *v = (struct rst_vma *)(out + h->vma);
	for (uint32_t i = 0; i < h->nvma; i++)
		if (v[i].path)
			v[i].path += (uint32_t)at - 1;
	at = put(out, at, &b->str);
	h->size = (uint32_t)at;
	*size = at;
	return out;
}

/* Says what the restorer could not do, in the words the engine always used. */

int memplan_build(struct restore *r, struct builder *b)
{
	memset(b, 0, sizeof *b);
	b->segs_ordered = segs_in_order(r->c);
	if (find_extents(b, r->c->fd) != 0 || build_unmaps(r, b) != 0) {
		log_error("out of memory building the restorer plan");
		return -1;
	}
	return build_vmas(r, b);
}
