// SPDX-License-Identifier: GPL-2.0
#include "testutil.h"
#include "analysis/signature.h"
#include "source/modevent.h"

/* The stack of a slow timer callback, as the module sends it. */
static const char *const timer_frames[] = {
	"estimation_timer+0x2b/0x1c0 [ip_vs]",
	"call_timer_fn+0x27/0x130",
	"__run_timers.part.0+0x1f8/0x290",
	"run_timer_softirq+0x2a/0x50",
};

static struct lw_str str(const char *s)
{
	struct lw_str l = { s, strlen(s) };

	return l;
}

static void func(const char *frame, size_t len, const char *want)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	lw_frame_func(buf, len, frame, strlen(frame));
	assert_string_equal(buf, want);
}

static void test_frame_func(void **state)
{
	char buf[8] = "unused";

	(void)state;
	func("memcg_stat_show+0x5e/0x1f0", 64, "memcg_stat_show");
	func("estimation_timer+0x2b/0x1c0 [ip_vs]", 64, "estimation_timer");
	func("lwinj_irqoff [latwatch_inject]", 64, "lwinj_irqoff");
	func("__run_timers.part.0+0x1f8/0x290", 64, "__run_timers.part.0");
	func("0xffffffffc0a01234", 64, "0xffffffffc0a01234");
	func("memcg_stat_show+0x5e/0x1f0", 4, "mem");
	func("memcg_stat_show", 1, "");
	func("+0x10/0x20", 64, "");
	/* Not past flen, NUL or no NUL. */
	lw_frame_func(buf, sizeof(buf), "abcdef+0x1", 3);
	assert_string_equal(buf, "abc");
	/* len 0 writes nothing. */
	lw_frame_func(buf, 0, "zzz", 3);
	assert_string_equal(buf, "abc");
}

static void test_signature(void **state)
{
	char buf[LW_SIG_LEN];
	const char *one[] = { "memcg_stat_show+0x5e/0x1f0" };
	size_t n;

	(void)state;
	n = lw_signature(buf, sizeof(buf), "timer", "estimation_timer",
			 timer_frames, 4);
	assert_string_equal(buf, "timer/estimation_timer:estimation_timer,"
			    "call_timer_fn,__run_timers.part.0");
	assert_int_equal(n, strlen(buf));

	lw_signature(buf, sizeof(buf), "softirqoff", NULL, one, 1);
	assert_string_equal(buf, "softirqoff:memcg_stat_show");
	lw_signature(buf, sizeof(buf), "softirqoff", "", one, 1);
	assert_string_equal(buf, "softirqoff:memcg_stat_show");
	lw_signature(buf, sizeof(buf), "hardirq", "eth0-rx-3", NULL, 0);
	assert_string_equal(buf, "hardirq/eth0-rx-3");
	lw_signature(buf, sizeof(buf), NULL, NULL, one, 1);
	assert_string_equal(buf, "unknown:memcg_stat_show");
}

static void test_truncation(void **state)
{
	const char *want = "timer/estimation_timer:estimation_timer,"
			   "call_timer_fn,__run_timers.part.0";
	char buf[16], big[LW_SIG_LEN];
	char longwhat[400];
	size_t n, i;

	(void)state;
	n = lw_signature(buf, sizeof(buf), "timer", "estimation_timer",
			 timer_frames, 3);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, sizeof(buf) - 1);
	assert_int_equal(buf[sizeof(buf) - 1], '\0');

	/* Every length cuts at len - 1 and reports the whole length. */
	for (i = 1; i <= strlen(want) + 1; i++) {
		memset(big, 'x', sizeof(big));
		n = lw_signature(big, i, "timer", "estimation_timer",
				 timer_frames, 3);
		assert_int_equal(n, strlen(want));
		assert_int_equal(strlen(big), i - 1);
		assert_memory_equal(big, want, i - 1);
		assert_int_equal(big[i], 'x');
	}

	/* len 0: nothing written, the length still counted. */
	big[0] = 'q';
	assert_int_equal(lw_signature(big, 0, "irqoff", NULL, NULL, 0), 6);
	assert_int_equal(big[0], 'q');

	/* A what longer than a signature. */
	memset(longwhat, 'w', sizeof(longwhat) - 1);
	longwhat[sizeof(longwhat) - 1] = '\0';
	n = lw_signature(big, sizeof(big), "softirq", longwhat, NULL, 0);
	assert_int_equal(n, strlen("softirq/") + sizeof(longwhat) - 1);
	assert_int_equal(strlen(big), sizeof(big) - 1);
}

/* An event as parsed: strings point into a message, not NUL-terminated. */
static void frames_from(struct lw_event *ev, const char *msg,
			const size_t *lens, unsigned int n)
{
	unsigned int i;

	ev->has |= LW_EV_STACK;
	ev->nframes = n;
	for (i = 0; i < n; i++) {
		ev->frames[i].p = msg;
		ev->frames[i].len = lens[i];
		msg += lens[i];
	}
}

static void test_event(void **state)
{
	/* Three frames back to back, with no NUL between them. */
	static const char msg[] =
		"lwinj_irqoff+0x4d/0x90 [latwatch_inject]"
		"work_for_cpu_fn+0x13/0x20"
		"process_one_work+0x1e2/0x3b0";
	const size_t lens[] = { 40, 25, 28 };
	struct lw_event ev;
	char buf[LW_SIG_LEN];

	(void)state;
	assert_int_equal(lens[0] + lens[1] + lens[2], strlen(msg));

	/* irqoff: no what, even with a comm; frames cut at their length. */
	memset(&ev, 0, sizeof(ev));
	ev.has = LW_EV_TYPE | LW_EV_COMM | LW_EV_CPU;
	ev.type = LATWATCH_EV_IRQOFF;
	ev.cpu = 3;
	ev.comm = str("kworker/3:1");
	frames_from(&ev, msg, lens, 3);
	lw_signature_event(buf, sizeof(buf), &ev);
	assert_string_equal(buf, "irqoff:lwinj_irqoff,work_for_cpu_fn,"
			    "process_one_work");

	/* The same on another CPU, from another task: the same signature. */
	ev.cpu = 0;
	ev.comm = str("bash");
	assert_int_equal(lw_signature_event(buf, sizeof(buf), &ev),
			 strlen("irqoff:lwinj_irqoff,work_for_cpu_fn,"
				"process_one_work"));

	/* A hung task is its comm. */
	memset(&ev, 0, sizeof(ev));
	ev.has = LW_EV_TYPE | LW_EV_COMM | LW_EV_PID;
	ev.type = LATWATCH_EV_HUNG;
	ev.comm = str("md5sum");
	frames_from(&ev, "io_schedule+0x12/0x40folio_wait_bit+0x1/0x2",
		    (const size_t[]){ 21, 22 }, 2);
	lw_signature_event(buf, sizeof(buf), &ev);
	assert_string_equal(buf, "hung/md5sum:io_schedule,folio_wait_bit");
	ev.type = LATWATCH_EV_HUNG_END;
	lw_signature_event(buf, sizeof(buf), &ev);
	assert_string_equal(buf, "hung_end/md5sum:io_schedule,folio_wait_bit");

	/* A timer is its callback, before any name. */
	memset(&ev, 0, sizeof(ev));
	ev.has = LW_EV_TYPE | LW_EV_FUNCTION | LW_EV_NAME | LW_EV_COMM;
	ev.type = LATWATCH_EV_TIMER;
	ev.function = str("estimation_timer");
	ev.name = str("TIMER");
	ev.comm = str("swapper/0");
	lw_signature_event(buf, sizeof(buf), &ev);
	assert_string_equal(buf, "timer/estimation_timer");

	/* A softirq is its vector's name; a comm, a part of a string. */
	memset(&ev, 0, sizeof(ev));
	ev.has = LW_EV_TYPE | LW_EV_NAME;
	ev.type = LATWATCH_EV_SOFTIRQ;
	ev.name.p = "NET_RXjunk";
	ev.name.len = 6;
	lw_signature_event(buf, sizeof(buf), &ev);
	assert_string_equal(buf, "softirq/NET_RX");

	/* A type this program does not know. */
	memset(&ev, 0, sizeof(ev));
	ev.has = LW_EV_TYPE;
	ev.type = LATWATCH_EV_MAX + 1;
	lw_signature_event(buf, sizeof(buf), &ev);
	assert_string_equal(buf, "unknown");
}

/* Frames are taken from the stack only if it came. */
static void test_event_nostack(void **state)
{
	struct lw_event ev;
	char buf[LW_SIG_LEN];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.has = LW_EV_TYPE | LW_EV_NAME;
	ev.type = LATWATCH_EV_HARDIRQ;
	ev.name = str("nvme0q3");
	ev.nframes = 2;
	ev.frames[0] = str("should_not+0x1/0x2");
	ev.frames[1] = str("appear+0x1/0x2");
	lw_signature_event(buf, sizeof(buf), &ev);
	assert_string_equal(buf, "hardirq/nvme0q3");

	/* More frames than a signature takes. */
	ev.has |= LW_EV_STACK;
	ev.nframes = 5;
	ev.frames[2] = str("c+0x1/0x2");
	ev.frames[3] = str("d+0x1/0x2");
	ev.frames[4] = str("e+0x1/0x2");
	lw_signature_event(buf, sizeof(buf), &ev);
	assert_string_equal(buf, "hardirq/nvme0q3:should_not,appear,c");

	/* A frame longer than a signature. */
	{
		char huge[LW_SIG_LEN + 100];
		size_t n;

		memset(huge, 'f', sizeof(huge));
		ev.nframes = 1;
		ev.frames[0].p = huge;
		ev.frames[0].len = sizeof(huge);
		n = lw_signature_event(buf, sizeof(buf), &ev);
		assert_int_equal(n, strlen("hardirq/nvme0q3:") +
				 LW_SIG_LEN - 1);
		assert_int_equal(strlen(buf), LW_SIG_LEN - 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_func),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_event_nostack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
