/*
 * restorer.h - the contract between the engine and the restorer blob, a
 * small position-independent program (pie/restorer.c, no libc, raw system
 * calls) that runs inside the new process and makes its whole address space
 * in one go. The engine resolves everything first into one flat plan: a
 * header with counts and offsets, then arrays, then strings; every reference
 * inside the plan is an offset from the plan's start, so the plan can be
 * built here and copied anywhere. The engine jumps to the blob's entry once
 * with rdi = the plan's address; the blob runs, in this order,
 *
 *   every munmap of the exec's own layout   (struct rst_range unmap[])
 *   every mremap of [vvar] [vvar_vclock] [vdso] to the old place  (move[])
 *   every mapping: open its file, mmap (read-write first when it gets
 *   content), close, madvise(MADV_HUGEPAGE) and MADV_POPULATE_WRITE when
 *   asked, pread each of its data ranges from the core (holes are not in
 *   the list), mprotect parts to their final protection
 *                                                  (vma[], read[], prot[])
 *
 * One rst_vma may stand for a run of adjacent anonymous private mappings
 * that all get content: one mmap read-write, one pread per range of data
 * that is contiguous in the core (across the mappings), then an mprotect
 * for each mapping whose protection is not read-write, which splits the run
 * where the original mappings were split.
 *
 * and traps (int3) with rax = 0, or with rax < 0 and the header's fail_*
 * fields naming the operation, the record and the error. It does not unmap
 * itself: the engine does, with the rest of the scratch area.
 */
#ifndef CKPT_RESTORER_H
#define CKPT_RESTORER_H

#include <stdint.h>

#define RST_MAGIC   0x31545352u    /* "RST1" */
/* The blob starts `and $-16,%rsp; call restorer_main; int3`: after the trap rip is here. */
#define RST_TRAP_OFFSET 10

enum rst_op { RST_OK, RST_UNMAP, RST_MOVE, RST_OPEN, RST_MMAP, RST_CLOSE, RST_READ, RST_MPROTECT };

/* unmap: addr, len; move: addr, len to dst; prot: addr, len to protection dst */
struct rst_range { uint64_t addr, len, dst; };

struct rst_vma {
	uint64_t start, len;
	uint64_t file_offset;
	uint32_t path;          /* offset of the NUL-terminated path in the plan, 0 = anonymous */
	int32_t  open_flags;    /* O_RDONLY / O_RDWR (O_CLOEXEC is added) */
	int32_t  prot0;         /* protection to map with (prot[] gives the final ones) */
	int32_t  flags;         /* MAP_* (MAP_FIXED_NOREPLACE included) */
	int16_t  hugepage;      /* madvise(MADV_HUGEPAGE) after mapping */
	int16_t  populate;      /* madvise(MADV_POPULATE_WRITE): every page gets data */
	uint32_t first_read, nreads;   /* its slice of read[] */
	uint32_t first_prot, nprots;   /* its slice of prot[] */
};

struct rst_read { uint64_t addr, len, core_offset; };

struct rst_plan {
	uint32_t magic;
	int32_t  core_fd;       /* the core, open in the new process */
	uint32_t nunmap, unmap;         /* count, offset of struct rst_range[] */
	uint32_t nmove, move;           /* count, offset of struct rst_range[] */
	uint32_t nvma, vma;             /* count, offset of struct rst_vma[] */
	uint32_t nread, read;           /* count, offset of struct rst_read[] */
	uint32_t nprot, prot;           /* count, offset of struct rst_range[] */
	uint32_t size;                  /* bytes of the whole plan */
	/* written by the blob */
	uint32_t fail_op;               /* enum rst_op */
	uint32_t fail_index;            /* index in the array of that operation */
	int64_t  fail_result;           /* what the call returned (-errno, or the wrong address) */
	uint64_t fail_addr;             /* RST_READ: where reading stopped */
	uint64_t done_vmas;             /* mappings made */
};

#endif
