// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <latwatch/latwatch.h>

#include "source/stats_dump.h"

/* New counters go at the end: scripts read the columns by position. */
const struct lw_stat_counter lw_stat_counters[LW_STAT_NCOUNTERS] = {
	[LW_STAT_SAMPLES] = { "samples", "SAMPLES", LATWATCH_A_STAT_SAMPLES },
	[LW_STAT_EVENTS] = { "events", "EVENTS", LATWATCH_A_STAT_EVENTS },
	[LW_STAT_LOST] = { "lost", "LOST", LATWATCH_A_STAT_LOST },
	[LW_STAT_STALLS] = { "stalls", "STALLS", LATWATCH_A_STAT_STALLS },
	[LW_STAT_SOFTIRQ_LATE] = { "softirq_late", "SOFTIRQ_LATE",
				   LATWATCH_A_STAT_SOFTIRQ_LATE },
	[LW_STAT_UNHEARD] = { "unheard", "UNHEARD", LATWATCH_A_STAT_UNHEARD },
	[LW_STAT_DELIVERED] = { "delivered", "DELIVERED",
				LATWATCH_A_STAT_DELIVERED },
	[LW_STAT_RATELIMITED] = { "ratelimited", "RATELIMITED",
				  LATWATCH_A_STAT_RATELIMITED },
	[LW_STAT_IDLE_PAUSES] = { "idle_pauses", "IDLE_PAUSES",
				  LATWATCH_A_STAT_IDLE_PAUSES },
	[LW_STAT_IDLE_NS] = { "idle_ns", "IDLE_NS", LATWATCH_A_STAT_IDLE_NS },
};

int lw_stats_add(struct lw_stats *s, const struct lw_stat *st)
{
	struct lw_stat *p;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? 2 * s->cap : 64;
		p = realloc(s->cpu, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->cpu = p;
		s->cap = cap;
	}
	s->cpu[s->n++] = *st;
	return 0;
}

void lw_stats_free(struct lw_stats *s)
{
	free(s->cpu);
	memset(s, 0, sizeof(*s));
}

static int lw_stat_cmp(const void *a, const void *b)
{
	const struct lw_stat *x = a, *y = b;
	bool xc = x->has & LW_STAT_CPU, yc = y->has & LW_STAT_CPU;

	if (xc != yc)
		return xc ? -1 : 1;
	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

void lw_stats_sort(struct lw_stats *s)
{
	if (s->n)
		qsort(s->cpu, s->n, sizeof(*s->cpu), lw_stat_cmp);
}
