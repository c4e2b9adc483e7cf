/*
 * state: open files (one dup'd, one O_APPEND, one close-on-exec), a pipe,
 * /dev/null, a directory; a SIGUSR1 handler, SIGPIPE ignored, SIGUSR2 blocked;
 * a changed working directory. All of it must be the same after the restart.
 *
 * Usage: state [DIR]  (DIR: where to put its files and chdir to; default: a
 * new directory under $TMPDIR or /tmp, removed at the end). Before the
 * checkpoint it prints "state: ready" with its fds, so a test can compare
 * what the checkpoint recorded.
 */
#include "feature.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	(void)si; (void)ctx;
	usr1_seen = sig;
}

static int open_at(const char *dir, const char *name, int flags)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, flags, 0600);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX];
	int own_dir = argc < 2;
	if (own_dir) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/ckpt-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	} else if (!realpath(argv[1], dir)) {
		perror(argv[1]);
		return 1;
	}

	/* data.txt: 26 letters, offset 7; a dup shares the offset. */
	int data = open_at(dir, "data.txt", O_RDWR | O_CREAT | O_TRUNC);
	if (write(data, "abcdefghijklmnopqrstuvwxyz", 26) != 26) { perror("write"); return 1; }
	lseek(data, 7, SEEK_SET);
	int data_dup = dup(data);
	/* log.txt: append mode, 5 bytes written. */
	int log = open_at(dir, "log.txt", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND);
	if (write(log, "start", 5) != 5) { perror("write"); return 1; }
	/* ro.txt: read-only, close-on-exec, offset 3. */
	int ro = open_at(dir, "ro.txt", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC);
	if (write(ro, "0123456789", 10) != 10) { perror("write"); return 1; }
	close(ro);
	ro = open_at(dir, "ro.txt", O_RDONLY | O_CLOEXEC);
	lseek(ro, 3, SEEK_SET);
	int pipefd[2];
	if (pipe(pipefd) != 0) { perror("pipe"); return 1; }
	int null = open("/dev/null", O_WRONLY);
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);

	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	if (chdir(dir) != 0) { perror(dir); return 1; }

	printf("state: ready data=%d dup=%d log=%d ro=%d pipe=%d,%d null=%d dir=%d cwd=%s\n",
	       data, data_dup, log, ro, pipefd[0], pipefd[1], null, dirfd, dir);
	fflush(stdout);

	checkpoint_point();

	/* Offsets and flags. */
	CHECK(lseek(data, 0, SEEK_CUR) == 7, "data offset %ld, want 7", (long)lseek(data, 0, SEEK_CUR));
	lseek(data_dup, 11, SEEK_SET);
	CHECK(lseek(data, 0, SEEK_CUR) == 11, "dup does not share the offset");
	char c = 0;
	CHECK(read(data, &c, 1) == 1 && c == 'l', "data reads '%c', want 'l'", c);
	CHECK(fcntl(log, F_GETFL) & O_APPEND, "log.txt lost O_APPEND");
	CHECK(write(log, "+", 1) == 1 && lseek(log, 0, SEEK_CUR) == 6, "append to log.txt");
	CHECK(lseek(ro, 0, SEEK_CUR) == 3, "ro offset %ld, want 3", (long)lseek(ro, 0, SEEK_CUR));
	CHECK((fcntl(ro, F_GETFL) & O_ACCMODE) == O_RDONLY, "ro.txt not read-only");
	CHECK(fcntl(ro, F_GETFD) == FD_CLOEXEC, "ro.txt lost FD_CLOEXEC");
	CHECK(fcntl(data, F_GETFD) == 0, "data.txt has FD_CLOEXEC");
	CHECK(write(null, "x", 1) == 1, "/dev/null not writable");
	struct stat st;
	CHECK(fstat(dirfd, &st) == 0 && S_ISDIR(st.st_mode), "directory fd lost");

	/* Signals. */
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	CHECK(old.sa_sigaction == on_usr1, "SIGUSR1 handler lost");
	CHECK(old.sa_flags & SA_SIGINFO, "SIGUSR1 lost SA_SIGINFO");
	CHECK(sigismember(&old.sa_mask, SIGTERM), "SIGUSR1 handler mask lost SIGTERM");
	raise(SIGUSR1);
	CHECK(usr1_seen == SIGUSR1, "SIGUSR1 handler did not run");
	sigaction(SIGPIPE, NULL, &old);
	CHECK(old.sa_handler == SIG_IGN, "SIGPIPE not ignored");
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR2), "SIGUSR2 not blocked");
	CHECK(!sigismember(&now, SIGUSR1), "SIGUSR1 blocked");

	/* Working directory. */
	char cwd[PATH_MAX];
	CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, dir) == 0, "cwd %s, want %s", cwd, dir);

	unlink("data.txt");
	unlink("log.txt");
	unlink("ro.txt");
	if (own_dir)
		rmdir(dir);
	return feature_done("state");
}
