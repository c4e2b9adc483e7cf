/*
 * deletedmap: a shared mapping of a file deleted after it was mapped, with no
 * descriptor left (a JVM's perf-data file, /tmp/hsperfdata_USER/PID, once
 * another JVM has cleaned it up): it comes back as shared memory holding the
 * content of the checkpoint, writable.
 */
#include "feature.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>

int main(void)
{
	char path[PATH_MAX];
	const char *dir = getenv("FEATURE_DIR") ? getenv("FEATURE_DIR") : "/tmp";
	snprintf(path, sizeof path, "%s/deletedmap.XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, 8192) != 0) { perror(path); return 1; }
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED || close(fd) != 0 || unlink(path) != 0) {
		perror("setup");
		return 1;
	}
	for (int i = 0; i < 8192; i++)
		m[i] = (char)('a' + i % 26);

	checkpoint_point();

	int same = 1;
	for (int i = 0; i < 8192; i++)
		same &= m[i] == (char)('a' + i % 26);
	CHECK(same, "the mapping lost its content (%c %c)", m[0], m[8191]);
	m[4096] = '#';
	CHECK(m[4096] == '#', "the mapping is not writable");
	return feature_done("deletedmap");
}
