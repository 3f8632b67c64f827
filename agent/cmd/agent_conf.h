/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_AGENT_CONF_H
#define LATWATCH_AGENT_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/rules.h"
#include "source/module_cfg.h"

/* "latwatch agent": its options, from the command line and the config file. */

#define LW_AGENT_CONF		"/etc/latwatch/latwatch.conf"
/*
 * Where the agent keeps its place in the module's events (see
 * source/cursor.h).
 */
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
	bool wait_module;		/* start without the module, wait */
	const char *replay;		/* --replay-netlink: a recording read
					 * instead of the module (no config
					 * key: a developer's option)
					 */
};

/*
 * The agent's config file, LW_AGENT_CONF unless --config says otherwise.
 * One setting a line:
 *
 *	# a comment
 *	KEY = VALUE		# a comment after a space
 *	exec = "logger -t latwatch"
 *
 * Spaces around KEY and VALUE are dropped. A VALUE in double quotes keeps
 * its spaces and '#'; in it \" is a quote and \\ a backslash, any other
 * backslash stays as it is. Without quotes, a '#' at the start of VALUE
 * or after a space or tab starts a comment. Lines are at most
 * LW_CONF_LINE_MAX bytes, which bounds what a line costs.
 *
 * The keys, and the command line options that take the same values:
 *
 *	alert = RULE		--alert		repeatable; see rules.h
 *	log = FILE		--log		alerts as JSON lines
 *	exec = COMMAND		--exec		run for an alert, JSON on stdin
 *	exec_timeout = DUR	--exec-timeout	1 ms to 1 h; 10 s
 *	metrics = ADDR:PORT	--metrics	e.g. 127.0.0.1:9101, [::1]:9101
 *	interval = DUR		--interval	1 ms to 60 s; 100 ms
 *	settle = DUR		--settle	0 to 60 s; 200 ms
 *	rate_limit = DUR	--rate-limit	0 (no limit) to 1 day; 60 s
 *	json = BOOL		--json		yes/no, true/false, on/off, 1/0
 *	syslog = BOOL		--syslog	alert lines to syslog too
 *	state = FILE		--state		the agent's cursor (cursor.h);
 *						"none": fetch nothing missed
 *	wait_module = BOOL	--wait-module	no module at start: wait for
 *						it instead of exiting
 *	module.KEY = VALUE	--set KEY=VALUE	as "latwatch config KEY=VALUE",
 *						set when the agent starts
 *
 * DUR needs a unit: ns, us, ms or s.
 */

#define LW_CONF_LINE_MAX	4096

/* Zero *o, then the defaults above. */
void lw_agent_opts_defaults(struct lw_agent_opts *o);

/* Free the strings lw_agent_opt_set() copied; o stays usable. */
void lw_agent_opts_free(struct lw_agent_opts *o);

/*
 * Set one option, as the config file and the command line both do:
 * key is the config file's name ("exec_timeout", "module.hung_enabled").
 * A scalar or module key replaces its value, "alert" appends a rule (the
 * same rule twice, or more than LW_AGENT_MAX_RULES, is an error). Returns
 * 0, or -1 with a one-line message in err.
 *
 * The command line goes after the file: "--exec-timeout 5s" is
 * lw_agent_opt_set(o, "exec_timeout", "5s", ...) and so overrides it,
 * "--alert R" adds to the file's rules.
 */
int lw_agent_opt_set(struct lw_agent_opts *o, const char *key,
		     const char *value, char *err, size_t errlen);

/*
 * "--set KEY=VALUE": lw_agent_opt_set(o, "module.KEY", "VALUE", ...).
 */
int lw_agent_opt_set_module(struct lw_agent_opts *o, const char *arg,
			    char *err, size_t errlen);

/*
 * Read the config file at path into o, which should hold the defaults.
 * In the file a scalar or module key may appear once. Returns 0, or a
 * negative errno with a one-line message in err:
 *
 *	-ENOENT		there is no such file ("PATH: No such file or
 *			directory"). The caller ignores it for the default
 *			file, LW_AGENT_CONF, and reports it for a file the
 *			user named.
 *	-EINVAL		a bad line: "PATH:LINE: message"
 *	other		the file could not be opened or read
 *
 * On error o may hold some of the file's settings: free it and give up.
 */
int lw_conf_load(const char *path, struct lw_agent_opts *o, char *err,
		 size_t errlen);

/*
 * The same for a file already open: path only names it in messages
 * ("PATH:LINE: message"). f stays open. -ENOENT cannot happen here.
 */
int lw_conf_read(FILE *f, const char *path, struct lw_agent_opts *o,
		 char *err, size_t errlen);

#endif
