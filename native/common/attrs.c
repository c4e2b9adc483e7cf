/*
 * attrs.c - process and thread attributes for CKPT_NT_ATTRS and
 * CKPT_NT_THREAD_ATTRS: umask, personality, resource limits and thread names,
 * which /proc and prlimit64 show for any process we may trace, and the
 * interval timers and alternate signal stacks, which only the process (each
 * thread, for its stack) can read: libsavefds.so reads them here, ckpt-dump
 * by calls it runs inside the process (native/dump/tracee.c). Part of the one
 * /proc parser: async-signal-safe, raw system calls only.
 */
#include "procfs.h"
#include "raw.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>

static char abuf[512];

/* "Umask:\t0022" (Linux 4.7+), "THP_enabled:\t1" (5.0+) and "Groups:\t4 24 ..." of /proc/PID/status. */
static void gather_status_attrs(struct ckpt_attrs *a)
{
	static char st[4096];
	long n = sf_read_file(sf_proc_path("/status"), st, sizeof st - 1);
	if (n <= 0)
		return;
	st[n] = 0;
	for (const char *s = st; *s;) {
		if (s_starts(s, "Umask:")) {
			s += 6;
			p_skip_spaces(&s);
			a->umask = (uint32_t)p_u(&s, 8);
			a->have |= CKPT_ATTR_UMASK;
		} else if (s_starts(s, "THP_enabled:")) {
			s += 12;
			p_skip_spaces(&s);
			a->thp_disable = *s == '0';
			a->have |= CKPT_ATTR_THP;
		} else if (s_starts(s, "Groups:")) {
			s += 7;
			a->ngroups = 0;
			a->have |= CKPT_ATTR_GROUPS;
			for (;;) {
				p_skip_spaces(&s);
				if (*s < '0' || *s > '9')
					break;
				uint32_t g = (uint32_t)p_u(&s, 10);
				if (a->ngroups == CKPT_NGROUPS) {
					a->have &= ~CKPT_ATTR_GROUPS;   /* too many to record */
					break;
				}
				a->groups[a->ngroups++] = g;
			}
		}
		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
	}
}

/* /proc/PID/personality: eight hex digits (readable by who may ptrace it). */
static void gather_personality(struct ckpt_attrs *a)
{
	long n = sf_read_file(sf_proc_path("/personality"), abuf, sizeof abuf - 1);
	if (n <= 0)
		return;
	abuf[n] = 0;
	const char *s = abuf;
	a->personality = (uint32_t)p_u(&s, 16);
	a->have |= CKPT_ATTR_PERSONALITY;
}

/* A decimal number, maybe negative, in a small /proc file; 0 or -errno. */
static long read_number(const char *path, int64_t *v)
{
	long n = sf_read_file(path, abuf, sizeof abuf - 1);
	if (n <= 0)
		return n < 0 ? n : -5;
	abuf[n] = 0;
	const char *s = abuf;
	*v = p_i(&s);
	return 0;
}

static void gather_proc_numbers(struct ckpt_attrs *a)
{
	int64_t v;
	if (read_number(sf_proc_path("/oom_score_adj"), &v) == 0) {
		a->oom_score_adj = (int32_t)v;
		a->have |= CKPT_ATTR_OOM;
	}
	if (read_number(sf_proc_path("/loginuid"), &v) == 0) {
		a->loginuid = (uint32_t)v;
		a->have |= CKPT_ATTR_LOGINUID;
	}
}

static void gather_rlimits(struct ckpt_attrs *a)
{
	for (int r = 0; r < CKPT_NRLIMITS; r++) {
		uint64_t rl[2];
		if (rsys4(__NR_prlimit64, sf.remote ? sf.pid : 0, r, 0, (long)rl) != 0)
			return;
		a->rlimits[r].cur = rl[0];
		a->rlimits[r].max = rl[1];
	}
	a->have |= CKPT_ATTR_RLIMITS;
}

static void gather_itimers(struct ckpt_attrs *a)
{
	for (int w = 0; w < 3; w++) {
		int64_t itv[4];   /* struct itimerval: interval {sec, usec}, value {sec, usec} */
		if (rsys2(__NR_getitimer, w, (long)itv) != 0)
			return;
		a->itimers[w].interval_us = itv[0] * 1000000 + itv[1];
		a->itimers[w].value_us = itv[2] * 1000000 + itv[3];
	}
	a->have |= CKPT_ATTR_ITIMERS;
}

static void gather_comm(struct sf_thread *t)
{
	char path[96];
	struct strbuf b = { path, 0, sizeof path, 0 };
	sb_puts(&b, sf.proc);
	sb_puts(&b, "/task/");
	sb_u(&b, (uint64_t)t->tid, 10);
	sb_puts(&b, "/comm");
	long n = sf_read_file(path, abuf, sizeof abuf - 1);
	t->ta.tid = t->tid;
	if (n <= 0)
		return;
	while (n > 0 && (abuf[n - 1] == '\n' || abuf[n - 1] == 0))
		n--;
	if (n > 15)
		n = 15;
	m_zero(t->ta.comm, sizeof t->ta.comm);
	m_copy(t->ta.comm, abuf, (size_t)n);
	t->ta.have |= CKPT_TA_COMM;
}

void sf_gather_attrs(void)
{
	struct ckpt_attrs *a = &sf.attrs;
	if (sf.remote) {   /* the itimers are ckpt-dump's */
		a->have &= CKPT_ATTR_ITIMERS;
	} else {
		m_zero(a, sizeof *a);
		gather_itimers(a);
	}
	gather_status_attrs(a);
	gather_proc_numbers(a);
	gather_personality(a);
	gather_rlimits(a);
	if (!sf.remote)   /* ckpt-dump lists them itself, before it reads their times */
		sf_gather_timers();
	for (int i = 0; i < sf.nthr; i++)
		if (i == 0 || sf.threads[i].state == SF_T_READY)
			gather_comm(&sf.threads[i]);
}

void sf_thread_altstack(struct sf_thread *t)
{
	uint64_t ss[3];   /* stack_t: ss_sp, ss_flags (int, padded), ss_size */
	if (rsys2(__NR_sigaltstack, 0, (long)ss) != 0)
		return;
	t->ta.ss_sp = ss[0];
	t->ta.ss_flags = (uint32_t)ss[1] & ~(uint32_t)SS_ONSTACK;
	t->ta.ss_size = ss[2];
	t->ta.have |= CKPT_TA_SIGALTSTACK;
}

static char tbuf[32768];

/* "ID: 1\nsignal: 14/0000000000000000\nnotify: signal/pid.5352\nClockID: -6\n", per timer. */
void sf_gather_timers(void)
{
	sf.ntimers = 0;
	long n = sf_read_file(sf_proc_path("/timers"), tbuf, sizeof tbuf - 1);
	if (n <= 0)
		return;
	tbuf[n] = 0;
	struct ckpt_posix_timer *t = NULL;
	for (const char *s = tbuf; *s;) {
		if (s_starts(s, "ID:") && sf.ntimers < SF_MAXTIMERS) {
			t = &sf.timers[sf.ntimers++];
			m_zero(t, sizeof *t);
			s += 3;
			p_skip_spaces(&s);
			t->id = (int32_t)p_i(&s);
		} else if (t && s_starts(s, "signal:")) {
			s += 7;
			p_skip_spaces(&s);
			t->signo = (int32_t)p_i(&s);
			if (*s == '/')
				s++;
			t->sigval = p_u(&s, 16);
		} else if (t && s_starts(s, "notify:")) {
			s += 7;
			p_skip_spaces(&s);
			t->notify = s_starts(s, "none") ? SIGEV_NONE : s_starts(s, "thread") ? SIGEV_THREAD : SIGEV_SIGNAL;
			while (*s && *s != '/' && *s != '\n')
				s++;
			if (s_starts(s, "/tid.")) {
				t->notify |= 4;   /* SIGEV_THREAD_ID */
				s += 5;
				t->notify_tid = (int32_t)p_i(&s);
			}
		} else if (t && s_starts(s, "ClockID:")) {
			s += 8;
			p_skip_spaces(&s);
			t->clock = (int32_t)p_i(&s);
		}
		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
	}
	for (int i = 1; i < sf.ntimers; i++)   /* ascending id: the order the engine makes them in */
		for (int j = i; j > 0 && sf.timers[j - 1].id > sf.timers[j].id; j--) {
			struct ckpt_posix_timer x = sf.timers[j];
			sf.timers[j] = sf.timers[j - 1];
			sf.timers[j - 1] = x;
		}
	if (sf.remote)
		return;
	for (int i = 0; i < sf.ntimers; i++) {
		int64_t its[4];   /* struct itimerspec: interval {sec, nsec}, value {sec, nsec} */
		if (rsys2(__NR_timer_gettime, sf.timers[i].id, (long)its) != 0)
			continue;
		sf.timers[i].interval_ns = its[0] * 1000000000 + its[1];
		sf.timers[i].value_ns = its[2] * 1000000000 + its[3];
		sf.timers[i].have_time = 1;
	}
}

uint32_t sf_vmflags_advice(const char *v)
{
	static const struct { char a, b; uint32_t flag; } names[] = {
		{ 'd', 'c', CKPT_ADV_DONTFORK }, { 'd', 'd', CKPT_ADV_DONTDUMP }, { 'h', 'g', CKPT_ADV_HUGEPAGE },
		{ 'n', 'h', CKPT_ADV_NOHUGEPAGE }, { 'w', 'f', CKPT_ADV_WIPEONFORK }, { 'm', 'g', CKPT_ADV_MERGEABLE },
	};
	uint32_t adv = 0;
	for (; v[0]; v++) {
		if (v[0] != ' ' || !v[1] || !v[2] || (v[3] != ' ' && v[3] != 0 && v[3] != '\n'))
			continue;
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			if (v[1] == names[i].a && v[2] == names[i].b)
				adv |= names[i].flag;
	}
	return adv;
}
