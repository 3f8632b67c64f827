/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_AGENT_INTERNAL_H
#define LATWATCH_AGENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "analysis/incident.h"
#include "analysis/period.h"
#include "analysis/settle.h"
#include "cmd/agent_conf.h"
#include "lib/jsonw.h"
#include "lib/utils.h"
#include "sink/alert.h"
#include "sink/metrics.h"
#include "sink/metrics_http.h"
#include "source/nl.h"
#include "source/snapshots.h"
#include "source/stream.h"

/*
 * Between the files of "latwatch agent", not for other commands:
 * cmd_agent.c runs it (setup, the poll loop, signals, reload),
 * cmd_agent_events.c does what its events call for (subscribing and
 * catching up, holding, explaining, printing, alerting, counting).
 */

/* How often to look for the module while it is not loaded. */
#define AGENT_RETRY_NS		(1000ULL * 1000 * 1000)

struct agent {
	int argc;
	char **argv;
	struct lw_agent_opts o;

	struct lw_stream st;	/* the module's events */
	uint64_t retry_mono;
	uint64_t events_base;	/* events the module had sent at subscribing */
	uint64_t stats_mono;	/* when to read its counters next */
	bool was_loaded;	/* subscribed to it at least once */

	struct lw_snapshots snaps;
	struct lw_periods periods;
	struct lw_alerter alerter;
	bool alerter_on;
	struct lw_metrics metrics;
	struct lw_metrics_srv srv;
	bool srv_on;

	struct lw_settle held;	/* events waiting to be explained */
	struct jw_mem json;	/* the JSON line of the event explained */
	struct lw_incidents incidents;	/* the latest nested events */

	bool cursor_tried;	/* the cursor file: opened, or given up on */

	int sigfd;
	int tfd;
	bool stop;
	uint64_t fired[LW_AGENT_MAX_RULES];	/* alerter counts seen */
	uint64_t suppressed[LW_AGENT_MAX_RULES];
	uint64_t malformed;
	struct lw_out out;	/* stdout */
	bool out_failed;	/* it failed, and the agent said so */
};

/* cmd_agent_events.c */

extern const struct lw_stream_ops agent_stream_ops;

/* Find the module, apply the settings, subscribe, catch up. */
int agent_subscribe(struct agent *a, bool first);
/* Subscribe again to a module loaded again, or retry later. */
void agent_module_back(void *arg);
/* The --set settings, on req's module: 0 or the exit code, said. */
int agent_apply_module_cfg(struct agent *a, struct lw_nl *req);
/* The rules' counters into the metrics, before they first fire. */
void agent_metrics_rules(struct agent *a);
/* An event held long enough: explain it (the settle queue's callback). */
void agent_release(void *arg, const struct lw_event *ev, bool replayed);
/* Explain what waited long enough (all: everything), save the cursor. */
void agent_drain(struct agent *a, bool all);
/* Driver statistics in the next snapshot too, from now (mono ns) on. */
void agent_eth_burst(struct agent *a, uint64_t now);

#endif
