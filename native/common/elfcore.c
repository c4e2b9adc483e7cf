/*
 * elfcore.c - writes the gathered state (struct sf_state) as a standard ELF64
 * x86-64 core file, the way the kernel lays one out: ELF header, program
 * headers (one PT_NOTE, one PT_LOAD per mapping), the notes, then the content
 * of the dumped mappings at page-aligned offsets. The one core writer, shared
 * by libsavefds.so and ckpt-dump. Async-signal-safe: notes go through one
 * static buffer; memory is written straight from the process with pwrite(2),
 * or through sf.copy_mem (ckpt-dump), by corememory.c. Pages never touched
 * are not written: they are holes, the file is sparse.
 *
 * Notes: CORE NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_AUXV, NT_FILE,
 * NT_FPREGSET; LINUX NT_X86_XSTATE; then the CKPT notes of ckpt_image.h.
 */
#include <cpuid.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "raw.h"
#include "sfstate.h"

#ifndef NT_SIGINFO
#define NT_SIGINFO 0x53494749
#endif
#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif
#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#ifndef NT_X86_XSTATE_LAYOUT
#define NT_X86_XSTATE_LAYOUT 0x205
#endif

/* ---- an output sink: counts bytes, or writes them through a buffer ---- */

static char obuf[1 << 16];

struct sink {
	int fd;
	int counting;
	uint64_t pos;      /* file offset of the next byte */
	uint64_t bufpos;   /* file offset of obuf[0] */
	uint32_t blen;
	int err;           /* first error, -errno */
};

static void sink_flush(struct sink *s)
{
	if (s->counting || s->blen == 0)
		return;
	if (!s->err) {
		int e = sf_pwrite_all(s->fd, obuf, s->blen, s->bufpos);
		if (e)
			s->err = e;
	}
	s->bufpos += s->blen;
	s->blen = 0;
}

static void put(struct sink *s, const void *p, size_t n)
{
	if (s->counting) {
		s->pos += n;
		return;
	}
	const char *c = p;
	while (n > 0) {
		size_t k = sizeof obuf - s->blen;
		if (k > n)
			k = n;
		m_copy(obuf + s->blen, c, k);
		s->blen += (uint32_t)k;
		s->pos += k;
		c += k;
		n -= k;
		if (s->blen == sizeof obuf)
			sink_flush(s);
	}
}

static void put_zero(struct sink *s, size_t n)
{
	static const char zeros[64];
	while (n > 0) {
		size_t k = n < sizeof zeros ? n : sizeof zeros;
		put(s, zeros, k);
		n -= k;
	}
}

static void put_u64(struct sink *s, uint64_t v)
{
	put(s, &v, 8);
}

static void pad_to(struct sink *s, unsigned align)
{
	put_zero(s, (align - s->pos % align) % align);
}

/* One note: header, owner name, then the body, each padded to 4 bytes. The
 * body is produced twice, counted first to learn its size. */
typedef void (*note_body)(struct sink *);

static void note(struct sink *s, const char *owner, uint32_t type, note_body body)
{
	struct sink c = { .counting = 1 };
	body(&c);
	uint32_t hdr[3] = { (uint32_t)s_len(owner) + 1, (uint32_t)c.pos, type };
	put(s, hdr, sizeof hdr);
	put(s, owner, hdr[0]);
	pad_to(s, 4);
	body(s);
	pad_to(s, 4);
}

/* Writes a string (with its NUL) padded with NULs to a multiple of 8. */
static void put_padded_path(struct sink *s, const char *p, uint32_t len)
{
	put(s, p, len);
	put_zero(s, 8 - len % 8);
}

static uint32_t padded_path_len(uint32_t len)
{
	return len + (8 - len % 8);
}

/* ---- standard notes ---- */

/* The thread whose register notes are being written. */
static const struct sf_thread *nt;

static void tv_from_ticks(int64_t tv[2], int64_t ticks)
{
	/* /proc/self/stat counts USER_HZ = 100 ticks per second */
	tv[0] = ticks / 100;
	tv[1] = (ticks % 100) * 10000;
}

static void body_prstatus(struct sink *s)
{
	struct {
		int32_t si_signo, si_code, si_errno;
		int16_t cursig, pad0;
		uint64_t sigpend, sighold;
		int32_t pid, ppid, pgrp, sid;
		int64_t utime[2], stime[2], cutime[2], cstime[2];
		uint64_t reg[27];
		int32_t fpvalid, pad1;
	} pr;
	_Static_assert(sizeof pr == 336, "elf_prstatus is 336 bytes");
	m_zero(&pr, sizeof pr);
	if (nt == &sf.threads[0]) {
		/* the thread that took the signal; the process's times */
		if (sf.si) {
			pr.si_signo = sf.si->si_signo;
			pr.si_code = sf.si->si_code;
			pr.si_errno = sf.si->si_errno;
		}
		pr.cursig = (int16_t)sf.sig;
		tv_from_ticks(pr.utime, sf.stat[14]);
		tv_from_ticks(pr.stime, sf.stat[15]);
		tv_from_ticks(pr.cutime, sf.stat[16]);
		tv_from_ticks(pr.cstime, sf.stat[17]);
	}
	pr.sighold = nt->sigmask;
	pr.pid = nt->tid;
	pr.ppid = (int32_t)sf.stat[4];
	pr.pgrp = (int32_t)sf.stat[5];
	pr.sid = (int32_t)sf.stat[6];
	m_copy(pr.reg, nt->regs, sizeof pr.reg);
	pr.fpvalid = nt->fxsave != NULL;
	put(s, &pr, sizeof pr);
}

static void body_prpsinfo(struct sink *s)
{
	struct {
		char state, sname, zomb, nice;
		uint32_t pad0;
		uint64_t flag;
		uint32_t uid, gid;
		int32_t pid, ppid, pgrp, sid;
		char fname[16];
		char psargs[80];
	} ps;
	_Static_assert(sizeof ps == 136, "elf_prpsinfo is 136 bytes");
	m_zero(&ps, sizeof ps);
	static const char states[] = "RSDTZW";
	ps.sname = sf.state;
	for (int i = 0; states[i]; i++)
		if (states[i] == sf.state)
			ps.state = (char)i;
	ps.zomb = sf.state == 'Z';
	ps.nice = (char)sf.stat[19];
	ps.flag = (uint64_t)sf.stat[9];
	ps.uid = sf.uid;
	ps.gid = sf.gid;
	ps.pid = sf.pid;
	ps.ppid = (int32_t)sf.stat[4];
	ps.pgrp = (int32_t)sf.stat[5];
	ps.sid = (int32_t)sf.stat[6];
	m_copy(ps.fname, sf.comm, sizeof ps.fname);
	m_copy(ps.psargs, sf.psargs, sizeof ps.psargs);
	put(s, &ps, sizeof ps);
}

static void body_siginfo(struct sink *s)
{
	if (sf.si)
		put(s, sf.si, 128);
	else
		put_zero(s, 128);
}

static void body_auxv(struct sink *s)
{
	put(s, sf.auxv, sf.auxvlen);
}

static int file_backed(const struct sf_map *m)
{
	return m->inode != 0 && m->pathlen > 0 && sf.pool[m->path] == '/';
}

static void body_file(struct sink *s)
{
	uint64_t count = 0;
	for (int i = 0; i < sf.nmaps; i++)
		count += file_backed(&sf.maps[i]);
	put_u64(s, count);
	put_u64(s, SF_PAGE);
	for (int i = 0; i < sf.nmaps; i++) {
		const struct sf_map *m = &sf.maps[i];
		if (!file_backed(m))
			continue;
		put_u64(s, m->start);
		put_u64(s, m->end);
		put_u64(s, m->offset / SF_PAGE);
	}
	for (int i = 0; i < sf.nmaps; i++) {
		const struct sf_map *m = &sf.maps[i];
		if (file_backed(m))
			put(s, sf.pool + m->path, m->pathlen + 1);
	}
}

/* The legacy (fxsave) area as ptrace and the kernel's cores give it: bytes
 * 464..511 are for software; the kernel puts XCR0 at 464 there. */
static void put_fxsave_area(struct sink *s, int with_xcr0)
{
	put(s, nt->fxsave, 464);
	uint64_t sw[6] = { with_xcr0 ? nt->xfeatures : 0, 0, 0, 0, 0, 0 };
	put(s, sw, sizeof sw);
}

static void body_fpregset(struct sink *s)
{
	put_fxsave_area(s, 0);
}

static void body_xstate(struct sink *s)
{
	put_fxsave_area(s, 1);
	put(s, nt->xsave + 512, nt->xsave_size - 512);
}

/* Where each XSAVE component sits (CPUID leaf 0xd), as the kernel's own cores
 * say since Linux 6.12: AMD and Intel place AVX-512 state differently, and a
 * reader cannot tell from the size alone. */
static void body_xstate_layout(struct sink *s)
{
	for (unsigned i = 2; i < 64; i++) {
		if (!(nt->xfeatures & (1ull << i)))
			continue;
		unsigned eax, ebx, ecx, edx;
		__cpuid_count(0xd, i, eax, ebx, ecx, edx);
		(void)ecx;
		(void)edx;
		uint32_t c[4] = { i, eax, ebx, 0 }; /* type, size, offset, flags */
		put(s, c, sizeof c);
	}
}

/* ---- CKPT notes ---- */

static void body_ckpt_version(struct sink *s)
{
	struct ckpt_version v = { CKPT_IMAGE_VERSION, sf.writer, sf.nthreads, 0 };
	put(s, &v, sizeof v);
}

static void body_ckpt_files(struct sink *s)
{
	for (int i = 0; i < sf.nfds; i++) {
		const struct sf_fd *f = &sf.fds[i];
		struct ckpt_file r = {
			.fd = f->fd,
			.flags = f->getfl,
			.offset = f->offset,
			.kind = f->kind,
			.fdflags = f->fdflags,
			.share_id = f->share_id,
			.path_len = padded_path_len(f->pathlen + 1),
		};
		put(s, &r, sizeof r);
		put_padded_path(s, sf.pool + f->path, f->pathlen + 1);
	}
}

static void body_ckpt_kobj(struct sink *s)
{
	static const char zeros[8];
	for (int i = 0; i < sf.nkobjs; i++) {
		const struct sf_kobj *k = &sf.kobjs[i];
		put(s, &k->r, sizeof k->r);
		if (k->srcfd < 0) {
			put(s, sf.pool + k->data, k->r.data_len);
		} else if (s->counting) {
			s->pos += k->r.data_len;
		} else {
			/* a file's content or a pipe's copy, straight from it; bytes it
			 * no longer has are zeros (written once: the first pass counts) */
			static char chunk[65536];
			for (uint64_t off = 0; off < k->r.data_len;) {
				uint64_t want = k->r.data_len - off < sizeof chunk ? k->r.data_len - off : sizeof chunk;
				long n = k->srcpipe ? rsys3(__NR_read, k->srcfd, (long)chunk, (long)want)
						    : rsys4(__NR_pread64, k->srcfd, (long)chunk, (long)want, (long)off);
				if (n <= 0) {
					m_zero(chunk, want);
					n = (long)want;
				}
				put(s, chunk, (size_t)n);
				off += (uint64_t)n;
			}
		}
		put(s, zeros, (8 - k->r.data_len % 8) % 8);
	}
}

static void body_ckpt_sigaction(struct sink *s)
{
	put(s, sf.sigactions, sizeof sf.sigactions);
}

static void body_ckpt_sigmask(struct sink *s)
{
	put_u64(s, sf.threads[0].sigmask);
}

static void body_ckpt_cwd(struct sink *s)
{
	put(s, sf.cwd, sf.cwdlen);
}

static void body_ckpt_rseq(struct sink *s)
{
	put(s, &sf.rseq, sizeof sf.rseq);
}

static void body_ckpt_tidaddr(struct sink *s)
{
	put_u64(s, sf.tidaddr);
}

static void body_ckpt_maps(struct sink *s)
{
	for (int i = 0; i < sf.nmaps; i++) {
		const struct sf_map *m = &sf.maps[i];
		struct ckpt_map r = {
			.start = m->start,
			.end = m->end,
			.offset = m->offset,
			.prot = m->prot,
			.flags = m->flags,
			.dev = m->dev,
			.inode = m->inode,
			.size = m->size,
			.mtime_ns = m->mtime_ns,
			.path_len = padded_path_len(m->pathlen + 1),
		};
		put(s, &r, sizeof r);
		put_padded_path(s, sf.pool + m->path, m->pathlen + 1);
	}
}

static void body_ckpt_xstate(struct sink *s)
{
	body_xstate(s);
}

static void body_ckpt_mm(struct sink *s)
{
	put(s, &sf.mm, sizeof sf.mm);
}

static void body_ckpt_attrs(struct sink *s)
{
	put(s, &sf.attrs, sizeof sf.attrs);
}

/* One record per thread in the core, in NT_PRSTATUS order. */
static void body_ckpt_thread_attrs(struct sink *s)
{
	for (int i = 0; i < sf.nthr; i++)
		if (i == 0 || sf.threads[i].state == SF_T_READY) {
			struct ckpt_thread_attrs ta = sf.threads[i].ta;
			ta.tid = sf.threads[i].tid;
			put(s, &ta, sizeof ta);
		}
}

static void body_ckpt_timers(struct sink *s)
{
	put(s, sf.timers, (size_t)sf.ntimers * sizeof sf.timers[0]);
}

/* [vvar], [vdso] and [vsyscall] are the kernel's: their flags (dd) are not advice */
static int advised(const struct sf_map *m)
{
	return m->advice && m->special != PROC_VDSO && m->special != PROC_VVAR && m->special != PROC_VSYSCALL;
}

static void body_ckpt_madvise(struct sink *s)
{
	for (int i = 0; i < sf.nmaps; i++)
		if (advised(&sf.maps[i])) {
			struct ckpt_madvise m = { sf.maps[i].start, sf.maps[i].end, sf.maps[i].advice, 0 };
			put(s, &m, sizeof m);
		}
}

/* In the kernel's order: the first thread's NT_PRSTATUS, the process notes,
 * that thread's register sets, then each other thread's NT_PRSTATUS and
 * register sets. */
static void all_notes(struct sink *s)
{
	nt = &sf.threads[0];
	note(s, "CORE", NT_PRSTATUS, body_prstatus);
	note(s, "CORE", NT_PRPSINFO, body_prpsinfo);
	note(s, "CORE", NT_SIGINFO, body_siginfo);
	if (sf.auxvlen)
		note(s, "CORE", NT_AUXV, body_auxv);
	note(s, "CORE", NT_FILE, body_file);
	if (nt->fxsave)
		note(s, "CORE", NT_FPREGSET, body_fpregset);
	if (nt->xsave) {
		note(s, "LINUX", NT_X86_XSTATE, body_xstate);
		note(s, "LINUX", NT_X86_XSTATE_LAYOUT, body_xstate_layout);
	}
	for (int i = 1; i < sf.nthr; i++) {
		nt = &sf.threads[i];
		if (nt->state != SF_T_READY)
			continue;
		note(s, "CORE", NT_PRSTATUS, body_prstatus);
		if (nt->fxsave)
			note(s, "CORE", NT_FPREGSET, body_fpregset);
		if (nt->xsave)
			note(s, "LINUX", NT_X86_XSTATE, body_xstate);
	}
	nt = &sf.threads[0];
	/* CKPT_NT_XSTATE: one per thread when every thread has one, else the first's */
	int all_xsave = 1;
	for (int i = 0; i < sf.nthr; i++)
		if ((i == 0 || sf.threads[i].state == SF_T_READY) && !sf.threads[i].xsave)
			all_xsave = 0;

	note(s, CKPT_NOTE_OWNER, CKPT_NT_VERSION, body_ckpt_version);
	note(s, CKPT_NOTE_OWNER, CKPT_NT_FILES, body_ckpt_files);
	note(s, CKPT_NOTE_OWNER, CKPT_NT_SIGACTION, body_ckpt_sigaction);
	note(s, CKPT_NOTE_OWNER, CKPT_NT_SIGMASK, body_ckpt_sigmask);
	if (sf.cwdlen)
		note(s, CKPT_NOTE_OWNER, CKPT_NT_CWD, body_ckpt_cwd);
	note(s, CKPT_NOTE_OWNER, CKPT_NT_RSEQ, body_ckpt_rseq);
	note(s, CKPT_NOTE_OWNER, CKPT_NT_TIDADDR, body_ckpt_tidaddr);
	note(s, CKPT_NOTE_OWNER, CKPT_NT_MAPS, body_ckpt_maps);
	if (nt->xsave)
		note(s, CKPT_NOTE_OWNER, CKPT_NT_XSTATE, body_ckpt_xstate);
	for (int i = 1; all_xsave && i < sf.nthr; i++) {
		nt = &sf.threads[i];
		if (nt->state == SF_T_READY)
			note(s, CKPT_NOTE_OWNER, CKPT_NT_XSTATE, body_ckpt_xstate);
	}
	nt = &sf.threads[0];
	note(s, CKPT_NOTE_OWNER, CKPT_NT_MM, body_ckpt_mm);
	note(s, CKPT_NOTE_OWNER, CKPT_NT_ATTRS, body_ckpt_attrs);
	note(s, CKPT_NOTE_OWNER, CKPT_NT_THREAD_ATTRS, body_ckpt_thread_attrs);
	if (sf.ntimers)
		note(s, CKPT_NOTE_OWNER, CKPT_NT_POSIX_TIMERS, body_ckpt_timers);
	int any = 0;
	for (int i = 0; i < sf.nmaps; i++)
		any |= advised(&sf.maps[i]);
	if (any)
		note(s, CKPT_NOTE_OWNER, CKPT_NT_MADVISE, body_ckpt_madvise);
	if (sf.nkobjs)
		note(s, CKPT_NOTE_OWNER, CKPT_NT_KOBJ, body_ckpt_kobj);
}

int sf_write_core(int fd, const char **what)
{
	/* layout: header, phdrs, notes, then page-aligned content */
	int nload = 0;
	for (int i = 0; i < sf.nmaps; i++)
		nload += sf.maps[i].special != PROC_VSYSCALL;
	uint64_t phnum = (uint64_t)nload + 1;
	if (phnum >= PN_XNUM) {
		*what = "too many mappings for an ELF core";
		return -7;
	}
	uint64_t notes_off = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
	struct sink count = { .counting = 1, .pos = notes_off };
	all_notes(&count);
	uint64_t notes_size = count.pos - notes_off;
	uint64_t off = (count.pos + SF_PAGE - 1) & ~(SF_PAGE - 1);
	for (int i = 0; i < sf.nmaps; i++) {
		struct sf_map *m = &sf.maps[i];
		m->core_off = off;
		if (m->dump)
			off += m->end - m->start;
	}
	uint64_t total = off;

	struct sink s = { .fd = fd, .pos = 0, .bufpos = 0 };
	Elf64_Ehdr eh;
	m_zero(&eh, sizeof eh);
	eh.e_ident[EI_MAG0] = ELFMAG0;
	eh.e_ident[EI_MAG1] = ELFMAG1;
	eh.e_ident[EI_MAG2] = ELFMAG2;
	eh.e_ident[EI_MAG3] = ELFMAG3;
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof eh;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)phnum;
	put(&s, &eh, sizeof eh);

	Elf64_Phdr ph;
	m_zero(&ph, sizeof ph);
	ph.p_type = PT_NOTE;
	ph.p_offset = notes_off;
	ph.p_filesz = notes_size;
	ph.p_align = 4;
	put(&s, &ph, sizeof ph);
	for (int i = 0; i < sf.nmaps; i++) {
		const struct sf_map *m = &sf.maps[i];
		if (m->special == PROC_VSYSCALL)
			continue;
		m_zero(&ph, sizeof ph);
		ph.p_type = PT_LOAD;
		ph.p_flags = ((m->prot & PROT_READ) ? PF_R : 0) | ((m->prot & PROT_WRITE) ? PF_W : 0) |
			     ((m->prot & PROT_EXEC) ? PF_X : 0);
		ph.p_offset = m->core_off;
		ph.p_vaddr = m->start;
		ph.p_filesz = m->dump ? m->end - m->start : 0;
		ph.p_memsz = m->end - m->start;
		ph.p_align = SF_PAGE;
		put(&s, &ph, sizeof ph);
	}
	all_notes(&s);
	sink_flush(&s);
	sf_release_kobjs();
	if (s.err) {
		*what = "writing the notes";
		return s.err;
	}
	if (s.pos != notes_off + notes_size) {
		*what = "notes changed size while written";
		return -5;
	}

	int e = sf_write_memory(fd, what);
	if (e < 0)
		return e;
	long r = rsys2(__NR_ftruncate, fd, (long)total);
	if (r < 0) {
		*what = "setting the size";
		return (int)r;
	}
	return 0;
}
