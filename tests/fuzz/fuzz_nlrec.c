// SPDX-License-Identifier: GPL-2.0
/*
 * A recording of netlink messages (source/nlrec.c), any bytes, as
 * "latwatch watch|agent --replay-netlink" read it:
 *
 *  1. through a pipe that brings it in pieces (their size depends on the
 *     input's): the reader hands on exactly the messages a plain walk of
 *     the bytes frames (nlrec.h), in order, aligned, each whole, then
 *     says where framing failed, if it did, and then the end, once;
 *  2. from a file, by a stream (source/stream.c) whose events are printed
 *     as watch prints them: the JSON is valid, and the stream ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "sink/event_print.h"
#include "source/nlrec.h"
#include "source/stream.h"
#include "fuzz.h"

static FILE *devnull;

/* What the plain walk finds next at *off: as lw_nlrec_recv() returns. */
static ssize_t frame(const uint8_t *data, size_t size, size_t *off,
		     size_t *at)
{
	size_t left = size - *off;
	uint64_t skip;
	uint32_t len;

	if (!left)
		return 0;
	if (left < NLMSG_HDRLEN)
		return -1;
	memcpy(&len, data + *off, sizeof(len));
	if (len < NLMSG_HDRLEN)
		return -1;
	*at = *off;
	if (len > LW_NLREC_MSG_MAX) {
		/* skipped, even past the end */
		skip = ((uint64_t)len + 3) / 4 * 4;
		*off = skip < left ? *off + (size_t)skip : size;
		return len;
	}
	if (left >= NLMSG_ALIGN(len))
		*off += NLMSG_ALIGN(len);
	else if (left >= len)
		*off = size;
	else
		return -1;
	return len;
}

/* Pass 1: the reader against the walk, the bytes coming in pieces. */
static void pieces(const uint8_t *data, size_t size)
{
	size_t piece = 1 + (size * 2654435761u >> 7) % 1500, sent = 0;
	size_t off = 0, at = 0, n;
	bool bad = false;
	struct nlmsghdr *nlh;
	struct lw_nlrec r;
	ssize_t got, want;
	int fds[2];

	FUZZ_ASSERT(!pipe(fds));
	FUZZ_ASSERT(!fcntl(fds[0], F_SETFL, O_NONBLOCK));
	FUZZ_ASSERT(!lw_nlrec_open(&r, fds[0]));
	for (;;) {
		got = lw_nlrec_recv(&r, &nlh);
		if (got < 0 && errno == EAGAIN) {
			FUZZ_ASSERT(!lw_nlrec_pending(&r));
			if (sent == size) {
				FUZZ_ASSERT(fds[1] >= 0);
				close(fds[1]);
				fds[1] = -1;
				continue;
			}
			n = size - sent < piece ? size - sent : piece;
			FUZZ_ASSERT(write(fds[1], data + sent, n) == (ssize_t)n);
			sent += n;
			continue;
		}
		want = bad ? 0 : frame(data, size, &off, &at);
		if (got < 0) {
			FUZZ_ASSERT(errno == EBADMSG);
			FUZZ_ASSERT(want == -1);
			bad = true;
			continue;
		}
		FUZZ_ASSERT(got == want);
		if (!got)
			break;
		if (got > LW_NLREC_MSG_MAX) {
			FUZZ_ASSERT(!nlh);
			continue;
		}
		FUZZ_ASSERT(nlh);
		FUZZ_ASSERT((uintptr_t)nlh % NLMSG_ALIGNTO == 0);
		FUZZ_ASSERT(!memcmp(nlh, data + at, (size_t)got));
	}
	if (fds[1] >= 0)
		close(fds[1]);	/* framing failed before the end */
	FUZZ_ASSERT(!lw_nlrec_pending(&r));
	FUZZ_ASSERT(lw_nlrec_recv(&r, &nlh) == 0);
	lw_nlrec_close(&r);
}

static int on_event(void *arg, struct nlmsghdr *nlh,
		    const struct lw_event *ev, bool replayed)
{
	struct fuzz_out o;

	(void)arg;
	(void)nlh;
	(void)replayed;
	lw_event_print_text(devnull, ev);
	lw_event_print_json(fuzz_out_open(&o), ev);
	fuzz_out_close(&o);
	fuzz_json_lines(o.buf, o.len);
	fuzz_out_free(&o);
	return 0;
}

static void on_lost(void *arg, struct lw_lost *lost)
{
	(void)arg;
	lw_lost_print_json(devnull, lost);
}

static void on_bad(void *arg, enum lw_stream_bad what, int err, size_t len)
{
	(void)arg;
	(void)len;
	FUZZ_ASSERT(what <= LW_STREAM_BAD_RECORDING && err < 0);
}

static void on_gone(void *arg)
{
	(void)arg;
}

static const struct lw_stream_ops ops = {
	.event = on_event,
	.lost = on_lost,
	.bad = on_bad,
	.gone = on_gone,
	.back = on_gone,
};

/* Pass 2: a stream reads it from a file and watch's printing runs. */
static void stream(const uint8_t *data, size_t size)
{
	FILE *f = tmpfile();
	struct lw_stream st;
	unsigned int reads = 0;
	int r;

	FUZZ_ASSERT(f);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size && !fflush(f));
	FUZZ_ASSERT(lseek(fileno(f), 0, SEEK_SET) == 0);
	lw_stream_init(&st, &ops, NULL);
	FUZZ_ASSERT(!lw_stream_open_recording(&st, dup(fileno(f))));
	while ((r = lw_stream_read(&st)) > 0)
		FUZZ_ASSERT(++reads <= size / NLMSG_HDRLEN + 2);
	FUZZ_ASSERT(r == 0 && lw_stream_ended(&st));
	FUZZ_ASSERT(!lw_stream_pending(&st));
	lw_stream_close(&st);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		FUZZ_ASSERT(devnull);
	}
	if (size > 1 << 20)
		return 0;
	pieces(data, size);
	stream(data, size);
	return 0;
}
