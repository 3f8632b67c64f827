// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: configuration. The module parameters hold the live values, so
 * /sys/module/latwatch/parameters always shows what is in force; netlink
 * changes them at run time (genl.c), the timers read them on every run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/moduleparam.h>
#include <linux/stringify.h>
#include <linux/time64.h>

#include "latwatch.h"

#define LW_PERIOD_MIN_US	100
#define LW_PERIOD_MAX_US	1000000
#define LW_THRESHOLD_MIN_US	200
#define LW_THRESHOLD_MAX_US	60000000

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
		 "Sampling period of the per-CPU timers, in us; at most half of each threshold (default 1000)");

void lw_config_get(struct lw_config *cfg)
{
	cfg->irqoff_threshold_us = READ_ONCE(irqoff_threshold_us);
	cfg->softirqoff_threshold_us = READ_ONCE(softirqoff_threshold_us);
	cfg->sample_period_us = READ_ONCE(sample_period_us);
}

static bool lw_threshold_ok(u32 us)
{
	return us >= LW_THRESHOLD_MIN_US && us <= LW_THRESHOLD_MAX_US;
}

/*
 * Returns NULL if @cfg can be put in force, else a message naming what is
 * wrong and, in @bad_attr, the attribute it is about.
 */
const char *lw_config_check(const struct lw_config *cfg, int *bad_attr)
{
	if (cfg->sample_period_us < LW_PERIOD_MIN_US ||
	    cfg->sample_period_us > LW_PERIOD_MAX_US) {
		*bad_attr = LATWATCH_A_CFG_SAMPLE_PERIOD_US;
		return "sample_period_us must be between "
		       __stringify(LW_PERIOD_MIN_US) " and "
		       __stringify(LW_PERIOD_MAX_US);
	}
	if (!lw_threshold_ok(cfg->irqoff_threshold_us)) {
		*bad_attr = LATWATCH_A_CFG_IRQOFF_THRESHOLD_US;
		return "irqoff_threshold_us must be between "
		       __stringify(LW_THRESHOLD_MIN_US) " and "
		       __stringify(LW_THRESHOLD_MAX_US);
	}
	if (!lw_threshold_ok(cfg->softirqoff_threshold_us)) {
		*bad_attr = LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US;
		return "softirqoff_threshold_us must be between "
		       __stringify(LW_THRESHOLD_MIN_US) " and "
		       __stringify(LW_THRESHOLD_MAX_US);
	}
	/* A gap is never shorter than one period: leave room for jitter. */
	if (cfg->sample_period_us > cfg->irqoff_threshold_us / 2) {
		*bad_attr = LATWATCH_A_CFG_SAMPLE_PERIOD_US;
		return "sample_period_us must be at most half of irqoff_threshold_us";
	}
	if (cfg->sample_period_us > cfg->softirqoff_threshold_us / 2) {
		*bad_attr = LATWATCH_A_CFG_SAMPLE_PERIOD_US;
		return "sample_period_us must be at most half of softirqoff_threshold_us";
	}
	return NULL;
}

/* Caller has checked @cfg; serialised by the genl mutex. */
void lw_config_set(const struct lw_config *cfg)
{
	WRITE_ONCE(irqoff_threshold_us, cfg->irqoff_threshold_us);
	WRITE_ONCE(softirqoff_threshold_us, cfg->softirqoff_threshold_us);
	WRITE_ONCE(sample_period_us, cfg->sample_period_us);
}

u64 lw_period_ns(void)
{
	return (u64)READ_ONCE(sample_period_us) * NSEC_PER_USEC;
}

u64 lw_irqoff_threshold_ns(void)
{
	return (u64)READ_ONCE(irqoff_threshold_us) * NSEC_PER_USEC;
}

u64 lw_softirqoff_threshold_ns(void)
{
	return (u64)READ_ONCE(softirqoff_threshold_us) * NSEC_PER_USEC;
}
