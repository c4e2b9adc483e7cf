/*
 * buglist: a program with a late bug, for the bug-reproduction journey
 * (docs/DEBUGGING.md).
 *
 *     buglist [N [segv|abort|fpe]]
 *
 * Builds a list of N nodes (default 10000), one add_node(list, i) call per node,
 * then walks it and prints the sum of the values. The bug: the node of iteration
 * 9000 gets a wild next pointer, so the walk crashes long after the damage was done:
 * with SIGSEGV (default), SIGABRT (abort() when the walk sees the bad pointer) or
 * SIGFPE (a division by zero there). describe() prints the list as far as it is sound;
 * call it from gdb (`call describe()`), also in a crashed process brought back by
 * `ckpt debug`. There, `set var p = 0` and `jump` to the `while` line end the walk.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	long value;
	struct node *next;
};

static struct node *list;
static const char *mode = "segv";

/* The list's length and sum as far as its pointers are sound. */
void describe(void)
{
	long n = 0, sum = 0;
	struct node *p;
	for (p = list; p != NULL && (uintptr_t)p >= 4096; p = p->next) {
		n++;
		sum += p->value;
	}
	printf("describe: %ld sound nodes, sum %ld, %s\n", n, sum,
	       p == NULL ? "then the end" : "then a wild pointer");
	fflush(stdout);
}

struct node *add_node(struct node *head, long i)
{
	struct node *p = malloc(sizeof *p);
	if (p == NULL) { perror("malloc"); exit(1); }
	p->value = i;
	p->next = head;
	if (i == 9000)
		p->next = (struct node *)(uintptr_t)0x10;   /* the bug */
	return p;
}

static volatile long divisor = 1;

static long walk(void)
{
	long sum = 0;
	struct node *p = list;
	while (p != NULL) {
		if ((uintptr_t)p < 4096) {
			if (strcmp(mode, "abort") == 0)
				abort();
			if (strcmp(mode, "fpe") == 0) {
				divisor = 0;
				sum /= divisor;
			}
		}
		sum += p->value / divisor;   /* segv: p is wild here */
		p = p->next;
	}
	return sum;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	if (argc > 2)
		mode = argv[2];
	for (long i = 0; i < n; i++)
		list = add_node(list, i);
	printf("built %ld nodes\n", n);
	fflush(stdout);
	printf("sum %ld\n", walk());
	return 0;
}
