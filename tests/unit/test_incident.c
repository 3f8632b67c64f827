// SPDX-License-Identifier: GPL-2.0
/*
 * Incidents (analysis/incident.c): events the module nested, told as one
 * story; and the verdicts that name interference or latwatch itself.
 */
#include "testutil.h"
#include "analysis/incident.h"
#include "analysis/verdict.h"

#define EM_DASH " \xe2\x80\x94 "

static void set_str(struct lw_str *s, const char *v)
{
	s->p = v;
	s->len = strlen(v);
}

static struct lw_event mkev(uint32_t type, uint64_t seq, uint32_t cpu,
			    uint64_t dur)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.has = LW_EV_TYPE | LW_EV_SEQ | LW_EV_CPU | LW_EV_DURATION |
		 LW_EV_INSTANCE;
	ev.type = type;
	ev.seq = seq;
	ev.cpu = cpu;
	ev.duration_ns = dur;
	ev.instance = 77;
	return ev;
}

static void frame(struct lw_event *ev, const char *f)
{
	ev->has |= LW_EV_STACK;
	set_str(&ev->frames[ev->nframes++], f);
}

static void inner_of(struct lw_event *ev, uint64_t outer)
{
	ev->has |= LW_EV_OUTER;
	ev->outer_seq = outer;
}

static void outer_of(struct lw_event *ev, unsigned int n)
{
	unsigned int i;

	ev->has |= LW_EV_INNER;
	ev->ninner = n;
	for (i = 0; i < n; i++)
		ev->inner_seqs[i] = ev->seq + 1 + i;
}

static struct lw_event softirq_timer(uint64_t seq, uint64_t dur)
{
	struct lw_event ev = mkev(LATWATCH_EV_SOFTIRQ, seq, 0, dur);

	ev.has |= LW_EV_NAME | LW_EV_COMM;
	set_str(&ev.name, "TIMER");
	set_str(&ev.comm, "swapper/0");
	frame(&ev, "handle_softirqs+0xd4/0x2f0");
	return ev;
}

static struct lw_event slow_timer(uint64_t seq, uint64_t dur,
				  const char *fn, const char *first)
{
	struct lw_event ev = mkev(LATWATCH_EV_TIMER, seq, 0, dur);

	ev.has |= LW_EV_FUNCTION | LW_EV_KIND;
	set_str(&ev.function, fn);
	ev.kind = LATWATCH_TIMER_LIST;
	frame(&ev, first);
	frame(&ev, "call_timer_fn+0x27/0x130");
	return ev;
}

static void story_is(struct lw_incidents *inc, const struct lw_event *ev,
		     const char *want)
{
	char buf[LW_VERDICT_LEN];
	size_t n = lw_incident_story(buf, sizeof(buf), inc, ev);

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

/* The ipvs case: a slow estimation_timer inside its TIMER softirq run. */
static void test_timer_in_softirq(void **state)
{
	static struct lw_incidents inc;
	struct lw_event out = softirq_timer(11, 24000000);
	struct lw_event in = slow_timer(12, 23900000, "estimation_timer",
					"estimation_timer+0x0/0x250 [ip_vs]");
	char v[LW_VERDICT_LEN];

	(void)state;
	memset(&inc, 0, sizeof(inc));
	outer_of(&out, 1);
	inner_of(&in, 11);
	lw_incident_note(&inc, &out);
	lw_incident_note(&inc, &in);
	assert_int_equal(lw_incident_id(&out), 11);
	assert_int_equal(lw_incident_id(&in), 11);
	/* both events of the incident tell the same story */
	story_is(&inc, &out, "TIMER softirq ran 24 ms on CPU 0, 23.9 ms of it "
		 "in estimation_timer [ip_vs]");
	story_is(&inc, &in, "TIMER softirq ran 24 ms on CPU 0, 23.9 ms of it "
		 "in estimation_timer [ip_vs]");
	lw_verdict_told(v, sizeof(v), "TIMER softirq ran 24 ms on CPU 0", &in,
			NULL);
	assert_string_equal(v, "TIMER softirq ran 24 ms on CPU 0");
}

/* Two callbacks in one run; an event of another module instance is not it. */
static void test_two_inner(void **state)
{
	static struct lw_incidents inc;
	struct lw_event out = softirq_timer(40, 30000000);
	struct lw_event a = slow_timer(41, 15000000, "a_fn", "a_fn+0x0/0x10");
	struct lw_event b = slow_timer(42, 12000000, "b_fn",
				       "b_fn+0x0/0x10 [b]");
	struct lw_event other = mkev(LATWATCH_EV_IRQOFF, 40, 1, 1);

	(void)state;
	memset(&inc, 0, sizeof(inc));
	outer_of(&out, 2);
	inner_of(&a, 40);
	inner_of(&b, 40);
	lw_incident_note(&inc, &out);
	lw_incident_note(&inc, &a);
	lw_incident_note(&inc, &b);
	story_is(&inc, &b, "TIMER softirq ran 30 ms on CPU 0, 15.0 ms of it in "
		 "a_fn, 12.0 ms in b_fn [b]");
	other.instance = 78;
	inner_of(&other, 40);
	assert_null(lw_incident_find(&inc, &other, 40));
	story_is(&inc, &other, "");
}

/* Not in an incident, or its outer never came: no story. */
static void test_no_story(void **state)
{
	static struct lw_incidents inc;
	struct lw_event lone = slow_timer(5, 20000000, "f", "f+0x0/0x1");
	struct lw_event orphan = slow_timer(9, 20000000, "f", "f+0x0/0x1");
	char buf[64] = "x";

	(void)state;
	memset(&inc, 0, sizeof(inc));
	lw_incident_note(&inc, &lone);
	assert_int_equal(lw_incident_id(&lone), 0);
	assert_int_equal(lw_incident_story(buf, sizeof(buf), &inc, &lone), 0);
	inner_of(&orphan, 8);
	lw_incident_note(&inc, &orphan);
	assert_int_equal(lw_incident_story(buf, sizeof(buf), &inc, &orphan),
			 0);
	/* the ring forgets the oldest */
	for (unsigned int i = 0; i < LW_INCIDENT_RING; i++) {
		struct lw_event e = slow_timer(100 + i, 1, "g", "g+0x0/0x1");

		inner_of(&e, 99);
		lw_incident_note(&inc, &e);
	}
	assert_null(lw_incident_find(&inc, &orphan, 9));
}

static struct lw_event irqoff_interf(uint64_t seq)
{
	struct lw_event ev = mkev(LATWATCH_EV_IRQOFF, seq, 1, 21000000);

	ev.has |= LW_EV_INTERF | LW_EV_COMM;
	set_str(&ev.comm, "swapper/1");
	frame(&ev, "default_idle+0x9/0x10");
	ev.interf.type = LATWATCH_INTERF_HARDIRQ;
	ev.interf.irq = 24;
	ev.interf.duration_ns = 20900000;
	set_str(&ev.interf.name, "lwinj");
	return ev;
}

/*
 * A slow irq handler: the irq-off window names it, not the idle loop it
 * interrupted; its own event, inside, adds nothing to the story.
 */
static void test_interference(void **state)
{
	static struct lw_incidents inc;
	struct lw_event out = irqoff_interf(20);
	struct lw_event in = mkev(LATWATCH_EV_HARDIRQ, 21, 1, 20900000);
	const char *want = "interrupts held off 21 ms on CPU 1 by the irq "
			   "handler of lwinj (irq 24)";
	char v[LW_VERDICT_LEN];

	(void)state;
	memset(&inc, 0, sizeof(inc));
	in.has |= LW_EV_IRQ | LW_EV_NAME;
	in.irq = 24;
	set_str(&in.name, "lwinj");
	outer_of(&out, 1);
	inner_of(&in, 20);
	lw_incident_note(&inc, &out);
	lw_incident_note(&inc, &in);
	story_is(&inc, &in, want);
	lw_verdict(v, sizeof(v), &out, NULL);
	assert_string_equal(v, want);

	/* an hrtimer callback */
	out.interf.type = LATWATCH_INTERF_HRTIMER;
	set_str(&out.interf.function, "lwinj_hrtimer_fn");
	out.interf.name.len = 0;
	lw_verdict(v, sizeof(v), &out, NULL);
	assert_string_equal(v, "interrupts held off 21 ms on CPU 1 by the "
			    "hrtimer callback lwinj_hrtimer_fn");
}

/* An irq-off window with an irq handler inside that did not make it. */
static void test_irqoff_with_handler(void **state)
{
	static struct lw_incidents inc;
	struct lw_event out = mkev(LATWATCH_EV_IRQOFF, 30, 1, 40000000);
	struct lw_event in = mkev(LATWATCH_EV_HARDIRQ, 31, 1, 11000000);

	(void)state;
	memset(&inc, 0, sizeof(inc));
	out.has |= LW_EV_COMM;
	set_str(&out.comm, "kworker/1:1");
	frame(&out, "lwinj_irqoff+0x4d/0x90 [latwatch_inject]");
	in.has |= LW_EV_IRQ | LW_EV_NAME;
	in.irq = 11;
	set_str(&in.name, "edu");
	outer_of(&out, 1);
	inner_of(&in, 30);
	lw_incident_note(&inc, &out);
	lw_incident_note(&inc, &in);
	story_is(&inc, &out, "interrupts held off 40 ms on CPU 1 by "
		 "lwinj_irqoff (kworker/1:1), 11.0 ms of it in the handler of "
		 "irq 11 (edu)");
}

/* A window in latwatch's own code says so. */
static void test_own_doing(void **state)
{
	struct lw_event ev = mkev(LATWATCH_EV_IRQOFF, 1, 1, 12000000);
	char v[LW_VERDICT_LEN];

	(void)state;
	ev.has |= LW_EV_COMM;
	set_str(&ev.comm, "latwatch");
	frame(&ev, "sysfs_kf_seq_show+0xa1/0x100");
	lw_verdict(v, sizeof(v), &ev, NULL);
	assert_string_equal(v, "interrupts held off 12 ms on CPU 1 by "
			    "sysfs_kf_seq_show, inside latwatch itself (the "
			    "latwatch program)");
	set_str(&ev.comm, "kworker/u4:2");
	frame(&ev, "lw_capture+0x1f/0x90 [latwatch]");
	lw_verdict(v, sizeof(v), &ev, NULL);
	assert_string_equal(v, "interrupts held off 12 ms on CPU 1 by "
			    "sysfs_kf_seq_show, inside latwatch itself (its "
			    "kernel module)");
	/* a comm that only starts so is not latwatch */
	set_str(&ev.comm, "latwatch2");
	ev.nframes = 1;
	lw_verdict(v, sizeof(v), &ev, NULL);
	assert_string_equal(v, "interrupts held off 12 ms on CPU 1 by "
			    "sysfs_kf_seq_show (latwatch2)");
}

static void test_frame_func_mod(void **state)
{
	char buf[64];
	const char *f = "estimation_timer+0x0/0x250 [ip_vs]";

	(void)state;
	lw_frame_func_mod(buf, sizeof(buf), f, strlen(f));
	assert_string_equal(buf, "estimation_timer [ip_vs]");
	lw_frame_func_mod(buf, sizeof(buf), "f+0x1/0x2", 9);
	assert_string_equal(buf, "f");
	/* no closing bracket: the name alone */
	lw_frame_func_mod(buf, sizeof(buf), "g+0x1/0x2 [m", 12);
	assert_string_equal(buf, "g");
	lw_frame_func_mod(buf, 8, f, strlen(f));
	assert_string_equal(buf, "estimat");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_in_softirq),
		cmocka_unit_test(test_two_inner),
		cmocka_unit_test(test_no_story),
		cmocka_unit_test(test_interference),
		cmocka_unit_test(test_irqoff_with_handler),
		cmocka_unit_test(test_own_doing),
		cmocka_unit_test(test_frame_func_mod),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
