/*
 * memfd: a memfd comes back with its name, content, position and seals, and
 * its shared mapping maps the memfd made again (a write through the mapping
 * shows in the file and back).
 */
#include "feature.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>

#define SIZE 10000

int main(void)
{
	int fd = memfd_create("feature-mem", MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, SIZE) != 0) { perror("memfd"); return 1; }
	char *m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) { perror("mmap"); return 1; }
	for (int i = 0; i < SIZE; i++)
		m[i] = (char)('a' + i % 26);
	if (lseek(fd, 1234, SEEK_SET) != 1234 || fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK) != 0) {
		perror("seal");
		return 1;
	}

	checkpoint_point();

	char link[PATH_MAX] = { 0 }, self[64];
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	CHECK(readlink(self, link, sizeof link - 1) > 0 && strcmp(link, "/memfd:feature-mem (deleted)") == 0,
	      "fd %d is %s", fd, link);
	CHECK(lseek(fd, 0, SEEK_CUR) == 1234, "fd %d at %ld, want 1234", fd, (long)lseek(fd, 0, SEEK_CUR));
	CHECK(fcntl(fd, F_GET_SEALS) == (F_SEAL_GROW | F_SEAL_SHRINK), "seals 0x%x", fcntl(fd, F_GET_SEALS));
	CHECK(lseek(fd, 0, SEEK_END) == SIZE, "size %ld", (long)lseek(fd, 0, SEEK_END));
	char c = 0;
	CHECK(pread(fd, &c, 1, 27) == 1 && c == 'b', "byte 27 of the memfd is %c", c);
	CHECK(m[28] == 'c', "byte 28 of the mapping is %c", m[28]);
	/* one file behind both */
	m[100] = '!';
	CHECK(pread(fd, &c, 1, 100) == 1 && c == '!', "the mapping is not the memfd's");
	CHECK(pwrite(fd, "?", 1, 200) == 1 && m[200] == '?', "the memfd is not the mapping's");
	return feature_done("memfd");
}
