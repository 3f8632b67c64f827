// SPDX-License-Identifier: GPL-2.0
/* A recording of netlink messages, read back: see nlrec.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source/nlrec.h"

int lw_nlrec_open(struct lw_nlrec *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	/* malloc()'s alignment is more than the NLMSG_ALIGNTO a header needs */
	r->buf = malloc(LW_NLREC_BUF);
	if (!r->buf)
		return -ENOMEM;
	r->fd = fd;
	return 0;
}

int lw_nlrec_fd(const struct lw_nlrec *r)
{
	return r->fd;
}

void lw_nlrec_close(struct lw_nlrec *r)
{
	free(r->buf);
	r->buf = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/*
 * Where the bytes kept go in the buffer: each byte at the same offset
 * from NLMSG_ALIGNTO as in the recording, so that every message starts
 * aligned even after a skip of an odd length.
 */
static size_t lw_nlrec_home(const struct lw_nlrec *r)
{
	return (size_t)(r->pos % NLMSG_ALIGNTO);
}

static void lw_nlrec_consume(struct lw_nlrec *r, size_t n)
{
	r->off += n;
	r->len -= n;
	r->pos += n;
	if (!r->len)
		r->off = lw_nlrec_home(r);
}

/*
 * Whether the bytes kept decide what comes next: a whole message, or a
 * length (*mlen) below NLMSG_HDRLEN or above LW_NLREC_MSG_MAX.
 */
static bool lw_nlrec_whole(const struct lw_nlrec *r, uint32_t *mlen)
{
	const struct nlmsghdr *nlh;

	if (r->len < NLMSG_HDRLEN)
		return false;
	nlh = (const struct nlmsghdr *)(r->buf + r->off);
	*mlen = nlh->nlmsg_len;
	if (*mlen < NLMSG_HDRLEN || *mlen > LW_NLREC_MSG_MAX)
		return true;
	return r->len >= NLMSG_ALIGN(*mlen) || (r->eof && r->len >= *mlen);
}

bool lw_nlrec_pending(const struct lw_nlrec *r)
{
	uint32_t mlen;

	if (r->ended)
		return false;
	if (r->bad || r->eof)
		return true;	/* the end, or what is left before it */
	if (r->skip)
		return r->len > 0;
	return lw_nlrec_whole(r, &mlen);
}

/* Read more, after what is kept: > 0, 0 at the end, -1 and errno. */
static ssize_t lw_nlrec_fill(struct lw_nlrec *r)
{
	ssize_t n;

	/*
	 * Room for a whole message after the bytes kept. The caller asks
	 * only while they are less than one, so a read is never for less.
	 */
	if (r->off + r->len + LW_NLREC_MSG_MAX + NLMSG_ALIGNTO >
	    LW_NLREC_BUF) {
		memmove(r->buf + lw_nlrec_home(r), r->buf + r->off, r->len);
		r->off = lw_nlrec_home(r);
	}
	do {
		n = read(r->fd, r->buf + r->off + r->len,
			 LW_NLREC_BUF - r->off - r->len);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		r->len += (size_t)n;
	else if (!n)
		r->eof = true;
	return n;
}

ssize_t lw_nlrec_recv(struct lw_nlrec *r, struct nlmsghdr **nlh)
{
	uint32_t mlen;
	size_t n;

	*nlh = NULL;
	while (!r->bad && !r->ended) {
		if (r->skip && r->len) {
			n = r->skip < r->len ? (size_t)r->skip : r->len;
			lw_nlrec_consume(r, n);
			r->skip -= n;
			continue;
		}
		if (!r->skip && lw_nlrec_whole(r, &mlen)) {
			if (mlen < NLMSG_HDRLEN)
				break;
			if (mlen > LW_NLREC_MSG_MAX) {
				/* NLMSG_ALIGN() would wrap a length near 4 GiB */
				r->skip = ((uint64_t)mlen + NLMSG_ALIGNTO - 1) /
					  NLMSG_ALIGNTO * NLMSG_ALIGNTO;
				return (ssize_t)mlen;
			}
			*nlh = (struct nlmsghdr *)(r->buf + r->off);
			n = NLMSG_ALIGN(mlen);
			lw_nlrec_consume(r, n < r->len ? n : r->len);
			return (ssize_t)mlen;
		}
		if (r->eof) {
			/* A message cut short; the end of one skipped is fine. */
			if (r->len && !r->skip)
				break;
			r->ended = true;
			return 0;
		}
		if (lw_nlrec_fill(r) < 0)
			return -1;
	}
	if (r->bad || r->ended) {
		r->ended = true;
		return 0;
	}
	r->bad = true;
	r->len = 0;
	errno = EBADMSG;
	return -1;
}
