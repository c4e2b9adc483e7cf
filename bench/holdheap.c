/* holdheap DATA_MIB [RESERVE_MIB]: a process to checkpoint from outside. Maps
 * RESERVE_MIB MiB (default DATA_MIB) of private anonymous memory, writes DATA_MIB
 * MiB of it (one distinct byte per page, the rest of each page left zero), says
 * "ready" on stdout and waits for signals; SIGQUIT (default action) gives the
 * kernel's core dump. The rest of the reservation is never touched. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t data = argc > 1 ? strtoul(argv[1], NULL, 10) << 20 : 64u << 20;
	size_t reserve = argc > 2 ? strtoul(argv[2], NULL, 10) << 20 : data;
	if (reserve < data)
		reserve = data;
	unsigned char *p = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < data; i += 4096)
		p[i] = (unsigned char)(1 + (i >> 12) % 251);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
