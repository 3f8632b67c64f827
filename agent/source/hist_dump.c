// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "source/hist_dump.h"
#include "source/modevent.h"

void lw_hists_init(struct lw_hists *s, uint32_t type, bool one_cpu,
		   uint32_t cpu)
{
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->one_cpu = one_cpu;
	s->cpu = cpu;
	if (type != LATWATCH_EV_UNSPEC)
		s->has[type] = true;	/* printed even if the dump lacks it */
}

static bool lw_hists_keeps(const struct lw_hists *s, uint32_t type)
{
	if (s->type != LATWATCH_EV_UNSPEC)
		return type == s->type;
	return type <= LATWATCH_EV_MAX && lw_event_types[type].name;
}

/* Sums stop at the largest count rather than wrap. */
static uint64_t lw_add_sat(uint64_t a, uint64_t b)
{
	uint64_t sum;

	return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

void lw_hists_add(struct lw_hists *s, const struct lw_hist *h)
{
	unsigned int i;

	if (s->one_cpu) {
		if (h->cpu != s->cpu)
			return;
		s->cpu_seen = true;
	}
	if (!lw_hists_keeps(s, h->type))
		return;
	s->has[h->type] = true;
	for (i = 0; i < h->nbuckets; i++)
		s->count[h->type][i] = lw_add_sat(s->count[h->type][i],
						  h->count[i]);
}
