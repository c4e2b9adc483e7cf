/*
 * savefds.c - libsavefds.so: checkpoint a process on a signal, no debugger.
 *
 *     LD_PRELOAD=libsavefds.so PROGRAM ARGS...
 *
 * On SIGQUIT the library writes, in the current directory,
 *   filedescriptors  one line per open descriptor: "<fd> : <path> : <offset> : <flags>"
 *   core.<pid>       a standard ELF core of the process with the CKPT notes
 * and the process then ends as SIGQUIT ends it (no second core from the
 * kernel, whatever core_pattern and `ulimit -c` say). With CKPT_SIGNAL=SIG
 * (a name such as USR1, or a number) that signal writes the same files and the
 * program runs on: checkpoint-and-continue.
 *
 * Everything runs inside the signal handler, so it is async-signal-safe: raw
 * system calls, static buffers, no malloc, no stdio, no locale. A program that
 * installs its own handler for the signal replaces ours; that is its right.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "raw.h"
#include "selfregs.h"

static volatile int sf_busy;  /* set while a checkpoint is being written */
static int cont_signal;        /* checkpoint-and-continue signal, 0 = none */
static int verbose;            /* CKPT_VERBOSE: report what was written on stderr */

/* ---- messages on stderr (fd 2), one line each ---- */

static char msgbuf[512];

static const char *errno_name(int e)
{
	switch (e) {
	case 1: return "Operation not permitted";
	case 2: return "No such file or directory";
	case 5: return "Input/output error";
	case 7: return "too much to describe (static limit)";
	case 12: return "Cannot allocate memory";
	case 13: return "Permission denied";
	case 14: return "Bad address";
	case 17: return "File exists";
	case 22: return "Invalid argument";
	case 24: return "Too many open files";
	case 27: return "File too large";
	case 28: return "No space left on device";
	case 30: return "Read-only file system";
	case 122: return "Disk quota exceeded";
	default: return NULL;
	}
}

static void say(const char *a, const char *b, int err)
{
	struct strbuf m = { msgbuf, 0, sizeof msgbuf, 0 };
	sb_puts(&m, "libsavefds: ");
	sb_puts(&m, a);
	if (b) {
		sb_puts(&m, ": ");
		sb_puts(&m, b);
	}
	if (err < 0) {
		const char *n = errno_name(-err);
		sb_puts(&m, ": ");
		if (n)
			sb_puts(&m, n);
		else {
			sb_puts(&m, "error ");
			sb_u(&m, (uint64_t)-err, 10);
		}
	}
	sb_putc(&m, '\n');
	(void)rsys3(__NR_write, 2, (long)msgbuf, (long)m.len);
}

/* ---- writing a file atomically: temp name, 0600, fsync, rename ---- */

static char tmpname[64], finalname[64];

static void make_names(const char *base, int pid)
{
	struct strbuf t = { tmpname, 0, sizeof tmpname, 0 };
	sb_putc(&t, '.');
	sb_puts(&t, base);
	if (pid) {
		sb_putc(&t, '.');
		sb_u(&t, (uint64_t)pid, 10);
	}
	sb_puts(&t, ".tmp.");
	sb_u(&t, (uint64_t)rsys0(__NR_gettid), 10);
	struct strbuf f = { finalname, 0, sizeof finalname, 0 };
	sb_puts(&f, base);
	if (pid) {
		sb_putc(&f, '.');
		sb_u(&f, (uint64_t)pid, 10);
	}
}

/* A new file, never an existing one: someone else's file left at that name
 * (a shared directory) must not receive our memory. A stale temporary file of
 * an earlier, interrupted checkpoint is removed once. */
static int open_tmp(void)
{
	for (int attempt = 0;; attempt++) {
		long fd = rsys4(__NR_openat, AT_FDCWD, (long)tmpname,
				O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd != -17 || attempt > 0) /* EEXIST */
			return (int)fd;
		rsys3(__NR_unlinkat, AT_FDCWD, (long)tmpname, 0);
	}
}

/* fsync, close, rename; on failure the temporary file is removed. */
static int finish_tmp(int fd, int err)
{
	if (err == 0) {
		long r = rsys1(__NR_fsync, fd);
		if (r < 0 && r != -22) /* EINVAL: no fsync on this file system */
			err = (int)r;
	}
	long c = rsys1(__NR_close, fd);
	if (err == 0 && c < 0 && c != -4)
		err = (int)c;
	if (err == 0) {
		long r = rsys4(__NR_renameat, AT_FDCWD, (long)tmpname, AT_FDCWD, (long)finalname);
		if (r < 0)
			err = (int)r;
	}
	if (err != 0)
		rsys3(__NR_unlinkat, AT_FDCWD, (long)tmpname, 0);
	return err;
}

static void sync_cwd(void)
{
	long d = rsys4(__NR_openat, AT_FDCWD, (long)".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (d >= 0) {
		rsys1(__NR_fsync, d);
		rsys1(__NR_close, d);
	}
}

/* ---- filedescriptors ---- */

static char linebuf[4096 + 128];

static int write_filedescriptors(void)
{
	make_names("filedescriptors", 0);
	int fd = open_tmp();
	if (fd < 0)
		return fd;
	int err = 0;
	uint64_t off = 0;
	for (int i = 0; i < sf.nfds && !err; i++) {
		const struct sf_fd *f = &sf.fds[i];
		struct strbuf b = { linebuf, 0, sizeof linebuf, 0 };
		sb_i(&b, f->fd);
		sb_puts(&b, " : ");
		sb_putn(&b, sf_pool_str(f->path), f->pathlen);
		sb_puts(&b, " : ");
		sb_i(&b, f->offset);
		sb_puts(&b, " : 0");
		sb_u(&b, f->infoflags, 8);
		sb_putc(&b, '\n');
		for (size_t done = 0; done < b.len;) {
			long r = rsys4(__NR_pwrite64, fd, (long)(linebuf + done), (long)(b.len - done), (long)off);
			if (r == -4)
				continue;
			if (r <= 0) {
				err = r < 0 ? (int)r : -5;
				break;
			}
			done += (size_t)r;
			off += (uint64_t)r;
		}
	}
	return finish_tmp(fd, err);
}

/* ---- the core ---- */

static int write_core(const char **what)
{
	make_names("core", sf.pid);
	int fd = open_tmp();
	if (fd < 0) {
		*what = finalname;   /* the name the user looks for, not the temporary one */
		return fd;
	}
	int err = sf_write_core(fd, what);
	err = finish_tmp(fd, err);
	if (err && *what == NULL)
		*what = finalname;
	return err;
}

/* ---- the handler ---- */

static void end_like_sigquit(int sig)
{
	/* No second core from the kernel: RLIMIT_CORE 0 stops core files, and a
	 * process that is not dumpable is not dumped to a pipe (systemd-coredump,
	 * apport) or socket either. */
	struct rlimit rl;
	if (rsys4(__NR_prlimit64, 0, RLIMIT_CORE, 0, (long)&rl) == 0) {
		rl.rlim_cur = 0;
		rsys4(__NR_prlimit64, 0, RLIMIT_CORE, (long)&rl, 0);
	}
	rsys2(__NR_prctl, PR_SET_DUMPABLE, 0);
	struct ckpt_sigaction dfl = { 0, 0, 0, 0 };
	rsys4(__NR_rt_sigaction, sig, (long)&dfl, 0, 8);
	long tid = rsys0(__NR_gettid);
	rsys3(__NR_tgkill, rsys0(__NR_getpid), tid, sig);
	uint64_t unblock = 1ull << (sig - 1);
	rsys4(__NR_rt_sigprocmask, SIG_UNBLOCK, (long)&unblock, 0, 8);
	rsys1(__NR_exit_group, 128 + sig); /* not reached */
}

/* ---- the other threads: stopped in their handlers while the core is written ---- */

#define SF_REQ_MAGIC 0x434b5054ull /* "CKPT": si_value of a request is MAGIC << 32 | gen */
#define SF_WAIT_MS   1000          /* how long to wait for the other threads */

static long futex(volatile uint32_t *addr, int op, uint32_t val)
{
	return rsys4(__NR_futex, (long)addr, op, val, 0);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };
	rsys2(__NR_nanosleep, (long)&ts, 0);
}

/* A request from the thread writing a checkpoint: a signal queued to this
 * thread by this process with SI_QUEUE and a tagged value. */
static int is_request(const siginfo_t *si)
{
	return si && si->si_code == SI_QUEUE && si->si_pid == (pid_t)rsys0(__NR_getpid) &&
	       ((uint64_t)(uintptr_t)si->si_value.sival_ptr >> 32) == SF_REQ_MAGIC;
}

/* This thread was asked for its registers: report them, then wait in the
 * handler until the core is written, so that memory stays as it was. A request
 * of an earlier checkpoint (delivered late, e.g. once the thread unblocked
 * the signal) is ignored. */
static void follow(const siginfo_t *si, ucontext_t *uc)
{
	uint32_t gen = (uint32_t)(uintptr_t)si->si_value.sival_ptr;
	int tid = (int)rsys0(__NR_gettid);
	if (gen != __atomic_load_n(&sf.gen, __ATOMIC_ACQUIRE))
		return;
	for (int i = 1; i < sf.nthr; i++) {
		struct sf_thread *t = &sf.threads[i];
		if (t->tid != tid)
			continue;
		int32_t asked = SF_T_ASKED;
		if (!__atomic_compare_exchange_n(&t->state, &asked, SF_T_FILLING, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			return;
		sf_thread_regs(t, uc);
		sf_thread_altstack(t);
		__atomic_store_n(&t->state, SF_T_READY, __ATOMIC_RELEASE);
		uint32_t r;
		while ((r = __atomic_load_n(&sf.release, __ATOMIC_ACQUIRE)) != gen)
			futex(&sf.release, FUTEX_WAIT_PRIVATE, r);
		return;
	}
}

/* Asks every other thread for its registers and waits (SF_WAIT_MS at most)
 * until they report. Threads that do not (the signal blocked, more than
 * SF_MAXTHREADS) run on and are not in the core. */
static void stop_threads(int sig)
{
	uint32_t gen = __atomic_add_fetch(&sf.gen, 1, __ATOMIC_ACQ_REL);
	if (sf_list_threads() == 1)
		return;
	for (int i = 1; i < sf.nthr; i++)
		__atomic_store_n(&sf.threads[i].state, SF_T_ASKED, __ATOMIC_RELEASE);
	siginfo_t info;
	for (int i = 1; i < sf.nthr; i++) {
		m_zero(&info, sizeof info);
		info.si_signo = sig;
		info.si_code = SI_QUEUE;
		info.si_pid = sf.pid;
		info.si_uid = (uid_t)rsys0(__NR_getuid);
		info.si_value.sival_ptr = (void *)(uintptr_t)(SF_REQ_MAGIC << 32 | gen);
		if (rsys4(__NR_rt_tgsigqueueinfo, sf.pid, sf.threads[i].tid, sig, (long)&info) < 0)
			sf.threads[i].state = SF_T_NONE; /* gone meanwhile */
	}
	for (int waited = 0; waited < SF_WAIT_MS; waited++) {
		int pending = 0;
		for (int i = 1; i < sf.nthr; i++) {
			int32_t st = __atomic_load_n(&sf.threads[i].state, __ATOMIC_ACQUIRE);
			pending += st == SF_T_ASKED || st == SF_T_FILLING;
		}
		if (!pending)
			break;
		sleep_ms(1);
	}
	/* close the door: late threads find their request withdrawn */
	for (int i = 1; i < sf.nthr; i++) {
		struct sf_thread *t = &sf.threads[i];
		int32_t asked = SF_T_ASKED;
		__atomic_compare_exchange_n(&t->state, &asked, SF_T_NONE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == SF_T_FILLING)
			sleep_ms(0);
	}
}

static void release_threads(void)
{
	__atomic_store_n(&sf.release, sf.gen, __ATOMIC_RELEASE);
	futex(&sf.release, FUTEX_WAKE_PRIVATE, 0x7fffffff);
}

static void checkpoint(int sig, siginfo_t *si, void *ctx)
{
	const char *what = NULL;
	sf.sig = sig;
	sf.si = si;
	sf_target((int)rsys0(__NR_getpid), 0);
	sf.tid = (int)rsys0(__NR_gettid);
	sf.writer = CKPT_WRITER_SAVEFDS;
	sf.zero_addr = (uint64_t)(uintptr_t)&sf_busy;
	sf.poolused = 0;
	m_zero(&sf.threads[0], sizeof sf.threads[0]);
	sf.threads[0].tid = sf.tid;
	sf.threads[0].state = SF_T_READY;
	sf_thread_regs(&sf.threads[0], ctx);
	sf_thread_altstack(&sf.threads[0]);
	stop_threads(sig);

	char core_name[sizeof finalname];
	int err = sf_gather_fds(&what);
	if (err == 0)
		err = sf_gather_maps(&what);
	if (err == 0) {
		sf_gather_process();
		what = NULL;
		err = write_core(&what);
	}
	/* The list of files is replaced only once the core it belongs to is
	 * complete: a failed checkpoint leaves an earlier pair as it was. */
	if (err == 0) {
		m_copy(core_name, finalname, sizeof core_name);
		err = write_filedescriptors();
		if (err)
			what = "filedescriptors";
	}
	if (err == 0) {
		sync_cwd();
		if (verbose) {
			char *m = linebuf; /* free again once filedescriptors is written */
			struct strbuf b = { m, 0, 128, 0 };
			sb_puts(&b, "wrote filedescriptors and ");
			sb_puts(&b, core_name);
			say(m, NULL, 0);
		}
	} else {
		say("checkpoint failed", what, err);
	}
}

static void handler(int sig, siginfo_t *si, void *ctx)
{
	if (is_request(si)) {
		follow(si, ctx);
		return;
	}
	if (__atomic_exchange_n(&sf_busy, 1, __ATOMIC_ACQUIRE)) {
		/* another thread is writing a checkpoint right now */
		return;
	}
	checkpoint(sig, si, ctx);
	if (sig == cont_signal) {
		release_threads();
		__atomic_store_n(&sf_busy, 0, __ATOMIC_RELEASE);
		return;
	}
	end_like_sigquit(sig); /* the other threads end with the process */
}

/* ---- set-up ---- */

static const struct {
	const char *name;
	int sig;
} signames[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT },   { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT },   { "BUS", SIGBUS },     { "FPE", SIGFPE },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },   { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },
	{ "ALRM", SIGALRM }, { "TERM", SIGTERM },   { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
	{ "URG", SIGURG },   { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },       { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

static int upper_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char c = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
		if (c != *b)
			return 0;
	}
	return *a == 0 && *b == 0;
}

/* "USR1", "SIGUSR1", "usr1", "10", "RTMIN+2"; 0 when not a catchable signal. */
static int parse_signal(const char *s)
{
	if (s[0] >= '0' && s[0] <= '9') {
		const char *p = s;
		uint64_t n = p_u(&p, 10);
		return *p == 0 && n >= 1 && n <= 64 && n != SIGKILL && n != SIGSTOP ? (int)n : 0;
	}
	if ((s[0] == 'S' || s[0] == 's') && (s[1] == 'I' || s[1] == 'i') && (s[2] == 'G' || s[2] == 'g'))
		s += 3;
	for (size_t i = 0; i < sizeof signames / sizeof signames[0]; i++)
		if (upper_eq(s, signames[i].name))
			return signames[i].sig;
	char head[6];
	int k = 0;
	while (k < 5 && s[k])
		head[k] = s[k], k++;
	head[k] = 0;
	if (upper_eq(head, "RTMIN") || upper_eq(head, "RTMAX")) {
		int base = upper_eq(head, "RTMIN") ? SIGRTMIN : SIGRTMAX;
		const char *p = s + 5;
		if (*p == 0)
			return base;
		int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0;
		if (!sign)
			return 0;
		p++;
		uint64_t n = p_u(&p, 10);
		long r = base + sign * (long)n;
		return *p == 0 && r >= SIGRTMIN && r <= SIGRTMAX ? (int)r : 0;
	}
	return 0;
}

__attribute__((constructor)) static void savefds_init(void)
{
	const char *v = getenv("CKPT_VERBOSE");
	verbose = v && *v && !s_eq(v, "0");
	const char *c = getenv("CKPT_SIGNAL");
	if (c && *c) {
		cont_signal = parse_signal(c);
		if (!cont_signal)
			say("CKPT_SIGNAL", "not a signal that can be caught; ignored", 0);
	}

	struct sigaction sa;
	m_zero(&sa, sizeof sa);
	sa.sa_sigaction = handler;
	/* SA_RESTART: an interrupted read() is re-issued by the restored process
	 * too. Every signal is blocked while the checkpoint is written, so no
	 * handler of the program changes memory underneath it. The handler runs
	 * on the normal stack: a small sigaltstack could not hold it. Installed
	 * even if SIGQUIT was ignored (non-interactive shells start background
	 * jobs that way): preloading the library asks for it. */
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigaction(SIGQUIT, &sa, NULL);
	if (cont_signal && cont_signal != SIGQUIT && sigaction(cont_signal, &sa, NULL) != 0) {
		/* glibc keeps signals 32 and 33 for itself */
		say("CKPT_SIGNAL", "not a signal that can be caught; ignored", 0);
		cont_signal = 0;
	}

	/* Unblocked too: a blocked mask is inherited across exec, and some
	 * parents start every child with SIGQUIT blocked (a JVM blocks it in its
	 * threads), which would hold the checkpoint pending forever. */
	sigset_t unblock;
	sigemptyset(&unblock);
	sigaddset(&unblock, SIGQUIT);
	if (cont_signal)
		sigaddset(&unblock, cont_signal);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}
