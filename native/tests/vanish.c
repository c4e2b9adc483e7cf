/*
 * vanish: a MAP_SHARED mapping of a file that is gone at restart (deleted
 * before the checkpoint here; a cleaned /tmp or /dev/shm alike) comes back as
 * shared memory with the content it had: what was written through it before
 * the checkpoint is there, it is writable, and a child's writes are seen by
 * the parent (shared, not private). The file lives in $FEATURE_DIR.
 */
#include "feature.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define LEN (3 * 4096)

int main(void)
{
	const char *dir = getenv("FEATURE_DIR") ? getenv("FEATURE_DIR") : ".";
	char path[4096], buf[LEN];
	snprintf(path, sizeof path, "%s/vanish.dat", dir);
	memset(buf, 'v', sizeof buf);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
		perror("setup");
		return 1;
	}
	char *s = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	s[4096 + 5] = 'D';
	unlink(path);

	checkpoint_point();

	CHECK(s[0] == 'v' && s[4096 + 5] == 'D' && s[LEN - 1] == 'v', "content lost (%c %c %c)", s[0], s[4096 + 5],
	      s[LEN - 1]);
	pid_t child = fork();
	if (child == 0) {
		s[7] = 'C';
		_exit(0);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK(s[7] == 'C', "a child's write is not seen: the mapping is not shared");
	return feature_done("vanish");
}
