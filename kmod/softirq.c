// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: slow softirq handlers, timed from the irq:softirq_entry and
 * irq:softirq_exit tracepoints. Softirqs do not nest on a CPU, except on
 * PREEMPT_RT kernels without the per-CPU BH lock (7.x, where
 * PREEMPT_RT_NEEDS_BH_LOCK is not set): there softirqs run in preemptible
 * threads, and a thread may run its softirqs while another one's run on
 * the same CPU is preempted. So each run in progress is kept with the task
 * that runs it, and its exit finds it again by that task; elsewhere the
 * first slot is the only one used.
 *
 * The callbacks a run calls are timed too (timer.c): a slow one's event is
 * held in its run (lw_softirq_adopt()) and goes out nested in the run's
 * event when the run ends, or on its own if the run was not slow.
 *
 * The fast path is a timestamp, a
 * histogram count and a compare. The clock is the clocksource's, not local_clock():
 * on a machine whose TSC is unstable (many VMs) the scheduler clock is
 * filtered against the tick and jumps after interrupts were off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <trace/events/irq.h>

#include "internal.h"

static const char * const lw_vec_names[NR_SOFTIRQS] = {
	[HI_SOFTIRQ]		= "HI",
	[TIMER_SOFTIRQ]		= "TIMER",
	[NET_TX_SOFTIRQ]	= "NET_TX",
	[NET_RX_SOFTIRQ]	= "NET_RX",
	[BLOCK_SOFTIRQ]		= "BLOCK",
	[IRQ_POLL_SOFTIRQ]	= "IRQ_POLL",
	[TASKLET_SOFTIRQ]	= "TASKLET",
	[SCHED_SOFTIRQ]		= "SCHED",
	[HRTIMER_SOFTIRQ]	= "HRTIMER",
	[RCU_SOFTIRQ]		= "RCU",
};

/*
 * Callbacks are handed to runs only while the exit probe is there to send
 * them: lw_softirq_disable() clears this before it unregisters the probes.
 */
static bool lw_softirq_live;

/* Any context: are softirq runs timed (and reported) now? */
bool lw_softirq_timed(void)
{
	return READ_ONCE(lw_softirq_live);
}

/* The held events of @run go out on their own. */
static void lw_softirq_release(struct lw_cpu *c, struct lw_softirq_run *run)
{
	unsigned int i;

	for (i = 0; i < run->nr_held; i++)
		lw_emit(c, &run->held[i]);
	run->nr_held = 0;
}

static noinline void lw_softirq_report(struct lw_cpu *c,
				       struct lw_softirq_run *run,
				       unsigned int vec, u64 duration)
{
	struct lw_event *ev = lw_scratch(c, LW_CTX_SOFT);

	if (!lw_event_admit(c))
		return;
	lw_capture_here(ev, LATWATCH_EV_SOFTIRQ, duration);
	ev->vector = vec;
	if (vec < NR_SOFTIRQS && lw_vec_names[vec])
		strscpy(ev->name, lw_vec_names[vec], sizeof(ev->name));
	lw_emit_nest(c, ev, run->held, run->nr_held);
	run->nr_held = 0;
}

/* This CPU's run of the current task, or NULL. */
static struct lw_softirq_run *lw_softirq_run_of(struct lw_cpu *c)
{
	struct lw_softirq_run *run = c->softirq.runs;
	int i;

	for (i = 0; i < LW_SOFTIRQ_RUNS; i++)
		if (run[i].task == current)
			return &run[i];
	return NULL;
}

/*
 * A probe of timer.c, in softirq context on @c's CPU: hold @ev, the
 * admitted event of a callback, in the softirq run that called it. True if
 * held (its cgroup reference went with it); false if there is no run to
 * hold it or enough are held: the caller sends it on its own.
 */
bool lw_softirq_adopt(struct lw_cpu *c, struct lw_event *ev)
{
	struct lw_softirq_run *run;

	if (!lw_softirq_timed())
		return false;
	run = lw_softirq_run_of(c);
	if (!run || run->nr_held >= LW_NEST_MAX)
		return false;
	run->held[run->nr_held++] = *ev;
	ev->cgrp = NULL;
	return true;
}

/* Probes run with preemption off: nothing else on this CPU runs them. */
static void lw_softirq_entry(void *data, unsigned int vec)
{
	struct lw_softirq_run *run = this_cpu_ptr(lw_cpus())->softirq.runs;
	int i;

	for (i = 0; i < LW_SOFTIRQ_RUNS; i++) {
		if (!run[i].task) {
			run[i].start = ktime_get_mono_fast_ns();
			run[i].nr_held = 0;
			run[i].task = current;
			return;
		}
	}
	/* More runs interleaved than kept: this one goes untimed. */
}

static void lw_softirq_exit(void *data, unsigned int vec)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	struct lw_softirq_run *run = lw_softirq_run_of(c);
	u64 d;

	if (!run)
		return;	/* it began before the probes were there */
	d = ktime_get_mono_fast_ns() - run->start;
	lw_hist_add(LATWATCH_EV_SOFTIRQ, d);
	if (d > READ_ONCE(lw_thr.softirq_ns))
		lw_softirq_report(c, run, vec, d);
	lw_softirq_release(c, run);
	run->task = NULL;
}

static const struct lw_tp lw_softirq_tps[] = {
	LW_TP(softirq_entry, lw_softirq_entry),
	LW_TP(softirq_exit, lw_softirq_exit),
};

int lw_softirq_enable(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct lw_softirq_cpu *sc = &per_cpu_ptr(lw_cpus(), cpu)->softirq;

		memset(sc->runs, 0, sizeof(sc->runs));
	}
	WRITE_ONCE(lw_softirq_live, true);
	return lw_tp_register(lw_softirq_tps, ARRAY_SIZE(lw_softirq_tps));
}

/*
 * Once no probe runs, neither the exit probe nor timer.c's that hand it
 * callbacks, send what the runs in progress held.
 */
void lw_softirq_disable(void)
{
	unsigned int cpu;
	int i;

	WRITE_ONCE(lw_softirq_live, false);
	lw_tp_unregister(lw_softirq_tps, ARRAY_SIZE(lw_softirq_tps));
	lw_tp_sync();
	for_each_possible_cpu(cpu) {
		struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);

		for (i = 0; i < LW_SOFTIRQ_RUNS; i++) {
			lw_softirq_release(c, &c->softirq.runs[i]);
			c->softirq.runs[i].task = NULL;
		}
	}
}
