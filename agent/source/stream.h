/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_STREAM_H
#define LATWATCH_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "source/cursor.h"
#include "source/modevent.h"
#include "source/nl.h"
#include "source/nlrec.h"

/*
 * The module's events as a stream, what "latwatch watch" and "latwatch
 * agent" both listen to:
 *
 *  1. lw_stream_open(): a socket that hears the family notifications,
 *     joined before the family is resolved, so that a removal of the
 *     module after that cannot go unnoticed;
 *  2. lw_stream_subscribe(): subscribe it to the events of the module a
 *     request socket found;
 *  3. catching up, with a cursor file (lw_stream_open_cursor()): the
 *     module instance (lw_stream_instance()), then the events the module
 *     kept past the cursor (lw_stream_replay()), while live ones queue;
 *  4. lw_stream_read(): a datagram at a time, what it holds handed to
 *     ops. Each (instance, sequence number) is passed on once: an event
 *     fetched and then received live too is dropped;
 *  5. an overrun of the socket (ENOBUFS) is a lost record; it may have
 *     swallowed the family's removal, so the stream then asks whether the
 *     family is still the one it subscribed to;
 *  6. the module gone (CTRL_CMD_DELFAMILY, or so found after an overrun):
 *     ops->gone; while it is, a new family of its name: ops->back.
 *
 * What is printed, when the cursor is saved (lw_stream_consumed(),
 * lw_stream_save()) and the poll loop are the caller's.
 *
 * Or, in place of 1-3, lw_stream_open_recording(): a recording of the
 * module's messages (source/nlrec.h) instead of the socket, for the
 * developer option --replay-netlink. Each of its messages is read as a
 * datagram of its own and handed on as a datagram of the socket would
 * be, the same code all the way; the stream is subscribed from the
 * start to the family of the recording's first message that is not
 * nlctrl's, and again to the next one after a CTRL_CMD_NEWFAMILY.
 * Nothing is asked of the kernel; lw_stream_ended() tells the end.
 */

/* The longest datagram taken; a longer one is skipped. */
#define LW_STREAM_MSG_MAX	65536

/* What lw_stream_read() could not use. */
enum lw_stream_bad {
	LW_STREAM_BAD_EVENT,	/* an event that does not parse */
	LW_STREAM_BAD_LOST,	/* a lost record that does not parse */
	LW_STREAM_TOO_LARGE,	/* a datagram of more than LW_STREAM_MSG_MAX */
	LW_STREAM_TRAILING,	/* bytes after the last message of a datagram */
	LW_STREAM_BAD_RECORDING, /* a recording that cannot be framed */
};

struct lw_stream_ops {
	/*
	 * An event not passed on before; nlh is its message, ev points into
	 * it. replayed: fetched by lw_stream_replay(), whose request a
	 * nonzero return (a negative errno) ends with that error.
	 */
	int (*event)(void *arg, struct nlmsghdr *nlh,
		     const struct lw_event *ev, bool replayed);
	/*
	 * A lost record of the module, or an overrun of the socket
	 * (lost->reason LW_LOST_OVERRUN); ts_ns is the time it was read.
	 */
	void (*lost)(void *arg, struct lw_lost *lost);
	/* What could not be used: err a negative errno, len the datagram's. */
	void (*bad)(void *arg, enum lw_stream_bad what, int err, size_t len);
	/*
	 * After an overrun, the module is still the one subscribed to: req is
	 * a request socket on it, for the caller to ask more. May be NULL.
	 */
	void (*overrun)(void *arg, struct lw_nl *req);
	/* The module subscribed to went away. */
	void (*gone)(void *arg);
	/* Since then, a module was loaded again. May be NULL. */
	void (*back)(void *arg);
};

struct lw_stream {
	struct lw_nl nl;	/* events and family notifications */
	const struct lw_stream_ops *ops;
	void *arg;
	bool loaded;		/* subscribed, and the module is there */
	uint64_t received;	/* events passed on */
	uint64_t overruns;
	/*
	 * The instance subscribed to (0 until lw_stream_instance()) and the
	 * newest sequence number of it passed on: what duplicates are told by.
	 */
	uint64_t instance;
	uint64_t seq;
	bool replaying;
	uint64_t replay_first;	/* the first event fetched */
	/* The cursor file (-1: none) and the last event consumed. */
	int cursor_fd;
	struct lw_cursor cursor;
	bool cursor_moved;
	/* A recording read instead of the socket (NULL: none), and its end. */
	struct lw_nlrec *rec;
	bool ended;
};

/* What lw_stream_replay() fetched. */
struct lw_stream_fetch {
	uint64_t after;		/* it asked for the events past this one */
	uint64_t fetched;	/* events passed on */
	uint64_t first;		/* the first one's sequence number, or 0 */
};

/* Ready to open, and safe to lw_stream_close(). */
void lw_stream_init(struct lw_stream *st, const struct lw_stream_ops *ops,
		    void *arg);

/*
 * Connect, take a receive buffer of rcvbuf bytes, join the family
 * notifications. 0, or the exit code after saying why.
 */
int lw_stream_open(struct lw_stream *st, int rcvbuf);

/*
 * Read the recording on fd instead of a socket: 0 or a negative errno
 * (-ENOMEM). The stream closes fd.
 */
int lw_stream_open_recording(struct lw_stream *st, int fd);
/* Whether the stream reads a recording. */
bool lw_stream_recorded(const struct lw_stream *st);
/* A recording's end was read: nothing more will come. */
bool lw_stream_ended(const struct lw_stream *st);

/*
 * Subscribe to the events of the module req was opened on (lw_nl_open()).
 * Catching up starts afresh: no instance, no duplicates. 0, or the exit
 * code after saying why.
 */
int lw_stream_subscribe(struct lw_stream *st, struct lw_nl *req);

/*
 * Open (creating it) the cursor file at path: 0, or a negative errno
 * with a one-line message in err (-EINVAL: not a cursor file), as
 * lw_cursor_open().
 */
int lw_stream_open_cursor(struct lw_stream *st, const char *path, char *err,
			  size_t errlen);
bool lw_stream_has_cursor(const struct lw_stream *st);

/*
 * Ask req's module for its instance; the events to fetch are then those
 * past the cursor if it is of that instance, else all. 0 or a negative
 * errno (-EOPNOTSUPP from a module that keeps no events).
 */
int lw_stream_instance(struct lw_stream *st, struct lw_nl *req);

/*
 * Fetch the events req's module kept, past the cursor, each to
 * ops->event (replayed). 0, or a negative errno: the request's, or what
 * ops->event returned. *f says what came, also on error.
 */
int lw_stream_replay(struct lw_stream *st, struct lw_nl *req,
		     struct lw_stream_fetch *f);

/*
 * Read one datagram, if there is one, and hand what it holds to ops.
 * Returns 1 if it read one (an overrun counts), 0 if there was none now
 * or it was empty (the end of a socket shut down reads so too, and the
 * end of a recording), or -1 with errno set: EINTR, or the socket (the
 * recording) failed.
 */
int lw_stream_read(struct lw_stream *st);

/*
 * One message, as lw_stream_read() hands each of a datagram's: an event
 * or lost record of the module subscribed to, a family notification.
 */
void lw_stream_handle(struct lw_stream *st, struct nlmsghdr *nlh);

/* The caller is done with ev: the cursor moves past it. */
void lw_stream_consumed(struct lw_stream *st, const struct lw_event *ev);
/* Write the cursor to its file if it moved: 0 or a negative errno. */
int lw_stream_save(struct lw_stream *st);

bool lw_stream_loaded(const struct lw_stream *st);
int lw_stream_family(const struct lw_stream *st);
int lw_stream_fd(const struct lw_stream *st);
/*
 * Datagrams kept while subscribing, or a recording's messages read
 * already: poll() will not say so.
 */
bool lw_stream_pending(const struct lw_stream *st);

/* Close the socket (or the recording) and the cursor file. */
void lw_stream_close(struct lw_stream *st);

#endif
