// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: slow timer callbacks, timed from the timer:timer_expire_* and
 * timer:hrtimer_expire_* tracepoints. The callback is read at entry: at
 * exit the timer may already be freed, so it is never dereferenced there.
 * timer_list callbacks run in the TIMER softirq; hrtimer callbacks run in
 * hard-irq context, or in softirq context for soft ones, and a hard one
 * may interrupt a soft one: each context keeps its own start time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/timer.h>
#include <trace/events/timer.h>

#include "compat.h"
#include "internal.h"

static noinline void lw_timer_report(struct lw_cpu *c, u32 kind, void *fn,
				     u64 duration)
{
	struct lw_event *ev = lw_scratch(c, lw_in_hardirq() ? LW_CTX_HARD :
							     LW_CTX_SOFT);

	if (!lw_event_admit(c))
		return;
	lw_capture_here(ev, LATWATCH_EV_TIMER, duration);
	ev->kind = kind;
	ev->function = fn;
	lw_emit(c, ev);
}

static void lw_timer_done(struct lw_cpu *c, u32 kind, void *fn, u64 start)
{
	u64 d = ktime_get_mono_fast_ns() - start;

	lw_hist_add(LATWATCH_EV_TIMER, d);
	if (d > READ_ONCE(lw_thr.timer_ns))
		lw_timer_report(c, kind, fn, d);
}

static void lw_timer_entry(void *data, struct timer_list *timer,
			   unsigned long baseclk)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());

	c->timer.list_fn = timer->function;
	c->timer.list_start = ktime_get_mono_fast_ns();
}

static void lw_timer_exit(void *data, struct timer_list *timer)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	u64 start = c->timer.list_start;

	if (!start)
		return;
	c->timer.list_start = 0;
	lw_timer_done(c, LATWATCH_TIMER_LIST, c->timer.list_fn, start);
}

static void lw_hrtimer_entry(LW_HRTIMER_EXPIRE_ENTRY_ARGS)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	int ctx = lw_in_hardirq() ? LW_CTX_HARD : LW_CTX_SOFT;

	if (lw_sampler_owns(c, t))
		return;
	c->timer.hr_fn[ctx] = t->function;
	c->timer.hr_start[ctx] = ktime_get_mono_fast_ns();
}

static void lw_hrtimer_exit(void *data, struct hrtimer *t)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	int ctx = lw_in_hardirq() ? LW_CTX_HARD : LW_CTX_SOFT;
	u64 start = c->timer.hr_start[ctx];

	if (!start || lw_sampler_owns(c, t))
		return;
	c->timer.hr_start[ctx] = 0;
	lw_timer_done(c, LATWATCH_TIMER_HRTIMER, c->timer.hr_fn[ctx], start);
}

static const struct lw_tp lw_timer_tps[] = {
	LW_TP(timer_expire_entry, lw_timer_entry),
	LW_TP(timer_expire_exit, lw_timer_exit),
	LW_TP(hrtimer_expire_entry, lw_hrtimer_entry),
	LW_TP(hrtimer_expire_exit, lw_hrtimer_exit),
};

int lw_timer_enable(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct lw_timer_cpu *tc = &per_cpu_ptr(lw_cpus(), cpu)->timer;

		tc->list_start = 0;
		tc->hr_start[LW_CTX_SOFT] = 0;
		tc->hr_start[LW_CTX_HARD] = 0;
	}
	return lw_tp_register(lw_timer_tps, ARRAY_SIZE(lw_timer_tps));
}

void lw_timer_disable(void)
{
	lw_tp_unregister(lw_timer_tps, ARRAY_SIZE(lw_timer_tps));
}
