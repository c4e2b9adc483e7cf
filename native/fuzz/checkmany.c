/*
 * checkmany - the engine's validator (check.c: the core reader, the plan, the
 * identity of mapped files, the open files) over many cores in one process.
 * Built with AddressSanitizer and UBSan as $(OUT)/bin/checkmany-asan for the
 * fuzz test (CoreMutationAsanIT): thousands of mutated cores per exec.
 *
 *   checkmany CORE...
 *
 * Prints one line per core, "CORE: ok|problems|refused|unusable"; the
 * engine's own one-line reasons go to stderr, as in restart. Exit 0 when every
 * core was looked at; a sanitizer report is the failure the test looks for.
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct check_input in = { .core_path = argv[i] };
		struct core c;
		struct plan p;
		struct fdset files;
		struct check_result r;
		memset(&c, 0, sizeof c);
		c.fd = -1;
		memset(&p, 0, sizeof p);
		memset(&files, 0, sizeof files);
		int rc = check_all(&in, &c, &p, &files, &r);
		printf("%s: %s\n", argv[i], rc < 0 ? "unusable" : check_refuses(&r) ? "refused"
				     : check_not_ok(&r) ? "problems" : "ok");
		check_free(&r);
		files_free(&files);
		plan_free(&p);
		core_close(&c);
	}
	return 0;
}
