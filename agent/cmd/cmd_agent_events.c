// SPDX-License-Identifier: GPL-2.0
/*
 * "latwatch agent": what the module's events call for. Subscribing and
 * catching up (source/stream.h), holding each event until it can be
 * explained (analysis/settle.h), explaining it (analysis/explain.h), then
 * printing it, raising the alerts its rules call for and counting it in
 * the metrics; lost records, overruns and the module going and coming
 * back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/correlate.h"
#include "analysis/explain.h"
#include "analysis/rules.h"
#include "cmd/agent_internal.h"
#include "sink/event_print.h"
#include "source/nl_parse.h"

/* agent_alerts() keeps the rules an incident fired in a 64-bit mask. */
_Static_assert(LW_AGENT_MAX_RULES <= 64, "one bit per rule");

static const char *agent_state(const struct lw_agent_opts *o)
{
	return o->state_file ? o->state_file : LW_AGENT_STATE;
}

/* ---- the module ---- */

int agent_apply_module_cfg(struct agent *a, struct lw_nl *req)
{
	int err;

	if (!a->o.module.has)
		return 0;
	err = lw_nl_config_set(req, &a->o.module);
	if (err)
		return lw_nl_fail(req, err, "applying the module settings");
	return 0;
}

/* Events the module sent; from a module without that counter, recorded. */
static uint64_t agent_module_events(struct lw_nl *req)
{
	struct lw_stats st = { 0 };
	uint64_t sum = 0;
	size_t i;

	if (lw_nl_stats(req, &st))
		return 0;
	for (i = 0; i < st.n; i++) {
		const struct lw_stat *c = &st.cpu[i];

		if (c->has & (1u << LW_STAT_DELIVERED))
			sum += c->ctr[LW_STAT_DELIVERED];
		else
			sum += c->ctr[LW_STAT_EVENTS];
	}
	lw_stats_free(&st);
	return sum;
}

/*
 * The cursor file, if --state is not "none". A file that is not one is a
 * configuration error; one that cannot be opened (a read-only /var) only
 * costs the events missed while the agent does not run.
 */
static int agent_open_cursor(struct agent *a)
{
	const char *path = agent_state(&a->o);
	char err[LW_ERR_LEN];
	int ret;

	if (a->cursor_tried)
		return 0;
	a->cursor_tried = true;
	if (!strcmp(path, "none"))
		return 0;
	ret = lw_stream_open_cursor(&a->st, path, err, sizeof(err));
	if (ret == -EINVAL) {
		lw_err("agent: --state: %s", err);
		return LW_EXIT_USAGE;
	}
	if (ret)
		lw_err("agent: --state: %s; events that come while the agent does not run will not be fetched",
		       err);
	return 0;
}

/*
 * Subscribed: fetch the events the module kept since the last one we
 * explained. Live ones queue on the stream's socket meanwhile, and those
 * fetched here are dropped when they come. The cursor file is opened the
 * first time, once we know we may listen. 0, or an exit code.
 */
static int agent_catch_up(struct agent *a, struct lw_nl *req)
{
	struct lw_stream_fetch f;
	int err;

	err = agent_open_cursor(a);
	if (err || !lw_stream_has_cursor(&a->st))
		return err;
	err = lw_stream_instance(&a->st, req);
	if (err) {
		lw_nl_fail(req, err, "agent: asking for the module instance");
		return 0;
	}
	err = lw_stream_replay(&a->st, req, &f);
	if (err)
		lw_nl_fail(req, err, "agent: fetching the events it missed");
	if (f.fetched)
		lw_err("agent: fetched %llu events that came while it was not running",
		       (unsigned long long)f.fetched);
	if (f.first > f.after + 1)
		lw_err("agent: %llu events that came while it was not running are no longer kept (see replay_events)",
		       (unsigned long long)(f.first - f.after - 1));
	return 0;
}

/*
 * Find the family, apply the settings and subscribe to its events on the
 * event socket. Returns 0, or an exit code (LW_EXIT_NOMOD if the module is
 * not loaded: said only on the first try, unless --wait-module).
 */
int agent_subscribe(struct agent *a, bool first)
{
	struct lw_nl req;
	int err;

	err = lw_nl_open(&req);
	if (err) {
		if (err == -ENOENT && (!first || a->o.wait_module))
			return LW_EXIT_NOMOD;
		return lw_nl_fail(&req, err, "connecting to the module");
	}
	err = agent_apply_module_cfg(a, &req);
	if (err && first)
		goto out;
	err = lw_stream_subscribe(&a->st, &req);
	if (err)
		goto out;
	a->events_base = agent_module_events(&req);
	lw_metrics_set_module_loaded(&a->metrics, true);
	a->was_loaded = true;
	err = agent_catch_up(a, &req);
out:
	lw_nl_close(&req);
	return err;
}

static void agent_module_gone(void *arg)
{
	struct agent *a = arg;

	a->retry_mono = lw_mono_ns() + AGENT_RETRY_NS;
	lw_metrics_set_module_loaded(&a->metrics, false);
	lw_err("agent: the module was unloaded; waiting for it to come back");
}

void agent_module_back(void *arg)
{
	struct agent *a = arg;
	bool again = a->was_loaded;

	if (lw_stream_recorded(&a->st)) {
		/* Subscribed already: the stream follows the recording. */
		lw_metrics_set_module_loaded(&a->metrics, true);
		lw_metrics_module_reload(&a->metrics);
		lw_err("agent: the module is loaded again (in the recording)");
		return;
	}
	if (agent_subscribe(a, false)) {
		a->retry_mono = lw_mono_ns() + AGENT_RETRY_NS;
		return;
	}
	if (again)
		lw_metrics_module_reload(&a->metrics);
	lw_err("agent: the module is loaded%s (family %d); receiving events",
	       again ? " again" : "", lw_stream_family(&a->st));
}

static void agent_print(struct agent *a, const struct lw_event *ev,
			const char *json, const char *verdict,
			const char *period, bool replayed)
{
	errno = 0;
	if (a->o.json) {
		if (json)
			printf("%s\n", json);
	} else {
		lw_event_print_text(stdout, ev);
		printf("  verdict: %s\n", verdict);
		if (period)
			printf("  period:  %s\n", period);
		if (replayed)
			printf("  replayed: it came while the agent was not running\n");
	}
	lw_out_note(&a->out);
}

static void agent_print_lost(struct agent *a, const struct lw_lost *lost)
{
	errno = 0;
	if (a->o.json)
		lw_lost_print_json(stdout, lost);
	else
		lw_lost_print_text(stdout, lost);
	lw_out_note(&a->out);
}

static void agent_metrics_corr(struct agent *a, const struct lw_corr *c)
{
	unsigned int i;

	for (i = 0; i < c->nnic; i++)
		lw_metrics_nic_drops(&a->metrics, c->nic[i].ifname,
				     c->nic[i].total);
	for (i = 0; i < c->nsoftnet; i++)
		lw_metrics_softnet_drops(&a->metrics, c->softnet[i].cpu,
					 c->softnet[i].dropped);
}

/*
 * The rules' counters, so that they show before they first fire; the
 * alerter's counts (kept across a reload) are where we start counting.
 */
void agent_metrics_rules(struct agent *a)
{
	const struct lw_alert_stats *st = lw_alert_stats(&a->alerter);
	unsigned int i;

	for (i = 0; i < a->o.nrules; i++) {
		lw_metrics_add_rule(&a->metrics, a->o.rules[i].text);
		a->fired[i] = st->fired[i];
		a->suppressed[i] = st->suppressed[i];
	}
}

/* What the alerter did since last time, into the metrics. */
static void agent_metrics_alerts(struct agent *a)
{
	const struct lw_alert_stats *st = lw_alert_stats(&a->alerter);
	unsigned int i;

	for (i = 0; i < a->o.nrules; i++) {
		for (; a->fired[i] < st->fired[i]; a->fired[i]++)
			lw_metrics_alert(&a->metrics, a->o.rules[i].text, false);
		for (; a->suppressed[i] < st->suppressed[i]; a->suppressed[i]++)
			lw_metrics_alert(&a->metrics, a->o.rules[i].text, true);
	}
}

/*
 * The rules ev matches raise their alerts; a rule that an earlier event
 * of ev's incident fired does not fire again. The incident's outer brief
 * keeps which did (LW_AGENT_MAX_RULES fit its bits).
 */
static void agent_alerts(struct agent *a, const struct lw_event *ev,
			 const char *sig, const char *verdict,
			 const char *json, uint64_t nicdrops)
{
	uint64_t id = lw_incident_id(ev), now = lw_mono_ns();
	struct lw_brief *outer;
	unsigned int i;

	outer = id ? lw_incident_find(&a->incidents, ev, id) : NULL;
	for (i = 0; i < a->o.nrules; i++) {
		const struct lw_rule *r = &a->o.rules[i];

		if (!lw_rule_match(r, ev->type, ev->duration_ns, nicdrops))
			continue;
		if (outer && (outer->fired & (1ull << i)))
			continue;
		if (outer)
			outer->fired |= 1ull << i;
		lw_alert_event(&a->alerter, r, sig, verdict, json ? json : "{}",
			       ev->duration_ns, now);
	}
	agent_metrics_alerts(a);
}

static void agent_explain(struct agent *a, const struct lw_event *ev,
			  bool replayed)
{
	char story[LW_VERDICT_LEN];
	struct lw_explained x;
	const char *json;

	if (!lw_incident_story(story, sizeof(story), &a->incidents, ev))
		story[0] = '\0';
	lw_explain(&x, ev, story, &a->snaps, &a->periods);
	if (lw_explained_json(&a->json, ev, &x, replayed)) {
		lw_err("agent: out of memory formatting an event");
		json = NULL;
	} else {
		json = a->json.buf;
	}
	lw_metrics_event(&a->metrics, ev->type, ev->cpu, ev->duration_ns);
	if (x.have_corr)
		agent_metrics_corr(a, &x.corr);
	agent_print(a, ev, json, x.verdict,
		    x.periodic ? x.period_text : NULL, replayed);
	agent_alerts(a, ev, x.sig, x.verdict, json, x.nicdrops);
	lw_stream_consumed(&a->st, ev);
}

static void agent_malformed(struct agent *a, const char *what, int err)
{
	a->malformed++;
	lw_metrics_malformed(&a->metrics);
	/* Say it for the first ones and then every thousandth. */
	if (a->malformed <= 10 || !(a->malformed % 1000))
		lw_err("agent: ignoring a malformed %s (%s); %llu so far", what,
		       strerror(-err), (unsigned long long)a->malformed);
}

/* An event held long enough: explain it. */
void agent_release(void *arg, const struct lw_event *ev, bool replayed)
{
	agent_explain(arg, ev, replayed);
}

/*
 * Out with what was printed. A stdout that fails (a closed pipe: SIGPIPE
 * is ignored) does not stop the agent, whose alerts and metrics go on; it
 * says so once.
 */
static void agent_flush(struct agent *a)
{
	int err = lw_flush(&a->out);

	if (err && !a->out_failed)
		lw_err("agent: writing the events to stdout: %s; going on without them",
		       strerror(err));
	if (err)
		a->out_failed = true;
}

/*
 * Out with what was printed, then move the cursor past it: a crash in
 * between prints the last events again on the next start, but loses none.
 */
static void agent_save_cursor(struct agent *a)
{
	int err;

	agent_flush(a);
	err = lw_stream_save(&a->st);
	if (err)
		lw_err("agent: saving its place in %s: %s", agent_state(&a->o),
		       strerror(-err));
}

/* Explain the events whose settle time is over. */
void agent_drain(struct agent *a, bool all)
{
	lw_settle_release(&a->held, &a->snaps, a->o.settle_ns, all);
	agent_save_cursor(a);
}

/*
 * The snapshots read the driver statistics once a second, as each
 * request takes the RTNL lock: around an event they read them at every
 * tick, so that its window has readings one interval away on either
 * side. The next tick is within one interval; half of one more is the
 * timer's slack.
 */
void agent_eth_burst(struct agent *a, uint64_t now)
{
	lw_snapshots_eth_burst(&a->snaps,
			       now + a->o.interval_ns + a->o.interval_ns / 2);
}

/* An event from the stream: held until its settle time is over. */
static int agent_event(void *arg, struct nlmsghdr *nlh,
		       const struct lw_event *ev, bool replayed)
{
	struct agent *a = arg;

	lw_incident_note(&a->incidents, ev);
	if (lw_settle_hold(&a->held, nlh, ev, replayed)) {
		lw_err("agent: out of memory holding an event; explaining it now");
		agent_explain(a, ev, replayed);
		return 0;
	}
	agent_eth_burst(a, lw_mono_ns());
	return 0;
}

/* A lost record of the module, or our socket overran. */
static void agent_lost(void *arg, struct lw_lost *lost)
{
	struct agent *a = arg;

	if (lost->reason == LW_LOST_OVERRUN) {
		lw_metrics_netlink_overrun(&a->metrics);
	} else {
		lw_metrics_lost(&a->metrics, LW_LOST_KERNEL, lost->count);
		lw_err("agent: the module lost %llu events (%llu in all)",
		       (unsigned long long)lost->count,
		       (unsigned long long)lost->total);
	}
	agent_print_lost(a, lost);
}

static void agent_bad(void *arg, enum lw_stream_bad what, int err,
		      size_t len)
{
	static const char *const whats[] = {
		[LW_STREAM_BAD_EVENT] = "event",
		[LW_STREAM_BAD_LOST] = "lost record",
		[LW_STREAM_TOO_LARGE] = "message (too large)",
		[LW_STREAM_TRAILING] = "message (trailing bytes)",
		[LW_STREAM_BAD_RECORDING] = "recording (the rest is no message)",
	};

	(void)len;
	agent_malformed(arg, whats[what], err);
}

/*
 * The socket's buffer overflowed and the module is still the one we
 * subscribed to: compare what it sent with what we received.
 */
static void agent_overrun(void *arg, struct lw_nl *req)
{
	struct agent *a = arg;
	uint64_t sent = agent_module_events(req) - a->events_base;

	lw_err("agent: netlink receive buffer overrun #%llu: the module sent %llu events since we subscribed, we received %llu",
	       (unsigned long long)a->st.overruns, (unsigned long long)sent,
	       (unsigned long long)a->st.received);
}

const struct lw_stream_ops agent_stream_ops = {
	.event = agent_event,
	.lost = agent_lost,
	.bad = agent_bad,
	.overrun = agent_overrun,
	.gone = agent_module_gone,
	.back = agent_module_back,
};
