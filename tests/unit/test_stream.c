// SPDX-License-Identifier: GPL-2.0
/*
 * The stream of the module's events (source/stream.c), one message at a
 * time as lw_stream_read() hands them on: duplicates, lost records, the
 * family going and coming back, the cursor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>

#include "testutil.h"
#include "msgutil.h"
#include "lib/utils.h"
#include "source/stream.h"

#define INSTANCE	0x1234abcdull

/* What the stream handed on. */
struct seen {
	unsigned int events;
	uint64_t seq[16];
	uint64_t instance[16];
	bool replayed[16];
	unsigned int lost;
	struct lw_lost last_lost;
	unsigned int bad[LW_STREAM_TRAILING + 1];
	int bad_err;
	unsigned int gone;
	unsigned int back;
};

static int on_event(void *arg, struct nlmsghdr *nlh,
		    const struct lw_event *ev, bool replayed)
{
	struct seen *s = arg;

	assert_non_null(nlh);
	assert_true(s->events < 16);
	s->seq[s->events] = ev->seq;
	s->instance[s->events] = ev->instance;
	s->replayed[s->events] = replayed;
	s->events++;
	return 0;
}

static void on_lost(void *arg, struct lw_lost *lost)
{
	struct seen *s = arg;

	s->lost++;
	s->last_lost = *lost;
}

static void on_bad(void *arg, enum lw_stream_bad what, int err, size_t len)
{
	struct seen *s = arg;

	(void)len;
	s->bad[what]++;
	s->bad_err = err;
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

/* A stream as lw_stream_subscribe() leaves it, subscribed to TEST_FAMILY. */
static void subscribed(struct lw_stream *st, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	lw_stream_init(st, &ops, s);
	st->nl.family = TEST_FAMILY;
	st->loaded = true;
}

/* Hand st an event of instance (0: none) and seq (0: none). */
static void event(struct lw_stream *st, uint64_t instance, uint64_t seq)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);

	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF);
	if (seq)
		nla_put_u64(msg, LATWATCH_A_EV_SEQ, seq);
	if (instance)
		nla_put_u64(msg, LATWATCH_A_INSTANCE, instance);
	lw_stream_handle(st, nlmsg_hdr(msg));
	nlmsg_free(msg);
}

static struct nl_msg *ctrl_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, GENL_ID_CTRL, 0, 0, cmd, 2));
	return msg;
}

static void family_gone(struct lw_stream *st, uint16_t id)
{
	struct nl_msg *msg = ctrl_msg(CTRL_CMD_DELFAMILY);

	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, id);
	lw_stream_handle(st, nlmsg_hdr(msg));
	nlmsg_free(msg);
}

static void family_new(struct lw_stream *st, const char *name)
{
	struct nl_msg *msg = ctrl_msg(CTRL_CMD_NEWFAMILY);

	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, TEST_FAMILY + 1);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name);
	lw_stream_handle(st, nlmsg_hdr(msg));
	nlmsg_free(msg);
}

/*
 * Caught up to sequence number 5 of INSTANCE: what is at or below it, of
 * that instance, was fetched already and is dropped, each later one is
 * passed on once; other instances and events without a sequence number
 * are not told apart.
 */
static void test_duplicates(void **state)
{
	static const uint64_t want[] = { 6, 8, 1, 0, 9 };
	struct lw_stream st;
	struct seen s;
	unsigned int i;

	(void)state;
	subscribed(&st, &s);
	st.instance = INSTANCE;
	st.seq = 5;
	event(&st, INSTANCE, 4);
	event(&st, INSTANCE, 5);
	event(&st, INSTANCE, 6);
	event(&st, INSTANCE, 6);
	event(&st, INSTANCE, 8);
	event(&st, INSTANCE, 7);
	event(&st, INSTANCE + 1, 1);
	event(&st, INSTANCE, 0);
	event(&st, INSTANCE, 9);
	assert_int_equal(s.events, 5);
	for (i = 0; i < 5; i++) {
		assert_true(s.seq[i] == want[i]);
		assert_false(s.replayed[i]);
	}
	assert_true(st.received == 5);
	assert_true(st.seq == 9);
}

/* Before an instance is known (no cursor), every event is passed on. */
static void test_no_instance(void **state)
{
	struct lw_stream st;
	struct seen s;

	(void)state;
	subscribed(&st, &s);
	event(&st, INSTANCE, 3);
	event(&st, INSTANCE, 3);
	event(&st, INSTANCE, 2);
	assert_int_equal(s.events, 3);
	assert_true(s.instance[0] == INSTANCE);
}

static void test_lost(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_LOST);
	uint64_t before = lw_now_ns();
	struct lw_stream st;
	struct seen s;

	(void)state;
	subscribed(&st, &s);
	nla_put_u64(msg, LATWATCH_A_LOST_COUNT, 5);
	nla_put_u64(msg, LATWATCH_A_LOST_TOTAL, 12);
	lw_stream_handle(&st, nlmsg_hdr(msg));
	nlmsg_free(msg);
	assert_int_equal(s.lost, 1);
	assert_int_equal(s.last_lost.reason, LW_LOST_KERNEL);
	assert_true(s.last_lost.count == 5 && s.last_lost.total == 12);
	assert_true(s.last_lost.ts_ns >= before &&
		    s.last_lost.ts_ns <= lw_now_ns());
}

static void test_malformed(void **state)
{
	struct lw_stream st;
	struct nl_msg *msg;
	struct seen s;

	(void)state;
	subscribed(&st, &s);
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	nla_put_u32(msg, LATWATCH_A_EV_SEQ, 1);	/* a u64 of 4 bytes */
	lw_stream_handle(&st, nlmsg_hdr(msg));
	nlmsg_free(msg);
	assert_int_equal(s.bad[LW_STREAM_BAD_EVENT], 1);
	assert_true(s.bad_err < 0);

	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_LOST);
	nla_put_u8(msg, LATWATCH_A_LOST_TOTAL, 1);
	lw_stream_handle(&st, nlmsg_hdr(msg));
	nlmsg_free(msg);
	assert_int_equal(s.bad[LW_STREAM_BAD_LOST], 1);
	assert_int_equal(s.events, 0);
	assert_int_equal(s.lost, 0);
	assert_true(st.received == 0);
}

/*
 * The family's removal: said once; what comes of it after is not taken;
 * then a new family of the module's name is.
 */
static void test_gone_back(void **state)
{
	struct lw_stream st;
	struct seen s;

	(void)state;
	subscribed(&st, &s);
	family_gone(&st, TEST_FAMILY + 1);
	family_new(&st, "latwatch");
	assert_int_equal(s.gone, 0);
	assert_int_equal(s.back, 0);
	assert_true(lw_stream_loaded(&st));

	family_gone(&st, TEST_FAMILY);
	assert_int_equal(s.gone, 1);
	assert_false(lw_stream_loaded(&st));
	family_gone(&st, TEST_FAMILY);
	event(&st, INSTANCE, 1);
	assert_int_equal(s.gone, 1);
	assert_int_equal(s.events, 0);

	family_new(&st, "nlctrl");
	assert_int_equal(s.back, 0);
	family_new(&st, "latwatch");
	assert_int_equal(s.back, 1);
}

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

/*
 * The cursor moves past each event consumed that has an instance and a
 * sequence number, and is written when saved, once.
 */
static void test_cursor(void **state)
{
	char dir[] = "/tmp/lw-stream-XXXXXX", path[64], err[LW_ERR_LEN];
	char buf[LW_CURSOR_LEN + 8];
	struct lw_event ev = { 0 };
	struct lw_stream st;
	struct seen s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/watch.cursor", dir);
	subscribed(&st, &s);
	assert_false(lw_stream_has_cursor(&st));
	assert_int_equal(lw_stream_save(&st), 0);
	assert_int_equal(lw_stream_open_cursor(&st, path, err, sizeof(err)),
			 0);
	assert_true(lw_stream_has_cursor(&st));

	ev.has = LW_EV_SEQ;
	ev.seq = 3;
	lw_stream_consumed(&st, &ev);
	assert_int_equal(lw_stream_save(&st), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "");

	ev.has = LW_EV_SEQ | LW_EV_INSTANCE;
	ev.instance = INSTANCE;
	ev.seq = 42;
	lw_stream_consumed(&st, &ev);
	assert_int_equal(lw_stream_save(&st), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf,
			    "latwatch-cursor 1 000000001234abcd 00000000000000000042\n");

	/* not moved since: not written again */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(lw_stream_save(&st), 0);
	assert_int_equal(access(path, F_OK), -1);

	lw_stream_close(&st);
	assert_false(lw_stream_has_cursor(&st));
	assert_int_equal(rmdir(dir), 0);
}

/* A cursor file that is not one is refused and left alone. */
static void test_cursor_bad(void **state)
{
	char dir[] = "/tmp/lw-stream-XXXXXX", path[64], err[LW_ERR_LEN];
	struct lw_stream st;
	struct seen s;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/junk", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "junk\n", 5), 5);
	close(fd);
	subscribed(&st, &s);
	assert_int_equal(lw_stream_open_cursor(&st, path, err, sizeof(err)),
			 -EINVAL);
	assert_false(lw_stream_has_cursor(&st));
	assert_non_null(strstr(err, "not a latwatch cursor file"));
	lw_stream_close(&st);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_no_instance),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_gone_back),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_cursor_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
