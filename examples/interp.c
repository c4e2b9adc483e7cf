/*
 * interp: a small command interpreter, for `ckpt suite` examples (examples/suites).
 *
 *     interp [N]
 *
 * Builds a table of the squares 0..N-1 (N = 1000 by default) in a loop
 * (line 40 is inside it), then reads commands from stdin, one a line, and
 * answers each on stdout:
 *   sum          the sum of the table        get I        entry I
 *   arg I        argv[I]                     env NAME     $NAME
 *   exit N       exit with status N          segv         write through a null pointer
 *   abort        abort()                     hang         sleep forever
 *   sleep MS     sleep MS milliseconds       say TEXT     TEXT on stderr
 * At end of input it prints "bye" and exits 0. Checkpointed in the loop, every
 * case restarts with the table half built and the arguments and environment
 * of the first run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long *table;

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, i;
	char line[512];

	if (n <= 0) {
		fprintf(stderr, "interp: N must be positive\n");
		return 2;
	}
	table = malloc((size_t)n * sizeof *table);
	if (table == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		table[i] = i * i;
	}
	while (fgets(line, sizeof line, stdin) != NULL) {
		char arg[480] = "";
		long v = 0;
		line[strcspn(line, "\n")] = 0;
		sscanf(line, "%*s %479[^\n]", arg);
		v = atol(arg);
		if (strcmp(line, "sum") == 0) {
			long s = 0;
			for (i = 0; i < n; i++)
				s += table[i];
			printf("%ld\n", s);
		} else if (strncmp(line, "get ", 4) == 0) {
			if (v < 0 || v >= n) { printf("out of range\n"); continue; }
			printf("%ld\n", table[v]);
		} else if (strncmp(line, "arg ", 4) == 0) {
			printf("%s\n", v >= 0 && v < argc ? argv[v] : "(none)");
		} else if (strncmp(line, "env ", 4) == 0) {
			const char *e = getenv(arg);
			printf("%s\n", e ? e : "(unset)");
		} else if (strncmp(line, "exit ", 5) == 0) {
			fflush(stdout);
			exit((int)v);
		} else if (strcmp(line, "segv") == 0) {
			fflush(stdout);
			*(volatile long *)0 = 1;
		} else if (strcmp(line, "abort") == 0) {
			fflush(stdout);
			abort();
		} else if (strcmp(line, "hang") == 0) {
			fflush(stdout);
			for (;;)
				pause();
		} else if (strncmp(line, "sleep ", 6) == 0) {
			struct timespec ts = { v / 1000, (v % 1000) * 1000000 };
			nanosleep(&ts, NULL);
		} else if (strncmp(line, "say ", 4) == 0) {
			fprintf(stderr, "%s\n", arg);
		} else if (line[0] != 0) {
			printf("unknown command: %s\n", line);
		}
		fflush(stdout);
	}
	printf("bye\n");
	return 0;
}
