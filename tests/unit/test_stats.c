// SPDX-License-Identifier: GPL-2.0
#include "testutil.h"
#include "msgutil.h"
#include "sink/stats_print.h"
#include "source/nl.h"
#include "source/nl_parse.h"
#include "source/stats_dump.h"

static struct nl_msg *stat_msg(uint32_t cpu, bool online, uint64_t base)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_STATS_GET);

	nla_put_u32(msg, LATWATCH_A_STAT_CPU, cpu);
	nla_put_u8(msg, LATWATCH_A_STAT_ONLINE, online);
	nla_put_u64(msg, LATWATCH_A_STAT_SAMPLES, base * 1000);
	nla_put_u64(msg, LATWATCH_A_STAT_EVENTS, base);
	nla_put_u64(msg, LATWATCH_A_STAT_LOST, 0);
	nla_put_u64(msg, LATWATCH_A_STAT_STALLS, base + 1);
	nla_put_u64(msg, LATWATCH_A_STAT_SOFTIRQ_LATE, 2);
	nla_put_u64(msg, LATWATCH_A_STAT_UNHEARD, base * 3);
	nla_put_u64(msg, LATWATCH_A_STAT_DELIVERED, base * 4);
	nla_put_u64(msg, LATWATCH_A_STAT_RATELIMITED, base + 5);
	nla_put_u64(msg, LATWATCH_A_STAT_IDLE_PAUSES, base * 2);
	nla_put_u64(msg, LATWATCH_A_STAT_IDLE_NS, base * 1000000000ULL);
	return msg;
}

/* Two CPUs as a dump brings them: in any order. */
static void two_cpus(struct lw_stats *s)
{
	struct nl_msg *msg[2] = { stat_msg(1, false, 7), stat_msg(0, true, 12) };
	struct lw_stat st;
	int i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(lw_stat_parse(nlmsg_hdr(msg[i]), &st), 0);
		assert_int_equal(lw_stats_add(s, &st), 0);
		nlmsg_free(msg[i]);
	}
	lw_stats_sort(s);
}

static void test_parse(void **state)
{
	struct nl_msg *msg = stat_msg(3, true, 5);
	struct lw_stat st;

	(void)state;
	assert_int_equal(lw_stat_parse(nlmsg_hdr(msg), &st), 0);
	assert_int_equal(st.cpu, 3);
	assert_true(st.online);
	assert_int_equal(st.ctr[0], 5000);
	assert_int_equal(st.ctr[LW_STAT_EVENTS], 5);
	assert_int_equal(st.ctr[3], 6);
	assert_int_equal(st.ctr[5], 15);
	assert_int_equal(st.ctr[LW_STAT_DELIVERED], 20);
	assert_int_equal(st.ctr[LW_STAT_RATELIMITED], 10);
	assert_int_equal(st.ctr[LW_STAT_IDLE_PAUSES], 10);
	assert_int_equal(st.ctr[LW_STAT_IDLE_NS], 5000000000ULL);
	assert_int_equal(st.has, LW_STAT_CPU | LW_STAT_ONLINE |
			 ((1u << LW_STAT_NCOUNTERS) - 1));
	nlmsg_free(msg);
}

static void test_json(void **state)
{
	struct lw_stats s = { 0 };
	struct capture c;

	(void)state;
	two_cpus(&s);
	cap_open(&c);
	lw_stats_print_json(c.f, &s);
	cap_close(&c);
	assert_string_equal(c.buf,
		"{\"cpus\":["
		"{\"cpu\":0,\"online\":true,\"samples\":12000,\"events\":12,"
		"\"lost\":0,\"stalls\":13,\"softirq_late\":2,\"unheard\":36,"
		"\"delivered\":48,\"ratelimited\":17,\"idle_pauses\":24,"
		"\"idle_ns\":12000000000},"
		"{\"cpu\":1,\"online\":false,\"samples\":7000,\"events\":7,"
		"\"lost\":0,\"stalls\":8,\"softirq_late\":2,\"unheard\":21,"
		"\"delivered\":28,\"ratelimited\":12,\"idle_pauses\":14,"
		"\"idle_ns\":7000000000}],"
		"\"total\":{\"cpus\":2,\"online\":1,\"samples\":19000,"
		"\"events\":19,\"lost\":0,\"stalls\":21,\"softirq_late\":4,"
		"\"unheard\":57,\"delivered\":76,\"ratelimited\":29,"
		"\"idle_pauses\":38,\"idle_ns\":19000000000}}\n");
	assert_json_line(c.buf);
	cap_free(&c);
	lw_stats_free(&s);
}

static void test_text(void **state)
{
	struct lw_stats s = { 0 };
	struct capture c;

	(void)state;
	two_cpus(&s);
	cap_open(&c);
	lw_stats_print_text(c.f, &s);
	assert_string_equal(cap_close(&c),
		"  CPU  ONLINE  SAMPLES  EVENTS  LOST  STALLS  SOFTIRQ_LATE  UNHEARD  DELIVERED  RATELIMITED  IDLE_PAUSES      IDLE_NS\n"
		"    0     yes    12000      12     0      13             2       36         48           17           24  12000000000\n"
		"    1      no     7000       7     0       8             2       21         28           12           14   7000000000\n"
		"total     1/2    19000      19     0      21             4       57         76           29           38  19000000000\n");
	cap_free(&c);
	lw_stats_free(&s);
}

/* A counter the module did not send is "-" and absent from JSON. */
static void test_missing(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_STATS_GET);
	struct lw_stats s = { 0 };
	struct lw_stat st;
	struct capture c;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_STAT_CPU, 2);
	nla_put_u64(msg, LATWATCH_A_STAT_EVENTS, 4);
	assert_int_equal(lw_stat_parse(nlmsg_hdr(msg), &st), 0);
	assert_int_equal(lw_stats_add(&s, &st), 0);
	nlmsg_free(msg);

	cap_open(&c);
	lw_stats_print_json(c.f, &s);
	assert_string_equal(cap_close(&c),
		"{\"cpus\":[{\"cpu\":2,\"events\":4}],"
		"\"total\":{\"cpus\":1,\"events\":4}}\n");
	cap_free(&c);

	cap_open(&c);
	lw_stats_print_text(c.f, &s);
	assert_string_equal(cap_close(&c),
		"  CPU  ONLINE  SAMPLES  EVENTS  LOST  STALLS  SOFTIRQ_LATE  UNHEARD  DELIVERED  RATELIMITED  IDLE_PAUSES  IDLE_NS\n"
		"    2       -        -       4     -       -             -        -          -            -            -        -\n"
		"total       -        -       4     -       -             -        -          -            -            -        -\n");
	cap_free(&c);
	lw_stats_free(&s);
}

static void test_many(void **state)
{
	struct lw_stats s = { 0 };
	struct lw_stat st = { .has = LW_STAT_CPU };
	uint32_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		st.cpu = 999 - i;
		assert_int_equal(lw_stats_add(&s, &st), 0);
	}
	lw_stats_sort(&s);
	for (i = 0; i < 1000; i++)
		assert_int_equal(s.cpu[i].cpu, i);
	lw_stats_free(&s);
	assert_null(s.cpu);
}

static void test_malformed(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_STATS_GET);
	struct lw_stat st;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_STAT_SAMPLES, 4);
	assert_true(lw_stat_parse(nlmsg_hdr(msg), &st) < 0);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
