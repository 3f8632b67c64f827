// SPDX-License-Identifier: GPL-2.0
/*
 * A received netlink datagram, as "latwatch watch" and "latwatch agent"
 * read one: every message in it goes through each parser (events, lost
 * records, stats and histogram dumps, config replies, extended acks,
 * family notifications), and what parses is printed as text and JSON the
 * way the commands print it. Checks: the JSON is valid, the text has no
 * control characters but newlines, and "latwatch report" counts the
 * agent's JSON line of an event as one event (or one outer event).
 */
#include <errno.h>

#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>

#include "analysis/correlate.h"
#include "analysis/signature.h"
#include "analysis/verdict.h"
#include "lib/jsonw.h"
#include "report/report.h"
#include "sink/event_print.h"
#include "sink/hist_print.h"
#include "sink/stats_print.h"
#include "source/nl.h"
#include "source/nl_parse.h"
#include "fuzz.h"

/* A family id as the kernel could have given it. */
#define FUZZ_FAMILY	0x1c
/* The commands read datagrams into a buffer this large. */
#define FUZZ_MSG_MAX	65536

static FILE *devnull;

/* Human output: bytes of UTF-8 text and newlines, no control characters. */
static void check_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n') ||
		    s[i] == 0x7f)
			fuzz_fail("control character 0x%02x in text output: %.*s",
				  (unsigned char)s[i], (int)len, s);
}

/*
 * "latwatch report" reads back the line of one event or lost record: one
 * report for the whole datagram (making one costs a megabyte), which must
 * count one line more, and one event or lost record more, for each.
 */
static struct lw_report *report;

static void check_report(const char *line, size_t len, bool lost)
{
	uint64_t lines, events, records, skipped = 0;
	uint64_t outer;
	unsigned int i;

	if (!report) {
		report = lw_report_new(LW_REPORT_TOP_DEFAULT, false);
		FUZZ_ASSERT(report);
	}
	lines = report->lines;
	events = report->events;
	outer = report->outer_events;
	records = report->lost_records;
	for (i = 0; i < LW_SKIP_N; i++)
		skipped += report->skipped[i].count;
	lw_report_parse(report, line, len);
	for (i = 0; i < LW_SKIP_N; i++)
		skipped -= report->skipped[i].count;
	if (skipped)
		fuzz_fail("report skipped: %.*s", (int)len, line);
	FUZZ_ASSERT(report->lines == lines + 1);
	/* an incident's outer event is counted apart */
	FUZZ_ASSERT(report->events + report->outer_events ==
		    events + outer + !lost);
	FUZZ_ASSERT(report->lost_records == records + lost);
}

/* What the agent prints for an event: signature, verdict, JSON. */
static void event_agent(const struct lw_event *ev)
{
	char sig[LW_SIG_LEN], verdict[LW_VERDICT_LEN];
	struct fuzz_out o;
	struct jw j;

	lw_signature_event(sig, sizeof(sig), ev);
	lw_verdict(verdict, sizeof(verdict), ev, NULL);
	/* the signature keeps the kernel's bytes; the verdict is for people */
	check_text(verdict, strlen(verdict));

	jw_init(&j, fuzz_out_open(&o));
	jw_obj_open(&j);
	lw_event_json_members(&j, ev);
	jw_kv_str(&j, "signature", sig);
	jw_kv_str(&j, "verdict", verdict);
	jw_obj_close(&j);
	fputc('\n', o.f);
	fuzz_out_close(&o);
	fuzz_json_lines(o.buf, o.len);
	/* report needs the type; watch prints no type for an event without */
	if (ev->has & LW_EV_TYPE)
		check_report(o.buf, o.len, false);
	fuzz_out_free(&o);
}

static void event(struct nlmsghdr *nlh)
{
	struct lw_event ev;
	struct fuzz_out o;

	if (lw_event_parse(nlh, &ev))
		return;
	lw_event_print_text(fuzz_out_open(&o), &ev);
	fuzz_out_close(&o);
	check_text(o.buf, o.len);
	fuzz_out_free(&o);

	lw_event_print_json(fuzz_out_open(&o), &ev);
	fuzz_out_close(&o);
	fuzz_json_lines(o.buf, o.len);
	if (ev.has & LW_EV_TYPE)
		check_report(o.buf, o.len, false);
	fuzz_out_free(&o);

	event_agent(&ev);
}

static void lost(struct nlmsghdr *nlh)
{
	struct lw_lost lost;
	struct fuzz_out o;

	if (lw_lost_parse(nlh, &lost))
		return;
	lost.ts_ns = 1795312203123456789ull;
	lw_lost_print_text(fuzz_out_open(&o), &lost);
	fuzz_out_close(&o);
	check_text(o.buf, o.len);
	fuzz_out_free(&o);

	lw_lost_print_json(fuzz_out_open(&o), &lost);
	fuzz_out_close(&o);
	fuzz_json_lines(o.buf, o.len);
	check_report(o.buf, o.len, true);
	fuzz_out_free(&o);
}

struct dump {
	struct lw_stats stats;
	struct lw_hists all, one, irqoff;
	bool cfg_seen;
	struct lw_cfg cfg;
};

static void message(struct dump *d, struct nlmsghdr *nlh)
{
	char buf[LW_ERR_LEN];
	struct lw_stat st;
	struct lw_hist h;
	struct lw_cfg cfg;

	lw_genl_cmd(nlh);
	event(nlh);
	lost(nlh);
	if (!lw_stat_parse(nlh, &st))
		FUZZ_ASSERT(!lw_stats_add(&d->stats, &st));
	if (!lw_hist_parse(nlh, &h)) {
		FUZZ_ASSERT(h.nbuckets <= LATWATCH_HIST_BUCKETS);
		lw_hists_add(&d->all, &h);
		lw_hists_add(&d->one, &h);
		lw_hists_add(&d->irqoff, &h);
	}
	if (!lw_cfg_parse_msg(nlh, &cfg)) {
		d->cfg = cfg;
		d->cfg_seen = true;
	}
	if (!lw_extack_parse(nlh, buf, sizeof(buf)))
		FUZZ_ASSERT(strlen(buf) < sizeof(buf));
	lw_ctrl_family_gone(nlh, FUZZ_FAMILY);
	lw_ctrl_family_new(nlh);
}

static void print_dumps(struct dump *d)
{
	struct lw_hists *hs[] = { &d->all, &d->one, &d->irqoff };
	struct fuzz_out o;
	unsigned int i;

	lw_stats_sort(&d->stats);
	lw_stats_print_text(devnull, &d->stats);
	lw_stats_print_json(fuzz_out_open(&o), &d->stats);
	fuzz_out_close(&o);
	fuzz_json_lines(o.buf, o.len);
	fuzz_out_free(&o);

	for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		lw_hists_print_text(devnull, hs[i]);
		lw_hists_print_json(fuzz_out_open(&o), hs[i]);
		fuzz_out_close(&o);
		fuzz_json_lines(o.buf, o.len);
		fuzz_out_free(&o);
	}
	if (d->cfg_seen)
		lw_cfg_print(devnull, &d->cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh;
	struct dump *d;
	char *buf;
	int len;

	if (size > FUZZ_MSG_MAX)
		return 0;	/* the commands drop larger datagrams */
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		FUZZ_ASSERT(devnull);
	}
	/* exactly the datagram, so that reading past it is caught */
	buf = malloc(size ? size : 1);
	d = calloc(1, sizeof(*d));
	FUZZ_ASSERT(buf && d);
	memcpy(buf, data, size);
	lw_hists_init(&d->all, LATWATCH_EV_UNSPEC, false, 0);
	lw_hists_init(&d->one, LATWATCH_EV_UNSPEC, true, 1);
	lw_hists_init(&d->irqoff, LATWATCH_EV_IRQOFF, false, 0);

	len = (int)size;
	for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
	     nlh = nlmsg_next(nlh, &len))
		message(d, nlh);
	print_dumps(d);

	lw_report_free(report);
	report = NULL;
	lw_stats_free(&d->stats);
	free(d);
	free(buf);
	return 0;
}
