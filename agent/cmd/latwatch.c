// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "cmd/cmd.h"
#include "lib/utils.h"

#ifndef LATWATCH_VERSION
#define LATWATCH_VERSION "unknown"
#endif

struct lw_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);
};

static const struct lw_cmd lw_cmds[] = {
	{ "watch", "print latency events as they happen", cmd_watch, watch_usage },
	{ "config", "show or set the thresholds, the sample period and which "
	  "detectors run", cmd_config, config_usage },
	{ "stats", "show the per-CPU counters", cmd_stats, stats_usage },
	{ "hist", "show or reset the histograms of event durations", cmd_hist,
	  hist_usage },
	{ "agent", "explain events (drops, run queues, periods), alert, serve "
	  "metrics", cmd_agent, agent_usage },
	{ "report", "summarise a JSON log of events or alerts", cmd_report,
	  report_usage },
};

#define LW_NCMDS	(sizeof(lw_cmds) / sizeof(lw_cmds[0]))

static void lw_usage(FILE *f)
{
	size_t i;

	fputs("usage: latwatch [-h|--help] [-V|--version] COMMAND [ARGS]\n"
	      "       latwatch help [COMMAND]\n"
	      "\n"
	      "Report what the kernel module saw take longer than a threshold:\n"
	      "interrupts or softirqs held off, one softirq, timer or hard-irq\n"
	      "handler run, or a task blocked in uninterruptible sleep.\n"
	      "\n"
	      "Commands:\n", f);
	for (i = 0; i < LW_NCMDS; i++)
		fprintf(f, "  %-8s %s\n", lw_cmds[i].name, lw_cmds[i].summary);
	for (i = 0; i < LW_NCMDS; i++) {
		fputc('\n', f);
		lw_cmds[i].usage(f);
	}
	lw_exit_codes_usage(f);
}

static const struct lw_cmd *lw_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < LW_NCMDS; i++)
		if (!strcmp(lw_cmds[i].name, name))
			return &lw_cmds[i];
	lw_err("unknown command '%s' (see latwatch --help)", name);
	return NULL;
}

static int lw_help(int argc, char **argv)
{
	const struct lw_cmd *cmd;

	if (argc < 2) {
		lw_usage(stdout);
		return LW_EXIT_OK;
	}
	if (argc > 2) {
		lw_err("help: too many arguments");
		return LW_EXIT_USAGE;
	}
	cmd = lw_find_cmd(argv[1]);
	if (!cmd)
		return LW_EXIT_USAGE;
	lw_cmd_help(stdout, cmd->usage);
	return LW_EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct lw_cmd *cmd;
	const char *arg = argc > 1 ? argv[1] : NULL;

	if (!arg) {
		lw_err("no command given (see latwatch --help)");
		return LW_EXIT_USAGE;
	}
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
		return lw_help(1, argv + 1);
	if (!strcmp(arg, "help"))
		return lw_help(argc - 1, argv + 1);
	if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
		printf("latwatch %s\n", LATWATCH_VERSION);
		return LW_EXIT_OK;
	}
	if (arg[0] == '-') {
		lw_err("unknown option '%s' (see latwatch --help)", arg);
		return LW_EXIT_USAGE;
	}
	cmd = lw_find_cmd(arg);
	return cmd ? cmd->run(argc - 1, argv + 1) : LW_EXIT_USAGE;
}
