/*
 * files: open files survive a checkpoint by signal (libsavefds.so) and a
 * restart with `restart -f`: one file read half-way, one written, one opened
 * O_APPEND, two descriptors dup'd from one open file (sharing one offset, one
 * with close-on-exec, one without).
 *
 * Runs in the current directory, which should be empty: it creates in.txt and
 * log.txt, then opens the files, does the first half of the work, prints
 * "ready" and waits for one byte on stdin. The test checkpoints it there
 * (SIGQUIT) or just sends the byte (the uninterrupted run). After the byte it
 * checks its descriptors, does the second half, and prints PASS files or FAIL.
 * Outputs: out.txt, log.txt, shared.txt - the same bytes in both runs.
 */
#include "feature.h"
#include <fcntl.h>

#define LINES 100
#define LINELEN 7 /* "in 042\n" */

static void write_file(const char *name, const char *text, int flags)
{
	int fd = open(name, O_WRONLY | O_CREAT | flags, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0) {
		perror(name);
		exit(1);
	}
}

static void put(int fd, const char *text)
{
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write to fd %d failed", fd);
}

/* Copies n lines of the input to the output, as "out: <line>". */
static void copy_lines(int in, int out, int n)
{
	char line[LINELEN + 1], text[64];
	for (int i = 0; i < n; i++) {
		ssize_t r = read(in, line, LINELEN);
		CHECK(r == LINELEN, "read %zd bytes of line %d", r, i);
		if (r != LINELEN)
			return;
		line[LINELEN] = 0;
		snprintf(text, sizeof text, "out: %s", line);
		put(out, text);
	}
}

int main(void)
{
	char text[LINES * LINELEN + 1], *p = text;
	for (int i = 0; i < LINES; i++)
		p += sprintf(p, "in %03d\n", i);
	write_file("in.txt", text, O_TRUNC);
	write_file("log.txt", "log: from an earlier run\n", O_TRUNC);

	int in = open("in.txt", O_RDONLY);
	int out = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int log = open("log.txt", O_WRONLY | O_APPEND);
	int sh = open("shared.txt", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int sh2 = dup(sh); /* dup: same open file, no close-on-exec */
	if (in < 0 || out < 0 || log < 0 || sh < 0 || sh2 < 0) {
		perror("open");
		return 1;
	}

	copy_lines(in, out, LINES / 2);
	put(log, "log: first half\n");
	put(sh, "A1\n");
	put(sh2, "B1\n");

	printf("ready\n");
	fflush(stdout);
	char go;
	ssize_t r;
	while ((r = read(0, &go, 1)) < 0)
		; /* the checkpoint happens in this read */
	checkpoint_point();

	/* the descriptors as they were */
	CHECK(lseek(in, 0, SEEK_CUR) == (LINES / 2) * LINELEN, "in.txt offset %ld, want %d",
	      (long)lseek(in, 0, SEEK_CUR), (LINES / 2) * LINELEN);
	CHECK(lseek(out, 0, SEEK_CUR) == (LINES / 2) * (LINELEN + 5), "out.txt offset %ld",
	      (long)lseek(out, 0, SEEK_CUR));
	CHECK((fcntl(in, F_GETFL) & O_ACCMODE) == O_RDONLY, "in.txt not read-only");
	CHECK((fcntl(out, F_GETFL) & O_ACCMODE) == O_WRONLY, "out.txt not write-only");
	CHECK((fcntl(log, F_GETFL) & O_APPEND) != 0, "log.txt lost O_APPEND");
	CHECK((fcntl(sh, F_GETFL) & O_ACCMODE) == O_RDWR, "shared.txt not read-write");
	CHECK((fcntl(sh, F_GETFD) & FD_CLOEXEC) != 0, "fd %d lost close-on-exec", sh);
	CHECK((fcntl(sh2, F_GETFD) & FD_CLOEXEC) == 0, "fd %d gained close-on-exec", sh2);
	CHECK(lseek(sh, 0, SEEK_CUR) == 6 && lseek(sh2, 0, SEEK_CUR) == 6, "shared offsets %ld %ld, want 6 6",
	      (long)lseek(sh, 0, SEEK_CUR), (long)lseek(sh2, 0, SEEK_CUR));

	/* the second half */
	copy_lines(in, out, LINES / 2);
	char extra;
	CHECK(read(in, &extra, 1) == 0, "in.txt longer than expected");
	put(log, "log: second half\n");
	put(sh, "A2\n");
	put(sh2, "B2\n");

	/* one open file behind both descriptors: moving one moves the other */
	CHECK(lseek(sh, 0, SEEK_SET) == 0, "lseek");
	CHECK(lseek(sh2, 0, SEEK_CUR) == 0, "fds %d and %d do not share their offset", sh, sh2);
	char back[32] = { 0 };
	CHECK(read(sh2, back, sizeof back - 1) == 12 && strcmp(back, "A1\nB1\nA2\nB2\n") == 0,
	      "shared.txt holds \"%s\"", back);

	close(in);
	close(out);
	close(log);
	close(sh);
	close(sh2);
	return feature_done("files");
}
