/*
 * memory.c - the address space. memplan.c resolves it into a flat restorer
 * plan (restorer.h); here a scratch area is mapped, the restorer blob and
 * the plan are copied into it and the blob runs once inside the new process.
 * The number of ptrace stops does not depend on the number of mappings.
 */
#include "log.h"
#include "memplan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const uint8_t restorer_blob[], restorer_blob_end[];

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
	if ((out = memplan_assemble(r, b, &size)) == NULL) {
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

	if (memplan_build(r, &b) != 0)
		goto out;
	size = (SCRATCH_FIXED + memplan_size(&b) + PAGE - 1) & ~(PAGE - 1);
	if ((scratch = layout_find_free(r, size)) == 0) {
		log_error("no free place for the scratch page");
		goto out;
	}
	if (remote_map_scratch(&r->t, scratch, size) != 0 || memplan_vdso_moves(r, &b) != 0 || run_blob(r, &b) != 0)
		goto out;
	log_info("%zu mappings, %lu KiB restored, %lu KiB read (%zu ranges)", b.nmapped,
		 (unsigned long)(b.bytes >> 10), (unsigned long)(b.data >> 10), COUNT(b.read, struct rst_read));
	ret = 0;
out:
	memplan_free(&b);
	return ret;
}

