/* fillheap MIB: fills MIB MiB of heap (one byte per page, so every page is
 * in the image), reaches the line marked CHECKPOINT, then checks every page
 * and exits 0 (3 when a page is wrong). For bench/restarts.sh. */
#include <stdlib.h>

static volatile int ready;

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64, len = mib << 20;
	unsigned char *p = malloc(len);
	unsigned long sum = 0;
	if (!p)
		return 1;
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	ready = 1;   /* CHECKPOINT */
	for (size_t i = 0; i < len; i += 4096)
		sum += p[i] == (unsigned char)(i >> 12);
	return sum == len / 4096 ? 0 : 3;
}
