// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: softirq-off windows.
 *
 * The probe is a soft hrtimer: it runs from the HRTIMER softirq as soon as
 * it is due, unless softirqs are held off (local_bh_disable, spin_lock_bh,
 * or a long softirq handler). When it runs it knows exactly how late it is.
 * A long softirq handler is reported by the softirq detector (softirq.c)
 * when that is on, so an episode whose holder was running softirqs is
 * then not reported here.
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

/* Hard-irq context, from the sampler; the probe is due at @due. */
void lw_softirqoff_sample(struct lw_cpu *c, const struct lw_sampling *s,
			  struct pt_regs *regs, u64 now, u64 due)
{
	struct lw_softirqoff_cpu *so = &c->softirqoff;

	if (now < due + s->period_ns || so->hold_broken)
		return;
	if (!softirq_count()) {
		/*
		 * On PREEMPT_RT a task holding softirqs off can be preempted
		 * (local_bh_disable() takes a per-CPU sleeping lock): another
		 * task running does not end the episode.
		 */
		if (!IS_ENABLED(CONFIG_PREEMPT_RT))
			so->hold_broken = true;
		return;
	}
	if (so->hold_valid)
		return;
	lw_capture(&so->hold, regs);
	so->hold.type = LATWATCH_EV_SOFTIRQOFF;
	so->hold_serving = in_serving_softirq();
	so->hold_valid = true;
}

/* Softirq context, from the probe, with interrupts off. */
void lw_softirqoff_probe(struct lw_cpu *c, const struct lw_sampling *s,
			 u64 delay)
{
	struct lw_softirqoff_cpu *so = &c->softirqoff;

	lw_hist_add(LATWATCH_EV_SOFTIRQOFF, delay);
	if (delay > s->softirqoff_ns) {
		/*
		 * A softirq run that held the others off is the softirq
		 * detector's event, with its callbacks nested: one incident,
		 * told once.
		 */
		if (so->hold_valid && !so->hold_broken &&
		    !(so->hold_serving && lw_softirq_timed())) {
			if (lw_event_admit(c)) {
				so->hold.ts_ns = ktime_get_real_ns();
				so->hold.duration_ns = delay;
				so->hold.resolution_ns = s->period_ns;
				lw_emit(c, &so->hold);
			}
		} else {
			WRITE_ONCE(so->late, so->late + 1);
		}
	}
	lw_softirqoff_reset(c);
}

/* On @c's CPU, interrupts off: is an episode's holder captured? */
bool lw_softirqoff_pending(const struct lw_cpu *c)
{
	return c->softirqoff.hold_valid;
}

void lw_softirqoff_reset(struct lw_cpu *c)
{
	struct lw_softirqoff_cpu *so = &c->softirqoff;

	if (so->hold_valid)
		lw_event_put(&so->hold);
	so->hold_valid = false;
	so->hold_broken = false;
	so->hold_serving = false;
}

void lw_softirqoff_stats(const struct lw_cpu *c, struct lw_stats *st)
{
	st->softirq_late = READ_ONCE(c->softirqoff.late);
}
