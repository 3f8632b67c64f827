// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/period.h"
#include "analysis/period_fit.h"
#include "lib/hash.h"
#include "lib/utils.h"

/* One signature: its occurrences and the series last reported. */
struct lw_period_ent {
	char sig[LW_SIG_LEN];
	uint32_t hash;
	int hnext;		/* next entry in the hash chain, or -1 */
	int lru_prev;		/* more recently seen, or -1 */
	int lru_next;		/* less recently seen, or -1 */
	uint64_t *occ;		/* ring of max_occ occurrences */
	unsigned int head;	/* the oldest occurrence */
	unsigned int n;		/* occurrences in the ring */
	uint64_t last_event_ns;	/* the newest event, for storms */
	bool live;		/* series is reported periodic */
	struct lw_period series;
	uint64_t seen_ns;	/* newest occurrence counted in series */
};

int lw_periods_init(struct lw_periods *p, unsigned int max_sigs,
		    unsigned int max_occ)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	if (!max_sigs)
		max_sigs = LW_PERIOD_SIGS;
	if (!max_occ)
		max_occ = LW_PERIOD_OCC;
	if (max_sigs > LW_PERIOD_SIGS_MAX || max_occ < LW_PERIOD_OCC_MIN ||
	    max_occ > LW_PERIOD_OCC_MAX)
		return -EINVAL;
	p->max_sigs = max_sigs;
	p->max_occ = max_occ;
	p->nbuckets = 1;
	while (p->nbuckets < 2 * max_sigs)
		p->nbuckets <<= 1;
	p->ents = calloc(max_sigs, sizeof(*p->ents));
	p->occ = calloc((size_t)max_sigs * max_occ, sizeof(*p->occ));
	p->buckets = malloc(p->nbuckets * sizeof(*p->buckets));
	p->x = calloc(max_occ, sizeof(*p->x));
	p->slot = calloc(max_occ, sizeof(*p->slot));
	p->mark = calloc(max_occ, sizeof(*p->mark));
	if (!p->ents || !p->occ || !p->buckets || !p->x || !p->slot ||
	    !p->mark) {
		lw_periods_free(p);
		return -ENOMEM;
	}
	for (i = 0; i < p->nbuckets; i++)
		p->buckets[i] = -1;
	for (i = 0; i < max_sigs; i++)
		p->ents[i].occ = p->occ + (size_t)i * max_occ;
	p->lru_head = -1;
	p->lru_tail = -1;
	return 0;
}

void lw_periods_free(struct lw_periods *p)
{
	free(p->ents);
	free(p->occ);
	free(p->buckets);
	free(p->x);
	free(p->slot);
	free(p->mark);
	memset(p, 0, sizeof(*p));
}

unsigned int lw_periods_len(const struct lw_periods *p)
{
	return p->nsigs;
}

static void lw_lru_unlink(struct lw_periods *p, int i)
{
	struct lw_period_ent *e = &p->ents[i];

	if (e->lru_prev >= 0)
		p->ents[e->lru_prev].lru_next = e->lru_next;
	else
		p->lru_head = e->lru_next;
	if (e->lru_next >= 0)
		p->ents[e->lru_next].lru_prev = e->lru_prev;
	else
		p->lru_tail = e->lru_prev;
}

static void lw_lru_push(struct lw_periods *p, int i)
{
	struct lw_period_ent *e = &p->ents[i];

	e->lru_prev = -1;
	e->lru_next = p->lru_head;
	if (p->lru_head >= 0)
		p->ents[p->lru_head].lru_prev = i;
	p->lru_head = i;
	if (p->lru_tail < 0)
		p->lru_tail = i;
}

static void lw_hash_unlink(struct lw_periods *p, int i)
{
	int *pp = &p->buckets[p->ents[i].hash & (p->nbuckets - 1)];

	while (*pp != i)
		pp = &p->ents[*pp].hnext;
	*pp = p->ents[i].hnext;
}

/* The entry of sig, made (forgetting the least recently seen) if new. */
static struct lw_period_ent *lw_period_ent(struct lw_periods *p,
					   const char *sig)
{
	char key[LW_SIG_LEN];
	struct lw_period_ent *e;
	uint32_t h;
	int i;

	snprintf(key, sizeof(key), "%s", sig);
	h = (uint32_t)lw_hash_str(key);
	for (i = p->buckets[h & (p->nbuckets - 1)]; i >= 0; i = e->hnext) {
		e = &p->ents[i];
		if (e->hash == h && !strcmp(e->sig, key)) {
			lw_lru_unlink(p, i);
			lw_lru_push(p, i);
			return e;
		}
	}
	if (p->nsigs < p->max_sigs) {
		i = (int)p->nsigs++;
	} else {
		i = p->lru_tail;
		lw_lru_unlink(p, i);
		lw_hash_unlink(p, i);
	}
	e = &p->ents[i];
	memcpy(e->sig, key, sizeof(key));
	e->hash = h;
	e->head = 0;
	e->n = 0;
	e->last_event_ns = 0;
	e->live = false;
	memset(&e->series, 0, sizeof(e->series));
	e->seen_ns = 0;
	e->hnext = p->buckets[h & (p->nbuckets - 1)];
	p->buckets[h & (p->nbuckets - 1)] = i;
	lw_lru_push(p, i);
	return e;
}

/* Occurrence i of e, 0 the oldest. */
static uint64_t *lw_occ(const struct lw_periods *p,
			const struct lw_period_ent *e, unsigned int i)
{
	return &e->occ[(e->head + i) % p->max_occ];
}

static void lw_occ_push(struct lw_periods *p, struct lw_period_ent *e,
			uint64_t ts_ns)
{
	if (e->n == p->max_occ) {
		e->head = (e->head + 1) % p->max_occ;
		e->n--;
	}
	*lw_occ(p, e, e->n) = ts_ns;
	e->n++;
}

/* When the series is overdue: no later fit can extend it. */
static uint64_t lw_period_deadline(const struct lw_period *pd)
{
	return pd->last_ns + (LW_PERIOD_GAP + 1) * pd->period_ns +
	       pd->period_ns / LW_PERIOD_TOL;
}

static uint64_t lw_round_u64(double v)
{
	return v <= 0 ? 0 : (uint64_t)llround(v);
}

/*
 * The newest occurrence t_n of e, with e reported periodic and not
 * overdue: extend the series, or count t_n as its outlier (period.h).
 */
static void lw_period_extend(struct lw_periods *p, struct lw_period_ent *e,
			     unsigned int n, uint64_t tn)
{
	struct lw_period *ps = &e->series;
	double per = (double)ps->period_ns, xl, r;
	unsigned int i, newer = 0;
	struct lw_fit f;
	int sl = 1;
	uint64_t t;

	lw_fit(p, n, per, 2 * LW_PERIOD_DIV, &f);
	if (f.valid && f.lchance <= -LW_PERIOD_SIGMA &&
	    fabs(f.p - per) <= lw_tol(per) &&
	    ps->last_ns >= *lw_occ(p, e, f.oldest)) {
		xl = -(double)(tn - ps->last_ns);
		sl = (int)lround((xl - f.a) / f.p);
		r = xl - f.a - f.p * sl;
		if (fabs(r) > f.p / 4)
			sl = 1;
	}
	if (sl == 0) {
		/* Another spike in the slot of the last one. */
		e->seen_ns = tn;
		return;
	}
	if (sl > 0) {
		ps->outliers++;
		e->seen_ns = tn;
		return;
	}
	for (i = f.oldest; i < n; i++) {
		t = *lw_occ(p, e, i);
		if (p->mark[i] == LW_PM_FIT && p->slot[i] > sl) {
			newer++;
			/* Counted as an outlier when it came. */
			if (t <= e->seen_ns && ps->outliers)
				ps->outliers--;
		} else if (p->mark[i] == LW_PM_OUT && t > e->seen_ns) {
			ps->outliers++;
		}
	}
	ps->count += newer;
	ps->missed += (unsigned int)-sl - newer;
	ps->period_ns = lw_round_u64(f.p);
	ps->jitter_ns = lw_round_u64(f.jitter);
	ps->last_ns = tn;
	e->seen_ns = tn;
}

/*
 * Trial period j, k: (t_n - t_j) / k for t_j the j-th occurrence before
 * t_n, the newest of the n in p->x[]; 0 if out of range.
 */
static double lw_trial(const struct lw_periods *p, unsigned int n,
		       unsigned int j, unsigned int k)
{
	double p0 = -p->x[n - 1 - j] / k;

	return p0 < LW_PERIOD_MIN_NS || p0 > LW_PERIOD_MAX_NS ? 0 : p0;
}

/*
 * The fit of the trial periods that wins (period.h), if one is
 * significant: false if none is.
 */
static bool lw_period_best(struct lw_periods *p, unsigned int n,
			   struct lw_fit *best)
{
	unsigned int j, k, tries = 0;
	double p0, lmax;
	struct lw_fit f;

	memset(best, 0, sizeof(*best));
	for (j = 1; j <= LW_PERIOD_PAIRS && j < n; j++)
		for (k = 1; k <= LW_PERIOD_DIV; k++)
			tries += lw_trial(p, n, j, k) > 0;
	if (!tries)
		return false;
	/*
	 * Only the significant ones compete: one that takes in more
	 * occurrences by bending its line to them is not, and must not
	 * hide the one that is.
	 */
	lmax = -LW_PERIOD_SIGMA - log10(tries);
	for (j = 1; j <= LW_PERIOD_PAIRS && j < n; j++) {
		for (k = 1; k <= LW_PERIOD_DIV; k++) {
			p0 = lw_trial(p, n, j, k);
			if (!p0)
				continue;
			lw_fit(p, n, p0, 2 * k, &f);
			if (!f.valid || f.lchance > lmax ||
			    (best->valid && (f.count < best->count ||
					     (f.count == best->count &&
					      f.lchance >= best->lchance))))
				continue;
			*best = f;
		}
	}
	return best->valid;
}

/* Is e periodic now that its newest occurrence has come? */
static bool lw_period_eval(struct lw_periods *p, struct lw_period_ent *e)
{
	unsigned int n = e->n, i;
	uint64_t tn = *lw_occ(p, e, n - 1);
	struct lw_period *ps = &e->series;
	struct lw_fit best;

	for (i = 0; i < n; i++)
		p->x[i] = -(double)(tn - *lw_occ(p, e, i));
	if (e->live && tn <= lw_period_deadline(ps)) {
		lw_period_extend(p, e, n, tn);
		return true;
	}
	if (!lw_period_best(p, n, &best))
		return false;

	ps->period_ns = lw_round_u64(best.p);
	ps->jitter_ns = lw_round_u64(best.jitter);
	ps->count = best.count;
	ps->missed = best.missed;
	ps->outliers = best.outliers;
	ps->before = best.oldest;
	ps->first_ns = *lw_occ(p, e, best.oldest);
	ps->last_ns = tn;
	e->seen_ns = tn;
	return true;
}

/* The newest occurrence of e began earlier, at ts_ns. */
static void lw_storm_start(struct lw_period_ent *e, uint64_t *newest,
			   uint64_t ts_ns)
{
	if (e->series.first_ns == *newest)
		e->series.first_ns = ts_ns;
	if (e->series.last_ns == *newest)
		e->series.last_ns = ts_ns;
	if (e->seen_ns == *newest)
		e->seen_ns = ts_ns;
	*newest = ts_ns;
}

int lw_period_add(struct lw_periods *p, const char *sig, uint64_t ts_ns,
		  struct lw_period *out)
{
	struct lw_period_ent *e = lw_period_ent(p, sig);
	uint64_t *newest;

	if (e->n) {
		newest = lw_occ(p, e, e->n - 1);
		if (ts_ns >= e->last_event_ns &&
		    ts_ns - e->last_event_ns < LW_PERIOD_STORM_NS) {
			/* The storm goes on. */
			e->last_event_ns = ts_ns;
			goto report;
		}
		if (ts_ns < e->last_event_ns &&
		    ts_ns + LW_PERIOD_STORM_NS >= *newest) {
			/* Late, but part of the newest storm. */
			if (ts_ns < *newest)
				lw_storm_start(e, newest, ts_ns);
			goto report;
		}
		if (ts_ns < e->last_event_ns) {
			/* The clock went back: start again. */
			e->n = 0;
			e->head = 0;
			e->live = false;
		}
	}
	lw_occ_push(p, e, ts_ns);
	e->last_event_ns = ts_ns;
	e->live = e->n >= 3 && lw_period_eval(p, e);
report:
	if (e->live && ts_ns > lw_period_deadline(&e->series))
		e->live = false;
	if (e->live && out)
		*out = e->series;
	return e->live;
}

void lw_periods_foreach(const struct lw_periods *p, uint64_t now_ns,
			void (*cb)(const char *sig, const struct lw_period *pd,
				   void *arg),
			void *arg)
{
	const struct lw_period_ent *e;
	int i;

	for (i = p->lru_head; i >= 0; i = e->lru_next) {
		e = &p->ents[i];
		if (e->live && now_ns <= lw_period_deadline(&e->series))
			cb(e->sig, &e->series, arg);
	}
}

/* v in units of unit with one decimal, rounded to the nearest. */
static int lw_fmt_tenths(char *buf, size_t len, uint64_t v, uint64_t unit,
			 const char *name)
{
	uint64_t tenths = (v + unit / 20) / (unit / 10);

	return snprintf(buf, len, "%llu.%llu %s",
			(unsigned long long)(tenths / 10),
			(unsigned long long)(tenths % 10), name);
}

static void lw_fmt_jitter(char *buf, size_t len, uint64_t v)
{
	if (!v)
		snprintf(buf, len, "0 s");
	else if (v >= 100000000)
		lw_fmt_tenths(buf, len, v, 1000000000, "s");
	else if (v >= 100000)
		lw_fmt_tenths(buf, len, v, 1000000, "ms");
	else if (v >= 100)
		lw_fmt_tenths(buf, len, v, 1000, "us");
	else
		snprintf(buf, len, "%llu ns", (unsigned long long)v);
}

size_t lw_period_text(char *buf, size_t len, const struct lw_period *pd)
{
	char per[32], jit[32], since[32], beat[40] = "";
	time_t sec = (time_t)(pd->first_ns / 1000000000u);
	struct tm tm;
	int n;

	if (pd->period_ns >= 1000000000)
		lw_fmt_tenths(per, sizeof(per), pd->period_ns, 1000000000, "s");
	else
		lw_fmt_tenths(per, sizeof(per), pd->period_ns, 1000000, "ms");
	lw_fmt_jitter(jit, sizeof(jit), pd->jitter_ns);
	gmtime_r(&sec, &tm);
	strftime(since, sizeof(since),
		 pd->last_ns - pd->first_ns >= 86400000000000ull ?
		 "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	if (pd->outliers + pd->before)
		snprintf(beat, sizeof(beat), " (and %u off the beat)",
			 pd->outliers + pd->before);
	n = snprintf(buf, len, "every %s \xc2\xb1 %s, %u time%s since %s%s",
		     per, jit, pd->count, pd->count == 1 ? "" : "s", since,
		     beat);
	return n < 0 ? 0 : (size_t)n;
}

void lw_period_json(struct jw *j, const struct lw_period *pd)
{
	char text[128], since[LW_TIME_LEN];

	lw_period_text(text, sizeof(text), pd);
	lw_fmt_time(since, pd->first_ns);
	jw_key(j, "period");
	jw_obj_open(j);
	jw_kv_u64(j, "period_ns", pd->period_ns);
	jw_kv_u64(j, "jitter_ns", pd->jitter_ns);
	jw_kv_u64(j, "count", pd->count);
	jw_kv_u64(j, "missed", pd->missed);
	jw_kv_u64(j, "outliers", pd->outliers);
	jw_kv_u64(j, "offbeat", pd->outliers + pd->before);
	jw_kv_str(j, "since", since);
	jw_kv_u64(j, "since_ns", pd->first_ns);
	jw_kv_u64(j, "last_ns", pd->last_ns);
	jw_kv_str(j, "text", text);
	jw_obj_close(j);
}
