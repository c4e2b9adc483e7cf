/*
 * feature.h - helpers for the self-checking feature programs.
 *
 * Each program sets one piece of state, then calls checkpoint_point(): a
 * function the test breaks on (gdb) or where the program raises SIGQUIT at
 * itself (kernel core, with CKPT_KERNEL_CORE=1 in the environment). After the
 * restart it checks its state and prints "PASS <name>" or "FAIL <name>: why".
 */
#ifndef FEATURE_H
#define FEATURE_H
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int feature_failed;

/*
 * With FEATURE_PID=1 in the environment, the program prints "pid-before N"
 * when it starts and "pid-after N" when it checks itself: a restored process
 * prints only the second, with another pid (its environment is the
 * checkpointed one, so the variable is still set). A program run again from
 * main would print both, with one pid: the test tells a restore from a re-run.
 */
__attribute__((constructor)) static void feature_pid_before(void)
{
	if (getenv("FEATURE_PID") != NULL) {
		printf("pid-before %d\n", (int)getpid());
		fflush(stdout);
	}
}

/* Makes SIGQUIT deadly again: a parent (a JVM, a non-interactive shell) may
 * have left it ignored or blocked. */
static inline void feature_arm_sigquit(void)
{
	sigset_t q;
	sigemptyset(&q);
	sigaddset(&q, SIGQUIT);
	signal(SIGQUIT, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &q, NULL);
}

/* The test stops the process here: `break checkpoint_point` under gdb. */
__attribute__((noinline, used)) void checkpoint_point(void)
{
	__asm__ volatile("" ::: "memory");
	if (getenv("CKPT_KERNEL_CORE") != NULL) {
		feature_arm_sigquit();
		raise(SIGQUIT);
	}
}

/*
 * Inline asm for the vector programs: with %[sig] non-zero, kill(%[pid], %[sig])
 * by a raw system call (which keeps every vector register), then the global
 * label LABEL where gdb breaks. Clobbers rax, rdi, rsi, rcx, r11.
 */
#define FEATURE_ASM_CHECKPOINT(label) \
	"test %[sig], %[sig]\n\t" \
	"jz 1f\n\t" \
	"mov $62, %%eax\n\t" \
	"mov %[pid], %%rdi\n\t" \
	"mov %[sig], %%rsi\n\t" \
	"syscall\n\t" \
	"1:\n\t" \
	".globl " label "\n" \
	label ":\n\t" \
	"nop\n\t"

#define CHECK(cond, ...) do { if (!(cond)) { \
	feature_failed = 1; printf("FAIL %s: ", __FILE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static inline int feature_done(const char *name)
{
	if (getenv("FEATURE_PID") != NULL)
		printf("pid-after %d\n", (int)getpid());
	if (!feature_failed)
		printf("PASS %s\n", name);
	fflush(stdout);
	return feature_failed;
}
#endif
