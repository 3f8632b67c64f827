// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: hard-irq-off windows.
 *
 * The sampler runs every P in hard-irq context. While interrupts are off it
 * cannot run, so a gap between two runs longer than the threshold is a
 * window with interrupts off. The window began after the previous run and
 * before the next one was due, P later, and ended when this one ran: it
 * lasted between gap - P and gap. The middle, gap - P / 2, is reported,
 * exact to within P/2 (plus the interrupt's own latency), and it is this
 * middle that is compared with the threshold: no event is shorter than
 * irqoff_threshold_us. The sampler fires as soon as interrupts are enabled
 * again, so the interrupted context is the code that held them off: its
 * stack names the culprit.
 *
 * Unless an interrupt came first. An irq handler, or a hard hrtimer
 * callback, runs with interrupts off too, and one that runs long delays
 * the sampler as much; the sampler then interrupts whatever the handler
 * had interrupted, which is not to blame. The handler and hrtimer probes
 * (hardirq.c, timer.c) tell this file the longest of them since the last
 * sample; if it makes up half the window or more, the event names it as
 * the interference. Their own events, if they were slow enough to be
 * reported, are held here until the sampler runs, and go out nested in
 * the window's event, or on their own if there is none.
 *
 * A gap that ends in user space or in the idle loop with nothing to
 * explain it is not such a window: interrupts are on there, so the CPU
 * itself was not running (a hypervisor not scheduling the vCPU, an SMI).
 * Nor is one that the hypervisor's steal time covers by half or more,
 * wherever it ended: the guest's tick accounts steal time, maybe only
 * after the sampler ran, so a window with nothing nested in it waits for
 * the next sample before it is sent. Both are counted as stalls. Without
 * steal time (no paravirt steal clock, e.g. under TCG) a vCPU stopped in
 * kernel code cannot be told from a window.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>

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

/*
 * Hard-irq context on @c's CPU: an irq handler (@type HARDIRQ, @irq, @name)
 * or hard hrtimer callback (HRTIMER, @fn) ran @d ns. Kept if it is the
 * longest since the last sample; ignored while the sampler is paused, as
 * its next gap is measured from when it starts again.
 */
void lw_irqoff_interfere(struct lw_cpu *c, u32 type, u32 irq,
			 const char *name, void *fn, u64 d)
{
	struct lw_interf *w = &c->irqoff.worst;

	if (d <= w->duration_ns || c->sampler.paused)
		return;
	w->type = type;
	w->irq = irq;
	w->function = fn;
	strscpy(w->name, name ? name : "", sizeof(w->name));
	w->duration_ns = d;
}

/*
 * Hard-irq context on @c's CPU: hold @ev, the admitted event of an irq
 * handler or hard hrtimer callback, until the sampler's next run, when it
 * is known whether it was inside a window. True if held (@ev's cgroup
 * reference went with it); false if the sampler will not run soon (its CPU
 * idles or goes offline, irq-off windows are not detected) or enough are
 * held: the caller sends it on its own.
 */
bool lw_irqoff_adopt(struct lw_cpu *c, struct lw_event *ev)
{
	struct lw_irqoff_cpu *ic = &c->irqoff;
	bool on;

	if (ic->nr_held >= LW_NEST_MAX || !READ_ONCE(c->sampler.online) ||
	    c->sampler.paused)
		return false;
	rcu_read_lock();
	on = lw_sampling()->irqoff_on;
	rcu_read_unlock();
	if (!on)
		return false;
	ic->held[ic->nr_held++] = *ev;
	ev->cgrp = NULL;
	return true;
}

/*
 * The window that waited for its steal time: the host did not run this
 * vCPU for half of it or more (the steal time accounted by the sample that
 * found it and by this one, @stolen): a stall. Else it goes out, if the
 * rate limit lets it.
 */
static void lw_irqoff_decide(struct lw_cpu *c, u64 stolen)
{
	struct lw_irqoff_cpu *ic = &c->irqoff;

	if (!ic->pending)
		return;
	ic->pending = false;
	if ((ic->stolen + stolen) * 2 >= ic->pend.duration_ns) {
		WRITE_ONCE(ic->stalls, ic->stalls + 1);
	} else if (lw_event_admit(c)) {
		lw_emit(c, &ic->pend);
		return;
	}
	lw_event_put(&ic->pend);
}

/* Send the held events on their own, and forget the interference. */
static void lw_irqoff_release(struct lw_cpu *c)
{
	struct lw_irqoff_cpu *ic = &c->irqoff;
	unsigned int i;

	for (i = 0; i < ic->nr_held; i++)
		lw_emit(c, &ic->held[i]);
	ic->nr_held = 0;
	ic->worst.duration_ns = 0;
}

/*
 * Hard-irq context on @c's CPU, when no window is measured (or the CPU goes
 * offline): decide the pending window, and release the rest.
 */
void lw_irqoff_settle(struct lw_cpu *c, u64 stolen)
{
	lw_irqoff_decide(c, stolen);
	lw_irqoff_release(c);
}

/* On @c's CPU, interrupts off: does a window wait for the next sample? */
bool lw_irqoff_pending(const struct lw_cpu *c)
{
	return c->irqoff.pending;
}

/*
 * The sampler's run on @c's CPU, @gap after the previous one; the tick
 * accounted @stolen ns of steal time meanwhile.
 */
void lw_irqoff_sample(struct lw_cpu *c, const struct lw_sampling *s,
		      struct pt_regs *regs, u64 gap, u64 stolen)
{
	struct lw_irqoff_cpu *ic = &c->irqoff;
	struct lw_event *ev = lw_scratch(c, LW_CTX_HARD);
	u64 period = s->period_ns;
	u64 duration;
	bool interf;

	lw_irqoff_decide(c, stolen);
	lw_hist_add(LATWATCH_EV_IRQOFF, gap);
	/*
	 * The threshold is at least two periods, so a gap over it makes
	 * gap - period / 2 > 0 (a gap right after a late sample may be
	 * shorter than that).
	 */
	if (gap <= s->irqoff_ns)
		goto settle;
	duration = gap - period / 2;
	if (duration <= s->irqoff_ns)
		goto settle;
	interf = ic->worst.duration_ns * 2 >= duration;
	if (!interf && (lw_ended_with_irqs_on(regs) || stolen * 2 >= duration)) {
		WRITE_ONCE(ic->stalls, ic->stalls + 1);
		goto settle;
	}
	if (!interf && !ic->nr_held) {
		/* Nothing nested: wait a sample for its steal time. */
		ev = &ic->pend;
		ic->stolen = stolen;
		ic->pending = true;
	} else if (!lw_event_admit(c)) {
		goto settle;
	}
	lw_capture(ev, regs);
	ev->type = LATWATCH_EV_IRQOFF;
	ev->ts_ns = ktime_get_real_ns();
	ev->duration_ns = duration;
	ev->resolution_ns = period / 2;
	if (interf)
		ev->interf = ic->worst;
	if (!ic->pending) {
		lw_emit_nest(c, ev, ic->held, ic->nr_held);
		ic->nr_held = 0;
	}
settle:
	lw_irqoff_release(c);
}

void lw_irqoff_stats(const struct lw_cpu *c, struct lw_stats *st)
{
	st->stalls = READ_ONCE(c->irqoff.stalls);
}
