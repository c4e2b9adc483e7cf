/*
 * opath: O_PATH descriptors come back as O_PATH descriptors (issue 12: a
 * process holding one could not be restored at all - the engine tried to seek
 * it). One to the program's own file, one to "/" with close-on-exec; both must
 * name the same inodes after the restart and keep their flags.
 */
#include "feature.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static int same(int fd, const struct stat *want)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

int main(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0) { perror("/proc/self/exe"); return 1; }
	exe[n] = 0;
	struct stat fst, rst;
	int f = open(exe, O_PATH);
	int r = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f < 0 || r < 0 || fstat(f, &fst) != 0 || fstat(r, &rst) != 0) { perror("open O_PATH"); return 1; }
	checkpoint_point();
	CHECK(same(f, &fst), "fd %d no longer names %s", f, exe);
	CHECK(same(r, &rst), "fd %d no longer names /", r);
	CHECK((fcntl(f, F_GETFL) & O_PATH) != 0, "fd %d is not O_PATH (flags 0%o)", f, fcntl(f, F_GETFL));
	CHECK((fcntl(r, F_GETFL) & O_PATH) != 0, "fd %d is not O_PATH", r);
	CHECK((fcntl(f, F_GETFD) & FD_CLOEXEC) == 0, "fd %d gained close-on-exec", f);
	CHECK((fcntl(r, F_GETFD) & FD_CLOEXEC) != 0, "fd %d lost close-on-exec", r);
	/* still usable as a directory handle */
	struct stat e;
	CHECK(fstatat(r, "proc", &e, 0) == 0 && S_ISDIR(e.st_mode), "fstatat(fd %d, \"proc\") fails", r);
	return feature_done("opath");
}
