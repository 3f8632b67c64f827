// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: event delivery.
 *
 * Detectors run in hard-irq or softirq context. lw_emit() copies an event
 * into its CPU's ring under a raw spinlock: no allocation, no sleeping
 * lock, nothing that can fail but a full ring, which is counted. A work
 * item drains the rings from process context, numbers each record in the
 * order they go out and hands it to send.c, which keeps it for replay and
 * sends it to each subscriber, so a subscriber sees sequence numbers rise
 * by one; a send that fails, or events sent while it was not subscribed,
 * leave a gap. Everything lost is counted, and announced to the
 * subscribers with a LATWATCH_CMD_LOST record.
 *
 * The work runs on an unbound workqueue: the CPU whose window is measured
 * does not also pay for its delivery.
 *
 * A detector that runs in process context itself (the hung-task scan)
 * hands its events to lw_deliver() instead, which numbers and sends them at
 * once, in order with the work's: no ring to overflow.
 *
 * A per-CPU token bucket bounds what a storm (a threshold set too low)
 * costs: a detector asks lw_event_admit() before it captures anything, and
 * past max_events_per_sec the event is neither captured nor queued but
 * counted as lost, and as ratelimited. Every event admitted or refused is
 * counted once as delivered, lost or unheard when its fate is known.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "internal.h"

struct lw_cpu __percpu *lw_pcpu __read_mostly;

/* Owned by the flush work, which never runs concurrently with itself. */
static struct lw_event lw_out;
/* Numbering, sending and announcing losses: the flush work, lw_deliver(). */
static DEFINE_MUTEX(lw_deliver_mutex);
static u64 lw_seq;
static u64 lw_lost_announced;

static void lw_flush_fn(struct work_struct *work);
static DECLARE_WORK(lw_flush_work, lw_flush_fn);
static bool lw_pop(struct lw_cpu *c, struct lw_event *out);

/* Any context: have the flush work run, on any CPU. */
static void lw_flush_kick(void)
{
	queue_work(system_unbound_wq, &lw_flush_work);
}

int lw_delivery_init(void)
{
	unsigned int cpu;

	lw_pcpu = alloc_percpu(struct lw_cpu);
	if (!lw_pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		raw_spin_lock_init(&per_cpu_ptr(lw_pcpu, cpu)->lock);
	return 0;
}

/* The producers are stopped: nothing queues the work any more. */
void lw_delivery_exit(void)
{
	unsigned int cpu;

	cancel_work_sync(&lw_flush_work);
	for_each_possible_cpu(cpu) {
		while (lw_pop(per_cpu_ptr(lw_pcpu, cpu), &lw_out))
			lw_event_put(&lw_out);
	}
	free_percpu(lw_pcpu);
	lw_pcpu = NULL;
}

/* Deliver what the stopped producers left behind. */
void lw_delivery_flush(void)
{
	flush_work(&lw_flush_work);
}

/*
 * Under @c's lock: may one more event go out? The bucket holds a second's
 * worth of events and refills at max_events_per_sec. It is kept as the
 * time it will be full again: each event moves that one interval later,
 * and there is room while it stays within a second from now.
 */
static bool lw_admit(struct lw_cpu *c)
{
	u64 interval = READ_ONCE(lw_event_interval_ns);
	u64 now, full;

	if (!interval)
		return true;
	now = ktime_get_mono_fast_ns();
	full = max(c->rl_full_ns, now) + interval;
	if (full - now > NSEC_PER_SEC)
		return false;
	c->rl_full_ns = full;
	return true;
}

/*
 * Any context, on @c's CPU, before the event is captured: count it, and
 * take a token. A refused event is counted as lost and ratelimited, and the
 * detector drops it without building it; an admitted one must be handed to
 * lw_emit(), which does not count it again.
 */
bool lw_event_admit(struct lw_cpu *c)
{
	unsigned long flags;
	bool admitted;

	raw_spin_lock_irqsave(&c->lock, flags);
	c->events++;
	admitted = lw_admit(c);
	if (!admitted) {
		c->ratelimited++;
		c->lost++;
	}
	raw_spin_unlock_irqrestore(&c->lock, flags);
	if (!admitted)
		lw_flush_kick();	/* to announce the loss */
	return admitted;
}

/* Any context: one event that could not even be recorded. */
void lw_event_lost(struct lw_cpu *c)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&c->lock, flags);
	c->events++;
	c->lost++;
	raw_spin_unlock_irqrestore(&c->lock, flags);
	lw_flush_kick();
}

/*
 * Any context, on @c's CPU, for an event lw_event_admit() let through. @ev
 * is copied; its cgroup reference goes with the copy, or is dropped with
 * the event if it is not queued (the ring is full: lost).
 */
void lw_emit(struct lw_cpu *c, struct lw_event *ev)
{
	unsigned long flags;
	bool stored = false;

	raw_spin_lock_irqsave(&c->lock, flags);
	if (c->head - c->tail < LW_RING_SIZE) {
		c->ring[c->head % LW_RING_SIZE] = *ev;
		c->head++;
		stored = true;
	} else {
		c->lost++;
	}
	raw_spin_unlock_irqrestore(&c->lock, flags);
	if (stored)
		ev->cgrp = NULL;
	else
		lw_event_put(ev);
	lw_flush_kick();
}

static bool lw_pop(struct lw_cpu *c, struct lw_event *out)
{
	unsigned long flags;
	bool got = false;

	raw_spin_lock_irqsave(&c->lock, flags);
	if (c->tail != c->head) {
		*out = c->ring[c->tail % LW_RING_SIZE];
		c->tail++;
		got = true;
	}
	raw_spin_unlock_irqrestore(&c->lock, flags);
	return got;
}

/*
 * @err from lw_send_event(): 0, one subscriber at least got the event
 * (delivered); -ESRCH, there was none (unheard); else it reached none
 * (lost).
 */
static void lw_account_send(struct lw_cpu *c, int err)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&c->lock, flags);
	if (!err)
		c->delivered++;
	else if (err == -ESRCH)
		c->unheard++;
	else
		c->lost++;
	raw_spin_unlock_irqrestore(&c->lock, flags);
}

static void lw_announce_lost(void)
{
	u64 total = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		total += READ_ONCE(per_cpu_ptr(lw_pcpu, cpu)->lost);
	if (total == lw_lost_announced)
		return;
	/*
	 * Announced once, whatever the outcome: a subscriber that misses this
	 * record has overrun its socket and is told so by ENOBUFS; the
	 * totals stay in the per-CPU statistics.
	 */
	lw_send_lost(total - lw_lost_announced, total);
	lw_lost_announced = total;
}

/*
 * Under lw_deliver_mutex: number @ev, send it, drop its cgroup reference and
 * count its fate on @c. True if it was lost.
 */
static bool lw_deliver_one(struct lw_cpu *c, struct lw_event *ev)
{
	int err;

	lockdep_assert_held(&lw_deliver_mutex);
	ev->seq = ++lw_seq;
	err = lw_send_event(ev);
	lw_event_put(ev);
	lw_account_send(c, err);
	return err && err != -ESRCH;
}

static void lw_flush_fn(struct work_struct *work)
{
	unsigned int cpu;

	mutex_lock(&lw_deliver_mutex);
	for_each_possible_cpu(cpu) {
		struct lw_cpu *c = per_cpu_ptr(lw_pcpu, cpu);

		while (lw_pop(c, &lw_out)) {
			lw_deliver_one(c, &lw_out);
			/* A storm refills the ring as fast as this drains it. */
			cond_resched();
		}
	}
	lw_announce_lost();
	mutex_unlock(&lw_deliver_mutex);
}

/*
 * Process context, for a detector that runs there: count @ev on @c, number
 * it and send it now. Not rate limited (the caller bounds what it sends);
 * its cgroup reference is dropped.
 */
void lw_deliver(struct lw_cpu *c, struct lw_event *ev)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&c->lock, flags);
	c->events++;
	raw_spin_unlock_irqrestore(&c->lock, flags);
	mutex_lock(&lw_deliver_mutex);
	if (lw_deliver_one(c, ev))
		lw_announce_lost();
	mutex_unlock(&lw_deliver_mutex);
}

void lw_stats_get(unsigned int cpu, struct lw_stats *st)
{
	struct lw_cpu *c = per_cpu_ptr(lw_pcpu, cpu);
	unsigned long flags;

	lw_sampler_stats(c, st);
	lw_irqoff_stats(c, st);
	lw_softirqoff_stats(c, st);
	raw_spin_lock_irqsave(&c->lock, flags);
	st->events = c->events;
	st->delivered = c->delivered;
	st->lost = c->lost;
	st->ratelimited = c->ratelimited;
	st->unheard = c->unheard;
	raw_spin_unlock_irqrestore(&c->lock, flags);
}
