/* heap: a linked structure on the heap survives; the heap keeps growing after restart. */
#include "feature.h"
#include <stdint.h>

struct node { struct node *next; uint64_t value; char pad[40]; };

int main(void)
{
	struct node *head = NULL;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < 20000; i++) {
		struct node *n = malloc(sizeof *n);
		n->value = i * 2654435761u;
		n->next = head;
		head = n;
		sum += n->value;
	}
	checkpoint_point();
	uint64_t again = 0, count = 0;
	for (struct node *n = head; n; n = n->next) { again += n->value; count++; }
	CHECK(count == 20000 && again == sum, "list has %lu nodes, sum %lu (want 20000, %lu)",
	      (unsigned long)count, (unsigned long)again, (unsigned long)sum);
	/* allocate and use 100 MiB more, in small and large blocks */
	size_t total = 0;
	char *blocks[200];
	for (int i = 0; i < 100; i++) {
		blocks[i] = malloc(1 << 20);
		CHECK(blocks[i] != NULL, "malloc %d failed", i);
		if (!blocks[i]) break;
		memset(blocks[i], i, 1 << 20);
		total += 1 << 20;
	}
	for (int i = 0; i < 100 && blocks[i]; i++)
		CHECK(blocks[i][12345] == (char)i, "block %d lost its content", i);
	for (int i = 0; i < 100000; i++) {
		char *p = malloc(64 + i % 512);
		CHECK(p != NULL, "small malloc failed");
		p[0] = 1;
		if (i % 3) free(p);
	}
	CHECK(total == 100u << 20, "allocated %zu", total);
	return feature_done("heap");
}
