/*
 * plan.h - what the restored address space must look like, resolved from a
 * core (PT_LOAD, NT_FILE, auxv) and its CKPT notes before anything runs.
 */
#ifndef CKPT_PLAN_H
#define CKPT_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "corefile.h"

/* VMA_AIO: an AIO context's ring ("/[aio] (deleted)"), made again with io_setup (aio.c) */
enum vma_kind { VMA_NORMAL, VMA_VDSO, VMA_VVAR, VMA_VSYSCALL, VMA_AIO };

struct vma {
	uint64_t start, end;
	int prot;            /* PROT_* */
	int shared;          /* MAP_SHARED */
	int growsdown;       /* the stack */
	int kind;            /* enum vma_kind */
	const char *path;    /* file to map; NULL = anonymous */
	uint64_t offset;     /* file offset of start */
};

/* Sizes of the kernel's special mappings, read from /proc/self/maps. */
struct special_layout {
	uint64_t vdso_size;
	uint64_t before_vdso;   /* bytes of [vvar]/[vvar_vclock] right below [vdso] */
};

struct plan {
	struct vma *v; size_t n, cap;
	const char *exe;             /* the executable's path as mapped */
	uint64_t exe_bias;           /* load bias of the executable */
	uint64_t start_brk, brk;     /* heap, page aligned */
	uint64_t vdso;               /* old vDSO address (AT_SYSINFO_EHDR), 0 if none */
	const char *core_path;
};

int special_layout_read(struct special_layout *s);

/* Builds the plan; on bad input logs "restart: CORE: problem" and returns -1.
 * EXE_OVERRIDE, when not NULL, replaces the executable the core names. */
int plan_build(struct plan *p, const struct core *c, const char *core_path,
	       const char *exe_override, const struct special_layout *sl);
void plan_free(struct plan *p);
int same_path(const char *a, const char *b);

/* True when [a, a+len) overlaps nothing in the plan. */
int plan_range_free(const struct plan *p, uint64_t a, uint64_t len);

#endif
