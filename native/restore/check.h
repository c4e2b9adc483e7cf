/*
 * check.h - the one validator: every check the engine makes before it runs
 * anything, as a list of problems. `restart` refuses on them; `restart
 * --check [--json]` (and so `ckpt verify`) prints them. docs/RESTART.md
 * lists the kinds and severities.
 */
#ifndef CKPT_CHECK_H
#define CKPT_CHECK_H

#include <stdio.h>
#include "corefile.h"
#include "files.h"
#include "plan.h"

enum check_severity {
	CHECK_ERROR,      /* refused; --force does not change that (nothing to restore it with) */
	CHECK_MISMATCH,   /* refused unless --force: a file that is not the one checkpointed */
	CHECK_FORCED,     /* a mismatch that --force overrode */
	CHECK_CRASH,      /* the image is of a crashed process: it restarts into the crash again */
	CHECK_WARNING,    /* said, and the restart goes on */
};

struct check_problem {
	const char *kind;         /* stable, for scripts: "executable-changed", "cwd-missing" ... */
	char *file;               /* the file concerned, or NULL */
	char *message;            /* one sentence, no file name of the core, no newline */
	enum check_severity severity;
};

struct check_crash {              /* a fatal signal in the core (kernel cores, gdb cores of crashed processes) */
	int signo, code, have_addr;
	uint64_t addr;            /* si_addr: the faulting address (SIGSEGV, SIGBUS, SIGFPE, SIGILL) */
	uint64_t rip;             /* where the crashing thread stopped */
	int32_t tid;
};

struct check_input {
	const char *core_path;
	const char *exe;          /* EXECUTABLE given, or NULL */
	const char *filedes;      /* -f FILE, or NULL */
	int skip_missing;         /* -k: a missing open file is left closed, no problem */
	int force;                /* --force: mismatches become CHECK_FORCED */
};

struct check_result {
	struct check_problem *v; size_t n;
	int crashed; struct check_crash crash;
	char exe[4096];           /* the EXECUTABLE given, resolved */
	uint64_t start_brk, brk;  /* the heap the plan restores (plan.c: CKPT MM/MAPS, else its guess) */
};

/*
 * Runs every check, filling C (opened here), P (the plan) and FILES (the open
 * files that will be reopened). Returns 0 when the checks ran (their findings
 * in R), -1 when the core or a file list cannot be used at all (one line
 * logged: exit 2), -2 when this machine cannot be read (exit 1).
 */
int check_all(const struct check_input *in, struct core *c, struct plan *p, struct fdset *files,
	      struct check_result *r);
/* 1 when a problem refuses the restart (CHECK_ERROR, CHECK_MISMATCH). */
int check_refuses(const struct check_result *r);
/* 1 when verify should not call the image fine: a refusal or a crash. */
int check_not_ok(const struct check_result *r);
/* One line per problem, "restart: CORE: ...", on F. */
void check_print_text(const struct check_result *r, const char *core_path, FILE *f);
/* {"core", "ok", "refused", "crash", "heap", "problems": [{kind, file, message, severity}]} on F. */
void check_print_json(const struct check_result *r, const char *core_path, FILE *f);
void check_free(struct check_result *r);

/* Adds a problem (printf-style message). Used by identity.c as well. */
void check_add(struct check_result *r, const char *kind, enum check_severity sev, const char *file,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* identity.c: every mapped file exists and is the build checkpointed. */
void check_mapped_files(struct check_result *r, const struct plan *p, const struct core *c, int force);

#endif
