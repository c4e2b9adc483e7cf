/* tls: a __thread variable keeps its value and its address (fs_base). */
#include "feature.h"
#include <stdint.h>

static __thread long counter = 5;
static __thread char name[32] = "initial";

int main(void)
{
	counter = 424242;
	strcpy(name, "before checkpoint");
	uintptr_t addr = (uintptr_t)&counter;
	checkpoint_point();
	CHECK((uintptr_t)&counter == addr, "TLS moved");
	CHECK(counter == 424242, "counter = %ld", counter);
	CHECK(strcmp(name, "before checkpoint") == 0, "name = %s", name);
	counter++;
	CHECK(counter == 424243, "counter increment");
	return feature_done("tls");
}
