/* manymaps N: N pages mapped alternately read-write and read-only (so that
 * they do not merge: N mappings), each written first; checkpoints itself
 * (SIGQUIT: the kernel writes the core), and after a restart checks every
 * page and exits 0. */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000, page = 4096;
	unsigned char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sigset_t q;
	size_t ok = 0;
	if (p == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < n; i++)
		p[i * page] = (unsigned char)(i * 7 + 1);
	for (size_t i = 1; i < n; i += 2)
		if (mprotect(p + i * page, page, PROT_READ) != 0)
			return 1;
	sigemptyset(&q);
	sigaddset(&q, SIGQUIT);
	sigprocmask(SIG_UNBLOCK, &q, NULL);
	signal(SIGQUIT, SIG_DFL);
	raise(SIGQUIT);
	for (size_t i = 0; i < n; i++)
		ok += p[i * page] == (unsigned char)(i * 7 + 1);
	return ok == n ? 0 : 3;
}
