/*
 * selfregs.h - libsavefds.so: the registers of the calling thread, from the
 * ucontext its signal handler received.
 */
#ifndef SELFREGS_H
#define SELFREGS_H

#include <ucontext.h>

#include "sfstate.h"

/* Called by each thread for itself, inside its handler: fills t->regs (the
 * interrupted registers, fs_base and gs_base included), t->sigmask and the
 * FPU/XSAVE pointers into the signal frame. */
void sf_thread_regs(struct sf_thread *t, ucontext_t *uc);

#endif
