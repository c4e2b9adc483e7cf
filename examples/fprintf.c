/*
 * fprintf: the seed's second example program.
 *
 *     fprintf FILE N
 *
 * prints the numbers 1..N into FILE with fprintf, one per line, sleeping
 * 2 seconds between numbers (FPRINTF_DELAY_MS overrides the pause, for tests).
 * FILE "-" means stderr. With no arguments it asks for them.
 * Checkpoint it with SIGQUIT under LD_PRELOAD=libsavefds.so and restart it
 * with `restart -f -n -w fprintf core.<pid>`; see README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	char name[4096];
	long n, i, delay_ms = 2000;
	const char *d = getenv("FPRINTF_DELAY_MS");
	FILE *f;

	if (d != NULL)
		delay_ms = atol(d);
	if (argc >= 3) {
		snprintf(name, sizeof name, "%s", argv[1]);
		n = atol(argv[2]);
	} else {
		printf("file name: ");
		fflush(stdout);
		if (scanf("%4095s", name) != 1) return 2;
		printf("how many numbers: ");
		fflush(stdout);
		if (scanf("%ld", &n) != 1) return 2;
	}
	if (strcmp(name, "-") == 0)
		f = stderr;
	else if ((f = fopen(name, "w")) == NULL) {
		perror(name);
		return 1;
	}
	for (i = 1; i <= n; i++) {
		struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
		fprintf(f, "%ld\n", i);
		while (nanosleep(&ts, &ts) != 0)
			;	/* a restart cuts a sleep short: finish it */
	}
	if (f != stderr)
		fclose(f);
	return 0;
}
