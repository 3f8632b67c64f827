// SPDX-License-Identifier: GPL-2.0
/* Events the module nested, told as one story: see incident.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/incident.h"
#include "analysis/signature.h"
#include "analysis/verdict.h"

/* Room for a handler's or callback's name in a brief. */
#define LW_NAME_LEN	128

void lw_frame_func_mod(char *buf, size_t len, const char *frame, size_t flen)
{
	const char *mod = memchr(frame, '[', flen);
	const char *end;
	size_t n;

	lw_frame_func(buf, len, frame, flen);
	if (!mod)
		return;
	end = memchr(mod, ']', flen - (size_t)(mod - frame));
	if (!end)
		return;
	n = strlen(buf);
	snprintf(buf + n, len - n, " %.*s", (int)(end - mod + 1), mod);
}

static void lw_copy(char *buf, size_t len, const struct lw_str *s)
{
	snprintf(buf, len, "%.*s", (int)s->len, s->p);
}

/* "estimation_timer [ip_vs]": the callback with its module if it has one. */
static void lw_where_function(struct lw_brief *b, const struct lw_event *ev)
{
	char fn[LW_NAME_LEN];

	lw_copy(fn, sizeof(fn), &ev->function);
	snprintf(b->key, sizeof(b->key), "fn %s", fn);
	if (ev->nframes) {
		lw_frame_func_mod(b->where, sizeof(b->where), ev->frames[0].p,
				  ev->frames[0].len);
		if (!strncmp(b->where, fn, strlen(fn)))
			return;
	}
	snprintf(b->where, sizeof(b->where), "%s", fn);
}

/* What an inner event says of where its outer's time went. */
static void lw_brief_where(struct lw_brief *b, const struct lw_event *ev)
{
	char name[LW_NAME_LEN];

	b->where[0] = b->key[0] = '\0';
	if (ev->type == LATWATCH_EV_TIMER && (ev->has & LW_EV_FUNCTION)) {
		lw_where_function(b, ev);
	} else if (ev->type == LATWATCH_EV_HARDIRQ) {
		lw_copy(name, sizeof(name), &ev->name);
		snprintf(b->key, sizeof(b->key), "irq %" PRIu32, ev->irq);
		snprintf(b->where, sizeof(b->where),
			 "the handler of irq %" PRIu32 " (%s)", ev->irq, name);
	}
	if (ev->type == LATWATCH_EV_IRQOFF && (ev->has & LW_EV_INTERF)) {
		if (ev->interf.type == LATWATCH_INTERF_HARDIRQ) {
			snprintf(b->key, sizeof(b->key), "irq %" PRIu32,
				 ev->interf.irq);
		} else {
			lw_copy(name, sizeof(name), &ev->interf.function);
			snprintf(b->key, sizeof(b->key), "fn %s", name);
		}
	}
}

uint64_t lw_incident_id(const struct lw_event *ev)
{
	if (ev->has & LW_EV_OUTER)
		return ev->outer_seq;
	if ((ev->has & LW_EV_INNER) && (ev->has & LW_EV_SEQ))
		return ev->seq;
	return 0;
}

void lw_incident_note(struct lw_incidents *inc, const struct lw_event *ev)
{
	struct lw_brief *b;

	if (!lw_incident_id(ev) || !(ev->has & LW_EV_SEQ) ||
	    !(ev->has & LW_EV_TYPE))
		return;
	b = &inc->ring[inc->next++ % LW_INCIDENT_RING];
	memset(b, 0, sizeof(*b));
	b->used = true;
	b->instance = ev->instance;
	b->seq = ev->seq;
	b->type = ev->type;
	b->duration_ns = ev->duration_ns;
	b->ninner = ev->ninner;
	lw_event_phrase(b->phrase, sizeof(b->phrase), ev);
	lw_brief_where(b, ev);
}

struct lw_brief *lw_incident_find(struct lw_incidents *inc,
				  const struct lw_event *ev, uint64_t seq)
{
	unsigned int i;

	for (i = 0; i < LW_INCIDENT_RING; i++) {
		struct lw_brief *b = &inc->ring[i];

		if (b->used && b->seq == seq && b->instance == ev->instance)
			return b;
	}
	return NULL;
}

/*
 * A part of a duration, to a tenth of a millisecond: "23.9 ms" of "24 ms"
 * says more than "24 ms" of it. Short ones and long ones as lw_fmt_dur().
 */
static void lw_fmt_part(char *buf, size_t len, uint64_t ns)
{
	uint64_t v = (ns + 50000) / 100000;

	if (ns < 999500 || v >= 10000)
		lw_fmt_dur(buf, len, ns);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " ms", v / 10, v % 10);
}

size_t lw_incident_story(char *buf, size_t len, struct lw_incidents *inc,
			 const struct lw_event *ev)
{
	uint64_t id = lw_incident_id(ev);
	const struct lw_brief *outer, *in;
	char dur[32];
	size_t pos;
	unsigned int i, told = 0;

	outer = id ? lw_incident_find(inc, ev, id) : NULL;
	if (!outer || !len)
		return 0;
	pos = (size_t)snprintf(buf, len, "%s", outer->phrase);
	for (i = 1; i <= outer->ninner && pos < len; i++) {
		in = lw_incident_find(inc, ev, id + i);
		if (!in || !in->where[0])
			continue;
		if (in->key[0] && !strcmp(in->key, outer->key))
			continue;	/* the outer names it already */
		lw_fmt_part(dur, sizeof(dur), in->duration_ns);
		pos += (size_t)snprintf(buf + pos, len - pos, ", %s%s in %s",
					dur, told++ ? "" : " of it", in->where);
	}
	return pos;
}
