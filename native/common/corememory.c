/*
 * corememory.c - the memory part of the one core writer (elfcore.c): the
 * content of every mapping sf_gather_maps() chose to dump, at the file offset
 * sf_write_core() gave it. Only pages that are present or swapped out
 * (/proc/PID/pagemap) are written in private anonymous mappings; the rest are
 * holes. Every 8 MiB written is handed to the disk at once
 * (sync_file_range(SYNC_FILE_RANGE_WRITE), which does not wait), so the fsync
 * at the end has little left. Async-signal-safe.
 */
#include <fcntl.h>

#include "raw.h"
#include "sfstate.h"

int sf_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	const char *c = p;
	while (n > 0) {
		long r = rsys4(__NR_pwrite64, fd, (long)c, (long)n, (long)off);
		if (r == -4)
			continue;
		if (r < 0)
			return (int)r;
		if (r == 0)
			return -5; /* EIO */
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}


static uint64_t pagemap[512];

#define SF_KICK (8ull << 20)   /* hand every 8 MiB written to the disk at once */
static uint64_t kick_from, kick_to;

/* Starts write-back of what was written since the last kick, without waiting
 * for it (SYNC_FILE_RANGE_WRITE): the fsync at the end finds most of the file
 * on its way already. */
static void kick(int fd, uint64_t o, uint64_t len, int force)
{
	if (o != kick_to) {
		if (kick_to > kick_from)
			rsys4(__NR_sync_file_range, fd, (long)kick_from, (long)(kick_to - kick_from), 2);
		kick_from = o;
	}
	kick_to = o + len;
	if (force || kick_to - kick_from >= SF_KICK) {
		if (kick_to > kick_from)
			rsys4(__NR_sync_file_range, fd, (long)kick_from, (long)(kick_to - kick_from), 2);
		kick_from = kick_to;
	}
}

/* pwrite straight from our own memory. */
static int copy_self(int fd, uint64_t a, uint64_t len, uint64_t o)
{
	uint64_t e = a + len;
	while (a < e) {
		long r = rsys4(__NR_pwrite64, fd, (long)a, (long)(e - a), (long)o);
		if (r == -4)
			continue;
		if (r == -14 || r == 0) { /* EFAULT: skip the page */
			uint64_t next = (a & ~(SF_PAGE - 1)) + SF_PAGE;
			o += next - a;
			a = next;
			continue;
		}
		if (r < 0)
			return (int)r;
		a += (uint64_t)r;
		o += (uint64_t)r;
	}
	return 0;
}

/* Writes [start, end) of the process's memory at file offset off. Pages the
 * kernel refuses to copy (EFAULT: beyond the end of a mapped file ...) stay
 * holes, which read as zeros. Private anonymous pages never touched (neither
 * present nor swapped, per /proc/PID/pagemap) are left as holes too. */
static int write_memory(int fd, int pagemap_fd, const struct sf_map *m)
{
	uint64_t addr = m->start, off = m->core_off;
	while (addr < m->end) {
		uint64_t npages = (m->end - addr) / SF_PAGE;
		if (npages > 512)
			npages = 512;
		int have_map = 0;
		if (m->sparse && pagemap_fd >= 0) {
			long r = rsys4(__NR_pread64, pagemap_fd, (long)pagemap, (long)(npages * 8),
				       (long)(addr / SF_PAGE * 8));
			have_map = r == (long)(npages * 8);
		}
		for (uint64_t i = 0; i < npages;) {
			if (have_map && !(pagemap[i] & (3ull << 62))) {
				i++;
				continue;
			}
			uint64_t j = i + 1;
			while (j < npages && (!have_map || (pagemap[j] & (3ull << 62))))
				j++;
			/* pages [i, j) are worth writing */
			uint64_t a = addr + i * SF_PAGE, len = (j - i) * SF_PAGE, o = off + i * SF_PAGE;
			int e = sf.copy_mem ? sf.copy_mem(fd, a, len, o, m->sparse) : copy_self(fd, a, len, o);
			if (e < 0)
				return e;
			sf.data_bytes += len;
			kick(fd, o, len, 0);
			i = j;
		}
		addr += npages * SF_PAGE;
		off += npages * SF_PAGE;
	}
	return 0;
}

/* Where in the core the byte at address p was written, or 0. */
static uint64_t core_offset_of(const void *p)
{
	uint64_t a = (uint64_t)p;
	for (int i = 0; i < sf.nmaps; i++) {
		const struct sf_map *m = &sf.maps[i];
		if (m->dump && a >= m->start && a < m->end)
			return m->core_off + (a - m->start);
	}
	return 0;
}

int sf_write_memory(int fd, const char **what)
{
	struct strbuf pm = { (char *)pagemap, 0, sizeof pagemap, 0 };
	sb_puts(&pm, sf.proc);
	sb_puts(&pm, "/pagemap");
	long pagemap_fd = rsys4(__NR_openat, AT_FDCWD, (long)pagemap, O_RDONLY | O_CLOEXEC, 0);
	sf.data_bytes = 0;
	kick_from = kick_to = 0;
	for (int i = 0; i < sf.nmaps; i++) {
		if (!sf.maps[i].dump)
			continue;
		int e = write_memory(fd, (int)pagemap_fd, &sf.maps[i]);
		if (e < 0) {
			if (pagemap_fd >= 0)
				rsys1(__NR_close, pagemap_fd);
			*what = "writing memory";
			return e;
		}
	}
	if (pagemap_fd >= 0)
		rsys1(__NR_close, pagemap_fd);
	kick(fd, kick_to, 0, 1);

	/* libsavefds.so: the restored process resumes where the signal
	 * interrupted it, never inside the handler: the image must not say a
	 * checkpoint is running. */
	uint64_t busy_off = sf.zero_addr ? core_offset_of((const void *)sf.zero_addr) : 0;
	if (busy_off) {
		int zero = 0;
		int e = sf_pwrite_all(fd, &zero, sizeof zero, busy_off);
		if (e < 0) {
			*what = "writing memory";
			return e;
		}
	}
	return 0;
}
