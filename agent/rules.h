/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_RULES_H
#define LATWATCH_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <latwatch/latwatch.h>

#include "agent.h"

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
