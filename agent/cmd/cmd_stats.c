// SPDX-License-Identifier: GPL-2.0
#include "cmd/cmd.h"
#include "lib/utils.h"
#include "sink/stats_print.h"
#include "source/nl.h"

void stats_usage(FILE *f)
{
	fputs("usage: latwatch stats [--json]\n"
	      "\n"
	      "Print the per-CPU counters of the kernel module and their total:\n"
	      "  SAMPLES       sampler runs\n"
	      "  EVENTS        events recorded\n"
	      "  LOST          events that reached no subscriber: never recorded,\n"
	      "                RATELIMITED, or every send failed\n"
	      "  STALLS        gaps in which the (v)CPU itself did not run\n"
	      "  SOFTIRQ_LATE  softirqs late with no culprit seen (not reported)\n"
	      "  UNHEARD       events sent while nobody was subscribed\n"
	      "  DELIVERED     events that reached one subscriber at least\n"
	      "  RATELIMITED   events over max_events_per_sec, not sent\n"
	      "  IDLE_PAUSES   times the sampling timers stopped while the CPU\n"
	      "                idled (idle_pause)\n"
	      "  IDLE_NS       time they spent stopped, in ns, the pause going\n"
	      "                on now included\n"
	      "\n"
	      "Every event recorded is delivered, lost or unheard: once the module\n"
	      "has sent what it queued, EVENTS = DELIVERED + LOST + UNHEARD.\n"
	      "\n"
	      "  -j, --json   one JSON object: {\"cpus\":[...],\"total\":{...}}\n"
	      "  -h, --help   show this help\n", f);
}

int stats_parse_args(int argc, char **argv, struct stats_opts *o)
{
	int ret;

	o->json = false;
	ret = lw_parse_opts(argc, argv, "stats", &o->json, stats_usage);
	return ret == LW_ARGS_OK ? lw_no_operands(argc, argv, "stats") : ret;
}

int cmd_stats(int argc, char **argv)
{
	struct lw_stats stats = { 0 };
	struct stats_opts o;
	struct lw_nl nl;
	int ret, err;

	ret = stats_parse_args(argc, argv, &o);
	if (ret != LW_ARGS_OK)
		return ret;
	err = lw_nl_open(&nl);
	if (err)
		return lw_nl_fail(&nl, err, "connecting to the module");
	err = lw_nl_stats(&nl, &stats);
	if (err) {
		ret = lw_nl_fail(&nl, err, "reading the statistics");
	} else {
		lw_stats_sort(&stats);
		if (o.json)
			lw_stats_print_json(stdout, &stats);
		else
			lw_stats_print_text(stdout, &stats);
		ret = LW_EXIT_OK;
	}
	lw_stats_free(&stats);
	lw_nl_close(&nl);
	return ret;
}
