// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: hard-irq-off windows.
 *
 * The sampler runs every P in hard-irq context. While interrupts are off it
 * cannot run, so a gap between two runs longer than the threshold is a
 * window with interrupts off, known to within P. The sampler fires as soon
 * as interrupts are enabled again, so the interrupted context is the code
 * that held them off: its stack names the culprit.
 *
 * A gap that ends in user space or in the idle loop is not such a window:
 * interrupts are on there, so the CPU itself was not running (a hypervisor
 * not scheduling the vCPU, an SMI). Those are counted as stalls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/ktime.h>

#include "latwatch.h"

/*
 * Record the interrupted context: task and stack, culprit first. The raw
 * trace starts in latwatch and the interrupt entry code; the interrupted
 * frame is the one at the saved instruction pointer.
 */
void lw_capture(struct lw_event *ev, struct pt_regs *regs)
{
	unsigned int n, i;

	ev->cpu = smp_processor_id();
	ev->pid = task_pid_nr(current);
	strscpy(ev->comm, current->comm, sizeof(ev->comm));

	n = stack_trace_save(ev->frames, ARRAY_SIZE(ev->frames), 0);
	if (regs && !user_mode(regs)) {
		for (i = 0; i < n; i++) {
			if (ev->frames[i] == instruction_pointer(regs)) {
				n -= i;
				memmove(ev->frames, ev->frames + i,
					n * sizeof(ev->frames[0]));
				break;
			}
		}
	}
	ev->nr_frames = n;
}

/* Interrupts were enabled where the sampler came in. */
static bool lw_ended_with_irqs_on(struct pt_regs *regs)
{
	if (!regs)
		return false;
	if (user_mode(regs))
		return true;
	return is_idle_task(current) && !softirq_count();
}

void lw_irqoff_sample(struct lw_cpu *c, struct pt_regs *regs, u64 now,
		      u64 gap)
{
	struct lw_event *ev = &c->scratch;

	if (gap <= lw_irqoff_threshold_ns())
		return;
	if (lw_ended_with_irqs_on(regs)) {
		WRITE_ONCE(c->stalls, c->stalls + 1);
		return;
	}
	lw_capture(ev, regs);
	ev->type = LATWATCH_EV_IRQOFF;
	ev->ts_ns = ktime_get_real_ns();
	ev->duration_ns = gap;
	ev->resolution_ns = lw_period_ns();
	lw_emit(c, ev);
}
