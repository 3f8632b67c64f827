/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_PERIOD_FIT_H
#define LATWATCH_PERIOD_FIT_H

#include <stdbool.h>

#include "analysis/period.h"

/*
 * Between period.c (the signatures, their occurrences and series) and
 * period_fit.c (the fit of one trial period), not for other users. The
 * rule is period.h's.
 */

/* Marks of occurrences during a fit. */
enum {
	LW_PM_NONE,		/* not reached: older than the series */
	LW_PM_FIT,
	LW_PM_DUP,
	LW_PM_OUT,
};

/* The result of fitting one candidate period. */
struct lw_fit {
	double a, p;		/* the line t = a + p * s; t_n is 0 */
	unsigned int count, missed, outliers;
	unsigned int dups;	/* in a taken slot */
	unsigned int oldest;	/* index of the oldest fitting occurrence */
	double jitter;
	double h;		/* largest residual, at least the resolution */
	double far;		/* of the fit most off the line (lw_trim()) */
	double lchance;		/* log10 of the chance it is random */
	bool valid;
};

/* The residual window of period p. */
static inline double lw_tol(double p)
{
	return p / LW_PERIOD_TOL;
}

/*
 * Fit the series of period about p0 that ends in the newest of the n
 * occurrences p->x[] (relative to the newest, ascending, the last one 0).
 * span: the slots walk 1's fits must span before it follows their
 * least-squares line (period.h: 2k). Leaves the marks of the fit in
 * p->mark[] and p->slot[] (LW_PM_NONE before f->oldest).
 */
void lw_fit(struct lw_periods *p, unsigned int n, double p0, int span,
	    struct lw_fit *f);

#endif
