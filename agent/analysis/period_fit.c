// SPDX-License-Identifier: GPL-2.0
/*
 * The fit of one trial period to the occurrences of a signature: the two
 * walks, the run back from the newest, its line and its chance (period.h
 * has the rule).
 */
#include <math.h>
#include <string.h>

#include "analysis/period_fit.h"

/* log10 of the binomial coefficient C(n, k). */
static double lw_log10_choose(unsigned int n, unsigned int k)
{
	double l = 0;
	unsigned int i;

	for (i = 1; i <= k; i++)
		l += log10((double)(n - k + i) / i);
	return l;
}

/* Least-squares sums of the (slot, time) pairs of the fitting ones. */
struct lw_lsq {
	double n, s, ss, t, st;
};

static void lw_lsq_add(struct lw_lsq *q, int s, double t)
{
	q->n += 1;
	q->s += s;
	q->ss += (double)s * s;
	q->t += t;
	q->st += s * t;
}

/* The line through the pairs; false if there are not two slots. */
static bool lw_lsq_line(const struct lw_lsq *q, double *a, double *p)
{
	double d = q->n * q->ss - q->s * q->s;

	if (q->n < 2 || d <= 0)
		return false;
	*p = (q->n * q->st - q->s * q->t) / d;
	*a = (q->t - *p * q->s) / q->n;
	return true;
}

/*
 * Walk the occurrences p->x[0..n) (relative to the newest, ascending, the
 * last one 0) from the newest back, along the line t = a + per * s, and
 * mark p->mark[] and p->slot[]; tol is the largest |residual| of a fit.
 * Returns the index of the oldest fitting.
 *
 * With span, the line follows the fits: its phase a is their mean offset
 * from the period per until they are three or more and span at least span
 * slots; from then on a and per are their least-squares line. So a
 * period measured over k periods is not replaced by one measured over
 * fewer. Without (0), the line stays, and an occurrence nearer to it than
 * the one in its slot takes the slot (except the newest's).
 */
static unsigned int lw_walk(struct lw_periods *p, unsigned int n, double a,
			    double per, double tol, int span)
{
	const double *x = p->x;
	struct lw_lsq q = { 0, 0, 0, 0, 0 };
	unsigned int i, oldest = n - 1;
	double r, rfit = 0, off = 0;
	int s;

	memset(p->mark, LW_PM_NONE, n);
	p->mark[oldest] = LW_PM_FIT;
	p->slot[oldest] = 0;
	lw_lsq_add(&q, 0, 0);
	for (i = n - 1; i-- > 0;) {
		if (x[i] < a - tol +
			   per * (p->slot[oldest] - LW_PERIOD_GAP - 1))
			break;
		s = (int)lround((x[i] - a) / per);
		r = x[i] - a - per * s;
		if (fabs(r) > tol) {
			p->mark[i] = LW_PM_OUT;
		} else if (s < p->slot[oldest]) {
			p->mark[i] = LW_PM_FIT;
			p->slot[i] = s;
			oldest = i;
			rfit = fabs(r);
			if (span) {
				lw_lsq_add(&q, s, x[i]);
				off += x[i] - per * s;
				if (q.n >= 3 && -s >= span)
					lw_lsq_line(&q, &a, &per);
				else
					a = off / q.n;
			}
		} else if (!span && s == p->slot[oldest] && s &&
			   fabs(r) < rfit) {
			p->mark[oldest] = LW_PM_DUP;
			p->mark[i] = LW_PM_FIT;
			p->slot[i] = s;
			oldest = i;
			rfit = fabs(r);
		} else {
			p->mark[i] = LW_PM_DUP;
		}
	}
	return oldest;
}

/* The least-squares line of the fits from index from on, if three or more. */
static bool lw_fit_line(const struct lw_periods *p, unsigned int from,
			unsigned int n, double *a, double *per)
{
	struct lw_lsq q = { 0, 0, 0, 0, 0 };
	unsigned int i;

	for (i = from; i < n; i++)
		if (p->mark[i] == LW_PM_FIT)
			lw_lsq_add(&q, p->slot[i], p->x[i]);
	return q.n >= 3 && lw_lsq_line(&q, a, per) &&
	       *per >= LW_PERIOD_MIN_NS / 2;
}

void lw_fit(struct lw_periods *p, unsigned int n, double p0, int span,
	    struct lw_fit *f)
{
	const double *x = p->x;
	double a = 0, per = p0, tol, r, rmax = 0, ss = 0, h;
	unsigned int i, c = 0, m = 0, o = 0, d = 0, end, half = 0;
	int prev = 0;

	memset(f, 0, sizeof(*f));
	/* Follow the fits, then along their least-squares line. */
	end = lw_walk(p, n, 0, p0, lw_tol(p0), span);
	if (!lw_fit_line(p, end, n, &a, &per))
		return;
	tol = lw_tol(per);
	end = lw_walk(p, n, a, per, tol, 0);

	/*
	 * The longest run back from the newest that keeps to the rules (the
	 * walk stopped before LW_PERIOD_GAP empty slots in a row).
	 */
	for (i = n; i-- > end;) {
		if (p->mark[i] == LW_PM_OUT) {
			o++;
		} else if (p->mark[i] == LW_PM_DUP) {
			d++;
		} else if (p->mark[i] == LW_PM_FIT) {
			if (c)
				m += prev - p->slot[i] - 1;
			prev = p->slot[i];
			c++;
			if (c >= 3 && 2 * m <= c && 2 * o <= c) {
				f->oldest = i;
				f->count = c;
				f->missed = m;
				f->outliers = o;
				f->dups = d;
			}
		}
	}
	if (!f->count)
		return;
	memset(p->mark, LW_PM_NONE, f->oldest);
	/* The series must end in the newest (at 0, in slot 0). */
	if (!lw_fit_line(p, f->oldest, n, &a, &per) || fabs(a) > tol ||
	    per < LW_PERIOD_MIN_NS || per > LW_PERIOD_MAX_NS)
		return;
	f->a = a;
	f->p = per;
	for (i = f->oldest; i < n; i++) {
		if (p->mark[i] == LW_PM_OUT) {
			/* Distance from the middle between two slots. */
			r = (x[i] - a) / per;
			if (fabs(r - floor(r) - 0.5) * per <= lw_tol(per) / 2)
				half++;
		}
		if (p->mark[i] != LW_PM_FIT)
			continue;
		r = x[i] - a - per * p->slot[i];
		ss += r * r;
		if (fabs(r) > rmax)
			rmax = fabs(r);
	}
	/* The outliers keep time too: this is twice the period. */
	if (half >= 2 && 2 * half >= f->outliers && 4 * half >= f->count)
		return;
	f->jitter = sqrt(ss / (f->count - 2));
	h = rmax > LW_PERIOD_RES_NS ? rmax : LW_PERIOD_RES_NS;
	f->lchance = lw_log10_choose(f->count + f->outliers + f->dups - 2,
				     f->count - 2);
	if (2 * h < per - LW_PERIOD_STORM_NS)
		f->lchance += (f->count - 2) *
			      log10(2 * h / (per - LW_PERIOD_STORM_NS));
	f->valid = true;
}
