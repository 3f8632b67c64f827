/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_STATS_DUMP_H
#define LATWATCH_STATS_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The u64 counters of one CPU, in output order. */
struct lw_stat_counter {
	const char *name;	/* JSON key */
	const char *header;	/* table column */
	int attr;		/* LATWATCH_A_STAT_* */
};

#define LW_STAT_NCOUNTERS	10
extern const struct lw_stat_counter lw_stat_counters[LW_STAT_NCOUNTERS];

/* Indexes of lw_stat_counters[] and lw_stat.ctr[]. */
enum {
	LW_STAT_SAMPLES,
	LW_STAT_EVENTS,
	LW_STAT_LOST,
	LW_STAT_STALLS,
	LW_STAT_SOFTIRQ_LATE,
	LW_STAT_UNHEARD,
	LW_STAT_DELIVERED,
	LW_STAT_RATELIMITED,
	LW_STAT_IDLE_PAUSES,
	LW_STAT_IDLE_NS,
};

/* Bits of lw_stat.has: counter i is bit i, then these. */
enum {
	LW_STAT_CPU	= 1u << LW_STAT_NCOUNTERS,
	LW_STAT_ONLINE	= 1u << (LW_STAT_NCOUNTERS + 1),
};

/* One message of the LATWATCH_CMD_STATS_GET dump. */
struct lw_stat {
	unsigned int has;
	uint32_t cpu;
	bool online;
	uint64_t ctr[LW_STAT_NCOUNTERS];
};

struct lw_stats {
	struct lw_stat *cpu;
	size_t n;
	size_t cap;
};

/* Append a copy of st; -ENOMEM on failure. */
int lw_stats_add(struct lw_stats *s, const struct lw_stat *st);
void lw_stats_free(struct lw_stats *s);
/* Order the CPUs by number, those without one last. */
void lw_stats_sort(struct lw_stats *s);

#endif
