// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: the per-CPU timers.
 *
 * Each online CPU runs two pinned hrtimers on the same grid of period P:
 * the sampler expires in hard-irq context (HRTIMER_MODE_*_HARD, so also on
 * PREEMPT_RT) and the probe in softirq context. The sampler measures the
 * gap since its previous run (irqoff.c) and watches whether the probe is
 * overdue while somebody holds softirqs off (softirqoff.c); the probe knows
 * exactly how late softirq processing was. Both re-read the configuration
 * on every run, so changes take effect at the next period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <asm/irq_regs.h>

#include "compat.h"
#include "latwatch.h"

static enum cpuhp_state lw_hp_state;

static enum hrtimer_restart lw_sample(struct hrtimer *t)
{
	struct lw_cpu *c = container_of(t, struct lw_cpu, sampler);
	struct pt_regs *regs = get_irq_regs();
	u64 period = lw_period_ns();
	u64 now = ktime_get_ns();

	WRITE_ONCE(c->samples, c->samples + 1);
	if (c->last_sample_ns && lw_cfg(LW_IRQOFF_ENABLED))
		lw_irqoff_sample(c, regs, now, now - c->last_sample_ns);
	if (lw_cfg(LW_SOFTIRQOFF_ENABLED))
		lw_softirqoff_sample(c, regs, now, period);
	c->last_sample_ns = now;

	hrtimer_forward_now(t, ns_to_ktime(period));
	return HRTIMER_RESTART;
}

static enum hrtimer_restart lw_probe(struct hrtimer *t)
{
	struct lw_cpu *c = container_of(t, struct lw_cpu, softprobe);
	u64 due = ktime_to_ns(hrtimer_get_expires(t));
	u64 now = ktime_get_ns();
	unsigned long flags;

	/* The sampler may interrupt us: settle the episode with irqs off. */
	local_irq_save(flags);
	if (lw_cfg(LW_SOFTIRQOFF_ENABLED))
		lw_softirqoff_probe(c, now, now > due ? now - due : 0);
	else
		lw_softirqoff_reset(c);
	hrtimer_forward_now(t, ns_to_ktime(lw_period_ns()));
	c->soft_due_ns = ktime_to_ns(hrtimer_get_expires(t));
	local_irq_restore(flags);
	return HRTIMER_RESTART;
}

/* Runs on @cpu itself (a CPUHP_AP_ONLINE_DYN callback). */
static int lw_cpu_online(unsigned int cpu)
{
	struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);
	ktime_t first = ktime_add_ns(ktime_get(), lw_period_ns());

	c->last_sample_ns = 0;
	c->soft_due_ns = ktime_to_ns(first);
	lw_softirqoff_reset(c);
	hrtimer_start(&c->sampler, first, HRTIMER_MODE_ABS_PINNED_HARD);
	hrtimer_start(&c->softprobe, first, HRTIMER_MODE_ABS_PINNED_SOFT);
	WRITE_ONCE(c->online, true);
	return 0;
}

static int lw_cpu_offline(unsigned int cpu)
{
	struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);

	WRITE_ONCE(c->online, false);
	hrtimer_cancel(&c->sampler);
	hrtimer_cancel(&c->softprobe);
	lw_softirqoff_reset(c);
	return 0;
}

int lw_sampler_start(void)
{
	unsigned int cpu;
	int ret;

	for_each_possible_cpu(cpu) {
		struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);

		lw_hrtimer_setup(&c->sampler, lw_sample,
				 HRTIMER_MODE_ABS_PINNED_HARD);
		lw_hrtimer_setup(&c->softprobe, lw_probe,
				 HRTIMER_MODE_ABS_PINNED_SOFT);
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "latwatch:online",
				lw_cpu_online, lw_cpu_offline);
	if (ret < 0)
		return ret;
	lw_hp_state = ret;
	return 0;
}

/* Stops every timer, and waits for running callbacks, on every CPU. */
void lw_sampler_stop(void)
{
	cpuhp_remove_state(lw_hp_state);
}
