/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * latwatch: the user/kernel interface of latwatch.ko.
 *
 * Generic netlink family LATWATCH_GENL_NAME. Every command needs
 * CAP_NET_ADMIN: events carry kernel stacks. The family has no multicast
 * group (there was an "events" group; it is gone): events go by unicast to
 * the sockets that subscribed, on every kernel.
 *
 * Commands
 *   LATWATCH_CMD_CONFIG_GET  request: no attributes.
 *                            reply: every LATWATCH_A_CFG_* attribute.
 *   LATWATCH_CMD_CONFIG_SET  request: any LATWATCH_A_CFG_* attributes; the
 *                            others keep their value. All or nothing: a
 *                            rejected request changes nothing and says why
 *                            in the extended ack.
 *   LATWATCH_CMD_STATS_GET   dump: one message per possible CPU, each with
 *                            LATWATCH_A_STAT_* attributes.
 *   LATWATCH_CMD_EVENT       unicast to each subscriber: one detected
 *                            window, LATWATCH_A_EV_* attributes.
 *   LATWATCH_CMD_LOST        unicast to each subscriber: events were lost,
 *                            LATWATCH_A_LOST_* attributes.
 *   LATWATCH_CMD_HIST_GET    dump: one message per CPU and event type with
 *                            a histogram, LATWATCH_A_HIST_* attributes.
 *   LATWATCH_CMD_HIST_RESET  request: no attributes; clears every
 *                            histogram.
 *   LATWATCH_CMD_REPLAY_GET  dump: the events still kept for replay
 *                            (LATWATCH_A_CFG_REPLAY_EVENTS of the latest),
 *                            oldest first, as LATWATCH_CMD_EVENT messages;
 *                            with LATWATCH_A_REPLAY_SINCE, only those whose
 *                            sequence number is greater.
 *   LATWATCH_CMD_SUBSCRIBE   request: no attributes. From now on the
 *                            requesting socket gets every EVENT and LOST
 *                            message, with sequence number and port 0 in
 *                            the header, until it sends UNSUBSCRIBE or is
 *                            closed. Subscribing again changes nothing. At
 *                            most 8 sockets at a time: EBUSY (and a message
 *                            in the extended ack) beyond. Events may come
 *                            before the acknowledgement.
 *   LATWATCH_CMD_UNSUBSCRIBE request: no attributes. No more events to this
 *                            socket (also fine if it was not subscribed).
 *
 * Unknown attributes are rejected. New attributes are only ever appended.
 *
 * Accounting, per CPU: every event a detector records counts once in
 * _STAT_EVENTS and ends up in exactly one of
 *   _STAT_DELIVERED  reached one subscriber at least;
 *   _STAT_LOST       reached no subscriber: over the rate limit (also
 *                    counted in _STAT_RATELIMITED; such an event is counted
 *                    but not captured, no stack nor cgroup is taken), the
 *                    ring full, or the send failed for every subscriber
 *                    (its socket overran, no memory);
 *   _STAT_UNHEARD    sent while nobody was subscribed (still kept for
 *                    LATWATCH_CMD_REPLAY_GET);
 * or is still queued for sending (at most a ring's worth per CPU, none once
 * the flush work has run). So, once the events have drained:
 *   EVENTS == DELIVERED + LOST + UNHEARD.
 * A LATWATCH_CMD_LOST record's _LOST_TOTAL is the sum of _STAT_LOST over
 * all CPUs, and its _LOST_COUNT what that sum grew by since the previous
 * record. A subscriber whose receive buffer was full when an event reached
 * another one misses it without a LOST record: its next recv() fails with
 * ENOBUFS instead. Rate limiting (LATWATCH_A_CFG_MAX_EVENTS_PER_SEC) is a token
 * bucket per CPU: up to max_events_per_sec events at once, refilled at
 * max_events_per_sec per second.
 */
#ifndef _UAPI_LATWATCH_LATWATCH_H
#define _UAPI_LATWATCH_LATWATCH_H

#define LATWATCH_GENL_NAME		"latwatch"
#define LATWATCH_GENL_VERSION		1

/* Most frames an event's stack carries. */
#define LATWATCH_STACK_MAX		32
/* Bytes of a task's comm, with its NUL (TASK_COMM_LEN). */
#define LATWATCH_COMM_LEN		16
/*
 * Histograms: bucket i counts durations d with 2^i <= d / 1 us < 2^(i+1);
 * durations under 1 us are not counted.
 */
#define LATWATCH_HIST_BUCKETS		32

enum latwatch_cmd {
	LATWATCH_CMD_UNSPEC,
	LATWATCH_CMD_CONFIG_GET,
	LATWATCH_CMD_CONFIG_SET,
	LATWATCH_CMD_STATS_GET,
	LATWATCH_CMD_EVENT,
	LATWATCH_CMD_LOST,
	LATWATCH_CMD_HIST_GET,
	LATWATCH_CMD_HIST_RESET,
	LATWATCH_CMD_REPLAY_GET,
	LATWATCH_CMD_SUBSCRIBE,
	LATWATCH_CMD_UNSUBSCRIBE,

	__LATWATCH_CMD_MAX,
};

#define LATWATCH_CMD_MAX (__LATWATCH_CMD_MAX - 1)

enum latwatch_event_type {
	LATWATCH_EV_UNSPEC,
	/* Hard interrupts were disabled (the sampling hrtimer was held off). */
	LATWATCH_EV_IRQOFF,
	/* Softirqs were held off (bottom halves disabled, or one softirq ran
	 * long while softirq_enabled is 0: else that run is a softirq event)
	 * while softirq work was due.
	 */
	LATWATCH_EV_SOFTIRQOFF,
	/* One softirq handler run was slow: LATWATCH_A_EV_VECTOR, _NAME. */
	LATWATCH_EV_SOFTIRQ,
	/* One timer callback was slow: LATWATCH_A_EV_FUNCTION, _KIND. */
	LATWATCH_EV_TIMER,
	/* One hard-irq handler was slow: LATWATCH_A_EV_IRQ, _NAME. */
	LATWATCH_EV_HARDIRQ,
	/* A task has been in uninterruptible sleep, unscheduled, for longer
	 * than the threshold; the duration is how long so far.
	 */
	LATWATCH_EV_HUNG,
	/* ... and has run again; the duration is the whole time blocked. */
	LATWATCH_EV_HUNG_END,

	__LATWATCH_EV_MAX,
};

#define LATWATCH_EV_MAX (__LATWATCH_EV_MAX - 1)

enum latwatch_timer_kind {
	LATWATCH_TIMER_UNSPEC,
	LATWATCH_TIMER_LIST,		/* struct timer_list */
	LATWATCH_TIMER_HRTIMER,		/* struct hrtimer */
	LATWATCH_TIMER_TASKLET,		/* a tasklet (kernels with the
					 * irq:tasklet_entry tracepoint, 6.0+)
					 */
};

/* What held interrupts off instead of the interrupted code. */
enum latwatch_interference_type {
	LATWATCH_INTERF_UNSPEC,
	LATWATCH_INTERF_HARDIRQ,	/* an irq handler: _IRQ, _NAME */
	LATWATCH_INTERF_HRTIMER,	/* a hard hrtimer callback: _FUNCTION */
};

enum latwatch_attr {
	LATWATCH_A_UNSPEC,
	LATWATCH_A_PAD,

	/* Configuration, all u32. Names match the module parameters. */
	LATWATCH_A_CFG_IRQOFF_THRESHOLD_US,
	LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US,
	LATWATCH_A_CFG_SAMPLE_PERIOD_US,

	/* Statistics of one CPU (LATWATCH_CMD_STATS_GET). */
	LATWATCH_A_STAT_CPU,		/* u32 */
	LATWATCH_A_STAT_ONLINE,		/* u8: CPU sampled now */
	LATWATCH_A_STAT_SAMPLES,	/* u64: sampler runs */
	LATWATCH_A_STAT_EVENTS,		/* u64: events recorded */
	LATWATCH_A_STAT_LOST,		/* u64: events recorded but never sent,
					 * or sent and not delivered
					 */
	LATWATCH_A_STAT_STALLS,		/* u64: sampler gaps over the irqoff
					 * threshold that ended in the idle
					 * loop or user space, where irqs are
					 * on, or that the hypervisor's steal
					 * time covers by half: the (v)CPU
					 * itself did not run (hypervisor,
					 * SMI); not reported
					 */
	LATWATCH_A_STAT_SOFTIRQ_LATE,	/* u64: softirq side late past the
					 * threshold with nobody seen holding
					 * softirqs off, or held off by a
					 * softirq run that is a softirq
					 * event; not reported
					 */
	LATWATCH_A_STAT_UNHEARD,	/* u64: events sent while nobody was
					 * subscribed
					 */

	/* Event (LATWATCH_CMD_EVENT). */
	LATWATCH_A_EV_TYPE,		/* u32: enum latwatch_event_type */
	LATWATCH_A_EV_SEQ,		/* u64: 1, 2, ... in the order events
					 * are sent, across all CPUs; a gap
					 * means events lost in sending, or
					 * sent while this listener was not
					 * subscribed (see REPLAY_GET)
					 */
	LATWATCH_A_EV_CPU,		/* u32 */
	LATWATCH_A_EV_TS_NS,		/* u64: CLOCK_REALTIME at the end of
					 * the window (when it was caught)
					 */
	LATWATCH_A_EV_DURATION_NS,	/* u64: length of the window */
	LATWATCH_A_EV_RESOLUTION_NS,	/* u64: the duration is exact to this */
	LATWATCH_A_EV_PID,		/* u32: task running at the culprit
					 * frame (0: the idle task)
					 */
	LATWATCH_A_EV_COMM,		/* string */
	LATWATCH_A_EV_STACK,		/* nest of LATWATCH_A_EV_FRAME */
	LATWATCH_A_EV_FRAME,		/* string: "func+0x1a/0x40 [mod]",
					 * culprit first
					 */

	/* Lost events (LATWATCH_CMD_LOST). */
	LATWATCH_A_LOST_COUNT,		/* u64: lost since the last record */
	LATWATCH_A_LOST_TOTAL,		/* u64: lost since the module loaded */

	/* More configuration, u32; thresholds in the unit their name says,
	 * *_ENABLED 0 or 1 (each detector can be switched off).
	 */
	LATWATCH_A_CFG_SOFTIRQ_THRESHOLD_US,
	LATWATCH_A_CFG_TIMER_THRESHOLD_US,
	LATWATCH_A_CFG_HARDIRQ_THRESHOLD_US,
	LATWATCH_A_CFG_HUNG_THRESHOLD_MS,
	LATWATCH_A_CFG_HUNG_SCAN_INTERVAL_MS,
	LATWATCH_A_CFG_IRQOFF_ENABLED,
	LATWATCH_A_CFG_SOFTIRQOFF_ENABLED,
	LATWATCH_A_CFG_SOFTIRQ_ENABLED,
	LATWATCH_A_CFG_TIMER_ENABLED,
	LATWATCH_A_CFG_HARDIRQ_ENABLED,
	LATWATCH_A_CFG_HUNG_ENABLED,

	/* More event attributes. */
	LATWATCH_A_EV_CGROUP,		/* string: cgroup (v2) path of the task */
	LATWATCH_A_EV_VECTOR,		/* u32: softirq vector number */
	LATWATCH_A_EV_NAME,		/* string: softirq vector name ("NET_RX")
					 * or irq handler name
					 */
	LATWATCH_A_EV_FUNCTION,		/* string: the timer callback, "func" or
					 * "func [module]"
					 */
	LATWATCH_A_EV_KIND,		/* u32: enum latwatch_timer_kind */
	LATWATCH_A_EV_IRQ,		/* u32: irq number */

	/* Histogram (LATWATCH_CMD_HIST_GET). */
	LATWATCH_A_HIST_CPU,		/* u32 */
	LATWATCH_A_HIST_TYPE,		/* u32: enum latwatch_event_type */
	LATWATCH_A_HIST_BUCKETS,	/* nest of LATWATCH_A_HIST_BUCKET u64,
					 * bucket 0 first, up to the last one
					 * that is not zero
					 */
	LATWATCH_A_HIST_BUCKET,

	/* Rate limit, u32: events per second per CPU, 0 for no limit. */
	LATWATCH_A_CFG_MAX_EVENTS_PER_SEC,

	/* More statistics of one CPU, u64 (see "Accounting" above). */
	LATWATCH_A_STAT_DELIVERED,	/* events that reached one subscriber
					 * at least
					 */
	LATWATCH_A_STAT_RATELIMITED,	/* events over max_events_per_sec, not
					 * queued; also counted in _LOST
					 */

	/* Replay: u32, how many of the latest events the module keeps for
	 * LATWATCH_CMD_REPLAY_GET (0: none).
	 */
	LATWATCH_A_CFG_REPLAY_EVENTS,
	LATWATCH_A_INSTANCE,		/* u64: chosen at random when the module
					 * loads; in CONFIG_GET replies and in
					 * every event. Sequence numbers count
					 * from 1 again in a new instance.
					 */
	LATWATCH_A_REPLAY_SINCE,	/* u64, REPLAY_GET request: only events
					 * with a greater sequence number
					 */

	/* Idle pause: u32 0 or 1. The per-CPU timers stop while their CPU
	 * idles and start again when it runs a task. While stopped, an
	 * irq-off window in an interrupt handler on that otherwise idle CPU
	 * is not seen; the hardirq, softirq and timer detectors still time
	 * the handlers.
	 */
	LATWATCH_A_CFG_IDLE_PAUSE,
	LATWATCH_A_STAT_IDLE_PAUSES,	/* u64: times the timers paused */
	LATWATCH_A_STAT_IDLE_NS,	/* u64: time spent paused */
	LATWATCH_A_EV_CGROUP_TRUNCATED,	/* flag: LATWATCH_A_EV_CGROUP is the
					 * path's end after "...": the whole
					 * path was too long to send
					 */

	/*
	 * Nesting. An event that happened inside another one on the same
	 * CPU (a timer, hrtimer or tasklet callback inside its softirq run;
	 * an irq handler or hard hrtimer callback inside an irq-off window)
	 * names the outer event's sequence number, and the outer event
	 * lists its inner ones. The module sends the outer event first and
	 * its inner ones right after it, with the next sequence numbers.
	 */
	LATWATCH_A_EV_OUTER_SEQ,	/* u64 */
	LATWATCH_A_EV_INNER_SEQS,	/* nest of LATWATCH_A_EV_INNER_SEQ */
	LATWATCH_A_EV_INNER_SEQ,	/* u64 */
	/*
	 * Interference (irq-off events): the sampler was late because an
	 * irq handler or a hard hrtimer callback ran that long, not because
	 * the interrupted code held interrupts off.
	 */
	LATWATCH_A_EV_INTERF,		/* nest of LATWATCH_A_INTERF_* */
	LATWATCH_A_INTERF_TYPE,		/* u32: enum latwatch_interference_type */
	LATWATCH_A_INTERF_DURATION_NS,	/* u64: how long it ran */
	LATWATCH_A_INTERF_IRQ,		/* u32: irq number */
	LATWATCH_A_INTERF_NAME,		/* string: the irq handler's name */
	LATWATCH_A_INTERF_FUNCTION,	/* string: the callback, as
					 * LATWATCH_A_EV_FUNCTION
					 */

	__LATWATCH_A_MAX,
};

#define LATWATCH_A_MAX (__LATWATCH_A_MAX - 1)

#endif /* _UAPI_LATWATCH_LATWATCH_H */
