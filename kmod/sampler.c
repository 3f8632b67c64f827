// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: the per-CPU timers.
 *
 * Each online CPU runs two pinned hrtimers of period P, on the same grid
 * (on PREEMPT_RT half a period apart, see lw_probe_offset()):
 * the sampler expires in hard-irq context (HRTIMER_MODE_*_HARD, so also on
 * PREEMPT_RT) and the probe in softirq context. The sampler measures the
 * gap since its previous run (irqoff.c) and watches whether the probe is
 * overdue while somebody holds softirqs off (softirqoff.c); the probe knows
 * exactly how late softirq processing was. Both re-read the configuration
 * on every run, so changes take effect at the next period.
 *
 * An idle CPU has nothing for them to watch, and they would wake it every
 * period. With idle_pause on, the sampler stops both when it finds it has
 * interrupted the idle loop itself: short idle periods cost nothing, a long
 * one at most one wakeup. The sched_switch probe starts them again when the
 * CPU leaves the idle task, with the gap measured from that moment, so a
 * window that opens right after is still timed in full. While paused, an
 * irq-off window in an interrupt handler on the idle CPU goes unseen; the
 * tracepoint detectors still time the handlers themselves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/hardirq.h>
#include <linux/kernel_stat.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <asm/irq_regs.h>
#include <trace/events/sched.h>

#include "compat.h"
#include "internal.h"

static enum cpuhp_state lw_hp_state;

/*
 * On PREEMPT_RT the probe's expiry wakes the ktimers/N thread, whose run
 * would end an idle pause as soon as it began. There the probe runs half a
 * period after the sampler, so that a sampler that pauses stops it before
 * it expires. Elsewhere both share the grid.
 */
static u64 lw_probe_offset(u64 period)
{
	return IS_ENABLED(CONFIG_PREEMPT_RT) ? period / 2 : 0;
}

/*
 * The sampler interrupted the idle loop itself: the idle task with
 * interrupts on, in no softirq and no other interrupt, nothing to switch to.
 */
static bool lw_idle_loop(struct pt_regs *regs)
{
	return regs && !user_mode(regs) && !regs_irqs_disabled(regs) &&
	       is_idle_task(current) && !softirq_count() &&
	       hardirq_count() == HARDIRQ_OFFSET && !need_resched();
}

/*
 * Hard-irq context, from the sampler: stop both timers if this CPU idles
 * and nothing is pending: no softirq-off episode, the probe not overdue.
 * Returns true if paused; the caller does not restart the sampler.
 */
static bool lw_idle_pause(struct lw_cpu *c, const struct lw_sampling *s,
			  struct pt_regs *regs, u64 now)
{
	struct lw_sampler_cpu *sc = &c->sampler;
	u64 period = s->period_ns;

	if (!s->idle_pause || !READ_ONCE(sc->online) ||
	    !lw_idle_loop(regs) || lw_softirqoff_pending(c) ||
	    lw_irqoff_pending(c) ||
	    now >= sc->probe_due_ns + period - lw_probe_offset(period))
		return false;
	if (hrtimer_try_to_cancel(&sc->probe) < 0)
		return false;
	lw_softirqoff_reset(c);
	raw_spin_lock(&sc->pause_lock);
	sc->idle_pauses++;
	sc->pause_start_ns = now;
	raw_spin_unlock(&sc->pause_lock);
	sc->paused = true;
	return true;
}

/*
 * This CPU's steal time so far: how long the hypervisor did not run it, as
 * the tick accounts it (0 without a paravirt steal clock).
 */
static u64 lw_steal_ns(void)
{
	return kcpustat_this_cpu->cpustat[CPUTIME_STEAL];
}

/* On @sc's CPU: both timers on a fresh grid, the first samples P after @now. */
static void lw_timers_start(struct lw_sampler_cpu *sc, ktime_t now)
{
	ktime_t first, soft;
	u64 period;

	rcu_read_lock();
	period = lw_sampling()->period_ns;
	rcu_read_unlock();
	first = ktime_add_ns(now, period);
	soft = ktime_add_ns(first, lw_probe_offset(period));

	sc->probe_due_ns = ktime_to_ns(soft);
	hrtimer_start(&sc->sample, first, HRTIMER_MODE_ABS_PINNED_HARD);
	hrtimer_start(&sc->probe, soft, HRTIMER_MODE_ABS_PINNED_SOFT);
}

/*
 * Interrupts off, on @c's CPU: end a pause. The timers start again unless
 * @restart is false (the CPU goes offline).
 */
static void lw_idle_resume(struct lw_sampler_cpu *sc, bool restart)
{
	ktime_t now = ktime_get();

	if (restart) {
		/* A gap measured from now: no window is ever made of idle. */
		sc->last_sample_ns = ktime_to_ns(now);
		sc->last_steal_ns = lw_steal_ns();
		lw_timers_start(sc, now);
	}
	raw_spin_lock(&sc->pause_lock);
	sc->idle_ns += ktime_to_ns(now) - sc->pause_start_ns;
	sc->pause_start_ns = 0;
	raw_spin_unlock(&sc->pause_lock);
	sc->paused = false;
}

static enum hrtimer_restart lw_sample(struct hrtimer *t)
{
	struct lw_cpu *c = container_of(t, struct lw_cpu, sampler.sample);
	struct lw_sampler_cpu *sc = &c->sampler;
	struct pt_regs *regs = get_irq_regs();
	enum hrtimer_restart restart = HRTIMER_NORESTART;
	u64 now = ktime_get_ns();
	u64 steal = lw_steal_ns();
	u64 stolen = steal - sc->last_steal_ns;
	const struct lw_sampling *s;

	rcu_read_lock();
	s = lw_sampling();
	WRITE_ONCE(sc->samples, sc->samples + 1);
	if (sc->last_sample_ns && s->irqoff_on)
		lw_irqoff_sample(c, s, regs, now - sc->last_sample_ns, stolen);
	else
		lw_irqoff_settle(c, stolen);
	sc->last_steal_ns = steal;
	if (s->softirqoff_on)
		lw_softirqoff_sample(c, s, regs, now, sc->probe_due_ns);
	sc->last_sample_ns = now;

	if (!lw_idle_pause(c, s, regs, now)) {
		hrtimer_forward_now(t, ns_to_ktime(s->period_ns));
		restart = HRTIMER_RESTART;
	}
	rcu_read_unlock();
	return restart;
}

static enum hrtimer_restart lw_probe(struct hrtimer *t)
{
	struct lw_cpu *c = container_of(t, struct lw_cpu, sampler.probe);
	u64 due = ktime_to_ns(hrtimer_get_expires(t));
	u64 now = ktime_get_ns();
	unsigned long flags;

	const struct lw_sampling *s;

	/* The sampler may interrupt us: settle the episode with irqs off. */
	local_irq_save(flags);
	rcu_read_lock();
	s = lw_sampling();
	if (s->softirqoff_on)
		lw_softirqoff_probe(c, s, now > due ? now - due : 0);
	else
		lw_softirqoff_reset(c);
	hrtimer_forward_now(t, ns_to_ktime(s->period_ns));
	rcu_read_unlock();
	c->sampler.probe_due_ns = ktime_to_ns(hrtimer_get_expires(t));
	local_irq_restore(flags);
	return HRTIMER_RESTART;
}

/*
 * sched_switch, with interrupts off and the runqueue locked: when a paused
 * CPU leaves the idle task, start its timers. Nothing here may sleep or
 * allocate; hrtimer_start() takes raw locks only. Every other switch costs
 * one test of a per-CPU flag.
 */
static void lw_sched_switch(LW_SCHED_SWITCH_ARGS)
{
	struct lw_sampler_cpu *sc;

	if (likely(!this_cpu_read(lw_cpus()->sampler.paused)))
		return;
	sc = &this_cpu_ptr(lw_cpus())->sampler;
	if (is_idle_task(prev) && READ_ONCE(sc->online))
		lw_idle_resume(sc, true);
}

static const struct lw_tp lw_sampler_tps[] = {
	LW_TP(sched_switch, lw_sched_switch),
};

/* IPI: idle_pause was switched off, sample idle CPUs again. */
static void lw_resume_ipi(void *unused)
{
	struct lw_sampler_cpu *sc = &this_cpu_ptr(lw_cpus())->sampler;

	if (sc->paused && READ_ONCE(sc->online))
		lw_idle_resume(sc, true);
}

/* Process context, after idle_pause was switched off. */
void lw_sampler_resume_all(void)
{
	on_each_cpu(lw_resume_ipi, NULL, 1);
}

/* Any CPU's, from anywhere: a pause that is still on counts up to now. */
void lw_sampler_stats(struct lw_cpu *c, struct lw_stats *st)
{
	struct lw_sampler_cpu *sc = &c->sampler;
	unsigned long flags;

	st->online = READ_ONCE(sc->online);
	st->samples = READ_ONCE(sc->samples);
	raw_spin_lock_irqsave(&sc->pause_lock, flags);
	st->idle_pauses = sc->idle_pauses;
	st->idle_ns = sc->idle_ns;
	if (sc->pause_start_ns)
		st->idle_ns += ktime_get_ns() - sc->pause_start_ns;
	raw_spin_unlock_irqrestore(&sc->pause_lock, flags);
}

/* Runs on @cpu itself (a CPUHP_AP_ONLINE_DYN callback). */
static int lw_cpu_online(unsigned int cpu)
{
	struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);
	struct lw_sampler_cpu *sc = &c->sampler;

	sc->last_sample_ns = 0;
	sc->last_steal_ns = lw_steal_ns();
	sc->paused = false;
	lw_softirqoff_reset(c);
	lw_timers_start(sc, ktime_get());
	WRITE_ONCE(sc->online, true);
	return 0;
}

/*
 * Runs on @cpu itself too, so the probe and the IPI, which run there with
 * interrupts off, see it go offline before the timers are cancelled and
 * cannot start them again; nor does the sampler pause any more.
 */
static int lw_cpu_offline(unsigned int cpu)
{
	struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);
	struct lw_sampler_cpu *sc = &c->sampler;

	local_irq_disable();
	WRITE_ONCE(sc->online, false);
	local_irq_enable();
	hrtimer_cancel(&sc->sample);
	hrtimer_cancel(&sc->probe);
	local_irq_disable();
	if (sc->paused)
		lw_idle_resume(sc, false);
	/* What waits for a sample that will not come. */
	lw_irqoff_settle(c, 0);
	local_irq_enable();
	lw_softirqoff_reset(c);
	return 0;
}

int lw_sampler_start(void)
{
	unsigned int cpu;
	int ret;

	for_each_possible_cpu(cpu) {
		struct lw_sampler_cpu *sc = &per_cpu_ptr(lw_cpus(), cpu)->sampler;

		raw_spin_lock_init(&sc->pause_lock);
		lw_hrtimer_setup(&sc->sample, lw_sample,
				 HRTIMER_MODE_ABS_PINNED_HARD);
		lw_hrtimer_setup(&sc->probe, lw_probe,
				 HRTIMER_MODE_ABS_PINNED_SOFT);
	}
	/*
	 * The probe first: from the first sample on, a CPU that pauses is
	 * sure to be resumed. Until then it has nothing to do.
	 */
	ret = lw_tp_register(lw_sampler_tps, ARRAY_SIZE(lw_sampler_tps));
	if (ret)
		return ret;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "latwatch:online",
				lw_cpu_online, lw_cpu_offline);
	if (ret < 0) {
		lw_tp_unregister(lw_sampler_tps, ARRAY_SIZE(lw_sampler_tps));
		lw_tp_sync();
		return ret;
	}
	lw_hp_state = ret;
	return 0;
}

/*
 * Stops every timer, and waits for running callbacks, on every CPU. The
 * probe goes first, so that nothing starts a timer after its CPU's
 * teardown; a CPU still paused then is simply never resumed.
 */
void lw_sampler_stop(void)
{
	lw_tp_unregister(lw_sampler_tps, ARRAY_SIZE(lw_sampler_tps));
	lw_tp_sync();
	cpuhp_remove_state(lw_hp_state);
}
