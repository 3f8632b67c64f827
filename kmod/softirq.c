// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: slow softirq handlers, timed from the irq:softirq_entry and
 * irq:softirq_exit tracepoints. Softirqs do not nest on a CPU, except on
 * PREEMPT_RT kernels without the per-CPU BH lock (7.x, where
 * PREEMPT_RT_NEEDS_BH_LOCK is not set): there softirqs run in preemptible
 * threads, and a thread may run its softirqs while another one's run on
 * the same CPU is preempted. So each run in progress is kept with the task
 * that runs it, and its exit finds it again by that task; elsewhere the
 * first slot is the only one used. The fast path is a timestamp, a
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

static noinline void lw_softirq_report(struct lw_cpu *c, unsigned int vec,
				       u64 duration)
{
	struct lw_event *ev = lw_scratch(c, LW_CTX_SOFT);

	if (!lw_event_admit(c))
		return;
	lw_capture_here(ev, LATWATCH_EV_SOFTIRQ, duration);
	ev->vector = vec;
	if (vec < NR_SOFTIRQS && lw_vec_names[vec])
		strscpy(ev->name, lw_vec_names[vec], sizeof(ev->name));
	lw_emit(c, ev);
}

/* Probes run with preemption off: nothing else on this CPU runs them. */
static void lw_softirq_entry(void *data, unsigned int vec)
{
	struct lw_softirq_run *run = this_cpu_ptr(lw_cpus())->softirq.runs;
	int i;

	for (i = 0; i < LW_SOFTIRQ_RUNS; i++) {
		if (!run[i].task) {
			run[i].start = ktime_get_mono_fast_ns();
			run[i].task = current;
			return;
		}
	}
	/* More runs interleaved than kept: this one goes untimed. */
}

static void lw_softirq_exit(void *data, unsigned int vec)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	struct lw_softirq_run *run = c->softirq.runs;
	u64 d;
	int i;

	for (i = 0; i < LW_SOFTIRQ_RUNS && run[i].task != current; i++)
		;
	if (i == LW_SOFTIRQ_RUNS)
		return;	/* it began before the probes were there */
	run[i].task = NULL;
	d = ktime_get_mono_fast_ns() - run[i].start;
	lw_hist_add(LATWATCH_EV_SOFTIRQ, d);
	if (d > READ_ONCE(lw_thr.softirq_ns))
		lw_softirq_report(c, vec, d);
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
	return lw_tp_register(lw_softirq_tps, ARRAY_SIZE(lw_softirq_tps));
}

void lw_softirq_disable(void)
{
	lw_tp_unregister(lw_softirq_tps, ARRAY_SIZE(lw_softirq_tps));
}
