// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/utils.h"
#include "sink/event_print.h"
#include "source/nl.h"
#include "source/stream.h"

#define WATCH_RCVBUF	(4 << 20)
/* Datagrams read a turn of the loop at most: a signal waits no longer. */
#define WATCH_RECV_MAX	256

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
	/* a developer's: see lw_open_recording() */
	{ "replay-netlink", required_argument, NULL, 'R' },
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
		case 'R':
			o->replay = optarg;
			break;
		default:
			return lw_bad_option(argv, "watch", "jsh");
		}
	}
	if (state && !o->since_last) {
		lw_err("watch: --state goes with --since-last (see latwatch watch --help)");
		return LW_EXIT_USAGE;
	}
	if (o->replay && o->since_last) {
		lw_err("watch: a recording (--replay-netlink) has no events to fetch: no --since-last");
		return LW_EXIT_USAGE;
	}
	return lw_no_operands(argc, argv, "watch");
}

struct watch {
	struct lw_stream st;
	bool json;
	bool gone;
	struct lw_out out;	/* stdout */
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
	err = lw_stream_save(&w->st);
	if (err) {
		lw_err("watch: saving the cursor: %s", strerror(-err));
		return LW_EXIT_ERROR;
	}
	return 0;
}

/*
 * An event to print. A fetched one goes out at once: output that fails
 * ends the fetch, w->replay_ret the exit code, the reason printed.
 */
static int watch_event(void *arg, struct nlmsghdr *nlh,
		       const struct lw_event *ev, bool replayed)
{
	struct watch *w = arg;

	(void)nlh;
	errno = 0;
	if (w->json)
		lw_event_print_json(stdout, ev);
	else
		lw_event_print_text(stdout, ev);
	lw_out_note(&w->out);
	lw_stream_consumed(&w->st, ev);
	if (!replayed)
		return 0;
	w->replay_ret = watch_flush(w);
	return w->replay_ret ? -ECANCELED : 0;
}

static void watch_lost(void *arg, struct lw_lost *lost)
{
	struct watch *w = arg;

	errno = 0;
	if (w->json)
		lw_lost_print_json(stdout, lost);
	else
		lw_lost_print_text(stdout, lost);
	lw_out_note(&w->out);
}

static void watch_bad(void *arg, enum lw_stream_bad what, int err,
		      size_t len)
{
	(void)arg;
	switch (what) {
	case LW_STREAM_BAD_EVENT:
		lw_err("ignoring a malformed event: %s", strerror(-err));
		break;
	case LW_STREAM_BAD_LOST:
		lw_err("ignoring a malformed lost record: %s", strerror(-err));
		break;
	case LW_STREAM_TOO_LARGE:
		lw_err("ignoring a message of %zu bytes: too large", len);
		break;
	case LW_STREAM_TRAILING:
		break;
	case LW_STREAM_BAD_RECORDING:
		lw_err("the recording goes on with what is no message: ignoring the rest");
		break;
	}
}

static void watch_gone(void *arg)
{
	struct watch *w = arg;

	w->gone = true;
}

static const struct lw_stream_ops watch_ops = {
	.event = watch_event,
	.lost = watch_lost,
	.bad = watch_bad,
	.gone = watch_gone,
};

/*
 * Read what there is, WATCH_RECV_MAX datagrams at most, then flush once:
 * a write() a datagram was a third of watch's time in a burst. 0 to go
 * on, else an exit code. *none: the socket had nothing to read, or read
 * as empty.
 */
static int watch_recv(struct watch *w, bool *none)
{
	unsigned int n = 0;
	int r, err = 0, ret;

	while (n < WATCH_RECV_MAX && !w->gone) {
		r = lw_stream_read(&w->st);
		if (r < 0)
			err = errno;
		if (r <= 0)
			break;
		n++;
	}
	*none = !n && !err;
	/* What was read goes out first, its cursor saved. */
	ret = n ? watch_flush(w) : 0;
	if (err && err != EINTR) {
		lw_err("watch: receiving events: %s", strerror(err));
		return LW_EXIT_ERROR;
	}
	return ret;
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
 * it (see source/stream.h).
 */
static int watch_loop(struct watch *w, int sigfd)
{
	struct pollfd pfd[2] = {
		{ .fd = lw_stream_fd(&w->st), .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	int ret;

	for (;;) {
		bool kept = lw_stream_pending(&w->st), none = false;

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
		if (lw_stream_ended(&w->st)) {
			lw_err("watch: the recording ended");
			return LW_EXIT_OK;
		}
		if (none && (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)))
			return watch_broken("the netlink socket", pfd[0].fd,
					    pfd[0].revents);
	}
}

/*
 * --since-last, once subscribed: print what the module kept since the
 * cursor. Live events queue on the stream's socket meanwhile; those
 * fetched here are dropped when they come.
 */
static int watch_catch_up(struct watch *w, const struct watch_opts *o,
			  struct lw_nl *req)
{
	struct lw_stream_fetch f;
	char err[LW_ERR_LEN];
	int ret;

	ret = lw_stream_open_cursor(&w->st, o->state, err, sizeof(err));
	if (ret) {
		lw_err("watch: --since-last: %s", err);
		return ret == -EINVAL ? LW_EXIT_USAGE : LW_EXIT_ERROR;
	}
	ret = lw_stream_instance(&w->st, req);
	if (ret)
		return lw_nl_fail(req, ret, "asking for the module instance");
	ret = lw_stream_replay(&w->st, req, &f);
	if (w->replay_ret)
		return w->replay_ret;	/* said so */
	if (ret)
		return lw_nl_fail(req, ret, "fetching the kept events");
	return watch_flush(w);
}

/*
 * The stream joins the family notifications before the family is
 * resolved: if the module goes away after that, a CTRL_CMD_DELFAMILY
 * says so. Requests go through a socket of their own, where no
 * notification can come between; only the subscription goes on the
 * stream's.
 */
static int watch_start(struct watch *w, const struct watch_opts *o)
{
	struct lw_nl req;
	int ret, fd;

	if (o->replay) {
		fd = lw_open_recording("watch", o->replay);
		if (fd < 0)
			return LW_EXIT_ERROR;
		if (lw_stream_open_recording(&w->st, fd)) {
			close(fd);
			lw_err("watch: out of memory");
			return LW_EXIT_ERROR;
		}
		return 0;
	}
	ret = lw_stream_open(&w->st, WATCH_RCVBUF);
	if (ret)
		return ret;
	ret = lw_nl_open(&req);
	if (ret)
		return lw_nl_fail(&req, ret, "connecting to the module");
	ret = lw_stream_subscribe(&w->st, &req);
	if (!ret && o->since_last)
		ret = watch_catch_up(w, o, &req);
	lw_nl_close(&req);
	return ret;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_opts o;
	struct watch w = { 0 };
	int ret, sigfd;

	ret = watch_parse_args(argc, argv, &o);
	if (ret != LW_ARGS_OK)
		return ret;
	lw_stream_init(&w.st, &watch_ops, &w);
	w.json = o.json;
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
	ret = watch_start(&w, &o);
	if (!ret)
		ret = watch_loop(&w, sigfd);
	lw_stream_close(&w.st);
	close(sigfd);
	return ret;
}
