/*
 * elffile.c - bounds-checked reading of the ELF files a core names (the
 * executable, libraries): program headers, symbols, the GNU build-id.
 * Never logs; every failure leaves a one-line reason in ->err.
 */
#include "corefile.h"
#include "elfutil.h"

#include <fcntl.h>
#include <sys/stat.h>

int elf_open(struct elf_file *e, const char *path)
{
	struct stat st;
	memset(e, 0, sizeof *e);
	e->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO named by a core must not block */
	if (e->fd < 0)
		return fail(e->err, "cannot open: %s", strerror(errno));
	if (fstat(e->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return fail(e->err, "not a regular file");
	e->size = (uint64_t)st.st_size;
	if (e->size < sizeof e->eh || read_exact(e->fd, &e->eh, sizeof e->eh, 0) != 0)
		return fail(e->err, "not an ELF file (too short)");
	if (check_ident(&e->eh, e->err, ET_EXEC) != 0)
		return -1;
	if (e->eh.e_phnum == PN_XNUM)
		return fail(e->err, "extended program header count (PN_XNUM) in an executable");
	if (read_phdrs(e->fd, e->size, &e->eh, e->eh.e_phnum, &e->ph, e->err) != 0)
		return -1;
	e->phnum = e->eh.e_phnum;
	return 0;
}

void elf_close(struct elf_file *e)
{
	free(e->ph);
	e->ph = NULL;
	if (e->fd > 0)
		close(e->fd);
	e->fd = -1;
}

int elf_prot_at_offset(const struct elf_file *e, uint64_t off)
{
	for (size_t i = 0; i < e->phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		uint64_t start = p->p_offset & ~(uint64_t)0xfff;
		if (p->p_type == PT_LOAD && off >= start && off - start < (p->p_offset - start) + p->p_filesz)
			return (int)p->p_flags;
	}
	return -1;
}

static int lookup_in(struct elf_file *e, const Elf64_Shdr *sh, size_t shnum, uint32_t symtype,
		     const char *name, uint64_t *value)
{
	for (size_t i = 0; i < shnum; i++) {
		const Elf64_Shdr *s = &sh[i], *strs;
		size_t nsyms, j, namelen = strlen(name);
		if (s->sh_type != symtype || s->sh_entsize != sizeof(Elf64_Sym) || s->sh_link >= shnum)
			continue;
		strs = &sh[s->sh_link];
		if (!fits(s->sh_offset, s->sh_size, e->size) || !fits(strs->sh_offset, strs->sh_size, e->size))
			continue;
		nsyms = s->sh_size / sizeof(Elf64_Sym);
		for (j = 0; j < nsyms; j++) {
			Elf64_Sym sym;
			char nm[128];
			if (read_exact(e->fd, &sym, sizeof sym, s->sh_offset + j * sizeof sym) != 0)
				break;
			if (sym.st_name >= strs->sh_size || namelen + 1 > sizeof nm)
				continue;
			if (strs->sh_size - sym.st_name < namelen + 1)
				continue;
			if (read_exact(e->fd, nm, namelen + 1, strs->sh_offset + sym.st_name) != 0)
				continue;
			if (memcmp(nm, name, namelen + 1) == 0 && sym.st_shndx != SHN_UNDEF) {
				*value = sym.st_value;
				return 0;
			}
		}
	}
	return -1;
}

int elf_find_symbol(struct elf_file *e, const char *name, uint64_t *value)
{
	Elf64_Shdr *sh;
	size_t shnum = e->eh.e_shnum;
	int r;
	if (shnum == 0 || shnum > 65535 || e->eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    !fits(e->eh.e_shoff, shnum * sizeof(Elf64_Shdr), e->size))
		return fail(e->err, "no usable section headers");
	sh = calloc(shnum, sizeof *sh);
	if (sh == NULL)
		return fail(e->err, "out of memory");
	if (read_exact(e->fd, sh, shnum * sizeof *sh, e->eh.e_shoff) != 0) {
		free(sh);
		return fail(e->err, "cannot read section headers");
	}
	r = lookup_in(e, sh, shnum, SHT_DYNSYM, name, value);
	if (r != 0)
		r = lookup_in(e, sh, shnum, SHT_SYMTAB, name, value);
	free(sh);
	if (r != 0)
		return fail(e->err, "symbol %s not found", name);
	return 0;
}

size_t elf_build_id(const uint8_t *head, size_t len, uint8_t id[ELF_BUILD_ID_MAX])
{
	Elf64_Ehdr eh;
	if (len < sizeof eh)
		return 0;
	memcpy(&eh, head, sizeof eh);
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return 0;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t off = eh.e_phoff + i * sizeof ph, pos, end, align;
		if (!fits(eh.e_phoff, (i + 1) * sizeof ph, len))
			break;
		memcpy(&ph, head + off, sizeof ph);
		if (ph.p_type != PT_NOTE || !fits(ph.p_offset, ph.p_filesz, len))
			continue;
		align = ph.p_align == 8 ? 8 : 4;
		pos = ph.p_offset;
		end = ph.p_offset + ph.p_filesz;
		while (end - pos >= 12) {
			uint32_t w[3];
			memcpy(w, head + pos, sizeof w);
			uint64_t name = pos + 12, desc = name + ((w[0] + align - 1) & ~(align - 1));
			if (desc > end || !fits(desc, w[1], end))
				break;
			if (w[2] == NT_GNU_BUILD_ID && w[0] == 4 && memcmp(head + name, "GNU", 4) == 0 &&
			    w[1] > 0 && w[1] <= ELF_BUILD_ID_MAX) {
				memcpy(id, head + desc, w[1]);
				return w[1];
			}
			pos = desc + ((w[1] + align - 1) & ~(align - 1));
			if (pos > end)
				break;
		}
	}
	return 0;
}
