// SPDX-License-Identifier: GPL-2.0
/* The module's events as a stream: see stream.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <netlink/msg.h>

#include <latwatch/latwatch.h>

#include "lib/utils.h"
#include "source/nl_parse.h"
#include "source/stream.h"

void lw_stream_init(struct lw_stream *st, const struct lw_stream_ops *ops,
		    void *arg)
{
	memset(st, 0, sizeof(*st));
	st->ops = ops;
	st->arg = arg;
	st->cursor_fd = -1;
}

int lw_stream_open(struct lw_stream *st, int rcvbuf)
{
	int err;

	err = lw_nl_connect(&st->nl);
	if (err)
		return lw_nl_fail(&st->nl, err, "connecting to generic netlink");
	lw_nl_set_rcvbuf(&st->nl, rcvbuf);
	err = lw_nl_join_ctrl(&st->nl);
	if (err)
		return lw_nl_fail(&st->nl, err,
				  "joining the family notifications");
	return 0;
}

int lw_stream_open_recording(struct lw_stream *st, int fd)
{
	int err;

	st->rec = malloc(sizeof(*st->rec));
	if (!st->rec)
		return -ENOMEM;
	err = lw_nlrec_open(st->rec, fd);
	if (err) {
		free(st->rec);
		st->rec = NULL;
		return err;
	}
	st->nl.family = -1;	/* the recording's own, when it comes */
	st->loaded = true;
	st->instance = 0;
	st->seq = 0;
	return 0;
}

bool lw_stream_recorded(const struct lw_stream *st)
{
	return st->rec != NULL;
}

bool lw_stream_ended(const struct lw_stream *st)
{
	return st->ended;
}

int lw_stream_subscribe(struct lw_stream *st, struct lw_nl *req)
{
	int err;

	st->nl.family = req->family;
	err = lw_nl_subscribe(&st->nl);
	if (err)
		return lw_nl_fail(&st->nl, err, "subscribing to the events");
	st->loaded = true;
	st->instance = 0;
	st->seq = 0;
	return 0;
}

int lw_stream_open_cursor(struct lw_stream *st, const char *path, char *err,
			  size_t errlen)
{
	int fd = lw_cursor_open(path, &st->cursor, err, errlen);

	if (fd < 0)
		return fd;
	st->cursor_fd = fd;
	return 0;
}

bool lw_stream_has_cursor(const struct lw_stream *st)
{
	return st->cursor_fd >= 0;
}

int lw_stream_instance(struct lw_stream *st, struct lw_nl *req)
{
	int err = lw_nl_instance(req, &st->instance);

	if (err)
		return err;
	st->seq = lw_cursor_after(&st->cursor, st->instance);
	return 0;
}

/*
 * Whether ev was passed on already: an event of the instance subscribed
 * to, at or below the newest sequence number of it passed on.
 */
static bool lw_stream_dup(struct lw_stream *st, const struct lw_event *ev)
{
	if (!(ev->has & LW_EV_SEQ) || ev->instance != st->instance)
		return false;
	if (ev->seq <= st->seq)
		return true;	/* fetched, and now live too */
	st->seq = ev->seq;
	if (st->replaying && !st->replay_first)
		st->replay_first = ev->seq;
	return false;
}

static int lw_stream_event(struct lw_stream *st, struct nlmsghdr *nlh,
			   bool replayed)
{
	struct lw_event ev;
	int err = lw_event_parse(nlh, &ev);

	if (err) {
		st->ops->bad(st->arg, LW_STREAM_BAD_EVENT, err, 0);
		return 0;
	}
	if (lw_stream_dup(st, &ev))
		return 0;
	st->received++;
	return st->ops->event(st->arg, nlh, &ev, replayed);
}

static int lw_stream_replayed(struct nlmsghdr *nlh, void *arg)
{
	return lw_stream_event(arg, nlh, true);
}

int lw_stream_replay(struct lw_stream *st, struct lw_nl *req,
		     struct lw_stream_fetch *f)
{
	uint64_t before = st->received;
	int err;

	f->after = st->seq;
	st->replay_first = 0;
	st->replaying = true;
	err = lw_nl_replay(req, f->after, lw_stream_replayed, st);
	st->replaying = false;
	f->fetched = st->received - before;
	f->first = st->replay_first;
	return err;
}

static void lw_stream_gone(struct lw_stream *st)
{
	if (!st->loaded)
		return;
	st->loaded = false;
	st->ops->gone(st->arg);
}

static void lw_stream_lost(struct lw_stream *st, struct nlmsghdr *nlh)
{
	struct lw_lost lost;
	int err = lw_lost_parse(nlh, &lost);

	if (err) {
		st->ops->bad(st->arg, LW_STREAM_BAD_LOST, err, 0);
		return;
	}
	lost.ts_ns = lw_now_ns();
	st->ops->lost(st->arg, &lost);
}

/*
 * The socket's buffer overflowed: messages are gone, maybe the family's
 * removal too. Say so, and check the module is still the one subscribed
 * to.
 */
static void lw_stream_overrun(struct lw_stream *st)
{
	struct lw_lost lost = {
		.has = LW_LOST_OVERRUNS,
		.reason = LW_LOST_OVERRUN,
		.overruns = ++st->overruns,
		.ts_ns = lw_now_ns(),
	};
	struct lw_nl req;
	int err;

	st->ops->lost(st->arg, &lost);
	err = lw_nl_open(&req);
	if (err) {
		if (err == -ENOENT)
			lw_stream_gone(st);
		return;
	}
	if (req.family != st->nl.family)
		lw_stream_gone(st);
	else if (st->ops->overrun)
		st->ops->overrun(st->arg, &req);
	lw_nl_close(&req);
}

void lw_stream_handle(struct lw_stream *st, struct nlmsghdr *nlh)
{
	if (st->loaded && nlh->nlmsg_type == st->nl.family) {
		switch (lw_genl_cmd(nlh)) {
		case LATWATCH_CMD_EVENT:
			lw_stream_event(st, nlh, false);
			break;
		case LATWATCH_CMD_LOST:
			lw_stream_lost(st, nlh);
			break;
		}
	} else if (st->loaded && lw_ctrl_family_gone(nlh, st->nl.family)) {
		lw_stream_gone(st);
	} else if (!st->loaded && lw_ctrl_family_new(nlh)) {
		if (st->rec) {
			/* Subscribed: to the family its next message names. */
			st->nl.family = -1;
			st->loaded = true;
		}
		if (st->ops->back)
			st->ops->back(st->arg);
	}
}

/*
 * A recording's next message, as a datagram of its own. A recording is
 * subscribed to the family of its first message that is not nlctrl's
 * (nor NLMSG_ERROR, NLMSG_DONE, ...), which lw_stream_handle() then
 * matches as the socket's subscription.
 */
static int lw_stream_read_recording(struct lw_stream *st)
{
	struct nlmsghdr *nlh;
	ssize_t n = lw_nlrec_recv(st->rec, &nlh);

	if (n < 0 && errno == EBADMSG) {
		st->ops->bad(st->arg, LW_STREAM_BAD_RECORDING, -EBADMSG, 0);
		return 1;
	}
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (!n) {
		st->ended = true;
		return 0;
	}
	if (!nlh) {
		st->ops->bad(st->arg, LW_STREAM_TOO_LARGE, -EMSGSIZE,
			     (size_t)n);
		return 1;
	}
	if (st->loaded && st->nl.family < 0 &&
	    nlh->nlmsg_type >= NLMSG_MIN_TYPE &&
	    nlh->nlmsg_type != GENL_ID_CTRL)
		st->nl.family = nlh->nlmsg_type;
	lw_stream_handle(st, nlh);
	return 1;
}

int lw_stream_read(struct lw_stream *st)
{
	static char buf[LW_STREAM_MSG_MAX]
		__attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	uint32_t sender;
	ssize_t n;
	int len;

	if (st->rec)
		return lw_stream_read_recording(st);
	n = lw_nl_recv(&st->nl, buf, sizeof(buf), &sender);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		if (errno != ENOBUFS)
			return -1;
		lw_stream_overrun(st);
		return 1;
	}
	if (!n)
		return 0;
	if (n > (ssize_t)sizeof(buf)) {
		st->ops->bad(st->arg, LW_STREAM_TOO_LARGE, -EMSGSIZE,
			     (size_t)n);
		return 1;
	}
	if (sender)
		return 1;	/* not from the kernel */
	len = (int)n;
	for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
	     nlh = nlmsg_next(nlh, &len))
		lw_stream_handle(st, nlh);
	if (len > 0)
		st->ops->bad(st->arg, LW_STREAM_TRAILING, -EBADMSG, (size_t)n);
	return 1;
}

void lw_stream_consumed(struct lw_stream *st, const struct lw_event *ev)
{
	if (!(ev->has & LW_EV_SEQ) || !(ev->has & LW_EV_INSTANCE))
		return;
	st->cursor.instance = ev->instance;
	st->cursor.seq = ev->seq;
	st->cursor_moved = true;
}

int lw_stream_save(struct lw_stream *st)
{
	if (!st->cursor_moved || st->cursor_fd < 0)
		return 0;
	st->cursor_moved = false;
	return lw_cursor_save(st->cursor_fd, &st->cursor);
}

bool lw_stream_loaded(const struct lw_stream *st)
{
	return st->loaded;
}

int lw_stream_family(const struct lw_stream *st)
{
	return st->nl.family;
}

int lw_stream_fd(const struct lw_stream *st)
{
	return st->rec ? lw_nlrec_fd(st->rec) : lw_nl_fd(&st->nl);
}

bool lw_stream_pending(const struct lw_stream *st)
{
	return st->rec ? lw_nlrec_pending(st->rec) : lw_nl_pending(&st->nl);
}

void lw_stream_close(struct lw_stream *st)
{
	if (st->rec) {
		lw_nlrec_close(st->rec);
		free(st->rec);
		st->rec = NULL;
	}
	lw_nl_close(&st->nl);
	if (st->cursor_fd >= 0)
		close(st->cursor_fd);
	st->cursor_fd = -1;
}
