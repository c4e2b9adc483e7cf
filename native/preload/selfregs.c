/*
 * selfregs.c - libsavefds.so: a thread's registers from its signal frame, in
 * the layout the core writer takes (struct user_regs_struct, XSAVE area).
 * Async-signal-safe.
 */
#include <asm/prctl.h>

#include "raw.h"
#include "selfregs.h"

#ifndef UC_SIGCONTEXT_SS
#define UC_SIGCONTEXT_SS 0x2
#endif
#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#endif
#ifndef FP_XSTATE_MAGIC2
#define FP_XSTATE_MAGIC2 0x46505845u
#endif

static void gather_fpu(struct sf_thread *t, ucontext_t *uc)
{
	t->fxsave = (const unsigned char *)uc->uc_mcontext.fpregs;
	t->xsave = NULL;
	t->xsave_size = 0;
	t->xfeatures = 0;
	if (!t->fxsave)
		return;
	/* struct _fpx_sw_bytes at 464: magic1, extended_size, xfeatures, xstate_size */
	uint32_t magic1, extended, size;
	uint64_t features;
	m_copy(&magic1, t->fxsave + 464, 4);
	m_copy(&extended, t->fxsave + 468, 4);
	m_copy(&features, t->fxsave + 472, 8);
	m_copy(&size, t->fxsave + 480, 4);
	if (magic1 != FP_XSTATE_MAGIC1 || size < 512 + 64 || size > 1u << 20 || extended < size + 4)
		return;
	uint32_t magic2;
	m_copy(&magic2, t->fxsave + size, 4);
	if (magic2 != FP_XSTATE_MAGIC2)
		return;
	t->xsave = t->fxsave;
	t->xsave_size = size;
	t->xfeatures = features;
}

void sf_thread_regs(struct sf_thread *t, ucontext_t *uc)
{
	uint64_t fs_base = 0, gs_base = 0;
	if (rsys2(__NR_arch_prctl, ARCH_GET_FS, (long)&fs_base) != 0)
		fs_base = 0;
	if (rsys2(__NR_arch_prctl, ARCH_GET_GS, (long)&gs_base) != 0)
		gs_base = 0;
	uint16_t ds, es;
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	__asm__ volatile("mov %%es, %0" : "=r"(es));

	const greg_t *g = uc->uc_mcontext.gregs;
	uint64_t csgsfs = (uint64_t)g[REG_CSGSFS];
	uint64_t *r = t->regs;
	/* struct user_regs_struct */
	r[0] = (uint64_t)g[REG_R15];
	r[1] = (uint64_t)g[REG_R14];
	r[2] = (uint64_t)g[REG_R13];
	r[3] = (uint64_t)g[REG_R12];
	r[4] = (uint64_t)g[REG_RBP];
	r[5] = (uint64_t)g[REG_RBX];
	r[6] = (uint64_t)g[REG_R11];
	r[7] = (uint64_t)g[REG_R10];
	r[8] = (uint64_t)g[REG_R9];
	r[9] = (uint64_t)g[REG_R8];
	r[10] = (uint64_t)g[REG_RAX];
	r[11] = (uint64_t)g[REG_RCX];
	r[12] = (uint64_t)g[REG_RDX];
	r[13] = (uint64_t)g[REG_RSI];
	r[14] = (uint64_t)g[REG_RDI];
	r[15] = (uint64_t)-1;                 /* orig_rax: no system call to restart */
	r[16] = (uint64_t)g[REG_RIP];
	r[17] = csgsfs & 0xffff;               /* cs */
	r[18] = (uint64_t)g[REG_EFL];
	r[19] = (uint64_t)g[REG_RSP];
	r[20] = (uc->uc_flags & UC_SIGCONTEXT_SS) ? (csgsfs >> 48) & 0xffff : 0x2b; /* ss */
	r[21] = fs_base;
	r[22] = gs_base;
	r[23] = ds;
	r[24] = es;
	r[25] = (csgsfs >> 32) & 0xffff;       /* fs */
	r[26] = (csgsfs >> 16) & 0xffff;       /* gs */
	m_copy(&t->sigmask, &uc->uc_sigmask, 8);
	gather_fpu(t, uc);
}
