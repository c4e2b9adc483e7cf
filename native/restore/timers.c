/*
 * timers.c - POSIX timers (CKPT_NT_POSIX_TIMERS): each is made again in the
 * new process with its old id, clock, signal, notification and sigev_value,
 * and armed with the time it had left and its interval. The old id comes from
 * prctl(PR_TIMER_CREATE_RESTORE_IDS) where the kernel has it (Linux 6.17+:
 * timer_create then takes the id it is given); elsewhere from the kernel's
 * order: a process's timer ids count up from 0, so the engine makes the
 * timers in ascending id order in the new process (which has none), with
 * placeholder timers for the ids in between, deleted afterwards (as CRIU did
 * before that prctl existed).
 */
#include "log.h"
#include "restore.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef PR_TIMER_CREATE_RESTORE_IDS
#define PR_TIMER_CREATE_RESTORE_IDS 77
#endif

struct ksigevent {          /* the kernel's struct sigevent, 64 bytes */
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;
	int32_t pad[11];
};

/* timer_create(clock, ev, &id) in the tracee; the id made or -errno. */
static long create(struct tracee *t, int32_t clock, const struct ksigevent *ev, int32_t id)
{
	struct rscope s;
	remote_scope_begin(t, &s);
	raddr pev = remote_push(&s, ev, sizeof *ev), pid = remote_push(&s, &id, sizeof id);
	long res = pev.v && pid.v ? remote_syscall(t, SYS_timer_create, (uint64_t)(int64_t)clock, pev.v, pid.v, 0, 0, 0)
				  : -ENOTRECOVERABLE;
	if (res == 0 && remote_read(t, pid, &id, sizeof id) != 0)
		res = -ENOTRECOVERABLE;
	remote_scope_end(&s);
	return res == 0 ? id : res;
}

static long arm(struct tracee *t, const struct ckpt_posix_timer *pt)
{
	int64_t its[4] = { pt->interval_ns / 1000000000, pt->interval_ns % 1000000000,
			   pt->value_ns / 1000000000, pt->value_ns % 1000000000 };
	struct rscope s;
	remote_scope_begin(t, &s);
	raddr p = remote_push(&s, its, sizeof its);
	long res = p.v ? remote_syscall(t, SYS_timer_settime, (uint64_t)pt->id, 0, p.v, 0, 0, 0) : -ENOTRECOVERABLE;
	remote_scope_end(&s);
	return res;
}

int timers_restore(struct tracee *t, const struct core *c)
{
	size_t n = c->ckpt.ntimers;
	int32_t placeholders[64];
	size_t nph = 0;
	if (n == 0)
		return 0;
	long res = remote_syscall(t, SYS_prctl, PR_TIMER_CREATE_RESTORE_IDS, 1, 0, 0, 0, 0);
	if (res == -ENOTRECOVERABLE)
		return -1;
	int by_id = res == 0;
	for (size_t i = 0; i < n; i++) {
		struct ckpt_posix_timer pt;
		struct ksigevent ev;
		memcpy(&pt, &c->ckpt.timers[i], sizeof pt);
		memset(&ev, 0, sizeof ev);
		ev.value = pt.sigval;
		ev.signo = pt.signo;
		ev.notify = pt.notify;
		ev.tid = pt.notify_tid;
		long id;
		for (;;) {
			id = create(t, pt.clock, &ev, by_id ? pt.id : 0);
			if (id == -ENOTRECOVERABLE)
				return -1;
			if (by_id || id < 0 || id >= pt.id)
				break;
			/* an id below the one wanted: it stays, disarmed, as a placeholder
			 * (deleted below), and the next one is made */
			if (nph == sizeof placeholders / sizeof *placeholders) {
				remote_syscall(t, SYS_timer_delete, (uint64_t)id, 0, 0, 0, 0, 0);
				id = -ERANGE;
				break;
			}
			placeholders[nph++] = (int32_t)id;
		}
		if (id != pt.id) {
			log_error("warning: cannot make POSIX timer %d again: %s", pt.id,
				  id < 0 ? strerror((int)-id) : "the kernel gave another id");
			if (id >= 0)
				remote_syscall(t, SYS_timer_delete, (uint64_t)id, 0, 0, 0, 0, 0);
			continue;
		}
		if (pt.have_time && pt.value_ns > 0) {
			res = arm(t, &pt);
			if (res == -ENOTRECOVERABLE)
				return -1;
			if (res != 0)
				log_error("warning: cannot arm POSIX timer %d: %s", pt.id, strerror((int)-res));
		}
		log_debug("POSIX timer %d: clock %d, signal %d, %lld ns left, interval %lld ns", pt.id, pt.clock,
			  pt.signo, (long long)pt.value_ns, (long long)pt.interval_ns);
	}
	for (size_t i = 0; i < nph; i++)
		if (remote_syscall(t, SYS_timer_delete, (uint64_t)placeholders[i], 0, 0, 0, 0, 0) == -ENOTRECOVERABLE)
			return -1;
	if (by_id && remote_syscall(t, SYS_prctl, PR_TIMER_CREATE_RESTORE_IDS, 0, 0, 0, 0, 0) == -ENOTRECOVERABLE)
		return -1;
	return 0;
}
