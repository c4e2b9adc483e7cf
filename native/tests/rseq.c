/* rseq: sched_getcpu() (which glibc reads from the rseq area) follows the CPU
 * the restored process really runs on. Pinned to the first CPU at the
 * checkpoint, moved to another CPU after restart. */
#include "feature.h"
#include <sched.h>
#include <sys/syscall.h>

static int pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return sched_setaffinity(0, sizeof s, &s);
}

static int kernel_cpu(void)
{
	unsigned cpu = 0;
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	return (int)cpu;
}

int main(void)
{
	cpu_set_t all;
	int first = -1, other = -1;
	sched_getaffinity(0, sizeof all, &all);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &all)) {
			if (first < 0) first = i;
			else if (other < 0) other = i;
		}
	pin(first);
	CHECK(sched_getcpu() == first, "before: sched_getcpu %d, pinned to %d", sched_getcpu(), first);
	checkpoint_point();
	if (other < 0) {
		printf("only one CPU: checking the current one\n");
		other = first;
	}
	CHECK(pin(other) == 0, "sched_setaffinity");
	usleep(1000);
	CHECK(kernel_cpu() == other, "kernel says cpu %d", kernel_cpu());
	CHECK(sched_getcpu() == other, "sched_getcpu says %d, the kernel %d (rseq not registered?)",
	      sched_getcpu(), kernel_cpu());
	pin(first);
	usleep(1000);
	CHECK(sched_getcpu() == first, "back: sched_getcpu says %d, want %d", sched_getcpu(), first);
	return feature_done("rseq");
}
