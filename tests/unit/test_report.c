// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "testutil.h"
#include "cmd/cmd.h"
#include "lib/utils.h"
#include "report/report.h"

#define MS	UINT64_C(1000000)

/*
 * A fixture: tests/unit/fixtures/report/NAME, next to this source as the
 * compiler saw it (from agent/), else as found from this program
 * (tests/unit/build/test_report).
 */
static const char *fixture(const char *name)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX], *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "%.*s/fixtures/report/%s",
		 (int)(strrchr(__FILE__, '/') ? strrchr(__FILE__, '/') - __FILE__ : 1),
		 strrchr(__FILE__, '/') ? __FILE__ : ".", name);
	if (!access(path, R_OK))
		return path;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	assert_non_null(slash);
	*slash = '\0';
	if (snprintf(path, sizeof(path), "%s/../fixtures/report/%s", exe,
		     name) >= (int)sizeof(path))
		fail_msg("path too long");
	return path;
}

static struct lw_report *read_fixture(const char *name, unsigned int top,
				      bool folded)
{
	struct lw_report *r = lw_report_new(top, folded);
	FILE *f = fopen(fixture(name), "r");

	assert_non_null(r);
	if (!f)
		fail_msg("%s: %s", fixture(name), strerror(errno));
	assert_int_equal(lw_report_read(r, f), 0);
	fclose(f);
	return r;
}

static struct lw_report *parse_str(const char *s, unsigned int top,
				   bool folded)
{
	struct lw_report *r = lw_report_new(top, folded);

	assert_non_null(r);
	lw_report_parse(r, s, strlen(s));
	return r;
}

enum out { OUT_TEXT, OUT_JSON, OUT_FOLDED };

static char *print(const struct lw_report *r, enum out how)
{
	struct capture c;

	cap_open(&c);
	if (how == OUT_TEXT)
		lw_report_print_text(r, c.f);
	else if (how == OUT_JSON)
		lw_report_print_json(r, c.f);
	else
		lw_report_print_folded(r, c.f);
	cap_close(&c);
	if (how == OUT_JSON)
		assert_json_line(c.buf);
	return c.buf;
}

/* The JSON report, parsed. */
static struct json_object *print_json(const struct lw_report *r)
{
	char *s = print(r, OUT_JSON);
	struct json_object *o = json_tokener_parse(s);

	assert_non_null(o);
	free(s);
	return o;
}

static struct json_object *jget(struct json_object *o, const char *path)
{
	char key[64];
	const char *dot;
	struct json_object *v = o;
	size_t n;

	while (*path) {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		assert_true(n < sizeof(key));
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_object_is_type(v, json_type_array))
			v = json_object_array_get_idx(v, (size_t)atoi(key));
		else if (!json_object_object_get_ex(v, key, &v))
			v = NULL;
		if (!v)
			fail_msg("no %s", path);
		path += n + (dot != NULL);
	}
	return v;
}

static uint64_t jnum(struct json_object *o, const char *path)
{
	return json_object_get_uint64(jget(o, path));
}

static const char *jstr(struct json_object *o, const char *path)
{
	return json_object_get_string(jget(o, path));
}

static unsigned int type_slot(const struct lw_report *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < LW_REPORT_MAX_TYPES; i++)
		if (!strcmp(r->types[i].name, name))
			return i;
	fail_msg("no type %s", name);
	return 0;
}

static const struct lw_report_sig *sig(const struct lw_report *r,
				       const char *key)
{
	unsigned int i;

	for (i = 0; i < r->nsigs; i++)
		if (!strcmp(r->sigs[i].key, key))
			return &r->sigs[i];
	fail_msg("no signature %s", key);
	return NULL;
}

static void test_counts(void **state)
{
	struct lw_report *r = read_fixture("basic.jsonl", 10, false);
	unsigned int irqoff, softirqoff, timer, hung;

	(void)state;
	assert_int_equal(r->lines, 16);
	assert_int_equal(r->events, 9);
	assert_int_equal(r->skipped[LW_SKIP_NOT_JSON].count, 2);
	assert_int_equal(r->skipped[LW_SKIP_NOT_JSON].first_line, 3);
	assert_int_equal(r->skipped[LW_SKIP_NOT_EVENT].count, 2);
	assert_int_equal(r->skipped[LW_SKIP_NOT_EVENT].first_line, 8);
	assert_int_equal(r->skipped[LW_SKIP_TOO_LONG].count, 0);
	assert_int_equal(r->lost_events, 5);
	assert_int_equal(r->lost_records, 2);
	assert_int_equal(r->lost_uncounted, 1);
	assert_true(r->has_time);
	assert_int_equal(r->first_ns, UINT64_C(1795312203123456789));
	assert_int_equal(r->last_ns, UINT64_C(1795312263123456789));
	assert_int_equal(r->ntypes, 6);
	irqoff = type_slot(r, "irqoff");
	softirqoff = type_slot(r, "softirqoff");
	timer = type_slot(r, "timer");
	hung = type_slot(r, "hung");
	assert_int_equal(r->types[irqoff].count, 2);
	assert_int_equal(r->types[irqoff].total_ns, 28 * MS);
	assert_int_equal(r->types[irqoff].max_ns, 25 * MS);
	assert_int_equal(r->types[softirqoff].count, 2);
	assert_int_equal(r->types[softirqoff].total_ns, 82 * MS);
	assert_int_equal(r->types[timer].count, 2);
	assert_int_equal(r->types[hung].total_ns, 120000 * MS);
	assert_int_equal(r->cpu_count[0][irqoff], 1);
	assert_int_equal(r->cpu_count[3][irqoff], 1);
	assert_int_equal(r->cpu_count[1][softirqoff], 2);
	assert_int_equal(r->cpu_count[2][timer], 2);
	assert_int_equal(r->cpu_count[LW_REPORT_MAX_CPUS][irqoff], 0);
	assert_int_equal(r->nsigs, 7);
	assert_int_equal(r->alert_lines, 0);
	lw_report_free(r);
}

static void test_signatures(void **state)
{
	struct lw_report *r = read_fixture("basic.jsonl", 10, false);
	const struct lw_report_sig *s;

	(void)state;
	/* given by the agent */
	s = sig(r, "softirqoff:memcg_stat_show,seq_read_iter,vfs_read");
	assert_int_equal(s->count, 2);
	assert_int_equal(s->total_ns, 82 * MS);
	assert_int_equal(s->max_ns, 52 * MS);
	assert_int_equal(s->worst.pid, 4242);
	assert_int_equal(s->worst.line, 1);
	assert_int_equal(s->nframes, 6);
	assert_string_equal(s->stack, "memcg_stat_show+0x5e/0x1f0");
	assert_string_equal(s->verdict, "softirqs held off 52 ms on CPU 1 by "
			    "memcg_stat_show (lxcfs)");
	assert_int_equal(s->first_ns, UINT64_C(1795312203123456789));
	assert_int_equal(s->last_ns, UINT64_C(1795312205123456789));
	assert_false(s->periodic);
	/* made up as the agent makes them */
	sig(r, "irqoff:native_safe_halt,default_idle,do_idle");
	sig(r, "irqoff:lw_inject_spin,lw_inject_write,vfs_write");
	sig(r, "hardirq/eth0");
	sig(r, "softirq/NET_RX");
	sig(r, "hung/kworker/u8:2:io_schedule,folio_wait_bit,do_sync_read");
	/* the latest period */
	s = sig(r, "timer/estimation_timer:estimation_timer,call_timer_fn,"
		"__run_timers");
	assert_true(s->periodic);
	assert_int_equal(s->period_ns, 2000 * MS);
	assert_int_equal(s->jitter_ns, 2 * MS);
	assert_int_equal(s->period_count, 4);
	assert_string_equal(s->period_text,
			    "every 2.0 s \xc2\xb1 2 ms, 4 times since 01:50:03");
	lw_report_free(r);
}

static void test_top_order(void **state)
{
	static const char *const order[] = {
		"hung/kworker/u8:2:io_schedule,folio_wait_bit,do_sync_read",
		"softirqoff:memcg_stat_show,seq_read_iter,vfs_read",
		"irqoff:lw_inject_spin,lw_inject_write,vfs_write",
		"timer/estimation_timer:estimation_timer,call_timer_fn,"
		"__run_timers",
		"softirq/NET_RX",
		"irqoff:native_safe_halt,default_idle,do_idle",
		"hardirq/eth0",
	};
	static const uint64_t worst[] = {
		120000 * MS, 52 * MS, 30 * MS, 25 * MS, 12 * MS, 11 * MS,
	};
	struct lw_report *r = read_fixture("basic.jsonl", 10, false);
	struct json_object *o = print_json(r);
	char path[64], *text;
	const char *p, *q;
	size_t i;

	(void)state;
	assert_int_equal(jnum(o, "signatures_total"), 7);
	assert_int_equal(json_object_array_length(jget(o, "signatures")), 7);
	for (i = 0; i < 7; i++) {
		snprintf(path, sizeof(path), "signatures.%zu.signature", i);
		assert_string_equal(jstr(o, path), order[i]);
	}
	assert_int_equal(jnum(o, "signatures.1.mean_ns"), 41 * MS);
	assert_string_equal(jstr(o, "signatures.1.worst.stack.5"),
			    "entry_SYSCALL_64_after_hwframe+0x6e/0xd8");
	assert_string_equal(jstr(o, "signatures.1.first"),
			    "2026-11-22T01:50:03.123456Z");
	assert_string_equal(jstr(o, "worst.2.culprit"), "memcg_stat_show");
	assert_string_equal(jstr(o, "periodic.0.text"),
			    "every 2.0 s \xc2\xb1 2 ms, 4 times since 01:50:03");
	json_object_put(o);

	/* the text has them in the same order */
	text = print(r, OUT_TEXT);
	for (p = text, i = 0; i < 7; i++) {
		q = strstr(text, order[i]);
		assert_non_null(q);
		assert_true(q >= p);
		p = q;
	}
	free(text);
	lw_report_free(r);

	/* --top 6: six of each */
	r = read_fixture("basic.jsonl", 6, false);
	o = print_json(r);
	assert_int_equal(jnum(o, "signatures_total"), 7);
	assert_int_equal(json_object_array_length(jget(o, "signatures")), 6);
	assert_int_equal(json_object_array_length(jget(o, "worst")), 6);
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "worst.%zu.duration_ns", i);
		assert_int_equal(jnum(o, path), worst[i]);
	}
	json_object_put(o);
	text = print(r, OUT_TEXT);
	assert_non_null(strstr(text, "\n     (1 more signature)\n"));
	assert_null(strstr(text, "hardirq/eth0"));
	free(text);
	lw_report_free(r);
}

static void test_text(void **state)
{
	static const char log[] =
		"{\"type\":\"irqoff\",\"cpu\":1,\"ts_ns\":1000000000,"
		"\"duration_ns\":1500000,\"pid\":7,\"comm\":\"a\\nb\","
		"\"stack\":[\"f+0x1/0x2\",\"g+0x3/0x4 [m]\"]}\n"
		"{\"type\":\"irqoff\",\"cpu\":1,\"ts_ns\":61500000000,"
		"\"duration_ns\":2500000000,\"stack\":[\"f+0x1/0x2\"]}\n"
		"{\"type\":\"mystery\",\"duration_ns\":1}\n"
		"{\"type\":\"lost\",\"count\":3}\n";
	struct lw_report *r = parse_str(log, 10, false);
	char *text = print(r, OUT_TEXT);

	(void)state;
	assert_string_equal(text,
		"3 events in 4 lines, from 1970-01-01T00:00:01.000000Z to "
		"1970-01-01T00:01:01.500000Z (1m00s)\n"
		"Lost: 3 events in 1 record\n"
		"\n"
		"By type:\n"
		"  TYPE                  COUNT          TOTAL            MAX\n"
		"  irqoff                    2        2.502 s        2.500 s\n"
		"  mystery                   1       0.000 ms       0.000 ms\n"
		"\n"
		"By CPU:\n"
		"  CPU   irqoff mystery  TOTAL\n"
		"  1          2       0      2\n"
		"  other      0       1      1\n"
		"\n"
		"Top signatures by total duration:\n"
		"  1. irqoff:f\n"
		"     1 event, total 2.500 s, max 2.500 s, mean 2.500 s\n"
		"     first 1970-01-01T00:01:01.500000Z, last "
		"1970-01-01T00:01:01.500000Z\n"
		"     worst: 2.500 s at 1970-01-01T00:01:01.500000Z on CPU 1:\n"
		"         f+0x1/0x2\n"
		"  2. irqoff:f,g\n"
		"     1 event, total 1.500 ms, max 1.500 ms, mean 1.500 ms\n"
		"     first 1970-01-01T00:00:01.000000Z, last "
		"1970-01-01T00:00:01.000000Z\n"
		"     worst: 1.500 ms at 1970-01-01T00:00:01.000000Z on CPU 1, "
		"a\\x0ab pid 7:\n"
		"         f+0x1/0x2\n"
		"         g+0x3/0x4 [m]\n"
		"  3. mystery\n"
		"     1 event, total 0.000 ms, max 0.000 ms, mean 0.000 ms\n"
		"     worst: 0.000 ms\n"
		"\n"
		"Worst windows:\n"
		"      DURATION  TIME                           CPU  TYPE        CULPRIT\n"
		"       2.500 s  1970-01-01T00:01:01.500000Z     1  irqoff      f\n"
		"      1.500 ms  1970-01-01T00:00:01.000000Z     1  irqoff      f\n"
		"      0.000 ms  -                               -  mystery     -\n");
	free(text);
	lw_report_free(r);
}

/*
 * How many of a period's occurrences fell off the beat: "offbeat", or
 * "outliers" from an agent that wrote no "offbeat"; the text says it
 * when the log gives none.
 */
static void test_period_offbeat(void **state)
{
	static const char log[] =
		"{\"type\":\"timer\",\"cpu\":1,\"ts_ns\":1000000000,"
		"\"duration_ns\":2000000,\"signature\":\"timer/a\","
		"\"period\":{\"period_ns\":2000000000,\"jitter_ns\":1000000,"
		"\"count\":5,\"missed\":0,\"outliers\":1,\"offbeat\":1,"
		"\"text\":\"every 2.0 s \xc2\xb1 1.0 ms, 5 times since "
		"00:00:01 (and 1 off the beat)\"}}\n"
		"{\"type\":\"timer\",\"cpu\":1,\"ts_ns\":2000000000,"
		"\"duration_ns\":1000000,\"signature\":\"timer/b\","
		"\"period\":{\"period_ns\":600000000000,\"jitter_ns\":0,"
		"\"count\":4,\"outliers\":2}}\n"
		"{\"type\":\"timer\",\"cpu\":1,\"ts_ns\":3000000000,"
		"\"duration_ns\":1000000,\"signature\":\"timer/c\","
		"\"period\":{\"period_ns\":600000000000,\"jitter_ns\":0,"
		"\"count\":4,\"offbeat\":0}}\n";
	struct lw_report *r = parse_str(log, 10, false);
	struct json_object *o = print_json(r);
	char *text = print(r, OUT_TEXT);

	(void)state;
	assert_string_equal(jstr(o, "periodic.0.signature"), "timer/a");
	assert_int_equal(jnum(o, "periodic.0.offbeat"), 1);
	assert_int_equal(jnum(o, "periodic.1.offbeat"), 2);
	assert_int_equal(jnum(o, "periodic.2.offbeat"), 0);
	assert_non_null(strstr(text, "\n     every 2.0 s \xc2\xb1 1.0 ms, 5 times "
			       "since 00:00:01 (and 1 off the beat)\n"));
	assert_non_null(strstr(text, "\n  timer/b\n     every "));
	assert_non_null(strstr(text, ", 4 times (and 2 off the beat)\n"));
	assert_non_null(strstr(text, "\n  timer/c\n     every "));
	assert_non_null(strstr(text, ", 4 times\n"));
	free(text);
	json_object_put(o);
	lw_report_free(r);
}

static void test_folded(void **state)
{
	struct lw_report *r = read_fixture("folded.jsonl", 10, true);
	char *out = print(r, OUT_FOLDED);

	(void)state;
	assert_string_equal(out,
		"hung 1500\n"
		"irqoff;[unknown];we_ird 3\n"
		"irqoff;do_idle;native_irq_return 1\n"
		"softirqoff;entry_SYSCALL_64;ksys_read;vfs_read;seq_read_iter;"
		"memcg_stat_show 52\n");
	free(out);
	assert_int_equal(r->events, 5);
	assert_int_equal(r->nsigs, 0);
	assert_int_equal(lw_report_folded_other(r), 0);
	lw_report_free(r);
}

static void test_malformed(void **state)
{
	char *buf, *out;
	struct lw_report *r;
	size_t n, len = LW_REPORT_LINE_MAX + 4096;
	static const char tail[] =
		"\n"
		"{\"type\":\"irqoff\",\"duration_ns\":5}\r\n"	/* 2: CRLF */
		"   \t\r\n"					/* 3: blank */
		"{\"type\":\"irqoff\"} trailing\n"		/* 4 */
		"{\"type\":\"irqoff\"}{}\n"			/* 5 */
		"nul\n"						/* 6 */
		"\"just a string\"\n"				/* 7 */
		"{\"type\":5}\n"				/* 8 */
		"{\"type\":\"irqoff\",\"cpu\":-1,\"duration_ns\":1.5,"
		"\"ts_ns\":\"x\",\"stack\":[1,null,\"f+0x1\"]}\n"	/* 9 */
		"{\"type\":\"lost\",\"count\":-4}\n"		/* 10 */
		"{\"alert\":\"r\",\"event\":{\"type\":\"lost\"}}\n"	/* 11 */
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
		"{\"type\":\"softirq\",\"duration_ns\":7}";	/* 13: no \n */

	(void)state;
	/* line 1: too long */
	buf = malloc(len + sizeof(tail));
	assert_non_null(buf);
	memset(buf, 'x', len);
	memcpy(buf, "{\"type\":\"irqoff\",\"comm\":\"", 25);
	memcpy(buf + len, tail, sizeof(tail));
	r = lw_report_new(10, false);
	assert_non_null(r);
	n = len + sizeof(tail) - 1;
	lw_report_parse(r, buf, n);
	assert_int_equal(r->lines, 13);
	assert_int_equal(r->events, 3);
	assert_int_equal(r->skipped[LW_SKIP_TOO_LONG].count, 1);
	assert_int_equal(r->skipped[LW_SKIP_TOO_LONG].first_line, 1);
	assert_int_equal(r->skipped[LW_SKIP_NOT_JSON].count, 4);
	assert_int_equal(r->skipped[LW_SKIP_NOT_JSON].first_line, 4);
	assert_int_equal(r->skipped[LW_SKIP_NOT_EVENT].count, 3);
	assert_int_equal(r->skipped[LW_SKIP_NOT_EVENT].first_line, 7);
	/* the bad fields of line 9 are left out, not taken as 0 */
	assert_int_equal(r->cpu_count[LW_REPORT_MAX_CPUS][0], 2);
	assert_int_equal(r->lost_records, 1);
	assert_int_equal(r->lost_uncounted, 1);
	assert_false(r->has_time);
	sig(r, "irqoff:f");
	sig(r, "softirq");
	out = print(r, OUT_TEXT);
	assert_non_null(strstr(out, "\n"
			       "Lost: 0 events in 1 record, and 1 without a count\n"
			       "4 lines skipped: not JSON (first at line 4)\n"
			       "3 lines skipped: not an event (first at line 7)\n"
			       "1 line skipped: too long (first at line 1)\n"));
	free(out);
	out = print(r, OUT_JSON);
	assert_non_null(strstr(out, "\"skipped\":[{\"reason\":\"not JSON\",\"count\":4,"
			       "\"first_line\":4},{\"reason\":\"not an event\","
			       "\"count\":3,\"first_line\":7},{\"reason\":"
			       "\"too long\",\"count\":1,\"first_line\":1}]"));
	free(out);
	lw_report_free(r);
	free(buf);
}

/* Fed in pieces of every size, the report is the same. */
static void test_pieces(void **state)
{
	struct lw_report *whole = read_fixture("basic.jsonl", 10, false);
	char *want = print(whole, OUT_JSON), *got, *buf;
	struct lw_report *r;
	size_t len, step, i;
	FILE *f;

	(void)state;
	f = fopen(fixture("basic.jsonl"), "r");
	assert_non_null(f);
	buf = malloc(65536);
	assert_non_null(buf);
	len = fread(buf, 1, 65536, f);
	fclose(f);
	for (step = 1; step < 700; step = step * 3 + 1) {
		r = lw_report_new(10, false);
		assert_non_null(r);
		for (i = 0; i < len; i += step)
			lw_report_feed(r, buf + i, len - i < step ? len - i : step);
		lw_report_finish(r);
		got = print(r, OUT_JSON);
		assert_string_equal(got, want);
		free(got);
		lw_report_free(r);
	}
	free(buf);
	free(want);
	lw_report_free(whole);
}

static void test_alerts(void **state)
{
	struct lw_report *r = read_fixture("alerts.jsonl", 10, false);
	const struct lw_report_sig *s;
	char *text;

	(void)state;
	assert_int_equal(r->lines, 5);
	assert_int_equal(r->events, 2);
	assert_int_equal(r->alert_lines, 4);
	assert_int_equal(r->skipped[LW_SKIP_NOT_EVENT].count, 1);
	assert_int_equal(r->skipped[LW_SKIP_NOT_EVENT].first_line, 5);
	assert_int_equal(r->nrules, 2);
	assert_string_equal(r->rules[0].text, "irqoff>=20ms");
	assert_int_equal(r->rules[0].alerts, 1);
	assert_int_equal(r->rules[0].suppressed, 4);
	assert_string_equal(r->rules[1].text, "nicdrop>0");
	assert_int_equal(r->rules[1].alerts, 2);
	assert_int_equal(r->rules[1].suppressed, 0);
	/* the event in it has none: the alert's signature */
	s = sig(r, "irqoff:lw_inject_spin,lw_inject_write,vfs_write");
	assert_int_equal(s->worst.cpu, 3);
	s = sig(r, "softirqoff:memcg_stat_show,seq_read_iter,vfs_read");
	assert_non_null(strstr(s->verdict, "lo dropped 922 packets"));
	assert_int_equal(r->nsigs, 2);
	text = print(r, OUT_TEXT);
	assert_non_null(strstr(text, "\nAlerts: irqoff>=20ms 1 (4 more "
			       "suppressed), nicdrop>0 2\n"));
	free(text);
	lw_report_free(r);
}

static void test_empty(void **state)
{
	struct lw_report *r = read_fixture("empty.jsonl", 10, false);
	char *out;

	(void)state;
	out = print(r, OUT_TEXT);
	assert_string_equal(out, "0 events in 0 lines\n");
	free(out);
	out = print(r, OUT_JSON);
	assert_string_equal(out,
		"{\"lines\":0,\"events\":0,\"outer_events\":0,\"skipped\":[],\"lost\":{\"events\":0,"
		"\"records\":0,\"records_without_count\":0},\"types\":[],"
		"\"cpus\":[],\"signatures_total\":0,\"signatures\":[],"
		"\"other_signatures\":{\"events\":0,\"total_ns\":0},"
		"\"periodic\":[],\"worst\":[],\"alerts\":[]}\n");
	free(out);
	lw_report_free(r);
	r = read_fixture("empty.jsonl", 10, true);
	out = print(r, OUT_FOLDED);
	assert_string_equal(out, "");
	free(out);
	lw_report_free(r);
}

/* report_run() with stderr going to a file: its exit code and message. */
static int run(const struct report_opts *o, char **out, char *err,
	       size_t errlen)
{
	char path[] = "/tmp/latwatch-report-err-XXXXXX";
	struct capture c;
	int fd = mkstemp(path), saved, ret;
	ssize_t n;

	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	cap_open(&c);
	ret = report_run(o, c.f);
	cap_close(&c);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	n = pread(fd, err, errlen - 1, 0);
	assert_true(n >= 0);
	err[n] = '\0';
	close(fd);
	unlink(path);
	*out = c.buf;
	return ret;
}

static void test_stdin(void **state)
{
	struct report_opts o = { .top = 10, .file = fixture("basic.jsonl") };
	char *want, *got, err[256];
	int fd, saved;

	(void)state;
	assert_int_equal(run(&o, &want, err, sizeof(err)), LW_EXIT_OK);
	assert_string_equal(err, "");
	assert_non_null(strstr(want, "9 events in 16 lines"));
	fd = open(fixture("basic.jsonl"), O_RDONLY);
	assert_true(fd >= 0);
	saved = dup(STDIN_FILENO);
	assert_true(dup2(fd, STDIN_FILENO) >= 0);
	close(fd);
	o.file = "-";
	assert_int_equal(run(&o, &got, err, sizeof(err)), LW_EXIT_OK);
	assert_true(dup2(saved, STDIN_FILENO) >= 0);
	close(saved);
	clearerr(stdin);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static void test_files(void **state)
{
	struct report_opts o = { .top = 10, .file = "/nonexistent/log.jsonl" };
	char *out, err[256];

	(void)state;
	assert_int_equal(run(&o, &out, err, sizeof(err)), LW_EXIT_ERROR);
	assert_string_equal(err, "latwatch: report: cannot open "
			    "'/nonexistent/log.jsonl': No such file or "
			    "directory\n");
	assert_string_equal(out, "");
	free(out);
	o.file = "/";
	assert_int_equal(run(&o, &out, err, sizeof(err)), LW_EXIT_ERROR);
	assert_string_equal(err, "latwatch: report: cannot read '/': "
			    "Is a directory\n");
	free(out);
	/* folded: the skipped lines are told on stderr */
	o.file = fixture("basic.jsonl");
	o.folded = true;
	assert_int_equal(run(&o, &out, err, sizeof(err)), LW_EXIT_OK);
	assert_string_equal(err,
		"latwatch: report: 2 lines skipped: not JSON (first at line 3)\n"
		"latwatch: report: 2 lines skipped: not an event (first at "
		"line 8)\n");
	assert_non_null(strstr(out, "\nhung;do_sync_read;folio_wait_bit;"
			       "io_schedule 120000\n"));
	free(out);
}

static int parse(struct report_opts *o, int argc, ...)
{
	char *argv[8];
	va_list ap;
	int i;

	argv[0] = "report";
	va_start(ap, argc);
	for (i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return report_parse_args(argc, argv, o);
}

static void test_args(void **state)
{
	struct report_opts o;

	(void)state;
	assert_int_equal(parse(&o, 2, "log"), LW_ARGS_OK);
	assert_string_equal(o.file, "log");
	assert_int_equal(o.top, LW_REPORT_TOP_DEFAULT);
	assert_false(o.json);
	assert_false(o.folded);
	assert_int_equal(parse(&o, 5, "--top", "3", "-j", "-"), LW_ARGS_OK);
	assert_int_equal(o.top, 3);
	assert_true(o.json);
	assert_string_equal(o.file, "-");
	assert_int_equal(parse(&o, 3, "--folded", "x"), LW_ARGS_OK);
	assert_true(o.folded);
	assert_int_equal(parse(&o, 3, "--top=1000", "x"), LW_ARGS_OK);
	assert_int_equal(o.top, 1000);
	assert_int_equal(parse(&o, 1), LW_EXIT_USAGE);
	assert_int_equal(parse(&o, 3, "a", "b"), LW_EXIT_USAGE);
	assert_int_equal(parse(&o, 4, "--top", "0", "x"), LW_EXIT_USAGE);
	assert_int_equal(parse(&o, 4, "--top", "1001", "x"), LW_EXIT_USAGE);
	assert_int_equal(parse(&o, 4, "--top", "-1", "x"), LW_EXIT_USAGE);
	assert_int_equal(parse(&o, 4, "--top", "5x", "x"), LW_EXIT_USAGE);
	assert_int_equal(parse(&o, 2, "--top"), LW_EXIT_USAGE);
	assert_int_equal(parse(&o, 4, "--json", "--folded", "x"),
			 LW_EXIT_USAGE);
	assert_int_equal(parse(&o, 3, "--bogus", "x"), LW_EXIT_USAGE);
}

/*
 * An incident counts once, as its inner event: the outer one (it lists
 * inner_seqs) is only counted apart, unless it is an alert's event.
 */
static void test_incident(void **state)
{
	static const char log[] =
		"{\"type\":\"softirq\",\"seq\":11,\"cpu\":0,"
		"\"duration_ns\":24000000,\"vector\":\"TIMER\","
		"\"inner_seqs\":[12],\"signature\":\"softirq/TIMER:x\"}\n"
		"{\"type\":\"timer\",\"seq\":12,\"cpu\":0,"
		"\"duration_ns\":23900000,\"function\":\"estimation_timer\","
		"\"outer_seq\":11,\"signature\":\"timer/estimation_timer:e\"}\n"
		"{\"type\":\"softirq\",\"seq\":13,\"inner_seqs\":[]}\n"
		"{\"alert\":\"any>=10ms\",\"signature\":\"softirq/TIMER:x\","
		"\"event\":{\"type\":\"softirq\",\"seq\":11,"
		"\"inner_seqs\":[12]}}\n";
	struct lw_report *r = parse_str(log, 10, false);

	(void)state;
	assert_int_equal(r->outer_events, 1);
	/* the timer, the softirq with no inner ones, the alert's event */
	assert_int_equal(r->events, 3);
	/* the timer's, the lone softirq's, the alert's */
	assert_int_equal(r->nsigs, 3);
	assert_string_equal(r->sigs[0].key, "timer/estimation_timer:e");
	assert_int_equal(r->sigs[0].count, 1);
	assert_int_equal(r->sigs[2].count, 1);
	lw_report_free(r);
}

static void test_bounds(void **state)
{
	struct lw_report *r;
	char line[256], *out;
	unsigned int i;

	(void)state;
	r = lw_report_new(3, false);
	assert_non_null(r);
	for (i = 0; i < LW_REPORT_MAX_SIGS + 100; i++) {
		snprintf(line, sizeof(line), "{\"type\":\"irqoff\",\"cpu\":%u,"
			 "\"duration_ns\":%u,\"stack\":[\"f%u+0x1\"]}\n",
			 i, i + 1, i);
		lw_report_feed(r, line, strlen(line));
	}
	for (i = 0; i < LW_REPORT_MAX_TYPES + 4; i++) {
		snprintf(line, sizeof(line), "{\"type\":\"t%u\"}\n", i);
		lw_report_feed(r, line, strlen(line));
	}
	lw_report_finish(r);
	assert_int_equal(r->nsigs, LW_REPORT_MAX_SIGS);
	/* the t* types fill the table after irqoff */
	assert_int_equal(r->other_sig_events, 100 + LW_REPORT_MAX_TYPES + 4);
	assert_int_equal(r->ntypes, LW_REPORT_MAX_TYPES - 1);
	assert_int_equal(r->types[LW_REPORT_MAX_TYPES - 1].count, 6);
	assert_string_equal(r->types[LW_REPORT_MAX_TYPES - 1].name, "(other)");
	assert_int_equal(r->cpu_count[LW_REPORT_MAX_CPUS - 1][0], 1);
	assert_int_equal(r->cpu_count[LW_REPORT_MAX_CPUS][0],
			 LW_REPORT_MAX_SIGS + 100 - LW_REPORT_MAX_CPUS);
	assert_int_equal(r->nworst, 3);
	assert_int_equal(r->worst[0].occ.duration_ns, LW_REPORT_MAX_SIGS + 100);
	assert_int_equal(r->worst[2].occ.duration_ns, LW_REPORT_MAX_SIGS + 98);
	out = print(r, OUT_TEXT);
	assert_non_null(strstr(out, "(120 events of signatures past the "
			       "first 4096 not told apart)"));
	assert_non_null(strstr(out, "\n  other  "));
	free(out);
	free(print(r, OUT_JSON));
	lw_report_free(r);

	r = lw_report_new(10, true);
	assert_non_null(r);
	for (i = 0; i < LW_REPORT_MAX_FOLDED + 10; i++) {
		snprintf(line, sizeof(line), "{\"type\":\"irqoff\","
			 "\"duration_ns\":2000000,\"stack\":[\"f%05u\"]}\n", i);
		lw_report_feed(r, line, strlen(line));
	}
	lw_report_finish(r);
	assert_int_equal(r->nfolded, LW_REPORT_MAX_FOLDED);
	assert_int_equal(lw_report_folded_other(r), 10);
	out = print(r, OUT_FOLDED);
	assert_true(!strncmp(out, "irqoff;[other stacks] 20\n", 25));
	assert_non_null(strstr(out, "irqoff;f00000 2\nirqoff;f00001 2\n"));
	free(out);
	lw_report_free(r);
}

/* Random bytes, and logs with bytes changed: never a crash, valid JSON. */
static void test_random(void **state)
{
	static const char *const names[] = {
		"basic.jsonl", "alerts.jsonl", "folded.jsonl",
	};
	char *log[3], *buf;
	size_t loglen[3], len, i, k;
	struct lw_report *r = NULL;
	unsigned int iter;
	FILE *f;

	(void)state;
	srand(12345);
	for (i = 0; i < 3; i++) {
		f = fopen(fixture(names[i]), "r");
		assert_non_null(f);
		log[i] = malloc(65536);
		assert_non_null(log[i]);
		loglen[i] = fread(log[i], 1, 65536, f);
		fclose(f);
	}
	buf = malloc(65536);
	assert_non_null(buf);
	for (iter = 0; iter < 3000; iter++) {
		if (iter % 3 == 0) {
			len = (size_t)rand() % 4096;
			for (k = 0; k < len; k++)
				buf[k] = (char)(rand() % 4 ? rand() : "{}[]\":,\n"[rand() % 8]);
		} else {
			i = (size_t)rand() % 3;
			len = loglen[i];
			memcpy(buf, log[i], len);
			for (k = (size_t)rand() % 8 + 1; k > 0; k--)
				buf[(size_t)rand() % len] = (char)rand();
			len -= (size_t)rand() % (len / 4);
		}
		/* a few buffers a report, one after the other */
		if (iter % 4 == 0) {
			lw_report_free(r);
			r = lw_report_new((unsigned int)rand() % 5 + 1,
					  iter & 4);
			assert_non_null(r);
		}
		lw_report_parse(r, buf, len);
		free(print(r, OUT_JSON));
		free(print(r, OUT_TEXT));
		free(print(r, OUT_FOLDED));
	}
	lw_report_free(r);
	for (i = 0; i < 3; i++)
		free(log[i]);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_top_order),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_period_offbeat),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_incident),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
