/*
 * deleted: a file deleted while open comes back, unlinked, in its directory:
 * its content, the read position of one descriptor, the append mode of a
 * second, and its shared mapping, which maps the file made again.
 */
#include "feature.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>

int main(void)
{
	char path[PATH_MAX];
	const char *dir = getenv("FEATURE_DIR") ? getenv("FEATURE_DIR") : "/tmp";
	snprintf(path, sizeof path, "%s/deleted.XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16) { perror(path); return 1; }
	int ap = open(path, O_WRONLY | O_APPEND);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ap < 0 || m == MAP_FAILED || unlink(path) != 0 || lseek(fd, 5, SEEK_SET) != 5) {
		perror("setup");
		return 1;
	}

	checkpoint_point();

	char link[PATH_MAX] = { 0 }, self[64], want[PATH_MAX + 16];
	struct stat st;
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	CHECK(readlink(self, link, sizeof link - 1) > 0 && strncmp(link, dir, strlen(dir)) == 0 &&
	      strstr(link, " (deleted)") != NULL, "fd %d is %s, want a deleted file in %s", fd, link, dir);
	snprintf(want, sizeof want, "%s (deleted)", path);
	(void)want;
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 16, "fd %d: %ld links, %ld bytes", fd,
	      (long)st.st_nlink, (long)st.st_size);
	char buf[8] = { 0 };
	CHECK(read(fd, buf, 3) == 3 && strcmp(buf, "567") == 0, "fd %d reads \"%s\", want \"567\"", fd, buf);
	CHECK((fcntl(ap, F_GETFL) & (O_APPEND | O_ACCMODE)) == (O_APPEND | O_WRONLY), "fd %d flags 0%o", ap,
	      fcntl(ap, F_GETFL));
	CHECK(write(ap, "Z", 1) == 1 && pread(fd, buf, 1, 16) == 1 && buf[0] == 'Z', "fds %d and %d not one file",
	      fd, ap);
	CHECK(m[10] == 'a' && m[16] == 'Z', "the mapping is not the file's (%c %c)", m[10], m[16]);
	m[0] = '#';
	CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == '#', "a write to the mapping does not reach the file");
	return feature_done("deleted");
}
