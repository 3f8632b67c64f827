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
 * An outer event and its inner ones (lw_emit_nest()) go on the ring
 * together, or none of them does, the outer first: the work numbers them
 * one after the other, so each can name the others.
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

/* Owned by the flush work, which never runs concurrently with itself. */
static struct lw_event lw_out;
/* Numbering, sending and announcing losses: the flush work, lw_deliver(). */
static DEFINE_MUTEX(lw_deliver_mutex);
static u64 lw_seq;
static u64 lw_lost_announced;

static void lw_flush_fn(struct work_struct *work);
static DECLARE_WORK(lw_flush_work, lw_flush_fn);
static bool lw_pop(struct lw_delivery_cpu *dc, struct lw_event *out);

/* Any context: have the flush work run, on any CPU. */
static void lw_flush_kick(void)
{
	queue_work(system_unbound_wq, &lw_flush_work);
}

void lw_delivery_init(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		raw_spin_lock_init(&per_cpu_ptr(lw_cpus(), cpu)->delivery.lock);
}

/*
 * The producers are stopped: nothing queues the work any more. What is
 * still on the rings is dropped.
 */
void lw_delivery_exit(void)
{
	unsigned int cpu;

	cancel_work_sync(&lw_flush_work);
	for_each_possible_cpu(cpu) {
		struct lw_delivery_cpu *dc = &per_cpu_ptr(lw_cpus(), cpu)->delivery;

		while (lw_pop(dc, &lw_out))
			lw_event_put(&lw_out);
	}
}

/* Deliver what the stopped producers left behind. */
void lw_delivery_flush(void)
{
	flush_work(&lw_flush_work);
}

/*
 * Under @dc's lock: may one more event go out? The bucket holds a second's
 * worth of events and refills at max_events_per_sec. It is kept as the
 * time it will be full again: each event moves that one interval later,
 * and there is room while it stays within a second from now.
 */
static bool lw_admit(struct lw_delivery_cpu *dc)
{
	u64 interval = READ_ONCE(lw_event_interval_ns);
	u64 now, full;

	if (!interval)
		return true;
	now = ktime_get_mono_fast_ns();
	full = max(dc->rl_full_ns, now) + interval;
	if (full - now > NSEC_PER_SEC)
		return false;
	dc->rl_full_ns = full;
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
	struct lw_delivery_cpu *dc = &c->delivery;
	unsigned long flags;
	bool admitted;

	raw_spin_lock_irqsave(&dc->lock, flags);
	dc->events++;
	admitted = lw_admit(dc);
	if (!admitted) {
		dc->ratelimited++;
		dc->lost++;
	}
	raw_spin_unlock_irqrestore(&dc->lock, flags);
	if (!admitted)
		lw_flush_kick();	/* to announce the loss */
	return admitted;
}

/* Any context: one event that could not even be recorded. */
void lw_event_lost(struct lw_cpu *c)
{
	struct lw_delivery_cpu *dc = &c->delivery;
	unsigned long flags;

	raw_spin_lock_irqsave(&dc->lock, flags);
	dc->events++;
	dc->lost++;
	raw_spin_unlock_irqrestore(&dc->lock, flags);
	lw_flush_kick();
}

/*
 * Any context, on @c's CPU, for an event lw_event_admit() let through. @ev
 * is copied; its cgroup reference goes with the copy, or is dropped with
 * the event if it is not queued (the ring is full: lost).
 */
void lw_emit(struct lw_cpu *c, struct lw_event *ev)
{
	struct lw_delivery_cpu *dc = &c->delivery;
	unsigned long flags;
	bool stored = false;

	ev->nr_inner = 0;
	raw_spin_lock_irqsave(&dc->lock, flags);
	if (dc->head - dc->tail < LW_RING_SIZE) {
		dc->ring[dc->head % LW_RING_SIZE] = *ev;
		dc->head++;
		stored = true;
	} else {
		dc->lost++;
	}
	raw_spin_unlock_irqrestore(&dc->lock, flags);
	if (stored)
		ev->cgrp = NULL;
	else
		lw_event_put(ev);
	lw_flush_kick();
}

/*
 * Any context, on @c's CPU: @outer and its @nr_inner (at most LW_NEST_MAX)
 * events in @inner, all admitted, go on the ring together, or are all
 * lost. Each is copied and takes its cgroup reference along, or drops it.
 */
void lw_emit_nest(struct lw_cpu *c, struct lw_event *outer,
		  struct lw_event *inner, unsigned int nr_inner)
{
	struct lw_delivery_cpu *dc = &c->delivery;
	unsigned long flags;
	bool stored = false;
	unsigned int i;

	outer->nr_inner = nr_inner;
	for (i = 0; i < nr_inner; i++)
		inner[i].nr_inner = 0;
	raw_spin_lock_irqsave(&dc->lock, flags);
	if (dc->head - dc->tail + nr_inner < LW_RING_SIZE) {
		dc->ring[dc->head++ % LW_RING_SIZE] = *outer;
		for (i = 0; i < nr_inner; i++)
			dc->ring[dc->head++ % LW_RING_SIZE] = inner[i];
		stored = true;
	} else {
		dc->lost += 1 + nr_inner;
	}
	raw_spin_unlock_irqrestore(&dc->lock, flags);
	for (i = 0; i <= nr_inner; i++) {
		struct lw_event *ev = i ? &inner[i - 1] : outer;

		if (stored)
			ev->cgrp = NULL;
		else
			lw_event_put(ev);
	}
	lw_flush_kick();
}

static bool lw_pop(struct lw_delivery_cpu *dc, struct lw_event *out)
{
	unsigned long flags;
	bool got = false;

	raw_spin_lock_irqsave(&dc->lock, flags);
	if (dc->tail != dc->head) {
		*out = dc->ring[dc->tail % LW_RING_SIZE];
		dc->tail++;
		got = true;
	}
	raw_spin_unlock_irqrestore(&dc->lock, flags);
	return got;
}

/*
 * @err from lw_send_event(): 0, one subscriber at least got the event
 * (delivered); -ESRCH, there was none (unheard); else it reached none
 * (lost).
 */
static void lw_account_send(struct lw_delivery_cpu *dc, int err)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&dc->lock, flags);
	if (!err)
		dc->delivered++;
	else if (err == -ESRCH)
		dc->unheard++;
	else
		dc->lost++;
	raw_spin_unlock_irqrestore(&dc->lock, flags);
}

static void lw_announce_lost(void)
{
	u64 total = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		total += READ_ONCE(per_cpu_ptr(lw_cpus(), cpu)->delivery.lost);
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
 * count its fate on @dc. True if it was lost.
 */
static bool lw_deliver_one(struct lw_delivery_cpu *dc, struct lw_event *ev)
{
	int err;

	lockdep_assert_held(&lw_deliver_mutex);
	ev->seq = ++lw_seq;
	err = lw_send_event(ev);
	lw_event_put(ev);
	lw_account_send(dc, err);
	return err && err != -ESRCH;
}

/* The flush work's place in a nest: the outer's number, inners to come. */
struct lw_nesting {
	u64 outer_seq;
	unsigned int inner_left;
};

/*
 * Under lw_deliver_mutex, before lw_deliver_one() numbers @ev: link it to
 * the events nested with it. An outer event's inner ones follow it on the
 * ring (lw_emit_nest() put them there together, and only the flush work
 * pops), so they get the next numbers.
 */
static void lw_link(struct lw_nesting *n, struct lw_event *ev)
{
	u64 seq = lw_seq + 1;	/* the number lw_deliver_one() gives it */
	unsigned int i;

	ev->outer_seq = 0;
	if (n->inner_left) {
		/* lw_emit_nest() gave it no inner ones */
		n->inner_left--;
		ev->outer_seq = n->outer_seq;
		return;
	}
	for (i = 0; i < ev->nr_inner; i++)
		ev->inner_seq[i] = seq + 1 + i;
	n->outer_seq = seq;
	n->inner_left = ev->nr_inner;
}

static void lw_flush_fn(struct work_struct *work)
{
	struct lw_nesting nest = { };
	unsigned int cpu;

	mutex_lock(&lw_deliver_mutex);
	for_each_possible_cpu(cpu) {
		struct lw_delivery_cpu *dc = &per_cpu_ptr(lw_cpus(), cpu)->delivery;

		while (lw_pop(dc, &lw_out)) {
			lw_link(&nest, &lw_out);
			lw_deliver_one(dc, &lw_out);
			/*
			 * A storm refills the ring as fast as this drains it.
			 * The mutex, held on, keeps the numbers in a nest.
			 */
			cond_resched();
		}
		WARN_ON_ONCE(nest.inner_left);
		nest.inner_left = 0;
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
	struct lw_delivery_cpu *dc = &c->delivery;
	unsigned long flags;

	raw_spin_lock_irqsave(&dc->lock, flags);
	dc->events++;
	raw_spin_unlock_irqrestore(&dc->lock, flags);
	ev->nr_inner = 0;
	ev->outer_seq = 0;
	mutex_lock(&lw_deliver_mutex);
	if (lw_deliver_one(dc, ev))
		lw_announce_lost();
	mutex_unlock(&lw_deliver_mutex);
}

void lw_delivery_stats(struct lw_cpu *c, struct lw_stats *st)
{
	struct lw_delivery_cpu *dc = &c->delivery;
	unsigned long flags;

	raw_spin_lock_irqsave(&dc->lock, flags);
	st->events = dc->events;
	st->delivered = dc->delivered;
	st->lost = dc->lost;
	st->ratelimited = dc->ratelimited;
	st->unheard = dc->unheard;
	raw_spin_unlock_irqrestore(&dc->lock, flags);
}
