// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>

#include "event.h"
#include "json.h"
#include "utils.h"

const char *lw_event_type_name(uint32_t type)
{
	switch (type) {
	case LATWATCH_EV_IRQOFF:
		return "irqoff";
	case LATWATCH_EV_SOFTIRQOFF:
		return "softirqoff";
	}
	return NULL;
}

void lw_text_escape(FILE *f, const struct lw_str *s)
{
	const unsigned char *p = (const unsigned char *)s->p;
	size_t i = 0, n;

	while (i < s->len) {
		n = utf8_seq_len(p + i, s->len - i);
		if (n > 1 || (n == 1 && p[i] >= 0x20 && p[i] < 0x7f &&
			      p[i] != '\\')) {
			fwrite(p + i, 1, n, f);
		} else {
			if (p[i] == '\\')
				fputs("\\\\", f);
			else
				fprintf(f, "\\x%02x", p[i]);
			n = 1;
		}
		i += n;
	}
}

/* Microseconds as milliseconds with three decimals. */
static void lw_print_ms(FILE *f, uint64_t us)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64 " ms", us / 1000, us % 1000);
}

static void lw_event_text_head(FILE *f, const struct lw_event *ev)
{
	const char *sep = "";
	char buf[LW_TIME_LEN];

	if (ev->has & LW_EV_TS) {
		lw_fmt_time(buf, ev->ts_ns);
		fputs(buf, f);
		sep = " ";
	}
	if (ev->has & LW_EV_CPU) {
		fprintf(f, "%scpu %" PRIu32, sep, ev->cpu);
		sep = " ";
	}
	if (ev->has & LW_EV_TYPE) {
		const char *name = lw_event_type_name(ev->type);

		if (name)
			fprintf(f, "%s%s", sep, name);
		else
			fprintf(f, "%sunknown(%" PRIu32 ")", sep, ev->type);
		sep = " ";
	}
	if (ev->has & LW_EV_DURATION) {
		fputs(sep, f);
		lw_print_ms(f, ev->duration_ns / 1000 +
			       (ev->duration_ns % 1000 >= 500));
		sep = " ";
	}
	if (ev->has & LW_EV_RESOLUTION) {
		/* An error bound: never rounded down. */
		fprintf(f, "%s(\xc2\xb1", sep);
		lw_print_ms(f, ev->resolution_ns / 1000 +
			       (ev->resolution_ns % 1000 != 0));
		fputc(')', f);
		sep = " ";
	}
	if (ev->has & LW_EV_SEQ)
		fprintf(f, "%sseq %" PRIu64, sep, ev->seq);
	fputc('\n', f);
}

void lw_event_print_text(FILE *f, const struct lw_event *ev)
{
	unsigned int i;

	lw_event_text_head(f, ev);
	if (ev->has & (LW_EV_COMM | LW_EV_PID)) {
		fputs("    ", f);
		if (ev->has & LW_EV_COMM) {
			fputs("COMMAND: ", f);
			lw_text_escape(f, &ev->comm);
		}
		if (ev->has & LW_EV_PID)
			fprintf(f, "%sPID: %" PRIu32,
				ev->has & LW_EV_COMM ? " " : "", ev->pid);
		fputc('\n', f);
	}
	for (i = 0; i < ev->nframes; i++) {
		fputs("    ", f);
		lw_text_escape(f, &ev->frames[i]);
		fputc('\n', f);
	}
}

static void lw_json_time(struct json *j, uint64_t ts_ns)
{
	char buf[LW_TIME_LEN];

	lw_fmt_time(buf, ts_ns);
	json_kv_str(j, "time", buf);
	json_kv_u64(j, "ts_ns", ts_ns);
}

static void lw_event_json_type(struct json *j, uint32_t type)
{
	const char *name = lw_event_type_name(type);

	json_kv_str(j, "type", name ? name : "unknown");
	if (!name)
		json_kv_u64(j, "type_id", type);
}

static void lw_event_json_stack(struct json *j, const struct lw_event *ev)
{
	unsigned int i;

	json_key(j, "stack");
	json_arr_open(j);
	for (i = 0; i < ev->nframes; i++)
		json_strn(j, ev->frames[i].p, ev->frames[i].len);
	json_arr_close(j);
}

void lw_event_print_json(FILE *f, const struct lw_event *ev)
{
	struct json j;

	json_init(&j, f);
	json_obj_open(&j);
	if (ev->has & LW_EV_TYPE)
		lw_event_json_type(&j, ev->type);
	if (ev->has & LW_EV_SEQ)
		json_kv_u64(&j, "seq", ev->seq);
	if (ev->has & LW_EV_CPU)
		json_kv_u64(&j, "cpu", ev->cpu);
	if (ev->has & LW_EV_TS)
		lw_json_time(&j, ev->ts_ns);
	if (ev->has & LW_EV_DURATION)
		json_kv_u64(&j, "duration_ns", ev->duration_ns);
	if (ev->has & LW_EV_RESOLUTION)
		json_kv_u64(&j, "resolution_ns", ev->resolution_ns);
	if (ev->has & LW_EV_PID)
		json_kv_u64(&j, "pid", ev->pid);
	if (ev->has & LW_EV_COMM) {
		json_key(&j, "comm");
		json_strn(&j, ev->comm.p, ev->comm.len);
	}
	if (ev->has & LW_EV_STACK)
		lw_event_json_stack(&j, ev);
	json_obj_close(&j);
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
	struct json j;

	json_init(&j, f);
	json_obj_open(&j);
	json_kv_str(&j, "type", "lost");
	json_kv_str(&j, "reason", lw_lost_reason_name(lost->reason));
	if (lost->has & LW_LOST_COUNT)
		json_kv_u64(&j, "count", lost->count);
	if (lost->has & LW_LOST_TOTAL)
		json_kv_u64(&j, "total", lost->total);
	if (lost->has & LW_LOST_OVERRUNS)
		json_kv_u64(&j, "overruns", lost->overruns);
	lw_json_time(&j, lost->ts_ns);
	json_obj_close(&j);
	fputc('\n', f);
}
