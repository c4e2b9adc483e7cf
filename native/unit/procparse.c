/*
 * procparse.c - tests of the /proc parser (common/procparse.c): tricky lines
 * written out here, then the kernel's own text about this process (a comm
 * with ") (" and spaces, a deleted file whose name has spaces and "(deleted)",
 * its signal actions in /proc/self/status).
 * Prints one line per failed check and "procparse: N checks, M failed";
 * exits 1 on any failure. Built by `make procparse-test` (sanitized).
 */
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "procparse.h"

static int checks, failed;

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { \
		failed++; \
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

static int name_eq(const struct proc_map *m, const char *want)
{
	return m->namelen == strlen(want) && memcmp(m->name, want, m->namelen) == 0;
}

static void map_lines(void)
{
	struct proc_map m;
	const char *l = "55d0c0a00000-55d0c0a21000 r-xp 0001a000 fd:01 1835123                    /usr/bin/my prog (x)\n";
	CHECK(proc_parse_map_line(l, &m) == 0, "%s", l);
	CHECK(m.start == 0x55d0c0a00000 && m.end == 0x55d0c0a21000 && m.offset == 0x1a000, "numbers");
	CHECK(m.prot == (PROT_READ | PROT_EXEC) && m.flags == 0, "prot %u flags %u", m.prot, m.flags);
	CHECK(m.dev == makedev(0xfd, 1) && m.inode == 1835123, "dev %" PRIx64 " inode %" PRIu64, m.dev, m.inode);
	CHECK(name_eq(&m, "/usr/bin/my prog (x)") && !m.deleted && m.special == PROC_NORMAL, "name '%.*s'",
	      (int)m.namelen, m.name);

	l = "7f1234000000-7f1234001000 rw-s 00000000 103:12 99 /tmp/a b (deleted)";
	CHECK(proc_parse_map_line(l, &m) == 0, "%s", l);
	CHECK(m.flags == CKPT_MAP_SHARED && m.prot == (PROT_READ | PROT_WRITE), "shared");
	CHECK(m.dev == makedev(0x103, 0x12), "big major: dev %" PRIx64, m.dev);
	CHECK(m.deleted && name_eq(&m, "/tmp/a b (deleted)"), "deleted");

	l = "7ffd5a1f9000-7ffd5a1fd000 r--p 00000000 00:00 0                          [vvar_vclock]\n";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.special == PROC_VVAR && name_eq(&m, "[vvar_vclock]"), "vvar_vclock");
	l = "7ffd5a1f5000-7ffd5a1f9000 r--p 00000000 00:00 0                          [vvar]";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.special == PROC_VVAR, "vvar");
	l = "7ffd5a1fd000-7ffd5a1ff000 r-xp 00000000 00:00 0                          [vdso]\n";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.special == PROC_VDSO, "vdso");
	l = "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.special == PROC_VSYSCALL && m.prot == PROT_EXEC &&
	      m.end == 0xffffffffff601000ull, "vsyscall");
	l = "7ffd5a0f0000-7ffd5a111000 rw-p 00000000 00:00 0                          [stack]\n";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.special == PROC_STACK && m.flags == CKPT_MAP_GROWSDOWN, "stack");
	l = "55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0                          [heap]\n";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.special == PROC_HEAP, "heap");
	l = "7f0000000000-7f0000100000 rw-p 00000000 00:00 0 \n";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.namelen == 0 && m.special == PROC_NORMAL && !m.deleted, "anonymous");
	l = "7f0000000000-7f0000100000 rw-p 00000000 00:00 0";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.namelen == 0, "anonymous, no space");
	l = "7f0000000000-7f0000100000 rw-p 00000000 00:00 0   [vdso] x\n";
	CHECK(proc_parse_map_line(l, &m) == 0 && m.special == PROC_NORMAL, "not quite [vdso]");
	l = "7f0000000000-7f0000100000 rw-s 00000000 00:01 1024   [anon_shmem:my region]\n";
	CHECK(proc_parse_map_line(l, &m) == 0 && name_eq(&m, "[anon_shmem:my region]") && !m.deleted, "anon_shmem");

	/* no mapping lines: smaps fields and broken lines */
	static const char *bad[] = {
		"Size:                132 kB", "Anonymous:             0 kB", "VmFlags: rd wr mr mw me gd ac",
		"", "\n", "7f00-", "7f00-8f00", "7f00-8f00 rw-p", "7f00-8f00 rw-p 0 00:00", "-8f00 rw-p 0 00:00 0",
		"7f00 8f00 rw-p 0 00:00 0", "7f00-8f00 rw-p 0 0000 0", "7f00-8f00 rw 0 00:00 0",
		"7f00-8f00 rw-p 0 00:00 x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(proc_parse_map_line(bad[i], &m) == -22, "accepted '%s'", bad[i]);
}

static void stat_texts(void)
{
	int64_t f[64];
	char comm[16];
	const char *s = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 -5 1 0 123 10000 200 "
			"18446744073709551615 94000000000000 94000000100000 140000000000000 0 0 0 0 0 0 0 0 0 17 1 0 0 "
			"0 0 0 94000000200000 94000000300000 94000001000000 140000000001000 140000000002000 "
			"140000000002000 140000000003000 0\n";
	CHECK(proc_parse_stat(s, strlen(s), f, comm, sizeof comm) == 0, "stat");
	CHECK(f[1] == 4242 && f[3] == 'S' && f[4] == 1, "pid %" PRId64 " state %c ppid %" PRId64, f[1], (char)f[3], f[4]);
	CHECK(strcmp(comm, "a) b (c") == 0, "comm '%s'", comm);
	CHECK(f[14] == 7 && f[15] == 3 && f[18] == 20 && f[19] == -5, "times, priority, nice %" PRId64, f[19]);
	CHECK(f[26] == 94000000000000 && f[28] == 140000000000000 && f[51] == 140000000003000 && f[52] == 0,
	      "26 %" PRId64 " 28 %" PRId64 " 51 %" PRId64, f[26], f[28], f[51]);
	struct ckpt_mm mm;
	proc_stat_mm(f, &mm);
	CHECK(mm.start_code == 94000000000000 && mm.end_code == 94000000100000 && mm.start_stack == 140000000000000 &&
	      mm.start_data == 94000000200000 && mm.end_data == 94000000300000 && mm.start_brk == 94000001000000 &&
	      mm.brk == 0 && mm.arg_start == 140000000001000 && mm.arg_end == 140000000002000 &&
	      mm.env_start == 140000000002000 && mm.env_end == 140000000003000, "ckpt_mm");

	/* only len bytes count; comm is cut to the buffer */
	const char *t = "7 (a very long command name) R 1 2 3";
	CHECK(proc_parse_stat(t, strlen(t) - 2, f, comm, 8) == 0 && f[4] == 1 && f[5] == 2 && f[6] == 0,
	      "len: %" PRId64 " %" PRId64 " %" PRId64, f[4], f[5], f[6]);
	CHECK(strcmp(comm, "a very ") == 0, "cut comm '%s'", comm);
	CHECK(proc_parse_stat("7 (x R 1", 8, f, comm, sizeof comm) == -22 && comm[0] == 0, "no ')'");
	CHECK(proc_parse_stat("7 x) R 1", 8, f, NULL, 0) == -22, "no '('");
	CHECK(proc_parse_stat("", 0, f, NULL, 0) == -22, "empty");
	CHECK(proc_parse_stat("7 (x)", 5, f, NULL, 0) == 0 && f[1] == 7 && f[3] == 0, "nothing after comm");
}

static void status_texts(void)
{
	const char *s = "Name:\tx SigCgt: 5\nUid:\t1000\t1001\t1002\t1003\nThreads:\t3\n"
			"SigIgn:\t0000000000001000\nSigCgt:\t00000001a0014a02\n";
	uint64_t v = 7;
	CHECK(proc_status_u(s, strlen(s), "Uid:", 10, &v) == 0 && v == 1000, "Uid %" PRIu64, v);
	CHECK(proc_status_u(s, strlen(s), "Threads:", 10, &v) == 0 && v == 3, "Threads %" PRIu64, v);
	CHECK(proc_status_u(s, strlen(s), "SigCgt:", 16, &v) == 0 && v == 0x1a0014a02ull, "SigCgt %" PRIx64, v);
	CHECK(proc_status_u(s, strlen(s), "SigIgn:", 16, &v) == 0 && v == 0x1000, "SigIgn %" PRIx64, v);
	CHECK(proc_status_u(s, strlen(s), "Gid:", 10, &v) == -2, "no Gid");
	CHECK(proc_status_u(s, 20, "Uid:", 10, &v) == -2, "beyond len");
	CHECK(proc_status_u(s, strlen(s) - 8, "SigCgt:", 16, &v) == 0 && v == 0x1a, "cut by len: %" PRIx64, v);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* The kernel's text about this process. */
static void live(void)
{
	char buf[4096], line[4096];
	int64_t f[64];
	char comm[16];
	prctl(PR_SET_NAME, "p) q (r");
	FILE *sf = fopen("/proc/self/stat", "re");
	size_t len = sf ? fread(buf, 1, sizeof buf, sf) : 0;
	if (sf)
		fclose(sf);
	CHECK(proc_parse_stat(buf, len, f, comm, sizeof comm) == 0, "/proc/self/stat");
	CHECK(f[1] == getpid() && f[3] == 'R' && f[4] == getppid(), "pid %" PRId64 " state %c ppid %" PRId64, f[1],
	      (char)f[3], f[4]);
	CHECK(strcmp(comm, "p) q (r") == 0, "comm '%s'", comm);
	struct ckpt_mm mm;
	proc_stat_mm(f, &mm);
	extern char etext;
	CHECK(mm.start_code <= (uint64_t)(uintptr_t)&live && (uint64_t)(uintptr_t)&live < mm.end_code &&
	      mm.end_code <= (uint64_t)(uintptr_t)&etext + 4096, "code %" PRIx64 "-%" PRIx64, mm.start_code, mm.end_code);
	CHECK(mm.arg_start < mm.arg_end && mm.arg_end <= mm.env_start && mm.start_stack > mm.arg_start - (1 << 30),
	      "args %" PRIx64 "-%" PRIx64 " env %" PRIx64, mm.arg_start, mm.arg_end, mm.env_start);

	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	FILE *stf = fopen("/proc/self/status", "re");
	len = stf ? fread(buf, 1, sizeof buf, stf) : 0;
	if (stf)
		fclose(stf);
	uint64_t threads = 0, uid = 0, cgt = 0, ign = 0;
	CHECK(proc_status_u(buf, len, "Threads:", 10, &threads) == 0 && threads == 1, "Threads %" PRIu64, threads);
	CHECK(proc_status_u(buf, len, "Uid:", 10, &uid) == 0 && uid == getuid(), "Uid %" PRIu64, uid);
	CHECK(proc_status_u(buf, len, "SigCgt:", 16, &cgt) == 0 && (cgt & (1ull << (SIGUSR1 - 1))) &&
	      !(cgt & (1ull << (SIGUSR2 - 1))), "SigCgt %" PRIx64, cgt);
	CHECK(proc_status_u(buf, len, "SigIgn:", 16, &ign) == 0 && (ign & (1ull << (SIGUSR2 - 1))), "SigIgn %" PRIx64, ign);

	char dir[] = "/tmp/procparse.XXXXXX", path[64];
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/x y (deleted)", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	void *p = MAP_FAILED;
	if (fd >= 0 && ftruncate(fd, 8192) == 0 && fstat(fd, &st) == 0)
		p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 4096);
	CHECK(p != MAP_FAILED, "mmap %s", path);
	unlink(path);
	rmdir(dir);
	if (fd >= 0)
		close(fd);
	FILE *mf = fopen("/proc/self/maps", "re");
	int found = 0, vdso = 0, bad = 0;
	while (mf && fgets(line, sizeof line, mf)) {
		struct proc_map m;
		if (proc_parse_map_line(line, &m) < 0) {
			bad++;
			printf("FAIL not parsed: %s", line);
			continue;
		}
		vdso += m.special == PROC_VDSO;
		if (m.start != (uint64_t)(uintptr_t)p)
			continue;
		found = 1;
		char want[80];
		snprintf(want, sizeof want, "%s (deleted)", path);
		CHECK(name_eq(&m, want) && m.deleted, "name '%.*s'", (int)m.namelen, m.name);
		CHECK(m.end - m.start == 8192 && m.offset == 4096 && m.prot == PROT_READ && m.flags == CKPT_MAP_SHARED,
		      "%s", line);
		CHECK(m.inode == st.st_ino && m.dev == st.st_dev, "inode %" PRIu64 "/%lu dev %" PRIx64 "/%lx", m.inode,
		      (unsigned long)st.st_ino, m.dev, (unsigned long)st.st_dev);
	}
	if (mf)
		fclose(mf);
	CHECK(found && vdso == 1 && bad == 0, "found %d vdso %d unparsed %d", found, vdso, bad);
}

int main(void)
{
	map_lines();
	stat_texts();
	status_texts();
	live();
	printf("procparse: %d checks, %d failed\n", checks, failed);
	return failed ? 1 : 0;
}
