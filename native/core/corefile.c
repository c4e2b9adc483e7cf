/*
 * corefile.c - bounds-checked reading of x86-64 ELF cores and ELF files.
 * Never logs; every failure leaves a one-line reason in ->err.
 */
#include "corefile.h"
#include "elfutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PRSTATUS_SIZE   336
#define PRSTATUS_REGOFF 112
#define PRPSINFO_SIZE   136

/* The number of program headers: e_phnum, or with PN_XNUM (65535 or more, as the
 * kernel writes for a process with that many mappings) sh_info of section header 0. */
static int count_phdrs(int fd, uint64_t size, const Elf64_Ehdr *eh, uint64_t *n, char *err)
{
	Elf64_Shdr sh;
	*n = eh->e_phnum;
	if (*n != PN_XNUM)
		return 0;
	if (eh->e_shentsize < sizeof sh)
		return fail(err, "e_phnum is PN_XNUM but e_shentsize is %u", eh->e_shentsize);
	if (!fits(eh->e_shoff, sizeof sh, size) || read_exact(fd, &sh, sizeof sh, eh->e_shoff) != 0)
		return fail(err, "e_phnum is PN_XNUM but section header 0 is past the end of the file");
	*n = sh.sh_info;
	return 0;
}

/* ---- notes ---- */

static int parse_prstatus(struct core *c, const struct core_note *n)
{
	struct core_thread *t;
	if (n->descsz < PRSTATUS_SIZE)
		return fail(c->err, "NT_PRSTATUS note too short (%u bytes)", n->descsz);
	if (c->nthreads >= CORE_MAX_THREADS)
		return fail(c->err, "too many threads (NT_PRSTATUS notes)");
	t = &c->threads[c->nthreads];
	memset(t, 0, sizeof *t);
	memcpy(&t->pid, n->desc + 32, 4);
	for (size_t i = 0; i < c->nthreads; i++)
		if (c->threads[i].pid == t->pid)
			return fail(c->err, "thread %d has two NT_PRSTATUS notes", t->pid);
	c->nthreads++;
	int16_t cursig;
	memcpy(&cursig, n->desc + 12, 2);
	t->cursig = cursig;
	memcpy(&t->sigpend, n->desc + 16, 8);
	memcpy(&t->sighold, n->desc + 24, 8);
	memcpy(&t->pid, n->desc + 32, 4);
	memcpy(&t->regs, n->desc + PRSTATUS_REGOFF, sizeof t->regs);
	return 0;
}

static int parse_nt_file(struct core *c, const struct core_note *n)
{
	uint64_t count, pagesz, i;
	const uint8_t *d = n->desc, *strs, *end = n->desc + n->descsz;
	if (n->descsz < 16)
		return fail(c->err, "NT_FILE note too short");
	memcpy(&count, d, 8);
	memcpy(&pagesz, d + 8, 8);
	if (count > (n->descsz - 16) / 24)
		return fail(c->err, "NT_FILE note: absurd entry count %lu", (unsigned long)count);
	if (pagesz == 0 || pagesz > (1u << 30) || (pagesz & (pagesz - 1)))
		return fail(c->err, "NT_FILE note: bad page size %lu", (unsigned long)pagesz);
	c->fmaps = calloc(count ? count : 1, sizeof *c->fmaps);
	if (c->fmaps == NULL)
		return fail(c->err, "out of memory");
	strs = d + 16 + count * 24;
	for (i = 0; i < count; i++) {
		struct core_fmap *f = &c->fmaps[i];
		uint64_t pgoff;
		const uint8_t *z;
		memcpy(&f->start, d + 16 + i * 24, 8);
		memcpy(&f->end, d + 16 + i * 24 + 8, 8);
		memcpy(&pgoff, d + 16 + i * 24 + 16, 8);
		if (f->end <= f->start)
			return fail(c->err, "NT_FILE note: empty or reversed range");
		if (pgoff > UINT64_MAX / pagesz)
			return fail(c->err, "NT_FILE note: absurd file offset");
		f->offset = pgoff * pagesz;
		if (strs >= end)
			return fail(c->err, "NT_FILE note: file names truncated");
		z = memchr(strs, 0, (size_t)(end - strs));
		if (z == NULL)
			return fail(c->err, "NT_FILE note: unterminated file name");
		f->path = (const char *)strs;
		strs = z + 1;
	}
	c->nfmaps = count;
	return 0;
}

static int want_size(struct core *c, const struct core_note *n, uint32_t size, const char *what)
{
	if (n->descsz < size)
		return fail(c->err, "CKPT %s note too short (%u bytes)", what, n->descsz);
	return 0;
}

/* The CKPT note of TYPE seen before N, if any (CKPT_NT_XSTATE comes once per thread). */
static int ckpt_seen(const struct core *c, const struct core_note *n)
{
	for (const struct core_note *o = c->notes; o < n; o++)
		if (o->type == n->type && strcmp(o->owner, CKPT_NOTE_OWNER) == 0)
			return 1;
	return 0;
}

/* The CKPT note types this reader understands (docs/IMAGE-FORMAT.md, "Versions"). */
static int ckpt_known(uint32_t type)
{
	return (type >= CKPT_NT_VERSION && type <= CKPT_NT_MM) || type == CKPT_NT_ORIGIN ||
	       type == CKPT_NT_ATTRS || type == CKPT_NT_THREAD_ATTRS || type == CKPT_NT_POSIX_TIMERS ||
	       type == CKPT_NT_MADVISE || type == CKPT_NT_KOBJ;
}

static int parse_ckpt(struct core *c, const struct core_note *n)
{
	struct core_ckpt *k = &c->ckpt;
	if (n->type < CKPT_NT_FIRST_INFO && !ckpt_known(n->type))
		return fail(c->err, "CKPT note type %u is unknown to this reader: a newer ckpt wrote the image", n->type);
	if (n->type != CKPT_NT_XSTATE && ckpt_known(n->type) && ckpt_seen(c, n))
		return fail(c->err, "more than one CKPT note of type %u", n->type);
	switch (n->type) {
	case CKPT_NT_VERSION:
		if (want_size(c, n, sizeof *k->version, "VERSION")) return -1;
		k->version = (const void *)n->desc;
		if (k->version->version != CKPT_IMAGE_VERSION)
			return fail(c->err, "CKPT image version %u not supported (this restart reads version %u)",
				    k->version->version, CKPT_IMAGE_VERSION);
		break;
	case CKPT_NT_FILES:
		k->files = n->desc; k->files_len = n->descsz;
		break;
	case CKPT_NT_SIGACTION:
		if (want_size(c, n, 64 * sizeof(struct ckpt_sigaction), "SIGACTION")) return -1;
		k->sigaction = (const void *)n->desc;
		break;
	case CKPT_NT_SIGMASK:
		if (want_size(c, n, 8, "SIGMASK")) return -1;
		k->sigmask = (const void *)n->desc;
		break;
	case CKPT_NT_CWD:
		if (n->descsz == 0 || memchr(n->desc, 0, n->descsz) == NULL)
			return fail(c->err, "CKPT CWD note not NUL-terminated");
		k->cwd = (const char *)n->desc;
		break;
	case CKPT_NT_RSEQ:
		if (want_size(c, n, sizeof *k->rseq, "RSEQ")) return -1;
		k->rseq = (const void *)n->desc;
		break;
	case CKPT_NT_TIDADDR:
		if (want_size(c, n, 8, "TIDADDR")) return -1;
		k->tidaddr = (const void *)n->desc;
		break;
	case CKPT_NT_MAPS:
		k->maps = n->desc; k->maps_len = n->descsz;
		break;
	case CKPT_NT_XSTATE:   /* one per thread, in NT_PRSTATUS order */
		if (want_size(c, n, 576, "XSTATE")) return -1;
		if (n->descsz % 8 != 0)
			return fail(c->err, "CKPT XSTATE note has %u bytes, not a multiple of 8", n->descsz);
		if (k->nxstate == 0) {
			k->xstate = n->desc;
			k->xstate_len = n->descsz;
		}
		if (k->nxstate < c->nthreads) {
			c->threads[k->nxstate].ckpt_xstate = n->desc;
			c->threads[k->nxstate].ckpt_xstate_len = n->descsz;
		}
		k->nxstate++;
		break;
	case CKPT_NT_MM:
		if (want_size(c, n, sizeof *k->mm, "MM")) return -1;
		k->mm = (const void *)n->desc;
		break;
	case CKPT_NT_KOBJ: {
		uint32_t pos = 0;
		const struct ckpt_kobj *r;
		const uint8_t *data;
		int res;
		while ((res = ckpt_next_kobj(n->desc, n->descsz, &pos, &r, &data)) == 1)
			if (r->type < CKPT_KOBJ_PIPE || r->type > CKPT_KOBJ_PIDFD || r->fd < 0)
				return fail(c->err, "CKPT KOBJ record of fd %d has type %u, unknown here "
					    "(a newer ckpt wrote it)", r->fd, r->type);
		if (res < 0)
			return fail(c->err, "CKPT KOBJ note has a malformed record at byte %u", pos);
		k->kobj = n->desc; k->kobj_len = n->descsz;
		break;
	}
	case CKPT_NT_ATTRS:
		if (want_size(c, n, sizeof *k->attrs, "ATTRS")) return -1;
		k->attrs = (const void *)n->desc;
		break;
	case CKPT_NT_THREAD_ATTRS:
		if (n->descsz % sizeof(struct ckpt_thread_attrs) != 0)
			return fail(c->err, "CKPT THREAD_ATTRS note has %u bytes, not a multiple of %zu", n->descsz,
				    sizeof(struct ckpt_thread_attrs));
		k->thread_attrs = (const void *)n->desc;
		k->nthread_attrs = n->descsz / sizeof(struct ckpt_thread_attrs);
		break;
	case CKPT_NT_POSIX_TIMERS:
		if (n->descsz % sizeof(struct ckpt_posix_timer) != 0)
			return fail(c->err, "CKPT POSIX_TIMERS note has %u bytes, not a multiple of %zu", n->descsz,
				    sizeof(struct ckpt_posix_timer));
		k->timers = (const void *)n->desc;
		k->ntimers = n->descsz / sizeof(struct ckpt_posix_timer);
		break;
	case CKPT_NT_MADVISE:
		if (n->descsz % sizeof(struct ckpt_madvise) != 0)
			return fail(c->err, "CKPT MADVISE note has %u bytes, not a multiple of %zu", n->descsz,
				    sizeof(struct ckpt_madvise));
		k->madvise = (const void *)n->desc;
		k->nmadvise = n->descsz / sizeof(struct ckpt_madvise);
		break;
	case CKPT_NT_ORIGIN:    /* informational: the engine does not need it */
	default:
		break;  /* informational types (128 and up) this reader does not know */
	}
	return 0;
}

static int interpret_notes(struct core *c)
{
	size_t i, nprstatus = 0;
	for (i = 0; i < c->nnotes; i++)
		if (c->notes[i].type == NT_PRSTATUS && strcmp(c->notes[i].owner, "CORE") == 0)
			nprstatus++;
	if (nprstatus == 0)
		return fail(c->err, "core has no NT_PRSTATUS note (no registers)");
	if (nprstatus > CORE_MAX_THREADS)
		return fail(c->err, "too many threads (%zu NT_PRSTATUS notes)", nprstatus);
	c->threads = calloc(nprstatus, sizeof *c->threads);
	if (c->threads == NULL)
		return fail(c->err, "out of memory");

	for (i = 0; i < c->nnotes; i++) {
		const struct core_note *n = &c->notes[i];
		struct core_thread *t = c->nthreads ? &c->threads[c->nthreads - 1] : NULL;
		if (strcmp(n->owner, "CKPT") == 0) {
			if (parse_ckpt(c, n) != 0)
				return -1;
			continue;
		}
		if (strcmp(n->owner, "CORE") != 0 && strcmp(n->owner, "LINUX") != 0)
			continue;
		switch (n->type) {
		case NT_PRSTATUS:
			if (parse_prstatus(c, n) != 0)
				return -1;
			break;
		case NT_PRPSINFO:
			if (n->descsz < PRPSINFO_SIZE)
				return fail(c->err, "NT_PRPSINFO note too short (%u bytes)", n->descsz);
			memcpy(&c->tgid, n->desc + 24, 4);
			memcpy(c->fname_buf, n->desc + 40, 16);
			memcpy(c->psargs_buf, n->desc + 56, 80);
			c->fname = c->fname_buf;
			c->psargs = c->psargs_buf;
			c->has_prpsinfo = 1;
			break;
		case NT_AUXV:
			if (n->descsz % 16 != 0)
				return fail(c->err, "NT_AUXV note size %u not a multiple of 16", n->descsz);
			c->auxv = (const void *)n->desc;
			c->nauxv = n->descsz / 16;
			break;
		case NT_FILE:
			if (c->fmaps == NULL && parse_nt_file(c, n) != 0)
				return -1;
			break;
		case NT_FPREGSET:
			if (t && n->descsz >= 512)
				t->fpregs = n->desc;
			break;
		case NT_X86_XSTATE:
			if (t && n->descsz >= 576) {
				t->xstate = n->desc;
				t->xstate_len = n->descsz;
			}
			break;
		default:
			break;
		}
	}
	if (c->tgid == 0)
		c->tgid = c->threads[0].pid;
	for (i = 0; i < c->nthreads; i++)
		if (c->threads[i].pid == c->tgid)
			c->leader = i;
	return 0;
}

/* Reads every PT_NOTE segment into one buffer and splits it into notes. */
static int read_notes(struct core *c, const Elf64_Phdr *ph, size_t phnum)
{
	size_t i, total = 0, cap = 0, pos;
	for (i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		if (!fits(ph[i].p_offset, ph[i].p_filesz, c->size))
			return fail(c->err, "note segment past the end of the file (truncated?)");
		if (ph[i].p_filesz > CORE_MAX_NOTES_LEN || total + ph[i].p_filesz > CORE_MAX_NOTES_LEN)
			return fail(c->err, "absurd note segment size %lu", (unsigned long)ph[i].p_filesz);
		total += ph[i].p_filesz;
	}
	if (total == 0)
		return fail(c->err, "core has no notes");
	c->notebuf = malloc(total + 1);
	if (c->notebuf == NULL)
		return fail(c->err, "out of memory");
	c->notelen = total;
	for (i = 0, pos = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_NOTE || ph[i].p_filesz == 0)
			continue;
		if (read_exact(c->fd, c->notebuf + pos, ph[i].p_filesz, ph[i].p_offset) != 0)
			return fail(c->err, "cannot read notes (truncated?)");
		/* notes of one segment never run into the next: parse per segment */
		size_t end = pos + ph[i].p_filesz, p = pos;
		while (p < end) {
			uint32_t namesz, descsz, type;
			size_t nameoff, descoff, next;
			if (end - p < 12)
				return fail(c->err, "truncated note header");
			memcpy(&namesz, c->notebuf + p, 4);
			memcpy(&descsz, c->notebuf + p + 4, 4);
			memcpy(&type, c->notebuf + p + 8, 4);
			nameoff = p + 12;
			if (namesz > end - nameoff)
				return fail(c->err, "note name runs past the note segment");
			descoff = nameoff + (((size_t)namesz + 3) & ~(size_t)3);
			if (descoff > end || descsz > end - descoff)
				return fail(c->err, "note data runs past the note segment (type %u, %u bytes)", type, descsz);
			next = descoff + (((size_t)descsz + 3) & ~(size_t)3);
			if (next > end)
				next = end;   /* the last note may lack padding */
			if (namesz == 0 || c->notebuf[nameoff + namesz - 1] != 0)
				return fail(c->err, "note name not NUL-terminated");
			if (c->nnotes == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				void *nn = realloc(c->notes, ncap * sizeof *c->notes);
				if (nn == NULL)
					return fail(c->err, "out of memory");
				c->notes = nn;
				cap = ncap;
			}
			c->notes[c->nnotes].type = type;
			c->notes[c->nnotes].descsz = descsz;
			c->notes[c->nnotes].owner = (const char *)c->notebuf + nameoff;
			c->notes[c->nnotes].desc = c->notebuf + descoff;
			c->nnotes++;
			p = next;
		}
		pos = end;
	}
	/* desc pointers are only 4-byte aligned in the file; copy each desc to
	 * an 8-aligned place when needed is not required: readers use memcpy or
	 * the CKPT structs, which the writers keep 8-aligned relative to the
	 * buffer start only by luck, so realign CKPT descs here. */
	for (i = 0; i < c->nnotes; i++) {
		struct core_note *n = &c->notes[i];
		if (((uintptr_t)n->desc & 7) != 0 && n->descsz > 0) {
			uint8_t *copy = malloc(n->descsz);
			if (copy == NULL)
				return fail(c->err, "out of memory");
			memcpy(copy, n->desc, n->descsz);
			n->desc = copy;  /* freed in core_close (not inside notebuf) */
		}
	}
	return 0;
}

int core_open(struct core *c, const char *path)
{
	struct stat st;
	Elf64_Phdr *ph = NULL;
	size_t i, nload = 0;
	uint64_t phnum;

	memset(c, 0, sizeof *c);
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0)
		return fail(c->err, "cannot open: %s", strerror(errno));
	if (fstat(c->fd, &st) != 0)
		return fail(c->err, "cannot stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(c->err, "not a regular file");
	c->size = (uint64_t)st.st_size;
	if (c->size < sizeof c->eh) {
		if (c->size >= SELFMAG) {
			unsigned char m[SELFMAG];
			if (read_exact(c->fd, m, SELFMAG, 0) == 0 && memcmp(m, ELFMAG, SELFMAG) == 0)
				return fail(c->err, "truncated ELF header (%lu bytes)", (unsigned long)c->size);
		}
		return fail(c->err, "not an ELF file (only %lu bytes)", (unsigned long)c->size);
	}
	if (read_exact(c->fd, &c->eh, sizeof c->eh, 0) != 0)
		return fail(c->err, "cannot read the ELF header");
	if (check_ident(&c->eh, c->err, ET_CORE) != 0)
		return -1;
	if (count_phdrs(c->fd, c->size, &c->eh, &phnum, c->err) != 0)
		return -1;
	if (phnum == 0)
		return fail(c->err, "core has no program headers");
	if (read_phdrs(c->fd, c->size, &c->eh, phnum, &ph, c->err) != 0) {
		free(ph);
		return -1;
	}
	for (i = 0; i < phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			nload++;
	c->segs = calloc(nload ? nload : 1, sizeof *c->segs);
	if (c->segs == NULL) {
		free(ph);
		return fail(c->err, "out of memory");
	}
	for (i = 0; i < phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		int bad = 0;
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz > p->p_memsz)
			bad = fail(c->err, "segment at 0x%lx: file size larger than memory size", (unsigned long)p->p_vaddr);
		else if (!fits(p->p_vaddr, p->p_memsz, UINT64_MAX))
			bad = fail(c->err, "segment at 0x%lx wraps around the address space", (unsigned long)p->p_vaddr);
		else if (!fits(p->p_offset, p->p_filesz, c->size))
			bad = fail(c->err, "segment at 0x%lx runs past the end of the file (truncated core?)",
				   (unsigned long)p->p_vaddr);
		if (bad) {
			free(ph);
			return -1;
		}
		c->segs[c->nsegs++] = (struct core_seg){ p->p_vaddr, p->p_memsz, p->p_offset, p->p_filesz, p->p_flags };
	}
	if (read_notes(c, ph, phnum) != 0) {
		free(ph);
		return -1;
	}
	free(ph);
	return interpret_notes(c);
}

void core_close(struct core *c)
{
	size_t i;
	if (c->notes)
		for (i = 0; i < c->nnotes; i++)
			if (c->notebuf && (c->notes[i].desc < c->notebuf || c->notes[i].desc >= c->notebuf + c->notelen + 1))
				free((void *)c->notes[i].desc);
	free(c->notes);
	free(c->notebuf);
	free(c->segs);
	free(c->threads);
	free(c->fmaps);
	if (c->fd > 0)
		close(c->fd);
	c->fd = -1;
}

uint64_t core_auxv(const struct core *c, uint64_t type)
{
	for (size_t i = 0; i < c->nauxv; i++) {
		uint64_t t, v;
		memcpy(&t, &c->auxv[2 * i], 8);
		memcpy(&v, &c->auxv[2 * i + 1], 8);
		if (t == type)
			return v;
		if (t == AT_NULL)
			break;
	}
	return 0;
}

const struct core_seg *core_seg_at(const struct core *c, uint64_t addr)
{
	for (size_t i = 0; i < c->nsegs; i++) {
		const struct core_seg *s = &c->segs[i];
		if (addr >= s->vaddr && addr - s->vaddr < s->filesz)
			return s;
	}
	return NULL;
}

int core_read_mem(const struct core *c, uint64_t addr, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		const struct core_seg *s = core_seg_at(c, addr);
		uint64_t avail, n;
		if (s == NULL)
			return -1;
		avail = s->filesz - (addr - s->vaddr);
		n = len < avail ? len : avail;
		if (read_exact(c->fd, p, n, s->offset + (addr - s->vaddr)) != 0)
			return -1;
		p += n; len -= n; addr += n;
	}
	return 0;
}

static int next_record(const uint8_t *buf, uint32_t len, uint32_t *pos, size_t hdr,
		       uint32_t path_len_off, const void **rec, const char **path)
{
	uint32_t plen;
	if (*pos == len)
		return 0;
	if (*pos > len || len - *pos < hdr)
		return -1;
	memcpy(&plen, buf + *pos + path_len_off, 4);
	if (plen == 0 || plen % 8 != 0 || plen > len - *pos - hdr)
		return -1;
	if (memchr(buf + *pos + hdr, 0, plen) == NULL)
		return -1;
	*rec = buf + *pos;
	*path = (const char *)buf + *pos + hdr;
	*pos += (uint32_t)hdr + plen;
	return 1;
}

int ckpt_next_file(const uint8_t *buf, uint32_t len, uint32_t *pos,
		   const struct ckpt_file **rec, const char **path)
{
	return next_record(buf, len, pos, sizeof **rec, offsetof(struct ckpt_file, path_len),
			   (const void **)rec, path);
}

int ckpt_next_map(const uint8_t *buf, uint32_t len, uint32_t *pos,
		  const struct ckpt_map **rec, const char **path)
{
	return next_record(buf, len, pos, sizeof **rec, offsetof(struct ckpt_map, path_len),
			   (const void **)rec, path);
}

int ckpt_next_kobj(const uint8_t *buf, uint32_t len, uint32_t *pos,
		   const struct ckpt_kobj **rec, const uint8_t **data)
{
	const struct ckpt_kobj *r;
	if (*pos == len)
		return 0;
	if (*pos > len || len - *pos < sizeof *r)
		return -1;
	r = (const void *)(buf + *pos);
	uint64_t padded = ((uint64_t)r->data_len + 7) & ~7ull;
	if (padded > len - *pos - sizeof *r)
		return -1;
	*rec = r;
	*data = buf + *pos + sizeof *r;
	*pos += (uint32_t)(sizeof *r + padded);
	return 1;
}
