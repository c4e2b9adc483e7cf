/*
 * sparse: 1 GiB of anonymous memory of which 20 MiB are touched (2 MiB,
 * aligned, every 100 MiB: the same resident size with or without transparent
 * huge pages; each byte a pattern). Prints "rss KB" (its VmRSS) when ready, then
 * waits to be checkpointed (by libsavefds.so's SIGQUIT, or a test's gdb at
 * checkpoint_point). After the restart, which it tells by its pid having
 * changed, it prints "restored rss KB" - measured before it looks at its
 * memory again - then checks the touched bytes and that a few untouched
 * pages are zero, and prints PASS sparse.
 */
#include "feature.h"

#include <stdint.h>
#include <sys/mman.h>

#define SIZE   (1ull << 30)
#define CHUNK  (2ull << 20)
#define STRIDE (100ull << 20)

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static unsigned char pattern(uint64_t off)
{
	return (unsigned char)(off * 2654435761u >> 13) | 1;   /* never 0 */
}

int main(void)
{
	unsigned char *m = mmap(NULL, SIZE + CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0), *p;
	pid_t pid = getpid();
	if (m == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	p = (unsigned char *)(((uintptr_t)m + CHUNK - 1) & ~(uintptr_t)(CHUNK - 1));
	for (uint64_t c = 0; c + STRIDE <= SIZE; c += STRIDE)
		for (uint64_t o = c; o < c + CHUNK; o++)
			p[o] = pattern(o);
	printf("rss %ld\n", rss_kb());
	fflush(stdout);
	checkpoint_point();
	for (int i = 0; i < 600 && getpid() == pid; i++)
		usleep(100000);
	if (getpid() == pid) {
		printf("FAIL sparse: never checkpointed\n");
		return 1;
	}
	printf("restored rss %ld\n", rss_kb());
	for (uint64_t c = 0; c + STRIDE <= SIZE; c += STRIDE)
		for (uint64_t o = c; o < c + CHUNK; o++)
			if (p[o] != pattern(o)) {
				CHECK(0, "byte at offset %lu is %d, want %d", (unsigned long)o, p[o], pattern(o));
				c = SIZE;
				break;
			}
	for (uint64_t o = CHUNK; o + STRIDE <= SIZE; o += STRIDE)
		CHECK(p[o + 4096] == 0, "untouched byte at offset %lu is %d", (unsigned long)(o + 4096), p[o + 4096]);
	return feature_done("sparse");
}
