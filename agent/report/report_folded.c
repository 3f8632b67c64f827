// SPDX-License-Identifier: GPL-2.0
/* "latwatch report --folded": stacks for flamegraph.pl. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"

/* Folded stacks. */

struct lw_fold_line {
	const char *key;
	uint64_t ns;
	char *own;		/* key, if made here */
};

static int lw_fold_cmp(const void *a, const void *b)
{
	const struct lw_fold_line *x = a, *y = b;

	return strcmp(x->key, y->key);
}

uint64_t lw_report_folded_other(const struct lw_report *r)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < LW_REPORT_MAX_TYPES; i++)
		n += r->fold_other_events[i];
	return n;
}

void lw_report_print_folded(const struct lw_report *r, FILE *f)
{
	char other[LW_REPORT_TYPE_LEN + 32];
	struct lw_fold_line *v;
	unsigned int n = 0, i;
	size_t pos;
	uint64_t ms;

	v = calloc(r->nfolded + LW_REPORT_MAX_TYPES, sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < r->nfolded; i++) {
		v[n].key = r->fold[i].key;
		v[n++].ns = r->fold[i].ns;
	}
	for (i = 0; i < LW_REPORT_MAX_TYPES; i++) {
		if (!r->fold_other_events[i])
			continue;
		pos = lw_rep_fold_put(other, 0, sizeof(other),
				      r->types[i].name);
		snprintf(other + pos, sizeof(other) - pos, ";[other stacks]");
		v[n].own = lw_rep_dup_cut(other, sizeof(other) - 1);
		v[n].key = v[n].own;
		v[n].ns = r->fold_other_ns[i];
		if (v[n].key)
			n++;
	}
	qsort(v, n, sizeof(*v), lw_fold_cmp);
	for (i = 0; i < n; i++) {
		ms = lw_rep_div_round(v[i].ns, 1000000);
		fprintf(f, "%s %" PRIu64 "\n", v[i].key, ms ? ms : 1);
		free(v[i].own);
	}
	free(v);
}
