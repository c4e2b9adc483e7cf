/*
 * forkserver.h - many processes from one restore (restart --fork-server).
 *
 * The image is restored once into a template that never runs: it stays
 * stopped under ptrace with the scratch page mapped and its registers not
 * yet set. Each request runs a few staged instructions in the template:
 * clone(CLONE_PARENT | SIGCHLD) makes the copy restart's child; the copy
 * traces itself (PTRACE_TRACEME), opens its own stdin/stdout/stderr and stops;
 * restart unmaps the scratch page in it, sets its registers and lets it run.
 * The line protocol is in docs/RESTART.md.
 */
#ifndef CKPT_FORKSERVER_H
#define CKPT_FORKSERVER_H

#include "corefile.h"
#include "remote.h"

#define EXIT_FORKSERVER_UNSUPPORTED 3

/* Before the template is made. Refuses an image the server cannot copy (more
 * than one thread: prints "unsupported REASON" on stdout and returns -1).
 * Moves the protocol (stdin, stdout) to private descriptors and puts
 * /dev/null on 0 and 1, so the template holds no end of the protocol. */
int forkserver_begin(const struct core *c, const char *core_path);

/* The template is restored up to its registers: serves requests until
 * stdin ends, then kills the template. Returns restart's exit status. */
int forkserver_serve(struct tracee *t, const struct core *c, const struct core_thread *lead);

#endif
