/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_CMD_H
#define LATWATCH_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "source/module_cfg.h"

struct lw_agent_opts;

/* Argument parsers return this to go on, or else the exit code. */
#define LW_ARGS_OK	(-1)

/* Where "watch --since-last" keeps its place unless --state says. */
#define LW_WATCH_STATE	"/var/lib/latwatch/watch.cursor"

struct watch_opts {
	bool json;
	bool since_last;	/* fetch what the last --since-last missed */
	const char *state;	/* its cursor file (cursor.h) */
	const char *replay;	/* --replay-netlink: a recording, or NULL */
};

struct stats_opts {
	bool json;
};

struct config_opts {
	struct lw_cfg set;	/* the KEY=VALUE arguments */
};

struct hist_opts {
	bool json;
	bool reset;
	uint32_t type;		/* LATWATCH_EV_UNSPEC: every type */
	bool one_cpu;		/* only cpu, else the sum over all CPUs */
	uint32_t cpu;
};

int watch_parse_args(int argc, char **argv, struct watch_opts *o);
int stats_parse_args(int argc, char **argv, struct stats_opts *o);
int config_parse_args(int argc, char **argv, struct config_opts *o);
int hist_parse_args(int argc, char **argv, struct hist_opts *o);
/*
 * The agent's options: the defaults, then the config file (-c, else
 * LW_AGENT_CONF if it exists), then the rest of the command line.
 * Returns LW_ARGS_OK or an exit code; on error o holds nothing to free.
 * -h prints the help and returns LW_EXIT_OK, or with quiet_help
 * LW_ARGS_OK with the defaults in o (a reload parses the command line
 * the agent started with again).
 */
int agent_parse_args(int argc, char **argv, struct lw_agent_opts *o,
		     bool quiet_help);

int cmd_watch(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_report(int argc, char **argv);

void watch_usage(FILE *f);
void stats_usage(FILE *f);
void config_usage(FILE *f);
void hist_usage(FILE *f);
void agent_usage(FILE *f);
void report_usage(FILE *f);
void lw_exit_codes_usage(FILE *f);
/* A subcommand's help: its usage, then the exit codes. */
void lw_cmd_help(FILE *f, void (*usage)(FILE *f));

/*
 * The options every subcommand shares: -h/--help, and -j/--json if json
 * is not NULL. Returns LW_ARGS_OK with optind at the first operand, or
 * the exit code after printing help or an error.
 */
int lw_parse_opts(int argc, char **argv, const char *cmd, bool *json,
		  void (*usage)(FILE *f));

/*
 * After getopt_long() returned '?': print what was wrong with the option
 * and return the exit code. shortopts: the short options it was given.
 */
int lw_bad_option(char **argv, const char *cmd, const char *shortopts);

/* For a subcommand that takes no operands. */
int lw_no_operands(int argc, char **argv, const char *cmd);

/*
 * The developer option --replay-netlink FILE of watch and agent: a
 * recording of the module's messages (source/nlrec.h) read instead of
 * its socket, to run them without the module (tests/bench/pipeline).
 * It is left out of their usage: it is no way to watch a system. "-" is
 * stdin. Opens path for lw_stream_open_recording(), O_NONBLOCK: its
 * descriptor, or -1 after saying why.
 */
int lw_open_recording(const char *cmd, const char *path);

#endif
