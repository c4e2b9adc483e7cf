/* layout.c - the new process's own layout after exec, and free places in both layouts. */
#include "log.h"
#include "restore.h"

#include <stdlib.h>
#include <string.h>

int layout_read(struct restore *r)
{
	char path[64], line[512];
	FILE *f;
	snprintf(path, sizeof path, "/proc/%d/maps", r->t.pid);
	if ((f = fopen(path, "re")) == NULL)
		return log_errno("open %s", path);
	while (fgets(line, sizeof line, f)) {
		struct proc_map pm;
		if (proc_parse_map_line(line, &pm) < 0)
			continue;
		struct newmap m = { .start = pm.start, .end = pm.end, .offset = pm.offset, .special = pm.special };
		snprintf(m.name, sizeof m.name, "%.*s", (int)pm.namelen, pm.name);
		void *nn = realloc(r->nm, (r->nnm + 1) * sizeof *r->nm);
		if (nn == NULL) { fclose(f); return -1; }
		r->nm = nn;
		r->nm[r->nnm++] = m;
	}
	fclose(f);
	snprintf(path, sizeof path, "/proc/%d/stat", r->t.pid);
	if ((f = fopen(path, "re")) != NULL) {
		char buf[2048];
		int64_t field[64];
		size_t len = fread(buf, 1, sizeof buf, f);
		if (proc_parse_stat(buf, len, field, NULL, 0) == 0)
			proc_stat_mm(field, &r->new_mm);
		fclose(f);
	}
	return 0;
}

int layout_special(const struct newmap *m)
{
	return m->special == PROC_VVAR || m->special == PROC_VDSO || m->special == PROC_VSYSCALL;
}

static int range_free_everywhere(struct restore *r, uint64_t a, uint64_t len)
{
	if (!plan_range_free(r->p, a, len))
		return 0;
	for (size_t i = 0; i < r->nnm; i++)
		if (r->nm[i].start < a + len && a < r->nm[i].end)
			return 0;
	return 1;
}

uint64_t layout_find_free(struct restore *r, uint64_t len)
{
	for (uint64_t a = 0x10000000ull; a + len < 0x7f0000000000ull; a += 0x40000000ull)
		if (range_free_everywhere(r, a, len) &&
		    (r->t.scratch.v == 0 || a + len <= r->t.scratch.v || a >= r->t.scratch.v + r->t.scratch_size))
			return a;
	return 0;
}
