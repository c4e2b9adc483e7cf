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
		struct newmap m = { 0 };
		int n = 0;
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", (unsigned long *)&m.start, (unsigned long *)&m.end,
			   (unsigned long *)&m.offset, &n) < 3)
			continue;
		if (n > 0) {
			snprintf(m.name, sizeof m.name, "%s", line + n);
			m.name[strcspn(m.name, "\n")] = 0;
		}
		void *nn = realloc(r->nm, (r->nnm + 1) * sizeof *r->nm);
		if (nn == NULL) { fclose(f); return -1; }
		r->nm = nn;
		r->nm[r->nnm++] = m;
	}
	fclose(f);
	snprintf(path, sizeof path, "/proc/%d/stat", r->t.pid);
	if ((f = fopen(path, "re")) != NULL) {
		/* fields after the last ')' start at field 3; we want 26-28 and 45-51 */
		static const int want[11] = { 26, 27, 28, 45, 46, 47, 0, 48, 49, 50, 51 };
		char buf[2048], *s;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		buf[len] = 0;
		s = strrchr(buf, ')');
		if (s) {
			unsigned long long v[64] = { 0 };
			int field = 3;
			char *tok, *save = NULL;
			for (tok = strtok_r(s + 2, " ", &save); tok && field < 64; tok = strtok_r(NULL, " ", &save))
				v[field++] = strtoull(tok, NULL, 10);
			for (int i = 0; i < 11; i++)
				r->new_stat[i] = want[i] ? v[want[i]] : 0;
		}
		fclose(f);
	}
	return 0;
}

int layout_special(const struct newmap *m)
{
	return strncmp(m->name, "[vvar", 5) == 0 || strcmp(m->name, "[vdso]") == 0 ||
	       strcmp(m->name, "[vsyscall]") == 0;
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
