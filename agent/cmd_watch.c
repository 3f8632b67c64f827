// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/msg.h>

#include "cmd.h"
#include "nl.h"
#include "utils.h"

#define WATCH_RCVBUF	(4 << 20)
#define WATCH_MSG_MAX	65536

void watch_usage(FILE *f)
{
	fputs("usage: latwatch watch [--json]\n"
	      "\n"
	      "Print each latency event of the kernel module as it arrives, until\n"
	      "SIGINT or SIGTERM (exit 0) or until the module is unloaded (exit 0).\n"
	      "Lost events are reported as lost records.\n"
	      "\n"
	      "  -j, --json   one JSON object per line\n"
	      "  -h, --help   show this help\n", f);
}

int watch_parse_args(int argc, char **argv, struct watch_opts *o)
{
	int ret;

	o->json = false;
	ret = lw_parse_opts(argc, argv, "watch", &o->json, watch_usage);
	return ret == LW_ARGS_OK ? lw_no_operands(argc, argv, "watch") : ret;
}

struct watch {
	struct lw_nl nl;
	bool json;
	uint64_t overruns;
	bool gone;
};

static int watch_flush(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		lw_err("writing the output: %s", strerror(errno));
		return LW_EXIT_ERROR;
	}
	return 0;
}

static void watch_event(struct watch *w, struct nlmsghdr *nlh)
{
	struct lw_event ev;
	int err = lw_event_parse(nlh, &ev);

	if (err) {
		lw_err("ignoring a malformed event: %s", strerror(-err));
		return;
	}
	if (w->json)
		lw_event_print_json(stdout, &ev);
	else
		lw_event_print_text(stdout, &ev);
}

static void watch_print_lost(const struct watch *w, struct lw_lost *lost)
{
	lost->ts_ns = lw_now_ns();
	if (w->json)
		lw_lost_print_json(stdout, lost);
	else
		lw_lost_print_text(stdout, lost);
}

static void watch_lost(struct watch *w, struct nlmsghdr *nlh)
{
	struct lw_lost lost;
	int err = lw_lost_parse(nlh, &lost);

	if (err) {
		lw_err("ignoring a malformed lost record: %s", strerror(-err));
		return;
	}
	watch_print_lost(w, &lost);
}

/*
 * The overrun may have swallowed the CTRL_CMD_DELFAMILY too: ask whether
 * the family is still the one we joined.
 */
static void watch_overrun(struct watch *w)
{
	struct lw_lost lost = {
		.has = LW_LOST_OVERRUNS,
		.reason = LW_LOST_OVERRUN,
		.overruns = ++w->overruns,
	};
	struct lw_nl req;
	int err;

	watch_print_lost(w, &lost);
	err = lw_nl_open(&req);
	if (err) {
		w->gone = err == -ENOENT;
		return;
	}
	w->gone = req.family != w->nl.family;
	lw_nl_close(&req);
}

static void watch_msg(struct watch *w, struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_type == w->nl.family) {
		switch (lw_genl_cmd(nlh)) {
		case LATWATCH_CMD_EVENT:
			watch_event(w, nlh);
			break;
		case LATWATCH_CMD_LOST:
			watch_lost(w, nlh);
			break;
		}
	} else if (lw_ctrl_family_gone(nlh, w->nl.family)) {
		w->gone = true;
	}
}

/* Read one datagram; 0 to go on, else an exit code. */
static int watch_recv(struct watch *w)
{
	static char buf[WATCH_MSG_MAX] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl sa;
	socklen_t salen = sizeof(sa);
	struct nlmsghdr *nlh;
	ssize_t n;
	int len;

	n = recvfrom(lw_nl_fd(&w->nl), buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
		     (struct sockaddr *)&sa, &salen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno != ENOBUFS) {
			lw_err("receiving events: %s", strerror(errno));
			return LW_EXIT_ERROR;
		}
		watch_overrun(w);
		return watch_flush();
	}
	if (n > (ssize_t)sizeof(buf)) {
		lw_err("ignoring a message of %zd bytes: too large", n);
		return 0;
	}
	if (sa.nl_pid)
		return 0;	/* not from the kernel */
	len = (int)n;
	for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len) && !w->gone;
	     nlh = nlmsg_next(nlh, &len))
		watch_msg(w, nlh);
	return watch_flush();
}

/* SIGINT and SIGTERM, as a file descriptor to poll. */
static int watch_signalfd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static int watch_loop(struct watch *w, int sigfd)
{
	struct pollfd pfd[2] = {
		{ .fd = lw_nl_fd(&w->nl), .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	int ret = 0;

	while (!ret) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			lw_err("poll: %s", strerror(errno));
			return LW_EXIT_ERROR;
		}
		if (pfd[1].revents)
			return LW_EXIT_OK;
		if (pfd[0].revents)
			ret = watch_recv(w);
		if (w->gone) {
			lw_err("module unloaded");
			return LW_EXIT_OK;
		}
	}
	return ret;
}

/* The family id and the "events" group id, asked on a socket of their own. */
static int watch_resolve(struct watch *w)
{
	struct lw_nl req;
	int err, group;

	err = lw_nl_open(&req);
	if (err)
		return lw_nl_fail(&req, err, "connecting to the module");
	group = lw_nl_events_group(&req);
	if (group < 0) {
		err = lw_nl_fail(&req, group, "finding the events group");
	} else {
		w->nl.family = req.family;
		err = lw_nl_join(&w->nl, group);
		if (err)
			err = lw_nl_fail(&w->nl, err, "joining the events group");
	}
	lw_nl_close(&req);
	return err;
}

/*
 * Join the family notifications before resolving the family: if the
 * module goes away after that, a CTRL_CMD_DELFAMILY says so. Requests go
 * through another socket, where no notification can come between.
 */
static int watch_subscribe(struct watch *w)
{
	int err;

	err = lw_nl_connect(&w->nl);
	if (err)
		return lw_nl_fail(&w->nl, err, "connecting to generic netlink");
	lw_nl_set_rcvbuf(&w->nl, WATCH_RCVBUF);
	err = lw_nl_join_ctrl(&w->nl);
	if (err)
		return lw_nl_fail(&w->nl, err, "joining the family notifications");
	return watch_resolve(w);
}

int cmd_watch(int argc, char **argv)
{
	struct watch_opts o;
	struct watch w = { 0 };
	int ret, sigfd;

	ret = watch_parse_args(argc, argv, &o);
	if (ret != LW_ARGS_OK)
		return ret;
	w.json = o.json;
	sigfd = watch_signalfd();
	if (sigfd < 0) {
		lw_err("signalfd: %s", strerror(errno));
		return LW_EXIT_ERROR;
	}
	ret = watch_subscribe(&w);
	if (!ret)
		ret = watch_loop(&w, sigfd);
	lw_nl_close(&w.nl);
	close(sigfd);
	return ret;
}
