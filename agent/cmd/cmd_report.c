// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/utils.h"
#include "report/report.h"

/* Long options without a short one: vals past any character. */
enum {
	REPORT_OPT_FOLDED = 256,
	REPORT_OPT_TOP,
};

#define REPORT_SHORTOPTS	":hj"

static const struct option report_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "folded", no_argument, NULL, REPORT_OPT_FOLDED },
	{ "top", required_argument, NULL, REPORT_OPT_TOP },
	{ NULL, 0, NULL, 0 },
};

void report_usage(FILE *f)
{
	fprintf(f, "usage: latwatch report [--top N] [--json | --folded] FILE\n"
	      "\n"
	      "Summarise a log of JSON lines as \"latwatch watch --json\" and\n"
	      "\"latwatch agent --json\" print them, or the agent's alert log;\n"
	      "FILE \"-\" is the standard input. Prints the time span, the events\n"
	      "by type and by CPU, the signatures with the longest total duration\n"
	      "(count, total, max and mean duration, first and last time, a\n"
	      "verdict, the stack of the worst one), the periodic signatures and\n"
	      "the worst windows. Lines that are not events are counted and\n"
	      "skipped. At most %u signatures are told apart, the events of\n"
	      "any others are counted together.\n"
	      "\n"
	      "      --top N   the N signatures and windows with the most time\n"
	      "                (1 to %u, default %u)\n"
	      "  -j, --json    the same as one JSON object\n"
	      "      --folded  folded stacks for flamegraph.pl instead: a line\n"
	      "                per stack, \"TYPE;outermost;...;culprit MS\", MS the\n"
	      "                total duration in ms (at least 1)\n"
	      "  -h, --help    show this help\n", LW_REPORT_MAX_SIGS,
		LW_REPORT_TOP_MAX, LW_REPORT_TOP_DEFAULT);
}

static int report_top(const char *s, struct report_opts *o)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || n < 1 ||
	    n > LW_REPORT_TOP_MAX) {
		lw_err("report: bad --top '%s': expected a number from 1 to %u",
		       s, LW_REPORT_TOP_MAX);
		return LW_EXIT_USAGE;
	}
	o->top = (unsigned int)n;
	return LW_ARGS_OK;
}

/* One option from getopt_long(): LW_ARGS_OK or the exit code. */
static int report_opt(int c, char **argv, struct report_opts *o)
{
	switch (c) {
	case 'h':
		lw_cmd_help(stdout, report_usage);
		return LW_EXIT_OK;
	case 'j':
		o->json = true;
		return LW_ARGS_OK;
	case REPORT_OPT_FOLDED:
		o->folded = true;
		return LW_ARGS_OK;
	case REPORT_OPT_TOP:
		return report_top(optarg, o);
	case ':':
		lw_err("report: option '%s' needs a value (see latwatch report --help)",
		       argv[optind - 1]);
		return LW_EXIT_USAGE;
	}
	return lw_bad_option(argv, "report", REPORT_SHORTOPTS);
}

int report_parse_args(int argc, char **argv, struct report_opts *o)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->top = LW_REPORT_TOP_DEFAULT;
	optind = 0;	/* a full reset: parsers may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, REPORT_SHORTOPTS, report_opts,
				NULL)) != -1) {
		ret = report_opt(c, argv, o);
		if (ret != LW_ARGS_OK)
			return ret;
	}
	if (o->json && o->folded) {
		lw_err("report: --json and --folded do not go together (see latwatch report --help)");
		return LW_EXIT_USAGE;
	}
	if (optind >= argc) {
		lw_err("report: no FILE given (see latwatch report --help)");
		return LW_EXIT_USAGE;
	}
	o->file = argv[optind++];
	return lw_no_operands(argc, argv, "report");
}

int report_run(const struct report_opts *o, FILE *out)
{
	bool std = !strcmp(o->file, "-");
	const char *name = std ? "the standard input" : o->file;
	struct lw_report *r;
	FILE *f;
	int ret = LW_EXIT_OK;

	f = std ? stdin : fopen(o->file, "r");
	if (!f) {
		lw_err("report: cannot open '%s': %s", o->file, strerror(errno));
		return LW_EXIT_ERROR;
	}
	r = lw_report_new(o->top, o->folded);
	if (!r) {
		lw_err("report: %s", strerror(ENOMEM));
		ret = LW_EXIT_ERROR;
	} else if (lw_report_read(r, f)) {
		lw_err("report: cannot read %s%s%s: %s", std ? "" : "'", name,
		       std ? "" : "'", strerror(errno));
		ret = LW_EXIT_ERROR;
	} else if (o->folded) {
		lw_report_print_folded(r, out);
		lw_report_print_skipped(r, stderr, LW_PROG ": report: ");
		if (lw_report_folded_other(r))
			lw_err("report: %llu events of stacks past the first %u are in 'TYPE;[other stacks]'",
			       (unsigned long long)lw_report_folded_other(r),
			       LW_REPORT_MAX_FOLDED);
	} else if (o->json) {
		lw_report_print_json(r, out);
	} else {
		lw_report_print_text(r, out);
	}
	lw_report_free(r);
	if (!std)
		fclose(f);
	else
		clearerr(f);
	if (ret == LW_EXIT_OK && (fflush(out) || ferror(out))) {
		lw_err("report: cannot write the report: %s", strerror(errno));
		ret = LW_EXIT_ERROR;
	}
	return ret;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	int ret;

	ret = report_parse_args(argc, argv, &o);
	if (ret != LW_ARGS_OK)
		return ret;
	return report_run(&o, stdout);
}
