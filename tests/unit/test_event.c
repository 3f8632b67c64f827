// SPDX-License-Identifier: GPL-2.0
/*
 * Events and lost records: parsed from the messages the module sends
 * (source/nl_parse.c), printed as text and JSON (sink/event_print.c).
 * Most cases are a message and what it prints, in the tables ev_cases[]
 * and bad_cases[]; each row is a test of its own.
 */
#include <errno.h>

#include "testutil.h"
#include "msgutil.h"
#include "lib/jsonw.h"
#include "lib/utils.h"
#include "sink/event_print.h"
#include "source/modevent.h"
#include "source/nl.h"
#include "source/nl_parse.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* 2026-11-22T01:50:03.123456789Z */
#define TS	1795312203123456789ull

/* ---- messages as tables of attributes ---- */

enum attr_kind {
	A_NONE,		/* the end of the list */
	A_U8,
	A_U32,
	A_U64,
	A_STR,		/* a NUL-terminated string */
	A_RAW,		/* len bytes at s */
	A_FLAG,
	A_NEST,		/* opens a nest, up to the next A_END */
	A_END,
	A_REPEAT,	/* v strings s */
};

struct attr {
	int type;
	enum attr_kind kind;
	uint64_t v;
	const char *s;
	size_t len;
};

#define U8(a, x)	{ .type = (a), .kind = A_U8, .v = (x) }
#define U32(a, x)	{ .type = (a), .kind = A_U32, .v = (x) }
#define U64(a, x)	{ .type = (a), .kind = A_U64, .v = (x) }
#define STR(a, x)	{ .type = (a), .kind = A_STR, .s = (x) }
#define RAW(a, x, n)	{ .type = (a), .kind = A_RAW, .s = (x), .len = (n) }
#define FLAG(a)		{ .type = (a), .kind = A_FLAG }
#define NEST(a)		{ .type = (a), .kind = A_NEST }
#define END		{ .kind = A_END }
#define FRAME(x)	STR(LATWATCH_A_EV_FRAME, x)
#define FRAMES(n, x)	{ .type = LATWATCH_A_EV_FRAME, .kind = A_REPEAT, \
			  .v = (n), .s = (x) }
#define STACK(...)	NEST(LATWATCH_A_EV_STACK), __VA_ARGS__, END

#define MAX_ATTRS	24

/* The message of command cmd with the attributes in a[]. */
static struct nl_msg *build(uint8_t cmd, const struct attr *a)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, cmd);
	struct nlattr *nest = NULL;
	uint64_t i;
	int err;

	for (; a->kind != A_NONE; a++) {
		err = 0;
		switch (a->kind) {
		case A_U8:
			err = nla_put_u8(msg, a->type, (uint8_t)a->v);
			break;
		case A_U32:
			err = nla_put_u32(msg, a->type, (uint32_t)a->v);
			break;
		case A_U64:
			err = nla_put_u64(msg, a->type, a->v);
			break;
		case A_STR:
			err = nla_put_string(msg, a->type, a->s);
			break;
		case A_RAW:
			err = nla_put(msg, a->type, (int)a->len, a->s);
			break;
		case A_FLAG:
			err = nla_put_flag(msg, a->type);
			break;
		case A_NEST:
			nest = nla_nest_start(msg, a->type);
			assert_non_null(nest);
			break;
		case A_END:
			assert_non_null(nest);
			nla_nest_end(msg, nest);
			nest = NULL;
			break;
		case A_REPEAT:
			for (i = 0; i < a->v && !err; i++)
				err = nla_put_string(msg, a->type, a->s);
			break;
		case A_NONE:
			break;
		}
		assert_int_equal(err, 0);
	}
	assert_null(nest);
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

/* ---- events and what they print ---- */

/* The event the kernel sends for a 50 ms irq-off window on CPU 1. */
#define FULL_EVENT							\
	U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF),			\
	U64(LATWATCH_A_EV_SEQ, 3),					\
	U32(LATWATCH_A_EV_CPU, 1),					\
	U64(LATWATCH_A_EV_TS_NS, TS),					\
	U64(LATWATCH_A_EV_DURATION_NS, 50412345),			\
	U64(LATWATCH_A_EV_RESOLUTION_NS, 1000000),			\
	U32(LATWATCH_A_EV_PID, 45),					\
	STR(LATWATCH_A_EV_COMM, "kworker/1:1"),				\
	STACK(FRAME("lwinj_irqoff+0x4d/0x90 [latwatch_inject]"),	\
	      FRAME("work_for_cpu_fn+0x13/0x20"))

/* A slow timer callback, of kind (enum latwatch_timer_kind). */
#define TIMER_EVENT(kind)						\
	U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_TIMER),			\
	U64(LATWATCH_A_EV_SEQ, 5),					\
	U32(LATWATCH_A_EV_CPU, 0),					\
	U64(LATWATCH_A_EV_TS_NS, TS),					\
	U64(LATWATCH_A_EV_DURATION_NS, 119000000),			\
	U32(LATWATCH_A_EV_PID, 812),					\
	STR(LATWATCH_A_EV_COMM, "redis-server"),			\
	STR(LATWATCH_A_EV_CGROUP, "/system.slice/redis.service"),	\
	STR(LATWATCH_A_EV_FUNCTION, "estimation_timer [ip_vs]"),	\
	U32(LATWATCH_A_EV_KIND, kind),					\
	STACK(FRAME("estimation_timer+0x60/0x250 [ip_vs]"),		\
	      FRAME("call_timer_fn+0x27/0x130"))

/* A task blocked, of type hung or hung_end. */
#define HUNG_EVENT(type, duration)					\
	U32(LATWATCH_A_EV_TYPE, type),					\
	U64(LATWATCH_A_EV_SEQ, 7),					\
	U64(LATWATCH_A_EV_TS_NS, TS),					\
	U64(LATWATCH_A_EV_DURATION_NS, duration),			\
	U64(LATWATCH_A_EV_RESOLUTION_NS, 100000000),			\
	U32(LATWATCH_A_EV_PID, 1234),					\
	STR(LATWATCH_A_EV_COMM, "dd"),					\
	STR(LATWATCH_A_EV_CGROUP, "/user.slice"),			\
	STACK(FRAME("io_schedule+0x46/0x70"),				\
	      FRAME("folio_wait_bit_common+0x13d/0x350"))

/* A comm padded with NULs to LATWATCH_COMM_LEN, as the kernel may send. */
static const char padded_comm[LATWATCH_COMM_LEN] = "sh";

struct ev_case {
	const char *name;
	struct attr attrs[MAX_ATTRS];
	const char *json;	/* what it prints, NULL: not checked */
	const char *text;
	bool no_fields;		/* the event has nothing: ev.has is 0 */
	int nframes;		/* > 0: the frames it has */
};

static const struct ev_case ev_cases[] = {
	{
		.name = "full",
		.attrs = { FULL_EVENT },
		.json = "{\"type\":\"irqoff\",\"seq\":3,\"cpu\":1,"
			"\"time\":\"2026-11-22T01:50:03.123456Z\","
			"\"ts_ns\":1795312203123456789,\"duration_ns\":50412345,"
			"\"resolution_ns\":1000000,\"pid\":45,\"comm\":\"kworker/1:1\","
			"\"stack\":[\"lwinj_irqoff+0x4d/0x90 [latwatch_inject]\","
			"\"work_for_cpu_fn+0x13/0x20\"]}\n",
		.text = "2026-11-22T01:50:03.123456Z cpu 1 irqoff 50.412 ms "
			"(\xc2\xb1" "1.000 ms) seq 3\n"
			"    COMMAND: kworker/1:1 PID: 45\n"
			"    lwinj_irqoff+0x4d/0x90 [latwatch_inject]\n"
			"    work_for_cpu_fn+0x13/0x20\n",
	},
	{
		/* absent attributes are left out, not made up */
		.name = "sparse",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_SOFTIRQOFF),
			U64(LATWATCH_A_EV_SEQ, 9),
			U32(LATWATCH_A_EV_PID, 0),
		},
		.json = "{\"type\":\"softirqoff\",\"seq\":9,\"pid\":0}\n",
		.text = "softirqoff seq 9\n    PID: 0\n",
	},
	{
		.name = "empty",
		.json = "{}\n",
		.no_fields = true,
	},
	{
		.name = "unknown_type",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, 99),
			U32(LATWATCH_A_EV_CPU, 3),
			STR(LATWATCH_A_EV_COMM, "swapper/3"),
		},
		.json = "{\"type\":\"unknown\",\"type_id\":99,\"cpu\":3,"
			"\"comm\":\"swapper/3\"}\n",
		.text = "cpu 3 unknown(99)\n    COMMAND: swapper/3\n",
	},
	{
		/*
		 * nla_nest_end() would drop an empty nest; the kernel
		 * sends it
		 */
		.name = "empty_stack",
		.attrs = {
			U64(LATWATCH_A_EV_SEQ, 1),
			RAW(LATWATCH_A_EV_STACK | NLA_F_NESTED, NULL, 0),
		},
		.json = "{\"seq\":1,\"stack\":[]}\n",
	},
	{
		/*
		 * newer modules may append attributes, in the message
		 * and in the nest
		 */
		.name = "unknown_attrs",
		.attrs = {
			U64(LATWATCH_A_MAX + 1, 1),
			STACK(FRAME("a+0x1/0x2"), U32(LATWATCH_A_MAX + 2, 5),
			      FRAME("b+0x1/0x2")),
		},
		.json = "{\"stack\":[\"a+0x1/0x2\",\"b+0x1/0x2\"]}\n",
	},
	{
		.name = "max_frames",
		.attrs = { STACK(FRAMES(LATWATCH_STACK_MAX, "f+0x0/0x1")) },
		.nframes = LATWATCH_STACK_MAX,
	},
	{
		/* a comm padded with NULs ends at the first one */
		.name = "padded_comm",
		.attrs = {
			RAW(LATWATCH_A_EV_COMM, padded_comm,
			    sizeof(padded_comm)),
		},
		.json = "{\"comm\":\"sh\"}\n",
	},
	{
		/* a slow NET_RX run on CPU 0, in the idle task */
		.name = "softirq",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_SOFTIRQ),
			U64(LATWATCH_A_EV_SEQ, 4),
			U32(LATWATCH_A_EV_CPU, 0),
			U64(LATWATCH_A_EV_TS_NS, TS),
			U64(LATWATCH_A_EV_DURATION_NS, 52100000),
			U64(LATWATCH_A_EV_RESOLUTION_NS, 1),
			U32(LATWATCH_A_EV_PID, 0),
			STR(LATWATCH_A_EV_COMM, "swapper/0"),
			STR(LATWATCH_A_EV_CGROUP, "/"),
			U32(LATWATCH_A_EV_VECTOR, 3),
			STR(LATWATCH_A_EV_NAME, "NET_RX"),
			STACK(FRAME("net_rx_action+0x1a/0x300")),
		},
		.json = "{\"type\":\"softirq\",\"seq\":4,\"cpu\":0,"
			"\"time\":\"2026-11-22T01:50:03.123456Z\","
			"\"ts_ns\":1795312203123456789,\"duration_ns\":52100000,"
			"\"resolution_ns\":1,\"pid\":0,\"comm\":\"swapper/0\","
			"\"cgroup\":\"/\",\"vector\":\"NET_RX\",\"vector_nr\":3,"
			"\"stack\":[\"net_rx_action+0x1a/0x300\"]}\n",
		.text = "2026-11-22T01:50:03.123456Z cpu 0 softirq NET_RX 52.100 ms "
			"(\xc2\xb1" "0.001 ms) seq 4\n"
			"    COMMAND: swapper/0 PID: 0 CGROUP: /\n"
			"    net_rx_action+0x1a/0x300\n",
	},
	{
		/* without the vector name, the text names it by its number */
		.name = "softirq_no_name",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_SOFTIRQ),
			U32(LATWATCH_A_EV_VECTOR, 9),
			U64(LATWATCH_A_EV_DURATION_NS, 10000000),
		},
		.json = "{\"type\":\"softirq\",\"duration_ns\":10000000,"
			"\"vector_nr\":9}\n",
		.text = "softirq vector 9 10.000 ms\n",
	},
	{
		.name = "timer",
		.attrs = { TIMER_EVENT(LATWATCH_TIMER_LIST) },
		.json = "{\"type\":\"timer\",\"seq\":5,\"cpu\":0,"
			"\"time\":\"2026-11-22T01:50:03.123456Z\","
			"\"ts_ns\":1795312203123456789,\"duration_ns\":119000000,"
			"\"pid\":812,\"comm\":\"redis-server\","
			"\"cgroup\":\"/system.slice/redis.service\","
			"\"function\":\"estimation_timer [ip_vs]\",\"kind\":\"timer\","
			"\"stack\":[\"estimation_timer+0x60/0x250 [ip_vs]\","
			"\"call_timer_fn+0x27/0x130\"]}\n",
		.text = "2026-11-22T01:50:03.123456Z cpu 0 timer estimation_timer "
			"[ip_vs] (timer) 119.000 ms seq 5\n"
			"    COMMAND: redis-server PID: 812 "
			"CGROUP: /system.slice/redis.service\n"
			"    estimation_timer+0x60/0x250 [ip_vs]\n"
			"    call_timer_fn+0x27/0x130\n",
	},
	{
		/* a long cgroup path's end, marked truncated */
		.name = "cgroup_truncated",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF),
			U64(LATWATCH_A_EV_SEQ, 7),
			STR(LATWATCH_A_EV_CGROUP,
			    ".../pod1/cri-containerd-9f.scope"),
			FLAG(LATWATCH_A_EV_CGROUP_TRUNCATED),
		},
		.json = "{\"type\":\"irqoff\",\"seq\":7,"
			"\"cgroup\":\".../pod1/cri-containerd-9f.scope\","
			"\"cgroup_truncated\":true}\n",
	},
	{
		/* the flag alone, without a path, says nothing */
		.name = "cgroup_truncated_no_path",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF),
			U64(LATWATCH_A_EV_SEQ, 8),
			FLAG(LATWATCH_A_EV_CGROUP_TRUNCATED),
		},
		.json = "{\"type\":\"irqoff\",\"seq\":8}\n",
	},
	{
		/* strings from the kernel are escaped: JSON escapes, \xNN */
		.name = "hardirq",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_HARDIRQ),
			U64(LATWATCH_A_EV_SEQ, 6),
			U32(LATWATCH_A_EV_CPU, 1),
			U64(LATWATCH_A_EV_TS_NS, TS),
			U64(LATWATCH_A_EV_DURATION_NS, 20100000),
			U32(LATWATCH_A_EV_PID, 45),
			STR(LATWATCH_A_EV_COMM, "kworker/1:1"),
			STR(LATWATCH_A_EV_CGROUP, "/a \"b\"\\c\td"),
			U32(LATWATCH_A_EV_IRQ, 24),
			STR(LATWATCH_A_EV_NAME, "lwinj\"edu\x01\n\x7f\xff"),
			STACK(FRAME(
				"lwinj_edu_irq+0x2e/0x50 [latwatch_inject]")),
		},
		.json = "{\"type\":\"hardirq\",\"seq\":6,\"cpu\":1,"
			"\"time\":\"2026-11-22T01:50:03.123456Z\","
			"\"ts_ns\":1795312203123456789,\"duration_ns\":20100000,"
			"\"pid\":45,\"comm\":\"kworker/1:1\","
			"\"cgroup\":\"/a \\\"b\\\"\\\\c\\td\",\"irq\":24,"
			"\"name\":\"lwinj\\\"edu\\u0001\\n\\u007f\\ufffd\","
			"\"stack\":[\"lwinj_edu_irq+0x2e/0x50 [latwatch_inject]\"]}\n",
		.text = "2026-11-22T01:50:03.123456Z cpu 1 hardirq 24 "
			"lwinj\"edu\\x01\\x0a\\x7f\\xff 20.100 ms seq 6\n"
			"    COMMAND: kworker/1:1 PID: 45 CGROUP: /a \"b\"\\\\c\\x09d\n"
			"    lwinj_edu_irq+0x2e/0x50 [latwatch_inject]\n",
	},
	{
		.name = "hung",
		.attrs = { HUNG_EVENT(LATWATCH_EV_HUNG, 12000000000ull) },
		.json = "{\"type\":\"hung\",\"seq\":7,"
			"\"time\":\"2026-11-22T01:50:03.123456Z\","
			"\"ts_ns\":1795312203123456789,\"duration_ns\":12000000000,"
			"\"resolution_ns\":100000000,\"pid\":1234,\"comm\":\"dd\","
			"\"cgroup\":\"/user.slice\","
			"\"stack\":[\"io_schedule+0x46/0x70\","
			"\"folio_wait_bit_common+0x13d/0x350\"]}\n",
		.text = "2026-11-22T01:50:03.123456Z hung 12.000 s "
			"(\xc2\xb1" "100.000 ms) seq 7\n"
			"    COMMAND: dd PID: 1234 CGROUP: /user.slice\n"
			"    io_schedule+0x46/0x70\n"
			"    folio_wait_bit_common+0x13d/0x350\n",
	},
	{
		.name = "hung_end",
		.attrs = { HUNG_EVENT(LATWATCH_EV_HUNG_END, 30200000000ull) },
		.json = "{\"type\":\"hung_end\",\"seq\":7,"
			"\"time\":\"2026-11-22T01:50:03.123456Z\","
			"\"ts_ns\":1795312203123456789,\"duration_ns\":30200000000,"
			"\"resolution_ns\":100000000,\"pid\":1234,\"comm\":\"dd\","
			"\"cgroup\":\"/user.slice\","
			"\"stack\":[\"io_schedule+0x46/0x70\","
			"\"folio_wait_bit_common+0x13d/0x350\"]}\n",
		.text = "2026-11-22T01:50:03.123456Z hung_end 30.200 s "
			"(\xc2\xb1" "100.000 ms) seq 7\n"
			"    COMMAND: dd PID: 1234 CGROUP: /user.slice\n"
			"    io_schedule+0x46/0x70\n"
			"    folio_wait_bit_common+0x13d/0x350\n",
	},
	{
		/* a slow TIMER run that holds a slow callback's event */
		.name = "nest_outer",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_SOFTIRQ),
			U64(LATWATCH_A_EV_SEQ, 11),
			U64(LATWATCH_A_EV_DURATION_NS, 24000000),
			STR(LATWATCH_A_EV_NAME, "TIMER"),
			NEST(LATWATCH_A_EV_INNER_SEQS),
			U64(LATWATCH_A_EV_INNER_SEQ, 12),
			U64(LATWATCH_A_EV_INNER_SEQ, 13),
			END,
		},
		.json = "{\"type\":\"softirq\",\"seq\":11,"
			"\"duration_ns\":24000000,\"vector\":\"TIMER\","
			"\"inner_seqs\":[12,13]}\n",
		.text = "softirq TIMER 24.000 ms seq 11 holds seq 12 13\n",
	},
	{
		/* the callback's event, inside it: a tasklet */
		.name = "nest_inner",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_TIMER),
			U64(LATWATCH_A_EV_SEQ, 12),
			U64(LATWATCH_A_EV_DURATION_NS, 23900000),
			STR(LATWATCH_A_EV_FUNCTION, "lwinj_tasklet_fn"),
			U32(LATWATCH_A_EV_KIND, LATWATCH_TIMER_TASKLET),
			U64(LATWATCH_A_EV_OUTER_SEQ, 11),
		},
		.json = "{\"type\":\"timer\",\"seq\":12,"
			"\"duration_ns\":23900000,"
			"\"function\":\"lwinj_tasklet_fn\",\"kind\":\"tasklet\","
			"\"outer_seq\":11}\n",
		.text = "timer lwinj_tasklet_fn (tasklet) 23.900 ms seq 12 "
			"inside seq 11\n",
	},
	{
		/* an irq-off window made by an irq handler */
		.name = "interference_hardirq",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF),
			U64(LATWATCH_A_EV_SEQ, 20),
			U64(LATWATCH_A_EV_DURATION_NS, 21000000),
			NEST(LATWATCH_A_EV_INTERF),
			U32(LATWATCH_A_INTERF_TYPE, LATWATCH_INTERF_HARDIRQ),
			U64(LATWATCH_A_INTERF_DURATION_NS, 20500000),
			U32(LATWATCH_A_INTERF_IRQ, 24),
			STR(LATWATCH_A_INTERF_NAME, "virtio1-input.0"),
			END,
			NEST(LATWATCH_A_EV_INNER_SEQS),
			U64(LATWATCH_A_EV_INNER_SEQ, 21),
			END,
		},
		.json = "{\"type\":\"irqoff\",\"seq\":20,"
			"\"duration_ns\":21000000,\"inner_seqs\":[21],"
			"\"interference\":{\"type\":\"hardirq\",\"irq\":24,"
			"\"name\":\"virtio1-input.0\",\"duration_ns\":20500000}}\n",
		.text = "irqoff 21.000 ms seq 20 holds seq 21\n"
			"    INTERFERENCE: hardirq 24 virtio1-input.0 20.500 ms\n",
	},
	{
		/* ... or by a hard hrtimer callback */
		.name = "interference_hrtimer",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, LATWATCH_EV_IRQOFF),
			NEST(LATWATCH_A_EV_INTERF),
			U32(LATWATCH_A_INTERF_TYPE, LATWATCH_INTERF_HRTIMER),
			U64(LATWATCH_A_INTERF_DURATION_NS, 30000000),
			STR(LATWATCH_A_INTERF_FUNCTION, "lwinj_hrtimer_fn"),
			END,
		},
		.json = "{\"type\":\"irqoff\",\"interference\":{"
			"\"type\":\"hrtimer\",\"function\":\"lwinj_hrtimer_fn\","
			"\"duration_ns\":30000000}}\n",
		.text = "irqoff\n"
			"    INTERFERENCE: hrtimer lwinj_hrtimer_fn 30.000 ms\n",
	},
	{
		/* a name that is not a softirq vector: "name" in JSON */
		.name = "name_other_type",
		.attrs = {
			U32(LATWATCH_A_EV_TYPE, 99),
			STR(LATWATCH_A_EV_NAME, "x"),
		},
		.json = "{\"type\":\"unknown\",\"type_id\":99,\"name\":\"x\"}\n",
		.text = "unknown(99) x\n",
	},
};

static void test_ev_case(void **state)
{
	const struct ev_case *t = *state;
	struct nl_msg *msg = build(LATWATCH_CMD_EVENT, t->attrs);
	struct lw_event ev;

	parse(msg, &ev);
	if (t->no_fields)
		assert_int_equal(ev.has, 0);
	if (t->nframes)
		assert_int_equal(ev.nframes, t->nframes);
	if (t->json)
		assert_json(&ev, t->json);
	if (t->text)
		assert_text(&ev, t->text);
	nlmsg_free(msg);
}

/* ---- messages the parsers refuse ---- */

struct bad_case {
	const char *name;
	uint8_t cmd;		/* LATWATCH_CMD_EVENT or _LOST */
	struct attr attrs[16];
	int err;		/* the error, 0: any negative errno */
};

static const struct bad_case bad_cases[] = {
	{
		.name = "u64_of_4_bytes",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { U32(LATWATCH_A_EV_SEQ, 1) },
	},
	{
		.name = "comm_without_nul",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { RAW(LATWATCH_A_EV_COMM, "abc", 3) },
	},
	{
		.name = "frame_without_nul",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { STACK(RAW(LATWATCH_A_EV_FRAME, "abc", 3)) },
		.err = -EINVAL,
	},
	{
		.name = "empty_frame",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { STACK(RAW(LATWATCH_A_EV_FRAME, NULL, 0)) },
		.err = -EINVAL,
	},
	{
		.name = "too_many_frames",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { STACK(FRAMES(LATWATCH_STACK_MAX + 1, "f+0x0/0x1")) },
		.err = -E2BIG,
	},
	{
		.name = "name_without_nul",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { RAW(LATWATCH_A_EV_NAME, "abc", 3) },
	},
	{
		.name = "irq_of_1_byte",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { U8(LATWATCH_A_EV_IRQ, 1) },
	},
	{
		.name = "inner_seq_of_4_bytes",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { NEST(LATWATCH_A_EV_INNER_SEQS),
			   U32(LATWATCH_A_EV_INNER_SEQ, 1), END },
		.err = -EINVAL,
	},
	{
		.name = "too_many_inner",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { NEST(LATWATCH_A_EV_INNER_SEQS),
			   U64(LATWATCH_A_EV_INNER_SEQ, 1),
			   U64(LATWATCH_A_EV_INNER_SEQ, 2),
			   U64(LATWATCH_A_EV_INNER_SEQ, 3),
			   U64(LATWATCH_A_EV_INNER_SEQ, 4),
			   U64(LATWATCH_A_EV_INNER_SEQ, 5),
			   U64(LATWATCH_A_EV_INNER_SEQ, 6),
			   U64(LATWATCH_A_EV_INNER_SEQ, 7),
			   U64(LATWATCH_A_EV_INNER_SEQ, 8),
			   U64(LATWATCH_A_EV_INNER_SEQ, 9), END },
		.err = -E2BIG,
	},
	{
		.name = "interference_without_type",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { NEST(LATWATCH_A_EV_INTERF),
			   U64(LATWATCH_A_INTERF_DURATION_NS, 1), END },
		.err = -EINVAL,
	},
	{
		.name = "interference_name_without_nul",
		.cmd = LATWATCH_CMD_EVENT,
		.attrs = { NEST(LATWATCH_A_EV_INTERF),
			   U32(LATWATCH_A_INTERF_TYPE, 1),
			   U64(LATWATCH_A_INTERF_DURATION_NS, 1),
			   RAW(LATWATCH_A_INTERF_NAME, "abc", 3), END },
	},
	{
		.name = "lost_total_of_1_byte",
		.cmd = LATWATCH_CMD_LOST,
		.attrs = { U8(LATWATCH_A_LOST_TOTAL, 1) },
	},
};

static void test_bad_case(void **state)
{
	const struct bad_case *t = *state;
	struct nl_msg *msg = build(t->cmd, t->attrs);
	struct lw_event ev;
	struct lw_lost lost;
	int err;

	if (t->cmd == LATWATCH_CMD_LOST)
		err = lw_lost_parse(nlmsg_hdr(msg), &lost);
	else
		err = lw_event_parse(nlmsg_hdr(msg), &ev);
	if (t->err)
		assert_int_equal(err, t->err);
	else
		assert_true(err < 0);
	nlmsg_free(msg);
}

/* ---- the rest ---- */

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
	struct attr a[] = {
		STR(LATWATCH_A_EV_COMM, comm), STACK(FRAME(frame)), { 0 },
	};
	struct capture c;
	struct nl_msg *msg;
	struct lw_event ev;
	unsigned int b;

	(void)state;
	for (b = 1; b < 256; b++) {
		comm[1] = frame[0] = (char)b;
		msg = build(LATWATCH_CMD_EVENT, a);
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
	/* the same second again, then another: its date is kept, or not */
	assert_time(TS + 876000, "2026-11-22T01:50:03.124332Z");
	assert_time(1000, "1970-01-01T00:00:00.000001Z");
	assert_time(TS, "2026-11-22T01:50:03.123456Z");
	/* truncated, never rounded into the next second */
	assert_time(1709251199999999999ull, "2024-02-29T23:59:59.999999Z");
	assert_time(1709251200000000000ull, "2024-03-01T00:00:00.000000Z");
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
		struct attr a[MAX_ATTRS] = { TIMER_EVENT(t[i].kind) };

		msg = build(LATWATCH_CMD_EVENT, a);
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
	char str[4] = "a?b";
	struct attr a[] = {
		STR(LATWATCH_A_EV_CGROUP, str), STR(LATWATCH_A_EV_NAME, str),
		STR(LATWATCH_A_EV_FUNCTION, str), { 0 },
	};
	struct capture c;
	struct nl_msg *msg;
	struct lw_event ev;
	unsigned int b;

	(void)state;
	for (b = 1; b < 256; b++) {
		str[1] = (char)b;
		msg = build(LATWATCH_CMD_EVENT, a);
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

static const struct CMUnitTest others[] = {
	cmocka_unit_test(test_every_byte),
	cmocka_unit_test(test_text_escape),
	cmocka_unit_test(test_durations),
	cmocka_unit_test(test_time),
	cmocka_unit_test(test_timer_kinds),
	cmocka_unit_test(test_durations_secs),
	cmocka_unit_test(test_every_byte_strings),
	cmocka_unit_test(test_lost_kernel),
	cmocka_unit_test(test_lost_partial),
	cmocka_unit_test(test_lost_overrun),
};

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(ev_cases) + ARRAY_SIZE(bad_cases) +
				ARRAY_SIZE(others)];
	size_t i, n = 0;

	/* a test per row, named after it */
	for (i = 0; i < ARRAY_SIZE(ev_cases); i++)
		tests[n++] = (struct CMUnitTest){
			.name = ev_cases[i].name,
			.test_func = test_ev_case,
			.initial_state = (void *)&ev_cases[i],
		};
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++)
		tests[n++] = (struct CMUnitTest){
			.name = bad_cases[i].name,
			.test_func = test_bad_case,
			.initial_state = (void *)&bad_cases[i],
		};
	for (i = 0; i < ARRAY_SIZE(others); i++)
		tests[n++] = others[i];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
