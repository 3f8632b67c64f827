// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: hard-irq-off windows.
 *
 * The sampler runs every P in hard-irq context. While interrupts are off it
 * cannot run, so a gap between two runs longer than the threshold is a
 * window with interrupts off. The window began after the previous run and
 * before the next one was due, P later, and ended when this one ran: it
 * lasted between gap - P and gap. The middle is reported, exact to within
 * P/2 (plus the interrupt's own latency). The sampler fires as soon
 * as interrupts are enabled again, so the interrupted context is the code
 * that held them off: its stack names the culprit.
 *
 * A gap that ends in user space or in the idle loop is not such a window:
 * interrupts are on there, so the CPU itself was not running (a hypervisor
 * not scheduling the vCPU, an SMI). Those are counted as stalls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

#include "internal.h"

/* Interrupts were enabled where the sampler came in. */
static bool lw_ended_with_irqs_on(struct pt_regs *regs)
{
	if (!regs)
		return false;
	if (user_mode(regs))
		return true;
	return is_idle_task(current) && !softirq_count();
}

void lw_irqoff_sample(struct lw_cpu *c, const struct lw_sampling *s,
		      struct pt_regs *regs, u64 gap)
{
	struct lw_event *ev = lw_scratch(c, LW_CTX_HARD);
	u64 period = s->period_ns;

	lw_hist_add(LATWATCH_EV_IRQOFF, gap);
	/* The threshold is at least two periods: gap - period / 2 > 0. */
	if (gap <= s->irqoff_ns)
		return;
	if (lw_ended_with_irqs_on(regs)) {
		WRITE_ONCE(c->irqoff.stalls, c->irqoff.stalls + 1);
		return;
	}
	if (!lw_event_admit(c))
		return;
	lw_capture(ev, regs);
	ev->type = LATWATCH_EV_IRQOFF;
	ev->ts_ns = ktime_get_real_ns();
	ev->duration_ns = gap - period / 2;
	ev->resolution_ns = period / 2;
	lw_emit(c, ev);
}

void lw_irqoff_stats(const struct lw_cpu *c, struct lw_stats *st)
{
	st->stalls = READ_ONCE(c->irqoff.stalls);
}
