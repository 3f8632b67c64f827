// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch agent: the long-running side. It receives the module's events,
 * holds each one for a short settle time so that a snapshot of the
 * counters after its window exists, then explains it (correlation, verdict,
 * period), prints it, feeds the alert rules and the metrics.
 *
 * Everything runs in one poll() loop: the netlink socket (events and the
 * family notifications), a timerfd at the sampling interval, a signalfd
 * (SIGTERM/SIGINT: exit, SIGHUP: reload) and the metrics server's sockets.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "analysis/correlate.h"
#include "analysis/explain.h"
#include "analysis/period.h"
#include "analysis/rules.h"
#include "analysis/settle.h"
#include "cmd/agent_conf.h"
#include "cmd/cmd.h"
#include "lib/utils.h"
#include "sink/alert.h"
#include "sink/event_print.h"
#include "sink/metrics.h"
#include "sink/metrics_http.h"
#include "source/nl.h"
#include "source/nl_parse.h"
#include "source/snapshots.h"
#include "source/stream.h"

#ifndef LATWATCH_VERSION
#define LATWATCH_VERSION "unknown"
#endif

#define AGENT_RCVBUF		(8 << 20)
/* How often to look for the module while it is not loaded. */
#define AGENT_RETRY_NS		(1000ULL * 1000 * 1000)
/* Snapshots kept: 60 s of history at the default interval. */
#define AGENT_HISTORY_S		60
/* How often the module's counters are read for the metrics. */
#define AGENT_STATS_NS		(1000ULL * 1000 * 1000)
#define AGENT_MAX_POLLFDS	(3 + LW_METRICS_NPOLLFD)

#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

struct agent {
	int argc;
	char **argv;
	struct lw_agent_opts o;

	struct lw_stream st;	/* the module's events */
	uint64_t retry_mono;
	uint64_t events_base;	/* events the module had sent at subscribing */
	uint64_t stats_mono;	/* when to read its counters next */

	struct lw_snapshots snaps;
	struct lw_periods periods;
	struct lw_alerter alerter;
	bool alerter_on;
	struct lw_metrics metrics;
	struct lw_metrics_srv srv;
	bool srv_on;

	struct lw_settle held;	/* events waiting to be explained */

	bool cursor_tried;	/* the cursor file: opened, or given up on */

	int sigfd;
	int tfd;
	bool stop;
	uint64_t fired[LW_AGENT_MAX_RULES];	/* alerter counts seen */
	uint64_t suppressed[LW_AGENT_MAX_RULES];
	uint64_t malformed;
	struct lw_out out;	/* stdout */
	bool out_failed;	/* it failed, and the agent said so */
};

static const char *agent_state(const struct lw_agent_opts *o)
{
	return o->state_file ? o->state_file : LW_AGENT_STATE;
}

/* ---- the module ---- */

static int agent_apply_module_cfg(struct agent *a, struct lw_nl *req)
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
 * not loaded).
 */
static int agent_subscribe(struct agent *a, bool first)
{
	struct lw_nl req;
	int err;

	err = lw_nl_open(&req);
	if (err) {
		if (err == -ENOENT && !first)
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

static void agent_module_back(void *arg)
{
	struct agent *a = arg;

	if (agent_subscribe(a, false)) {
		a->retry_mono = lw_mono_ns() + AGENT_RETRY_NS;
		return;
	}
	lw_metrics_module_reload(&a->metrics);
	lw_err("agent: the module is loaded again (family %d); receiving events",
	       lw_stream_family(&a->st));
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
static void agent_metrics_rules(struct agent *a)
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

static void agent_alerts(struct agent *a, const struct lw_event *ev,
			 const char *sig, const char *verdict,
			 const char *json, uint64_t nicdrops)
{
	uint64_t now = lw_mono_ns();
	unsigned int i;

	for (i = 0; i < a->o.nrules; i++) {
		const struct lw_rule *r = &a->o.rules[i];

		if (!lw_rule_match(r, ev->type, ev->duration_ns, nicdrops))
			continue;
		lw_alert_event(&a->alerter, r, sig, verdict, json ? json : "{}",
			       ev->duration_ns, now);
	}
	agent_metrics_alerts(a);
}

static void agent_explain(struct agent *a, const struct lw_event *ev,
			  bool replayed)
{
	struct lw_explained x;
	char *json;

	lw_explain(&x, ev, &a->snaps, &a->periods);
	json = lw_explained_json(ev, &x, replayed);
	if (!json)
		lw_err("agent: out of memory formatting an event");
	lw_metrics_event(&a->metrics, ev->type, ev->cpu, ev->duration_ns);
	if (x.have_corr)
		agent_metrics_corr(a, &x.corr);
	agent_print(a, ev, json, x.verdict,
		    x.periodic ? x.period_text : NULL, replayed);
	agent_alerts(a, ev, x.sig, x.verdict, json, x.nicdrops);
	free(json);
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
static void agent_release(void *arg, struct nlmsghdr *nlh, bool replayed)
{
	struct agent *a = arg;
	struct lw_event ev;
	int err = lw_event_parse(nlh, &ev);

	if (err)
		agent_malformed(a, "event", err);
	else
		agent_explain(a, &ev, replayed);
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
static void agent_drain(struct agent *a, bool all)
{
	lw_settle_release(&a->held, &a->snaps, a->o.settle_ns, all);
	agent_save_cursor(a);
}

/* An event from the stream: held until its settle time is over. */
static int agent_event(void *arg, struct nlmsghdr *nlh,
		       const struct lw_event *ev, bool replayed)
{
	struct agent *a = arg;

	if (lw_settle_hold(&a->held, nlh, ev, replayed)) {
		lw_err("agent: out of memory holding an event; explaining it now");
		agent_explain(a, ev, replayed);
	}
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

static const struct lw_stream_ops agent_stream_ops = {
	.event = agent_event,
	.lost = agent_lost,
	.bad = agent_bad,
	.overrun = agent_overrun,
	.gone = agent_module_gone,
	.back = agent_module_back,
};

/*
 * Read what there is: 0, or an exit code. *none: the socket had nothing
 * to read at all, or read as empty.
 */
static int agent_recv(struct agent *a, bool *none)
{
	int r;

	*none = true;
	for (;;) {
		r = lw_stream_read(&a->st);
		if (r > 0) {
			*none = false;
			continue;
		}
		if (!r)
			return 0;
		if (errno == EINTR) {
			*none = false;
			return 0;
		}
		/*
		 * Not a full buffer, not the module going: the socket the
		 * agent lives on is broken, and poll() would wake us for the
		 * same error again and again.
		 */
		lw_err("agent: receiving events: %s; exiting", strerror(errno));
		return LW_EXIT_ERROR;
	}
}

/*
 * poll() flagged fd (POLLHUP, POLLERR, POLLNVAL) and it had nothing to
 * read: nothing will ever come, and poll() would flag it again at once.
 * Says so; false if revents has none of those.
 */
static bool agent_broken(const char *what, int fd, short revents)
{
	char why[LW_ERR_LEN];

	if (!lw_poll_why(why, sizeof(why), revents, lw_sock_error(fd)))
		return false;
	lw_err("agent: %s %s; exiting", what, why);
	return true;
}

/* ---- setup, reload, loop ---- */

static int agent_signalfd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int agent_timerfd(uint64_t interval_ns)
{
	struct itimerspec its = {
		.it_interval = {
			.tv_sec = (time_t)(interval_ns / NSEC_PER_SEC),
			.tv_nsec = (long)(interval_ns % NSEC_PER_SEC),
		},
	};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	its.it_value = its.it_interval;
	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL)) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned int agent_history(const struct lw_agent_opts *o)
{
	uint64_t n = AGENT_HISTORY_S * NSEC_PER_SEC / o->interval_ns;

	return n < 16 ? 16 : n > 6000 ? 6000 : (unsigned int)n;
}

/* SIGHUP: new options from the file and the same command line. */
static void agent_reload(struct agent *a)
{
	struct lw_agent_opts o;
	struct lw_nl req;
	int fd;

	if (agent_parse_args(a->argc, a->argv, &o, true) != LW_ARGS_OK) {
		lw_err("agent: reload failed; keeping the old settings");
		lw_alert_reopen(&a->alerter);
		return;
	}
	if (lw_alert_reconfigure(&a->alerter, &o)) {
		lw_err("agent: reload failed; keeping the old settings");
		lw_alert_reopen(&a->alerter);
		lw_agent_opts_free(&o);
		return;
	}
	if ((o.metrics_addr || a->o.metrics_addr) &&
	    (!o.metrics_addr || !a->o.metrics_addr ||
	     strcmp(o.metrics_addr, a->o.metrics_addr)))
		lw_err("agent: a new --metrics address takes a restart");
	if (o.interval_ns != a->o.interval_ns) {
		fd = agent_timerfd(o.interval_ns);
		if (fd >= 0) {
			dup2(fd, a->tfd);
			close(fd);
		}
	}
	/* Keep the old metrics address: the server is bound to it. */
	free(o.metrics_addr);
	o.metrics_addr = a->o.metrics_addr;
	a->o.metrics_addr = NULL;
	lw_agent_opts_free(&a->o);
	a->o = o;
	if (lw_stream_loaded(&a->st) && a->o.module.has &&
	    !lw_nl_open(&req)) {
		agent_apply_module_cfg(a, &req);
		lw_nl_close(&req);
	}
	agent_metrics_rules(a);
	lw_err("agent: reloaded: %u alert rules", a->o.nrules);
}

static void agent_signal(struct agent *a)
{
	char name[LW_SIGNAL_LEN], from[LW_SIGNAL_LEN];
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			agent_reload(a);
		} else {
			lw_signal_sender(from, &si);
			lw_err("agent: %s, exiting (%s)",
			       lw_signal_name(si.ssi_signo, name), from);
			a->stop = true;
		}
	}
}

/* The module's per-CPU counters, into the metrics. */
static void agent_metrics_module(struct agent *a)
{
	struct lw_stats st = { 0 };
	struct lw_nl req;

	if (lw_nl_open(&req))
		return;
	if (!lw_nl_stats(&req, &st))
		lw_metrics_module_stats(&a->metrics, &st);
	lw_stats_free(&st);
	lw_nl_close(&req);
}

static void agent_tick(struct agent *a)
{
	uint64_t expirations, now;

	if (read(a->tfd, &expirations, sizeof(expirations)) < 0)
		return;
	now = lw_mono_ns();
	if (lw_snapshots_take(&a->snaps, lw_now_ns(), now))
		lw_err("agent: sampling the counters failed");
	agent_drain(a, false);
	if (a->srv_on && lw_stream_loaded(&a->st) &&
	    now >= a->stats_mono) {
		a->stats_mono = now + AGENT_STATS_NS;
		agent_metrics_module(a);
	}
	if (!lw_stream_loaded(&a->st) && now >= a->retry_mono) {
		a->retry_mono = now + AGENT_RETRY_NS;
		agent_module_back(a);
	}
}

/* The periodic signatures, for the metrics at scrape time. */
static void agent_metrics_period(const char *sig, const struct lw_period *pd,
				 void *arg)
{
	char type[32];
	size_t n = strcspn(sig, "/:");

	snprintf(type, sizeof(type), "%.*s", (int)n, sig);
	lw_metrics_periodic_add(arg, sig, lw_event_type_find(type),
				pd->period_ns);
}

/*
 * Until SIGTERM or SIGINT, or an error; each says why. The module going
 * away is none: the agent waits for it. Nor can the subscription end
 * while the socket is open (see watch_loop() in cmd_watch.c).
 */
static int agent_loop(struct agent *a)
{
	struct pollfd pfd[AGENT_MAX_POLLFDS];
	unsigned int n, nsrv;
	int ret;

	while (!a->stop) {
		bool kept = lw_stream_pending(&a->st), none = false;

		pfd[0] = (struct pollfd){ .fd = lw_stream_fd(&a->st),
					  .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = a->sigfd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = a->tfd, .events = POLLIN };
		n = 3;
		nsrv = a->srv_on ? lw_metrics_pollfds(&a->srv, pfd + n,
						      AGENT_MAX_POLLFDS - n) : 0;
		/*
		 * 100 ms at most: alert commands time out on the tick. Not at
		 * all with datagrams kept while subscribing.
		 */
		if (poll(pfd, n + nsrv, kept ? 0 : 100) < 0) {
			if (errno == EINTR)
				continue;
			lw_err("agent: poll: %s", strerror(errno));
			return LW_EXIT_ERROR;
		}
		/* A working signalfd or timerfd flags only POLLIN. */
		if (!(pfd[1].revents & POLLIN) &&
		    agent_broken("the signalfd", a->sigfd, pfd[1].revents))
			return LW_EXIT_ERROR;
		if (!(pfd[2].revents & POLLIN) &&
		    agent_broken("the timerfd", a->tfd, pfd[2].revents))
			return LW_EXIT_ERROR;
		if (pfd[1].revents)
			agent_signal(a);
		if (pfd[0].revents || kept) {
			ret = agent_recv(a, &none);
			if (ret)
				return ret;
		}
		if (none && agent_broken("the netlink socket",
					 lw_stream_fd(&a->st), pfd[0].revents))
			return LW_EXIT_ERROR;
		if (pfd[2].revents)
			agent_tick(a);
		lw_alert_tick(&a->alerter, lw_mono_ns());
		if (a->srv_on) {
			lw_metrics_periodic_clear(&a->metrics);
			lw_periods_foreach(&a->periods, lw_now_ns(),
					   agent_metrics_period, &a->metrics);
			lw_metrics_handle(&a->srv, pfd + n, nsrv, &a->metrics,
					  lw_mono_ns());
		}
	}
	return LW_EXIT_OK;
}

static int agent_setup(struct agent *a)
{
	char err[LW_ERR_LEN];
	int ret;

	a->sigfd = agent_signalfd();
	a->tfd = agent_timerfd(a->o.interval_ns);
	if (a->sigfd < 0 || a->tfd < 0) {
		lw_err("agent: signalfd/timerfd: %s", strerror(errno));
		return LW_EXIT_ERROR;
	}
	lw_metrics_init(&a->metrics, LATWATCH_VERSION);
	if (lw_snapshots_init(&a->snaps, "", agent_history(&a->o)) ||
	    lw_periods_init(&a->periods, LW_PERIOD_SIGS, LW_PERIOD_OCC)) {
		lw_err("agent: out of memory");
		return LW_EXIT_ERROR;
	}
	if (lw_alert_init(&a->alerter, &a->o))
		return LW_EXIT_ERROR;
	a->alerter_on = true;
	agent_metrics_rules(a);
	if (a->o.metrics_addr) {
		if (lw_metrics_listen(&a->srv, a->o.metrics_addr, err,
				      sizeof(err))) {
			lw_err("agent: --metrics %s: %s", a->o.metrics_addr, err);
			return LW_EXIT_USAGE;
		}
		a->srv_on = true;
	}
	ret = lw_stream_open(&a->st, AGENT_RCVBUF);
	if (ret)
		return ret;
	ret = agent_subscribe(a, true);
	if (ret)
		return ret;
	lw_snapshots_take(&a->snaps, lw_now_ns(), lw_mono_ns());
	lw_err("agent: receiving events (family %d), %u alert rules, sampling every %llu ms",
	       lw_stream_family(&a->st), a->o.nrules,
	       (unsigned long long)(a->o.interval_ns / NSEC_PER_MSEC));
	return 0;
}

static void agent_teardown(struct agent *a)
{
	agent_drain(a, true);
	lw_settle_free(&a->held);
	if (a->alerter_on) {
		lw_alert_flush(&a->alerter, lw_mono_ns());
		lw_alert_free(&a->alerter);
	}
	if (a->srv_on)
		lw_metrics_srv_close(&a->srv);
	lw_periods_free(&a->periods);
	lw_snapshots_free(&a->snaps);
	lw_stream_close(&a->st);
	if (a->sigfd >= 0)
		close(a->sigfd);
	if (a->tfd >= 0)
		close(a->tfd);
	lw_agent_opts_free(&a->o);
}

int cmd_agent(int argc, char **argv)
{
	static struct agent a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.sigfd = -1;
	a.tfd = -1;
	lw_stream_init(&a.st, &agent_stream_ops, &a);
	lw_settle_init(&a.held, agent_release, &a);
	a.out.f = stdout;
	a.argc = argc;
	a.argv = argv;
	ret = agent_parse_args(argc, argv, &a.o, false);
	if (ret != LW_ARGS_OK)
		return ret;
	/* A full pipe must not stop the agent; a closed one must not kill it. */
	signal(SIGPIPE, SIG_IGN);
	ret = agent_setup(&a);
	if (!ret)
		ret = agent_loop(&a);
	agent_teardown(&a);
	return ret;
}
