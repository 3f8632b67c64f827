/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel versions latwatch builds for lives
 * here, behind one helper each. Detector code never tests a version.
 * LW_HAVE_* come from conftest.h, which conftest.sh writes from feature
 * probes compiled against the target kernel's headers (see Kbuild).
 */
#ifndef _LATWATCH_COMPAT_H
#define _LATWATCH_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/netlink.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <net/genetlink.h>

#include "conftest.h"

#ifdef LW_HAVE_HRTIMER_SETUP
static inline void lw_hrtimer_setup(struct hrtimer *timer,
				    enum hrtimer_restart (*fn)(struct hrtimer *),
				    enum hrtimer_mode mode)
{
	hrtimer_setup(timer, fn, CLOCK_MONOTONIC, mode);
}
#else
static inline void lw_hrtimer_setup(struct hrtimer *timer,
				    enum hrtimer_restart (*fn)(struct hrtimer *),
				    enum hrtimer_mode mode)
{
	hrtimer_init(timer, CLOCK_MONOTONIC, mode);
	timer->function = fn;
}
#endif

/*
 * NL_SET_ERR_MSG_ATTR() takes a string literal only; latwatch composes its
 * messages in one place (config.c) and hands them over as pointers to
 * static strings. NL_SET_ERR_MSG_FMT() would do, but is 6.2 and later.
 */
static inline void lw_extack_set(struct netlink_ext_ack *extack,
				 const struct nlattr *attr, const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	extack->bad_attr = attr;
}

/*
 * Another task's stack: stack_trace_save_tsk() is exported from 6.12 on.
 * Without it, hung-task events go out without a stack.
 */
#ifdef LW_HAVE_STACK_TRACE_SAVE_TSK
static inline unsigned int lw_stack_save_tsk(struct task_struct *t,
					     unsigned long *store,
					     unsigned int size)
{
	return stack_trace_save_tsk(t, store, size, 0);
}
#else
static inline unsigned int lw_stack_save_tsk(struct task_struct *t,
					     unsigned long *store,
					     unsigned int size)
{
	return 0;
}
#endif

/* A dump's request attributes, parsed against the op's policy. */
static inline struct nlattr **lw_dump_attrs(struct netlink_callback *cb)
{
#ifdef LW_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#ifdef LW_HAVE_IN_HARDIRQ
#define lw_in_hardirq()	in_hardirq()
#else
#define lw_in_hardirq()	in_irq()
#endif

/*
 * Whether a CPU can have a softirq-off window at all. On PREEMPT_RT without
 * PREEMPT_RT_NEEDS_BH_LOCK (7.x) local_bh_disable() no longer takes the
 * per-CPU lock that serialises softirq processing: it defers softirqs only
 * in the task that calls it, and the CPU's softirq threads run meanwhile.
 * A task holding softirqs off then delays nobody else's softirq.
 */
#ifdef LW_HAVE_BH_PER_TASK
#define lw_softirqoff_windows()	false
#else
#define lw_softirqoff_windows()	true
#endif

/* A task's state word: task_struct.state became __state in 5.14. */
static inline unsigned int lw_task_state(struct task_struct *t)
{
#ifdef LW_HAVE_TASK_STATE_UNDERSCORE
	return READ_ONCE(t->__state);
#else
	return READ_ONCE(t->state);
#endif
}

/* Frozen: TASK_FROZEN in the state from 6.1, PF_FROZEN before. */
static inline bool lw_task_frozen(struct task_struct *t, unsigned int state)
{
#ifdef LW_HAVE_TASK_FROZEN
	return state & TASK_FROZEN;
#else
	return READ_ONCE(t->flags) & PF_FROZEN;
#endif
}

/*
 * Tracepoint prototypes that changed. The probes take these parameter
 * lists (the names are part of them), and LW_TP() has the compiler check
 * each probe against the kernel's own declaration, so a prototype that
 * changes again fails the build instead of reading garbage.
 */
#ifdef LW_HAVE_SCHED_SWITCH_PREV_STATE
#define LW_SCHED_SWITCH_ARGS \
	void *data, bool preempt, struct task_struct *prev, \
	struct task_struct *next, unsigned int prev_state
#else
#define LW_SCHED_SWITCH_ARGS \
	void *data, bool preempt, struct task_struct *prev, \
	struct task_struct *next
#endif

/* hrtimer_expire_entry passes the expiry time by value from 7.x on. */
#ifdef LW_HAVE_HRTIMER_EXPIRE_ENTRY_NOW_PTR
#define LW_HRTIMER_EXPIRE_ENTRY_ARGS \
	void *data, struct hrtimer *t, ktime_t *now
#else
#define LW_HRTIMER_EXPIRE_ENTRY_ARGS \
	void *data, struct hrtimer *t, ktime_t now
#endif

#endif /* _LATWATCH_COMPAT_H */
