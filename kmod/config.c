// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: configuration. The module parameters hold the live values, so
 * /sys/module/latwatch/parameters always shows what is in force; netlink
 * changes them at run time (genl.c), the detectors read them on every run.
 * One table describes every key: its parameter, attribute and range.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <linux/time64.h>

#include "compat.h"
#include "internal.h"

static unsigned int irqoff_threshold_us = 10000;
module_param(irqoff_threshold_us, uint, 0444);
MODULE_PARM_DESC(irqoff_threshold_us,
		 "Report hard-irq-off windows longer than this, in us (default 10000)");

static unsigned int softirqoff_threshold_us = 10000;
module_param(softirqoff_threshold_us, uint, 0444);
MODULE_PARM_DESC(softirqoff_threshold_us,
		 "Report softirq-off windows longer than this, in us (default 10000)");

static unsigned int sample_period_us = 1000;
module_param(sample_period_us, uint, 0444);
MODULE_PARM_DESC(sample_period_us,
		 "Sampling period of the per-CPU timers, in us; at most half of each off-threshold (default 1000)");

static unsigned int softirq_threshold_us = 10000;
module_param(softirq_threshold_us, uint, 0444);
MODULE_PARM_DESC(softirq_threshold_us,
		 "Report softirq handler runs longer than this, in us (default 10000)");

static unsigned int timer_threshold_us = 10000;
module_param(timer_threshold_us, uint, 0444);
MODULE_PARM_DESC(timer_threshold_us,
		 "Report timer and hrtimer callbacks longer than this, in us (default 10000)");

static unsigned int hardirq_threshold_us = 5000;
module_param(hardirq_threshold_us, uint, 0444);
MODULE_PARM_DESC(hardirq_threshold_us,
		 "Report hard-irq handlers longer than this, in us (default 5000)");

static unsigned int hung_threshold_ms = 10000;
module_param(hung_threshold_ms, uint, 0444);
MODULE_PARM_DESC(hung_threshold_ms,
		 "Report tasks blocked in uninterruptible sleep longer than this, in ms (default 10000)");

static unsigned int hung_scan_interval_ms = 1000;
module_param(hung_scan_interval_ms, uint, 0444);
MODULE_PARM_DESC(hung_scan_interval_ms,
		 "How often to look for hung tasks, in ms; at most hung_threshold_ms (default 1000)");

static unsigned int irqoff_enabled = 1;
module_param(irqoff_enabled, uint, 0444);
MODULE_PARM_DESC(irqoff_enabled, "Detect hard-irq-off windows (0 or 1, default 1)");

static unsigned int softirqoff_enabled = 1;
module_param(softirqoff_enabled, uint, 0444);
MODULE_PARM_DESC(softirqoff_enabled, "Detect softirq-off windows (0 or 1, default 1)");

static unsigned int softirq_enabled = 1;
module_param(softirq_enabled, uint, 0444);
MODULE_PARM_DESC(softirq_enabled, "Time softirq handlers (0 or 1, default 1)");

static unsigned int timer_enabled = 1;
module_param(timer_enabled, uint, 0444);
MODULE_PARM_DESC(timer_enabled, "Time timer and hrtimer callbacks (0 or 1, default 1)");

static unsigned int hardirq_enabled = 1;
module_param(hardirq_enabled, uint, 0444);
MODULE_PARM_DESC(hardirq_enabled, "Time hard-irq handlers (0 or 1, default 1)");

static unsigned int hung_enabled = 1;
module_param(hung_enabled, uint, 0444);
MODULE_PARM_DESC(hung_enabled, "Look for hung tasks (0 or 1, default 1)");

/*
 * At the default thresholds a CPU has at most a few hundred windows a
 * second; a threshold set too low makes thousands. The limit bounds what
 * such a storm costs the listeners, and the storm still shows in the
 * counters.
 */
static unsigned int max_events_per_sec = 1000;
module_param(max_events_per_sec, uint, 0444);
MODULE_PARM_DESC(max_events_per_sec,
		 "Send at most this many events per second per CPU, in bursts of as many; the rest are counted as lost and ratelimited (0: no limit, default 1000)");

/*
 * An event as kept for replay takes its netlink attributes, 0.3 to 2 KiB
 * with the stack: the default costs at most half a MiB.
 */
static unsigned int replay_events = 256;
module_param(replay_events, uint, 0444);
MODULE_PARM_DESC(replay_events,
		 "Keep this many of the latest events for listeners that start late to fetch (0 to 16384, default 256)");

static unsigned int idle_pause = 1;
module_param(idle_pause, uint, 0444);
MODULE_PARM_DESC(idle_pause,
		 "Stop the sampling timers while their CPU idles (0 or 1, default 1)");

struct lw_key_desc {
	unsigned int *val;
	int attr;
	u32 min;
	u32 max;
	const char *range_msg;
};

#define LW_KEY(_key, _var, _attr, _min, _max)				\
	[_key] = {							\
		.val = &(_var),						\
		.attr = (_attr),					\
		.min = (_min),						\
		.max = (_max),						\
		.range_msg = #_var " must be between "			\
			     __stringify(_min) " and " __stringify(_max), \
	}

#define LW_PERIOD_MIN_US	100
#define LW_PERIOD_MAX_US	1000000
#define LW_OFF_MIN_US		200
#define LW_THRESHOLD_MIN_US	1
#define LW_THRESHOLD_MAX_US	60000000
#define LW_HUNG_MIN_MS		1000
#define LW_HUNG_MAX_MS		86400000
#define LW_SCAN_MIN_MS		100
#define LW_SCAN_MAX_MS		3600000
#define LW_RATE_MAX		1000000
#define LW_REPLAY_MAX		16384

static const struct lw_key_desc lw_keys[LW_NR_KEYS] = {
	LW_KEY(LW_IRQOFF_THRESHOLD_US, irqoff_threshold_us,
	       LATWATCH_A_CFG_IRQOFF_THRESHOLD_US,
	       LW_OFF_MIN_US, LW_THRESHOLD_MAX_US),
	LW_KEY(LW_SOFTIRQOFF_THRESHOLD_US, softirqoff_threshold_us,
	       LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US,
	       LW_OFF_MIN_US, LW_THRESHOLD_MAX_US),
	LW_KEY(LW_SAMPLE_PERIOD_US, sample_period_us,
	       LATWATCH_A_CFG_SAMPLE_PERIOD_US,
	       LW_PERIOD_MIN_US, LW_PERIOD_MAX_US),
	LW_KEY(LW_SOFTIRQ_THRESHOLD_US, softirq_threshold_us,
	       LATWATCH_A_CFG_SOFTIRQ_THRESHOLD_US,
	       LW_THRESHOLD_MIN_US, LW_THRESHOLD_MAX_US),
	LW_KEY(LW_TIMER_THRESHOLD_US, timer_threshold_us,
	       LATWATCH_A_CFG_TIMER_THRESHOLD_US,
	       LW_THRESHOLD_MIN_US, LW_THRESHOLD_MAX_US),
	LW_KEY(LW_HARDIRQ_THRESHOLD_US, hardirq_threshold_us,
	       LATWATCH_A_CFG_HARDIRQ_THRESHOLD_US,
	       LW_THRESHOLD_MIN_US, LW_THRESHOLD_MAX_US),
	LW_KEY(LW_HUNG_THRESHOLD_MS, hung_threshold_ms,
	       LATWATCH_A_CFG_HUNG_THRESHOLD_MS,
	       LW_HUNG_MIN_MS, LW_HUNG_MAX_MS),
	LW_KEY(LW_HUNG_SCAN_INTERVAL_MS, hung_scan_interval_ms,
	       LATWATCH_A_CFG_HUNG_SCAN_INTERVAL_MS,
	       LW_SCAN_MIN_MS, LW_SCAN_MAX_MS),
	LW_KEY(LW_IRQOFF_ENABLED, irqoff_enabled,
	       LATWATCH_A_CFG_IRQOFF_ENABLED, 0, 1),
	LW_KEY(LW_SOFTIRQOFF_ENABLED, softirqoff_enabled,
	       LATWATCH_A_CFG_SOFTIRQOFF_ENABLED, 0, 1),
	LW_KEY(LW_SOFTIRQ_ENABLED, softirq_enabled,
	       LATWATCH_A_CFG_SOFTIRQ_ENABLED, 0, 1),
	LW_KEY(LW_TIMER_ENABLED, timer_enabled,
	       LATWATCH_A_CFG_TIMER_ENABLED, 0, 1),
	LW_KEY(LW_HARDIRQ_ENABLED, hardirq_enabled,
	       LATWATCH_A_CFG_HARDIRQ_ENABLED, 0, 1),
	LW_KEY(LW_HUNG_ENABLED, hung_enabled,
	       LATWATCH_A_CFG_HUNG_ENABLED, 0, 1),
	LW_KEY(LW_MAX_EVENTS_PER_SEC, max_events_per_sec,
	       LATWATCH_A_CFG_MAX_EVENTS_PER_SEC, 0, LW_RATE_MAX),
	LW_KEY(LW_REPLAY_EVENTS, replay_events,
	       LATWATCH_A_CFG_REPLAY_EVENTS, 0, LW_REPLAY_MAX),
	LW_KEY(LW_IDLE_PAUSE, idle_pause,
	       LATWATCH_A_CFG_IDLE_PAUSE, 0, 1),
};

int lw_config_attr(enum lw_key key)
{
	return lw_keys[key].attr;
}

void lw_config_get(struct lw_config *cfg)
{
	int k;

	for (k = 0; k < LW_NR_KEYS; k++)
		cfg->val[k] = READ_ONCE(*lw_keys[k].val);
}

/*
 * Returns NULL if @cfg can be put in force, else a message naming what is
 * wrong and, in @bad_key, the key it is about.
 */
const char *lw_config_check(const struct lw_config *cfg, enum lw_key *bad_key)
{
	const u32 *v = cfg->val;
	int k;

	for (k = 0; k < LW_NR_KEYS; k++) {
		if (v[k] < lw_keys[k].min || v[k] > lw_keys[k].max) {
			*bad_key = k;
			return lw_keys[k].range_msg;
		}
	}
	*bad_key = LW_SOFTIRQOFF_ENABLED;
	if (v[LW_SOFTIRQOFF_ENABLED] && !lw_softirqoff_windows())
		return LW_NO_SOFTIRQOFF_MSG;
	/* A gap is never shorter than one period: leave room for jitter. */
	*bad_key = LW_SAMPLE_PERIOD_US;
	if (v[LW_SAMPLE_PERIOD_US] > v[LW_IRQOFF_THRESHOLD_US] / 2)
		return "sample_period_us must be at most half of irqoff_threshold_us";
	if (v[LW_SAMPLE_PERIOD_US] > v[LW_SOFTIRQOFF_THRESHOLD_US] / 2)
		return "sample_period_us must be at most half of softirqoff_threshold_us";
	*bad_key = LW_HUNG_SCAN_INTERVAL_MS;
	if (v[LW_HUNG_SCAN_INTERVAL_MS] > v[LW_HUNG_THRESHOLD_MS])
		return "hung_scan_interval_ms must be at most hung_threshold_ms";
	return NULL;
}

struct lw_thresholds lw_thr __read_mostly;
u64 lw_event_interval_ns __read_mostly;
struct lw_sampling __rcu *lw_sampling_ptr;

/* Process context: the sampler's snapshot of @cfg, for lw_config_set(). */
struct lw_sampling *lw_sampling_alloc(const struct lw_config *cfg)
{
	struct lw_sampling *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->period_ns = (u64)cfg->val[LW_SAMPLE_PERIOD_US] * NSEC_PER_USEC;
	s->irqoff_ns = (u64)cfg->val[LW_IRQOFF_THRESHOLD_US] * NSEC_PER_USEC;
	s->softirqoff_ns = (u64)cfg->val[LW_SOFTIRQOFF_THRESHOLD_US] *
			   NSEC_PER_USEC;
	s->irqoff_on = cfg->val[LW_IRQOFF_ENABLED];
	s->softirqoff_on = cfg->val[LW_SOFTIRQOFF_ENABLED];
	s->idle_pause = cfg->val[LW_IDLE_PAUSE];
	return s;
}

/*
 * Put @cfg in force; @s is lw_sampling_alloc(@cfg), and is published whole.
 * The caller has checked @cfg and holds lw_config_lock(), or is module init.
 */
void lw_config_set(const struct lw_config *cfg, struct lw_sampling *s)
{
	struct lw_sampling *old;
	int k;

	for (k = 0; k < LW_NR_KEYS; k++)
		WRITE_ONCE(*lw_keys[k].val, cfg->val[k]);
	WRITE_ONCE(lw_thr.softirq_ns,
		   (u64)cfg->val[LW_SOFTIRQ_THRESHOLD_US] * NSEC_PER_USEC);
	WRITE_ONCE(lw_thr.timer_ns,
		   (u64)cfg->val[LW_TIMER_THRESHOLD_US] * NSEC_PER_USEC);
	WRITE_ONCE(lw_thr.hardirq_ns,
		   (u64)cfg->val[LW_HARDIRQ_THRESHOLD_US] * NSEC_PER_USEC);
	WRITE_ONCE(lw_event_interval_ns, cfg->val[LW_MAX_EVENTS_PER_SEC] ?
		   NSEC_PER_SEC / cfg->val[LW_MAX_EVENTS_PER_SEC] : 0);
	old = rcu_replace_pointer(lw_sampling_ptr, s, true);
	if (old)
		kfree_rcu(old, rcu);
}

/* Module exit or failed init: the sampler and its probe are stopped. */
void lw_config_exit(void)
{
	kfree(rcu_replace_pointer(lw_sampling_ptr, NULL, true));
}

u32 lw_cfg(enum lw_key key)
{
	return READ_ONCE(*lw_keys[key].val);
}

