// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "testutil.h"
#include "msgutil.h"
#include "lib/jsonw.h"
#include "lib/utils.h"
#include "sink/event_print.h"
#include "source/modevent.h"
#include "source/nl.h"
#include "source/nl_parse.h"

/* 2026-11-22T01:50:03.123456789Z */
#define TS	1795312203123456789ull

static const char *const frames[] = {
	"lwinj_irqoff+0x4d/0x90 [latwatch_inject]",
	"work_for_cpu_fn+0x13/0x20",
};

static void put_stack(struct nl_msg *msg, const char *const *f, int n)
{
	struct nlattr *nest = nla_nest_start(msg, LATWATCH_A_EV_STACK);
	int i;

	assert_non_null(nest);
	for (i = 0; i < n; i++)
		assert_int_equal(nla_put_string(msg, LATWATCH_A_EV_FRAME, f[i]), 0);
	nla_nest_end(msg, nest);
}

/* The event the kernel sends for a 50 ms irq-off window on CPU 1. */
static struct nl_msg *full_event(void)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);

	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 3);
	nla_put_u32(msg, LATWATCH_A_EV_CPU, 1);
	nla_put_u64(msg, LATWATCH_A_EV_TS_NS, TS);
	nla_put_u64(msg, LATWATCH_A_EV_DURATION_NS, 50412345);
	nla_put_u64(msg, LATWATCH_A_EV_RESOLUTION_NS, 1000000);
	nla_put_u32(msg, LATWATCH_A_EV_PID, 45);
	nla_put_string(msg, LATWATCH_A_EV_COMM, "kworker/1:1");
	put_stack(msg, frames, 2);
	return msg;
}

static void parse(struct nl_msg *msg, struct lw_event *ev)
{
	assert_int_equal(lw_genl_cmd(nlmsg_hdr(msg)), LATWATCH_CMD_EVENT);
	assert_int_equal(lw_event_parse(nlmsg_hdr(msg), ev), 0);
}

static void assert_json(const struct lw_event *ev, const char *want)
{
	struct capture c;

	cap_open(&c);
	lw_event_print_json(c.f, ev);
	cap_close(&c);
	assert_string_equal(c.buf, want);
	assert_json_line(c.buf);
	cap_free(&c);
}

static void assert_text(const struct lw_event *ev, const char *want)
{
	struct capture c;

	cap_open(&c);
	lw_event_print_text(c.f, ev);
	assert_string_equal(cap_close(&c), want);
	cap_free(&c);
}

static void test_full_json(void **state)
{
	struct nl_msg *msg = full_event();
	struct lw_event ev;

	(void)state;
	parse(msg, &ev);
	assert_json(&ev,
		"{\"type\":\"irqoff\",\"seq\":3,\"cpu\":1,"
		"\"time\":\"2026-11-22T01:50:03.123456Z\","
		"\"ts_ns\":1795312203123456789,\"duration_ns\":50412345,"
		"\"resolution_ns\":1000000,\"pid\":45,\"comm\":\"kworker/1:1\","
		"\"stack\":[\"lwinj_irqoff+0x4d/0x90 [latwatch_inject]\","
		"\"work_for_cpu_fn+0x13/0x20\"]}\n");
	nlmsg_free(msg);
}

static void test_full_text(void **state)
{
	struct nl_msg *msg = full_event();
	struct lw_event ev;

	(void)state;
	parse(msg, &ev);
	assert_text(&ev,
		"2026-11-22T01:50:03.123456Z cpu 1 irqoff 50.412 ms "
		"(\xc2\xb1" "1.000 ms) seq 3\n"
		"    COMMAND: kworker/1:1 PID: 45\n"
		"    lwinj_irqoff+0x4d/0x90 [latwatch_inject]\n"
		"    work_for_cpu_fn+0x13/0x20\n");
	nlmsg_free(msg);
}

/* Absent attributes are left out, not made up. */
static void test_sparse(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_SOFTIRQOFF);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 9);
	nla_put_u32(msg, LATWATCH_A_EV_PID, 0);
	parse(msg, &ev);
	assert_json(&ev, "{\"type\":\"softirqoff\",\"seq\":9,\"pid\":0}\n");
	assert_text(&ev, "softirqoff seq 9\n    PID: 0\n");
	nlmsg_free(msg);
}

static void test_empty(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	parse(msg, &ev);
	assert_int_equal(ev.has, 0);
	assert_json(&ev, "{}\n");
	nlmsg_free(msg);
}

static void test_unknown_type(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_EV_TYPE, 99);
	nla_put_u32(msg, LATWATCH_A_EV_CPU, 3);
	nla_put_string(msg, LATWATCH_A_EV_COMM, "swapper/3");
	parse(msg, &ev);
	assert_json(&ev, "{\"type\":\"unknown\",\"type_id\":99,\"cpu\":3,"
			 "\"comm\":\"swapper/3\"}\n");
	assert_text(&ev, "cpu 3 unknown(99)\n    COMMAND: swapper/3\n");
	nlmsg_free(msg);
}

static void test_empty_stack(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 1);
	/* nla_nest_end() would drop an empty nest; the kernel sends it */
	nla_put(msg, LATWATCH_A_EV_STACK | NLA_F_NESTED, 0, NULL);
	parse(msg, &ev);
	assert_json(&ev, "{\"seq\":1,\"stack\":[]}\n");
	nlmsg_free(msg);
}

/* Newer modules may append attributes, in the message and in the nest. */
static void test_unknown_attrs(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct nlattr *nest;
	struct lw_event ev;

	(void)state;
	nla_put_u64(msg, LATWATCH_A_MAX + 1, 1);
	nest = nla_nest_start(msg, LATWATCH_A_EV_STACK);
	nla_put_string(msg, LATWATCH_A_EV_FRAME, "a+0x1/0x2");
	nla_put_u32(msg, LATWATCH_A_MAX + 2, 5);
	nla_put_string(msg, LATWATCH_A_EV_FRAME, "b+0x1/0x2");
	nla_nest_end(msg, nest);
	parse(msg, &ev);
	assert_json(&ev, "{\"stack\":[\"a+0x1/0x2\",\"b+0x1/0x2\"]}\n");
	nlmsg_free(msg);
}

static void test_max_frames(void **state)
{
	const char *f[LATWATCH_STACK_MAX + 1];
	struct nl_msg *msg;
	struct lw_event ev;
	int i;

	(void)state;
	for (i = 0; i <= LATWATCH_STACK_MAX; i++)
		f[i] = "f+0x0/0x1";
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	put_stack(msg, f, LATWATCH_STACK_MAX);
	parse(msg, &ev);
	assert_int_equal(ev.nframes, LATWATCH_STACK_MAX);
	nlmsg_free(msg);

	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	put_stack(msg, f, LATWATCH_STACK_MAX + 1);
	assert_int_equal(lw_event_parse(nlmsg_hdr(msg), &ev), -E2BIG);
	nlmsg_free(msg);
}

static void test_malformed(void **state)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	struct lw_event ev;

	(void)state;
	/* a u64 attribute of 4 bytes */
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	nla_put_u32(msg, LATWATCH_A_EV_SEQ, 1);
	assert_true(lw_event_parse(nlmsg_hdr(msg), &ev) < 0);
	nlmsg_free(msg);

	/* a comm without its NUL */
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	nla_put(msg, LATWATCH_A_EV_COMM, 3, "abc");
	assert_true(lw_event_parse(nlmsg_hdr(msg), &ev) < 0);
	nlmsg_free(msg);

	/* a frame without its NUL, and an empty one */
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	nest = nla_nest_start(msg, LATWATCH_A_EV_STACK);
	nla_put(msg, LATWATCH_A_EV_FRAME, 3, "abc");
	nla_nest_end(msg, nest);
	assert_int_equal(lw_event_parse(nlmsg_hdr(msg), &ev), -EINVAL);
	nlmsg_free(msg);

	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	nest = nla_nest_start(msg, LATWATCH_A_EV_STACK);
	nla_put(msg, LATWATCH_A_EV_FRAME, 0, NULL);
	nla_nest_end(msg, nest);
	assert_int_equal(lw_event_parse(nlmsg_hdr(msg), &ev), -EINVAL);
	nlmsg_free(msg);
}

/* A comm padded with NULs to LATWATCH_COMM_LEN ends at the first one. */
static void test_padded_comm(void **state)
{
	char comm[LATWATCH_COMM_LEN] = "sh";
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put(msg, LATWATCH_A_EV_COMM, sizeof(comm), comm);
	parse(msg, &ev);
	assert_json(&ev, "{\"comm\":\"sh\"}\n");
	nlmsg_free(msg);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * Every byte a comm or a frame can hold: the parsed event prints as
 * valid JSON with the byte escaped as jw_escape() does it.
 */
static void test_every_byte(void **state)
{
	char comm[4] = "a?b", frame[3] = "?x", want[512], esc[16];
	const char *fr[1] = { frame };
	struct capture c;
	struct nl_msg *msg;
	struct lw_event ev;
	unsigned int b;

	(void)state;
	for (b = 1; b < 256; b++) {
		comm[1] = frame[0] = (char)b;
		msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
		nla_put_string(msg, LATWATCH_A_EV_COMM, comm);
		put_stack(msg, fr, 1);
		parse(msg, &ev);

		cap_open(&c);
		jw_escape(c.f, comm + 1, 1);
		cap_close(&c);
		snprintf(esc, sizeof(esc), "%s", c.buf);
		cap_free(&c);
		snprintf(want, sizeof(want),
			 "{\"comm\":\"a%sb\",\"stack\":[\"%sx\"]}\n", esc, esc);
		assert_json(&ev, want);

		cap_open(&c);
		lw_event_print_text(c.f, &ev);
		cap_close(&c);
		/* an empty header line, the COMMAND line, the frame */
		assert_int_equal(count_lines(c.buf), 3);
		assert_non_null(strstr(c.buf, "\n    COMMAND: a"));
		cap_free(&c);
		nlmsg_free(msg);
	}
}

static void test_text_escape(void **state)
{
	struct lw_str s = { "a\nb\\c\x7f\xff\xc3\xa9", 9 };
	struct capture c;

	(void)state;
	cap_open(&c);
	lw_text_escape(c.f, &s);
	assert_string_equal(cap_close(&c), "a\\x0ab\\\\c\\x7f\\xff\xc3\xa9");
	cap_free(&c);
}

static void test_durations(void **state)
{
	struct lw_event ev = {
		.has = LW_EV_DURATION | LW_EV_RESOLUTION,
	};
	static const struct {
		uint64_t dur, res;
		const char *want;
	} t[] = {
		{ 0, 0, "0.000 ms (\xc2\xb1" "0.000 ms)\n" },
		{ 499, 1, "0.000 ms (\xc2\xb1" "0.001 ms)\n" },
		{ 500, 1000, "0.001 ms (\xc2\xb1" "0.001 ms)\n" },
		{ 1499, 1001, "0.001 ms (\xc2\xb1" "0.002 ms)\n" },
		{ 999999500, 250000, "1000.000 ms (\xc2\xb1" "0.250 ms)\n" },
		{ 12345678901, 4000000, "12345.679 ms (\xc2\xb1" "4.000 ms)\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ev.duration_ns = t[i].dur;
		ev.resolution_ns = t[i].res;
		assert_text(&ev, t[i].want);
	}
}

static void assert_time(uint64_t ts, const char *want)
{
	char buf[LW_TIME_LEN];

	lw_fmt_time(buf, ts);
	assert_string_equal(buf, want);
}

static void test_time(void **state)
{
	(void)state;
	assert_time(0, "1970-01-01T00:00:00.000000Z");
	assert_time(999, "1970-01-01T00:00:00.000000Z");
	assert_time(1000, "1970-01-01T00:00:00.000001Z");
	assert_time(TS, "2026-11-22T01:50:03.123456Z");
	/* truncated, never rounded into the next second */
	assert_time(1709251199999999999ull, "2024-02-29T23:59:59.999999Z");
	assert_time(1709251200000000000ull, "2024-03-01T00:00:00.000000Z");
}

/* A slow NET_RX run on CPU 0, in the idle task. */
static void test_softirq(void **state)
{
	static const char *const f[] = { "net_rx_action+0x1a/0x300" };
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_SOFTIRQ);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 4);
	nla_put_u32(msg, LATWATCH_A_EV_CPU, 0);
	nla_put_u64(msg, LATWATCH_A_EV_TS_NS, TS);
	nla_put_u64(msg, LATWATCH_A_EV_DURATION_NS, 52100000);
	nla_put_u64(msg, LATWATCH_A_EV_RESOLUTION_NS, 1);
	nla_put_u32(msg, LATWATCH_A_EV_PID, 0);
	nla_put_string(msg, LATWATCH_A_EV_COMM, "swapper/0");
	nla_put_string(msg, LATWATCH_A_EV_CGROUP, "/");
	nla_put_u32(msg, LATWATCH_A_EV_VECTOR, 3);
	nla_put_string(msg, LATWATCH_A_EV_NAME, "NET_RX");
	put_stack(msg, f, 1);
	parse(msg, &ev);
	assert_json(&ev,
		"{\"type\":\"softirq\",\"seq\":4,\"cpu\":0,"
		"\"time\":\"2026-11-22T01:50:03.123456Z\","
		"\"ts_ns\":1795312203123456789,\"duration_ns\":52100000,"
		"\"resolution_ns\":1,\"pid\":0,\"comm\":\"swapper/0\","
		"\"cgroup\":\"/\",\"vector\":\"NET_RX\",\"vector_nr\":3,"
		"\"stack\":[\"net_rx_action+0x1a/0x300\"]}\n");
	assert_text(&ev,
		"2026-11-22T01:50:03.123456Z cpu 0 softirq NET_RX 52.100 ms "
		"(\xc2\xb1" "0.001 ms) seq 4\n"
		"    COMMAND: swapper/0 PID: 0 CGROUP: /\n"
		"    net_rx_action+0x1a/0x300\n");
	nlmsg_free(msg);
}

/* Without the vector name, the text names the vector by its number. */
static void test_softirq_no_name(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_SOFTIRQ);
	nla_put_u32(msg, LATWATCH_A_EV_VECTOR, 9);
	nla_put_u64(msg, LATWATCH_A_EV_DURATION_NS, 10000000);
	parse(msg, &ev);
	assert_json(&ev, "{\"type\":\"softirq\",\"duration_ns\":10000000,"
			 "\"vector_nr\":9}\n");
	assert_text(&ev, "softirq vector 9 10.000 ms\n");
	nlmsg_free(msg);
}

static struct nl_msg *timer_event(uint32_t kind)
{
	static const char *const f[] = {
		"estimation_timer+0x60/0x250 [ip_vs]",
		"call_timer_fn+0x27/0x130",
	};
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);

	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_TIMER);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 5);
	nla_put_u32(msg, LATWATCH_A_EV_CPU, 0);
	nla_put_u64(msg, LATWATCH_A_EV_TS_NS, TS);
	nla_put_u64(msg, LATWATCH_A_EV_DURATION_NS, 119000000);
	nla_put_u32(msg, LATWATCH_A_EV_PID, 812);
	nla_put_string(msg, LATWATCH_A_EV_COMM, "redis-server");
	nla_put_string(msg, LATWATCH_A_EV_CGROUP, "/system.slice/redis.service");
	nla_put_string(msg, LATWATCH_A_EV_FUNCTION, "estimation_timer [ip_vs]");
	nla_put_u32(msg, LATWATCH_A_EV_KIND, kind);
	put_stack(msg, f, 2);
	return msg;
}

static void test_timer(void **state)
{
	struct nl_msg *msg = timer_event(LATWATCH_TIMER_LIST);
	struct lw_event ev;

	(void)state;
	parse(msg, &ev);
	assert_json(&ev,
		"{\"type\":\"timer\",\"seq\":5,\"cpu\":0,"
		"\"time\":\"2026-11-22T01:50:03.123456Z\","
		"\"ts_ns\":1795312203123456789,\"duration_ns\":119000000,"
		"\"pid\":812,\"comm\":\"redis-server\","
		"\"cgroup\":\"/system.slice/redis.service\","
		"\"function\":\"estimation_timer [ip_vs]\",\"kind\":\"timer\","
		"\"stack\":[\"estimation_timer+0x60/0x250 [ip_vs]\","
		"\"call_timer_fn+0x27/0x130\"]}\n");
	assert_text(&ev,
		"2026-11-22T01:50:03.123456Z cpu 0 timer estimation_timer "
		"[ip_vs] (timer) 119.000 ms seq 5\n"
		"    COMMAND: redis-server PID: 812 "
		"CGROUP: /system.slice/redis.service\n"
		"    estimation_timer+0x60/0x250 [ip_vs]\n"
		"    call_timer_fn+0x27/0x130\n");
	nlmsg_free(msg);
}

/* The kernel sends a long cgroup path's end, marked truncated. */
static void test_cgroup_truncated(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 7);
	nla_put_string(msg, LATWATCH_A_EV_CGROUP, ".../pod1/cri-containerd-9f.scope");
	nla_put_flag(msg, LATWATCH_A_EV_CGROUP_TRUNCATED);
	parse(msg, &ev);
	assert_json(&ev,
		"{\"type\":\"irqoff\",\"seq\":7,"
		"\"cgroup\":\".../pod1/cri-containerd-9f.scope\","
		"\"cgroup_truncated\":true}\n");
	nlmsg_free(msg);

	/* The flag alone, without a path, says nothing. */
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 8);
	nla_put_flag(msg, LATWATCH_A_EV_CGROUP_TRUNCATED);
	parse(msg, &ev);
	assert_json(&ev, "{\"type\":\"irqoff\",\"seq\":8}\n");
	nlmsg_free(msg);
}

static void test_timer_kinds(void **state)
{
	static const struct {
		uint32_t kind;
		const char *name;
	} t[] = {
		{ LATWATCH_TIMER_HRTIMER, "hrtimer" },
		{ LATWATCH_TIMER_UNSPEC, "unknown" },
		{ 77, "unknown" },
	};
	char want[256];
	struct capture c;
	struct lw_event ev;
	struct nl_msg *msg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		msg = timer_event(t[i].kind);
		parse(msg, &ev);
		cap_open(&c);
		lw_event_print_json(c.f, &ev);
		cap_close(&c);
		snprintf(want, sizeof(want), "\"kind\":\"%s\",", t[i].name);
		assert_non_null(strstr(c.buf, want));
		cap_free(&c);
		cap_open(&c);
		lw_event_print_text(c.f, &ev);
		cap_close(&c);
		snprintf(want, sizeof(want), " [ip_vs] (%s) 119.000 ms", t[i].name);
		assert_non_null(strstr(c.buf, want));
		cap_free(&c);
		nlmsg_free(msg);
	}
}

/* Strings from the kernel are escaped: JSON escapes, \xNN in text. */
static void test_hardirq(void **state)
{
	static const char *const f[] = { "lwinj_edu_irq+0x2e/0x50 [latwatch_inject]" };
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_EV_TYPE, LATWATCH_EV_HARDIRQ);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 6);
	nla_put_u32(msg, LATWATCH_A_EV_CPU, 1);
	nla_put_u64(msg, LATWATCH_A_EV_TS_NS, TS);
	nla_put_u64(msg, LATWATCH_A_EV_DURATION_NS, 20100000);
	nla_put_u32(msg, LATWATCH_A_EV_PID, 45);
	nla_put_string(msg, LATWATCH_A_EV_COMM, "kworker/1:1");
	nla_put_string(msg, LATWATCH_A_EV_CGROUP, "/a \"b\"\\c\td");
	nla_put_u32(msg, LATWATCH_A_EV_IRQ, 24);
	nla_put_string(msg, LATWATCH_A_EV_NAME, "lwinj\"edu\x01\n\x7f\xff");
	put_stack(msg, f, 1);
	parse(msg, &ev);
	assert_json(&ev,
		"{\"type\":\"hardirq\",\"seq\":6,\"cpu\":1,"
		"\"time\":\"2026-11-22T01:50:03.123456Z\","
		"\"ts_ns\":1795312203123456789,\"duration_ns\":20100000,"
		"\"pid\":45,\"comm\":\"kworker/1:1\","
		"\"cgroup\":\"/a \\\"b\\\"\\\\c\\td\",\"irq\":24,"
		"\"name\":\"lwinj\\\"edu\\u0001\\n\\u007f\\ufffd\","
		"\"stack\":[\"lwinj_edu_irq+0x2e/0x50 [latwatch_inject]\"]}\n");
	assert_text(&ev,
		"2026-11-22T01:50:03.123456Z cpu 1 hardirq 24 "
		"lwinj\"edu\\x01\\x0a\\x7f\\xff 20.100 ms seq 6\n"
		"    COMMAND: kworker/1:1 PID: 45 CGROUP: /a \"b\"\\\\c\\x09d\n"
		"    lwinj_edu_irq+0x2e/0x50 [latwatch_inject]\n");
	nlmsg_free(msg);
}

static struct nl_msg *hung_event(uint32_t type, uint64_t duration)
{
	static const char *const f[] = {
		"io_schedule+0x46/0x70",
		"folio_wait_bit_common+0x13d/0x350",
	};
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);

	nla_put_u32(msg, LATWATCH_A_EV_TYPE, type);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, 7);
	nla_put_u64(msg, LATWATCH_A_EV_TS_NS, TS);
	nla_put_u64(msg, LATWATCH_A_EV_DURATION_NS, duration);
	nla_put_u64(msg, LATWATCH_A_EV_RESOLUTION_NS, 100000000);
	nla_put_u32(msg, LATWATCH_A_EV_PID, 1234);
	nla_put_string(msg, LATWATCH_A_EV_COMM, "dd");
	nla_put_string(msg, LATWATCH_A_EV_CGROUP, "/user.slice");
	put_stack(msg, f, 2);
	return msg;
}

static void test_hung(void **state)
{
	struct nl_msg *msg = hung_event(LATWATCH_EV_HUNG, 12000000000ull);
	struct lw_event ev;

	(void)state;
	parse(msg, &ev);
	assert_json(&ev,
		"{\"type\":\"hung\",\"seq\":7,"
		"\"time\":\"2026-11-22T01:50:03.123456Z\","
		"\"ts_ns\":1795312203123456789,\"duration_ns\":12000000000,"
		"\"resolution_ns\":100000000,\"pid\":1234,\"comm\":\"dd\","
		"\"cgroup\":\"/user.slice\","
		"\"stack\":[\"io_schedule+0x46/0x70\","
		"\"folio_wait_bit_common+0x13d/0x350\"]}\n");
	assert_text(&ev,
		"2026-11-22T01:50:03.123456Z hung 12.000 s "
		"(\xc2\xb1" "100.000 ms) seq 7\n"
		"    COMMAND: dd PID: 1234 CGROUP: /user.slice\n"
		"    io_schedule+0x46/0x70\n"
		"    folio_wait_bit_common+0x13d/0x350\n");
	nlmsg_free(msg);
}

static void test_hung_end(void **state)
{
	struct nl_msg *msg = hung_event(LATWATCH_EV_HUNG_END, 30200000000ull);
	struct lw_event ev;

	(void)state;
	parse(msg, &ev);
	assert_json(&ev,
		"{\"type\":\"hung_end\",\"seq\":7,"
		"\"time\":\"2026-11-22T01:50:03.123456Z\","
		"\"ts_ns\":1795312203123456789,\"duration_ns\":30200000000,"
		"\"resolution_ns\":100000000,\"pid\":1234,\"comm\":\"dd\","
		"\"cgroup\":\"/user.slice\","
		"\"stack\":[\"io_schedule+0x46/0x70\","
		"\"folio_wait_bit_common+0x13d/0x350\"]}\n");
	assert_text(&ev,
		"2026-11-22T01:50:03.123456Z hung_end 30.200 s "
		"(\xc2\xb1" "100.000 ms) seq 7\n"
		"    COMMAND: dd PID: 1234 CGROUP: /user.slice\n"
		"    io_schedule+0x46/0x70\n"
		"    folio_wait_bit_common+0x13d/0x350\n");
	nlmsg_free(msg);
}

/* A type whose name attribute is not a softirq vector: "name" in JSON. */
static void test_name_other_type(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct lw_event ev;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_EV_TYPE, 99);
	nla_put_string(msg, LATWATCH_A_EV_NAME, "x");
	parse(msg, &ev);
	assert_json(&ev, "{\"type\":\"unknown\",\"type_id\":99,\"name\":\"x\"}\n");
	assert_text(&ev, "unknown(99) x\n");
	nlmsg_free(msg);
}

/* The newer types print 1 s or more in seconds; irqoff keeps ms. */
static void test_durations_secs(void **state)
{
	struct lw_event ev = {
		.has = LW_EV_TYPE | LW_EV_DURATION | LW_EV_RESOLUTION,
		.type = LATWATCH_EV_HARDIRQ,
	};
	static const struct {
		uint64_t dur, res;
		const char *want;
	} t[] = {
		{ 999999499, 999999000, "hardirq 999.999 ms (\xc2\xb1" "999.999 ms)\n" },
		{ 999999500, 999999001, "hardirq 1.000 s (\xc2\xb1" "1.000 s)\n" },
		{ 1000499999, 1000000001, "hardirq 1.000 s (\xc2\xb1" "1.001 s)\n" },
		{ 1000500000, 1000000000, "hardirq 1.001 s (\xc2\xb1" "1.000 s)\n" },
		{ UINT64_MAX, 1, "hardirq 18446744073.710 s (\xc2\xb1" "0.001 ms)\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ev.duration_ns = t[i].dur;
		ev.resolution_ns = t[i].res;
		assert_text(&ev, t[i].want);
	}
	ev.type = LATWATCH_EV_IRQOFF;
	ev.duration_ns = 1500000000;
	ev.resolution_ns = 1000000;
	assert_text(&ev, "irqoff 1500.000 ms (\xc2\xb1" "1.000 ms)\n");
}

/* Every byte the new strings can hold prints as valid JSON. */
static void test_every_byte_strings(void **state)
{
	static const int attrs[] = {
		LATWATCH_A_EV_CGROUP, LATWATCH_A_EV_NAME, LATWATCH_A_EV_FUNCTION,
	};
	char str[4] = "a?b";
	struct capture c;
	struct nl_msg *msg;
	struct lw_event ev;
	unsigned int b;
	size_t i;

	(void)state;
	for (b = 1; b < 256; b++) {
		str[1] = (char)b;
		msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
		for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
			nla_put_string(msg, attrs[i], str);
		parse(msg, &ev);
		cap_open(&c);
		lw_event_print_json(c.f, &ev);
		cap_close(&c);
		assert_json_line(c.buf);
		cap_free(&c);
		cap_open(&c);
		lw_event_print_text(c.f, &ev);
		cap_close(&c);
		/* the header line and the CGROUP line */
		assert_int_equal(count_lines(c.buf), 2);
		cap_free(&c);
		nlmsg_free(msg);
	}
}

static void test_malformed_new(void **state)
{
	struct nl_msg *msg;
	struct lw_event ev;

	(void)state;
	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	nla_put(msg, LATWATCH_A_EV_NAME, 3, "abc");
	assert_true(lw_event_parse(nlmsg_hdr(msg), &ev) < 0);
	nlmsg_free(msg);

	msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	nla_put_u8(msg, LATWATCH_A_EV_IRQ, 1);
	assert_true(lw_event_parse(nlmsg_hdr(msg), &ev) < 0);
	nlmsg_free(msg);
}

static void test_lost_kernel(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_LOST);
	struct lw_lost lost;
	struct capture c;

	(void)state;
	nla_put_u64(msg, LATWATCH_A_LOST_COUNT, 5);
	nla_put_u64(msg, LATWATCH_A_LOST_TOTAL, 12);
	assert_int_equal(lw_genl_cmd(nlmsg_hdr(msg)), LATWATCH_CMD_LOST);
	assert_int_equal(lw_lost_parse(nlmsg_hdr(msg), &lost), 0);
	lost.ts_ns = TS;

	cap_open(&c);
	lw_lost_print_json(c.f, &lost);
	cap_close(&c);
	assert_string_equal(c.buf,
		"{\"type\":\"lost\",\"reason\":\"kernel\",\"count\":5,"
		"\"total\":12,\"time\":\"2026-11-22T01:50:03.123456Z\","
		"\"ts_ns\":1795312203123456789}\n");
	assert_json_line(c.buf);
	cap_free(&c);

	cap_open(&c);
	lw_lost_print_text(c.f, &lost);
	assert_string_equal(cap_close(&c),
		"2026-11-22T01:50:03.123456Z lost 5 events (total 12)\n");
	cap_free(&c);
	nlmsg_free(msg);
}

static void test_lost_partial(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_LOST);
	struct lw_lost lost;
	struct capture c;

	(void)state;
	nla_put_u64(msg, LATWATCH_A_LOST_COUNT, 1);
	assert_int_equal(lw_lost_parse(nlmsg_hdr(msg), &lost), 0);
	lost.ts_ns = 0;
	cap_open(&c);
	lw_lost_print_json(c.f, &lost);
	assert_string_equal(cap_close(&c),
		"{\"type\":\"lost\",\"reason\":\"kernel\",\"count\":1,"
		"\"time\":\"1970-01-01T00:00:00.000000Z\",\"ts_ns\":0}\n");
	cap_free(&c);
	nlmsg_free(msg);
}

static void test_lost_overrun(void **state)
{
	struct lw_lost lost = {
		.has = LW_LOST_OVERRUNS,
		.reason = LW_LOST_OVERRUN,
		.overruns = 2,
		.ts_ns = TS,
	};
	struct capture c;

	(void)state;
	cap_open(&c);
	lw_lost_print_json(c.f, &lost);
	assert_string_equal(cap_close(&c),
		"{\"type\":\"lost\",\"reason\":\"overrun\",\"overruns\":2,"
		"\"time\":\"2026-11-22T01:50:03.123456Z\","
		"\"ts_ns\":1795312203123456789}\n");
	cap_free(&c);

	cap_open(&c);
	lw_lost_print_text(c.f, &lost);
	assert_string_equal(cap_close(&c),
		"2026-11-22T01:50:03.123456Z lost events: receive buffer "
		"overrun (overruns 2)\n");
	cap_free(&c);
}

static void test_lost_malformed(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_LOST);
	struct lw_lost lost;

	(void)state;
	nla_put_u8(msg, LATWATCH_A_LOST_TOTAL, 1);
	assert_true(lw_lost_parse(nlmsg_hdr(msg), &lost) < 0);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_json),
		cmocka_unit_test(test_full_text),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_empty_stack),
		cmocka_unit_test(test_unknown_attrs),
		cmocka_unit_test(test_max_frames),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_padded_comm),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_text_escape),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_softirq),
		cmocka_unit_test(test_softirq_no_name),
		cmocka_unit_test(test_timer),
		cmocka_unit_test(test_timer_kinds),
		cmocka_unit_test(test_hardirq),
		cmocka_unit_test(test_hung),
		cmocka_unit_test(test_hung_end),
		cmocka_unit_test(test_name_other_type),
		cmocka_unit_test(test_durations_secs),
		cmocka_unit_test(test_every_byte_strings),
		cmocka_unit_test(test_malformed_new),
		cmocka_unit_test(test_cgroup_truncated),
		cmocka_unit_test(test_lost_kernel),
		cmocka_unit_test(test_lost_partial),
		cmocka_unit_test(test_lost_overrun),
		cmocka_unit_test(test_lost_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
