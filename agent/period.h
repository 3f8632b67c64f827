/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_PERIOD_H
#define LATWATCH_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "signature.h"

/*
 * Periodic spikes: "the same thing happens every ten minutes".
 *
 * Events are grouped by signature (signature.h). Times are CLOCK_REALTIME
 * ns, the end of each event's window.
 *
 * Occurrences. An event less than LW_PERIOD_STORM_NS after the previous
 * event of its signature belongs to the same storm; a storm is one
 * occurrence, timed by its first event. Events are expected in time order:
 * one up to LW_PERIOD_STORM_NS older than the newest occurrence joins that
 * storm (which then starts at the earlier time); one older still means the
 * clock was set back, and the signature's history starts again from it.
 *
 * The rule. Each time a signature gets a new occurrence t_n, the periods
 * that could end in t_n are tried:
 *
 *  - Candidates: (t_n - t_j) / k for each of the LW_PERIOD_PAIRS
 *    occurrences t_j before t_n and k = 1..LW_PERIOD_DIV, plus the period
 *    the signature was reported with last, if any; only those within
 *    [LW_PERIOD_MIN_NS, LW_PERIOD_MAX_NS].
 *
 *  - Fit of a candidate P0: the series starts as t_n alone in slot 0 with
 *    the line t = t_n + P0 * s. The older occurrences are taken newest
 *    first; each goes to the nearest slot s = round((t - a) / P) of the
 *    current line t = a + P * s, with residual r = t - a - P * s. It fits
 *    if |r| <= P / LW_PERIOD_TOL and its slot is older than every slot
 *    filled so far; it is a duplicate of the spike before it (ignored) if
 *    |r| <= P / LW_PERIOD_TOL but the slot is taken; else it is an
 *    outlier. Once two occurrences fit, a and P are the least-squares line
 *    through the (s, t) of the fitting ones, refitted after each new fit.
 *    The walk stops at the first occurrence older than
 *    a + P * (s_oldest - LW_PERIOD_GAP - 1) - P / LW_PERIOD_TOL, s_oldest
 *    being the oldest slot filled: nothing from there on could fit without
 *    more than LW_PERIOD_GAP missed slots in a row.
 *
 *  - Of the fit, with P the final least-squares period: count c = the
 *    fitting occurrences; missed m = the empty slots between the oldest
 *    and the newest fitting one; outliers o = the outliers between them;
 *    residuals r_i against the final line; jitter = the standard deviation
 *    of the residuals, sqrt(sum r_i^2 / (c - 2)).
 *
 *  - The fit is valid if LW_PERIOD_MIN_NS <= P <= LW_PERIOD_MAX_NS,
 *    c >= 3 (so the series spans at least two periods), no more than
 *    LW_PERIOD_GAP slots in a row are empty, 3 m <= c (at least three
 *    slots in four filled: this is what rules out P/2, P/3 ... of a
 *    periodic series) and 2 o <= c (at most one unrelated occurrence per
 *    two fitting ones: this rules out 2P, 3P ...).
 *
 *  - Significance. If the occurrences were random (Poisson), each of the
 *    c - 2 fits beyond the two that place the line would land within
 *    +-h of its slot with probability q = min(1, 2 h / P), where h is the
 *    largest |r_i| but at least LW_PERIOD_RES_NS (the precision of the
 *    timestamps). With o outliers besides, the chance is at most
 *    C(c + o - 2, c - 2) * q^(c - 2). Of the valid fits the one where this
 *    is smallest wins (the first tried on a tie); the signature is
 *    periodic if that chance times the number of candidates tried is at
 *    most 10^-LW_PERIOD_SIGMA. So three exactly spaced occurrences are
 *    enough for periods of a few minutes up, more are needed for short or
 *    jittery periods (about 5 for 1 s, 7 for 600 s +-1 %, 12 for +-5 %).
 *
 *  - If no fit is significant but the signature was periodic and t_n is
 *    not overdue (see below), t_n is an outlier of that series, which
 *    stays reported. Otherwise the signature is not periodic.
 *
 * A reported series accumulates: if the previous series' last occurrence
 * is part of the new fit, the new fit extends it (count, missed and
 * outliers add up, first_ns stays); otherwise the new fit starts a new
 * series. A series is overdue, and no longer periodic, once
 * last_ns + (LW_PERIOD_GAP + 1) * P + P / LW_PERIOD_TOL has passed.
 *
 * Bounds. At most max_sigs signatures (the least recently seen is
 * forgotten to make room) with at most max_occ occurrences each (the
 * oldest is dropped): with the defaults about 230 KiB in all, at most
 * 1.3 MiB with the largest sizes. One new occurrence costs at most
 * (LW_PERIOD_PAIRS * LW_PERIOD_DIV + 1) fits of O(max_occ) each; an event
 * that joins a storm costs a hash lookup.
 */

#define LW_PERIOD_SIGS		256	/* default signatures tracked */
#define LW_PERIOD_OCC		64	/* default occurrences per signature */
#define LW_PERIOD_SIGS_MAX	1024
#define LW_PERIOD_OCC_MIN	4
#define LW_PERIOD_OCC_MAX	128

#define LW_PERIOD_STORM_NS	500000000ull		/* 0.5 s */
#define LW_PERIOD_MIN_NS	800000000ull		/* 0.8 s */
#define LW_PERIOD_MAX_NS	(2 * 86400000000000ull)	/* 2 days */
#define LW_PERIOD_TOL		10	/* a fit is within P / 10 of its slot */
#define LW_PERIOD_GAP		3	/* most missed slots in a row */
#define LW_PERIOD_PAIRS		16	/* newest occurrences t_j paired with t_n */
#define LW_PERIOD_DIV		8	/* candidates (t_n - t_j) / k, k <= 8 */
#define LW_PERIOD_RES_NS	1000000ull		/* 1 ms */
#define LW_PERIOD_SIGMA		6	/* significance 10^-6 */

/* A periodic series of one signature. */
struct lw_period {
	uint64_t period_ns;
	uint64_t jitter_ns;	/* standard deviation of the residuals */
	unsigned int count;	/* fitting occurrences */
	unsigned int missed;	/* empty slots between first and last */
	unsigned int outliers;	/* occurrences between them that do not fit */
	uint64_t first_ns;	/* the first fitting occurrence */
	uint64_t last_ns;	/* the last fitting occurrence */
};

struct lw_period_ent;

struct lw_periods {
	unsigned int max_sigs;
	unsigned int max_occ;
	unsigned int nsigs;		/* entries in use: ents[0..nsigs) */
	struct lw_period_ent *ents;
	uint64_t *occ;			/* max_sigs rings of max_occ */
	int *buckets;			/* hash chains of entry indices */
	unsigned int nbuckets;		/* a power of two */
	int lru_head;			/* most recently seen */
	int lru_tail;			/* least recently seen */
	/* Scratch for one evaluation, max_occ each. */
	double *x;
	int *slot;
	unsigned char *mark;
	int *best_slot;
	unsigned char *best_mark;
};

/*
 * max_sigs and max_occ of 0 take the defaults. Returns 0, or -EINVAL if
 * one is out of range or -ENOMEM.
 */
int lw_periods_init(struct lw_periods *p, unsigned int max_sigs,
		    unsigned int max_occ);
void lw_periods_free(struct lw_periods *p);

/* Signatures tracked now. */
unsigned int lw_periods_len(const struct lw_periods *p);

/*
 * Record an event of signature sig (cut to LW_SIG_LEN - 1 bytes) at ts_ns.
 * Returns 1 and fills *out (if out is not NULL) if the signature is
 * periodic now, else 0.
 */
int lw_period_add(struct lw_periods *p, const char *sig, uint64_t ts_ns,
		  struct lw_period *out);

/*
 * Call cb for every signature periodic at now_ns (reported periodic and
 * not overdue), most recently seen first.
 */
void lw_periods_foreach(const struct lw_periods *p, uint64_t now_ns,
			void (*cb)(const char *sig, const struct lw_period *pd,
				   void *arg),
			void *arg);

/*
 * "every 600.2 s \u00b1 0.4 s, 5 times since 12:00:03": the period in
 * seconds with one decimal (in ms under 1 s), the jitter in s, ms, us or
 * ns, whichever gives it at least one digit before the point (0 is
 * "0 s"), rounded to the nearest; the UTC time of day of the first
 * occurrence, preceded by its date ("2026-11-20 12:00:03") when the series
 * spans a day or more. Always NUL-terminated, cut at len - 1; returns the
 * length it would have had uncut.
 */
size_t lw_period_text(char *buf, size_t len, const struct lw_period *pd);

/*
 * Key "period" and the object {"period_ns", "jitter_ns", "count",
 * "missed", "outliers", "since" (time as lw_fmt_time), "since_ns",
 * "last_ns", "text" (lw_period_text)}.
 */
void lw_period_json(struct json *j, const struct lw_period *pd);

#endif
