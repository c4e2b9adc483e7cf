/*
 * memplan.h - the restorer plan (restorer.h) as the engine builds it: arrays
 * that grow, and what it needs to put errors in the words of the plan's
 * mappings. memplan.c builds and lays it out; memory.c runs it.
 */
#ifndef CKPT_MEMPLAN_H
#define CKPT_MEMPLAN_H

#include "restore.h"
#include "restorer.h"

#include <stddef.h>
#include <stdint.h>

#define MOVE_MAX  16
#define COUNT(b, type) ((b).len / sizeof(type))

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
	struct extent { uint64_t start, end; } *extents;   /* find_extents() */
	size_t nextents;
};


/* Everything but the vDSO moves (which need the scratch area placed first). */
int memplan_build(struct restore *r, struct builder *b);
/* The mremaps that bring [vvar] [vvar_vclock] [vdso] to the old vDSO address. */
int memplan_vdso_moves(struct restore *r, struct builder *b);
/* Bytes of the laid-out plan (room for MOVE_MAX moves included). */
size_t memplan_size(const struct builder *b);
/* The plan in one block (malloc'd), ready to copy into the new process. */
uint8_t *memplan_assemble(struct restore *r, struct builder *b, size_t *size);
void memplan_free(struct builder *b);

#endif
