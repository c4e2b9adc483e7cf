/* linkage: built twice, as "static" (statically linked) and as "nopie" (a
 * non-PIE executable at a fixed address): heap, TLS and stdio after restart. */
#include "feature.h"

static __thread int tl = 7;

int main(void)
{
	char *blocks[1000];
	for (int i = 0; i < 1000; i++) {
		blocks[i] = malloc(100 + i);
		memset(blocks[i], i & 0xff, 100 + i);
	}
	tl = 99;
	checkpoint_point();
	for (int i = 0; i < 1000; i++)
		CHECK((unsigned char)blocks[i][99 + i] == (i & 0xff), "block %d", i);
	CHECK(tl == 99, "TLS %d", tl);
	char *more = malloc(50 << 20);
	CHECK(more != NULL, "malloc after restart");
	if (more) memset(more, 1, 50 << 20);
	return feature_done(FEATURE_NAME);
}
