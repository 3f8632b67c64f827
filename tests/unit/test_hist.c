// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "testutil.h"
#include "msgutil.h"
#include "sink/hist_print.h"
#include "source/hist_dump.h"
#include "source/nl.h"
#include "source/nl_parse.h"

/* A dump message; n buckets from count, or no nest at all if n < 0. */
static struct nl_msg *hist_msg(uint32_t cpu, uint32_t type,
			       const uint64_t *count, int n)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_HIST_GET);
	struct nlattr *nest;
	int i;

	nla_put_u32(msg, LATWATCH_A_HIST_CPU, cpu);
	nla_put_u32(msg, LATWATCH_A_HIST_TYPE, type);
	if (n < 0)
		return msg;
	if (!n) {
		/* nla_nest_end() would drop an empty nest; the kernel sends it */
		nla_put(msg, LATWATCH_A_HIST_BUCKETS | NLA_F_NESTED, 0, NULL);
		return msg;
	}
	nest = nla_nest_start(msg, LATWATCH_A_HIST_BUCKETS);
	assert_non_null(nest);
	for (i = 0; i < n; i++)
		assert_int_equal(nla_put_u64(msg, LATWATCH_A_HIST_BUCKET,
					     count[i]), 0);
	nla_nest_end(msg, nest);
	return msg;
}

static void add_msg(struct lw_hists *s, struct nl_msg *msg)
{
	struct lw_hist h;

	assert_int_equal(lw_genl_cmd(nlmsg_hdr(msg)), LATWATCH_CMD_HIST_GET);
	assert_int_equal(lw_hist_parse(nlmsg_hdr(msg), &h), 0);
	lw_hists_add(s, &h);
	nlmsg_free(msg);
}

/*
 * Two CPUs, CPU 1 first as a dump may bring them: irqoff on both,
 * softirq without samples, timer on CPU 0 only, no hardirq, and types
 * this program does not know.
 */
static void dump(struct lw_hists *s)
{
	static const uint64_t irqoff0[] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 17000, 0, 12,
	};
	static const uint64_t irqoff1[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 432 };
	static const uint64_t timer0[] = { 1, 0, 3, 2 };
	static const uint64_t other[] = { 5 };

	add_msg(s, hist_msg(1, LATWATCH_EV_IRQOFF, irqoff1, 10));
	add_msg(s, hist_msg(1, LATWATCH_EV_SOFTIRQ, NULL, -1));
	add_msg(s, hist_msg(1, LATWATCH_EV_MAX + 1, other, 1));
	add_msg(s, hist_msg(0, LATWATCH_EV_IRQOFF, irqoff0, 12));
	add_msg(s, hist_msg(0, LATWATCH_EV_SOFTIRQ, NULL, 0));
	add_msg(s, hist_msg(0, LATWATCH_EV_TIMER, timer0, 4));
	add_msg(s, hist_msg(0, LATWATCH_EV_UNSPEC, other, 1));
}

static void assert_text(const struct lw_hists *s, const char *want)
{
	struct capture c;

	cap_open(&c);
	lw_hists_print_text(c.f, s);
	assert_string_equal(cap_close(&c), want);
	cap_free(&c);
}

static void assert_json(const struct lw_hists *s, const char *want)
{
	struct capture c;

	cap_open(&c);
	lw_hists_print_json(c.f, s);
	cap_close(&c);
	assert_string_equal(c.buf, want);
	assert_json_line(c.buf);
	cap_free(&c);
}

static void test_parse(void **state)
{
	static const uint64_t count[] = { 0, 7, UINT64_MAX };
	struct nl_msg *msg = hist_msg(3, LATWATCH_EV_HARDIRQ, count, 3);
	struct lw_hist h;

	(void)state;
	assert_int_equal(lw_hist_parse(nlmsg_hdr(msg), &h), 0);
	assert_int_equal(h.cpu, 3);
	assert_int_equal(h.type, LATWATCH_EV_HARDIRQ);
	assert_int_equal(h.nbuckets, 3);
	assert_int_equal(h.count[1], 7);
	assert_true(h.count[2] == UINT64_MAX);
	assert_int_equal(h.count[3], 0);
	nlmsg_free(msg);
}

static void test_sum_text(void **state)
{
	struct lw_hists s;

	(void)state;
	lw_hists_init(&s, LATWATCH_EV_UNSPEC, false, 0);
	dump(&s);
	assert_text(&s,
		"irqoff (all CPUs):\n"
		"     usecs               : count    distribution\n"
		"       512 -> 1023       : 17432    |****************************************|\n"
		"      1024 -> 2047       : 0        |                                        |\n"
		"      2048 -> 4095       : 12       |                                        |\n"
		"\n"
		"softirq (all CPUs): no samples\n"
		"\n"
		"timer (all CPUs):\n"
		"     usecs               : count    distribution\n"
		"         1 -> 1          : 1        |*************                           |\n"
		"         2 -> 3          : 0        |                                        |\n"
		"         4 -> 7          : 3        |****************************************|\n"
		"         8 -> 15         : 2        |**************************              |\n");
}

static void test_sum_json(void **state)
{
	struct lw_hists s;

	(void)state;
	lw_hists_init(&s, LATWATCH_EV_UNSPEC, false, 0);
	dump(&s);
	assert_json(&s,
		"{\"histograms\":["
		"{\"type\":\"irqoff\",\"cpu\":\"all\",\"unit\":\"us\",\"buckets\":["
		"{\"low\":512,\"high\":1023,\"count\":17432},"
		"{\"low\":2048,\"high\":4095,\"count\":12}]},"
		"{\"type\":\"softirq\",\"cpu\":\"all\",\"unit\":\"us\",\"buckets\":[]},"
		"{\"type\":\"timer\",\"cpu\":\"all\",\"unit\":\"us\",\"buckets\":["
		"{\"low\":1,\"high\":1,\"count\":1},"
		"{\"low\":4,\"high\":7,\"count\":3},"
		"{\"low\":8,\"high\":15,\"count\":2}]}]}\n");
}

static void test_one_cpu(void **state)
{
	struct lw_hists s;

	(void)state;
	lw_hists_init(&s, LATWATCH_EV_UNSPEC, true, 1);
	dump(&s);
	assert_true(s.cpu_seen);
	assert_text(&s,
		"irqoff (CPU 1):\n"
		"     usecs               : count    distribution\n"
		"       512 -> 1023       : 432      |****************************************|\n"
		"\n"
		"softirq (CPU 1): no samples\n");
	assert_json(&s,
		"{\"histograms\":["
		"{\"type\":\"irqoff\",\"cpu\":1,\"unit\":\"us\",\"buckets\":["
		"{\"low\":512,\"high\":1023,\"count\":432}]},"
		"{\"type\":\"softirq\",\"cpu\":1,\"unit\":\"us\",\"buckets\":[]}]}\n");

	lw_hists_init(&s, LATWATCH_EV_UNSPEC, true, 2);
	dump(&s);
	assert_false(s.cpu_seen);
}

static void test_one_type(void **state)
{
	struct lw_hists s;

	(void)state;
	lw_hists_init(&s, LATWATCH_EV_TIMER, true, 0);
	dump(&s);
	assert_text(&s,
		"timer (CPU 0):\n"
		"     usecs               : count    distribution\n"
		"         1 -> 1          : 1        |*************                           |\n"
		"         2 -> 3          : 0        |                                        |\n"
		"         4 -> 7          : 3        |****************************************|\n"
		"         8 -> 15         : 2        |**************************              |\n");

	/* a type the dump does not have: no samples, and a CPU all the same */
	lw_hists_init(&s, LATWATCH_EV_HARDIRQ, true, 1);
	dump(&s);
	assert_true(s.cpu_seen);
	assert_text(&s, "hardirq (CPU 1): no samples\n");
	assert_json(&s, "{\"histograms\":[{\"type\":\"hardirq\",\"cpu\":1,"
			"\"unit\":\"us\",\"buckets\":[]}]}\n");
}

static void test_empty_dump(void **state)
{
	struct lw_hists s;

	(void)state;
	lw_hists_init(&s, LATWATCH_EV_UNSPEC, false, 0);
	assert_text(&s, "");
	assert_json(&s, "{\"histograms\":[]}\n");
}

/* The last bucket, and sums that reach the largest count. */
static void test_extremes(void **state)
{
	uint64_t count[LATWATCH_HIST_BUCKETS] = { 0 };
	struct lw_hists s;

	(void)state;
	lw_hists_init(&s, LATWATCH_EV_UNSPEC, false, 0);
	count[30] = UINT64_MAX / 2;
	count[31] = UINT64_MAX - 1;
	add_msg(&s, hist_msg(0, LATWATCH_EV_HARDIRQ, count, LATWATCH_HIST_BUCKETS));
	count[30] = 0;
	count[31] = 5;
	add_msg(&s, hist_msg(1, LATWATCH_EV_HARDIRQ, count, LATWATCH_HIST_BUCKETS));
	assert_true(s.count[LATWATCH_EV_HARDIRQ][31] == UINT64_MAX);
	assert_text(&s,
		"hardirq (all CPUs):\n"
		"     usecs               : count    distribution\n"
		"1073741824 -> 2147483647 : 9223372036854775807 |*******************                     |\n"
		"2147483648 -> 4294967295 : 18446744073709551615 |****************************************|\n");
	assert_json(&s,
		"{\"histograms\":[{\"type\":\"hardirq\",\"cpu\":\"all\","
		"\"unit\":\"us\",\"buckets\":["
		"{\"low\":1073741824,\"high\":2147483647,\"count\":9223372036854775807},"
		"{\"low\":2147483648,\"high\":4294967295,\"count\":18446744073709551615}]}]}\n");
}

/* Newer modules may append attributes, in the message and in the nest. */
static void test_unknown_attrs(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_HIST_GET);
	struct nlattr *nest;
	struct lw_hist h;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_HIST_TYPE, LATWATCH_EV_SOFTIRQOFF);
	nla_put_u32(msg, LATWATCH_A_HIST_CPU, 0);
	nla_put_u64(msg, LATWATCH_A_MAX + 1, 1);
	nest = nla_nest_start(msg, LATWATCH_A_HIST_BUCKETS);
	nla_put_u64(msg, LATWATCH_A_HIST_BUCKET, 4);
	nla_put_u32(msg, LATWATCH_A_MAX + 2, 5);
	nla_put_u64(msg, LATWATCH_A_HIST_BUCKET, 6);
	nla_nest_end(msg, nest);
	assert_int_equal(lw_hist_parse(nlmsg_hdr(msg), &h), 0);
	assert_int_equal(h.nbuckets, 2);
	assert_int_equal(h.count[0], 4);
	assert_int_equal(h.count[1], 6);
	nlmsg_free(msg);
}

static void test_malformed(void **state)
{
	uint64_t count[LATWATCH_HIST_BUCKETS + 1] = { 0 };
	struct nl_msg *msg;
	struct nlattr *nest;
	struct lw_hist h;

	(void)state;
	/* no CPU, no type */
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_HIST_GET);
	nla_put_u32(msg, LATWATCH_A_HIST_TYPE, LATWATCH_EV_IRQOFF);
	assert_int_equal(lw_hist_parse(nlmsg_hdr(msg), &h), -EINVAL);
	nlmsg_free(msg);
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_HIST_GET);
	nla_put_u32(msg, LATWATCH_A_HIST_CPU, 0);
	assert_int_equal(lw_hist_parse(nlmsg_hdr(msg), &h), -EINVAL);
	nlmsg_free(msg);

	/* a u32 type of 1 byte */
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_HIST_GET);
	nla_put_u8(msg, LATWATCH_A_HIST_TYPE, 1);
	assert_true(lw_hist_parse(nlmsg_hdr(msg), &h) < 0);
	nlmsg_free(msg);

	/* a bucket of 4 bytes */
	msg = hist_msg(0, LATWATCH_EV_IRQOFF, NULL, -1);
	nest = nla_nest_start(msg, LATWATCH_A_HIST_BUCKETS);
	nla_put_u32(msg, LATWATCH_A_HIST_BUCKET, 1);
	nla_nest_end(msg, nest);
	assert_int_equal(lw_hist_parse(nlmsg_hdr(msg), &h), -EINVAL);
	nlmsg_free(msg);

	/* one bucket too many */
	msg = hist_msg(0, LATWATCH_EV_IRQOFF, count, LATWATCH_HIST_BUCKETS);
	assert_int_equal(lw_hist_parse(nlmsg_hdr(msg), &h), 0);
	nlmsg_free(msg);
	msg = hist_msg(0, LATWATCH_EV_IRQOFF, count, LATWATCH_HIST_BUCKETS + 1);
	assert_int_equal(lw_hist_parse(nlmsg_hdr(msg), &h), -E2BIG);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_sum_text),
		cmocka_unit_test(test_sum_json),
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_one_type),
		cmocka_unit_test(test_empty_dump),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_unknown_attrs),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
