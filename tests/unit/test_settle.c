// SPDX-License-Identifier: GPL-2.0
/*
 * Events held until they can be explained (analysis/settle.c): each let
 * go once, oldest first, as parsed on arrival, its strings in the copy
 * the queue keeps (the message it came in is gone by then); the oldest
 * let go at once when the queue is full.
 */
#include "testutil.h"
#include "msgutil.h"
#include "analysis/settle.h"
#include "source/nl_parse.h"

#define NEVENTS	(LW_SETTLE_MAX + 3)

struct released {
	unsigned int n;
	uint64_t seq[NEVENTS];
	bool replayed[NEVENTS];
};

static int frames_of(uint64_t seq)
{
	return (int)(seq % 5);
}

static struct nl_msg *event_msg(uint64_t seq)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct nlattr *stack;
	char frame[32];
	int i;

	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_TIMER);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, seq);
	nla_put_u64(msg, LATWATCH_A_EV_TS_NS, 1000 + seq);
	nla_put_string(msg, LATWATCH_A_EV_COMM, "kworker/0:1");
	nla_put_string(msg, LATWATCH_A_EV_CGROUP, "/system.slice");
	nla_put_string(msg, LATWATCH_A_EV_FUNCTION, "estimation_timer");
	stack = nla_nest_start(msg, LATWATCH_A_EV_STACK);
	for (i = 0; i < frames_of(seq); i++) {
		snprintf(frame, sizeof(frame), "f%d_%llu+0x1/0x2", i,
			 (unsigned long long)seq);
		nla_put_string(msg, LATWATCH_A_EV_FRAME, frame);
	}
	nla_nest_end(msg, stack);
	return msg;
}

static void assert_str(const struct lw_str *s, const char *want)
{
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->p, want, s->len);
}

static void on_release(void *arg, const struct lw_event *ev, bool replayed)
{
	struct released *r = arg;
	char frame[32];
	int i;

	assert_true(r->n < NEVENTS);
	r->seq[r->n] = ev->seq;
	r->replayed[r->n] = replayed;
	r->n++;
	/* what was parsed, its message freed long since */
	assert_true(ev->ts_ns == 1000 + ev->seq);
	assert_str(&ev->comm, "kworker/0:1");
	assert_str(&ev->cgroup, "/system.slice");
	assert_str(&ev->function, "estimation_timer");
	assert_null(ev->name.p);
	assert_int_equal(ev->nframes, frames_of(ev->seq));
	for (i = 0; i < frames_of(ev->seq); i++) {
		snprintf(frame, sizeof(frame), "f%d_%llu+0x1/0x2", i,
			 (unsigned long long)ev->seq);
		assert_str(&ev->frames[i], frame);
	}
}

static void hold(struct lw_settle *q, uint64_t seq, bool replayed)
{
	struct nl_msg *msg = event_msg(seq);
	struct lw_event ev;

	assert_int_equal(lw_event_parse(nlmsg_hdr(msg), &ev), 0);
	assert_int_equal(lw_settle_hold(q, nlmsg_hdr(msg), &ev, replayed), 0);
	/* gone: the queue keeps its own copy */
	memset(nlmsg_hdr(msg), 0xa5, nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
}

static void test_order(void **state)
{
	static struct lw_settle q;
	struct lw_snapshots snaps;
	struct released r = { 0 };
	uint64_t i;

	(void)state;
	memset(&snaps, 0, sizeof(snaps));
	lw_settle_init(&q, on_release, &r);
	for (i = 1; i <= 10; i++)
		hold(&q, i, i % 2);
	/* not waited long enough: the snapshots are not even looked at */
	lw_settle_release(&q, &snaps, UINT64_MAX, false);
	assert_int_equal(r.n, 0);
	lw_settle_release(&q, &snaps, UINT64_MAX, true);
	assert_int_equal(r.n, 10);
	for (i = 0; i < 10; i++) {
		assert_true(r.seq[i] == i + 1);
		assert_int_equal(r.replayed[i], (i + 1) % 2);
	}
	lw_settle_release(&q, &snaps, 0, true);
	assert_int_equal(r.n, 10);
	lw_settle_free(&q);
}

/* Full: the oldest goes at once, the others wait. */
static void test_full(void **state)
{
	static struct lw_settle q;
	struct lw_snapshots snaps;
	struct released r = { 0 };
	uint64_t i;

	(void)state;
	memset(&snaps, 0, sizeof(snaps));
	lw_settle_init(&q, on_release, &r);
	for (i = 1; i <= NEVENTS; i++)
		hold(&q, i, false);
	assert_int_equal(r.n, NEVENTS - LW_SETTLE_MAX);
	for (i = 0; i < r.n; i++)
		assert_true(r.seq[i] == i + 1);
	/* what is still held is freed without being let go */
	lw_settle_free(&q);
	lw_settle_release(&q, &snaps, 0, true);
	assert_int_equal(r.n, NEVENTS - LW_SETTLE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
