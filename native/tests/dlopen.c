/* dlopen: a library loaded with dlopen() before the checkpoint is called after it,
 * and the dynamic loader still works: another library is loaded after restart. */
#include "feature.h"
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>

int main(int argc, char **argv)
{
	char path[PATH_MAX], self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) return 1;
	self[n] = 0;
	snprintf(path, sizeof path, "%s/libplugin.so", dirname(self));
	void *h = dlopen(path, RTLD_NOW);
	CHECK(h != NULL, "dlopen %s: %s", path, dlerror());
	if (!h) return feature_done("dlopen");
	long (*calls)(void) = (long (*)(void))dlsym(h, "plugin_calls");
	long (*square)(long) = (long (*)(long))dlsym(h, "plugin_square");
	CHECK(calls() == 1, "first call");
	checkpoint_point();
	CHECK(calls() == 2, "plugin state lost");
	CHECK(square(12) == 144, "plugin_square");
	void *m = dlopen("libm.so.6", RTLD_NOW);
	CHECK(m != NULL, "dlopen libm after restart: %s", dlerror());
	if (m) {
		double (*c)(double) = (double (*)(double))dlsym(m, "cos");
		CHECK(c && fabs(c(0.0) - 1.0) < 1e-12, "cos from libm");
	}
	CHECK(dlclose(h) == 0, "dlclose");
	return feature_done("dlopen");
}
