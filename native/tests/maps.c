/*
 * maps N: N pages mapped alternately read-write and read-only, so that they
 * stay N separate mappings, each page holding its own byte. After the
 * restart it checks that every page holds its byte, that the read-only ones
 * are still read-only (as /proc/self/maps says), and that there are still at
 * least N mappings.
 */
#include "feature.h"

#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096ul

static size_t count_maps(void)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		n++;
	fclose(f);
	return n;
}

static int prot_of(const unsigned char *a)
{
	char line[512];
	int prot = -1;
	FILE *f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long s, e;
		char p[8];
		if (sscanf(line, "%lx-%lx %7s", &s, &e, p) == 3 && (uintptr_t)a >= s && (uintptr_t)a < e) {
			prot = (p[0] == 'r' ? PROT_READ : 0) | (p[1] == 'w' ? PROT_WRITE : 0);
			break;
		}
	}
	fclose(f);
	return prot;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000, bad = 0;
	unsigned char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = (unsigned char)(i * 7 + 1);
	for (size_t i = 1; i < n; i += 2)
		if (mprotect(p + i * PAGE, PAGE, PROT_READ) != 0) {
			perror("mprotect");
			return 1;
		}
	checkpoint_point();
	for (size_t i = 0; i < n; i++)
		bad += p[i * PAGE] != (unsigned char)(i * 7 + 1);
	CHECK(bad == 0, "%zu of %zu pages lost their byte", bad, n);
	CHECK(prot_of(p) == (PROT_READ | PROT_WRITE), "first page is not read-write");
	CHECK(n < 2 || prot_of(p + PAGE) == PROT_READ, "second page is not read-only");
	CHECK(count_maps() >= n, "%zu mappings, want at least %zu", count_maps(), n);
	return feature_done("maps");
}
