// SPDX-License-Identifier: GPL-2.0
/* "latwatch hist": the histograms as text bars or one JSON object. */
#include <inttypes.h>
#include <string.h>

#include "lib/jsonw.h"
#include "sink/hist_print.h"
#include "source/modevent.h"

#define LW_STARS	40

/* The first and the last bucket that is not zero; false if all are. */
static bool lw_hist_range(const uint64_t *count, unsigned int *first,
			  unsigned int *last)
{
	unsigned int i;

	*first = LATWATCH_HIST_BUCKETS;
	*last = 0;
	for (i = 0; i < LATWATCH_HIST_BUCKETS; i++) {
		if (!count[i])
			continue;
		if (*first == LATWATCH_HIST_BUCKETS)
			*first = i;
		*last = i;
	}
	return *first < LATWATCH_HIST_BUCKETS;
}

static uint64_t lw_bucket_low(unsigned int i)
{
	return (uint64_t)1 << i;
}

static uint64_t lw_bucket_high(unsigned int i)
{
	return ((uint64_t)2 << i) - 1;
}

/* --- Text --- */

static uint64_t lw_hist_max(const uint64_t *count)
{
	uint64_t max = 0;
	unsigned int i;

	for (i = 0; i < LATWATCH_HIST_BUCKETS; i++)
		if (count[i] > max)
			max = count[i];
	return max;
}

/*
 * val * LW_STARS / max rounded down, for val <= max, max > 0: the most n
 * with n * max <= val * LW_STARS. With max = q * LW_STARS + r, that is
 * n * q + n * r / LW_STARS <= val, which cannot overflow.
 */
static int lw_stars(uint64_t val, uint64_t max)
{
	uint64_t q = max / LW_STARS, r = max % LW_STARS, n = LW_STARS;

	while (n && n * q + (n * r + LW_STARS - 1) / LW_STARS > val)
		n--;
	return (int)n;
}

static void lw_hist_title(FILE *f, const struct lw_hists *s, uint32_t type)
{
	fprintf(f, "%s (", lw_event_types[type].name);
	if (s->one_cpu)
		fprintf(f, "CPU %" PRIu32 "):", s->cpu);
	else
		fputs("all CPUs):", f);
}

static void lw_hist_text(FILE *f, const struct lw_hists *s, uint32_t type)
{
	static const char stars[LW_STARS + 1] =
		"****************************************";
	const uint64_t *count = s->count[type];
	uint64_t max = lw_hist_max(count);
	unsigned int i, first, last;
	int n;

	lw_hist_title(f, s, type);
	if (!lw_hist_range(count, &first, &last)) {
		fputs(" no samples\n", f);
		return;
	}
	fputs("\n     usecs               : count    distribution\n", f);
	for (i = first; i <= last; i++) {
		n = lw_stars(count[i], max);
		fprintf(f, "%10" PRIu64 " -> %-10" PRIu64 " : %-8" PRIu64
			" |%.*s%*s|\n", lw_bucket_low(i), lw_bucket_high(i),
			count[i], n, stars, LW_STARS - n, "");
	}
}

/* One block per type, in type order, a blank line between two. */
void lw_hists_print_text(FILE *f, const struct lw_hists *s)
{
	const char *sep = "";
	uint32_t t;

	for (t = 0; t <= LATWATCH_EV_MAX; t++) {
		if (!s->has[t])
			continue;
		fputs(sep, f);
		lw_hist_text(f, s, t);
		sep = "\n";
	}
}

/* --- JSON --- */

static void lw_hist_json_buckets(struct jw *j, const uint64_t *count)
{
	unsigned int i;

	jw_key(j, "buckets");
	jw_arr_open(j);
	for (i = 0; i < LATWATCH_HIST_BUCKETS; i++) {
		if (!count[i])
			continue;
		jw_obj_open(j);
		jw_kv_u64(j, "low", lw_bucket_low(i));
		jw_kv_u64(j, "high", lw_bucket_high(i));
		jw_kv_u64(j, "count", count[i]);
		jw_obj_close(j);
	}
	jw_arr_close(j);
}

static void lw_hist_json(struct jw *j, const struct lw_hists *s,
			 uint32_t type)
{
	jw_obj_open(j);
	jw_kv_str(j, "type", lw_event_types[type].name);
	if (s->one_cpu)
		jw_kv_u64(j, "cpu", s->cpu);
	else
		jw_kv_str(j, "cpu", "all");
	jw_kv_str(j, "unit", "us");
	lw_hist_json_buckets(j, s->count[type]);
	jw_obj_close(j);
}

void lw_hists_print_json(FILE *f, const struct lw_hists *s)
{
	struct jw j;
	uint32_t t;

	jw_init(&j, f);
	jw_obj_open(&j);
	jw_key(&j, "histograms");
	jw_arr_open(&j);
	for (t = 0; t <= LATWATCH_EV_MAX; t++)
		if (s->has[t])
			lw_hist_json(&j, s, t);
	jw_arr_close(&j);
	jw_obj_close(&j);
	fputc('\n', f);
}
