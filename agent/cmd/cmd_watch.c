// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <netlink/msg.h>

#include "cmd/cmd.h"
#include "lib/utils.h"
#include "sink/event_print.h"
#include "source/cursor.h"
#include "source/nl.h"
#include "source/nl_parse.h"

#define WATCH_RCVBUF	(4 << 20)
#define WATCH_MSG_MAX	65536

void watch_usage(FILE *f)
{
	fputs("usage: latwatch watch [--json] [--since-last [--state FILE]]\n"
	      "\n"
	      "Print each latency event of the kernel module as it arrives, until\n"
	      "SIGINT or SIGTERM (exit 0) or until the module is unloaded (exit 0).\n"
	      "Lost events are reported as lost records. Why it stopped goes to\n"
	      "stderr: the signal and its sender, the module unloaded, or the\n"
	      "error (also a closed stdout: exit 1).\n"
	      "\n"
	      "  -j, --json        one JSON object per line\n"
	      "  -s, --since-last  first print the events that came since the last\n"
	      "                    latwatch watch --since-last stopped, as far as the\n"
	      "                    module still keeps them (its replay_events), then\n"
	      "                    the live ones; each event is printed once. The\n"
	      "                    first time, print every event the module keeps\n"
	      "      --state FILE  where --since-last keeps its place (default\n"
	      "                    " LW_WATCH_STATE ")\n"
	      "  -h, --help        show this help\n", f);
}

static const struct option watch_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "since-last", no_argument, NULL, 's' },
	{ "state", required_argument, NULL, 'S' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int watch_parse_args(int argc, char **argv, struct watch_opts *o)
{
	bool state = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->state = LW_WATCH_STATE;
	optind = 0;	/* a full reset: parsers may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jsh", watch_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			lw_cmd_help(stdout, watch_usage);
			return LW_EXIT_OK;
		case 'j':
			o->json = true;
			break;
		case 's':
			o->since_last = true;
			break;
		case 'S':
			if (!*optarg) {
				lw_err("watch: --state: an empty file name");
				return LW_EXIT_USAGE;
			}
			o->state = optarg;
			state = true;
			break;
		default:
			return lw_bad_option(argv, "watch", "jsh");
		}
	}
	if (state && !o->since_last) {
		lw_err("watch: --state goes with --since-last (see latwatch watch --help)");
		return LW_EXIT_USAGE;
	}
	return lw_no_operands(argc, argv, "watch");
}

struct watch {
	struct lw_nl nl;
	bool json;
	uint64_t overruns;
	bool gone;
	struct lw_out out;	/* stdout */
	/* --since-last: the cursor file, and the last event printed. */
	int cursor_fd;
	struct lw_cursor cursor;
	bool cursor_moved;
	int replay_ret;		/* exit code: printing a fetched event failed */
};

/* Out with what was printed, then move the cursor past it. */
static int watch_flush(struct watch *w)
{
	int err = lw_flush(&w->out);

	if (err) {
		lw_err("watch: writing to stdout: %s", strerror(err));
		return LW_EXIT_ERROR;
	}
	if (w->cursor_moved) {
		w->cursor_moved = false;
		err = lw_cursor_save(w->cursor_fd, &w->cursor);
		if (err) {
			lw_err("watch: saving the cursor: %s", strerror(-err));
			return LW_EXIT_ERROR;
		}
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
	if (w->cursor_fd >= 0 && (ev.has & LW_EV_SEQ)) {
		/* Fetched already, or live while the fetch still ran. */
		if (ev.instance == w->cursor.instance &&
		    ev.seq <= w->cursor.seq)
			return;
		w->cursor.instance = ev.instance;
		w->cursor.seq = ev.seq;
		w->cursor_moved = true;
	}
	errno = 0;
	if (w->json)
		lw_event_print_json(stdout, &ev);
	else
		lw_event_print_text(stdout, &ev);
	lw_out_note(&w->out);
}

static void watch_print_lost(struct watch *w, struct lw_lost *lost)
{
	lost->ts_ns = lw_now_ns();
	errno = 0;
	if (w->json)
		lw_lost_print_json(stdout, lost);
	else
		lw_lost_print_text(stdout, lost);
	lw_out_note(&w->out);
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

/*
 * Read one datagram; 0 to go on, else an exit code. *none: the socket had
 * nothing to read, or read as empty.
 */
static int watch_recv(struct watch *w, bool *none)
{
	static char buf[WATCH_MSG_MAX] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	uint32_t sender;
	ssize_t n;
	int len;

	*none = false;
	n = lw_nl_recv(&w->nl, buf, sizeof(buf), &sender);
	if (n < 0) {
		if (errno == EAGAIN)
			*none = true;
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno != ENOBUFS) {
			lw_err("watch: receiving events: %s", strerror(errno));
			return LW_EXIT_ERROR;
		}
		watch_overrun(w);
		return watch_flush(w);
	}
	if (!n) {
		/* An empty datagram, or the end of a socket shut down. */
		*none = true;
		return 0;
	}
	if (n > (ssize_t)sizeof(buf)) {
		lw_err("ignoring a message of %zd bytes: too large", n);
		return 0;
	}
	if (sender)
		return 0;	/* not from the kernel */
	len = (int)n;
	for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len) && !w->gone;
	     nlh = nlmsg_next(nlh, &len))
		watch_msg(w, nlh);
	return watch_flush(w);
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

/* SIGINT or SIGTERM came: say which and who sent it, and end. */
static int watch_signal(int sigfd)
{
	char name[LW_SIGNAL_LEN], from[LW_SIGNAL_LEN];
	struct signalfd_siginfo si;
	ssize_t n = read(sigfd, &si, sizeof(si));

	if (n != (ssize_t)sizeof(si)) {
		lw_err("watch: reading the signal that stops it: %s",
		       n < 0 ? strerror(errno) : "short read");
		return LW_EXIT_ERROR;
	}
	lw_signal_sender(from, &si);
	lw_err("watch: stopped by %s %s",
	       lw_signal_name(si.ssi_signo, name), from);
	return LW_EXIT_OK;
}

/*
 * poll() flagged fd (POLLHUP, POLLERR, POLLNVAL) and it had nothing to
 * read: nothing will ever come, and poll() would flag it again at once.
 */
static int watch_broken(const char *what, int fd, short revents)
{
	char why[LW_ERR_LEN];

	lw_poll_why(why, sizeof(why), revents, lw_sock_error(fd));
	lw_err("watch: %s %s", what, why);
	return LW_EXIT_ERROR;
}

/*
 * Until a signal, the module's removal or an error; each says why. The
 * subscription itself ends only with the socket: the module drops a
 * subscriber whose socket is dead or refuses a unicast (ECONNREFUSED),
 * and a socket that is open and not connect()ed never refuses. If the
 * module goes, CTRL_CMD_DELFAMILY says so, or the overrun that swallowed
 * it (watch_overrun()).
 */
static int watch_loop(struct watch *w, int sigfd)
{
	struct pollfd pfd[2] = {
		{ .fd = lw_nl_fd(&w->nl), .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	int ret;

	for (;;) {
		bool kept = lw_nl_pending(&w->nl), none = false;

		if (poll(pfd, 2, kept ? 0 : -1) < 0) {
			if (errno == EINTR)
				continue;
			lw_err("watch: poll: %s", strerror(errno));
			return LW_EXIT_ERROR;
		}
		if (pfd[1].revents & POLLIN)
			return watch_signal(sigfd);
		if (pfd[1].revents)
			return watch_broken("the signalfd", sigfd,
					    pfd[1].revents);
		if (pfd[0].revents || kept) {
			ret = watch_recv(w, &none);
			if (ret)
				return ret;
		}
		if (w->gone) {
			lw_err("watch: module unloaded");
			return LW_EXIT_OK;
		}
		if (none && (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)))
			return watch_broken("the netlink socket", pfd[0].fd,
					    pfd[0].revents);
	}
}

/* The family id, asked on a socket of its own; then subscribe. */
static int watch_resolve(struct watch *w)
{
	struct lw_nl req;
	int err;

	err = lw_nl_open(&req);
	if (err)
		return lw_nl_fail(&req, err, "connecting to the module");
	w->nl.family = req.family;
	lw_nl_close(&req);
	err = lw_nl_subscribe(&w->nl);
	if (err)
		return lw_nl_fail(&w->nl, err, "subscribing to the events");
	return 0;
}

/*
 * One fetched event. Output that fails ends the dump: w->replay_ret is
 * the exit code, the reason printed.
 */
static int watch_replayed(struct nlmsghdr *nlh, void *arg)
{
	struct watch *w = arg;

	watch_event(w, nlh);
	w->replay_ret = watch_flush(w);
	return w->replay_ret ? -ECANCELED : 0;
}

/*
 * --since-last, once subscribed: print what the module kept since the
 * cursor. Live events queue on our socket meanwhile; those fetched here
 * are skipped when they come (watch_event).
 */
static int watch_catch_up(struct watch *w, const struct watch_opts *o)
{
	char err[LW_ERR_LEN];
	struct lw_cursor c = { 0 };
	uint64_t instance, after;
	struct lw_nl req;
	int ret;

	w->cursor_fd = lw_cursor_open(o->state, &c, err, sizeof(err));
	if (w->cursor_fd < 0) {
		lw_err("watch: --since-last: %s", err);
		return w->cursor_fd == -EINVAL ? LW_EXIT_USAGE : LW_EXIT_ERROR;
	}
	ret = lw_nl_open(&req);
	if (ret)
		return lw_nl_fail(&req, ret, "connecting to the module");
	ret = lw_nl_instance(&req, &instance);
	if (ret) {
		ret = lw_nl_fail(&req, ret, "asking for the module instance");
		goto out;
	}
	after = lw_cursor_after(&c, instance);
	w->cursor.instance = instance;
	w->cursor.seq = after;
	ret = lw_nl_replay(&req, after, watch_replayed, w);
	if (w->replay_ret)
		ret = w->replay_ret;	/* said so */
	else if (ret)
		ret = lw_nl_fail(&req, ret, "fetching the kept events");
	else
		ret = watch_flush(w);
out:
	lw_nl_close(&req);
	return ret;
}

/*
 * Join the family notifications before resolving the family: if the
 * module goes away after that, a CTRL_CMD_DELFAMILY says so. Requests go
 * through another socket, where no notification can come between; only
 * the subscription goes on this one.
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
	w.cursor_fd = -1;
	w.out.f = stdout;
	/*
	 * A reader that goes away (latwatch watch | head) must not kill us
	 * without a word: writing then fails with EPIPE, and watch says so.
	 */
	signal(SIGPIPE, SIG_IGN);
	sigfd = watch_signalfd();
	if (sigfd < 0) {
		lw_err("watch: signalfd: %s", strerror(errno));
		return LW_EXIT_ERROR;
	}
	ret = watch_subscribe(&w);
	if (!ret && o.since_last)
		ret = watch_catch_up(&w, &o);
	if (!ret)
		ret = watch_loop(&w, sigfd);
	lw_nl_close(&w.nl);
	if (w.cursor_fd >= 0)
		close(w.cursor_fd);
	close(sigfd);
	return ret;
}
