/*
 * pidcheck: a restarted process is a new process. Prints its pid and arguments
 * before the checkpoint (flushed: the original process prints them) and its pid
 * after; checks that the pid changed, that the kernel agrees on it, and that the
 * arguments are intact. Run it under ckpt-gdb with --break checkpoint_point.
 */
#include "feature.h"
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	pid_t before = getpid();
	printf("pid-before %ld\n", (long)before);
	for (int i = 1; i < argc; i++)
		printf("arg %d <%s>\n", i, argv[i]);
	printf("env LINES %s COLUMNS %s\n", getenv("LINES") ? getenv("LINES") : "(unset)",
	       getenv("COLUMNS") ? getenv("COLUMNS") : "(unset)");
	fflush(stdout);
	long sum = 0;
	for (int i = 0; i < argc; i++)
		sum += (long)strlen(argv[i]);

	checkpoint_point();

	pid_t after = getpid();
	printf("pid-after %ld\n", (long)after);
	CHECK(after != before, "pid %ld did not change: this is not a restarted process", (long)after);
	CHECK(syscall(SYS_gettid) == after, "gettid %ld differs from getpid %ld", (long)syscall(SYS_gettid), (long)after);
	long again = 0;
	for (int i = 0; i < argc; i++)
		again += (long)strlen(argv[i]);
	CHECK(again == sum, "arguments changed: %ld bytes, want %ld", again, sum);
	return feature_done("pidcheck");
}
