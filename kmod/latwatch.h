/* SPDX-License-Identifier: GPL-2.0 */
/*
 * latwatch: internal interfaces between the pieces of latwatch.ko.
 *
 * sampler.c owns the per-CPU timers and calls the detectors (irqoff.c,
 * softirqoff.c) from them. A detector fills a struct lw_event and hands it
 * to lw_emit() (event.c), which records it in per-CPU storage from atomic
 * context; a work item later turns records into netlink messages (genl.c).
 */
#ifndef _LATWATCH_H
#define _LATWATCH_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <latwatch/latwatch.h>

struct pt_regs;
struct netlink_ext_ack;
struct sk_buff;

/* Events one CPU can hold between two runs of the flush work. */
#define LW_RING_SIZE	16

struct lw_event {
	u32 type;		/* enum latwatch_event_type */
	u32 cpu;
	u64 seq;		/* given when sent */
	u64 ts_ns;		/* CLOCK_REALTIME, end of the window */
	u64 duration_ns;
	u64 resolution_ns;
	u32 pid;
	char comm[LATWATCH_COMM_LEN];
	u32 nr_frames;
	unsigned long frames[LATWATCH_STACK_MAX];
};

struct lw_stats {
	u64 samples;
	u64 events;
	u64 lost;
	u64 stalls;
	u64 softirq_late;
	u64 unheard;
	bool online;
};

struct lw_cpu {
	/* Hard-irq sampler and the softirq-side probe, both pinned here. */
	struct hrtimer sampler;
	struct hrtimer softprobe;
	bool online;

	/* Written by the sampler only. */
	u64 last_sample_ns;
	u64 samples;
	u64 stalls;
	struct lw_event scratch;

	/*
	 * Softirq-off episode: the sampler saw the probe overdue while the
	 * interrupted context held softirqs off and captured the holder;
	 * the probe completes and emits it. Touched on this CPU only, with
	 * interrupts off.
	 */
	u64 soft_due_ns;
	bool hold_valid;
	bool hold_broken;
	struct lw_event hold;
	u64 softirq_late;

	/* Records waiting for the flush work, and their counters. */
	raw_spinlock_t lock;
	unsigned int head;
	unsigned int tail;
	u64 events;
	u64 lost;
	u64 unheard;
	struct lw_event ring[LW_RING_SIZE];
};

/* config.c: live configuration; the module parameters are its storage. */
struct lw_config {
	u32 irqoff_threshold_us;
	u32 softirqoff_threshold_us;
	u32 sample_period_us;
};

void lw_config_get(struct lw_config *cfg);
const char *lw_config_check(const struct lw_config *cfg, int *bad_attr);
void lw_config_set(const struct lw_config *cfg);
u64 lw_period_ns(void);
u64 lw_irqoff_threshold_ns(void);
u64 lw_softirqoff_threshold_ns(void);

/* sampler.c */
int lw_sampler_start(void);
void lw_sampler_stop(void);

/* irqoff.c and softirqoff.c: called from the sampler and the probe. */
void lw_capture(struct lw_event *ev, struct pt_regs *regs);
void lw_irqoff_sample(struct lw_cpu *c, struct pt_regs *regs, u64 now,
		      u64 gap);
void lw_softirqoff_sample(struct lw_cpu *c, struct pt_regs *regs, u64 now,
			  u64 period);
void lw_softirqoff_probe(struct lw_cpu *c, u64 now, u64 delay);
void lw_softirqoff_reset(struct lw_cpu *c);

/* event.c */
struct lw_cpu __percpu *lw_cpus(void);
int lw_events_init(void);
void lw_events_exit(void);
void lw_emit(struct lw_cpu *c, struct lw_event *ev);
void lw_events_flush(void);
void lw_stats_get(unsigned int cpu, struct lw_stats *st);

/* genl.c */
int lw_genl_init(void);
void lw_genl_exit(void);
bool lw_genl_listening(void);
int lw_genl_send_event(const struct lw_event *ev);
int lw_genl_send_lost(u64 count, u64 total);

#endif /* _LATWATCH_H */
