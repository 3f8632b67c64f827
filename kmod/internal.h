/* SPDX-License-Identifier: GPL-2.0 */
/*
 * latwatch: internal interfaces between the pieces of latwatch.ko.
 *
 * Calls go one way only, down these two stacks:
 *
 *   data path                          control plane
 *
 *   sampler.c     per-CPU timers       genl.c     the family's ops
 *       |                                |
 *       v                                v
 *   irqoff.c      detectors; the       control.c  switches detectors,
 *   softirqoff.c  others run from        |        applies configurations
 *   softirq.c     their own probes       v
 *   timer.c       (tp.c) or work       config.c; each detector's
 *   hardirq.c     (hung.c)             enable/disable; sampler.c;
 *   hung.c                             replay.c
 *       |
 *       v
 *   delivery.c    rate limit, per-CPU rings, flush work, numbering
 *       |
 *       v
 *   send.c        netlink messages to the subscribers
 *
 * Up to lw_emit(), which puts an event on its CPU's ring, the data path
 * runs in atomic context (hard irq, softirq, a tracepoint probe): it never
 * sleeps, never allocates with GFP_KERNEL and takes no sleeping lock.
 * delivery.c's work, hung.c's scan and send.c run in process context.
 * Nothing on the data path calls into genl.c or control.c: it reads the
 * configuration in force (config.c), and send.c takes only the family
 * object from genl.c, for its message headers. Besides its ops, genl.c
 * reads statistics and histograms, dumps the replay ring and has send.c
 * add and remove subscribers.
 *
 * Leaves that any file may use: config.c (the values in force), capture.c
 * (filling an event), hist.c (histograms), replay.c (the latest events),
 * tp.c (registering tracepoint probes). main.c starts and stops
 * everything, in order.
 *
 * Below, each file has a section: its part of the per-CPU state, if it
 * has one, and its functions. struct lw_cpu, which puts the parts
 * together, comes last.
 */
#ifndef _LATWATCH_INTERNAL_H
#define _LATWATCH_INTERNAL_H

#include <linux/hrtimer.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <latwatch/latwatch.h>

struct genl_family;
struct lw_cpu;
struct netlink_ext_ack;
struct pt_regs;
struct sk_buff;
struct sock;

/* Bytes of a handler name kept in an event. */
#define LW_NAME_LEN	32

/* Which scratch event a context builds its events in. */
#define LW_CTX_SOFT	0
#define LW_CTX_HARD	1

struct cgroup;

/*
 * Inner events an outer one carries: a callback inside its softirq run, an
 * irq handler or hard hrtimer callback inside an irq-off window. More than
 * that go out on their own.
 */
#define LW_NEST_MAX	2

/* What held interrupts off instead of the interrupted code. */
struct lw_interf {
	u32 type;		/* enum latwatch_interference_type; 0: none */
	u32 irq;
	void *function;
	char name[LW_NAME_LEN];
	u64 duration_ns;
};

struct lw_event {
	u32 type;		/* enum latwatch_event_type */
	u32 cpu;
	u64 seq;		/* given when sent */
	u64 ts_ns;		/* CLOCK_REALTIME, end of the window */
	u64 duration_ns;
	u64 resolution_ns;
	u32 pid;
	char comm[LATWATCH_COMM_LEN];
	struct cgroup *cgrp;	/* a reference, or NULL */
	/* Per type: softirq vector, or irq number; and a callback. */
	u32 vector;
	u32 irq;
	u32 kind;		/* enum latwatch_timer_kind */
	void *function;
	char name[LW_NAME_LEN];
	struct lw_interf interf;	/* irq-off events */
	/*
	 * Nesting: an outer event is followed on its ring by its @nr_inner
	 * inner events (lw_emit_nest()); delivery.c fills in the numbers.
	 */
	u32 nr_inner;
	u64 outer_seq;
	u64 inner_seq[LW_NEST_MAX];
	u32 nr_frames;
	unsigned long frames[LATWATCH_STACK_MAX];
};

/*
 * One CPU's counters, for LATWATCH_CMD_STATS_GET: each part that keeps
 * some fills them in (lw_sampler_stats(), lw_delivery_stats(), ...).
 */
struct lw_stats {
	u64 samples;
	u64 events;
	u64 delivered;
	u64 lost;
	u64 ratelimited;
	u64 stalls;
	u64 softirq_late;
	u64 unheard;
	u64 idle_pauses;
	u64 idle_ns;
	bool online;
};

/* config.c: live configuration; the module parameters are its storage. */
enum lw_key {
	LW_IRQOFF_THRESHOLD_US,
	LW_SOFTIRQOFF_THRESHOLD_US,
	LW_SAMPLE_PERIOD_US,
	LW_SOFTIRQ_THRESHOLD_US,
	LW_TIMER_THRESHOLD_US,
	LW_HARDIRQ_THRESHOLD_US,
	LW_HUNG_THRESHOLD_MS,
	LW_HUNG_SCAN_INTERVAL_MS,
	LW_IRQOFF_ENABLED,
	LW_SOFTIRQOFF_ENABLED,
	LW_SOFTIRQ_ENABLED,
	LW_TIMER_ENABLED,
	LW_HARDIRQ_ENABLED,
	LW_HUNG_ENABLED,
	LW_MAX_EVENTS_PER_SEC,
	LW_REPLAY_EVENTS,
	LW_IDLE_PAUSE,
	LW_NR_KEYS,
};

struct lw_config {
	u32 val[LW_NR_KEYS];
};

int lw_config_attr(enum lw_key key);
void lw_config_get(struct lw_config *cfg);
/* Why softirqoff_enabled=1 is refused where lw_softirqoff_windows() is false. */
#define LW_NO_SOFTIRQOFF_MSG \
	"this kernel has no softirq-off windows (PREEMPT_RT without PREEMPT_RT_NEEDS_BH_LOCK)"
const char *lw_config_check(const struct lw_config *cfg, enum lw_key *bad_key);

/*
 * What the sampler and its probe read on every run, as one immutable
 * snapshot published (RCU) whenever the configuration changes: a run never
 * mixes a new period with an old threshold. Readers hold rcu_read_lock()
 * and pass the snapshot down.
 */
struct lw_sampling {
	u64 period_ns;
	u64 irqoff_ns;
	u64 softirqoff_ns;
	bool irqoff_on;
	bool softirqoff_on;
	bool idle_pause;
	struct rcu_head rcu;
};

extern struct lw_sampling __rcu *lw_sampling_ptr;

static inline const struct lw_sampling *lw_sampling(void)
{
	return rcu_dereference(lw_sampling_ptr);
}

struct lw_sampling *lw_sampling_alloc(const struct lw_config *cfg);
void lw_config_set(const struct lw_config *cfg, struct lw_sampling *s);
void lw_config_exit(void);
u32 lw_cfg(enum lw_key key);

/* The tracepoint detectors' thresholds in ns, kept by lw_config_set(). */
struct lw_thresholds {
	u64 softirq_ns;
	u64 timer_ns;
	u64 hardirq_ns;
};

extern struct lw_thresholds lw_thr;

/* ns between two events at max_events_per_sec; 0: no limit. */
extern u64 lw_event_interval_ns;

/*
 * control.c: the detectors that hook tracepoints are switched on and off
 * by registering their probes; the sampler's two only read their flag.
 * lw_config_change() runs under lw_config_lock().
 */
void lw_config_lock(void);
void lw_config_unlock(void);
int lw_detectors_start(const struct lw_config *cfg, const char **msg);
void lw_detectors_stop(void);
int lw_config_change(const struct lw_config *cfg, const char **msg);

/* sampler.c: the per-CPU timers that call irqoff.c and softirqoff.c. */

/*
 * sampler.c's part of struct lw_cpu: the hard-irq sampler and the
 * softirq-side probe, both pinned to this CPU, and their bookkeeping.
 */
struct lw_sampler_cpu {
	struct hrtimer sample;	/* the sampler, lw_sample(): hard irq */
	struct hrtimer probe;	/* the probe, lw_probe(): softirq */
	bool online;
	/*
	 * Both timers stopped while this CPU idles: set by the sampler, and
	 * cleared by the sched_switch probe, CPU hotplug or an IPI, all on
	 * this CPU with interrupts off.
	 */
	bool paused;
	/* Written by the sampler only. */
	u64 last_sample_ns;
	u64 last_steal_ns;	/* this CPU's steal time then */
	u64 samples;
	/* When the probe is due; written with interrupts off. */
	u64 probe_due_ns;
	/*
	 * Idle pauses: how many, time in finished ones, when this one began.
	 * Under @pause_lock, so that a reader on another CPU sees a pause
	 * either running or finished and added up.
	 */
	raw_spinlock_t pause_lock;
	u64 idle_pauses;
	u64 idle_ns;
	u64 pause_start_ns;
};

int lw_sampler_start(void);
void lw_sampler_stop(void);
void lw_sampler_resume_all(void);
void lw_sampler_stats(struct lw_cpu *c, struct lw_stats *st);

/* irqoff.c: hard-irq-off windows, from the sampler. */

/*
 * irqoff.c's part of struct lw_cpu. Besides the sampler, the irq handler
 * and hard hrtimer probes write it, on this CPU in hard-irq context: since
 * the last sample, the longest of them, and their events, held for the
 * window they may be inside. The sampler settles both on every run.
 */
struct lw_irqoff_cpu {
	u64 stalls;		/* gaps that were the CPU not running */
	struct lw_interf worst;
	unsigned int nr_held;
	struct lw_event held[LW_NEST_MAX];
	/*
	 * A window with nothing nested waits one sample before it is sent
	 * (@pending): the hypervisor's steal time for it is accounted by the
	 * tick, which may run after the sampler. @stolen is the steal time
	 * accounted by the sample that found it.
	 */
	bool pending;
	u64 stolen;
	struct lw_event pend;
};

void lw_irqoff_sample(struct lw_cpu *c, const struct lw_sampling *s,
		      struct pt_regs *regs, u64 gap, u64 stolen);
void lw_irqoff_settle(struct lw_cpu *c, u64 stolen);
bool lw_irqoff_pending(const struct lw_cpu *c);
void lw_irqoff_interfere(struct lw_cpu *c, u32 type, u32 irq,
			 const char *name, void *fn, u64 d);
bool lw_irqoff_adopt(struct lw_cpu *c, struct lw_event *ev);
void lw_irqoff_stats(const struct lw_cpu *c, struct lw_stats *st);

/* softirqoff.c: softirq-off windows, from the sampler and its probe. */

/*
 * softirqoff.c's part of struct lw_cpu: the episode under way. The sampler
 * saw the probe overdue while the interrupted context held softirqs off
 * and captured the holder; the probe completes and emits it. Touched on
 * this CPU only, with interrupts off.
 */
struct lw_softirqoff_cpu {
	bool hold_valid;	/* @hold is captured */
	bool hold_broken;	/* a sample found softirqs not held */
	bool hold_serving;	/* the holder was running softirqs */
	struct lw_event hold;
	u64 late;		/* late probes with no holder to blame,
				 * or one the softirq detector reports
				 */
};

void lw_softirqoff_sample(struct lw_cpu *c, const struct lw_sampling *s,
			  struct pt_regs *regs, u64 now, u64 due);
void lw_softirqoff_probe(struct lw_cpu *c, const struct lw_sampling *s,
			 u64 delay);
bool lw_softirqoff_pending(const struct lw_cpu *c);
void lw_softirqoff_reset(struct lw_cpu *c);
void lw_softirqoff_stats(const struct lw_cpu *c, struct lw_stats *st);

/* softirq.c: slow softirq handlers, timed by tracepoint probes. */

/* Softirq runs one CPU may have in progress at once (PREEMPT_RT). */
#define LW_SOFTIRQ_RUNS	4

/*
 * A softirq run in progress: who runs it, since when (mono fast ns), and
 * the events of the callbacks it ran, held until it ends.
 */
struct lw_softirq_run {
	struct task_struct *task;
	u64 start;
	unsigned int nr_held;
	struct lw_event held[LW_NEST_MAX];
};

/* softirq.c's part of struct lw_cpu. */
struct lw_softirq_cpu {
	struct lw_softirq_run runs[LW_SOFTIRQ_RUNS];
};

int lw_softirq_enable(void);
void lw_softirq_disable(void);
bool lw_softirq_adopt(struct lw_cpu *c, struct lw_event *ev);
bool lw_softirq_timed(void);

/* timer.c: slow timer callbacks, timed by tracepoint probes. */

/*
 * timer.c's part of struct lw_cpu: the callbacks running now, and since
 * when (mono fast ns). A timer_list callback or a tasklet runs in softirq
 * context; an hrtimer's in softirq or hard-irq context, and a hard one may
 * interrupt a soft one, so each context has its own.
 */
struct lw_timer_cpu {
	u64 list_start;
	void *list_fn;
	u64 tasklet_start;
	void *tasklet_fn;
	u64 hr_start[2];	/* per context: LW_CTX_SOFT, LW_CTX_HARD */
	void *hr_fn[2];
};

int lw_timer_enable(void);
void lw_timer_disable(void);

/* hardirq.c: slow hard-irq handlers, timed by tracepoint probes. */

/*
 * hardirq.c's part of struct lw_cpu: when the running handler began, per
 * context (a threaded one's is LW_CTX_SOFT).
 */
struct lw_hardirq_cpu {
	u64 start[2];		/* mono fast ns; 0: none running */
};

int lw_hardirq_enable(void);
void lw_hardirq_disable(void);

/* hung.c: a periodic scan of all threads. */
int lw_hung_enable(void);
void lw_hung_disable(void);

/*
 * tp.c: probes on kernel tracepoints, found by name (the tracepoints
 * themselves are not exported to modules).
 */
struct lw_tp {
	const char *name;
	void *probe;
};

/*
 * A probe @fn of tracepoint @tp, for a table of struct lw_tp. The compiler
 * checks @fn against the kernel's own prototype of @tp: the tracepoint's
 * header (<trace/events/...>) declares check_trace_callback_type_<tp>(),
 * which takes only a probe of the right type. Inside sizeof() the call is
 * a check and nothing else.
 */
#define LW_TP(tp, fn) \
	{ #tp + 0 * sizeof((check_trace_callback_type_##tp((typeof(fn) *)NULL), 0)), \
	  (fn) }

int lw_tp_register(const struct lw_tp *tps, unsigned int n);
void lw_tp_unregister(const struct lw_tp *tps, unsigned int n);
void lw_tp_sync(void);

/* hist.c: log2 histograms of every measured duration. */

/* hist.c's part of struct lw_cpu; lw_hist_add() counts in it. */
struct lw_hist_cpu {
	u64 count[__LATWATCH_EV_MAX][LATWATCH_HIST_BUCKETS];
};

void lw_hist_reset(void);
void lw_hist_get(unsigned int cpu, u32 type, u64 *buckets);

/* capture.c: what an event says about where it happened. */

/*
 * capture.c's part of struct lw_cpu: the events being built, one for each
 * context (LW_CTX_SOFT, LW_CTX_HARD), shared by the detectors that build
 * their events in it. lw_scratch() hands them out.
 */
struct lw_capture_cpu {
	struct lw_event scratch[2];
};

void lw_capture(struct lw_event *ev, struct pt_regs *regs);
void lw_capture_here(struct lw_event *ev, u32 type, u64 duration_ns);
void lw_event_put(struct lw_event *ev);

/* delivery.c: the rate limit, the per-CPU rings and the flush work. */

/* Events one CPU can hold between two runs of the flush work. */
#define LW_RING_SIZE	16

/*
 * delivery.c's part of struct lw_cpu: records waiting for the flush work,
 * and their counters: each of @events ends up in one of @delivered, @lost
 * (which includes @ratelimited) and @unheard, or is still queued. Written
 * under @lock, from any context.
 */
struct lw_delivery_cpu {
	raw_spinlock_t lock;
	unsigned int head;
	unsigned int tail;
	u64 events;
	u64 delivered;
	u64 lost;
	u64 ratelimited;
	u64 unheard;
	/* Rate limit: when the bucket is full again (mono fast ns). */
	u64 rl_full_ns;
	struct lw_event ring[LW_RING_SIZE];
};

void lw_delivery_init(void);
void lw_delivery_exit(void);
bool lw_event_admit(struct lw_cpu *c);
void lw_emit(struct lw_cpu *c, struct lw_event *ev);
void lw_emit_nest(struct lw_cpu *c, struct lw_event *outer,
		  struct lw_event *inner, unsigned int nr_inner);
void lw_event_lost(struct lw_cpu *c);
void lw_deliver(struct lw_cpu *c, struct lw_event *ev);
void lw_delivery_flush(void);
void lw_delivery_stats(struct lw_cpu *c, struct lw_stats *st);

/* replay.c: the latest events, kept for LATWATCH_CMD_REPLAY_GET. */
extern u64 lw_instance;
int lw_replay_init(void);
void lw_replay_exit(void);
int lw_replay_resize(unsigned int cap);
bool lw_replay_enabled(void);
void lw_replay_add(u64 seq, const void *data, u32 len);
int lw_replay_walk(u64 *after,
		   int (*put)(void *arg, const void *data, u32 len),
		   void *arg);

/* send.c: event messages, and the subscribers they go to. */
int lw_send_init(void);
void lw_send_exit(void);
int lw_send_event(const struct lw_event *ev);
int lw_send_lost(u64 count, u64 total);
int lw_subscribe(struct sock *sk, u32 portid, struct netlink_ext_ack *extack);
void lw_unsubscribe(struct sock *sk);

/* genl.c: the family and its ops; send.c heads its messages with it. */
extern struct genl_family lw_family;
int lw_genl_init(void);
void lw_genl_exit(void);

/*
 * main.c: module init and exit, and the per-CPU state of every part.
 *
 * struct lw_cpu is made of one part per file, each defined in that file's
 * section above. A file touches its own part only, and another's through
 * the owner's functions and the helpers below; it hands the whole struct
 * on to the next layer down, which takes out its own part. main.c
 * allocates it before anything starts and frees it after everything has
 * stopped.
 */
struct lw_cpu {
	struct lw_sampler_cpu sampler;		/* sampler.c */
	struct lw_irqoff_cpu irqoff;		/* irqoff.c */
	struct lw_softirqoff_cpu softirqoff;	/* softirqoff.c */
	struct lw_softirq_cpu softirq;		/* softirq.c */
	struct lw_timer_cpu timer;		/* timer.c */
	struct lw_hardirq_cpu hardirq;		/* hardirq.c */
	struct lw_capture_cpu capture;		/* capture.c */
	struct lw_hist_cpu hist;		/* hist.c */
	struct lw_delivery_cpu delivery;	/* delivery.c */
};

extern struct lw_cpu __percpu *lw_pcpu;

static inline struct lw_cpu __percpu *lw_cpus(void)
{
	return lw_pcpu;
}

/* sampler.c's: is @t one of the timers on @c's CPU? */
static inline bool lw_sampler_owns(const struct lw_cpu *c,
				   const struct hrtimer *t)
{
	return t == &c->sampler.sample || t == &c->sampler.probe;
}

/* capture.c's: the event to build on @c's CPU in context @ctx. */
static inline struct lw_event *lw_scratch(struct lw_cpu *c, int ctx)
{
	return &c->capture.scratch[ctx];
}

/*
 * The context a probe runs in, for lw_scratch() and per-context state: a
 * hard-irq one may interrupt any other. Needs compat.h's lw_in_hardirq().
 */
#define lw_ctx_here()	(lw_in_hardirq() ? LW_CTX_HARD : LW_CTX_SOFT)

/*
 * hist.c's: count one duration in this CPU's histogram of @type; any
 * context: this_cpu_inc() is safe against interrupts.
 */
static inline void lw_hist_add(u32 type, u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);
	unsigned int b;

	if (!us)
		return;
	b = min_t(unsigned int, ilog2(us), LATWATCH_HIST_BUCKETS - 1);
	this_cpu_inc(lw_cpus()->hist.count[type][b]);
}

#endif /* _LATWATCH_INTERNAL_H */
