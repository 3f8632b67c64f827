/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_AGENT_H
#define LATWATCH_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/rules.h"
#include "source/config.h"

/* "latwatch agent": its options, from the command line and the config file. */

#define LW_AGENT_CONF		"/etc/latwatch/latwatch.conf"
/* Where the agent keeps its place in the module's events (cursor.h). */
#define LW_AGENT_STATE		"/var/lib/latwatch/agent.cursor"
#define LW_AGENT_MAX_RULES	32

struct lw_agent_opts {
	const char *config_file;	/* NULL: LW_AGENT_CONF if it exists */
	bool json;			/* events on stdout as JSON lines */
	unsigned int nrules;
	struct lw_rule rules[LW_AGENT_MAX_RULES];
	char *log_file;			/* --log: JSON lines of alerts */
	char *exec_cmd;			/* --exec: run with the event on stdin */
	uint64_t exec_timeout_ns;	/* --exec-timeout, default 10 s */
	char *metrics_addr;		/* --metrics ADDR:PORT */
	uint64_t interval_ns;		/* --interval: counter sampling, 100 ms */
	uint64_t settle_ns;		/* --settle: wait after an event, 2 intervals */
	uint64_t alert_window_ns;	/* --rate-limit: one alert per signature
					 * per window, then a summary; 60 s */
	struct lw_cfg module;		/* module settings to apply on start */
	bool syslog;			/* alert lines to syslog too */
	char *state_file;		/* --state: the cursor file, NULL for
					 * LW_AGENT_STATE, "none" for none
					 */
};

#endif
