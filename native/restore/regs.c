/*
 * regs.c - registers and XSAVE state.
 *
 * The vector state is written in the layout of this CPU: the tracee's own
 * XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE) is the template; the legacy
 * x87/SSE part is copied as is, AVX (ymm upper halves) from its place in
 * the source, and the other components only when the source has this CPU's
 * layout (a kernel core or a CKPT XSTATE note taken here). gdb's own XSTATE
 * note has a fixed MPX-era layout whose AVX-512 parts are zeros anyway.
 */
#include "regs.h"
#include "log.h"

#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <string.h>

#define XSAVE_MAX        16384
#define XSAVE_HDR        512
#define XSAVE_SW_BYTES   464     /* fxsave bytes 464..511: software area (xcr0 at 464) */
#define GDB_AVX_OFFSET   576
#define ERESTARTSYS           512
#define ERESTARTNOINTR        513
#define ERESTART_RESTARTBLOCK 516

static int restore_xstate(struct tracee *t, const struct core *c, const struct core_thread *th)
{
	static uint8_t live[XSAVE_MAX];
	const uint8_t *src = NULL;
	size_t src_len = 0, live_len;
	uint64_t src_bv, supported, bv;
	unsigned a, b, cx, d;

	if (th->ckpt_xstate) {                 /* read with ptrace at checkpoint time: this CPU's layout */
		src = th->ckpt_xstate; src_len = th->ckpt_xstate_len;
	} else if (th->xstate) {
		src = th->xstate; src_len = th->xstate_len;
	} else if (th->fpregs) {
		src = th->fpregs; src_len = 512;
	} else {
		return 0;
	}
	live_len = sizeof live;
	if (remote_get_xstate(t, live, &live_len) != 0)
		return remote_set_fpregs(t, src);       /* no XSAVE: the legacy area alone */
	memcpy(&supported, live + XSAVE_SW_BYTES, 8);
	memcpy(live, src, XSAVE_SW_BYTES);              /* x87, MXCSR, xmm0-15 */
	src_bv = 3;                                      /* x87 | SSE */
	if (src_len >= XSAVE_HDR + 8)
		memcpy(&src_bv, src + XSAVE_HDR, 8);
	bv = src_bv & 3;
	if ((src_bv & 4) && (supported & 4)) {          /* AVX: upper halves of ymm0-15 */
		size_t soff = GDB_AVX_OFFSET;
		__cpuid_count(0xd, 2, a, b, cx, d);
		if (src_len == live_len)
			soff = b;
		if (soff + a <= src_len && b + a <= live_len) {
			memcpy(live + b, src + soff, a);
			bv |= 4;
		}
	}
	if (src_len == live_len) {                      /* same layout: every other component */
		for (unsigned i = 3; i < 63; i++) {
			if (!((src_bv & supported) >> i & 1))
				continue;
			__cpuid_count(0xd, i, a, b, cx, d);
			if (a == 0 || b == 0 || (size_t)b + a > live_len)
				continue;
			memcpy(live + b, src + b, a);
			bv |= 1ull << i;
		}
	}
	memcpy(live + XSAVE_HDR, &bv, 8);
	memset(live + XSAVE_HDR + 8, 0, 56);            /* xcomp_bv and reserved */
	return remote_set_xstate(t, live, live_len);
}

int regs_restore(struct tracee *t, const struct core *c, const struct core_thread *th)
{
	struct user_regs_struct r = th->regs;
	/* Stopped inside a system call that would restart through a restart
	 * block (nanosleep, poll ...): the new process has no such block, so
	 * restart the original call with its original arguments instead. */
	if ((long)r.orig_rax >= 0 && (long)r.rax == -ERESTART_RESTARTBLOCK)
		r.rax = (uint64_t)-ERESTARTNOINTR;
	if (restore_xstate(t, c, th) != 0)
		return -1;
	return remote_setregs(t, &r);
}
