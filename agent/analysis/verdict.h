/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_VERDICT_H
#define LATWATCH_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/correlate.h"
#include "source/modevent.h"

/* Run-queue wait on the event's CPU worth a mention in the verdict. */
#define LW_CORR_RUN_DELAY_NS	10000000ull
/* CPU pressure (PSI "some") worth a mention when there is no schedstat. */
#define LW_CORR_PSI_US		10000ull

/*
 * Hypervisor steal on the event's CPU (struct lw_corr_steal) is measured
 * between the snapshots around the event, which span more than the event
 * itself, and to a USER_HZ tick (10 ms at 100 Hz) either way. The verdict
 * mentions it ("vCPU 1 was not running for about 20 ms (hypervisor
 * steal)") when it is at least LW_STEAL_MENTION_PCT of the event's
 * duration, and leads with it when at least LW_STEAL_LEAD_PCT of the
 * event must have been stolen: the steal less one tick, less the part of
 * the snapshots' span outside the event (where the rest could have
 * been). Then the host, not the guest's kernel, took most of the time.
 */
#define LW_STEAL_MENTION_PCT	25
#define LW_STEAL_LEAD_PCT	50

/* Room for a verdict with its NUL; lw_verdict() cuts longer ones. */
#define LW_VERDICT_LEN		512

/*
 * One line a human can act on: what happened, where, who was running,
 * and what the counters did meanwhile, e.g. "softirqs held off 52 ms on
 * CPU 1 by memcg_stat_show (lxcfs) — lo dropped 922 packets on CPU 1's
 * backlog in the same window"; or, when hypervisor steal took most of
 * it, "vCPU 1 was not running for about 300 ms (hypervisor steal):
 * interrupts held off 302 ms on CPU 1 by ...". c may be NULL (no clause
 * then). Always NUL-terminated and without a newline; cut at len - 1
 * bytes (at a UTF-8 character boundary). Returns the length it would
 * have had uncut.
 */
size_t lw_verdict(char *buf, size_t len, const struct lw_event *ev,
		  const struct lw_corr *c);

/*
 * The same, with story (if not NULL or empty) telling what happened
 * instead of ev alone: the story of ev's incident (incident.h).
 */
size_t lw_verdict_told(char *buf, size_t len, const char *story,
		       const struct lw_event *ev, const struct lw_corr *c);

/*
 * What happened, without the counters: the verdict's first part, e.g.
 * "TIMER softirq ran 24 ms on CPU 0 in handle_softirqs".
 */
size_t lw_event_phrase(char *buf, size_t len, const struct lw_event *ev);

/*
 * A duration for people: "350 us", "8.2 ms", "8 ms", "52 ms", "12.3 s".
 * Always NUL-terminated; returns the length it would have had.
 */
size_t lw_fmt_dur(char *buf, size_t len, uint64_t ns);

#endif
