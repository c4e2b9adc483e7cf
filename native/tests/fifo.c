/*
 * fifo: a named FIFO with both ends in the process comes back with its
 * unread bytes: a read end (non-blocking) and a write end opened by name, and
 * one descriptor opened read-write. The FIFO itself stays on disk.
 */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

int main(void)
{
	char path[PATH_MAX];
	const char *dir = getenv("FEATURE_DIR") ? getenv("FEATURE_DIR") : "/tmp";
	snprintf(path, sizeof path, "%s/fifo.%d", dir, (int)getpid());
	if (mkfifo(path, 0600) != 0) { perror(path); return 1; }
	int r = open(path, O_RDONLY | O_NONBLOCK);
	int w = open(path, O_WRONLY);
	int rw = open(path, O_RDWR);
	if (r < 0 || w < 0 || rw < 0 || write(w, "fifo bytes", 10) != 10) { perror("fifo"); return 1; }

	checkpoint_point();

	char buf[32] = { 0 };
	CHECK((fcntl(r, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_RDONLY | O_NONBLOCK), "fd %d flags 0%o", r,
	      fcntl(r, F_GETFL));
	CHECK((fcntl(w, F_GETFL) & O_ACCMODE) == O_WRONLY, "fd %d is not the write end", w);
	CHECK((fcntl(rw, F_GETFL) & O_ACCMODE) == O_RDWR, "fd %d is not read-write", rw);
	CHECK(read(r, buf, sizeof buf - 1) == 10 && strcmp(buf, "fifo bytes") == 0, "fifo holds \"%s\"", buf);
	CHECK(read(r, buf, 1) < 0 && errno == EAGAIN, "fifo holds more");
	CHECK(write(rw, "!", 1) == 1 && read(r, buf, 1) == 1 && buf[0] == '!', "fds %d and %d not one fifo", rw, r);
	struct stat st;
	CHECK(fstat(w, &st) == 0 && S_ISFIFO(st.st_mode), "fd %d is no FIFO", w);
	unlink(path);
	return feature_done("fifo");
}
