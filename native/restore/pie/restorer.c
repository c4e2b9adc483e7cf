/*
 * restorer.c - the restorer blob: runs inside the new process, without libc,
 * and carries out a struct rst_plan (see ../restorer.h). Built with -fPIE
 * -nostdlib -ffreestanding into a flat binary (Makefile): no data, no
 * relocations, no calls out; entered at its first byte.
 */
#include "restorer.h"

#include <asm/unistd.h>

#define O_CLOEXEC_  02000000
#define AT_FDCWD_   (-100)
#define MREMAP_MAYMOVE_ 1
#define MREMAP_FIXED_   2
#define MADV_HUGEPAGE_  14
#define MADV_POPULATE_WRITE_ 23
#define CHUNK (1ull << 30)

long restorer_main(struct rst_plan *p) __attribute__((used, visibility("hidden")));

__asm__(".section .text.entry,\"ax\",@progbits\n"
	".globl rst_entry\n"
	"rst_entry:\n\t"
	"and $-16, %rsp\n\t"
	"call restorer_main\n\t"
	"int3\n"
	".previous\n");

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static long fail(struct rst_plan *p, uint32_t op, uint32_t index, long result)
{
	p->fail_op = op;
	p->fail_index = index;
	p->fail_result = result;
	return result < 0 ? result : -1;
}

long restorer_main(struct rst_plan *p)
{
	char *base = (char *)p;
	const struct rst_range *un = (const struct rst_range *)(base + p->unmap);
	const struct rst_range *mv = (const struct rst_range *)(base + p->move);
	const struct rst_vma *vm = (const struct rst_vma *)(base + p->vma);
	const struct rst_read *rd = (const struct rst_read *)(base + p->read);
	const struct rst_range *pr = (const struct rst_range *)(base + p->prot);
	long res;

	for (uint32_t i = 0; i < p->nunmap; i++)
		if ((res = sys6(__NR_munmap, (long)un[i].addr, (long)un[i].len, 0, 0, 0, 0)) != 0)
			return fail(p, RST_UNMAP, i, res);
	for (uint32_t i = 0; i < p->nmove; i++) {
		res = sys6(__NR_mremap, (long)mv[i].addr, (long)mv[i].len, (long)mv[i].len,
			   MREMAP_MAYMOVE_ | MREMAP_FIXED_, (long)mv[i].dst, 0);
		if (res != (long)mv[i].dst)
			return fail(p, RST_MOVE, i, res);
	}
	for (uint32_t i = 0; i < p->nvma; i++) {
		const struct rst_vma *v = &vm[i];
		long fd = -1;
		if (v->path) {
			fd = sys6(__NR_openat, AT_FDCWD_, (long)(base + v->path), v->open_flags | O_CLOEXEC_, 0, 0, 0);
			if (fd < 0)
				return fail(p, RST_OPEN, i, fd);
		}
		res = sys6(__NR_mmap, (long)v->start, (long)v->len, v->prot0, v->flags, fd,
			   (long)v->file_offset);
		if (fd >= 0) {
			long c = sys6(__NR_close, fd, 0, 0, 0, 0, 0);
			if (c != 0 && res == (long)v->start)
				return fail(p, RST_CLOSE, i, c);
		}
		if (res != (long)v->start)
			return fail(p, RST_MMAP, i, res);
		if (v->hugepage)
			sys6(__NR_madvise, (long)v->start, (long)v->len, MADV_HUGEPAGE_, 0, 0, 0);  /* a hint */
		if (v->populate)   /* fewer faults; a kernel without it (before 5.14) just faults */
			sys6(__NR_madvise, (long)v->start, (long)v->len, MADV_POPULATE_WRITE_, 0, 0, 0);
		for (uint32_t j = v->first_read; j < v->first_read + v->nreads; j++) {
			uint64_t a = rd[j].addr, end = rd[j].addr + rd[j].len, off = rd[j].core_offset;
			while (a < end) {
				uint64_t len = end - a > CHUNK ? CHUNK : end - a;
				long n = sys6(__NR_pread64, p->core_fd, (long)a, (long)len, (long)off, 0, 0);
				if (n <= 0) {
					p->fail_addr = a;
					return fail(p, RST_READ, j, n);
				}
				a += (uint64_t)n;
				off += (uint64_t)n;
			}
		}
		for (uint32_t j = v->first_prot; j < v->first_prot + v->nprots; j++)
			if ((res = sys6(__NR_mprotect, (long)pr[j].addr, (long)pr[j].len, (long)pr[j].dst, 0, 0, 0)) != 0)
				return fail(p, RST_MPROTECT, j, res);
		p->done_vmas = i + 1;
	}
	return 0;
}
