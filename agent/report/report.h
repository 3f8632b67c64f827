/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_REPORT_H
#define LATWATCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/signature.h"

/*
 * "latwatch report": a summary of a log of JSON lines, as "latwatch watch
 * --json" and "latwatch agent --json" print them (one event object a
 * line), and of the agent's alert log ({"alert":RULE,"signature":..,
 * "event":{..}}, and {"alert":..,"suppressed":N,..} summaries).
 *
 * Memory is bounded whatever the log holds:
 *   - a line of up to LW_REPORT_LINE_MAX bytes (longer ones are skipped)
 *     and json-c's tree of it, freed before the next line;
 *   - LW_REPORT_MAX_SIGS signatures, each with its key (under
 *     LW_SIG_LEN), at most LW_REPORT_STACK_BYTES of the worst occurrence's
 *     stack, LW_REPORT_VERDICT_LEN of verdict and LW_REPORT_PERIOD_LEN of
 *     period text: at most about 2.2 KiB a signature, 9 MiB in all (a few
 *     hundred bytes each in practice); events of further signatures are
 *     counted as "other";
 *   - with --folded, instead of the signatures: LW_REPORT_MAX_FOLDED
 *     distinct stacks of at most LW_REPORT_FOLDED_KEY bytes each, and
 *     LW_REPORT_FOLDED_BYTES of them in all; the weight of further stacks
 *     goes to "TYPE;[other stacks]";
 *   - the events per type and CPU: LW_REPORT_MAX_TYPES types (the rest are
 *     "(other)") by LW_REPORT_MAX_CPUS CPUs (the rest, and events without
 *     a CPU, are "other"): 130 KiB;
 *   - the top (at most LW_REPORT_TOP_MAX) worst windows, LW_REPORT_MAX_RULES
 *     alert rules.
 */

#define LW_REPORT_LINE_MAX	(256 * 1024)
#define LW_REPORT_MAX_SIGS	4096
#define LW_REPORT_STACK_BYTES	1024
#define LW_REPORT_VERDICT_LEN	512
#define LW_REPORT_PERIOD_LEN	128
#define LW_REPORT_COMM_LEN	32
#define LW_REPORT_CULPRIT_LEN	128
#define LW_REPORT_MAX_FOLDED	4096
#define LW_REPORT_FOLDED_KEY	(LATWATCH_STACK_MAX * 128 + 64)
#define LW_REPORT_FOLDED_BYTES	(4u << 20)
#define LW_REPORT_MAX_TYPES	16	/* the last one is "(other)" */
#define LW_REPORT_TYPE_LEN	32
#define LW_REPORT_MAX_CPUS	1024	/* and one row for "other" */
#define LW_REPORT_MAX_RULES	64	/* and one for "(other)" */
#define LW_REPORT_RULE_LEN	64
#define LW_REPORT_TOP_DEFAULT	10
#define LW_REPORT_TOP_MAX	1000

/* Why a line was skipped. */
enum lw_report_skip {
	LW_SKIP_NOT_JSON,
	LW_SKIP_NOT_EVENT,	/* JSON, but not an event, a "lost" or an alert */
	LW_SKIP_TOO_LONG,
	LW_SKIP_N,
};

struct lw_report_skipped {
	uint64_t count;
	uint64_t first_line;
};

struct lw_report_type {
	char name[LW_REPORT_TYPE_LEN];
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
};

/* Where and when one event happened. */
struct lw_report_occ {
	uint64_t duration_ns;
	uint64_t ts_ns;
	uint64_t line;
	uint32_t cpu;
	uint32_t pid;
	bool has_ts;
	bool has_cpu;
	bool has_pid;
	unsigned int type;
	char comm[LW_REPORT_COMM_LEN];
};

struct lw_report_sig {
	char *key;
	unsigned int type;		/* of its first event */
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
	bool has_time;
	uint64_t first_ns;
	uint64_t last_ns;
	char *verdict;			/* the worst occurrence's, else any */
	struct lw_report_occ worst;
	char *stack;			/* the worst's frames, each NUL-ended */
	unsigned int nframes;
	unsigned int frames_more;	/* frames left out of stack */
	bool periodic;			/* the latest "period" seen: */
	uint64_t period_ns;
	uint64_t jitter_ns;
	uint64_t period_count;
	uint64_t period_offbeat;	/* "offbeat", or "outliers" before it */
	char *period_text;
};

struct lw_report_worst {
	struct lw_report_occ occ;
	char culprit[LW_REPORT_CULPRIT_LEN];
	char sig[LW_SIG_LEN];
};

struct lw_report_folded {
	char *key;
	uint64_t ns;
};

struct lw_report_rule {
	char text[LW_REPORT_RULE_LEN];
	uint64_t alerts;
	uint64_t suppressed;
};

struct json_tokener;

struct lw_report {
	unsigned int top;
	bool folded;

	uint64_t lines;
	uint64_t events;
	/*
	 * Events that were the outer part of an incident (they list
	 * "inner_seqs"): the incident counts once, as its inner events.
	 */
	uint64_t outer_events;
	struct lw_report_skipped skipped[LW_SKIP_N];
	uint64_t lost_events;
	uint64_t lost_records;
	uint64_t lost_uncounted;	/* "lost" records without a count */
	bool has_time;
	uint64_t first_ns;
	uint64_t last_ns;

	unsigned int ntypes;		/* named ones, before "(other)" */
	struct lw_report_type types[LW_REPORT_MAX_TYPES];
	uint64_t cpu_count[LW_REPORT_MAX_CPUS + 1][LW_REPORT_MAX_TYPES];

	unsigned int nsigs;
	struct lw_report_sig *sigs;		/* LW_REPORT_MAX_SIGS */
	uint32_t *sig_hash;			/* index + 1, 0: empty */
	uint64_t other_sig_events;
	uint64_t other_sig_ns;

	unsigned int nfolded;
	size_t folded_bytes;
	struct lw_report_folded *fold;		/* LW_REPORT_MAX_FOLDED */
	uint32_t *fold_hash;
	uint64_t fold_other_ns[LW_REPORT_MAX_TYPES];	/* by type */
	uint64_t fold_other_events[LW_REPORT_MAX_TYPES];

	unsigned int nworst;
	struct lw_report_worst *worst;		/* top of them, worst first */

	unsigned int nrules;	/* named ones, before "(other)" */
	uint64_t alert_lines;
	struct lw_report_rule rules[LW_REPORT_MAX_RULES + 1];

	/* the line being read */
	struct json_tokener *tok;
	char *line;
	size_t line_len;
	bool line_pending;
	bool line_long;
};

/*
 * A report of the top worst windows and signatures (1 to
 * LW_REPORT_TOP_MAX), keeping folded stacks instead of signatures if
 * folded. NULL if out of memory.
 */
struct lw_report *lw_report_new(unsigned int top, bool folded);
void lw_report_free(struct lw_report *r);

/*
 * Read a log: buf holds len bytes of lines, the last one with or without
 * its newline. Any bytes at all: lines that are not what a log holds are
 * counted in r->skipped.
 */
void lw_report_parse(struct lw_report *r, const char *buf, size_t len);
/* The same in pieces: lines may span calls; lw_report_finish() ends it. */
void lw_report_feed(struct lw_report *r, const char *buf, size_t len);
void lw_report_finish(struct lw_report *r);
/* All of f, then lw_report_finish(). 0, or -1 with errno set. */
int lw_report_read(struct lw_report *r, FILE *f);

void lw_report_print_text(const struct lw_report *r, FILE *f);
void lw_report_print_json(const struct lw_report *r, FILE *f);
/* Folded stacks for flamegraph.pl, with r made with folded. */
void lw_report_print_folded(const struct lw_report *r, FILE *f);
/* Events whose stacks went to "TYPE;[other stacks]". */
uint64_t lw_report_folded_other(const struct lw_report *r);
/* "3 lines skipped: not JSON (first at line 17)", a line per reason. */
void lw_report_print_skipped(const struct lw_report *r, FILE *f,
			     const char *prefix);

/* The command. */
struct report_opts {
	bool json;
	bool folded;
	unsigned int top;
	const char *file;	/* "-": stdin */
};

int report_parse_args(int argc, char **argv, struct report_opts *o);
/* Read o->file and print the report on out: an exit code. */
int report_run(const struct report_opts *o, FILE *out);

#endif
