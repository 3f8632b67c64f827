// SPDX-License-Identifier: GPL-2.0
/* "latwatch report": the text output. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utils.h"
#include "report/report_internal.h"
#include "sink/event_print.h"
#include "source/modevent.h"

#define NSEC		UINT64_C(1000000000)

/* Output. */

static void lw_tputs(FILE *f, const char *s)
{
	struct lw_str str = { s, strlen(s) };

	lw_text_escape(f, &str);
}

/* s escaped, then blanks up to width (by its length unescaped). */
static void lw_tpad(FILE *f, const char *s, size_t width)
{
	size_t n = strlen(s);

	lw_tputs(f, s);
	if (n < width)
		fprintf(f, "%*s", (int)(width - n), "");
}

/* "52.000 ms", or "1.234 s" from 1 s on. */
static const char *lw_fmt_rdur(char *buf, size_t len, uint64_t ns)
{
	uint64_t v = lw_rep_div_round(ns, 1000);
	const char *unit = "ms";

	if (v >= 1000000) {
		v = lw_rep_div_round(ns, 1000000);
		unit = "s";
	}
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " %s", v / 1000, v % 1000,
		 unit);
	return buf;
}

/* "12.345 s", "3m05s", "2h03m05s", "1d02h03m05s". */
static void lw_fmt_span(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / NSEC;

	if (s < 60)
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " s", s,
			 ns % NSEC / 1000000);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s",
			 s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h%02" PRIu64
			 "m%02" PRIu64 "s", s / 86400, s / 3600 % 24,
			 s / 60 % 60, s % 60);
}

void lw_report_print_skipped(const struct lw_report *r, FILE *f,
			     const char *prefix)
{
	const struct lw_report_skipped *s;
	unsigned int i;

	for (i = 0; i < LW_SKIP_N; i++) {
		s = &r->skipped[i];
		if (!s->count)
			continue;
		fprintf(f, "%s%" PRIu64 " line%s skipped: %s (first at line %"
			PRIu64 ")\n", prefix, s->count, s->count == 1 ? "" : "s",
			lw_rep_skip_why[i], s->first_line);
	}
}

static void lw_text_head(const struct lw_report *r, FILE *f)
{
	char a[LW_TIME_LEN], b[LW_TIME_LEN], span[48];
	const struct lw_report_rule *ru;
	const char *sep = "";
	unsigned int i;

	fprintf(f, "%" PRIu64 " event%s in %" PRIu64 " line%s", r->events,
		r->events == 1 ? "" : "s", r->lines, r->lines == 1 ? "" : "s");
	if (r->has_time) {
		lw_fmt_time(a, r->first_ns);
		lw_fmt_time(b, r->last_ns);
		lw_fmt_span(span, sizeof(span), r->last_ns - r->first_ns);
		fprintf(f, ", from %s to %s (%s)", a, b, span);
	}
	fputc('\n', f);
	if (r->outer_events)
		fprintf(f, "Incidents: %" PRIu64 " event%s held slower ones and %s counted as those\n",
			r->outer_events, r->outer_events == 1 ? "" : "s",
			r->outer_events == 1 ? "is" : "are");
	if (r->lost_records) {
		fprintf(f, "Lost: %" PRIu64 " event%s in %" PRIu64 " record%s",
			r->lost_events, r->lost_events == 1 ? "" : "s",
			r->lost_records, r->lost_records == 1 ? "" : "s");
		if (r->lost_uncounted)
			fprintf(f, ", and %" PRIu64 " without a count",
				r->lost_uncounted);
		fputc('\n', f);
	}
	lw_report_print_skipped(r, f, "");
	if (!r->alert_lines)
		return;
	fputs("Alerts:", f);
	for (i = 0; i <= LW_REPORT_MAX_RULES; i++) {
		ru = &r->rules[i];
		if ((i >= r->nrules && i != LW_OTHER_RULE) ||
		    (!ru->alerts && !ru->suppressed))
			continue;
		fprintf(f, "%s ", sep);
		lw_tputs(f, ru->text);
		fprintf(f, " %" PRIu64, ru->alerts);
		if (ru->suppressed)
			fprintf(f, " (%" PRIu64 " more suppressed)",
				ru->suppressed);
		sep = ",";
	}
	fputc('\n', f);
}

static void lw_text_types(const struct lw_report *r, FILE *f,
			  const unsigned int *idx, unsigned int nt)
{
	char tot[32], max[32];
	const struct lw_report_type *t;
	unsigned int i;

	fputs("\nBy type:\n"
	      "  TYPE                  COUNT          TOTAL            MAX\n", f);
	for (i = 0; i < nt; i++) {
		t = &r->types[idx[i]];
		fputs("  ", f);
		lw_tpad(f, t->name, 16);
		fprintf(f, " %10" PRIu64 " %14s %14s\n", t->count,
			lw_fmt_rdur(tot, sizeof(tot), t->total_ns),
			lw_fmt_rdur(max, sizeof(max), t->max_ns));
	}
}

/* Column width for a type: its name, at least 6. */
static int lw_col(const char *name)
{
	size_t n = strlen(name);

	return n < 6 ? 6 : (int)n;
}

static void lw_text_cpus(const struct lw_report *r, FILE *f,
			 const unsigned int *idx, unsigned int nt)
{
	unsigned int c, i;
	uint64_t total;

	fputs("\nBy CPU:\n  CPU  ", f);
	for (i = 0; i < nt; i++) {
		fputc(' ', f);
		fprintf(f, "%*s", lw_col(r->types[idx[i]].name) -
			(int)strlen(r->types[idx[i]].name), "");
		lw_tputs(f, r->types[idx[i]].name);
	}
	fputs("  TOTAL\n", f);
	for (c = 0; c <= LW_REPORT_MAX_CPUS; c++) {
		total = lw_rep_cpu_total(r, c);
		if (!total)
			continue;
		if (c == LW_OTHER_CPU)
			fputs("  other", f);
		else
			fprintf(f, "  %-5u", c);
		for (i = 0; i < nt; i++)
			fprintf(f, " %*" PRIu64, lw_col(r->types[idx[i]].name),
				r->cpu_count[c][idx[i]]);
		fprintf(f, " %6" PRIu64 "\n", total);
	}
}

static void lw_text_occ(FILE *f, const struct lw_report_occ *o)
{
	char t[LW_TIME_LEN];

	if (o->has_ts) {
		lw_fmt_time(t, o->ts_ns);
		fprintf(f, " at %s", t);
	}
	if (o->has_cpu)
		fprintf(f, " on CPU %" PRIu32, o->cpu);
	if (o->comm[0]) {
		fputs(", ", f);
		lw_tputs(f, o->comm);
	}
	if (o->has_pid)
		fprintf(f, " pid %" PRIu32, o->pid);
}

static void lw_text_sig(const struct lw_report_sig *s, unsigned int rank,
			FILE *f)
{
	char a[32], b[32], c[32], ta[LW_TIME_LEN], tb[LW_TIME_LEN];
	const char *p;
	unsigned int i;

	fprintf(f, "%3u. ", rank);
	lw_tputs(f, s->key);
	fprintf(f, "\n     %" PRIu64 " event%s, total %s, max %s, mean %s\n",
		s->count, s->count == 1 ? "" : "s",
		lw_fmt_rdur(a, sizeof(a), s->total_ns),
		lw_fmt_rdur(b, sizeof(b), s->max_ns),
		lw_fmt_rdur(c, sizeof(c), s->total_ns / s->count));
	if (s->has_time) {
		lw_fmt_time(ta, s->first_ns);
		lw_fmt_time(tb, s->last_ns);
		fprintf(f, "     first %s, last %s\n", ta, tb);
	}
	if (s->verdict) {
		fputs("     verdict: ", f);
		lw_tputs(f, s->verdict);
		fputc('\n', f);
	}
	fprintf(f, "     worst: %s", lw_fmt_rdur(a, sizeof(a), s->max_ns));
	lw_text_occ(f, &s->worst);
	fputs(s->nframes ? ":\n" : "\n", f);
	for (i = 0, p = s->stack; i < s->nframes; i++, p += strlen(p) + 1) {
		fputs("         ", f);
		lw_tputs(f, p);
		fputc('\n', f);
	}
	if (s->frames_more)
		fprintf(f, "         ... %u more frame%s\n", s->frames_more,
			s->frames_more == 1 ? "" : "s");
}

static void lw_text_sigs(const struct lw_report *r, FILE *f)
{
	const struct lw_report_sig **v;
	unsigned int n, i;

	v = lw_rep_sigs_sorted(r, false, &n);
	if (!n && !r->other_sig_events)
		goto out;
	fputs("\nTop signatures by total duration:\n", f);
	for (i = 0; i < n && i < r->top; i++)
		lw_text_sig(v[i], i + 1, f);
	if (n > r->top)
		fprintf(f, "     (%u more signature%s)\n", n - r->top,
			n - r->top == 1 ? "" : "s");
	if (r->other_sig_events)
		fprintf(f, "     (%" PRIu64 " event%s of signatures past the first %u not told apart)\n",
			r->other_sig_events,
			r->other_sig_events == 1 ? "" : "s",
			LW_REPORT_MAX_SIGS);
out:
	free(v);
}

/* A period the log has no text for. */
static void lw_text_period(const struct lw_report_sig *s, FILE *f)
{
	char a[32], b[32];

	fprintf(f, "every %s \xc2\xb1 %s, %" PRIu64 " times",
		lw_fmt_rdur(a, sizeof(a), s->period_ns),
		lw_fmt_rdur(b, sizeof(b), s->jitter_ns), s->period_count);
	if (s->period_offbeat)
		fprintf(f, " (and %" PRIu64 " off the beat)",
			s->period_offbeat);
}

static void lw_text_periodic(const struct lw_report *r, FILE *f)
{
	const struct lw_report_sig **v;
	unsigned int n, i;

	v = lw_rep_sigs_sorted(r, true, &n);
	if (!n)
		goto out;
	fputs("\nPeriodic signatures:\n", f);
	for (i = 0; i < n; i++) {
		fputs("  ", f);
		lw_tputs(f, v[i]->key);
		fputs("\n     ", f);
		if (v[i]->period_text)
			lw_tputs(f, v[i]->period_text);
		else
			lw_text_period(v[i], f);
		fputc('\n', f);
	}
out:
	free(v);
}

static void lw_text_worst(const struct lw_report *r, FILE *f)
{
	char d[32], t[LW_TIME_LEN];
	const struct lw_report_worst *w;
	unsigned int i;

	if (!r->nworst)
		return;
	fputs("\nWorst windows:\n"
	      "      DURATION  TIME                           CPU  TYPE        CULPRIT\n",
	      f);
	for (i = 0; i < r->nworst; i++) {
		w = &r->worst[i];
		fprintf(f, "  %12s  ", lw_fmt_rdur(d, sizeof(d),
						  w->occ.duration_ns));
		if (w->occ.has_ts) {
			lw_fmt_time(t, w->occ.ts_ns);
			fprintf(f, "%-27s", t);
		} else {
			fprintf(f, "%-27s", "-");
		}
		if (w->occ.has_cpu)
			fprintf(f, " %5" PRIu32, w->occ.cpu);
		else
			fprintf(f, " %5s", "-");
		fputs("  ", f);
		lw_tpad(f, r->types[w->occ.type].name, 10);
		fputs("  ", f);
		lw_tputs(f, w->culprit[0] ? w->culprit : "-");
		fputc('\n', f);
	}
}

void lw_report_print_text(const struct lw_report *r, FILE *f)
{
	unsigned int idx[LW_REPORT_MAX_TYPES], nt;

	lw_text_head(r, f);
	if (!r->events)
		return;
	nt = lw_rep_type_order(r, idx);
	lw_text_types(r, f, idx, nt);
	lw_text_cpus(r, f, idx, nt);
	lw_text_sigs(r, f);
	lw_text_periodic(r, f);
	lw_text_worst(r, f);
}
