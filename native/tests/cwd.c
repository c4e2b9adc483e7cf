/* cwd: the working directory survives (needs an image with CKPT notes). */
#include "feature.h"
#include <limits.h>

int main(void)
{
	char want[PATH_MAX], now[PATH_MAX];
	const char *dir = getenv("FEATURE_DIR") ? getenv("FEATURE_DIR") : "/tmp";
	if (chdir(dir) != 0 || getcwd(want, sizeof want) == NULL) { perror(dir); return 1; }
	checkpoint_point();
	CHECK(getcwd(now, sizeof now) != NULL && strcmp(now, want) == 0, "cwd is %s, want %s", now, want);
	return feature_done("cwd");
}
