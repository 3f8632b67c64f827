// SPDX-License-Identifier: GPL-2.0
/* "latwatch agent": its usage and command line (see agent_parse_args()). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cmd/agent_conf.h"
#include "cmd/cmd.h"
#include "lib/utils.h"

void agent_usage(FILE *f)
{
	fputs("usage: latwatch agent [-c FILE] [-j] [--alert RULE]... [--log FILE]\n"
	      "                      [--exec CMD] [--exec-timeout DUR]\n"
	      "                      [--metrics ADDR:PORT] [--interval DUR]\n"
	      "                      [--settle DUR] [--rate-limit DUR] [--syslog]\n"
	      "                      [--set KEY=VALUE]... [--state FILE]\n"
	      "                      [--wait-module]\n"
	      "\n"
	      "Run until SIGTERM or SIGINT: print every event of the kernel module\n"
	      "with what the system's counters did around it (NIC and softnet\n"
	      "drops, run-queue wait), a one-line verdict, and its period when it\n"
	      "recurs; raise alerts and serve metrics. SIGHUP re-reads the config\n"
	      "file and reopens the --log file. Logs go to stderr.\n"
	      "\n"
	      "  -c, --config FILE     options from FILE (default " LW_AGENT_CONF
	      "\n"
	      "                        if it exists); the command line overrides\n"
	      "  -j, --json            events as JSON lines\n"
	      "      --alert RULE      alert on TYPE>=DUR or TYPE>DUR (TYPE: irqoff,\n"
	      "                        softirqoff, softirq, timer, hardirq, hung,\n"
	      "                        hung_end, any) or nicdrop>N (packets dropped\n"
	      "                        in the event's window); repeatable\n"
	      "      --log FILE        append a JSON line per alert to FILE\n"
	      "      --exec CMD        run /bin/sh -c CMD per alert, the event's JSON\n"
	      "                        on its stdin\n"
	      "      --exec-timeout DUR  kill CMD after DUR (default 10s)\n"
	      "      --rate-limit DUR  one alert per rule and signature per DUR, then\n"
	      "                        a summary (default 60s)\n"
	      "      --syslog          alerts to syslog too\n"
	      "      --metrics ADDR:PORT  serve Prometheus metrics on /metrics\n"
	      "      --interval DUR    sample the counters every DUR (default 100ms)\n"
	      "      --settle DUR      wait DUR after an event before explaining it\n"
	      "                        (default 200ms)\n"
	      "      --set KEY=VALUE   apply a module setting (see latwatch config)\n"
	      "                        at start and whenever the module is loaded\n"
	      "      --state FILE      keep the place in the module's events in FILE\n"
	      "                        (default " LW_AGENT_STATE ";\n"
	      "                        none: do not): on start, first fetch the\n"
	      "                        events missed since the agent last ran, as\n"
	      "                        far as the module keeps them (replay_events)\n"
	      "      --wait-module     if the module is not loaded, sample the\n"
	      "                        counters and wait for it instead of exiting\n"
	      "  -h, --help            show this help\n", f);
}

/*
 * Command-line options; each is a config file key but -c, -h and
 * --replay-netlink.
 */
static const struct option agent_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "alert", required_argument, NULL, 'A' },
	{ "log", required_argument, NULL, 'L' },
	{ "exec", required_argument, NULL, 'E' },
	{ "exec-timeout", required_argument, NULL, 'T' },
	{ "metrics", required_argument, NULL, 'M' },
	{ "interval", required_argument, NULL, 'I' },
	{ "settle", required_argument, NULL, 'S' },
	{ "rate-limit", required_argument, NULL, 'R' },
	{ "syslog", no_argument, NULL, 'Y' },
	{ "set", required_argument, NULL, 'X' },
	{ "state", required_argument, NULL, 'P' },
	{ "wait-module", no_argument, NULL, 'W' },
	/* a developer's: see lw_open_recording() */
	{ "replay-netlink", required_argument, NULL, 'N' },
	{ NULL, 0, NULL, 0 },
};

static const char *agent_opt_key(int c)
{
	switch (c) {
	case 'j': return "json";
	case 'A': return "alert";
	case 'L': return "log";
	case 'E': return "exec";
	case 'T': return "exec_timeout";
	case 'M': return "metrics";
	case 'I': return "interval";
	case 'S': return "settle";
	case 'R': return "rate_limit";
	case 'Y': return "syslog";
	case 'P': return "state";
	case 'W': return "wait_module";
	}
	return NULL;
}

/*
 * Pass 1 (apply false) finds -c and -h; pass 2 applies the options over
 * what the config file gave. Returns LW_ARGS_OK or an exit code.
 */
static int agent_getopt(int argc, char **argv, struct lw_agent_opts *o,
			bool apply)
{
	char err[LW_ERR_LEN];
	const char *k, *v;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:jh", agent_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			if (!apply)
				lw_cmd_help(stdout, agent_usage);
			return LW_EXIT_OK;
		case 'c':
			o->config_file = optarg;
			continue;
		case 'N':
			o->replay = optarg;
			continue;
		case '?':
		case ':':
			return lw_bad_option(argv, "agent", "c:jh");
		}
		if (!apply)
			continue;
		k = agent_opt_key(c);
		v = optarg;
		if (c == 'j' || c == 'Y' || c == 'W')
			v = "yes";
		if (c == 'X') {
			if (lw_agent_opt_set_module(o, optarg, err,
						    sizeof(err))) {
				lw_err("agent: --set: %s", err);
				return LW_EXIT_USAGE;
			}
			continue;
		}
		if (lw_agent_opt_set(o, k, v, err, sizeof(err))) {
			lw_err("agent: %s", err);
			return LW_EXIT_USAGE;
		}
	}
	if (!apply)
		return LW_ARGS_OK;
	return lw_no_operands(argc, argv, "agent");
}

int agent_parse_args(int argc, char **argv, struct lw_agent_opts *o,
		     bool quiet_help)
{
	char err[LW_ERR_LEN];
	const char *path;
	int ret;

	lw_agent_opts_defaults(o);
	ret = agent_getopt(argc, argv, o, false);
	if (ret != LW_ARGS_OK) {
		if (ret == LW_EXIT_OK && quiet_help)
			ret = LW_ARGS_OK;
		return ret;
	}
	path = o->config_file ? o->config_file : LW_AGENT_CONF;
	ret = lw_conf_load(path, o, err, sizeof(err));
	if (ret == -ENOENT && !o->config_file) {
		ret = 0;
	} else if (ret) {
		lw_err("agent: %s", err);
		lw_agent_opts_free(o);
		return LW_EXIT_USAGE;
	}
	ret = agent_getopt(argc, argv, o, true);
	if (ret != LW_ARGS_OK)
		lw_agent_opts_free(o);
	return ret;
}
