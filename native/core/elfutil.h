/*
 * elfutil.h - bounds-checked reading helpers shared by the core reader
 * (corefile.c) and the ELF file reader (elffile.c). Internal to native/core.
 */
#ifndef CKPT_ELFUTIL_H
#define CKPT_ELFUTIL_H

#include "corefile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int fail(char *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, CORE_ERR_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* a + b <= limit, without overflow */
static inline int fits(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

static inline int read_exact(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n; len -= (size_t)n; off += (uint64_t)n;
	}
	return 0;
}

static inline int check_ident(const Elf64_Ehdr *eh, char *err, int want_type)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(err, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, "not a 64-bit ELF file (class %u)", eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, "not a little-endian ELF file");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return fail(err, "unknown ELF version %u", eh->e_ident[EI_VERSION]);
	if (eh->e_machine != EM_X86_64)
		return fail(err, "ELF file for another machine (e_machine %u, not x86-64)", eh->e_machine);
	if (want_type == ET_CORE && eh->e_type != ET_CORE)
		return fail(err, "ELF file but not a core file (e_type %u)", eh->e_type);
	if (want_type != ET_CORE && eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(err, "not an executable or shared object (e_type %u)", eh->e_type);
	if (eh->e_phnum > 0 && eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, "bad program header size %u", eh->e_phentsize);
	return 0;
}

static inline int read_phdrs(int fd, uint64_t size, const Elf64_Ehdr *eh, uint64_t n, Elf64_Phdr **out, char *err)
{
	uint64_t len;
	if (n > CORE_MAX_PHNUM)
		return fail(err, "absurd program header count %lu", (unsigned long)n);
	len = n * sizeof(Elf64_Phdr);
	if (!fits(eh->e_phoff, len, size))
		return fail(err, "program headers past the end of the file (truncated?)");
	*out = calloc(n ? n : 1, sizeof(Elf64_Phdr));
	if (*out == NULL)
		return fail(err, "out of memory");
	if (n && read_exact(fd, *out, len, eh->e_phoff) != 0)
		return fail(err, "cannot read program headers");
	return 0;
}

#endif
