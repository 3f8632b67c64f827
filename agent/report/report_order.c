// SPDX-License-Identifier: GPL-2.0
/*
 * What the outputs of "latwatch report" share: the order in which types
 * and signatures are listed, the totals of a CPU's row, rounding.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "source/modevent.h"

const char *const lw_rep_skip_why[LW_SKIP_N] = {
	[LW_SKIP_NOT_JSON] = "not JSON",
	[LW_SKIP_NOT_EVENT] = "not an event",
	[LW_SKIP_TOO_LONG] = "too long",
};

/* v / d rounded to the nearest, without overflow. */
uint64_t lw_rep_div_round(uint64_t v, uint64_t d)
{
	return v / d + (v % d >= (d + 1) / 2);
}

/* The types in a stable order: the known ones, then by name, "(other)". */
unsigned int lw_rep_type_order(const struct lw_report *r, unsigned int *idx)
{
	unsigned int n = 0, i, j, t;
	uint32_t ri, rj;

	for (i = 0; i < r->ntypes; i++)
		idx[n++] = i;
	for (i = 1; i < n; i++) {
		t = idx[i];
		for (j = i; j > 0; j--) {
			ri = lw_event_type_find(r->types[t].name);
			rj = lw_event_type_find(r->types[idx[j - 1]].name);
			ri = ri ? ri : UINT32_MAX;
			rj = rj ? rj : UINT32_MAX;
			if (rj < ri || (rj == ri &&
					strcmp(r->types[idx[j - 1]].name,
					       r->types[t].name) <= 0))
				break;
			idx[j] = idx[j - 1];
		}
		idx[j] = t;
	}
	if (r->types[LW_OTHER_TYPE].count)
		idx[n++] = LW_OTHER_TYPE;
	return n;
}

static int lw_sig_cmp(const void *a, const void *b)
{
	const struct lw_report_sig *x = *(const struct lw_report_sig *const *)a;
	const struct lw_report_sig *y = *(const struct lw_report_sig *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int lw_sig_key_cmp(const void *a, const void *b)
{
	const struct lw_report_sig *x = *(const struct lw_report_sig *const *)a;
	const struct lw_report_sig *y = *(const struct lw_report_sig *const *)b;

	return strcmp(x->key, y->key);
}

/*
 * The signatures in order: by total duration (all of them), or the
 * periodic ones by key. NULL if there is no memory; *n says how many.
 */
const struct lw_report_sig **lw_rep_sigs_sorted(const struct lw_report *r,
						bool periodic,
						unsigned int *n)
{
	const struct lw_report_sig **v;
	unsigned int i;

	*n = 0;
	if (!r->nsigs)
		return NULL;
	v = malloc(r->nsigs * sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < r->nsigs; i++)
		if (!periodic || r->sigs[i].periodic)
			v[(*n)++] = &r->sigs[i];
	qsort(v, *n, sizeof(*v), periodic ? lw_sig_key_cmp : lw_sig_cmp);
	return v;
}

uint64_t lw_rep_cpu_total(const struct lw_report *r, unsigned int c)
{
	uint64_t n = 0;
	unsigned int t;

	for (t = 0; t < LW_REPORT_MAX_TYPES; t++)
		n += r->cpu_count[c][t];
	return n;
}
