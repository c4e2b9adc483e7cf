/* mmapfile: a file mapped MAP_PRIVATE (changed before the checkpoint: the change
 * survives, the file stays as it was) and one mapped MAP_SHARED (writes after
 * restart reach the file). Files live in $FEATURE_DIR (default: cwd). */
#include "feature.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
	const char *dir = getenv("FEATURE_DIR") ? getenv("FEATURE_DIR") : ".";
	char priv[4096], shared[4096];
	snprintf(priv, sizeof priv, "%s/mmap-private.dat", dir);
	snprintf(shared, sizeof shared, "%s/mmap-shared.dat", dir);
	size_t len = 3 * 4096;
	char buf[3 * 4096];
	for (size_t i = 0; i < len; i++) buf[i] = (char)('a' + i % 26);
	int fp = open(priv, O_RDWR | O_CREAT | O_TRUNC, 0600), fs = open(shared, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fp < 0 || fs < 0 || write(fp, buf, len) != (ssize_t)len || write(fs, buf, len) != (ssize_t)len) {
		perror("setup");
		return 1;
	}
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fp, 0);
	char *s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fs, 0);
	close(fp);
	close(fs);
	if (p == MAP_FAILED || s == MAP_FAILED) { perror("mmap"); return 1; }
	p[5000] = 'P';          /* private change, page 1 */
	s[10] = 'S';            /* shared change before the checkpoint */
	checkpoint_point();
	CHECK(p[5000] == 'P', "private change lost");
	CHECK(p[0] == 'a' && p[2 * 4096 + 1] == buf[2 * 4096 + 1], "private file content wrong");
	CHECK(s[10] == 'S' && s[11] == buf[11], "shared content wrong");
	s[4096 * 2] = 'Z';      /* after restart: must reach the file */
	CHECK(msync(s, len, MS_SYNC) == 0, "msync");
	int f = open(shared, O_RDONLY);
	char c = 0;
	CHECK(f >= 0 && pread(f, &c, 1, 4096 * 2) == 1 && c == 'Z', "write to MAP_SHARED after restart not in the file (%c)", c);
	f = open(priv, O_RDONLY);
	CHECK(f >= 0 && pread(f, &c, 1, 5000) == 1 && c == buf[5000], "MAP_PRIVATE change leaked into the file");
	return feature_done("mmapfile");
}
