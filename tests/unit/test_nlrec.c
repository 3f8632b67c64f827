// SPDX-License-Identifier: GPL-2.0
/*
 * Recordings of netlink messages (source/nlrec.c) read back, from a pipe
 * as it fills and from a file; and a stream that reads one instead of the
 * socket (lw_stream_open_recording()).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>

#include "testutil.h"
#include "msgutil.h"
#include "source/nlrec.h"
#include "source/stream.h"

/* A pipe whose read end does not block: fds[0] read, fds[1] write. */
static void nb_pipe(int fds[2])
{
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
}

static void put(int fd, const void *p, size_t len)
{
	assert_int_equal(write(fd, p, len), (ssize_t)len);
}

/*
 * An event message of seq with len bytes of strings, in attributes of
 * 30000 bytes at most (an attribute's length is 16 bits).
 */
static struct nl_msg *event_msg(uint64_t seq, size_t len)
{
	struct nl_msg *msg = nlmsg_alloc_size(len + 1024 + len / 30000 * 8);
	char *s = malloc(30001);
	size_t n;

	assert_non_null(msg);
	assert_non_null(s);
	assert_non_null(genlmsg_put(msg, 0, 0, TEST_FAMILY, 0, 0,
				    LATWATCH_CMD_EVENT, LATWATCH_GENL_VERSION));
	assert_int_equal(nla_put_u64(msg, LATWATCH_A_EV_SEQ, seq), 0);
	do {
		n = len < 30000 ? len : 30000;
		memset(s, 'x', n);
		s[n] = '\0';
		assert_int_equal(nla_put_string(msg, LATWATCH_A_EV_COMM, s),
				 0);
		len -= n;
	} while (len);
	free(s);
	return msg;
}

/*
 * One whose length is not a multiple of NLMSG_ALIGNTO: its last
 * attribute, a comm of 5 bytes and a NUL, without its padding.
 */
static struct nl_msg *odd_msg(uint64_t seq)
{
	struct nl_msg *msg = event_msg(seq, 5);

	nlmsg_hdr(msg)->nlmsg_len -= 2;
	return msg;
}

/* Write msg as a recording has it: padded unless last says not. */
static void put_msg(int fd, struct nl_msg *msg, bool pad)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	static const char zero[NLMSG_ALIGNTO];
	size_t len = nlh->nlmsg_len;

	put(fd, nlh, len);
	if (pad)
		put(fd, zero, NLMSG_ALIGN(len) - len);
}

/* The next message is an event of seq and length len. */
static void want_msg(struct lw_nlrec *r, uint64_t seq, size_t len)
{
	struct nlmsghdr *nlh;
	ssize_t n = lw_nlrec_recv(r, &nlh);

	assert_int_equal(n, (ssize_t)len);
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_len, len);
	assert_int_equal((uintptr_t)nlh % NLMSG_ALIGNTO, 0);
	assert_int_equal(nla_get_u64(nlmsg_find_attr(nlh, GENL_HDRLEN,
						     LATWATCH_A_EV_SEQ)), seq);
}

static void want_errno(struct lw_nlrec *r, int err)
{
	struct nlmsghdr *nlh;

	errno = 0;
	assert_int_equal(lw_nlrec_recv(r, &nlh), -1);
	assert_int_equal(errno, err);
}

static void want_end(struct lw_nlrec *r)
{
	struct nlmsghdr *nlh;

	assert_int_equal(lw_nlrec_recv(r, &nlh), 0);
	assert_false(lw_nlrec_pending(r));
	assert_int_equal(lw_nlrec_recv(r, &nlh), 0);
}

/*
 * Messages as a pipe brings them: whole, a few at once, cut anywhere
 * (nothing until the rest comes), the last one without its padding.
 */
static void test_pipe(void **state)
{
	struct nl_msg *a = odd_msg(1), *b = event_msg(2, 2000);
	struct nl_msg *c = odd_msg(3);
	size_t la = nlmsg_hdr(a)->nlmsg_len, lb = nlmsg_hdr(b)->nlmsg_len;
	size_t lc = nlmsg_hdr(c)->nlmsg_len;
	struct lw_nlrec r;
	int fds[2];

	(void)state;
	assert_true(la % NLMSG_ALIGNTO && lc % NLMSG_ALIGNTO);
	nb_pipe(fds);
	assert_int_equal(lw_nlrec_open(&r, fds[0]), 0);
	assert_int_equal(lw_nlrec_fd(&r), fds[0]);
	want_errno(&r, EAGAIN);
	assert_false(lw_nlrec_pending(&r));

	put_msg(fds[1], a, true);
	put_msg(fds[1], b, true);
	want_msg(&r, 1, la);
	assert_true(lw_nlrec_pending(&r));
	want_msg(&r, 2, lb);
	assert_false(lw_nlrec_pending(&r));

	/* a header cut, then a message cut */
	put(fds[1], nlmsg_hdr(a), 7);
	want_errno(&r, EAGAIN);
	put(fds[1], (char *)nlmsg_hdr(a) + 7, 20);
	want_errno(&r, EAGAIN);
	assert_false(lw_nlrec_pending(&r));
	put(fds[1], (char *)nlmsg_hdr(a) + 27, la - 27);
	want_errno(&r, EAGAIN);		/* its padding is still to come */
	put(fds[1], "\0\0\0", NLMSG_ALIGN(la) - la);
	want_msg(&r, 1, la);

	put_msg(fds[1], c, false);
	want_errno(&r, EAGAIN);
	close(fds[1]);
	want_msg(&r, 3, lc);
	assert_true(lw_nlrec_pending(&r));
	want_end(&r);
	lw_nlrec_close(&r);
	nlmsg_free(a);
	nlmsg_free(b);
	nlmsg_free(c);
}

/*
 * More messages than the buffer holds, from a file: each once, in order,
 * aligned, whatever read() cut.
 */
static void test_file(void **state)
{
	FILE *f = tmpfile();
	struct lw_nlrec r;
	struct nl_msg *m;
	uint64_t i, n = 0;
	size_t len;

	(void)state;
	assert_non_null(f);
	for (i = 1; n < 3 * LW_NLREC_BUF; i++) {
		m = event_msg(i, i * 37 % 3001);
		n += NLMSG_ALIGN(nlmsg_hdr(m)->nlmsg_len);
		put_msg(fileno(f), m, true);
		nlmsg_free(m);
	}
	assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
	assert_int_equal(lw_nlrec_open(&r, dup(fileno(f))), 0);
	for (n = 1; n < i; n++) {
		m = event_msg(n, n * 37 % 3001);
		len = nlmsg_hdr(m)->nlmsg_len;
		nlmsg_free(m);
		want_msg(&r, n, len);
	}
	want_end(&r);
	lw_nlrec_close(&r);
	fclose(f);
}

/*
 * A message longer than LW_NLREC_MSG_MAX is skipped, its length said,
 * and the one after it read, aligned, even when the skip takes several
 * reads of odd lengths.
 */
static void test_too_large(void **state)
{
	struct nl_msg *big = event_msg(1, LW_NLREC_MSG_MAX + 1001);
	struct nl_msg *next = event_msg(2, 3);
	size_t lbig = nlmsg_hdr(big)->nlmsg_len, off;
	struct nlmsghdr *nlh;
	struct lw_nlrec r;
	int fds[2];

	(void)state;
	nb_pipe(fds);
	assert_int_equal(lw_nlrec_open(&r, fds[0]), 0);
	put(fds[1], nlmsg_hdr(big), 4099);
	assert_int_equal(lw_nlrec_recv(&r, &nlh), (ssize_t)lbig);
	assert_null(nlh);
	for (off = 4099; off < lbig; off += 4099) {
		want_errno(&r, EAGAIN);
		put(fds[1], (char *)nlmsg_hdr(big) + off,
		    lbig - off < 4099 ? lbig - off : 4099);
	}
	put(fds[1], "\0\0\0", NLMSG_ALIGN(lbig) - lbig);
	put_msg(fds[1], next, true);
	want_msg(&r, 2, nlmsg_hdr(next)->nlmsg_len);
	close(fds[1]);
	want_end(&r);
	lw_nlrec_close(&r);
	nlmsg_free(big);
	nlmsg_free(next);
}

/* What is no message ends the recording: said once, then the end. */
static void test_bad(void **state)
{
	struct nl_msg *a = event_msg(1, 8);
	struct nlmsghdr h = { .nlmsg_len = NLMSG_HDRLEN - 1 }, *nlh;
	struct lw_nlrec r;
	int fds[2];

	(void)state;
	/* a length too short to be a message, the writer still there */
	nb_pipe(fds);
	assert_int_equal(lw_nlrec_open(&r, fds[0]), 0);
	put_msg(fds[1], a, true);
	put(fds[1], &h, sizeof(h));
	put_msg(fds[1], a, true);
	want_msg(&r, 1, nlmsg_hdr(a)->nlmsg_len);
	assert_true(lw_nlrec_pending(&r));
	want_errno(&r, EBADMSG);
	assert_true(lw_nlrec_pending(&r));
	want_end(&r);
	lw_nlrec_close(&r);
	close(fds[1]);

	/* the end inside a message */
	nb_pipe(fds);
	assert_int_equal(lw_nlrec_open(&r, fds[0]), 0);
	put(fds[1], nlmsg_hdr(a), nlmsg_hdr(a)->nlmsg_len - 1);
	close(fds[1]);
	want_errno(&r, EBADMSG);
	want_end(&r);
	lw_nlrec_close(&r);

	/* the end inside a header */
	nb_pipe(fds);
	assert_int_equal(lw_nlrec_open(&r, fds[0]), 0);
	put(fds[1], nlmsg_hdr(a), 3);
	close(fds[1]);
	want_errno(&r, EBADMSG);
	want_end(&r);
	lw_nlrec_close(&r);

	/* a length near 4 GiB: skipped, to the end */
	nb_pipe(fds);
	assert_int_equal(lw_nlrec_open(&r, fds[0]), 0);
	h.nlmsg_len = UINT32_MAX;
	put(fds[1], &h, sizeof(h));
	put_msg(fds[1], a, true);
	close(fds[1]);
	assert_int_equal(lw_nlrec_recv(&r, &nlh), (ssize_t)UINT32_MAX);
	assert_null(nlh);
	want_end(&r);
	lw_nlrec_close(&r);

	/* nothing at all is an empty recording */
	nb_pipe(fds);
	assert_int_equal(lw_nlrec_open(&r, fds[0]), 0);
	close(fds[1]);
	want_end(&r);
	lw_nlrec_close(&r);
	nlmsg_free(a);
}

/* ---- a stream reading a recording ---- */

struct seen {
	unsigned int events, lost, gone, back;
	uint64_t seq[8];
	unsigned int bad[LW_STREAM_BAD_RECORDING + 1];
};

static int on_event(void *arg, struct nlmsghdr *nlh,
		    const struct lw_event *ev, bool replayed)
{
	struct seen *s = arg;

	assert_non_null(nlh);
	assert_false(replayed);
	assert_true(s->events < 8);
	s->seq[s->events++] = ev->seq;
	return 0;
}

static void on_lost(void *arg, struct lw_lost *lost)
{
	(void)lost;
	((struct seen *)arg)->lost++;
}

static void on_bad(void *arg, enum lw_stream_bad what, int err, size_t len)
{
	(void)err;
	(void)len;
	((struct seen *)arg)->bad[what]++;
}

static void on_gone(void *arg)
{
	((struct seen *)arg)->gone++;
}

static void on_back(void *arg)
{
	((struct seen *)arg)->back++;
}

static const struct lw_stream_ops ops = {
	.event = on_event,
	.lost = on_lost,
	.bad = on_bad,
	.gone = on_gone,
	.back = on_back,
};

static void put_ctrl(int fd, uint8_t cmd, uint16_t id, const char *name)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, GENL_ID_CTRL, 0, 0, cmd, 2));
	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, id);
	if (name)
		nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name);
	put_msg(fd, msg, true);
	nlmsg_free(msg);
}

static void put_event(int fd, int family, uint64_t seq)
{
	struct nl_msg *msg = genl_msg(family, LATWATCH_CMD_EVENT);

	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, seq);
	put_msg(fd, msg, true);
	nlmsg_free(msg);
}

/* Read until the recording ends; each read a datagram. */
static unsigned int drain(struct lw_stream *st)
{
	unsigned int reads = 0;
	int r;

	while ((r = lw_stream_read(st)) > 0)
		reads++;
	assert_int_equal(r, 0);
	return reads;
}

/*
 * The family is the first message's that is not nlctrl's; it goes and
 * comes back with the family notifications, as on the socket; each
 * message is a datagram; the end is told.
 */
static void test_stream(void **state)
{
	struct nl_msg *lost = genl_msg(TEST_FAMILY, LATWATCH_CMD_LOST);
	struct lw_stream st;
	struct seen s = { 0 };
	int fds[2];

	(void)state;
	nb_pipe(fds);
	lw_stream_init(&st, &ops, &s);
	assert_int_equal(lw_stream_open_recording(&st, fds[0]), 0);
	assert_true(lw_stream_recorded(&st));
	assert_true(lw_stream_loaded(&st));
	assert_int_equal(lw_stream_fd(&st), fds[0]);

	put_ctrl(fds[1], CTRL_CMD_NEWFAMILY, TEST_FAMILY, "latwatch");
	put_event(fds[1], TEST_FAMILY, 1);
	put_msg(fds[1], lost, true);
	put_event(fds[1], TEST_FAMILY + 1, 2);	/* not the family */
	put_ctrl(fds[1], CTRL_CMD_DELFAMILY, TEST_FAMILY, NULL);
	put_event(fds[1], TEST_FAMILY, 3);	/* gone: not taken */
	put_ctrl(fds[1], CTRL_CMD_NEWFAMILY, TEST_FAMILY + 2, "latwatch");
	put_event(fds[1], TEST_FAMILY + 2, 4);
	put_event(fds[1], TEST_FAMILY, 5);	/* the old family's */
	assert_false(lw_stream_pending(&st));	/* poll() says it */
	assert_int_equal(lw_stream_read(&st), 1);
	assert_true(lw_stream_pending(&st));	/* read already */
	assert_int_equal(drain(&st), 8);
	assert_false(lw_stream_ended(&st));
	assert_false(lw_stream_pending(&st));
	assert_int_equal(lw_stream_family(&st), TEST_FAMILY + 2);
	assert_int_equal(s.events, 2);
	assert_true(s.seq[0] == 1 && s.seq[1] == 4);
	assert_int_equal(s.lost, 1);
	assert_int_equal(s.gone, 1);
	assert_int_equal(s.back, 1);

	/* a message cut short at the end */
	put(fds[1], "\x40\0\0\0", 4);
	close(fds[1]);
	assert_int_equal(lw_stream_read(&st), 1);
	assert_int_equal(s.bad[LW_STREAM_BAD_RECORDING], 1);
	assert_int_equal(lw_stream_read(&st), 0);
	assert_true(lw_stream_ended(&st));
	assert_true(st.received == 2);
	lw_stream_close(&st);
	assert_false(lw_stream_recorded(&st));
	nlmsg_free(lost);
}

/* A message too large for a datagram is said so, as on the socket. */
static void test_stream_too_large(void **state)
{
	struct nl_msg *big = event_msg(1, LW_NLREC_MSG_MAX);
	struct lw_stream st;
	struct seen s = { 0 };
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	put_msg(fileno(f), big, true);
	put_event(fileno(f), TEST_FAMILY, 2);
	assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
	lw_stream_init(&st, &ops, &s);
	assert_int_equal(lw_stream_open_recording(&st, dup(fileno(f))), 0);
	assert_int_equal(drain(&st), 2);
	assert_true(lw_stream_ended(&st));
	assert_int_equal(s.bad[LW_STREAM_TOO_LARGE], 1);
	assert_int_equal(s.events, 1);
	assert_true(s.seq[0] == 2);
	lw_stream_close(&st);
	fclose(f);
	nlmsg_free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
