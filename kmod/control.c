// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: control of the detectors. Module init and exit, and every
 * configuration change (CONFIG_SET), come through here: they switch
 * detectors on and off and put new values in force, one at a time.
 *
 * A tracepoint detector that is off has no probe registered, the hung-task
 * scan no work queued: they cost nothing. The sampler's two detectors only
 * read their switch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "internal.h"

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

/*
 * Serialises switching detectors and changing the configuration with
 * module init and exit. The family's ops run in parallel (parallel_ops):
 * CONFIG_SET holds it across reading, checking and applying a change, and
 * nothing holds it across a call into the genetlink core. lw_live says
 * whether changes are accepted.
 */
static DEFINE_MUTEX(lw_cfg_mutex);
static bool lw_live;

/* Which detectors have their probes registered; under lw_cfg_mutex. */
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
static int lw_detectors_apply(const struct lw_config *new, const char **msg)
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

static void lw_detectors_off(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(lw_detectors); i++)
		lw_detector_off(i);
	lw_tp_sync();
}

/* CONFIG_SET: hold the configuration still while changing it. */
void lw_config_lock(void)
{
	mutex_lock(&lw_cfg_mutex);
}

void lw_config_unlock(void)
{
	mutex_unlock(&lw_cfg_mutex);
}

/* Module init: switch on what @cfg says; from now on changes are accepted. */
int lw_detectors_start(const struct lw_config *cfg, const char **msg)
{
	int ret;

	mutex_lock(&lw_cfg_mutex);
	ret = lw_detectors_apply(cfg, msg);
	lw_live = !ret;
	mutex_unlock(&lw_cfg_mutex);
	return ret;
}

/* Module exit or a failed init: no more changes, every detector off. */
void lw_detectors_stop(void)
{
	mutex_lock(&lw_cfg_mutex);
	lw_live = false;
	lw_detectors_off();
	mutex_unlock(&lw_cfg_mutex);
}

/*
 * CONFIG_SET, under lw_config_lock(): @cfg is checked; switch the
 * detectors, then the values.
 */
int lw_config_change(const struct lw_config *cfg, const char **msg)
{
	struct lw_sampling *s = NULL;
	bool was_pausing;
	int ret = -ENODEV;

	lockdep_assert_held(&lw_cfg_mutex);
	*msg = "latwatch is being unloaded";
	if (!lw_live)
		goto out;
	*msg = "out of memory";
	ret = -ENOMEM;
	s = lw_sampling_alloc(cfg);
	if (!s)
		goto out;
	*msg = "no memory for the replay_events asked";
	ret = lw_replay_resize(cfg->val[LW_REPLAY_EVENTS]);
	if (ret)
		goto out;
	was_pausing = lw_cfg(LW_IDLE_PAUSE);
	ret = lw_detectors_apply(cfg, msg);
	if (ret) {
		lw_replay_resize(lw_cfg(LW_REPLAY_EVENTS));	/* back */
		goto out;
	}
	lw_config_set(cfg, s);
	s = NULL;
	/* Idle CPUs do not wait for their next task. */
	if (was_pausing && !cfg->val[LW_IDLE_PAUSE])
		lw_sampler_resume_all();
out:
	kfree(s);
	return ret;
}
