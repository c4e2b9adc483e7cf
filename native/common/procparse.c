/*
 * procparse.c - the one parser of /proc text (procparse.h): pure functions,
 * async-signal-safe (raw.h helpers only).
 */
#include <sys/mman.h>

#include "procparse.h"
#include "raw.h"

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A hexadecimal number of at least one digit; -1 if there is none. */
static int hex_field(const char **s, uint64_t *v)
{
	if (!is_hex(**s))
		return -1;
	*v = p_u(s, 16);
	return 0;
}

static uint64_t make_dev(uint64_t major, uint64_t minor)
{
	/* glibc's makedev, the st_dev encoding */
	return ((major & 0xfffull) << 8) | ((major & ~0xfffull) << 32) | (minor & 0xffull) |
	       ((minor & ~0xffull) << 12);
}

static int name_is(const char *s, size_t n, const char *want)
{
	size_t k = s_len(want);
	if (n != k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (s[i] != want[i])
			return 0;
	return 1;
}

int proc_parse_map_line(const char *s, struct proc_map *m)
{
	uint64_t major, minor;
	m_zero(m, sizeof *m);
	if (hex_field(&s, &m->start) < 0 || *s++ != '-' || hex_field(&s, &m->end) < 0 || *s++ != ' ')
		return -22;
	for (int i = 0; i < 4; i++)
		if (s[i] == 0 || s[i] == ' ' || s[i] == '\n')
			return -22;
	if (s[0] == 'r')
		m->prot |= PROT_READ;
	if (s[1] == 'w')
		m->prot |= PROT_WRITE;
	if (s[2] == 'x')
		m->prot |= PROT_EXEC;
	if (s[3] == 's')
		m->flags |= CKPT_MAP_SHARED;
	s += 4;
	p_skip_spaces(&s);
	if (hex_field(&s, &m->offset) < 0)
		return -22;
	p_skip_spaces(&s);
	if (hex_field(&s, &major) < 0 || *s++ != ':' || hex_field(&s, &minor) < 0)
		return -22;
	m->dev = make_dev(major, minor);
	p_skip_spaces(&s);
	if (*s < '0' || *s > '9')
		return -22;
	m->inode = p_u(&s, 10);
	p_skip_spaces(&s);
	size_t n = 0;
	while (s[n] && s[n] != '\n')
		n++;
	m->name = s;
	m->namelen = n;
	if (name_is(s, n, "[vdso]"))
		m->special = PROC_VDSO;
	else if (s_starts(s, "[vvar"))          /* [vvar], [vvar_vclock] */
		m->special = PROC_VVAR;
	else if (name_is(s, n, "[vsyscall]"))
		m->special = PROC_VSYSCALL;
	else if (name_is(s, n, "[stack]"))
		m->special = PROC_STACK;
	else if (name_is(s, n, "[heap]"))
		m->special = PROC_HEAP;
	m->deleted = n > 0 && s[0] == '/' && s_ends(s, n, " (deleted)");
	if (m->special == PROC_STACK)
		m->flags |= CKPT_MAP_GROWSDOWN;
	return 0;
}

int proc_parse_stat(const char *buf, size_t len, int64_t field[64], char *comm, size_t commcap)
{
	m_zero(field, 64 * sizeof *field);
	if (comm && commcap)
		comm[0] = 0;
	/* field 2 is "(comm)", which may hold spaces and parentheses: it ends at the last ')' */
	size_t open = 0, close = len;
	while (open < len && buf[open] && buf[open] != '(')
		open++;
	if (open == len || buf[open] != '(')
		return -22;
	for (size_t i = open; i < len; i++)
		if (buf[i] == 0) {
			len = i;   /* the text ends at a NUL */
			break;
		}
	for (size_t i = open + 1; i < len; i++)
		if (buf[i] == ')')
			close = i;
	if (close == len)
		return -22;
	const char *s = buf;
	p_skip_spaces(&s);
	field[1] = p_i(&s);
	if (comm && commcap) {
		size_t k = 0;
		for (size_t i = open + 1; i < close && k < commcap - 1; i++)
			comm[k++] = buf[i];
		comm[k] = 0;
	}
	size_t i = close + 1;
	while (i < len && buf[i] == ' ')
		i++;
	if (i == len)
		return 0;
	field[3] = (unsigned char)buf[i++];
	for (int k = 4; k < 64; k++) {
		while (i < len && buf[i] == ' ')
			i++;
		if (i == len || buf[i] == '\n')
			break;
		int neg = buf[i] == '-';
		i += (size_t)neg;
		uint64_t v = 0;
		while (i < len && buf[i] >= '0' && buf[i] <= '9')
			v = v * 10 + (uint64_t)(buf[i++] - '0');
		field[k] = neg ? -(int64_t)v : (int64_t)v;
		while (i < len && buf[i] != ' ' && buf[i] != '\n')
			i++;   /* not a number: skipped, its value 0 */
	}
	return 0;
}

int proc_status_u(const char *buf, size_t len, const char *key, unsigned base, uint64_t *out)
{
	size_t k = s_len(key);
	for (size_t i = 0; i < len && buf[i];) {
		size_t j = 0;
		while (j < k && i + j < len && buf[i + j] == key[j])
			j++;
		if (j == k) {
			i += k;
			while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
				i++;
			uint64_t v = 0;
			for (; i < len; i++) {
				char c = buf[i];
				unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
					   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 99;
				if (d >= base)
					break;
				v = v * base + d;
			}
			*out = v;
			return 0;
		}
		while (i < len && buf[i] && buf[i] != '\n')
			i++;
		i++;
	}
	return -2;
}

void proc_stat_mm(const int64_t field[64], struct ckpt_mm *mm)
{
	m_zero(mm, sizeof *mm);
	mm->start_code = (uint64_t)field[26];
	mm->end_code = (uint64_t)field[27];
	mm->start_stack = (uint64_t)field[28];
	mm->start_data = (uint64_t)field[45];
	mm->end_data = (uint64_t)field[46];
	mm->start_brk = (uint64_t)field[47];
	mm->arg_start = (uint64_t)field[48];
	mm->arg_end = (uint64_t)field[49];
	mm->env_start = (uint64_t)field[50];
	mm->env_end = (uint64_t)field[51];
}
