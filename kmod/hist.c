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
		struct lw_hist_cpu *h = &per_cpu_ptr(lw_cpus(), cpu)->hist;

		memset(h->count, 0, sizeof(h->count));
	}
}

void lw_hist_get(unsigned int cpu, u32 type, u64 *buckets)
{
	struct lw_hist_cpu *h = &per_cpu_ptr(lw_cpus(), cpu)->hist;
	unsigned int b;

	for (b = 0; b < LATWATCH_HIST_BUCKETS; b++)
		buckets[b] = READ_ONCE(h->count[type][b]);
}
