// SPDX-License-Identifier: GPL-2.0
/*
 * The fit of one trial period to the occurrences of a signature: the two
 * walks, the run back from the newest, the strays taken out of it, its
 * line and its chance (period.h has the rule).
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

/* log10 of the chance of a run (period.h). */
static double lw_lchance(unsigned int c, unsigned int o, unsigned int d,
			 double h, double per)
{
	double l = lw_log10_choose(c + o + d - 2, c - 2);

	if (2 * h < per - LW_PERIOD_STORM_NS)
		l += (c - 2) * log10(2 * h / (per - LW_PERIOD_STORM_NS));
	return l;
}

/*
 * The longest run of fits back from the newest with three or more and no
 * more than half as many empty slots or outliers: f->oldest. False if
 * none.
 */
static bool lw_run(const struct lw_periods *p, unsigned int n,
		   unsigned int end, struct lw_fit *f)
{
	unsigned int i, c = 0, o = 0;
	bool found = false;
	int m;

	for (i = n; i-- > end;) {
		if (p->mark[i] == LW_PM_OUT)
			o++;
		if (p->mark[i] != LW_PM_FIT)
			continue;
		c++;
		m = 1 - p->slot[i] - (int)c;
		if (c >= 3 && 2 * m <= (int)c && 2 * o <= c) {
			f->oldest = i;
			found = true;
		}
	}
	return found;
}

/*
 * Count the run from f->oldest to the newest, and add its fits to q.
 * False if it breaks the rules: fewer than three fits, more than
 * LW_PERIOD_GAP empty slots in a row, missed or outliers more than
 * count / 2.
 */
static bool lw_run_count(const struct lw_periods *p, unsigned int n,
			 struct lw_fit *f, struct lw_lsq *q)
{
	unsigned int i, o = 0, d = 0;
	int prev = 0;

	for (i = f->oldest; i < n; i++) {
		if (p->mark[i] == LW_PM_OUT)
			o++;
		else if (p->mark[i] == LW_PM_DUP)
			d++;
		if (p->mark[i] != LW_PM_FIT)
			continue;
		if (q->n && p->slot[i] - prev - 1 > LW_PERIOD_GAP)
			return false;
		prev = p->slot[i];
		lw_lsq_add(q, p->slot[i], p->x[i]);
	}
	f->count = (unsigned int)q->n;
	f->missed = (unsigned int)(1 - p->slot[f->oldest]) - f->count;
	f->outliers = o;
	f->dups = d;
	return f->count >= 3 && 2 * f->missed <= f->count &&
	       2 * o <= f->count;
}

/*
 * Count the run from f->oldest to the newest and draw the least-squares
 * line of its fits: f gets all but valid; false if the run breaks the
 * rules. *worst is the fit, not the newest, that lies farthest from the
 * line drawn without it, in units of how far it may be expected to (its
 * residual over sqrt(1 - its leverage)), f->far that distance; -1 if none.
 */
static bool lw_run_eval(const struct lw_periods *p, unsigned int n,
			struct lw_fit *f, int *worst)
{
	struct lw_lsq q = { 0, 0, 0, 0, 0 };
	double r, z, rmax = 0, ss = 0, ms, sxx, lev;
	unsigned int i;

	*worst = -1;
	f->far = 0;
	if (!lw_run_count(p, n, f, &q) || !lw_lsq_line(&q, &f->a, &f->p))
		return false;
	ms = q.s / q.n;
	sxx = q.ss - q.s * ms;
	for (i = f->oldest; i < n; i++) {
		if (p->mark[i] != LW_PM_FIT)
			continue;
		r = fabs(p->x[i] - f->a - f->p * p->slot[i]);
		ss += r * r;
		if (r > rmax)
			rmax = r;
		lev = 1 / q.n + (p->slot[i] - ms) * (p->slot[i] - ms) / sxx;
		z = r / sqrt(1 - lev);
		if (i < n - 1 && z >= f->far) {
			f->far = z;
			*worst = (int)i;
		}
	}
	f->jitter = sqrt(ss / (f->count - 2));
	f->h = rmax > LW_PERIOD_RES_NS ? rmax : LW_PERIOD_RES_NS;
	f->lchance = lw_lchance(f->count, f->outliers, f->dups, f->h, f->p);
	return true;
}

/*
 * An occurrence off the beat can land within the tolerance of an empty
 * slot, before the run or in it, and become a fit: it widens the window
 * h of the chance, and with few fits pulls the line off the others. So
 * the fit farthest from the line drawn without it is a stray if
 *  - it lies more than LW_PERIOD_STRAY times as far as the farthest of
 *    the others (its distance scaled as in lw_run_eval(), for the line
 *    is less sure away from the others), and
 *  - taking it out makes the chance smaller by more than the count, the
 *    number of fits it was chosen from: choosing which to leave out is
 *    choosing among that many series, and random ones would gain by it;
 * and then it is an outlier, or leaves the run if it was the oldest.
 * Then the next.
 */
static void lw_trim(struct lw_periods *p, unsigned int n, struct lw_fit *f,
		    int worst)
{
	struct lw_fit g;
	int next;

	while (worst >= 0 && f->count > 3) {
		g = *f;
		p->mark[worst] = LW_PM_OUT;
		if ((unsigned int)worst == g.oldest)
			while (p->mark[g.oldest] != LW_PM_FIT)
				g.oldest++;
		if (!lw_run_eval(p, n, &g, &next) ||
		    f->far <= LW_PERIOD_STRAY * g.h ||
		    g.lchance + log10(f->count) >= f->lchance) {
			p->mark[worst] = LW_PM_FIT;
			return;
		}
		*f = g;
		worst = next;
	}
}

/*
 * Its outliers keep time at P / k, for a k in 2..LW_PERIOD_DIV: two or
 * more of them, at least o / 2 and (k - 1) c / 4 (a quarter of the beats
 * between its fits, were P / k the period), lie within the tolerance of
 * P / k (but no farther than LW_PERIOD_STRAY * h) of a multiple of P / k
 * from a slot. Then it is k times a period with many missed.
 */
static bool lw_multiple(const struct lw_periods *p, unsigned int n,
			const struct lw_fit *f)
{
	unsigned int i, k, near;
	double w, r;

	for (k = 2; k <= LW_PERIOD_DIV; k++) {
		w = fmin(lw_tol(f->p / k), LW_PERIOD_STRAY * f->h);
		near = 0;
		for (i = f->oldest; i < n; i++) {
			if (p->mark[i] != LW_PM_OUT)
				continue;
			/* In periods P / k from the line. */
			r = (p->x[i] - f->a) / f->p * k;
			if (fabs(r - round(r)) * f->p / k <= w)
				near++;
		}
		if (near >= 2 && 2 * near >= f->outliers &&
		    4 * near >= (k - 1) * f->count)
			return true;
	}
	return false;
}

void lw_fit(struct lw_periods *p, unsigned int n, double p0, int span,
	    struct lw_fit *f)
{
	double a, per;
	unsigned int end;
	int worst;

	memset(f, 0, sizeof(*f));
	/* Follow the fits, then along their least-squares line. */
	end = lw_walk(p, n, 0, p0, lw_tol(p0), span);
	if (!lw_fit_line(p, end, n, &a, &per))
		return;
	end = lw_walk(p, n, a, per, lw_tol(per), 0);
	if (!lw_run(p, n, end, f) || !lw_run_eval(p, n, f, &worst))
		return;
	lw_trim(p, n, f, worst);
	memset(p->mark, LW_PM_NONE, f->oldest);
	/* The series must end in the newest (at 0, in slot 0). */
	if (fabs(f->a) > lw_tol(f->p) || f->p < LW_PERIOD_MIN_NS ||
	    f->p > LW_PERIOD_MAX_NS || lw_multiple(p, n, f))
		return;
	f->valid = true;
}
