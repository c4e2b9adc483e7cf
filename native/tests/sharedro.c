/* sharedro: a file the process may write, mapped MAP_SHARED read-only (from an
 * O_RDWR descriptor it then closed), can be made writable with mprotect after
 * the restore, and writes through it reach the file. The engine used to map
 * it from an O_RDONLY descriptor, and mprotect failed with EACCES. The file
 * lives in $FEATURE_DIR (default: cwd). */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
	const char *dir = getenv("FEATURE_DIR") ? getenv("FEATURE_DIR") : ".";
	char path[4096], buf[4096];
	snprintf(path, sizeof path, "%s/sharedro.dat", dir);
	memset(buf, 'a', sizeof buf);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
		perror("setup");
		return 1;
	}
	char *s = mmap(NULL, sizeof buf, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (s == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	checkpoint_point();
	CHECK(s[0] == 'a', "content wrong");
	int rc = mprotect(s, sizeof buf, PROT_READ | PROT_WRITE);
	CHECK(rc == 0, "mprotect to PROT_READ|PROT_WRITE: %s", strerror(errno));
	if (rc == 0) {
		s[7] = 'W';
		msync(s, sizeof buf, MS_SYNC);
		char c = 0;
		fd = open(path, O_RDONLY);
		CHECK(fd >= 0 && pread(fd, &c, 1, 7) == 1 && c == 'W', "the write did not reach the file (%c)", c);
	}
	return feature_done("sharedro");
}
