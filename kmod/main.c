// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: catch windows with hard interrupts or softirqs held off, and
 * stream them to user space over generic netlink.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/percpu.h>

#include "compat.h"
#include "internal.h"

/* Every part's per-CPU state: see struct lw_cpu in internal.h. */
struct lw_cpu __percpu *lw_pcpu __read_mostly;

/* Before anything that uses it starts; zeroed. */
static int lw_cpus_alloc(void)
{
	lw_pcpu = alloc_percpu(struct lw_cpu);
	return lw_pcpu ? 0 : -ENOMEM;
}

/* After everything that uses it has stopped. */
static void lw_cpus_free(void)
{
	free_percpu(lw_pcpu);
	lw_pcpu = NULL;
}

static int __init latwatch_init(void)
{
	struct lw_sampling *s;
	struct lw_config cfg;
	enum lw_key bad;
	const char *msg;
	int ret;

	lw_config_get(&cfg);
	if (cfg.val[LW_SOFTIRQOFF_ENABLED] && !lw_softirqoff_windows()) {
		pr_notice("softirqoff_enabled=0: " LW_NO_SOFTIRQOFF_MSG "\n");
		cfg.val[LW_SOFTIRQOFF_ENABLED] = 0;
	}
	msg = lw_config_check(&cfg, &bad);
	if (msg) {
		pr_err("%s\n", msg);
		return -EINVAL;
	}

	s = lw_sampling_alloc(&cfg);
	if (!s)
		return -ENOMEM;
	lw_config_set(&cfg, s);
	ret = lw_replay_init();
	if (ret)
		goto err_replay;
	ret = lw_cpus_alloc();
	if (ret)
		goto err_replay;
	lw_delivery_init();
	ret = lw_detectors_start(&cfg, &msg);
	if (ret) {
		pr_err("%s\n", msg);
		goto err_detectors;
	}
	ret = lw_sampler_start();
	if (ret)
		goto err_detectors;
	/*
	 * The family last: requests come as soon as it is there, and find
	 * everything they touch ready, the subscribers' release notifier
	 * included. No lock is held across registering it, which takes the
	 * genetlink core's own.
	 */
	ret = lw_send_init();
	if (ret)
		goto err_send;
	ret = lw_genl_init();
	if (ret)
		goto err_genl;

	pr_info("version %s loaded\n", LATWATCH_VERSION);
	return 0;

err_genl:
	lw_send_exit();
err_send:
	lw_sampler_stop();
err_detectors:
	lw_detectors_stop();
	lw_delivery_exit();
	lw_cpus_free();
err_replay:
	lw_replay_exit();
	lw_config_exit();
	return ret;
}

static void __exit latwatch_exit(void)
{
	/*
	 * Producers first (from here on a CONFIG_SET is refused), then
	 * deliver what they left, then the family and its subscribers.
	 */
	lw_detectors_stop();
	lw_sampler_stop();
	lw_delivery_flush();
	lw_genl_exit();
	lw_send_exit();
	lw_delivery_exit();
	lw_cpus_free();
	lw_replay_exit();
	lw_config_exit();
}

module_init(latwatch_init);
module_exit(latwatch_exit);

MODULE_DESCRIPTION("Detect hard-irq-off and softirq-off windows, report them over generic netlink");
MODULE_AUTHOR("The latwatch authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(LATWATCH_VERSION);
