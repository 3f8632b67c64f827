// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: what an event says about where it happened: the task, its
 * cgroup and the stack. Runs in atomic context; takes a reference on the
 * cgroup, which the event carries until it is sent or dropped (delivery.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/stacktrace.h>
#include <linux/string.h>

#include "internal.h"

/* How deep the return path of an interrupt is looked for its entry frame. */
#define LW_IRQ_RETURN_DEPTH	4

static DEFINE_PER_CPU(char [KSYM_SYMBOL_LEN], lw_symbuf);

static void lw_capture_task(struct lw_event *ev)
{
	ev->cpu = smp_processor_id();
	ev->pid = task_pid_nr(current);
	strscpy(ev->comm, current->comm, sizeof(ev->comm));
	rcu_read_lock();
	ev->cgrp = task_dfl_cgroup(current);
	cgroup_get(ev->cgrp);
	rcu_read_unlock();
}

void lw_event_put(struct lw_event *ev)
{
	if (ev->cgrp)
		cgroup_put(ev->cgrp);
	ev->cgrp = NULL;
}

static bool lw_frame_is(unsigned long addr, const char *prefix, bool exact)
{
	char *name = this_cpu_ptr(lw_symbuf);

	sprint_symbol_no_offset(name, addr);
	return exact ? !strcmp(name, prefix) : str_has_prefix(name, prefix);
}

/*
 * The frames to skip when the sampler's interrupt landed in the return path
 * of another interrupt: when interrupts come back on, a pending interrupt of
 * a higher vector (an IPI, say) is served first, and if it preempts on its
 * way out (preempt_schedule_irq(), which enables interrupts; common on
 * PREEMPT_RT) the sampler finds that instead of the context that held
 * interrupts off. That context is the one under the other interrupt's entry
 * frame (asm_*). Hard-irq context; only when an event is recorded.
 */
static unsigned int lw_irq_return_frames(const unsigned long *frames,
					 unsigned int n)
{
	unsigned int i;

	if (!n || (!lw_frame_is(frames[0], "preempt_schedule_irq", true) &&
		   !lw_frame_is(frames[0], "irqentry_exit", false)))
		return 0;
	for (i = 1; i < n && i <= LW_IRQ_RETURN_DEPTH; i++) {
		if (lw_frame_is(frames[i], "asm_", false))
			return i + 1 < n ? i + 1 : 0;
	}
	return 0;
}

/*
 * Record the interrupted context: task and stack, culprit first. The raw
 * trace starts in latwatch and the interrupt entry code; the interrupted
 * frame is the one at the saved instruction pointer, or under the return
 * path of an interrupt served before the sampler's.
 */
void lw_capture(struct lw_event *ev, struct pt_regs *regs)
{
	unsigned int n, i;

	memset(ev, 0, offsetof(struct lw_event, frames));
	lw_capture_task(ev);
	n = stack_trace_save(ev->frames, ARRAY_SIZE(ev->frames), 0);
	if (regs && !user_mode(regs)) {
		for (i = 0; i < n; i++) {
			if (ev->frames[i] == instruction_pointer(regs)) {
				i += lw_irq_return_frames(ev->frames + i, n - i);
				n -= i;
				memmove(ev->frames, ev->frames + i,
					n * sizeof(ev->frames[0]));
				break;
			}
		}
	}
	ev->nr_frames = n;
}

/*
 * For the tracepoint detectors: the context the handler ran in. latwatch's
 * own frames and the tracepoint's are trimmed when the stack is sent.
 */
void lw_capture_here(struct lw_event *ev, u32 type, u64 duration_ns)
{
	memset(ev, 0, offsetof(struct lw_event, frames));
	lw_capture_task(ev);
	ev->nr_frames = stack_trace_save(ev->frames, ARRAY_SIZE(ev->frames), 0);
	ev->type = type;
	ev->ts_ns = ktime_get_real_ns();
	ev->duration_ns = duration_ns;
}
