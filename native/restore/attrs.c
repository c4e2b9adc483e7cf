/*
 * attrs.c - process and thread attributes (CKPT_NT_ATTRS, CKPT_NT_THREAD_ATTRS).
 *
 *   attrs_restore_process  umask, personality, THP-disable and supplementary groups,
 *                          by calls injected into the leader
 *   attrs_restore_thread   one thread's name (prctl PR_SET_NAME) and alternate
 *                          signal stack (sigaltstack), injected into that thread
 *   attrs_restore_late     resource limits (prlimit64 from here, after the threads
 *                          exist: RLIMIT_NPROC counts them) and the interval timers
 *                          (setitimer, the last call before the scratch area goes,
 *                          so that as little of their remaining time as possible
 *                          passes while the process is still being set up);
 *                          oom_score_adj and loginuid through /proc/PID
 *
 * What the engine cannot set (a hard limit above its own without
 * CAP_SYS_RESOURCE) is a warning; the process runs on.
 */
#include "log.h"
#include "restore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif

static const char *const rlimit_names[CKPT_NRLIMITS] = {
	"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
	"RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
	"RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
};

static const struct ckpt_thread_attrs *thread_attrs(const struct core *c, int32_t tid)
{
	for (size_t i = 0; i < c->ckpt.nthread_attrs; i++) {
		struct ckpt_thread_attrs ta;
		memcpy(&ta, &c->ckpt.thread_attrs[i], sizeof ta);
		if (ta.tid == tid)
			return &c->ckpt.thread_attrs[i];
	}
	return NULL;
}

/* A failed injected call: -1 when the tracee cannot be driven, else a warning. */
static int soft(long res, const char *what)
{
	if (res == -ENOTRECOVERABLE)
		return -1;
	if (res < 0)
		log_error("warning: cannot restore %s: %s", what, strerror((int)-res));
	return 0;
}

/* The supplementary groups the new process has ("Groups:" of its status); -1 if unknown. */
static int current_groups(pid_t pid, uint32_t *g, uint32_t max)
{
	char path[64], line[4096];
	int n = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "Groups:", 7) == 0) {
			char *s = line + 7, *end;
			n = 0;
			for (unsigned long v; (v = strtoul(s, &end, 10)), end != s; s = end)
				if ((uint32_t)n < max)
					g[n++] = (uint32_t)v;
				else
					n = (int)max + 1;
			break;
		}
	fclose(f);
	return n;
}

static int restore_groups(struct restore *r, const struct ckpt_attrs *a)
{
	uint32_t now[CKPT_NGROUPS + 1];
	uint32_t n = a->ngroups < CKPT_NGROUPS ? a->ngroups : CKPT_NGROUPS;
	int have = current_groups(r->t.pid, now, CKPT_NGROUPS);
	if (have == (int)n && memcmp(now, a->groups, n * sizeof *now) == 0)
		return 0;
	struct rscope s;
	remote_scope_begin(&r->t, &s);
	raddr at = n ? remote_push(&s, a->groups, n * sizeof *a->groups) : RADDR(0);
	long res = at.v || n == 0 ? remote_syscall(&r->t, SYS_setgroups, n, at.v, 0, 0, 0, 0) : -ENOTRECOVERABLE;
	remote_scope_end(&s);
	return soft(res, "the supplementary groups");
}

/* Writes VALUE to /proc/PID/NAME unless it holds it already; a warning when it cannot. */
static void proc_set(pid_t pid, const char *name, long long value, const char *what)
{
	char path[64], now[32] = "";
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(now, sizeof now, f) && strtoll(now, NULL, 10) == value) {
			fclose(f);
			return;
		}
		fclose(f);
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int len = snprintf(now, sizeof now, "%lld", value);
	if (fd < 0 || write(fd, now, (size_t)len) != len)
		log_error("warning: cannot restore %s (%lld): %s", what, value, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The first line of /proc/PID/task/TID/NAME (TID 0: /proc/PID/NAME) starting
 * with KEY, the text after it; NULL when there is none. */
static const char *proc_field(pid_t pid, pid_t tid, const char *name, const char *key, char *buf, size_t len)
{
	char path[96];
	const char *found = NULL;
	if (tid)
		snprintf(path, sizeof path, "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
	else
		snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return NULL;
	while (fgets(buf, (int)len, f))
		if (strncmp(buf, key, strlen(key)) == 0) {
			found = buf + strlen(key);
			while (*found == ' ' || *found == '\t')
				found++;
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	fclose(f);
	return found;
}

int attrs_restore_process(struct restore *r)
{
	const struct ckpt_attrs *a = r->c->ckpt.attrs;
	char buf[256];
	const char *now;
	if (a == NULL)
		return 0;
	/* what the new process has already (restart's own, inherited) costs no call */
	int umask_same = (now = proc_field(r->t.pid, 0, "status", "Umask:", buf, sizeof buf)) &&
			 strtoul(now, NULL, 8) == a->umask;
	int thp_same = (now = proc_field(r->t.pid, 0, "status", "THP_enabled:", buf, sizeof buf)) &&
		       (*now == '0') == (a->thp_disable != 0);
	int pers_same = (now = proc_field(r->t.pid, 0, "personality", "", buf, sizeof buf)) &&
			strtoul(now, NULL, 16) == a->personality;
	if ((a->have & CKPT_ATTR_UMASK) && !umask_same &&
	    soft(remote_syscall(&r->t, SYS_umask, a->umask & 0777, 0, 0, 0, 0, 0), "the umask"))
		return -1;
	if ((a->have & CKPT_ATTR_PERSONALITY) && !pers_same &&
	    soft(remote_syscall(&r->t, SYS_personality, a->personality, 0, 0, 0, 0, 0), "the personality"))
		return -1;
	if ((a->have & CKPT_ATTR_THP) && !thp_same &&
	    soft(remote_syscall(&r->t, SYS_prctl, PR_SET_THP_DISABLE, a->thp_disable, 0, 0, 0, 0), "the THP-disable flag"))
		return -1;
	if ((a->have & CKPT_ATTR_GROUPS) && restore_groups(r, a) != 0)
		return -1;
	log_debug("umask %03o, personality 0x%x", a->umask, a->personality);
	return 0;
}

int attrs_restore_thread(struct tracee *t, const struct core *c, const struct core_thread *th)
{
	const struct ckpt_thread_attrs *p = thread_attrs(c, th->pid);
	struct ckpt_thread_attrs ta;
	struct rscope s;
	raddr at;
	long res;
	if (p == NULL)
		return 0;
	memcpy(&ta, p, sizeof ta);
	char comm[16], buf[64];
	memcpy(comm, ta.comm, sizeof comm);
	comm[15] = 0;
	const char *now = proc_field(t->pid, t->pid, "comm", "", buf, sizeof buf);
	if ((ta.have & CKPT_TA_COMM) && !(now && strcmp(now, comm) == 0)) {
		remote_scope_begin(t, &s);
		at = remote_push(&s, comm, sizeof comm);
		res = at.v ? remote_syscall(t, SYS_prctl, PR_SET_NAME, at.v, 0, 0, 0, 0) : -ENOTRECOVERABLE;
		remote_scope_end(&s);
		if (soft(res, "the thread name"))
			return -1;
	}
	if ((ta.have & CKPT_TA_SIGALTSTACK) && !(ta.ss_flags & SS_DISABLE)) {
		uint64_t ss[3] = { ta.ss_sp, ta.ss_flags & SS_AUTODISARM, ta.ss_size };
		remote_scope_begin(t, &s);
		at = remote_push(&s, ss, sizeof ss);
		res = at.v ? remote_syscall(t, SYS_sigaltstack, at.v, 0, 0, 0, 0, 0) : -ENOTRECOVERABLE;
		remote_scope_end(&s);
		if (soft(res, "the alternate signal stack"))
			return -1;
		log_debug("thread %d: sigaltstack 0x%lx+0x%lx", th->pid, (unsigned long)ta.ss_sp, (unsigned long)ta.ss_size);
	}
	return 0;
}

int attrs_restore_late(struct tracee *t, const struct core *c)
{
	const struct ckpt_attrs *a = c->ckpt.attrs;
	if (timers_restore(t, c) != 0)
		return -1;
	if (a == NULL)
		return 0;
	for (int i = 0; (a->have & CKPT_ATTR_RLIMITS) && i < CKPT_NRLIMITS; i++) {
		struct rlimit now, want = { a->rlimits[i].cur, a->rlimits[i].max };
		if (prlimit(t->pid, i, NULL, &now) == 0 && now.rlim_cur == want.rlim_cur && now.rlim_max == want.rlim_max)
			continue;
		if (prlimit(t->pid, i, &want, NULL) != 0)
			log_error("warning: cannot restore %s (%llu/%llu): %s", rlimit_names[i],
				  (unsigned long long)want.rlim_cur, (unsigned long long)want.rlim_max, strerror(errno));
	}
	if (a->have & CKPT_ATTR_OOM)
		proc_set(t->pid, "oom_score_adj", a->oom_score_adj, "oom_score_adj");
	if (a->have & CKPT_ATTR_LOGINUID)
		proc_set(t->pid, "loginuid", a->loginuid, "the login uid");
	for (int w = 0; (a->have & CKPT_ATTR_ITIMERS) && w < 3; w++) {
		const struct ckpt_itimer *it = &a->itimers[w];
		if (it->value_us <= 0)
			continue;
		int64_t itv[4] = { it->interval_us / 1000000, it->interval_us % 1000000,
				   it->value_us / 1000000, it->value_us % 1000000 };
		struct rscope s;
		remote_scope_begin(t, &s);
		raddr at = remote_push(&s, itv, sizeof itv);
		long res = at.v ? remote_syscall(t, SYS_setitimer, (uint64_t)w, at.v, 0, 0, 0, 0) : -ENOTRECOVERABLE;
		/* The kernel adds a tick to a CPU timer's value (set_cpu_itimer): read it back
		 * and take the excess off again, so that no more time is left than was. */
		int64_t got[4];
		if (res == 0 && w != ITIMER_REAL && remote_syscall(t, SYS_getitimer, (uint64_t)w, at.v, 0, 0, 0, 0) == 0 &&
		    remote_read(t, at, got, sizeof got) == 0) {
			int64_t over = got[2] * 1000000 + got[3] - it->value_us;
			if (over > 0 && over < it->value_us) {
				int64_t v = it->value_us - over;
				itv[2] = v / 1000000;
				itv[3] = v % 1000000;
				if (remote_write(t, at, itv, sizeof itv) == 0)
					res = remote_syscall(t, SYS_setitimer, (uint64_t)w, at.v, 0, 0, 0, 0);
			}
		}
		remote_scope_end(&s);
		if (soft(res, "an interval timer"))
			return -1;
		log_debug("itimer %d: %lld us left, interval %lld us", w, (long long)it->value_us, (long long)it->interval_us);
	}
	return 0;
}

/* The madvise state of the mappings (CKPT MADVISE), after the memory is back. */
int attrs_restore_madvise(struct restore *r)
{
	static const struct { uint32_t flag; int advice; const char *name; } adv[] = {
		{ CKPT_ADV_DONTFORK, MADV_DONTFORK, "MADV_DONTFORK" }, { CKPT_ADV_DONTDUMP, MADV_DONTDUMP, "MADV_DONTDUMP" },
		{ CKPT_ADV_HUGEPAGE, MADV_HUGEPAGE, "MADV_HUGEPAGE" }, { CKPT_ADV_NOHUGEPAGE, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE" },
		{ CKPT_ADV_WIPEONFORK, MADV_WIPEONFORK, "MADV_WIPEONFORK" }, { CKPT_ADV_MERGEABLE, MADV_MERGEABLE, "MADV_MERGEABLE" },
	};
	for (size_t i = 0; i < r->c->ckpt.nmadvise; i++) {
		struct ckpt_madvise m;
		memcpy(&m, &r->c->ckpt.madvise[i], sizeof m);
		for (size_t k = 0; k < sizeof adv / sizeof *adv; k++) {
			if (!(m.flags & adv[k].flag))
				continue;
			long res = remote_syscall(&r->t, SYS_madvise, m.start, m.end - m.start, (uint64_t)adv[k].advice, 0, 0, 0);
			if (res == -ENOTRECOVERABLE)
				return -1;
			if (res != 0)   /* not mapped (-s), or a kernel without it (KSM, THP) */
				log_info("%s at 0x%lx-0x%lx: %s", adv[k].name, (unsigned long)m.start, (unsigned long)m.end,
					 strerror((int)-res));
		}
	}
	return 0;
}
