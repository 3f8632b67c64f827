/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_INCIDENT_H
#define LATWATCH_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source/modevent.h"

/*
 * Incidents: events the module nested. A slow callback inside a slow
 * softirq run, an irq handler inside an irq-off window: the module sends
 * the outer event first, listing its inner ones (inner_seqs), and each
 * inner one right after it, naming the outer (outer_seq). They are one
 * incident, told as one story: "TIMER softirq ran 24 ms on CPU 0, 23.9 ms
 * of it in estimation_timer [ip_vs]".
 *
 * An event is explained a while after it came (it waits for a counter
 * snapshot), by then the others of its incident have come too. So each
 * event is noted when it comes, as a brief (what it was, in words), in a
 * ring of the latest LW_INCIDENT_RING; explaining an event of an incident
 * finds the others' briefs there. The outer's brief also keeps which
 * alert rules the incident fired, so that each fires once per incident.
 */
#define LW_INCIDENT_RING	256
#define LW_BRIEF_LEN		192

struct lw_brief {
	bool used;
	uint64_t instance;
	uint64_t seq;
	uint32_t type;
	uint64_t duration_ns;
	/* the whole event: "TIMER softirq ran 24 ms on CPU 0" */
	char phrase[LW_BRIEF_LEN];
	/* where the time went, for an inner one: "estimation_timer [ip_vs]" */
	char where[LW_BRIEF_LEN];
	/*
	 * The handler an irq-off event names as its interference, or that an
	 * irq handler or hrtimer event is: "irq 24", "fn lwinj_hrtimer_fn".
	 * An inner one that is its outer's interference adds nothing to the
	 * story.
	 */
	char key[LW_BRIEF_LEN];
	unsigned int ninner;	/* an outer one's inner ones: seq + 1, ... */
	uint64_t fired;		/* rules fired for the incident (a bit each) */
};

struct lw_incidents {
	unsigned int next;
	struct lw_brief ring[LW_INCIDENT_RING];
};

/* Note ev as it comes (only events of an incident are kept). */
void lw_incident_note(struct lw_incidents *inc, const struct lw_event *ev);

/* The incident ev belongs to: its outer's sequence number, or 0. */
uint64_t lw_incident_id(const struct lw_event *ev);

/* The brief of event seq of ev's module instance, or NULL. */
struct lw_brief *lw_incident_find(struct lw_incidents *inc,
				  const struct lw_event *ev, uint64_t seq);

/*
 * The story of ev's incident, into buf (NUL-terminated, cut at len - 1):
 * the outer event's phrase, then where its time went, inner by inner. 0 if
 * ev is in no incident or its outer's brief is not there (the caller
 * tells the event on its own then); else the story's length.
 */
size_t lw_incident_story(char *buf, size_t len, struct lw_incidents *inc,
			 const struct lw_event *ev);

/* "estimation_timer [ip_vs]" from "estimation_timer+0x0/0x1b0 [ip_vs]". */
void lw_frame_func_mod(char *buf, size_t len, const char *frame, size_t flen);

#endif
