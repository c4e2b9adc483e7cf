/* bigheap MIB: fills MIB MiB of heap, checkpoints itself (SIGQUIT: the kernel
 * writes the core), and after a restart checks every page and exits 0. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64, len = mib << 20;
	unsigned char *p = malloc(len);
	sigset_t q;
	unsigned long sum = 0;
	if (!p)
		return 1;
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	sigemptyset(&q);
	sigaddset(&q, SIGQUIT);
	sigprocmask(SIG_UNBLOCK, &q, NULL);
	signal(SIGQUIT, SIG_DFL);
	raise(SIGQUIT);
	for (size_t i = 0; i < len; i += 4096)
		sum += p[i] == (unsigned char)(i >> 12);
	return sum == len / 4096 ? 0 : 3;
}
