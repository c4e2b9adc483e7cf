/*
 * madvise: per-mapping advice comes back: four anonymous mappings given
 * MADV_DONTFORK, MADV_DONTDUMP, MADV_WIPEONFORK and MADV_NOHUGEPAGE show
 * "dc", "dd", "wf" and "nh" in the VmFlags of /proc/self/smaps after the
 * restore (a new mapping has none of them), and the first keeps its content.
 */
#include "feature.h"

#include <stdint.h>
#include <sys/mman.h>

#define LEN (4 * 4096)

/* Whether the VmFlags of the mapping at ADDR hold FLAG. */
static int has_flag(void *addr, const char *flag)
{
	char line[512], want[32];
	int in = 0, found = 0;
	snprintf(want, sizeof want, "%lx-", (unsigned long)(uintptr_t)addr);
	FILE *f = fopen("/proc/self/smaps", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (strchr(line, '-') && strncmp(line, "VmFlags", 7) != 0 && line[0] != ' ' &&
		    strchr(line, ':') > strchr(line, ' '))
			in = strncmp(line, want, strlen(want)) == 0;
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			char pat[8];
			snprintf(pat, sizeof pat, " %s", flag);
			for (char *p = line + 8; (p = strstr(p, pat)) != NULL; p++)
				if (p[3] == ' ' || p[3] == '\n')
					found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

int main(void)
{
	static const struct { int advice; const char *flag; } adv[] = {
		{ MADV_DONTFORK, "dc" }, { MADV_DONTDUMP, "dd" }, { MADV_WIPEONFORK, "wf" }, { MADV_NOHUGEPAGE, "nh" },
	};
	char *m[4];
	for (int i = 0; i < 4; i++) {
		/* a guard page between them keeps the kernel from merging them */
		m[i] = mmap(NULL, LEN + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m[i] == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		mprotect(m[i] + LEN, 4096, PROT_NONE);
		CHECK(madvise(m[i], LEN, adv[i].advice) == 0, "madvise %s", adv[i].flag);
		CHECK(has_flag(m[i], adv[i].flag), "no %s before the checkpoint", adv[i].flag);
	}
	strcpy(m[0], "kept");

	checkpoint_point();

	for (int i = 0; i < 4; i++)
		CHECK(has_flag(m[i], adv[i].flag), "VmFlags of the %s mapping lack it after the restore", adv[i].flag);
	CHECK(strcmp(m[0], "kept") == 0, "content of the MADV_DONTFORK mapping lost");
	return feature_done("madvise");
}
