/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_ALERT_INTERNAL_H
#define LATWATCH_ALERT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sink/alert.h"

/*
 * Between alert.c (windows, summaries, stderr, syslog, --log) and
 * alert_exec.c (the --exec commands), not for the alerter's users.
 */

/*
 * A duration for people: one decimal at most, in the largest unit that
 * keeps it at 1 or more: "35.2 ms", "60 s", "750 us", "12 ns".
 */
void lw_alert_fmt_dur(char *buf, size_t len, uint64_t ns);

/* alert_exec.c */

/*
 * Run --exec for an alert of rule and sig, the len bytes of line on its
 * stdin, if fewer than LW_ALERT_CHILDREN run already (else counted, and
 * said now and then).
 */
void lw_exec_start(struct lw_alerter *a, const char *rule, const char *sig,
		   const char *line, size_t len, uint64_t now_ns);
/* Feed, collect and time out the commands, now being now_ns. */
void lw_exec_poll(struct lw_alerter *a, uint64_t now_ns);
void lw_exec_wait(struct lw_alerter *a, uint64_t now_ns);
void lw_exec_kill_all(struct lw_alerter *a);

#endif
