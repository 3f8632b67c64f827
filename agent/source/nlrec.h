/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_NLREC_H
#define LATWATCH_NLREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/netlink.h>

/*
 * A recording of the module's netlink messages, read back. It is the
 * messages one after the other, each padded to NLMSG_ALIGNTO as in a
 * datagram (the last one may lack its padding), in a file or a pipe:
 * each message's nlmsghdr says how long it is, nothing else frames it.
 *
 * "latwatch agent" and "latwatch watch" read one in place of the
 * kernel's socket with their developer option --replay-netlink FILE
 * (source/stream.h: lw_stream_open_recording()), each message as a
 * datagram of its own, so that what they do with it is what they do
 * with the module's: tests/bench/pipeline measures them that way.
 *
 * A length below NLMSG_HDRLEN cannot be a message, and nothing after it
 * can be framed: the recording ends there. A message longer than
 * LW_NLREC_MSG_MAX is skipped, as the commands skip such a datagram.
 */

/* The longest message handed on: as LW_STREAM_MSG_MAX. */
#define LW_NLREC_MSG_MAX	65536
/* What one read() asks for at most. */
#define LW_NLREC_BUF		(256 * 1024)

struct lw_nlrec {
	int fd;
	unsigned char *buf;	/* LW_NLREC_BUF bytes */
	size_t off, len;	/* the bytes not handed on: buf[off, off + len) */
	uint64_t pos;		/* where buf[off] is in the recording */
	uint64_t skip;		/* of a message too long, the bytes left */
	bool eof;		/* read() found the end */
	bool bad;		/* no message follows: the end comes next */
	bool ended;		/* the end was handed on */
};

/*
 * Read the recording on fd, which lw_nlrec_close() closes. Give it
 * O_NONBLOCK to poll() it. 0, or -ENOMEM (fd is not closed then).
 */
int lw_nlrec_open(struct lw_nlrec *r, int fd);

/*
 * The next message, without waiting. Returns its length with *nlh
 * pointing at it until the next call; or, for a message longer than
 * LW_NLREC_MSG_MAX, its length with *nlh NULL (it is skipped). 0 at the
 * end of the recording (and from then on). -1 with errno: EAGAIN, there
 * is none yet (a pipe); EBADMSG, what follows is no message (a length
 * below NLMSG_HDRLEN, or the end of the recording inside a message): the
 * end comes next; anything else, read() failed.
 */
ssize_t lw_nlrec_recv(struct lw_nlrec *r, struct nlmsghdr **nlh);

/*
 * Whether lw_nlrec_recv() has something to say without reading: a whole
 * message, or the end. poll() will not say so.
 */
bool lw_nlrec_pending(const struct lw_nlrec *r);

int lw_nlrec_fd(const struct lw_nlrec *r);

/* Free the buffer and close the descriptor. */
void lw_nlrec_close(struct lw_nlrec *r);

#endif
