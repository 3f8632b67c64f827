// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "source/modevent.h"

const struct lw_event_type lw_event_types[LATWATCH_EV_MAX + 1] = {
	[LATWATCH_EV_IRQOFF]		= { "irqoff", true, false },
	[LATWATCH_EV_SOFTIRQOFF]	= { "softirqoff", true, false },
	[LATWATCH_EV_SOFTIRQ]		= { "softirq", true, true },
	[LATWATCH_EV_TIMER]		= { "timer", true, true },
	[LATWATCH_EV_HARDIRQ]		= { "hardirq", true, true },
	[LATWATCH_EV_HUNG]		= { "hung", false, true },
	[LATWATCH_EV_HUNG_END]		= { "hung_end", false, true },
};

const char *lw_event_type_name(uint32_t type)
{
	return type <= LATWATCH_EV_MAX ? lw_event_types[type].name : NULL;
}

uint32_t lw_event_type_find(const char *name)
{
	uint32_t t;

	for (t = 1; t <= LATWATCH_EV_MAX; t++)
		if (lw_event_types[t].name && !strcmp(lw_event_types[t].name, name))
			return t;
	return LATWATCH_EV_UNSPEC;
}

static void lw_str_move(struct lw_str *s, const char *from, char *to)
{
	if (s->p)
		s->p = to + (s->p - from);
}

void lw_event_move(struct lw_event *ev, const void *from, void *to)
{
	unsigned int i;

	lw_str_move(&ev->comm, from, to);
	lw_str_move(&ev->cgroup, from, to);
	lw_str_move(&ev->name, from, to);
	lw_str_move(&ev->function, from, to);
	lw_str_move(&ev->interf.name, from, to);
	lw_str_move(&ev->interf.function, from, to);
	for (i = 0; i < ev->nframes; i++)
		lw_str_move(&ev->frames[i], from, to);
}
