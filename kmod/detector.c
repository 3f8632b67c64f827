// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: switching detectors on and off. A tracepoint detector that is
 * off has no probe registered, the hung-task scan no work queued: they
 * cost nothing. The sampler's two detectors only read their switch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>

#include "latwatch.h"

static const struct lw_detector {
	enum lw_key key;
	int (*enable)(void);
	void (*disable)(void);
	const char *fail_msg;
} lw_detectors[] = {
	{ LW_SOFTIRQ_ENABLED, lw_softirq_enable, lw_softirq_disable,
	  "softirq_enabled: cannot probe irq:softirq_entry/exit" },
	{ LW_TIMER_ENABLED, lw_timer_enable, lw_timer_disable,
	  "timer_enabled: cannot probe timer:timer_expire_* and hrtimer_expire_*" },
	{ LW_HARDIRQ_ENABLED, lw_hardirq_enable, lw_hardirq_disable,
	  "hardirq_enabled: cannot probe irq:irq_handler_entry/exit" },
	{ LW_HUNG_ENABLED, lw_hung_enable, lw_hung_disable,
	  "hung_enabled: out of memory" },
};

/* Which detectors have their probes registered; under the genl mutex. */
static bool lw_running[ARRAY_SIZE(lw_detectors)];

static void lw_detector_off(int i)
{
	if (lw_running[i])
		lw_detectors[i].disable();
	lw_running[i] = false;
}

static int lw_detector_on(int i)
{
	int ret;

	if (lw_running[i])
		return 0;
	ret = lw_detectors[i].enable();
	lw_running[i] = !ret;
	return ret;
}

/*
 * Put @new's on/off switches in force. All or nothing: if a detector
 * cannot start, the ones this call started are stopped again.
 */
int lw_detectors_apply(const struct lw_config *new, const char **msg)
{
	bool started[ARRAY_SIZE(lw_detectors)] = { };
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(lw_detectors); i++) {
		if (!new->val[lw_detectors[i].key] || lw_running[i])
			continue;
		ret = lw_detector_on(i);
		if (ret) {
			*msg = lw_detectors[i].fail_msg;
			while (i--)
				if (started[i])
					lw_detector_off(i);
			lw_tp_sync();
			return ret;
		}
		started[i] = true;
	}
	for (i = 0; i < ARRAY_SIZE(lw_detectors); i++)
		if (!new->val[lw_detectors[i].key])
			lw_detector_off(i);
	/* A probe still running must not see the state of a later start. */
	lw_tp_sync();
	return 0;
}

void lw_detectors_stop(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(lw_detectors); i++)
		lw_detector_off(i);
	lw_tp_sync();
}
