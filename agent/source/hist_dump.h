/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_HIST_DUMP_H
#define LATWATCH_HIST_DUMP_H

#include <stdbool.h>
#include <stdint.h>

#include <latwatch/latwatch.h>

/*
 * One message of the LATWATCH_CMD_HIST_GET dump: bucket i counts
 * durations of 2^i to 2^(i+1) - 1 us; the buckets from nbuckets on are 0.
 */
struct lw_hist {
	uint32_t type;
	uint32_t cpu;
	unsigned int nbuckets;
	uint64_t count[LATWATCH_HIST_BUCKETS];
};

/*
 * The histograms to print, one per event type: of one CPU, or summed
 * over all of them. Types this program does not know are left out.
 */
struct lw_hists {
	uint32_t type;		/* only this type, or LATWATCH_EV_UNSPEC: all */
	bool one_cpu;		/* only this CPU, else the sum over all */
	uint32_t cpu;
	bool cpu_seen;		/* one_cpu: the dump had the CPU */
	bool has[LATWATCH_EV_MAX + 1];
	uint64_t count[LATWATCH_EV_MAX + 1][LATWATCH_HIST_BUCKETS];
};

/* Keep type (or all types for LATWATCH_EV_UNSPEC); one CPU if one_cpu. */
void lw_hists_init(struct lw_hists *s, uint32_t type, bool one_cpu,
		   uint32_t cpu);
void lw_hists_add(struct lw_hists *s, const struct lw_hist *h);

#endif
