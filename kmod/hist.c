// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: log2 histograms of every measured duration, per CPU and event
 * type. Bucket i counts durations d with 2^i <= d / 1 us < 2^(i+1).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/string.h>

#include "internal.h"

/* Counts racing with the reset may survive it. */
void lw_hist_reset(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);

		memset(c->hist, 0, sizeof(c->hist));
	}
}

void lw_hist_get(unsigned int cpu, u32 type, u64 *buckets)
{
	struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);
	unsigned int b;

	for (b = 0; b < LATWATCH_HIST_BUCKETS; b++)
		buckets[b] = READ_ONCE(c->hist[type][b]);
}
