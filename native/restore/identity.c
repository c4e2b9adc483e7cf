/*
 * identity.c - is each mapped file the one checkpointed?
 *
 * In order of strength:
 *  1. the GNU build-id of the file on disk against the one in the image (the
 *     first page of the file's mapping, which gdb and the kernel both dump);
 *  2. without build-ids: that first page, byte for byte, against the file;
 *  3. the size recorded in the CKPT MAPS note.
 * A changed mtime alone (touch, a fresh checkout of the same build) is only a
 * warning. A different build is a mismatch: refused unless --force.
 */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096u

static void hexid(char *out, const uint8_t *id, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
	out[2 * n] = 0;
}

/* The CKPT MAPS record of the mapping at START, or NULL. */
static const struct ckpt_map *maps_record(const struct core *c, uint64_t start)
{
	uint32_t pos = 0;
	const struct ckpt_map *m;
	const char *path;
	while (c->ckpt.maps && ckpt_next_map(c->ckpt.maps, c->ckpt.maps_len, &pos, &m, &path) == 1)
		if (m->start == start)
			return m;
	return NULL;
}

/* The file's mapping at file offset 0, when it is a read-only private one. */
static const struct vma *head_mapping(const struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct vma *v = &p->v[i];
		if (same_path(v->path, path) && v->offset == 0 && !(v->prot & PROT_WRITE) && !v->shared)
			return v;
	}
	return NULL;
}

static void check_one(struct check_result *r, const struct plan *p, const struct core *c, const struct vma *v,
		      int force)
{
	int is_exe = same_path(v->path, p->exe);
	const char *what = is_exe ? "executable" : "mapped file";
	const char *kmiss = is_exe ? "executable-missing" : "file-missing";
	const char *kchg = is_exe ? "executable-changed" : "file-changed";
	enum check_severity mism = force ? CHECK_FORCED : CHECK_MISMATCH;
	const char *forced = force ? " (--force: restarting anyway)" : "";
	uint8_t img[PAGE], disk[PAGE], id_img[ELF_BUILD_ID_MAX], id_disk[ELF_BUILD_ID_MAX];
	size_t n_img = 0, n_disk = 0, l_img, l_disk = 0;
	const struct vma *head = head_mapping(p, v->path);
	const struct ckpt_map *m = maps_record(c, v->start);
	struct stat st;
	int fd, same_build = 0;

	fd = open(v->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO must not block */
	if (fd < 0 || fstat(fd, &st) != 0) {
		check_add(r, kmiss, CHECK_ERROR, v->path, "%s %s: %s", what, v->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		check_add(r, kchg, CHECK_ERROR, v->path, "%s %s is not a regular file", what, v->path);
		close(fd);
		return;
	}
	l_img = head && core_read_mem(c, head->start, img, PAGE) == 0 ? PAGE : 0;
	if (S_ISREG(st.st_mode)) {
		ssize_t got = pread(fd, disk, PAGE, 0);
		l_disk = got > 0 ? (size_t)got : 0;
	}
	close(fd);
	if (l_img) {
		n_img = elf_build_id(img, l_img, id_img);
		n_disk = elf_build_id(disk, l_disk, id_disk);
	}
	if (n_img && n_disk) {
		if (n_img != n_disk || memcmp(id_img, id_disk, n_img) != 0) {
			char a[2 * ELF_BUILD_ID_MAX + 1], b[2 * ELF_BUILD_ID_MAX + 1];
			hexid(a, id_disk, n_disk);
			hexid(b, id_img, n_img);
			check_add(r, kchg, mism, v->path, "%s %s is another build: build-id %s, the checkpoint's is %s%s",
				  what, v->path, a, b, forced);
			return;
		}
		same_build = 1;
	} else if (l_img) {
		size_t len = (uint64_t)st.st_size < PAGE ? (size_t)st.st_size : PAGE;
		if (l_disk < len || memcmp(img, disk, len) != 0) {
			check_add(r, kchg, mism, v->path, "%s %s changed since the checkpoint: its first %zu bytes differ "
				  "from the core%s", what, v->path, len, forced);
			return;
		}
	}
	if (m && m->size != 0) {
		int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		if ((uint64_t)st.st_size != m->size && !same_build) {
			check_add(r, kchg, mism, v->path, "%s %s changed since the checkpoint: size %lld, was %llu%s",
				  what, v->path, (long long)st.st_size, (unsigned long long)m->size, forced);
			return;
		}
		if ((uint64_t)st.st_size != m->size || mtime != m->mtime_ns)
			check_add(r, is_exe ? "executable-touched" : "file-touched", CHECK_WARNING, v->path,
				  "%s %s was modified after the checkpoint (%s), %s", what, v->path,
				  (uint64_t)st.st_size != m->size ? "size" : "mtime",
				  same_build ? "but its build-id is the checkpoint's"
					     : l_img ? "but its first page is the checkpoint's" : "restarting with it");
	}
	if (is_exe && !c->ckpt.maps && !same_build) {
		/* no record of the file: at least its segments must fit the mappings */
		struct elf_file ef;
		int bad = elf_open(&ef, v->path) != 0;
		for (size_t j = 0; !bad && j < p->n; j++)
			if (same_path(p->v[j].path, v->path) && elf_prot_at_offset(&ef, p->v[j].offset) < 0)
				bad = 1;
		elf_close(&ef);
		if (bad)
			check_add(r, kchg, mism, v->path, "%s %s changed since the checkpoint: its program headers do not "
				  "match the mappings in the core%s", what, v->path, forced);
	}
}

void check_mapped_files(struct check_result *r, const struct plan *p, const struct core *c, int force)
{
	const char **done = calloc(p->n + 1, sizeof *done);   /* each file once */
	size_t ndone = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct vma *v = &p->v[i];
		int seen = 0;
		if (v->path == NULL || v->kind != VMA_NORMAL || strncmp(v->path, "/proc/self/fd/", 14) == 0)
			continue;   /* (the last: a memfd or deleted file made again, restore/kobj.c) */
		for (size_t j = 0; done && j < ndone && !seen; j++)
			seen = same_path(done[j], v->path);
		if (seen)
			continue;
		if (done)
			done[ndone++] = v->path;
		check_one(r, p, c, v, force);
	}
	free(done);
}
