/*
 * spinregs: the registers of an interrupted instruction. Puts known values in
 * rbx, r12-r15 and xmm8, prints "ready", and spins in a small loop of its own
 * (between the labels spin_start and spin_end, no system calls) until its
 * SIGUSR2 handler sets a flag. A checkpoint taken by signal during the spin
 * must hold rip inside the loop and these values (gdb shows them from the
 * core); after a restart, SIGUSR2 ends the spin and the program checks that
 * the registers came back, printing PASS spinregs.
 */
#include "feature.h"
#include <signal.h>
#include <stdint.h>

static volatile int stop;

static void on_usr2(int sig)
{
	stop = 1;
}

#define MAGIC_RBX 0x1111111111111111ull
#define MAGIC_R12 0x1212121212121212ull
#define MAGIC_R13 0x1313131313131313ull
#define MAGIC_R14 0x1414141414141414ull
#define MAGIC_R15 0x1515151515151515ull
#define MAGIC_X8  0x0808080808080808ull

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	printf("ready\n");
	fflush(stdout);

	uint64_t rbx, r12, r13, r14, r15, x8;
	__asm__ volatile(
		"movabs $0x1111111111111111, %%rbx\n\t"
		"movabs $0x1212121212121212, %%r12\n\t"
		"movabs $0x1313131313131313, %%r13\n\t"
		"movabs $0x1414141414141414, %%r14\n\t"
		"movabs $0x1515151515151515, %%r15\n\t"
		"movabs $0x0808080808080808, %%rax\n\t"
		"movq %%rax, %%xmm8\n\t"
		".globl spin_start\n"
		"spin_start:\n\t"
		"cmpl $0, %[stop]\n\t"
		"pause\n\t"
		"je spin_start\n"
		".globl spin_end\n"
		"spin_end:\n\t"
		"mov %%rbx, %[rbx]\n\t"
		"mov %%r12, %[r12]\n\t"
		"mov %%r13, %[r13]\n\t"
		"mov %%r14, %[r14]\n\t"
		"mov %%r15, %[r15]\n\t"
		"movq %%xmm8, %[x8]\n\t"
		: [rbx] "=m"(rbx), [r12] "=m"(r12), [r13] "=m"(r13), [r14] "=m"(r14), [r15] "=m"(r15),
		  [x8] "=m"(x8)
		: [stop] "m"(stop)
		: "rax", "rbx", "r12", "r13", "r14", "r15", "xmm8", "memory", "cc");

	CHECK(rbx == MAGIC_RBX, "rbx %#lx", (unsigned long)rbx);
	CHECK(r12 == MAGIC_R12, "r12 %#lx", (unsigned long)r12);
	CHECK(r13 == MAGIC_R13, "r13 %#lx", (unsigned long)r13);
	CHECK(r14 == MAGIC_R14, "r14 %#lx", (unsigned long)r14);
	CHECK(r15 == MAGIC_R15, "r15 %#lx", (unsigned long)r15);
	CHECK(x8 == MAGIC_X8, "xmm8 %#lx", (unsigned long)x8);
	return feature_done("spinregs");
}
