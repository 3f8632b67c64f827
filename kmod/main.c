// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: catch windows with hard interrupts or softirqs held off, and
 * stream them to user space over generic netlink.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "latwatch.h"

static int __init latwatch_init(void)
{
	struct lw_config cfg;
	const char *msg;
	int attr;
	int ret;

	lw_config_get(&cfg);
	msg = lw_config_check(&cfg, &attr);
	if (msg) {
		pr_err("%s\n", msg);
		return -EINVAL;
	}

	ret = lw_events_init();
	if (ret)
		return ret;
	ret = lw_genl_init();
	if (ret)
		goto err_events;
	ret = lw_sampler_start();
	if (ret)
		goto err_genl;

	pr_info("version %s: irqoff_threshold_us=%u softirqoff_threshold_us=%u sample_period_us=%u\n",
		LATWATCH_VERSION, cfg.irqoff_threshold_us,
		cfg.softirqoff_threshold_us, cfg.sample_period_us);
	return 0;

err_genl:
	lw_genl_exit();
err_events:
	lw_events_exit();
	return ret;
}

static void __exit latwatch_exit(void)
{
	/* Producers first, then deliver what they left, then the family. */
	lw_sampler_stop();
	lw_events_flush();
	lw_genl_exit();
	lw_events_exit();
}

module_init(latwatch_init);
module_exit(latwatch_exit);

MODULE_DESCRIPTION("Detect hard-irq-off and softirq-off windows, report them over generic netlink");
MODULE_AUTHOR("The latwatch authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(LATWATCH_VERSION);
