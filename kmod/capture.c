// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: what an event says about where it happened: the task, its
 * cgroup and the stack. Runs in atomic context; takes a reference on the
 * cgroup, which the event carries until it is sent or dropped (event.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/ktime.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/stacktrace.h>
#include <linux/string.h>

#include "latwatch.h"

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

/*
 * Record the interrupted context: task and stack, culprit first. The raw
 * trace starts in latwatch and the interrupt entry code; the interrupted
 * frame is the one at the saved instruction pointer.
 */
void lw_capture(struct lw_event *ev, struct pt_regs *regs)
{
	unsigned int n, i;

	lw_capture_task(ev);
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
