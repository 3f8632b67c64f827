/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_PERIOD_H
#define LATWATCH_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/signature.h"
#include "lib/jsonw.h"

/*
 * Periodic spikes: "the same thing happens every ten minutes".
 *
 * Events are grouped by signature (signature.h); times are CLOCK_REALTIME
 * ns, the end of each event's window.
 *
 * Occurrences. An event less than LW_PERIOD_STORM_NS after the previous
 * event of its signature belongs to the same storm, and a storm is one
 * occurrence, timed by its first event: a burst is never a period. Events
 * should come in time order: one up to LW_PERIOD_STORM_NS older than the
 * newest occurrence joins that storm (which then starts at the earlier
 * time); one older still means the clock was set back, and the
 * signature's history starts again from it.
 *
 * A fit of a trial period P0 to the occurrences that end in the newest,
 * t_n. A series has slots s = 0, -1, -2, ... on a line t = a + P * s, and
 * t_n is the fit of slot 0. A walk takes the older occurrences newest
 * first. Each goes to its nearest slot s = round((t - a) / P), with
 * residual r = t - a - P * s: it fits if |r| <= tol and s is older than
 * every slot filled so far; it is a duplicate (another spike in a slot
 * taken, ignored) if |r| <= tol but s is not; otherwise it is an outlier.
 * The walk stops at the first occurrence older than
 * a + P * (s_oldest - LW_PERIOD_GAP - 1) - tol, s_oldest the oldest slot
 * filled, so no more than LW_PERIOD_GAP slots in a row are ever empty.
 * Two walks:
 *
 *  1. From a = t_n, P = P0, tol = P0 / LW_PERIOD_TOL, the line follows the
 *     fits: a is their mean offset from P0 until there are three or more
 *     spanning at least 2k slots (k as below; LW_PERIOD_DIV for the
 *     period reported), then a and P are their least-squares line; so a
 *     period measured over k periods is not replaced by one measured
 *     over fewer.
 *  2. Along the least-squares line of walk 1's fits, tol = P / 10, where
 *     an occurrence nearer to the line than the one in its slot takes the
 *     slot (but not t_n's).
 *
 * The run is then the longest of walk 2's fits back from t_n with
 *  - count c >= 3 (so it spans two periods or more),
 *  - missed m, the empty slots between its oldest fit and t_n, <= c / 2,
 *  - outliers o, those between its oldest fit and t_n, <= c / 2;
 * and P, a the least-squares line through its (slot, time) pairs. Its
 * chance (below) with h the largest |r_i| but at least LW_PERIOD_RES_NS
 * (the precision of event times).
 *
 * Strays. An occurrence off the beat may land within tol of an empty
 * slot, before the run or in it, and fit: h grows to its residual, and
 * with few fits the line leans to it. So, while c > 3, the fit (not t_n)
 * with the largest z = |r_i| / sqrt(1 - lev_i), lev_i its leverage (z is
 * its distance from the line of the others, in units of the spread
 * expected there), is taken out if z is more than LW_PERIOD_STRAY times
 * the h of the others and the chance without it is smaller by a factor
 * of more than c (the fits it was chosen from: random runs would gain by
 * choosing too). It becomes an outlier, or leaves the run if it was the
 * oldest; the run must still keep to the rules above, and have no more
 * than LW_PERIOD_GAP slots in a row empty. P, a and h are then those of
 * the rest, and the next is tried.
 *
 * The fit is the run. It is valid if LW_PERIOD_MIN_NS <= P <=
 * LW_PERIOD_MAX_NS, t_n is within P / 10 of the line, and its outliers
 * do not keep time at P / k for a k in 2..LW_PERIOD_DIV, that is, not
 * (two or more of them, at least o / 2 and (k - 1) c / 4, lie within
 * min(P / (10 k), LW_PERIOD_STRAY * h) of a multiple of P / k from a
 * slot): then it is k times a period with many missed. Its jitter is the
 * standard deviation of the residuals of its fits (not of the intervals
 * between them), sqrt(sum r_i^2 / (c - 2)).
 *
 * Its chance. If the occurrences came at random, each of the c - 2 fits
 * beyond the two that place the line would land within +-h of its slot
 * with probability q = min(1, 2 h / (P - STORM)), STORM being
 * LW_PERIOD_STORM_NS (storms keep occurrences that far apart); with o
 * outliers and d duplicates besides, the chance is at most
 * C(c + o + d - 2, c - 2) * q^(c - 2). Occurrences off the beat before
 * the run do not count in it; those within it do.
 *
 * The rule, for each new occurrence t_n of a signature with three or more:
 *
 *  - Not periodic (or overdue, below). The trial periods are
 *    (t_n - t_j) / k for the LW_PERIOD_PAIRS newest occurrences t_j
 *    before t_n and k = 1..LW_PERIOD_DIV, those within [LW_PERIOD_MIN_NS,
 *    LW_PERIOD_MAX_NS]. Their valid fits whose chance times the number
 *    of periods tried is at most 10^-LW_PERIOD_SIGMA compete: the one
 *    with the largest count wins, then the smallest chance, then the
 *    first tried. (Only those: a trial period that bends its line to
 *    take in an occurrence off the beat has one fit more, but not the
 *    chance, and must not hide the one that has.) The signature is
 *    periodic if one wins; the series is that fit.
 *
 *  - Periodic, with period P_r. The one trial period is P_r. If its fit
 *    is valid, its chance at most 10^-LW_PERIOD_SIGMA, its P within
 *    P_r / 10 of P_r, and the series' last occurrence lies within P / 4
 *    of a slot s_l of it no older than its oldest fit, the fit extends the
 *    series: count += its fits in slots after s_l, missed += the empty
 *    ones, outliers += its outliers newer than t_n's predecessor (and -=
 *    those of its fits that were counted as outliers when they came);
 *    period and jitter become the fit's. If s_l is slot 0, t_n is another
 *    spike in the last one's slot and changes nothing. Otherwise t_n is
 *    an outlier of the series, which stays reported.
 *
 *  - A series is overdue once last_ns + (LW_PERIOD_GAP + 1) * P + P / 10
 *    has passed: no later occurrence could extend it.
 *
 * In numbers: exact periods of 7 hours or more are found at the 3rd
 * occurrence, of 10 s or more at the 4th, of 1 or 2 s at the 5th; +-1 %
 * of jitter takes about 7, +-5 % about 10. One occurrence off the beat
 * leaves that as it is for exact periods (tried with +-1 ms at 2 s, and
 * it anywhere up to 8 s before the run, or between two of it but not
 * halfway, where P / 2 is a period too); with more jitter one within the
 * run may take one more, as it weighs on the chance. Each occurrence
 * more in the history weighs a little too (the periods tried), so the
 * 3rd may not be enough with two more. Unrelated occurrences may be up
 * to half as many as the periodic ones, missed ones up to a third of the
 * slots. Random (Poisson) series of 200 occurrences, at mean intervals
 * from 1 s to a day, simulated: one false series in 2.4 million
 * occurrences.
 *
 * Bounds. At most max_sigs signatures (the least recently seen is
 * forgotten to make room) with at most max_occ occurrences each (the
 * oldest is dropped): about 220 KiB with the defaults, at most 1.4 MiB.
 * A new occurrence costs at most LW_PERIOD_PAIRS * LW_PERIOD_DIV fits of
 * two O(max_occ) walks and O(max_occ) for each stray taken out; an event
 * that joins a storm costs a hash lookup.
 */

#define LW_PERIOD_SIGS		256	/* default: signatures tracked */
#define LW_PERIOD_OCC		64	/* default: occurrences of each */
#define LW_PERIOD_SIGS_MAX	1024
#define LW_PERIOD_OCC_MIN	4
#define LW_PERIOD_OCC_MAX	128

#define LW_PERIOD_STORM_NS	500000000ull	/* 0.5 s */
#define LW_PERIOD_MIN_NS	800000000ull	/* 0.8 s */
#define LW_PERIOD_MAX_NS	172800000000000ull	/* 2 days */
#define LW_PERIOD_TOL		10	/* fits within P / 10 of a slot */
#define LW_PERIOD_GAP		3	/* most missed slots in a row */
#define LW_PERIOD_PAIRS		8	/* t_j paired with t_n */
#define LW_PERIOD_DIV		6	/* trial periods (t_n - t_j) / k */
#define LW_PERIOD_RES_NS	1000000ull	/* 1 ms */
#define LW_PERIOD_SIGMA		6	/* significance 10^-6 */
#define LW_PERIOD_STRAY		4	/* a stray: 4 times as far as the rest */

/*
 * A periodic series of one signature. count, missed and outliers are
 * since first_ns, even when the occurrences kept are fewer. The
 * occurrences off the beat are the outliers and those kept from before
 * the series began (a manual run before a cron job's first): "N off the
 * beat" in its text, "offbeat" in its JSON.
 */
struct lw_period {
	uint64_t period_ns;
	uint64_t jitter_ns;	/* standard deviation of the residuals */
	unsigned int count;	/* fitting occurrences */
	unsigned int missed;	/* empty slots between first and last */
	unsigned int outliers;	/* between them, not fitting */
	unsigned int before;	/* kept from before the first, not fitting */
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
 * "every 600.2 s +- 0.4 s, 5 times since 12:00:03" (+- is U+00B1 in
 * UTF-8): the period in s with one decimal (in ms under 1 s); the jitter
 * in the largest of s, ms and us in which it is at least 0.1, with one
 * decimal, else in ns (0 is "0 s"); both rounded to the nearest. Then
 * the UTC time of day of the first occurrence, with its date before it
 * ("2026-11-20 12:00:03") if the series spans a day or more, and if some
 * occurrences since fell off the beat, " (and 2 off the beat)". Always
 * NUL-terminated, cut at len - 1; returns the length it would have had
 * uncut.
 */
size_t lw_period_text(char *buf, size_t len, const struct lw_period *pd);

/*
 * Key "period" and the object {"period_ns", "jitter_ns", "count",
 * "missed", "outliers", "offbeat" (the outliers and those from before
 * the series), "since" (time as lw_fmt_time), "since_ns", "last_ns",
 * "text" (lw_period_text)}.
 */
void lw_period_json(struct jw *j, const struct lw_period *pd);

#endif
