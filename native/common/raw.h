/*
 * raw.h - what libsavefds.so may use inside a signal handler: raw system
 * calls (no errno, no libc wrappers), and tiny string and number helpers that
 * work on caller-supplied buffers. Nothing here allocates, locks or touches
 * stdio or the locale. System calls return the kernel's value: >= 0 on
 * success, -errno on failure.
 */
#ifndef SAVEFDS_RAW_H
#define SAVEFDS_RAW_H

#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>

static inline long rsys0(long n)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory");
	return r;
}

static inline long rsys1(long n, long a)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a) : "rcx", "r11", "memory");
	return r;
}

static inline long rsys2(long n, long a, long b)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

static inline long rsys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static inline long rsys4(long n, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return r;
}

static inline long rsys5(long n, long a, long b, long c, long d, long e)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long rsys6(long n, long a, long b, long c, long d, long e, long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/* ---- strings: no libc, bounded by the caller's sizes ---- */

static inline size_t s_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static inline int s_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static inline int s_starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

static inline int s_ends(const char *s, size_t len, const char *suffix)
{
	size_t k = s_len(suffix);
	if (len < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (s[len - k + i] != suffix[i])
			return 0;
	return 1;
}

static inline void m_copy(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;
	while (n--)
		*d++ = *s++;
}

static inline void m_zero(void *dst, size_t n)
{
	volatile char *d = dst;	/* volatile: keep gcc from calling memset */
	while (n--)
		*d++ = 0;
}

/* A bounded output buffer for building text lines. */
struct strbuf {
	char *p;
	size_t len, cap;
	int overflow;
};

static inline void sb_putc(struct strbuf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->p[b->len++] = c;
	else
		b->overflow = 1;
	if (b->cap)
		b->p[b->len] = 0;
}

static inline void sb_puts(struct strbuf *b, const char *s)
{
	while (*s)
		sb_putc(b, *s++);
}

static inline void sb_putn(struct strbuf *b, const char *s, size_t n)
{
	while (n--)
		sb_putc(b, *s++);
}

/* Unsigned number in base 8, 10 or 16 (lower case), no prefix. */
static inline void sb_u(struct strbuf *b, uint64_t v, unsigned base)
{
	char tmp[24];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % base);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n)
		sb_putc(b, tmp[--n]);
}

static inline void sb_i(struct strbuf *b, int64_t v)
{
	if (v < 0) {
		sb_putc(b, '-');
		sb_u(b, (uint64_t)0 - (uint64_t)v, 10);
	} else
		sb_u(b, (uint64_t)v, 10);
}

/* Parses an unsigned number in base 8, 10 or 16 at *s, advancing *s. */
static inline uint64_t p_u(const char **s, unsigned base)
{
	uint64_t v = 0;
	for (;;) {
		char c = **s;
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
		(*s)++;
	}
	return v;
}

static inline int64_t p_i(const char **s)
{
	int neg = 0;
	if (**s == '-') {
		neg = 1;
		(*s)++;
	}
	uint64_t v = p_u(s, 10);
	return neg ? -(int64_t)v : (int64_t)v;
}

static inline void p_skip_spaces(const char **s)
{
	while (**s == ' ' || **s == '\t')
		(*s)++;
}

#endif
