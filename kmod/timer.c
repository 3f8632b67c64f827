// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: slow deferred callbacks, timed from the timer:timer_expire_*,
 * timer:hrtimer_expire_* and (6.0+) irq:tasklet_* tracepoints. The
 * callback is read at entry: at exit the timer may already be freed, so it
 * is never dereferenced there. timer_list callbacks run in the TIMER
 * softirq and tasklets in the TASKLET and HI ones; hrtimer callbacks run in
 * hard-irq context, or in softirq context for soft ones, and a hard one
 * may interrupt a soft one: each context keeps its own start time.
 *
 * A slow callback is inside something else that was slow too: a softirq
 * run, or, for a hard hrtimer, the irq-off window it made. Its event is
 * handed to softirq.c or irqoff.c, which send it nested in theirs; it goes
 * out on its own if they do not take it. A hard hrtimer callback also
 * tells irqoff.c how long it ran, in case it held off the sampler.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/timer.h>
#include <trace/events/irq.h>
#include <trace/events/timer.h>

#include "compat.h"
#include "internal.h"

static noinline void lw_timer_report(struct lw_cpu *c, u32 kind, void *fn,
				     u64 duration, bool hard)
{
	struct lw_event *ev = lw_scratch(c, hard ? LW_CTX_HARD : LW_CTX_SOFT);
	bool held;

	if (!lw_event_admit(c))
		return;
	lw_capture_here(ev, LATWATCH_EV_TIMER, duration);
	ev->kind = kind;
	ev->function = fn;
	held = hard ? lw_irqoff_adopt(c, ev) : lw_softirq_adopt(c, ev);
	if (!held)
		lw_emit(c, ev);
}

static void lw_timer_done(struct lw_cpu *c, u32 kind, void *fn, u64 start,
			  bool hard)
{
	u64 d = ktime_get_mono_fast_ns() - start;

	lw_hist_add(LATWATCH_EV_TIMER, d);
	if (hard)
		lw_irqoff_interfere(c, LATWATCH_INTERF_HRTIMER, 0, NULL, fn, d);
	if (d > READ_ONCE(lw_thr.timer_ns))
		lw_timer_report(c, kind, fn, d, hard);
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
	lw_timer_done(c, LATWATCH_TIMER_LIST, c->timer.list_fn, start, false);
}

static void lw_hrtimer_entry(LW_HRTIMER_EXPIRE_ENTRY_ARGS)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	int ctx = lw_ctx_here();

	if (lw_sampler_owns(c, t))
		return;
	c->timer.hr_fn[ctx] = t->function;
	c->timer.hr_start[ctx] = ktime_get_mono_fast_ns();
}

static void lw_hrtimer_exit(void *data, struct hrtimer *t)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	int ctx = lw_ctx_here();
	u64 start = c->timer.hr_start[ctx];

	if (!start || lw_sampler_owns(c, t))
		return;
	c->timer.hr_start[ctx] = 0;
	lw_timer_done(c, LATWATCH_TIMER_HRTIMER, c->timer.hr_fn[ctx], start,
		      ctx == LW_CTX_HARD);
}

#ifdef LW_HAVE_TASKLET_TP
static void lw_tasklet_entry(void *data, struct tasklet_struct *t, void *fn)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());

	c->timer.tasklet_fn = fn;
	c->timer.tasklet_start = ktime_get_mono_fast_ns();
}

static void lw_tasklet_exit(void *data, struct tasklet_struct *t, void *fn)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	u64 start = c->timer.tasklet_start;

	if (!start)
		return;
	c->timer.tasklet_start = 0;
	lw_timer_done(c, LATWATCH_TIMER_TASKLET, c->timer.tasklet_fn, start,
		      false);
}
#endif

static const struct lw_tp lw_timer_tps[] = {
	LW_TP(timer_expire_entry, lw_timer_entry),
	LW_TP(timer_expire_exit, lw_timer_exit),
	LW_TP(hrtimer_expire_entry, lw_hrtimer_entry),
	LW_TP(hrtimer_expire_exit, lw_hrtimer_exit),
#ifdef LW_HAVE_TASKLET_TP
	LW_TP(tasklet_entry, lw_tasklet_entry),
	LW_TP(tasklet_exit, lw_tasklet_exit),
#endif
};

int lw_timer_enable(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct lw_timer_cpu *tc = &per_cpu_ptr(lw_cpus(), cpu)->timer;

		tc->list_start = 0;
		tc->tasklet_start = 0;
		tc->hr_start[LW_CTX_SOFT] = 0;
		tc->hr_start[LW_CTX_HARD] = 0;
	}
	return lw_tp_register(lw_timer_tps, ARRAY_SIZE(lw_timer_tps));
}

void lw_timer_disable(void)
{
	lw_tp_unregister(lw_timer_tps, ARRAY_SIZE(lw_timer_tps));
}
