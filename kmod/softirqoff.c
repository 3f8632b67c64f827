// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: softirq-off windows.
 *
 * The probe is a soft hrtimer: it runs from the HRTIMER softirq as soon as
 * it is due, unless softirqs are held off (local_bh_disable, spin_lock_bh,
 * or a long softirq handler). When it runs it knows exactly how late it is.
 *
 * Lateness alone is no evidence: the softirq may have been pushed to a
 * starved ksoftirqd, or interrupts may have been off. So the sampler, which
 * keeps running in hard-irq context, looks at the interrupted context
 * whenever the probe is overdue by a whole period: if that context holds
 * softirqs off it captures its stack (the holder), and if any later sample
 * of the same episode finds softirqs not held, the episode is spoilt. The
 * probe reports ONE event carrying its exact delay and the holder's stack,
 * only when the holder was seen on every sample of the episode (on
 * PREEMPT_RT: on the samples that found a task running that held softirqs
 * off, the first of which gives the stack).
 *
 * The holder is captured before it is known whether the episode will be an
 * event (it may end below the threshold, or be spoilt), so the rate limit
 * is applied where the probe reports it: only then is an event counted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/preempt.h>
#include <linux/ktime.h>

#include "internal.h"

/* Hard-irq context, from the sampler. */
void lw_softirqoff_sample(struct lw_cpu *c, const struct lw_sampling *s,
			  struct pt_regs *regs, u64 now)
{
	if (now < c->soft_due_ns + s->period_ns || c->hold_broken)
		return;
	if (!softirq_count()) {
		/*
		 * On PREEMPT_RT a task holding softirqs off can be preempted
		 * (local_bh_disable() takes a per-CPU sleeping lock): another
		 * task running does not end the episode.
		 */
		if (!IS_ENABLED(CONFIG_PREEMPT_RT))
			c->hold_broken = true;
		return;
	}
	if (c->hold_valid)
		return;
	lw_capture(&c->hold, regs);
	c->hold.type = LATWATCH_EV_SOFTIRQOFF;
	c->hold_valid = true;
}

/* Softirq context, from the probe, with interrupts off. */
void lw_softirqoff_probe(struct lw_cpu *c, const struct lw_sampling *s,
			 u64 delay)
{
	lw_hist_add(LATWATCH_EV_SOFTIRQOFF, delay);
	if (delay > s->softirqoff_ns) {
		if (c->hold_valid && !c->hold_broken) {
			if (lw_event_admit(c)) {
				c->hold.ts_ns = ktime_get_real_ns();
				c->hold.duration_ns = delay;
				c->hold.resolution_ns = s->period_ns;
				lw_emit(c, &c->hold);
			}
		} else {
			WRITE_ONCE(c->softirq_late, c->softirq_late + 1);
		}
	}
	lw_softirqoff_reset(c);
}

void lw_softirqoff_reset(struct lw_cpu *c)
{
	if (c->hold_valid)
		lw_event_put(&c->hold);
	c->hold_valid = false;
	c->hold_broken = false;
}
