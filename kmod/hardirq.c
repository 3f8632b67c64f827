// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: slow hard-irq handlers, timed from the irq:irq_handler_entry
 * and irq:irq_handler_exit tracepoints. Hard interrupts do not nest, but
 * a hard one may interrupt a threaded handler (PREEMPT_RT, threadirqs),
 * which runs in its thread with interrupts on. A handler in hard-irq
 * context runs with interrupts off: irqoff.c hears of every one, in case
 * it held off the sampler, and holds the event of a slow one for the
 * window it may be inside.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <trace/events/irq.h>

#include "compat.h"
#include "internal.h"

static noinline void lw_hardirq_report(struct lw_cpu *c, int irq,
				       struct irqaction *action, u64 duration,
				       int ctx)
{
	struct lw_event *ev = lw_scratch(c, ctx);

	if (!lw_event_admit(c))
		return;
	lw_capture_here(ev, LATWATCH_EV_HARDIRQ, duration);
	ev->irq = irq;
	if (action->name)
		strscpy(ev->name, action->name, sizeof(ev->name));
	/* It may be what held off the sampler: irqoff.c decides. */
	if (ctx != LW_CTX_HARD || !lw_irqoff_adopt(c, ev))
		lw_emit(c, ev);
}

/*
 * A threaded handler (PREEMPT_RT, threadirqs) runs in its thread with
 * interrupts on, and a hard one may interrupt it: each context has its
 * start (lw_ctx_here()).
 */
static void lw_hardirq_entry(void *data, int irq, struct irqaction *action)
{
	this_cpu_write(lw_cpus()->hardirq.start[lw_ctx_here()],
		       ktime_get_mono_fast_ns());
}

static void lw_hardirq_exit(void *data, int irq, struct irqaction *action,
			    int ret)
{
	struct lw_cpu *c = this_cpu_ptr(lw_cpus());
	int ctx = lw_ctx_here();
	u64 start = c->hardirq.start[ctx];
	u64 d;

	if (!start)
		return;
	c->hardirq.start[ctx] = 0;
	d = ktime_get_mono_fast_ns() - start;
	lw_hist_add(LATWATCH_EV_HARDIRQ, d);
	/* Only a handler in hard-irq context held interrupts off. */
	if (ctx == LW_CTX_HARD)
		lw_irqoff_interfere(c, LATWATCH_INTERF_HARDIRQ, irq,
				    action->name, NULL, d);
	if (d > READ_ONCE(lw_thr.hardirq_ns))
		lw_hardirq_report(c, irq, action, d, ctx);
}

static const struct lw_tp lw_hardirq_tps[] = {
	LW_TP(irq_handler_entry, lw_hardirq_entry),
	LW_TP(irq_handler_exit, lw_hardirq_exit),
};

int lw_hardirq_enable(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct lw_hardirq_cpu *hc = &per_cpu_ptr(lw_cpus(), cpu)->hardirq;

		hc->start[LW_CTX_SOFT] = 0;
		hc->start[LW_CTX_HARD] = 0;
	}
	return lw_tp_register(lw_hardirq_tps, ARRAY_SIZE(lw_hardirq_tps));
}

void lw_hardirq_disable(void)
{
	lw_tp_unregister(lw_hardirq_tps, ARRAY_SIZE(lw_hardirq_tps));
}
