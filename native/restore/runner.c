/* runner.c - after the restore: -b, leaving the process running or stopped, -w. */
#include "log.h"
#include "restore.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * -b: run to ADDR, then leave the process stopped there. Signals the process
 * gets on the way (its own raise(), a timer, kill from outside) are passed on
 * with the next resume, so its handlers run as they would have; a SIGTRAP
 * that is not the breakpoint is passed on too. Only the leader is traced:
 * the breakpoint is for the thread the core's first thread became.
 */
int run_to_breakpoint(struct restore *r, uint64_t addr)
{
	uint8_t orig, trap = 0xcc;
	struct user_regs_struct regs;
	int status, sig = 0;
	if (remote_read(&r->t, RADDR(addr), &orig, 1) != 0)
		return log_errno("breakpoint address 0x%lx", (unsigned long)addr);
	if (remote_write(&r->t, RADDR(addr), &trap, 1) != 0)
		return log_errno("set breakpoint at 0x%lx", (unsigned long)addr);
	for (;;) {
		if (remote_cont(&r->t, sig, &status) != 0) {
			log_error("run to breakpoint 0x%lx failed", (unsigned long)addr);
			return -1;
		}
		if (!WIFSTOPPED(status)) {
			log_error("the process ended before reaching 0x%lx", (unsigned long)addr);
			r->t.pid = 0;
			return -1;
		}
		sig = WSTOPSIG(status);
		if (status >> 16) {    /* a ptrace event: nothing to deliver */
			sig = 0;
			continue;
		}
		if (sig == SIGTRAP) {
			if (remote_getregs(&r->t, &regs) != 0)
				return -1;
			if (regs.rip == addr + 1)
				break;
		}
		log_debug("signal %d on the way to the breakpoint: passed on", sig);
	}
	regs.rip = addr;
	if (remote_write(&r->t, RADDR(addr), &orig, 1) != 0 || remote_setregs(&r->t, &regs) != 0)
		return log_errno("remove breakpoint");
	log_info("reached breakpoint 0x%lx", (unsigned long)addr);
	return 0;
}

/* Detaches from the restored process: running with -n (and no -b), else stopped. */
int release(struct restore *r)
{
	pid_t pid = r->t.pid;
	int stop = !r->o->nostop || r->o->breakpoint;
	log_info("%lu ptrace stops, %lu syscalls injected", *r->t.nstops, *r->t.nsyscalls);
	if (remote_detach(&r->t, stop ? SIGSTOP : 0) != 0)
		return -1;
	if (stop) {
		/* the SIGSTOP takes effect after the detach: report once it has */
		int status;
		while (waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR)
			;
		fprintf(stderr, "restart: process %d restored and stopped; attach with `gdb -p %d` or resume with `kill -CONT %d`\n",
			pid, pid, pid);
	} else {
		log_info("process %d restored and running", pid);
	}
	close(r->t.memfd);
	return 0;
}

int wait_exit_status(pid_t pid)
{
	int status;
	signal(SIGINT, SIG_IGN);     /* the terminal's signals are the program's business */
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return log_errno("waitpid"), EXIT_FAILED;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
