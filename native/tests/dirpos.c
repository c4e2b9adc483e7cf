/*
 * dirpos: a directory read half-way goes on where it stopped. The program
 * makes a directory of 200 files, reads its first entries with getdents64
 * into a small buffer, is checkpointed, then reads the rest: every name must
 * come exactly once. (Found by the differential suite: tar, checkpointed
 * between two getdents64 calls on a directory, archived its first file twice,
 * because restart reopened the directory at position 0.)
 */
#include "feature.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define NFILES 200

struct dirent64_raw {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int seen[NFILES];
static int twice, strangers;

static void take(const char *buf, long n)
{
	for (long p = 0; p < n;) {
		const struct dirent64_raw *d = (const void *)(buf + p);
		int i;
		if (sscanf(d->d_name, "f%d", &i) == 1 && i >= 0 && i < NFILES) {
			if (seen[i]++)
				twice++;
		} else if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) {
			strangers++;
		}
		p += d->d_reclen;
	}
}

int main(void)
{
	const char *base = getenv("FEATURE_DIR") ? getenv("FEATURE_DIR") : "/tmp";
	char dir[PATH_MAX], path[PATH_MAX + 16];
	char buf[256]; /* a few entries per call */
	int missing = 0;
	long n;
	snprintf(dir, sizeof dir, "%s/dirpos.d", base);
	if (mkdir(dir, 0700) != 0) { perror(dir); return 1; }
	for (int i = 0; i < NFILES; i++) {
		snprintf(path, sizeof path, "%s/f%d", dir, i);
		int f = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
		if (f < 0) { perror(path); return 1; }
		close(f);
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0) { perror(dir); return 1; }
	n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	CHECK(n > 0, "first getdents64: %ld", n);
	take(buf, n);
	off_t at = lseek(fd, 0, SEEK_CUR);
	checkpoint_point();
	off_t now = lseek(fd, 0, SEEK_CUR);
	CHECK(now == at, "directory position %lld, want %lld", (long long)now, (long long)at);
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
		take(buf, n);
	CHECK(n == 0, "getdents64: %ld", n);
	for (int i = 0; i < NFILES; i++)
		missing += !seen[i];
	CHECK(twice == 0 && missing == 0 && strangers == 0, "%d names read twice, %d missing, %d unknown",
	      twice, missing, strangers);
	return feature_done("dirpos");
}
