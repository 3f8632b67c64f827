// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: tasks hung in uninterruptible sleep.
 *
 * A work item scans every thread each hung_scan_interval_ms. A thread in
 * TASK_UNINTERRUPTIBLE (killable or not; TASK_IDLE kthreads and frozen
 * tasks are not hung) whose context-switch count has not moved since an
 * earlier scan has been blocked at least since that scan. Past
 * hung_threshold_ms it is reported once (LATWATCH_EV_HUNG), and once more
 * when it has run again or gone (LATWATCH_EV_HUNG_END, with the total).
 * Both are known to within one scan interval.
 *
 * The walk drops the RCU read lock every LW_HUNG_BATCH threads, so a host
 * with tens of thousands of threads sees no long RCU read-side section. If
 * the thread it stopped at went away meanwhile, the walk starts over (what
 * it saw already is seen again at no cost: a thread's episode is reported
 * once); after LW_HUNG_RESTARTS of those it gives up for this scan and does
 * not close the episodes of threads it did not reach.
 *
 * The walk only decides what to report: it queues a record per event,
 * with a reference to the thread. Another work item builds and sends them
 * (lw_deliver()), in order, not through a CPU's ring: a storm of blocked
 * threads (a dead NFS server) loses none. They are not rate limited
 * either, since each thread gives at most two per episode and an episode
 * lasts hung_threshold_ms (1 s at least). Sending a thousand events takes
 * seconds on a slow machine, and the scans go on meanwhile: a thread that
 * a scan saw blocked first must still be seen blocked by a later scan
 * before it wakes up, or its episode is never reported.
 * Switching the detector off ends the open episodes with a hung_end.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "internal.h"

#define LW_HUNG_BATCH		256
#define LW_HUNG_RESTARTS	8

struct lw_hung {
	struct hlist_node node;
	pid_t pid;
	u64 start_time;		/* tells a reused pid apart */
	unsigned long switches;
	u64 since_ns;		/* blocked at least since (mono) */
	u32 gen;		/* scan that last saw it */
	bool reported;
	char comm[LATWATCH_COMM_LEN];
};

/* An event the walk decided on, sent after it. */
struct lw_hung_report {
	struct list_head node;
	struct task_struct *task;	/* a reference, or NULL: gone */
	u32 type;
	pid_t pid;
	u64 since_ns;
	u64 now_ns;			/* the scan's time, mono */
	u64 real_ns;			/* the same, CLOCK_REALTIME */
	char comm[LATWATCH_COMM_LEN];
};

/* Owned by the scan work, or by whoever stopped it. */
static DEFINE_HASHTABLE(lw_hung_tasks, 8);
static u32 lw_hung_gen;
static u64 lw_hung_real;	/* CLOCK_REALTIME of the scan */

/* The records the scan queued, under lw_hung_lock, for the send work. */
static DEFINE_SPINLOCK(lw_hung_lock);
static LIST_HEAD(lw_hung_reports);
/* Owned by the send work, or by whoever stopped it. */
static struct lw_event *lw_hung_ev;

static void lw_hung_scan(struct work_struct *work);
static DECLARE_DELAYED_WORK(lw_hung_work, lw_hung_scan);
static void lw_hung_send_fn(struct work_struct *work);
static DECLARE_WORK(lw_hung_send_work, lw_hung_send_fn);

static unsigned long lw_hung_interval(void)
{
	return msecs_to_jiffies(lw_cfg(LW_HUNG_SCAN_INTERVAL_MS));
}

static bool lw_hung_state(struct task_struct *t)
{
	unsigned int state = lw_task_state(t);

	return (state & TASK_UNINTERRUPTIBLE) && !(state & TASK_NOLOAD) &&
	       !lw_task_frozen(t, state);
}

static struct lw_hung *lw_hung_find(struct task_struct *t)
{
	struct lw_hung *h;

	hash_for_each_possible(lw_hung_tasks, h, node, t->pid)
		if (h->pid == t->pid && h->start_time == t->start_time)
			return h;
	return NULL;
}

/*
 * Under rcu_read_lock(), or with the scan stopped; @t may be NULL for a
 * thread that is gone; @now is the scan's time. Queues the event for the
 * send work; one that finds no memory is counted as lost.
 */
static void lw_hung_queue(struct lw_hung *h, struct task_struct *t, u32 type,
			  u64 now)
{
	struct lw_hung_report *r;

	r = kmalloc(sizeof(*r), GFP_NOWAIT | __GFP_NOWARN);
	if (!r) {
		lw_event_lost(per_cpu_ptr(lw_cpus(), raw_smp_processor_id()));
		return;
	}
	r->task = t;
	if (t)
		get_task_struct(t);
	r->type = type;
	r->pid = h->pid;
	r->since_ns = h->since_ns;
	r->now_ns = now;
	r->real_ns = lw_hung_real;
	strscpy(r->comm, h->comm, sizeof(r->comm));
	spin_lock(&lw_hung_lock);
	list_add_tail(&r->node, &lw_hung_reports);
	spin_unlock(&lw_hung_lock);
}

/*
 * Process context, the send work or whoever stopped it: build and send
 * what the scans queued, in order.
 */
static void lw_hung_send(void)
{
	struct lw_hung_report *r, *tmp;
	u64 resolution = (u64)lw_cfg(LW_HUNG_SCAN_INTERVAL_MS) * NSEC_PER_MSEC;
	struct lw_event *ev = lw_hung_ev;
	LIST_HEAD(todo);

	spin_lock(&lw_hung_lock);
	list_splice_init(&lw_hung_reports, &todo);
	spin_unlock(&lw_hung_lock);
	list_for_each_entry_safe(r, tmp, &todo, node) {
		struct task_struct *t = r->task;

		memset(ev, 0, sizeof(*ev));
		ev->type = r->type;
		ev->ts_ns = r->real_ns;
		ev->duration_ns = r->now_ns - r->since_ns;
		ev->resolution_ns = resolution;
		ev->pid = r->pid;
		strscpy(ev->comm, r->comm, sizeof(ev->comm));
		ev->cpu = raw_smp_processor_id();
		if (t) {
			ev->cpu = task_cpu(t);
			rcu_read_lock();
			ev->cgrp = task_dfl_cgroup(t);
			cgroup_get(ev->cgrp);
			rcu_read_unlock();
			if (r->type == LATWATCH_EV_HUNG)
				ev->nr_frames = lw_stack_save_tsk(t, ev->frames,
								  ARRAY_SIZE(ev->frames));
			put_task_struct(t);
		}
		lw_deliver(per_cpu_ptr(lw_cpus(), raw_smp_processor_id()), ev);
		list_del(&r->node);
		kfree(r);
		cond_resched();
	}
}

static void lw_hung_check(struct task_struct *t, u64 now, u64 threshold)
{
	unsigned long switches = t->nvcsw + t->nivcsw;
	struct lw_hung *h = lw_hung_find(t);
	bool blocked = lw_hung_state(t);

	if (!h) {
		if (!blocked)
			return;
		h = kzalloc(sizeof(*h), GFP_NOWAIT | __GFP_NOWARN);
		if (!h)
			return;	/* seen again at the next scan */
		h->pid = t->pid;
		h->start_time = t->start_time;
		h->switches = switches;
		h->since_ns = now;
		strscpy(h->comm, t->comm, sizeof(h->comm));
		hash_add(lw_hung_tasks, &h->node, h->pid);
	}
	h->gen = lw_hung_gen;
	if (!blocked || switches != h->switches) {
		/* It ran: an episode ends, another may begin. */
		if (h->reported)
			lw_hung_queue(h, t, LATWATCH_EV_HUNG_END, now);
		if (!blocked) {
			hash_del(&h->node);
			kfree(h);
			return;
		}
		h->switches = switches;
		h->since_ns = now;
		h->reported = false;
		return;
	}
	if (!h->reported && now - h->since_ns > threshold) {
		lw_hung_queue(h, t, LATWATCH_EV_HUNG, now);
		h->reported = true;
	}
}

/* As the kernel's own hung-task check: let RCU and the scheduler in. */
static bool lw_hung_break(struct task_struct *g, struct task_struct *t)
{
	bool alive;

	get_task_struct(g);
	get_task_struct(t);
	rcu_read_unlock();
	cond_resched();
	rcu_read_lock();
	alive = pid_alive(g) && pid_alive(t);
	put_task_struct(t);
	put_task_struct(g);
	return alive;
}

/*
 * Close the episodes of threads the whole walk did not see (gone), or, when
 * the detector is switched off (@all), of every thread.
 */
static void lw_hung_sweep(bool all, u64 now)
{
	struct hlist_node *tmp;
	struct lw_hung *h;
	int bkt;

	hash_for_each_safe(lw_hung_tasks, bkt, tmp, h, node) {
		if (!all && h->gen == lw_hung_gen)
			continue;
		if (h->reported)
			lw_hung_queue(h, NULL, LATWATCH_EV_HUNG_END, now);
		hash_del(&h->node);
		kfree(h);
	}
}

/*
 * One walk over every thread. False if it had to give up: the thread it
 * stopped at went away during a lock break too many times.
 */
static bool lw_hung_walk(u64 now, u64 threshold)
{
	struct task_struct *g, *t;
	unsigned int n = 0, restarts = 0;

	rcu_read_lock();
again:
	for_each_process_thread(g, t) {
		if (++n % LW_HUNG_BATCH == 0 && !lw_hung_break(g, t)) {
			if (++restarts > LW_HUNG_RESTARTS) {
				rcu_read_unlock();
				return false;
			}
			goto again;
		}
		lw_hung_check(t, now, threshold);
	}
	rcu_read_unlock();
	return true;
}

static void lw_hung_scan(struct work_struct *work)
{
	u64 threshold = (u64)lw_cfg(LW_HUNG_THRESHOLD_MS) * NSEC_PER_MSEC;
	u64 now = ktime_get_ns();

	lw_hung_gen++;
	lw_hung_real = ktime_get_real_ns();
	if (lw_hung_walk(now, threshold))
		lw_hung_sweep(false, now);
	spin_lock(&lw_hung_lock);
	if (!list_empty(&lw_hung_reports))
		queue_work(system_unbound_wq, &lw_hung_send_work);
	spin_unlock(&lw_hung_lock);
	queue_delayed_work(system_unbound_wq, &lw_hung_work,
			   lw_hung_interval());
}

static void lw_hung_send_fn(struct work_struct *work)
{
	lw_hung_send();
}

int lw_hung_enable(void)
{
	lw_hung_ev = kzalloc(sizeof(*lw_hung_ev), GFP_KERNEL);
	if (!lw_hung_ev)
		return -ENOMEM;
	queue_delayed_work(system_unbound_wq, &lw_hung_work,
			   lw_hung_interval());
	return 0;
}

/* Process context: the open episodes end, and are told so. */
void lw_hung_disable(void)
{
	cancel_delayed_work_sync(&lw_hung_work);
	cancel_work_sync(&lw_hung_send_work);
	lw_hung_real = ktime_get_real_ns();
	lw_hung_sweep(true, ktime_get_ns());
	lw_hung_send();
	kfree(lw_hung_ev);
	lw_hung_ev = NULL;
}
