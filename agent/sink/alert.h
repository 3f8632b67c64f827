/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_ALERT_H
#define LATWATCH_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analysis/signature.h"
#include "cmd/agent_conf.h"

/*
 * What "latwatch agent" does when an event matches an --alert rule.
 *
 * Each (rule, signature) alerts at most once per rate-limit window
 * (opts.alert_window_ns, --rate-limit; 0 turns the limit off). The first
 * event runs every action; the next ones in the window are counted, with
 * the worst duration, and when the window ends one summary line says
 * how many there were:
 *
 *	latwatch: alert irqoff>=20ms: 41 more for SIG in the last 60 s (worst 35.2 ms)
 *
 * The actions of an alert:
 *  - "latwatch: alert RULE: LINE" on stderr and, with opts.syslog, to
 *    syslog at LOG_WARNING;
 *  - with --log FILE: {"alert":RULE,"signature":SIG,"event":EVENT} as one
 *    line appended to FILE (a summary appends {"alert":RULE,
 *    "signature":SIG,"suppressed":N,"period_ns":P,"worst_ns":W});
 *  - with --exec CMD: "/bin/sh -c CMD" in a process group of its own,
 *    the same JSON line on its stdin, LATWATCH_RULE and
 *    LATWATCH_SIGNATURE in its environment, stdout and stderr inherited.
 *    It is killed (SIGKILL to the group) after opts.exec_timeout_ns; a
 *    failure, a non-zero exit or a kill is reported on stderr.
 *
 * Nothing here blocks: the command's stdin is a non-blocking pipe, fed
 * by lw_alert_tick() when it does not take the line at once, and its
 * exit is collected with waitpid(WNOHANG). Only lw_alert_flush() waits.
 *
 * Times are the caller's CLOCK_MONOTONIC in ns.
 */

/*
 * Bounds: LW_ALERT_SLOTS (rule, signature) windows at once, the least
 * recently used one ending early (with its summary) to make room; at most
 * LW_ALERT_CHILDREN commands running, each holding at most one JSON line
 * of at most LW_ALERT_JSON_MAX bytes of event and LW_SIG_LEN of signature.
 */
#define LW_ALERT_SLOTS		1024
#define LW_ALERT_CHILDREN	4
#define LW_ALERT_JSON_MAX	(128 * 1024)

/* One (rule, signature) in its rate-limit window. */
struct lw_alert_slot {
	bool used;
	uint64_t hash;			/* of rule_text and sig */
	uint64_t start_ns;		/* when it alerted: the window's start */
	uint64_t window_ns;		/* its length, kept across a reload */
	uint64_t last_ns;		/* the latest event, for LRU */
	uint64_t suppressed;		/* events since, not alerted */
	uint64_t worst_ns;		/* the longest of them */
	char rule_text[LW_RULE_TEXT_LEN];
	char sig[LW_SIG_LEN];		/* cut at LW_SIG_LEN - 1 bytes */
};

/* A running --exec command. */
struct lw_alert_child {
	pid_t pid;			/* 0: a free entry */
	int fd;				/* its stdin while there is more to write */
	char *buf;			/* the JSON line ... */
	size_t len, off;		/* ... and how much of it went */
	uint64_t deadline_ns;		/* killed then */
	bool killed;
	char *cmd;			/* for messages */
};

/* Counters, for metrics. fired[] and suppressed[] follow opts.rules[]. */
struct lw_alert_stats {
	uint64_t fired[LW_AGENT_MAX_RULES];	/* alerts that ran the actions */
	uint64_t suppressed[LW_AGENT_MAX_RULES];	/* held back by the rate limit */
	uint64_t summaries;		/* summary lines */
	uint64_t evicted;		/* windows ended early for room */
	uint64_t exec_started;
	uint64_t exec_failures;		/* not started, exit != 0, signal, timeout */
	uint64_t exec_timeouts;		/* killed after exec_timeout */
	uint64_t exec_skipped;		/* not started: LW_ALERT_CHILDREN running */
	uint64_t log_errors;		/* failed writes to --log */
};

struct lw_alerter {
	unsigned int nrules;
	char rule_text[LW_AGENT_MAX_RULES][LW_RULE_TEXT_LEN];
	uint64_t window_ns;
	uint64_t exec_timeout_ns;
	bool syslog;
	char *log_path;
	int log_fd;
	bool log_failing;		/* the last write failed, said so */
	char *exec_cmd;
	struct lw_alert_slot *slots;	/* LW_ALERT_SLOTS of them */
	unsigned int nslots;		/* used */
	uint64_t next_end_ns;		/* no window ends before */
	struct lw_alert_child children[LW_ALERT_CHILDREN];
	unsigned int nchildren;
	bool skip_said;			/* when exec last said it skipped one */
	uint64_t skip_said_ns;
	struct lw_alert_stats stats;
};

/*
 * Set up for the options in o (it copies what it keeps): opens --log.
 * Returns 0, or -1 after saying why on stderr.
 */
int lw_alert_init(struct lw_alerter *a, const struct lw_agent_opts *o);

/*
 * Take new options (SIGHUP with a reloaded config): reopens --log, takes
 * the new command, limits and rules (counters follow the rules by their
 * text). Windows under way go on; running commands are left alone.
 * Returns 0, or -1 after saying why, with the old settings kept.
 */
int lw_alert_reconfigure(struct lw_alerter *a, const struct lw_agent_opts *o);

/*
 * An event matched rule. sig: its signature; line: one line of text (the
 * verdict), control characters shown as '?'; json: the event as one line
 * of JSON of at most LW_ALERT_JSON_MAX bytes, NULL or anything else is
 * written as null; duration_ns: the event's duration, for "worst".
 */
void lw_alert_event(struct lw_alerter *a, const struct lw_rule *rule,
		    const char *sig, const char *line, const char *json,
		    uint64_t duration_ns, uint64_t now_ns);

/*
 * Call at least every 100 ms: feeds the commands' stdin, collects the
 * ones that ended, kills the ones past their deadline, and writes the
 * summaries of the windows that ended.
 */
void lw_alert_tick(struct lw_alerter *a, uint64_t now_ns);

/* Reopen --log (SIGHUP, after logrotate moved it). */
void lw_alert_reopen(struct lw_alerter *a);

/*
 * At exit: the summaries of every window under way ("in the last" the
 * time since it began), then wait for the commands until their
 * deadlines, killing those that go past them.
 */
void lw_alert_flush(struct lw_alerter *a, uint64_t now_ns);

/* Kills commands still running, closes and frees everything. */
void lw_alert_free(struct lw_alerter *a);

const struct lw_alert_stats *lw_alert_stats(const struct lw_alerter *a);

/* How many --exec commands are running. */
unsigned int lw_alert_running(const struct lw_alerter *a);

#endif
