/*
 * aio.c - AIO contexts. A context's ring is a shared mapping of an internal
 * file ("/[aio] (deleted)" in /proc/PID/maps) whose address is the context id
 * the program holds (io_setup returns it). It cannot be mapped from a path, so
 * the restorer leaves it out (VMA_AIO) and here, as CRIU does, a new context
 * of the same ring size is made with io_setup and its ring moved to the old
 * address with mremap, which makes the old address the new context's id
 * (Linux 3.19+, aio_ring_mremap). Requests in flight at the checkpoint and
 * completions not yet reaped are not restored: the ring comes back empty.
 */
#include "log.h"
#include "restore.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define AIO_RING_HEADER 32   /* struct aio_ring */
#define AIO_EVENT_SIZE  32   /* struct io_event */

/* The io_setup argument that gives a ring of LEN bytes: the kernel doubles the
 * number asked for, adds 2 and rounds the ring up to pages (criu/aio.c). */
static unsigned aio_nr_for(uint64_t len)
{
	uint64_t n = (len - AIO_RING_HEADER) / AIO_EVENT_SIZE;
	return n > 2 ? (unsigned)((n - 2) / 2) : 1;
}

static int one_ring(struct restore *r, const struct vma *v)
{
	uint64_t len = v->end - v->start, ctx = 0;
	struct rscope s;
	long res;
	remote_scope_begin(&r->t, &s);
	raddr at = remote_push(&s, &ctx, sizeof ctx);
	res = at.v ? remote_syscall(&r->t, SYS_io_setup, aio_nr_for(len), at.v, 0, 0, 0, 0) : -ENOTRECOVERABLE;
	if (res == 0 && remote_read(&r->t, at, &ctx, sizeof ctx) != 0)
		res = -ENOTRECOVERABLE;
	remote_scope_end(&s);
	if (res == -ENOTRECOVERABLE)
		return -1;
	if (res != 0) {
		log_error("warning: cannot make the AIO context at 0x%lx again (io_setup: %s); the program's "
			  "context id is invalid", (unsigned long)v->start, strerror((int)-res));
		return 0;
	}
	res = remote_syscall(&r->t, SYS_mremap, ctx, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, v->start, 0);
	if (res == -ENOTRECOVERABLE)
		return -1;
	if (res != (long)v->start) {
		log_error("warning: cannot move the new AIO ring to 0x%lx (mremap: %s); the program's context "
			  "id is invalid", (unsigned long)v->start, strerror((int)-res));
		remote_syscall(&r->t, SYS_io_destroy, ctx, 0, 0, 0, 0, 0);
		return 0;
	}
	log_debug("AIO context 0x%lx made again (%lu bytes of ring)", (unsigned long)v->start, (unsigned long)len);
	return 0;
}

int aio_restore(struct restore *r)
{
	for (size_t i = 0; i < r->p->n; i++)
		if (r->p->v[i].kind == VMA_AIO && one_ring(r, &r->p->v[i]) != 0)
			return -1;
	return 0;
}
