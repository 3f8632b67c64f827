/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_RULES_H
#define LATWATCH_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <latwatch/latwatch.h>

/*
 * Alert rules: "TYPE OP VALUE", spaces allowed around OP.
 *
 *	TYPE	an event type (irqoff, softirqoff, softirq, timer, hardirq,
 *		hung, hung_end), "any" for an event of every type, or
 *		"nicdrop" for the packets the NICs dropped in the event's
 *		window
 *	OP	>= or >
 *	VALUE	a duration with its unit (ns, us, ms, s; "1.5ms" is fine)
 *		or, for nicdrop, a whole number of packets
 *
 * E.g. "irqoff>=20ms", "hung >= 10s", "any>=30ms", "nicdrop>0".
 */

#define LW_RULE_TEXT_LEN	64

/* What a rule compares. */
enum lw_rule_what {
	LW_RULE_TYPE,		/* an event of type ev_type: its duration */
	LW_RULE_NICDROP,	/* any event: packets dropped in its window */
	LW_RULE_ANY,		/* an event of any type: its duration */
};

enum lw_rule_op {
	LW_OP_GE,		/* >= */
	LW_OP_GT,		/* >  */
};

/* One --alert rule, e.g. "irqoff>=20ms" or "nicdrop>0". */
struct lw_rule {
	enum lw_rule_what what;
	uint32_t ev_type;	/* LW_RULE_TYPE: enum latwatch_event_type */
	enum lw_rule_op op;
	uint64_t value;		/* ns for a duration, packets for nicdrop */
	char text[LW_RULE_TEXT_LEN];	/* as the user wrote it, normalised */
};

/*
 * Parse s into r, with r->text the rule normalised: no spaces, the
 * duration in the largest unit that keeps it whole ("irqoff >= 20000us"
 * gives "irqoff>=20ms"). On error returns -1 and writes one line that
 * names the bad part to err (at most errlen bytes, NUL included).
 */
int lw_rule_parse(const char *s, struct lw_rule *r, char *err, size_t errlen);

/*
 * Whether an event of type ev_type that lasted duration_ns, in whose
 * window the NICs dropped nicdrops packets, matches r.
 */
bool lw_rule_match(const struct lw_rule *r, uint32_t ev_type,
		   uint64_t duration_ns, uint64_t nicdrops);

#endif
