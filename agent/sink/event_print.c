// SPDX-License-Identifier: GPL-2.0
/* Events and lost records as text or as JSON lines: see event_print.h. */
#include <inttypes.h>
#include <string.h>

#include "lib/jsonw.h"
#include "lib/utils.h"
#include "sink/event_print.h"

static bool lw_event_secs(const struct lw_event *ev)
{
	return (ev->has & LW_EV_TYPE) && ev->type <= LATWATCH_EV_MAX &&
	       lw_event_types[ev->type].secs;
}

static const char *lw_timer_kind_name(uint32_t kind)
{
	switch (kind) {
	case LATWATCH_TIMER_LIST:
		return "timer";
	case LATWATCH_TIMER_HRTIMER:
		return "hrtimer";
	case LATWATCH_TIMER_TASKLET:
		return "tasklet";
	}
	return "unknown";
}

static const char *lw_interf_type_name(uint32_t type)
{
	switch (type) {
	case LATWATCH_INTERF_HARDIRQ:
		return "hardirq";
	case LATWATCH_INTERF_HRTIMER:
		return "hrtimer";
	}
	return "unknown";
}

/*
 * What needs no escaping goes out in runs, one fwrite() each: a stdio
 * call a byte made the text of an event cost eight times its JSON.
 */
void lw_text_escape(FILE *f, const struct lw_str *s)
{
	const unsigned char *p = (const unsigned char *)s->p;
	size_t i = 0, run = 0, n;

	while (i < s->len) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			i++;
			continue;
		}
		n = p[i] < 0x80 ? 1 : utf8_seq_len(p + i, s->len - i);
		if (n > 1) {
			i += n;
			continue;
		}
		if (i > run)
			fwrite(p + run, 1, i - run, f);
		if (p[i] == '\\')
			fputs("\\\\", f);
		else
			fprintf(f, "\\x%02x", p[i]);
		run = ++i;
	}
	if (i > run)
		fwrite(p + run, 1, i - run, f);
}

/* v / d, rounded to the nearest or, for an error bound, up. */
static uint64_t lw_div_round(uint64_t v, uint64_t d, bool up)
{
	uint64_t r = v % d;

	return v / d + (up ? r != 0 : r >= d / 2);
}

/*
 * A duration in milliseconds with three decimals or, if secs and it
 * comes to 1 s or more, in seconds with three decimals.
 */
static void lw_print_dur(FILE *f, uint64_t ns, bool up, bool secs)
{
	uint64_t v = lw_div_round(ns, 1000, up);
	const char *unit = "ms";

	if (secs && v >= 1000000) {
		v = lw_div_round(ns, 1000000, up);
		unit = "s";
	}
	fprintf(f, "%" PRIu64 ".%03" PRIu64 " %s", v / 1000, v % 1000, unit);
}

/* Start the next field of a line: a space unless it is the first. */
static void lw_sep(FILE *f, bool *first)
{
	if (!*first)
		fputc(' ', f);
	*first = false;
}

static void lw_text_str(FILE *f, bool *first, const struct lw_str *s)
{
	lw_sep(f, first);
	lw_text_escape(f, s);
}

/* What the event is about, after its type: "24 eth0", "NET_RX", ... */
static void lw_event_text_what(FILE *f, const struct lw_event *ev, bool *first)
{
	if (ev->has & LW_EV_IRQ) {
		lw_sep(f, first);
		fprintf(f, "%" PRIu32, ev->irq);
	}
	if (ev->has & LW_EV_NAME) {
		lw_text_str(f, first, &ev->name);
	} else if (ev->has & LW_EV_VECTOR) {
		lw_sep(f, first);
		fprintf(f, "vector %" PRIu32, ev->vector);
	}
	if (ev->has & LW_EV_FUNCTION)
		lw_text_str(f, first, &ev->function);
	if (ev->has & LW_EV_KIND) {
		lw_sep(f, first);
		fprintf(f, "(%s)", lw_timer_kind_name(ev->kind));
	}
}

static void lw_event_text_type(FILE *f, uint32_t type)
{
	const char *name = lw_event_type_name(type);

	if (name)
		fputs(name, f);
	else
		fprintf(f, "unknown(%" PRIu32 ")", type);
}

/* "inside seq 12", "holds seq 13 14" */
static void lw_event_text_nest(FILE *f, const struct lw_event *ev,
			       bool *first)
{
	unsigned int i;

	if (ev->has & LW_EV_OUTER) {
		lw_sep(f, first);
		fprintf(f, "inside seq %" PRIu64, ev->outer_seq);
	}
	if (ev->has & LW_EV_INNER) {
		lw_sep(f, first);
		fputs("holds seq", f);
		for (i = 0; i < ev->ninner; i++)
			fprintf(f, " %" PRIu64, ev->inner_seqs[i]);
	}
}

/* "    INTERFERENCE: hardirq 24 eth0 21.000 ms" */
static void lw_event_text_interf(FILE *f, const struct lw_event *ev)
{
	const struct lw_interf *in = &ev->interf;

	if (!(ev->has & LW_EV_INTERF))
		return;
	fprintf(f, "    INTERFERENCE: %s", lw_interf_type_name(in->type));
	if (in->type == LATWATCH_INTERF_HARDIRQ)
		fprintf(f, " %" PRIu32, in->irq);
	if (in->name.len) {
		fputc(' ', f);
		lw_text_escape(f, &in->name);
	}
	if (in->function.len) {
		fputc(' ', f);
		lw_text_escape(f, &in->function);
	}
	fputc(' ', f);
	lw_print_dur(f, in->duration_ns, false, false);
	fputc('\n', f);
}

static void lw_event_text_head(FILE *f, const struct lw_event *ev)
{
	char buf[LW_TIME_LEN];
	bool first = true;

	if (ev->has & LW_EV_TS) {
		lw_fmt_time(buf, ev->ts_ns);
		lw_sep(f, &first);
		fputs(buf, f);
	}
	if (ev->has & LW_EV_CPU) {
		lw_sep(f, &first);
		fprintf(f, "cpu %" PRIu32, ev->cpu);
	}
	if (ev->has & LW_EV_TYPE) {
		lw_sep(f, &first);
		lw_event_text_type(f, ev->type);
	}
	lw_event_text_what(f, ev, &first);
	if (ev->has & LW_EV_DURATION) {
		lw_sep(f, &first);
		lw_print_dur(f, ev->duration_ns, false, lw_event_secs(ev));
	}
	if (ev->has & LW_EV_RESOLUTION) {
		/* An error bound: never rounded down. */
		lw_sep(f, &first);
		fputs("(\xc2\xb1", f);
		lw_print_dur(f, ev->resolution_ns, true, lw_event_secs(ev));
		fputc(')', f);
	}
	if (ev->has & LW_EV_SEQ) {
		lw_sep(f, &first);
		fprintf(f, "seq %" PRIu64, ev->seq);
	}
	lw_event_text_nest(f, ev, &first);
	fputc('\n', f);
}

/* "COMMAND: comm PID: pid CGROUP: path", with what the event has. */
static void lw_event_text_task(FILE *f, const struct lw_event *ev)
{
	bool first = true;

	if (!(ev->has & (LW_EV_COMM | LW_EV_PID | LW_EV_CGROUP)))
		return;
	fputs("    ", f);
	if (ev->has & LW_EV_COMM) {
		lw_sep(f, &first);
		fputs("COMMAND: ", f);
		lw_text_escape(f, &ev->comm);
	}
	if (ev->has & LW_EV_PID) {
		lw_sep(f, &first);
		fprintf(f, "PID: %" PRIu32, ev->pid);
	}
	if (ev->has & LW_EV_CGROUP) {
		lw_sep(f, &first);
		fputs("CGROUP: ", f);
		lw_text_escape(f, &ev->cgroup);
		if (ev->has & LW_EV_CGROUP_TRUNCATED)
			fputs(" (truncated)", f);
	}
	fputc('\n', f);
}

void lw_event_print_text(FILE *f, const struct lw_event *ev)
{
	unsigned int i;

	lw_event_text_head(f, ev);
	lw_event_text_task(f, ev);
	lw_event_text_interf(f, ev);
	for (i = 0; i < ev->nframes; i++) {
		fputs("    ", f);
		lw_text_escape(f, &ev->frames[i]);
		fputc('\n', f);
	}
}

static void lw_json_time(struct jw *j, uint64_t ts_ns)
{
	char buf[LW_TIME_LEN];

	lw_fmt_time(buf, ts_ns);
	jw_kv_str(j, "time", buf);
	jw_kv_u64(j, "ts_ns", ts_ns);
}

static void lw_event_json_type(struct jw *j, uint32_t type)
{
	const char *name = lw_event_type_name(type);

	jw_kv_str(j, "type", name ? name : "unknown");
	if (!name)
		jw_kv_u64(j, "type_id", type);
}

static void lw_event_json_stack(struct jw *j, const struct lw_event *ev)
{
	unsigned int i;

	jw_key(j, "stack");
	jw_arr_open(j);
	for (i = 0; i < ev->nframes; i++)
		jw_strn(j, ev->frames[i].p, ev->frames[i].len);
	jw_arr_close(j);
}

static void lw_json_kv_str(struct jw *j, const char *key,
			   const struct lw_str *s)
{
	jw_key(j, key);
	jw_strn(j, s->p, s->len);
}

/*
 * The keys after "comm": LATWATCH_A_EV_NAME is "vector" for a softirq,
 * "name" for the others.
 */
static void lw_event_json_what(struct jw *j, const struct lw_event *ev)
{
	bool softirq = (ev->has & LW_EV_TYPE) && ev->type == LATWATCH_EV_SOFTIRQ;

	if (ev->has & LW_EV_CGROUP)
		lw_json_kv_str(j, "cgroup", &ev->cgroup);
	if (ev->has & LW_EV_CGROUP_TRUNCATED) {
		jw_key(j, "cgroup_truncated");
		jw_bool(j, true);
	}
	if ((ev->has & LW_EV_NAME) && softirq)
		lw_json_kv_str(j, "vector", &ev->name);
	if (ev->has & LW_EV_VECTOR)
		jw_kv_u64(j, "vector_nr", ev->vector);
	if (ev->has & LW_EV_FUNCTION)
		lw_json_kv_str(j, "function", &ev->function);
	if (ev->has & LW_EV_KIND)
		jw_kv_str(j, "kind", lw_timer_kind_name(ev->kind));
	if (ev->has & LW_EV_IRQ)
		jw_kv_u64(j, "irq", ev->irq);
	if ((ev->has & LW_EV_NAME) && !softirq)
		lw_json_kv_str(j, "name", &ev->name);
}

static void lw_event_json_nest(struct jw *j, const struct lw_event *ev)
{
	const struct lw_interf *in = &ev->interf;
	unsigned int i;

	if (ev->has & LW_EV_OUTER)
		jw_kv_u64(j, "outer_seq", ev->outer_seq);
	if (ev->has & LW_EV_INNER) {
		jw_key(j, "inner_seqs");
		jw_arr_open(j);
		for (i = 0; i < ev->ninner; i++)
			jw_u64(j, ev->inner_seqs[i]);
		jw_arr_close(j);
	}
	if (!(ev->has & LW_EV_INTERF))
		return;
	jw_key(j, "interference");
	jw_obj_open(j);
	jw_kv_str(j, "type", lw_interf_type_name(in->type));
	if (in->type == LATWATCH_INTERF_HARDIRQ)
		jw_kv_u64(j, "irq", in->irq);
	if (in->name.len)
		lw_json_kv_str(j, "name", &in->name);
	if (in->function.len)
		lw_json_kv_str(j, "function", &in->function);
	jw_kv_u64(j, "duration_ns", in->duration_ns);
	jw_obj_close(j);
}

void lw_event_json_members(struct jw *j, const struct lw_event *ev)
{
	if (ev->has & LW_EV_TYPE)
		lw_event_json_type(j, ev->type);
	if (ev->has & LW_EV_SEQ)
		jw_kv_u64(j, "seq", ev->seq);
	if (ev->has & LW_EV_CPU)
		jw_kv_u64(j, "cpu", ev->cpu);
	if (ev->has & LW_EV_TS)
		lw_json_time(j, ev->ts_ns);
	if (ev->has & LW_EV_DURATION)
		jw_kv_u64(j, "duration_ns", ev->duration_ns);
	if (ev->has & LW_EV_RESOLUTION)
		jw_kv_u64(j, "resolution_ns", ev->resolution_ns);
	if (ev->has & LW_EV_PID)
		jw_kv_u64(j, "pid", ev->pid);
	if (ev->has & LW_EV_COMM)
		lw_json_kv_str(j, "comm", &ev->comm);
	lw_event_json_what(j, ev);
	lw_event_json_nest(j, ev);
	if (ev->has & LW_EV_STACK)
		lw_event_json_stack(j, ev);
}

void lw_event_print_json(FILE *f, const struct lw_event *ev)
{
	struct jw j;

	jw_init(&j, f);
	jw_obj_open(&j);
	lw_event_json_members(&j, ev);
	jw_obj_close(&j);
	fputc('\n', f);
}

static const char *lw_lost_reason_name(enum lw_lost_reason reason)
{
	return reason == LW_LOST_OVERRUN ? "overrun" : "kernel";
}

void lw_lost_print_text(FILE *f, const struct lw_lost *lost)
{
	char buf[LW_TIME_LEN];

	lw_fmt_time(buf, lost->ts_ns);
	fprintf(f, "%s lost ", buf);
	if (lost->has & LW_LOST_COUNT)
		fprintf(f, "%" PRIu64 " ", lost->count);
	fputs("events", f);
	if (lost->has & LW_LOST_TOTAL)
		fprintf(f, " (total %" PRIu64 ")", lost->total);
	if (lost->has & LW_LOST_OVERRUNS)
		fprintf(f, ": receive buffer overrun (overruns %" PRIu64 ")",
			lost->overruns);
	fputc('\n', f);
}

void lw_lost_print_json(FILE *f, const struct lw_lost *lost)
{
	struct jw j;

	jw_init(&j, f);
	jw_obj_open(&j);
	jw_kv_str(&j, "type", "lost");
	jw_kv_str(&j, "reason", lw_lost_reason_name(lost->reason));
	if (lost->has & LW_LOST_COUNT)
		jw_kv_u64(&j, "count", lost->count);
	if (lost->has & LW_LOST_TOTAL)
		jw_kv_u64(&j, "total", lost->total);
	if (lost->has & LW_LOST_OVERRUNS)
		jw_kv_u64(&j, "overruns", lost->overruns);
	lw_json_time(&j, lost->ts_ns);
	jw_obj_close(&j);
	fputc('\n', f);
}
