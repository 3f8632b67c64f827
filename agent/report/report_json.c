// SPDX-License-Identifier: GPL-2.0
/* "latwatch report --json": the report as one JSON object. */
#include <stdlib.h>
#include <string.h>

#include "lib/jsonw.h"
#include "lib/utils.h"
#include "report/report_internal.h"

/* JSON. */

/* "KEY":"2026-..Z","NSKEY":ns */
static void lw_json_time(struct jw *j, const char *key, const char *nskey,
			 uint64_t ts)
{
	char buf[LW_TIME_LEN];

	lw_fmt_time(buf, ts);
	jw_kv_str(j, key, buf);
	jw_kv_u64(j, nskey, ts);
}

static void lw_json_occ(struct jw *j, const struct lw_report *r,
			const struct lw_report_occ *o)
{
	jw_kv_u64(j, "duration_ns", o->duration_ns);
	if (o->has_ts)
		lw_json_time(j, "time", "ts_ns", o->ts_ns);
	if (o->has_cpu)
		jw_kv_u64(j, "cpu", o->cpu);
	jw_kv_str(j, "type", r->types[o->type].name);
	if (o->comm[0])
		jw_kv_str(j, "comm", o->comm);
	if (o->has_pid)
		jw_kv_u64(j, "pid", o->pid);
	jw_kv_u64(j, "line", o->line);
}

static void lw_json_head(const struct lw_report *r, struct jw *j)
{
	unsigned int i;

	jw_kv_u64(j, "lines", r->lines);
	jw_kv_u64(j, "events", r->events);
	jw_kv_u64(j, "outer_events", r->outer_events);
	jw_key(j, "skipped");
	jw_arr_open(j);
	for (i = 0; i < LW_SKIP_N; i++) {
		if (!r->skipped[i].count)
			continue;
		jw_obj_open(j);
		jw_kv_str(j, "reason", lw_rep_skip_why[i]);
		jw_kv_u64(j, "count", r->skipped[i].count);
		jw_kv_u64(j, "first_line", r->skipped[i].first_line);
		jw_obj_close(j);
	}
	jw_arr_close(j);
	jw_key(j, "lost");
	jw_obj_open(j);
	jw_kv_u64(j, "events", r->lost_events);
	jw_kv_u64(j, "records", r->lost_records);
	jw_kv_u64(j, "records_without_count", r->lost_uncounted);
	jw_obj_close(j);
	if (r->has_time) {
		lw_json_time(j, "first", "first_ns", r->first_ns);
		lw_json_time(j, "last", "last_ns", r->last_ns);
		jw_kv_u64(j, "span_ns", r->last_ns - r->first_ns);
	}
}

static void lw_json_types(const struct lw_report *r, struct jw *j,
			  const unsigned int *idx, unsigned int nt)
{
	const struct lw_report_type *t;
	unsigned int i, c;

	jw_key(j, "types");
	jw_arr_open(j);
	for (i = 0; i < nt; i++) {
		t = &r->types[idx[i]];
		jw_obj_open(j);
		jw_kv_str(j, "type", t->name);
		jw_kv_u64(j, "count", t->count);
		jw_kv_u64(j, "total_ns", t->total_ns);
		jw_kv_u64(j, "max_ns", t->max_ns);
		jw_obj_close(j);
	}
	jw_arr_close(j);
	jw_key(j, "cpus");
	jw_arr_open(j);
	for (c = 0; c <= LW_REPORT_MAX_CPUS; c++) {
		if (!lw_rep_cpu_total(r, c))
			continue;
		jw_obj_open(j);
		if (c == LW_OTHER_CPU)
			jw_kv_str(j, "cpu", "other");
		else
			jw_kv_u64(j, "cpu", c);
		jw_kv_u64(j, "count", lw_rep_cpu_total(r, c));
		jw_key(j, "types");
		jw_obj_open(j);
		for (i = 0; i < nt; i++)
			if (r->cpu_count[c][idx[i]])
				jw_kv_u64(j, r->types[idx[i]].name,
					  r->cpu_count[c][idx[i]]);
		jw_obj_close(j);
		jw_obj_close(j);
	}
	jw_arr_close(j);
}

static void lw_json_sig(const struct lw_report *r, struct jw *j,
			const struct lw_report_sig *s)
{
	const char *p;
	unsigned int i;

	jw_obj_open(j);
	jw_kv_str(j, "signature", s->key);
	jw_kv_str(j, "type", r->types[s->type].name);
	jw_kv_u64(j, "count", s->count);
	jw_kv_u64(j, "total_ns", s->total_ns);
	jw_kv_u64(j, "max_ns", s->max_ns);
	jw_kv_u64(j, "mean_ns", s->total_ns / s->count);
	if (s->has_time) {
		lw_json_time(j, "first", "first_ns", s->first_ns);
		lw_json_time(j, "last", "last_ns", s->last_ns);
	}
	if (s->verdict)
		jw_kv_str(j, "verdict", s->verdict);
	jw_key(j, "worst");
	jw_obj_open(j);
	lw_json_occ(j, r, &s->worst);
	jw_key(j, "stack");
	jw_arr_open(j);
	for (i = 0, p = s->stack; i < s->nframes; i++, p += strlen(p) + 1)
		jw_str(j, p);
	jw_arr_close(j);
	if (s->frames_more)
		jw_kv_u64(j, "frames_more", s->frames_more);
	jw_obj_close(j);
	jw_obj_close(j);
}

static void lw_json_sigs(const struct lw_report *r, struct jw *j)
{
	const struct lw_report_sig **v;
	unsigned int n, i;

	v = lw_rep_sigs_sorted(r, false, &n);
	jw_kv_u64(j, "signatures_total", n);
	jw_key(j, "signatures");
	jw_arr_open(j);
	for (i = 0; i < n && i < r->top; i++)
		lw_json_sig(r, j, v[i]);
	jw_arr_close(j);
	free(v);
	jw_key(j, "other_signatures");
	jw_obj_open(j);
	jw_kv_u64(j, "events", r->other_sig_events);
	jw_kv_u64(j, "total_ns", r->other_sig_ns);
	jw_obj_close(j);

	v = lw_rep_sigs_sorted(r, true, &n);
	jw_key(j, "periodic");
	jw_arr_open(j);
	for (i = 0; i < n; i++) {
		jw_obj_open(j);
		jw_kv_str(j, "signature", v[i]->key);
		jw_kv_u64(j, "period_ns", v[i]->period_ns);
		jw_kv_u64(j, "jitter_ns", v[i]->jitter_ns);
		jw_kv_u64(j, "count", v[i]->period_count);
		jw_kv_u64(j, "offbeat", v[i]->period_offbeat);
		if (v[i]->period_text)
			jw_kv_str(j, "text", v[i]->period_text);
		jw_obj_close(j);
	}
	jw_arr_close(j);
	free(v);
}

static void lw_json_rest(const struct lw_report *r, struct jw *j)
{
	const struct lw_report_rule *ru;
	unsigned int i;

	jw_key(j, "worst");
	jw_arr_open(j);
	for (i = 0; i < r->nworst; i++) {
		jw_obj_open(j);
		lw_json_occ(j, r, &r->worst[i].occ);
		jw_kv_str(j, "culprit", r->worst[i].culprit);
		jw_kv_str(j, "signature", r->worst[i].sig);
		jw_obj_close(j);
	}
	jw_arr_close(j);
	jw_key(j, "alerts");
	jw_arr_open(j);
	for (i = 0; i <= LW_REPORT_MAX_RULES; i++) {
		ru = &r->rules[i];
		if ((i >= r->nrules && i != LW_OTHER_RULE) ||
		    (!ru->alerts && !ru->suppressed))
			continue;
		jw_obj_open(j);
		jw_kv_str(j, "rule", ru->text);
		jw_kv_u64(j, "alerts", ru->alerts);
		jw_kv_u64(j, "suppressed", ru->suppressed);
		jw_obj_close(j);
	}
	jw_arr_close(j);
}

void lw_report_print_json(const struct lw_report *r, FILE *f)
{
	unsigned int idx[LW_REPORT_MAX_TYPES], nt;
	struct jw j;

	nt = lw_rep_type_order(r, idx);
	jw_init(&j, f);
	jw_obj_open(&j);
	lw_json_head(r, &j);
	lw_json_types(r, &j, idx, nt);
	if (!r->folded)
		lw_json_sigs(r, &j);
	lw_json_rest(r, &j);
	jw_obj_close(&j);
	fputc('\n', f);
}
