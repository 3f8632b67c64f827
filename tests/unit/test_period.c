// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>

#include "testutil.h"
#include "analysis/period.h"
#include "lib/jsonw.h"

#define NS	1000000000ull
/* 2026-11-22T12:00:03Z */
#define T0	(1795348803ull * NS)

/* splitmix64: a small PRNG, the same series on every machine. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed * 0x2545f4914f6cdd1dull + 1;
}

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double unif(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

/* Uniform in [-1, 1). */
static double unif2(void)
{
	return 2 * unif() - 1;
}

static double gauss(void)
{
	double u = unif(), v = unif();

	return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

static double expo(double mean)
{
	return -mean * log(1 - unif());
}

/* T0 + sec seconds. */
static uint64_t at(double sec)
{
	return T0 + (uint64_t)llround(sec * 1e9);
}

static struct lw_periods *new_periods(unsigned int sigs, unsigned int occ)
{
	struct lw_periods *p = malloc(sizeof(*p));

	assert_non_null(p);
	assert_int_equal(lw_periods_init(p, sigs, occ), 0);
	return p;
}

static void free_periods(struct lw_periods *p)
{
	lw_periods_free(p);
	free(p);
}

/*
 * Add an occurrence of sig at T0 + sec. If want_s is not 0, every period
 * reported must be within 2 % of it: never a multiple or a fraction.
 */
static int add(struct lw_periods *p, const char *sig, double sec,
	       double want_s, struct lw_period *pd)
{
	struct lw_period tmp;
	int r;

	memset(&tmp, 0xa5, sizeof(tmp));
	r = lw_period_add(p, sig, at(sec), &tmp);
	assert_true(r == 0 || r == 1);
	if (r && want_s > 0 &&
	    fabs((double)tmp.period_ns / 1e9 - want_s) > 0.02 * want_s)
		fail_msg("%s at %.3f s: period %.3f s, want %.3f s", sig, sec,
			 (double)tmp.period_ns / 1e9, want_s);
	if (r && pd)
		*pd = tmp;
	return r;
}

static void test_init(void **state)
{
	struct lw_periods p;

	(void)state;
	assert_int_equal(lw_periods_init(&p, 0, 0), 0);
	assert_int_equal(p.max_sigs, LW_PERIOD_SIGS);
	assert_int_equal(p.max_occ, LW_PERIOD_OCC);
	assert_int_equal(lw_periods_len(&p), 0);
	lw_periods_free(&p);
	assert_int_equal(lw_periods_init(&p, LW_PERIOD_SIGS_MAX + 1, 0),
			 -EINVAL);
	assert_int_equal(lw_periods_init(&p, 0, LW_PERIOD_OCC_MIN - 1),
			 -EINVAL);
	assert_int_equal(lw_periods_init(&p, 0, LW_PERIOD_OCC_MAX + 1),
			 -EINVAL);
	assert_int_equal(lw_periods_init(&p, LW_PERIOD_SIGS_MAX,
					 LW_PERIOD_OCC_MAX), 0);
	lw_periods_free(&p);
}

/* Exactly every 10 minutes: periodic from the fourth on. */
static void test_exact(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_int_equal(add(p, "x", 600.0 * i, 600, &pd), i >= 3);
	assert_int_equal(pd.period_ns, 600 * NS);
	assert_int_equal(pd.jitter_ns, 0);
	assert_int_equal(pd.count, 10);
	assert_int_equal(pd.missed, 0);
	assert_int_equal(pd.outliers, 0);
	assert_int_equal(pd.first_ns, T0);
	assert_int_equal(pd.last_ns, at(5400));
	/* out may be NULL. */
	assert_int_equal(lw_period_add(p, "x", at(6000), NULL), 1);
	free_periods(p);
}

/* Exact periods over the whole range. */
static void test_range(void **state)
{
	static const struct {
		double period;
		int n;
		int first;	/* the occurrence that makes it periodic */
	} cases[] = {
		{ 1, 20, 5 }, { 2, 20, 5 }, { 10, 20, 4 }, { 600, 20, 4 },
		{ 3600, 10, 4 }, { 20000, 10, 4 }, { 30000, 10, 3 },
		{ 86400, 8, 3 }, { 1.5 * 86400, 6, 3 },
	};
	unsigned int c;
	int i;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct lw_periods *p = new_periods(0, 0);
		struct lw_period pd;
		double per = cases[c].period;

		for (i = 0; i < cases[c].n; i++)
			if (add(p, "x", 5 + per * i, per, &pd) !=
			    (i + 1 >= cases[c].first))
				fail_msg("period %.0f s, occurrence %d", per,
					 i + 1);
		assert_int_equal(pd.period_ns, (uint64_t)(per * 1e9));
		assert_int_equal(pd.count, cases[c].n);
		assert_int_equal(pd.first_ns, at(5));
		free_periods(p);
	}
}

/* Beyond the range: not periodic. */
static void test_out_of_range(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	int i;

	(void)state;
	for (i = 0; i < 30; i++) {
		assert_int_equal(add(p, "fast", 0.7 * i, 0, NULL), 0);
		assert_int_equal(add(p, "fast2", 0.75 * i, 0, NULL), 0);
		assert_int_equal(add(p, "slow", 3 * 86400.0 * i, 0, NULL), 0);
	}
	free_periods(p);
}

/*
 * Jitter of +-1 % and +-5 % of the period, each occurrence uniformly
 * off: found, and the jitter reported is that of the offsets.
 */
static void jitter_case(double per, double frac, bool normal, int n)
{
	int seed;

	for (seed = 0; seed < 20; seed++) {
		struct lw_periods *p = new_periods(0, 0);
		struct lw_period pd;
		double off, sum = 0, sum2 = 0, sd, ratio;
		int i, r = 0;

		rng_seed(seed + 1000 * (uint64_t)(frac * 1000));
		for (i = 0; i < n; i++) {
			off = (normal ? gauss() : unif2()) * frac * per;
			sum += off;
			sum2 += off * off;
			r = add(p, "x", per + per * i + off, per, &pd);
		}
		sd = sqrt((sum2 - sum * sum / n) / (n - 1));
		if (!r)
			fail_msg("%.0f s +-%.0f %%, seed %d: not periodic", per,
				 frac * 100, seed);
		ratio = (double)pd.jitter_ns / 1e9 / sd;
		if (ratio < 0.8 || ratio > 1.25)
			fail_msg("%.0f s +-%.0f %%, seed %d: jitter %.3f s, "
				 "offsets %.3f s", per, frac * 100, seed,
				 (double)pd.jitter_ns / 1e9, sd);
		assert_true(fabs((double)pd.period_ns / 1e9 - per) <
			    0.002 * per);
		assert_int_equal(pd.count, n);
		assert_int_equal(pd.missed, 0);
		assert_int_equal(pd.outliers, 0);
		free_periods(p);
	}
}

static void test_jitter(void **state)
{
	(void)state;
	jitter_case(600, 0.01, false, 40);
	jitter_case(600, 0.05, false, 40);
	jitter_case(2, 0.05, false, 40);
	jitter_case(10, 0.01, true, 60);
}

/*
 * The period is the least-squares slope over (slot, time), the jitter the
 * standard deviation of the residuals with two degrees of freedom taken:
 * computed here apart, to the nanosecond.
 */
static void test_least_squares(void **state)
{
	static const double off[] = { 0, 3.1, -2.2, 1.3, -4.4, 2.5, 0.6 };
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	double sx = 0, sy = 0, sxx = 0, sxy = 0, slope, icpt, ss = 0, r;
	int i, n = 7;

	(void)state;
	for (i = 0; i < n; i++) {
		add(p, "x", 600.0 * i + off[i], 600, &pd);
		sx += i;
		sy += 600.0 * i + off[i];
		sxx += (double)i * i;
		sxy += i * (600.0 * i + off[i]);
	}
	slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
	icpt = (sy - slope * sx) / n;
	for (i = 0; i < n; i++) {
		r = 600.0 * i + off[i] - icpt - slope * i;
		ss += r * r;
	}
	assert_int_equal(pd.count, n);
	assert_true(llabs((long long)pd.period_ns -
			  llround(slope * 1e9)) <= 1);
	assert_true(llabs((long long)pd.jitter_ns -
			  llround(sqrt(ss / (n - 2)) * 1e9)) <= 1);
	assert_int_equal(pd.first_ns, T0);
	assert_int_equal(pd.last_ns, at(3600 + 0.6));
	free_periods(p);
}

/* How many are needed: the numbers period.h gives. */
static void test_jitter_needs(void **state)
{
	double frac[] = { 0.01, 0.05 };
	double want[] = { 7, 10 };
	unsigned int f;
	int seed, i, total;

	(void)state;
	for (f = 0; f < 2; f++) {
		total = 0;
		for (seed = 0; seed < 50; seed++) {
			struct lw_periods *p = new_periods(0, 0);

			rng_seed(seed + 77);
			for (i = 0; i < 40; i++)
				if (add(p, "x", 600.0 * (i + 1) +
					unif2() * frac[f] * 600, 600, NULL))
					break;
			assert_true(i < 40);
			total += i + 1;
			free_periods(p);
		}
		if (fabs(total / 50.0 - want[f]) > 1)
			fail_msg("+-%.0f %%: found after %.1f on average",
				 frac[f] * 100, total / 50.0);
	}
}

/* 0, 10, 20, 40, 50: period 10 with one missed. */
static void test_missed(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;

	(void)state;
	assert_int_equal(add(p, "x", 0, 10, NULL), 0);
	assert_int_equal(add(p, "x", 10, 10, NULL), 0);
	assert_int_equal(add(p, "x", 20, 10, NULL), 0);
	assert_int_equal(add(p, "x", 40, 10, &pd), 1);
	assert_int_equal(pd.count, 4);
	assert_int_equal(pd.missed, 1);
	assert_int_equal(add(p, "x", 50, 10, &pd), 1);
	assert_int_equal(pd.period_ns, 10 * NS);
	assert_int_equal(pd.count, 5);
	assert_int_equal(pd.missed, 1);
	assert_int_equal(pd.outliers, 0);
	assert_int_equal(pd.first_ns, T0);
	assert_int_equal(pd.last_ns, at(50));
	/* Two more missed: the series goes on, a third of it missed. */
	assert_int_equal(add(p, "x", 80, 10, &pd), 1);
	assert_int_equal(pd.count, 6);
	assert_int_equal(pd.missed, 3);
	assert_int_equal(add(p, "x", 90, 10, &pd), 1);
	assert_int_equal(pd.count, 7);
	assert_int_equal(pd.missed, 3);
	/* Three more in a row would leave more than a third missed. */
	assert_int_equal(add(p, "x", 130, 10, &pd), 1);
	assert_int_equal(pd.count, 7);
	assert_int_equal(pd.missed, 3);
	assert_int_equal(pd.outliers, 1);
	assert_int_equal(pd.last_ns, at(90));
	free_periods(p);
}

/*
 * One in ten missed at random, for 60 periods: every one since the first
 * of the series counted, every empty slot missed.
 */
static void test_missed_random(void **state)
{
	uint64_t t[60];
	int seed, i, n, since, first, last;

	(void)state;
	for (seed = 0; seed < 20; seed++) {
		struct lw_periods *p = new_periods(0, 0);
		struct lw_period pd;
		int r = 0;

		rng_seed(seed + 500);
		n = 0;
		for (i = 0; i < 60; i++) {
			if (i && unif() < 0.1)
				continue;
			t[n++] = at(600.0 * i + unif2() * 3);
			r = lw_period_add(p, "x", t[n - 1], &pd);
			if (r && llabs((long long)pd.period_ns -
				       600000000000ll) > 1000000000ll)
				fail_msg("seed %d: period %llu ns", seed,
					 (unsigned long long)pd.period_ns);
		}
		assert_int_equal(r, 1);
		assert_int_equal(pd.last_ns, t[n - 1]);
		since = 0;
		first = -1;
		for (i = 0; i < n; i++) {
			if (t[i] < pd.first_ns)
				continue;
			if (first < 0)
				first = (int)((t[i] - T0 + 60 * NS) /
					      (600 * NS));
			since++;
		}
		assert_true(first >= 0 && since >= n / 2);
		assert_int_equal(pd.count, since);
		last = (int)((t[n - 1] - T0 + 60 * NS) / (600 * NS));
		assert_int_equal(pd.missed, last - first + 1 - since);
		assert_int_equal(pd.outliers, 0);
		free_periods(p);
	}
}

/* 0, 10, 13.7, 20, 30: period 10 with one outlier. */
static void test_noise(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	const double t[] = { 0, 10, 13.7, 20, 30, 40 };
	unsigned int i;

	(void)state;
	/* In minutes it is enough at 30. */
	for (i = 0; i < 5; i++)
		assert_int_equal(add(p, "min", t[i] * 60, 600, &pd), i == 4);
	assert_int_equal(pd.period_ns, 600 * NS);
	assert_int_equal(pd.count, 4);
	assert_int_equal(pd.outliers, 1);
	assert_int_equal(pd.missed, 0);
	assert_int_equal(pd.first_ns, T0);
	/* In seconds it takes one more. */
	for (i = 0; i < 6; i++)
		assert_int_equal(add(p, "sec", t[i], 10, &pd), i == 5);
	assert_int_equal(pd.period_ns, 10 * NS);
	assert_int_equal(pd.count, 5);
	assert_int_equal(pd.outliers, 1);
	free_periods(p);
}

/*
 * An occurrence that does not fit a series found is its outlier, counted
 * once; the series goes on.
 */
static void test_outlier_later(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		add(p, "x", 600.0 * i, 600, &pd);
	assert_int_equal(pd.count, 6);
	assert_int_equal(add(p, "x", 3300, 600, &pd), 1);
	assert_int_equal(pd.count, 6);
	assert_int_equal(pd.outliers, 1);
	assert_int_equal(pd.last_ns, at(3000));
	assert_int_equal(add(p, "x", 3400, 600, &pd), 1);
	assert_int_equal(pd.outliers, 2);
	assert_int_equal(add(p, "x", 3600, 600, &pd), 1);
	assert_int_equal(pd.count, 7);
	assert_int_equal(pd.outliers, 2);
	assert_int_equal(pd.missed, 0);
	assert_int_equal(pd.last_ns, at(3600));
	/* A second spike in the slot just counted: neither. */
	assert_int_equal(add(p, "x", 3605, 600, &pd), 1);
	assert_int_equal(pd.count, 7);
	assert_int_equal(pd.outliers, 2);
	assert_int_equal(pd.last_ns, at(3600));
	assert_int_equal(add(p, "x", 4200, 600, &pd), 1);
	assert_int_equal(pd.count, 8);
	assert_int_equal(pd.outliers, 2);
	assert_int_equal(pd.missed, 0);
	free_periods(p);
}

/*
 * Jitter, missed ones and unrelated ones together, for 300 periods: all
 * since the first of the series are fits or outliers, but for unrelated
 * ones that fall near a slot (in an empty one: a fit, in a taken one:
 * ignored).
 */
static void test_noise_random(void **state)
{
	static uint64_t t[600];
	static bool real[600];
	int seed, i, n;

	(void)state;
	for (seed = 0; seed < 4; seed++) {
		struct lw_periods *p = new_periods(0, 0);
		struct lw_period pd;
		unsigned int reals = 0, all = 0;
		double nt;
		int r = 0;

		rng_seed(seed + 900);
		n = 0;
		nt = expo(600 / 0.3);
		for (i = 0; i < 300; i++) {
			double ti = 600.0 * i + unif2() * 6;

			for (; nt < ti; nt += expo(600 / 0.3)) {
				real[n] = false;
				t[n++] = at(nt);
				add(p, "x", nt, 600, NULL);
			}
			if (unif() < 0.1)
				continue;
			real[n] = true;
			t[n++] = at(ti);
			r = add(p, "x", ti, 600, &pd);
		}
		assert_int_equal(r, 1);
		for (i = 0; i < n; i++) {
			if (t[i] < pd.first_ns)
				continue;
			all++;
			reals += real[i];
		}
		assert_true(pd.count >= 150);
		assert_true(pd.count + pd.outliers <= all);
		/* Unrelated ones near a taken slot: about one in five. */
		assert_true(all - pd.count - pd.outliers <= (all - reals) / 3);
		assert_true(pd.count <= reals + reals / 50);
		assert_true(pd.count >= reals - reals / 50);
		assert_true(fabs((double)pd.period_ns / 1e9 - 600) < 0.5);
		free_periods(p);
	}
}

/*
 * A run every 2 s +-1 ms from 100 s on, of n occurrences (the one of slot
 * miss left out, if miss >= 0), and one more at 100 s + extra, all in
 * time order. Returns the number of the run's occurrence with which the
 * signature first reads periodic (1 for the first), -1 if with the extra
 * one, 0 if never; *pd is the period last reported, *first the time of
 * the run's first occurrence.
 */
static int offbeat_run(int n, int miss, double extra, uint64_t seed,
		       struct lw_period *pd, uint64_t *first)
{
	struct lw_periods *p = new_periods(0, 0);
	bool extra_done = false;
	int i, k = 0, found = 0;
	double t;

	rng_seed(seed);
	memset(pd, 0, sizeof(*pd));
	for (i = 0; k < n; i++) {
		if (i == miss)
			continue;
		t = 100 + 2.0 * i + unif2() * 0.001;
		if (!extra_done && 100 + extra < t) {
			extra_done = true;
			if (add(p, "x", 100 + extra, 2, pd) && !found)
				found = -1;
		}
		if (!k)
			*first = at(t);
		k++;
		if (add(p, "x", t, 2, pd) && !found)
			found = k;
	}
	free_periods(p);
	return found;
}

static void offbeat_check(const char *what, double extra, int found,
			  const struct lw_period *pd, uint64_t first,
			  unsigned int count, unsigned int missed,
			  unsigned int outliers)
{
	if (found != 5 || pd->count != count || pd->missed != missed ||
	    pd->outliers != outliers || pd->first_ns != first ||
	    pd->jitter_ns > 2000000 ||
	    llabs((long long)pd->period_ns - 2000000000ll) > 2000000)
		fail_msg("%s %.2f s: periodic from %d, count %u, missed %u, "
			 "outliers %u, first %+.3f s, jitter %llu ns",
			 what, extra, found, pd->count, pd->missed,
			 pd->outliers, ((double)pd->first_ns - first) / 1e9,
			 (unsigned long long)pd->jitter_ns);
}

/*
 * One occurrence of the signature some seconds before a run every 2 s
 * (from another CPU, say: 5.7, 3.1 or 0.9 s before, and every 50 ms in
 * between): the run is periodic from its 5th occurrence, as it is without
 * it. Near a slot of the run, within the tolerance, it would be a fit
 * that stretches the line; elsewhere a trial period bent to take it in
 * would have the most fits, but not the chance.
 */
static void test_offbeat_before(void **state)
{
	struct lw_period pd;
	uint64_t first;
	double off;
	int o, seed, found;

	(void)state;
	for (o = 11; o < 160; o++) {
		off = 0.05 * o;
		/* Exactly on a slot it is on the beat. */
		if (o % 40 == 0)
			continue;
		for (seed = 0; seed < 5; seed++) {
			found = offbeat_run(5, -1, -off, seed + 100 * o, &pd,
					    &first);
			offbeat_check("one before", -off, found, &pd, first,
				      5, 0, 0);
		}
	}
}

/*
 * A manual run between two regular ones, 0.55 to 1.45 s after one of the
 * first four: periodic from the 5th regular one, with it as an outlier,
 * and so with two of them. (Exactly halfway, 1 s is a period too, with
 * missed slots.)
 */
static void test_offbeat_between(void **state)
{
	struct lw_period pd;
	uint64_t first;
	int k, o, seed, found;
	double extra;

	(void)state;
	for (k = 0; k < 4; k++) {
		for (o = 11; o < 30; o++) {
			if (o == 20)
				continue;
			extra = 2.0 * k + 0.05 * o;
			for (seed = 0; seed < 3; seed++) {
				found = offbeat_run(5, -1, extra,
						    seed + 7 * o + 100 * k,
						    &pd, &first);
				offbeat_check("one between", extra, found,
					      &pd, first, 5, 0, 1);
			}
		}
	}
}

/*
 * A regular one missed and an off-beat one 20 to 190 ms from its slot,
 * within the tolerance: a stray, not a fit. The run is periodic from its
 * 5th, with the slot missed, the stray an outlier and the jitter of the
 * run's.
 */
static void test_offbeat_gap(void **state)
{
	struct lw_period pd;
	uint64_t first;
	int miss, o, seed, found;
	double extra;

	(void)state;
	for (miss = 1; miss < 4; miss++) {
		for (o = 2; o < 20; o++) {
			for (seed = 0; seed < 2; seed++) {
				extra = 2.0 * miss + (seed ? 0.01 : -0.01) * o;
				found = offbeat_run(5, miss, extra,
						    seed + 7 * o + 100 * miss,
						    &pd, &first);
				offbeat_check("stray in a gap", extra, found,
					      &pd, first, 5, 1, 1);
			}
		}
	}
}

/*
 * Two manual runs near the middle between regular ones, 1.05 and 0.96 s
 * after: not the beats of half the period (those would be as near the
 * middle as the regular ones are to their slots), so not a reason to
 * call the series twice a period.
 */
static void test_offbeat_halfway(void **state)
{
	static const double t[] = {
		100.0004, 102.0003, 103.05, 103.9996, 106.0002, 106.96,
		108.0001, 110.0003,
	};
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(add(p, "x", t[i], 2, &pd), i >= 6);
	assert_int_equal(pd.count, 6);
	assert_int_equal(pd.outliers, 2);
	assert_int_equal(pd.first_ns, at(100.0004));
	free_periods(p);
}

/*
 * The issue's case, in order: one window, 5.7 s later five every 2 s, and
 * a manual run between the 3rd and the 4th. Then the series goes on,
 * with the outlier counted once, and the window before it as off the beat
 * too.
 */
static void test_offbeat_issue(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	char buf[128];
	double t[8];
	int i;

	(void)state;
	rng_seed(11);
	for (i = 0; i < 8; i++)
		t[i] = 100 + 2.0 * i + unif2() * 0.001;
	assert_int_equal(add(p, "x", 94.3, 2, NULL), 0);
	for (i = 0; i < 5; i++) {
		if (i == 3)
			assert_int_equal(add(p, "x", 104.7, 2, NULL), 0);
		assert_int_equal(add(p, "x", t[i], 2, &pd), i == 4);
	}
	assert_int_equal(pd.count, 5);
	assert_int_equal(pd.missed, 0);
	assert_int_equal(pd.outliers, 1);
	assert_int_equal(pd.first_ns, at(t[0]));
	assert_true(pd.jitter_ns < 2000000);
	for (i = 5; i < 8; i++)
		assert_int_equal(add(p, "x", t[i], 2, &pd), 1);
	assert_int_equal(pd.count, 8);
	assert_int_equal(pd.outliers, 1);
	/* the window 5.7 s before the first is off the beat too */
	assert_int_equal(pd.before, 1);
	assert_int_equal(pd.first_ns, at(t[0]));
	lw_period_text(buf, sizeof(buf), &pd);
	assert_string_equal(buf, "every 2.0 s \xc2\xb1 0.5 ms, 8 times since "
			    "12:01:43 (and 2 off the beat)");
	free_periods(p);
}

/*
 * Daily, to the second: periodic from the 3rd on the beat, as without
 * off-beat ones, with one a day and an hour before (a stray near a slot)
 * and with a manual run in between. (With two more in the history the
 * 3rd is not enough: each one weighs on the chance.)
 */
static void test_offbeat_daily(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;

	(void)state;
	assert_int_equal(add(p, "x", -90000, 86400, NULL), 0);
	assert_int_equal(add(p, "x", 0, 86400, NULL), 0);
	assert_int_equal(add(p, "x", 86400, 86400, NULL), 0);
	assert_int_equal(add(p, "x", 172800, 86400, &pd), 1);
	assert_int_equal(pd.period_ns, 86400 * NS);
	assert_int_equal(pd.count, 3);
	assert_int_equal(pd.outliers, 0);
	assert_int_equal(pd.first_ns, T0);
	free_periods(p);

	p = new_periods(0, 0);
	assert_int_equal(add(p, "y", 0, 86400, NULL), 0);
	assert_int_equal(add(p, "y", 30000, 86400, NULL), 0);
	assert_int_equal(add(p, "y", 86400, 86400, NULL), 0);
	assert_int_equal(add(p, "y", 172800, 86400, &pd), 1);
	assert_int_equal(pd.count, 3);
	assert_int_equal(pd.outliers, 1);
	free_periods(p);
}

/* Random series are not periodic: zero false positives. */
static void test_random(void **state)
{
	const double mean[] = { 1, 10, 600, 86400 };
	unsigned int m;
	int seed, i;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (seed = 0; seed < 25; seed++) {
			struct lw_periods *p = new_periods(0, 0);
			double t = 0;

			rng_seed(seed + 100 * m);
			for (i = 0; i < 150; i++) {
				t += expo(mean[m]);
				if (add(p, "x", t, 0, NULL))
					fail_msg("mean %.0f s, seed %d: "
						 "periodic at %d", mean[m],
						 seed, i);
			}
			free_periods(p);
		}
	}
	/* Intervals that wander, uniform in [P/2, 3P/2]. */
	for (seed = 0; seed < 25; seed++) {
		struct lw_periods *p = new_periods(0, 0);
		double t = 0;

		rng_seed(seed + 7000);
		for (i = 0; i < 150; i++) {
			t += 300 + 600 * unif();
			assert_int_equal(add(p, "x", t, 0, NULL), 0);
		}
		free_periods(p);
	}
}

/*
 * Many random series: false ones stay about one in 2.4 million
 * occurrences (period.h), so none in these 120000. Strays left out of a run, and the
 * fits that compete only when significant, must not make alignments by
 * chance look periodic.
 */
static void test_random_many(void **state)
{
	const double mean[] = { 1, 10, 600, 86400 };
	int seed, i;

	(void)state;
	for (seed = 0; seed < 800; seed++) {
		struct lw_periods *p = new_periods(0, 0);
		double t = 0;

		rng_seed(seed + 20000);
		for (i = 0; i < 150; i++) {
			t += expo(mean[seed % 4]);
			if (add(p, "x", t, 0, NULL))
				fail_msg("mean %.0f s, seed %d: periodic at %d",
					 mean[seed % 4], seed, i);
		}
		free_periods(p);
	}
}

/* Bursts are one occurrence each, never a tiny period. */
static void test_burst(void **state)
{
	struct lw_periods *p;
	struct lw_period pd;
	double t = 0;
	int seed, b, i, k;

	(void)state;
	/* Bursts of up to 50 events within a second or so, at random. */
	for (seed = 0; seed < 10; seed++) {
		p = new_periods(0, 0);
		rng_seed(seed + 3000);
		t = 0;
		for (b = 0; b < 30; b++) {
			t += expo(300);
			k = 2 + (int)(rng() % 49);
			for (i = 0; i < k; i++) {
				t += unif() * 0.4;
				assert_int_equal(add(p, "x", t, 0, NULL), 0);
			}
		}
		free_periods(p);
	}

	/* One long regular storm: every 20 ms for 20 s. */
	p = new_periods(0, 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(add(p, "x", 0.02 * i, 0, NULL), 0);
	/* Regular, but faster than LW_PERIOD_MIN_NS. */
	for (i = 0; i < 100; i++)
		assert_int_equal(add(p, "y", 0.6 * i, 0, NULL), 0);
	free_periods(p);

	/* A burst every 10 minutes: periodic, timed by its first event. */
	p = new_periods(0, 0);
	for (b = 0; b < 8; b++)
		for (i = 0; i < 20; i++)
			add(p, "x", 600.0 * b + 0.02 * i, 600, &pd);
	assert_int_equal(pd.period_ns, 600 * NS);
	assert_int_equal(pd.count, 8);
	assert_int_equal(pd.first_ns, T0);
	assert_int_equal(pd.last_ns, at(4200));
	/* An event of the storm that comes late starts it earlier. */
	assert_int_equal(add(p, "x", 4199.9, 600, &pd), 1);
	assert_int_equal(pd.last_ns, at(4199.9));
	free_periods(p);
}

/* Two signatures interleaved in time do not see each other. */
static void test_interleaved(void **state)
{
	struct lw_periods *p = new_periods(0, 0), *alone = new_periods(0, 0);
	struct lw_period a, b, a1;
	double ta = 100, tb = 0;
	int na = 0, nb = 0;

	(void)state;
	rng_seed(42);
	while (na < 20) {
		if (ta < tb) {
			add(p, "timer/a:f,g", ta, 600, &a);
			add(alone, "timer/a:f,g", ta, 600, &a1);
			ta += 600 + unif2() * 2;
			na++;
		} else {
			add(p, "softirq/NET_RX:h", tb, 37, &b);
			tb += 37 + unif2() * 0.2;
			nb++;
		}
	}
	assert_int_equal(a.period_ns, a1.period_ns);
	assert_int_equal(a.jitter_ns, a1.jitter_ns);
	assert_int_equal(a.count, a1.count);
	assert_int_equal(a.missed, a1.missed);
	assert_int_equal(a.outliers, a1.outliers);
	assert_int_equal(a.first_ns, a1.first_ns);
	assert_int_equal(a.last_ns, a1.last_ns);
	assert_int_equal(a.count, 20);
	assert_int_equal(b.count, nb);
	assert_true(fabs((double)b.period_ns / 1e9 - 37) < 0.05);
	assert_int_equal(lw_periods_len(p), 2);
	free_periods(p);
	free_periods(alone);
}

struct seen {
	int n;
	char sig[4][16];
	struct lw_period pd[4];
};

static void seen_cb(const char *sig, const struct lw_period *pd, void *arg)
{
	struct seen *s = arg;

	assert_true(s->n < 4);
	snprintf(s->sig[s->n], sizeof(s->sig[0]), "%s", sig);
	s->pd[s->n++] = *pd;
}

/* At most max_sigs: the least recently seen makes room. */
static void test_eviction(void **state)
{
	struct lw_periods *p = new_periods(3, 8);
	struct lw_period pd;
	struct seen s;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		add(p, "a", 600.0 * i, 600, NULL);
		add(p, "b", 600.0 * i + 1, 600, NULL);
		add(p, "c", 600.0 * i + 2, 600, NULL);
	}
	assert_int_equal(lw_periods_len(p), 3);
	memset(&s, 0, sizeof(s));
	lw_periods_foreach(p, at(2403), seen_cb, &s);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.sig[0], "c");
	assert_string_equal(s.sig[1], "b");
	assert_string_equal(s.sig[2], "a");

	/* a is seen again, then d comes: b goes. */
	assert_int_equal(add(p, "a", 3000, 600, NULL), 1);
	assert_int_equal(add(p, "d", 3001, 0, NULL), 0);
	assert_int_equal(lw_periods_len(p), 3);
	memset(&s, 0, sizeof(s));
	lw_periods_foreach(p, at(3002), seen_cb, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.sig[0], "a");
	assert_string_equal(s.sig[1], "c");
	assert_int_equal(s.pd[0].count, 6);

	/* c still has its history; b starts again, and d makes room. */
	assert_int_equal(add(p, "c", 3002, 600, NULL), 1);
	assert_int_equal(add(p, "a", 3600, 600, NULL), 1);
	assert_int_equal(add(p, "b", 3003, 600, NULL), 0);
	assert_int_equal(lw_periods_len(p), 3);
	memset(&s, 0, sizeof(s));
	lw_periods_foreach(p, at(3603), seen_cb, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.sig[0], "a");
	assert_string_equal(s.sig[1], "c");

	/* Only max_occ kept, but the series counts on. */
	for (i = 7; i < 40; i++)
		assert_int_equal(add(p, "a", 600.0 * i, 600, &pd), 1);
	assert_int_equal(pd.count, 40);
	assert_int_equal(pd.first_ns, T0);
	free_periods(p);
}

/* A series no longer comes: no longer listed, and starts again. */
static void test_overdue(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	struct seen s;
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		add(p, "x", 600.0 * i, 600, &pd);
	/* Due until last + 4 periods + a tenth. */
	memset(&s, 0, sizeof(s));
	lw_periods_foreach(p, at(3000 + 2400 + 60), seen_cb, &s);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	lw_periods_foreach(p, at(3000 + 2400 + 61), seen_cb, &s);
	assert_int_equal(s.n, 0);
	/* Three missed: goes on. */
	assert_int_equal(add(p, "x", 5400, 600, &pd), 1);
	assert_int_equal(pd.count, 7);
	assert_int_equal(pd.missed, 3);
	/* Eight missed: it has stopped; the new one alone is nothing. */
	assert_int_equal(add(p, "x", 10800, 0, NULL), 0);
	memset(&s, 0, sizeof(s));
	lw_periods_foreach(p, at(10800), seen_cb, &s);
	assert_int_equal(s.n, 0);
	/* A new series, since the one that began again. */
	for (i = 1; i < 4; i++)
		add(p, "x", 10800 + 300.0 * i, 300, &pd);
	assert_int_equal(pd.period_ns, 300 * NS);
	assert_int_equal(pd.count, 4);
	assert_int_equal(pd.first_ns, at(10800));
	free_periods(p);
}

/*
 * Four missed in a row end a series; what comes after is new. Its first
 * two alone are no series; with the ones before they would be one of
 * twice the period with an outlier halfway in each missed slot: no.
 */
static void test_restart(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		if (i != 6)
			assert_int_equal(add(p, "x", 600.0 * i, 600, &pd),
					 i >= 3);
	assert_int_equal(pd.count, 9);
	assert_int_equal(pd.missed, 1);
	assert_int_equal(add(p, "x", 600.0 * 14, 600, NULL), 0);
	assert_int_equal(add(p, "x", 600.0 * 15, 600, NULL), 0);
	assert_int_equal(add(p, "x", 600.0 * 16, 600, NULL), 0);
	assert_int_equal(add(p, "x", 600.0 * 17, 600, &pd), 1);
	assert_int_equal(pd.count, 4);
	assert_int_equal(pd.first_ns, at(600.0 * 14));
	free_periods(p);
}

/* The clock set back: the history starts again. */
static void test_clock_back(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		add(p, "x", 3600 + 600.0 * i, 600, &pd);
	assert_int_equal(pd.count, 6);
	assert_int_equal(add(p, "x", 0, 0, NULL), 0);
	assert_int_equal(add(p, "x", 600, 0, NULL), 0);
	assert_int_equal(add(p, "x", 1200, 0, NULL), 0);
	assert_int_equal(add(p, "x", 1800, 600, &pd), 1);
	assert_int_equal(pd.count, 4);
	assert_int_equal(pd.first_ns, T0);
	free_periods(p);
}

static void text(const struct lw_period *pd, const char *want)
{
	char buf[128];
	size_t n = lw_period_text(buf, sizeof(buf), pd);

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_text(void **state)
{
	struct lw_period pd = {
		.period_ns = 600200000000ull,
		.jitter_ns = 400000000,
		.count = 5,
		.first_ns = T0,
		.last_ns = T0 + 4 * 600200000000ull,
	};
	char small[12];

	(void)state;
	text(&pd, "every 600.2 s \xc2\xb1 0.4 s, 5 times since 12:00:03");
	/* Rounded to the nearest tenth; time of day truncated. */
	pd.period_ns = 600249999999ull;
	pd.jitter_ns = 150000000;
	pd.first_ns = T0 + 999999999;
	text(&pd, "every 600.2 s \xc2\xb1 0.2 s, 5 times since 12:00:03");
	pd.period_ns = 600250000000ull;
	pd.jitter_ns = 99999999;
	text(&pd, "every 600.3 s \xc2\xb1 100.0 ms, 5 times since 12:00:03");
	/* The jitter's unit is its own. */
	pd.period_ns = 1000000000;
	pd.jitter_ns = 12345678;
	text(&pd, "every 1.0 s \xc2\xb1 12.3 ms, 5 times since 12:00:03");
	pd.jitter_ns = 123456;
	text(&pd, "every 1.0 s \xc2\xb1 0.1 ms, 5 times since 12:00:03");
	pd.jitter_ns = 99999;
	text(&pd, "every 1.0 s \xc2\xb1 100.0 us, 5 times since 12:00:03");
	pd.jitter_ns = 99;
	text(&pd, "every 1.0 s \xc2\xb1 99 ns, 5 times since 12:00:03");
	pd.jitter_ns = 0;
	text(&pd, "every 1.0 s \xc2\xb1 0 s, 5 times since 12:00:03");
	/* Under a second in ms. */
	pd.period_ns = 950000000;
	pd.jitter_ns = 12300000;
	text(&pd, "every 950.0 ms \xc2\xb1 12.3 ms, 5 times since 12:00:03");
	/* A day: still seconds; the date once it spans a day. */
	pd.period_ns = 86400 * NS;
	pd.jitter_ns = 2 * NS;
	pd.count = 3;
	pd.first_ns = T0;
	pd.last_ns = T0 + 2 * 86400 * NS;
	text(&pd, "every 86400.0 s \xc2\xb1 2.0 s, 3 times since "
		  "2026-11-22 12:00:03");
	pd.period_ns = 3600 * NS;
	pd.last_ns = T0 + 86400 * NS - 1;
	text(&pd, "every 3600.0 s \xc2\xb1 2.0 s, 3 times since 12:00:03");
	pd.count = 1;
	text(&pd, "every 3600.0 s \xc2\xb1 2.0 s, 1 time since 12:00:03");

	/* Cut, NUL-terminated, the whole length returned. */
	memset(small, 'x', sizeof(small));
	assert_int_equal(lw_period_text(small, sizeof(small), &pd),
			 strlen("every 3600.0 s \xc2\xb1 2.0 s, 1 time since "
				"12:00:03"));
	assert_string_equal(small, "every 3600.");

	/* How many fell off the beat, if any did. */
	pd.outliers = 1;
	text(&pd, "every 3600.0 s \xc2\xb1 2.0 s, 1 time since 12:00:03 "
		  "(and 1 off the beat)");
	pd.period_ns = 2 * NS;
	pd.jitter_ns = 1234567;
	pd.count = 5;
	pd.outliers = 4294967295u;
	text(&pd, "every 2.0 s \xc2\xb1 1.2 ms, 5 times since 12:00:03 "
		  "(and 4294967295 off the beat)");
}

static void test_json(void **state)
{
	struct lw_period pd = {
		.period_ns = 600200000000ull,
		.jitter_ns = 400000000,
		.count = 5,
		.missed = 1,
		.outliers = 2,
		.first_ns = T0 + 123456789,
		.last_ns = T0 + 3601323456789ull,
	};
	struct capture c;
	struct jw j;

	(void)state;
	cap_open(&c);
	jw_init(&j, c.f);
	jw_obj_open(&j);
	jw_kv_str(&j, "sig", "softirqoff:memcg_stat_show");
	lw_period_json(&j, &pd);
	jw_obj_close(&j);
	fputc('\n', c.f);
	cap_close(&c);
	assert_string_equal(c.buf,
		"{\"sig\":\"softirqoff:memcg_stat_show\",\"period\":{"
		"\"period_ns\":600200000000,\"jitter_ns\":400000000,"
		"\"count\":5,\"missed\":1,\"outliers\":2,\"offbeat\":2,"
		"\"since\":\"2026-11-22T12:00:03.123456Z\","
		"\"since_ns\":1795348803123456789,"
		"\"last_ns\":1795352404323456789,"
		"\"text\":\"every 600.2 s \xc2\xb1 0.4 s, 5 times since "
		"12:00:03 (and 2 off the beat)\"}}\n");
	assert_json_line(c.buf);
	cap_free(&c);
}

/* What a detector hands to JSON is valid JSON. */
static void test_json_detected(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	struct lw_period pd;
	struct capture c;
	struct jw j;
	int i;

	(void)state;
	rng_seed(5);
	for (i = 0; i < 30; i++)
		add(p, "x", 86400.0 * i + unif2() * 60, 86400, &pd);
	cap_open(&c);
	jw_init(&j, c.f);
	jw_obj_open(&j);
	lw_period_json(&j, &pd);
	jw_obj_close(&j);
	fputc('\n', c.f);
	cap_close(&c);
	assert_json_line(c.buf);
	assert_non_null(strstr(c.buf, "\"count\":30,"));
	cap_free(&c);
	free_periods(p);
}

/* Signatures longer than a signature are cut, and still found. */
static void test_long_sig(void **state)
{
	struct lw_periods *p = new_periods(0, 0);
	char sig[LW_SIG_LEN + 50];
	struct seen s;
	int i;

	(void)state;
	memset(sig, 's', sizeof(sig) - 1);
	sig[sizeof(sig) - 1] = '\0';
	for (i = 0; i < 5; i++) {
		sig[LW_SIG_LEN + 10] = (char)('a' + i);
		add(p, sig, 600.0 * i, 600, NULL);
	}
	assert_int_equal(lw_periods_len(p), 1);
	memset(&s, 0, sizeof(s));
	lw_periods_foreach(p, at(2400), seen_cb, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.pd[0].count, 5);
	free_periods(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_least_squares),
		cmocka_unit_test(test_jitter_needs),
		cmocka_unit_test(test_missed),
		cmocka_unit_test(test_missed_random),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_outlier_later),
		cmocka_unit_test(test_noise_random),
		cmocka_unit_test(test_offbeat_before),
		cmocka_unit_test(test_offbeat_between),
		cmocka_unit_test(test_offbeat_gap),
		cmocka_unit_test(test_offbeat_halfway),
		cmocka_unit_test(test_offbeat_issue),
		cmocka_unit_test(test_offbeat_daily),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_random_many),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_detected),
		cmocka_unit_test(test_long_sig),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
