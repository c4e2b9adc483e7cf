/* regs.h - general registers and x87/SSE/AVX state of a restored thread. */
#ifndef CKPT_REGS_H
#define CKPT_REGS_H

#include "corefile.h"
#include "remote.h"

/* Loads the thread's registers (with fs_base/gs_base) and its vector state
 * into the stopped tracee. Must be the last thing before detaching. */
int regs_restore(struct tracee *t, const struct core *c, const struct core_thread *th);

#endif
