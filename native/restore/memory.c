/*
 * memory.c - the address space. The engine resolves every mapping of the
 * plan into a flat restorer plan (restorer.h): which of the exec's mappings
 * go, where the vDSO group moves, every mapping with its file and the data
 * ranges to read from the core (holes left out), then maps a scratch area,
 * copies the restorer blob and the plan into it and runs the blob once.
 * The number of ptrace stops does not depend on the number of mappings.
 */
#include "log.h"
#include "restore.h"
#include "restorer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define HUGE_MIN  (2ull << 20)
#define MOVE_MAX  16

extern const uint8_t restorer_blob[], restorer_blob_end[];

struct buf { uint8_t *p; size_t len, cap; };

struct builder {
	struct buf unmap, move, vma, read, prot, str;
	const struct vma **src;          /* the plan's mapping behind each rst_vma */
	const char *move_name[MOVE_MAX];
	uint64_t bytes, data;
	int segs_ordered;                /* segs_in_order() */
	size_t read_floor;               /* reads of the current rst_vma start here */
	int run_open;                    /* the last rst_vma is a run that may grow */
	uint64_t run_data;               /* bytes of data in that run */
	size_t nmapped;                  /* the plan's mappings restored */
};

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

#define COUNT(b, type) ((b).len / sizeof(type))

static void builder_free(struct builder *b)
{
	free(b->unmap.p); free(b->move.p); free(b->vma.p); free(b->read.p); free(b->prot.p); free(b->str.p);
	free(b->src);
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
	return layout_special(m) && strcmp(m->name, "[vsyscall]") != 0;
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
		if (tmp == 0 || move_vdso_group(r, b, tmp + (vdso - lo)) != 0)
			return -1;
		return move_vdso_group(r, b, target);
	}
	for (size_t i = 0; i < r->nnm; i++) {
		struct newmap *m = &r->nm[i];
		if (!is_vdso_group(m))
			continue;
		struct rst_range mv = { m->start, m->end - m->start, dst + (m->start - lo) };
		size_t k = COUNT(b->move, struct rst_range);
		if (k >= MOVE_MAX || !buf_add(&b->move, &mv, sizeof mv))
			return -1;
		b->move_name[k] = m->name;
		m->end = mv.dst + mv.len;
		m->start = mv.dst;
	}
	log_debug("vdso to be moved to 0x%lx", (unsigned long)target);
	return 0;
}

static int build_vdso_moves(struct restore *r, struct builder *b)
{
	if (r->p->vdso)
		return move_vdso_group(r, b, r->p->vdso);
	/* no old address: only move it out of the way if it is in the way */
	for (size_t i = 0; i < r->nnm; i++)
		if (layout_special(&r->nm[i]) && !plan_range_free(r->p, r->nm[i].start, r->nm[i].end - r->nm[i].start)) {
			uint64_t tmp = layout_find_free(r, 1ull << 20);
			return tmp ? move_vdso_group(r, b, tmp + (1ull << 19)) : -1;
		}
	return 0;
}

/* ---- every mapping ---- */

/*
 * Where to start looking for the core's segments that overlap a mapping at
 * START: at the last segment starting at or below START when the segments
 * are in address order without overlaps (every writer does that: ORDERED, and the search may stop at the first segment at or past the
 * mapping's end; segs_in_order), else at the first. Restoring tens of thousands of mappings
 * must not take a pass over every segment for each.
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
		while (off < off_end) {
			off_t d = lseek(r->c->fd, (off_t)off, SEEK_DATA);
			if (d < 0 && errno == ENXIO)
				break;                    /* only a hole up to the end of the file */
			if (d < 0)
				d = (off_t)off;          /* cannot tell: read it all */
			if ((uint64_t)d >= off_end)
				break;
			off_t h = lseek(r->c->fd, d, SEEK_HOLE);
			uint64_t hend = h < 0 || (uint64_t)h > off_end ? off_end : (uint64_t)h;
			if (add_read(b, a + ((uint64_t)d - off), hend - (uint64_t)d, (uint64_t)d) != 0)
				return -1;
			a += hend - off;
			off = hend;
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
	rv->hugepage = dense && rv->len >= HUGE_MIN;
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
	mark_dense(rv, b->run_data);
	if (v->prot != (PROT_READ | PROT_WRITE) && add_prot(b, rv, v->start, v->end - v->start, v->prot) != 0)
		return -1;
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
		rv.path = (uint32_t)b->str.len + 1;      /* made an offset in the plan by assemble() */
		rv.open_flags = v->shared && (v->prot & PROT_WRITE) ? O_RDWR : O_RDONLY;
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
	mark_dense(&rv, b->run_data);
	if (rv.prot0 != v->prot && add_prot(b, &rv, v->start, len, v->prot) != 0)
		return -1;
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

/* ---- the plan in one block, the blob, the run ---- */

static size_t plan_size(const struct builder *b)
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
static uint8_t *assemble(struct restore *r, struct builder *b, size_t *size)
{
	size_t sz = plan_size(b);
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
static void report(const struct builder *b, const struct rst_plan *h)
{
	long res = (long)h->fail_result;
	const char *why = res < 0 ? strerror((int)-res) : "moved";
	const struct rst_range *u = (const struct rst_range *)b->unmap.p;
	const struct rst_range *m = (const struct rst_range *)b->move.p;
	const struct rst_vma *rv = (const struct rst_vma *)b->vma.p;
	const struct rst_read *rd = (const struct rst_read *)b->read.p;
	uint32_t i = h->fail_index;
	const struct rst_range *pr = (const struct rst_range *)b->prot.p;
	const struct vma *v = (h->fail_op == RST_OPEN || h->fail_op == RST_MMAP || h->fail_op == RST_CLOSE) &&
			      i < COUNT(b->vma, struct rst_vma) ? b->src[i] : NULL;
	const char *path = v && v->path ? v->path : "";

	switch (h->fail_op) {
	case RST_UNMAP:
		log_error("munmap 0x%lx in the new process: %s", (unsigned long)u[i].addr, why);
		break;
	case RST_MOVE:
		log_error("cannot move %s to 0x%lx: %s", b->move_name[i], (unsigned long)m[i].dst,
			  res < 0 ? why : "moved elsewhere");
		break;
	case RST_OPEN:
		log_error("cannot open %s in the new process: %s", path, why);
		break;
	case RST_MMAP:
		log_error("cannot map 0x%lx-0x%lx%s%s: %s", (unsigned long)rv[i].start,
			  (unsigned long)(rv[i].start + rv[i].len), *path ? " of " : "", path, why);
		break;
	case RST_CLOSE:
		log_error("cannot close %s in the new process: %s", path, why);
		break;
	case RST_READ:
		log_error("reading memory 0x%lx-0x%lx from the core: %s", (unsigned long)h->fail_addr,
			  (unsigned long)(rd[i].addr + rd[i].len), res < 0 ? why : "short file");
		break;
	case RST_MPROTECT:
		log_error("mprotect 0x%lx: %s", (unsigned long)pr[i].addr, why);
		break;
	default:
		log_error("the restorer failed (status %ld)", res);
	}
}

static int run_blob(struct restore *r, struct builder *b)
{
	size_t blob_len = (size_t)(restorer_blob_end - restorer_blob), size;
	raddr blob = RADDR(r->t.scratch.v + SCRATCH_BLOB);
	raddr plan = RADDR(r->t.scratch.v + SCRATCH_FIXED);
	raddr stack = RADDR(r->t.scratch.v + SCRATCH_STAGE + STAGE_SIZE + STACK_SIZE);
	struct rst_plan h;
	struct timespec t0, t1;
	uint64_t res;
	uint8_t *out;
	int ret = -1;

	if (blob_len > SCRATCH_STAGE - SCRATCH_BLOB || blob_len <= RST_TRAP_OFFSET ||
	    restorer_blob[RST_TRAP_OFFSET - 1] != 0xcc) {
		log_error("the restorer blob built into restart is malformed");
		return -1;
	}
	if ((out = assemble(r, b, &size)) == NULL) {
		log_error("out of memory building the restorer plan");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (remote_write(&r->t, blob, restorer_blob, blob_len) != 0 || remote_write(&r->t, plan, out, size) != 0 ||
	    remote_call(&r->t, blob, RADDR(blob.v + RST_TRAP_OFFSET), stack, plan.v, &res) != 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_debug("restorer: %zu bytes of plan, ran %ld us", size,
		  (long)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000));
	if (remote_read(&r->t, plan, &h, sizeof h) != 0) {
		log_errno("read the restorer's result");
		goto out;
	}
	if ((int64_t)res != 0) {
		report(b, &h);
		goto out;
	}
	ret = 0;
out:
	free(out);
	return ret;
}

int restore_memory(struct restore *r)
{
	struct builder b;
	uint64_t size, scratch;
	int ret = -1;

	memset(&b, 0, sizeof b);
	b.segs_ordered = segs_in_order(r->c);
	if (build_unmaps(r, &b) != 0 || build_vmas(r, &b) != 0)
		goto out;
	size = (SCRATCH_FIXED + plan_size(&b) + PAGE - 1) & ~(PAGE - 1);
	if ((scratch = layout_find_free(r, size)) == 0) {
		log_error("no free place for the scratch page");
		goto out;
	}
	if (remote_map_scratch(&r->t, scratch, size) != 0 || build_vdso_moves(r, &b) != 0 || run_blob(r, &b) != 0)
		goto out;
	log_info("%zu mappings, %lu KiB restored, %lu KiB read (%zu ranges)", b.nmapped,
		 (unsigned long)(b.bytes >> 10), (unsigned long)(b.data >> 10), COUNT(b.read, struct rst_read));
	ret = 0;
out:
	builder_free(&b);
	return ret;
}
