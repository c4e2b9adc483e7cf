/*
 * linklist: the seed's first example program.
 *
 * Reads a number N from stdin, builds a singly linked list of N malloc'd
 * nodes holding 0..N-1, then prints every value, one per line.
 *
 * Line 29 is inside the node-building loop, so under gdb
 *     break 29, run, (type N), continue 500, gcore core.linklist
 * stops with nodes 0..500 being built; see README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct node {
	long value;
	struct node *next;
};

int main(void)
{
	struct node *head = NULL, *tail = NULL, *p;
	long i, n;

	if (isatty(0))
		fprintf(stderr, "number of nodes: ");
	if (scanf("%ld", &n) != 1 || n < 0) { fprintf(stderr, "linklist: expected a number\n"); return 2; }
	for (i = 0; i < n; i++) {
		p = malloc(sizeof *p);
		if (p == NULL) { perror("malloc"); return 1; }
		p->value = i;
		p->next = NULL;
		if (tail) tail->next = p; else head = p;
		tail = p;
	}
	for (p = head; p != NULL; p = p->next)
		printf("%ld\n", p->value);
	return 0;
}
