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
 * This file sets it up and runs the loop; what the events call for is in
 * cmd_agent_events.c.
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

#include "cmd/agent_internal.h"
#include "cmd/cmd.h"

#ifndef LATWATCH_VERSION
#define LATWATCH_VERSION "unknown"
#endif

#define AGENT_RCVBUF		(8 << 20)
/* Snapshots kept: 60 s of history at the default interval. */
#define AGENT_HISTORY_S		60
/* How often the module's counters are read for the metrics. */
#define AGENT_STATS_NS		(1000ULL * 1000 * 1000)
#define AGENT_MAX_POLLFDS	(3 + LW_METRICS_NPOLLFD)
/* Datagrams read a turn of the loop at most. */
#define AGENT_RECV_MAX		256

#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

/*
 * Read what there is, AGENT_RECV_MAX datagrams at most: 0, or an exit
 * code. *none: the socket had nothing to read at all, or read as empty.
 * A stream that never runs dry (a flood the agent does not keep up with)
 * must leave the loop its turns: the timer that samples the counters and
 * lets held events go, the signals, the metrics server.
 */
static int agent_recv(struct agent *a, bool *none)
{
	unsigned int n;
	int r;

	*none = true;
	for (n = 0; n < AGENT_RECV_MAX; n++) {
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
	return 0;
}

/*
 * poll() flagged fd (POLLHUP, POLLERR, POLLNVAL) and it had nothing to
 * read: nothing will ever come, and poll() would flag it again at once.
 * Says so; false if revents has none of those.
 */
static bool agent_broken(const char *what, int fd, short revents)
{
	char why[LW_ERR_LEN];

	/* not a getsockopt() at every turn of the loop for nothing */
	if (!(revents & (POLLERR | POLLHUP | POLLNVAL)))
		return false;
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
	if (lw_stream_loaded(&a->st) && !lw_stream_recorded(&a->st) &&
	    a->o.module.has && !lw_nl_open(&req)) {
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
	bool held;

	if (read(a->tfd, &expirations, sizeof(expirations)) < 0)
		return;
	now = lw_mono_ns();
	if (lw_snapshots_take(&a->snaps, lw_now_ns(), now))
		lw_err("agent: sampling the counters failed");
	held = lw_settle_count(&a->held) > 0;
	agent_drain(a, false);
	/* while events wait, and for one tick after the last is let go */
	if (held)
		agent_eth_burst(a, now);
	/* A recording has no module to ask. */
	if (lw_stream_recorded(&a->st))
		return;
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
 * Whether poll() flagged a socket of the metrics server: only then may
 * lw_metrics_handle() answer a scrape, and need the periodic signatures
 * of the moment. Walking them each turn of the loop cost an event at a
 * time as much as a tenth of explaining it.
 */
static bool agent_srv_busy(const struct pollfd *pfd, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pfd[i].revents)
			return true;
	return false;
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
		 * all with datagrams kept while subscribing, or messages of a
		 * recording read already.
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
		if (lw_stream_ended(&a->st)) {
			lw_err("agent: the recording ended: %llu events",
			       (unsigned long long)a->st.received);
			return LW_EXIT_OK;
		}
		if (none && agent_broken("the netlink socket",
					 lw_stream_fd(&a->st), pfd[0].revents))
			return LW_EXIT_ERROR;
		if (pfd[2].revents)
			agent_tick(a);
		lw_alert_tick(&a->alerter, lw_mono_ns());
		if (a->srv_on) {
			if (agent_srv_busy(pfd + n, nsrv)) {
				lw_metrics_periodic_clear(&a->metrics);
				lw_periods_foreach(&a->periods, lw_now_ns(),
						   agent_metrics_period,
						   &a->metrics);
			}
			lw_metrics_handle(&a->srv, pfd + n, nsrv, &a->metrics,
					  lw_mono_ns());
		}
	}
	return LW_EXIT_OK;
}

/*
 * --replay-netlink: the recording instead of the module, and nothing
 * asked of the module (its settings, its kept events, its counters).
 */
static int agent_open_recording(struct agent *a)
{
	int fd = lw_open_recording("agent", a->o.replay);

	if (fd < 0)
		return LW_EXIT_ERROR;
	if (lw_stream_open_recording(&a->st, fd)) {
		close(fd);
		lw_err("agent: out of memory");
		return LW_EXIT_ERROR;
	}
	lw_metrics_set_module_loaded(&a->metrics, true);
	lw_snapshots_take(&a->snaps, lw_now_ns(), lw_mono_ns());
	lw_err("agent: replaying %s, %u alert rules, sampling every %llu ms",
	       lw_show(a->o.replay).s, a->o.nrules,
	       (unsigned long long)(a->o.interval_ns / NSEC_PER_MSEC));
	return 0;
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
	if (a->o.replay)
		return agent_open_recording(a);
	ret = lw_stream_open(&a->st, AGENT_RCVBUF);
	if (ret)
		return ret;
	ret = agent_subscribe(a, true);
	if (ret == LW_EXIT_NOMOD && a->o.wait_module) {
		/* as when it goes away: agent_tick() looks for it */
		a->retry_mono = lw_mono_ns() + AGENT_RETRY_NS;
		lw_err("agent: the module is not loaded; sampling the counters and waiting for it (--wait-module)");
	} else if (ret) {
		return ret;
	}
	lw_snapshots_take(&a->snaps, lw_now_ns(), lw_mono_ns());
	if (lw_stream_loaded(&a->st))
		lw_err("agent: receiving events (family %d), %u alert rules, sampling every %llu ms",
		       lw_stream_family(&a->st), a->o.nrules,
		       (unsigned long long)(a->o.interval_ns / NSEC_PER_MSEC));
	else
		lw_err("agent: %u alert rules, sampling every %llu ms",
		       a->o.nrules,
		       (unsigned long long)(a->o.interval_ns / NSEC_PER_MSEC));
	return 0;
}

static void agent_teardown(struct agent *a)
{
	agent_drain(a, true);
	lw_settle_free(&a->held);
	jw_mem_free(&a->json);
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
