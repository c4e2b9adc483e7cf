/* attrs.h - process and thread attributes (attrs.c). */
#ifndef CKPT_RESTORE_ATTRS_H
#define CKPT_RESTORE_ATTRS_H

#include "corefile.h"
#include "remote.h"

struct restore;

/* umask and personality, injected into the leader. */
int attrs_restore_process(struct restore *r);
/* One thread's name and alternate signal stack, injected into that thread. */
int attrs_restore_thread(struct tracee *t, const struct core *c, const struct core_thread *th);
/* Resource limits and interval timers: after the threads, before the scratch area goes. */
int attrs_restore_late(struct tracee *t, const struct core *c);

/* The madvise state of the mappings (CKPT MADVISE), injected into the leader. */
int attrs_restore_madvise(struct restore *r);
/* timers.c: the POSIX timers, with their old ids, armed as they were. */
int timers_restore(struct tracee *t, const struct core *c);
/* aio.c: each AIO context's ring made again (io_setup) and moved to its old address. */
int aio_restore(struct restore *r);

#endif
