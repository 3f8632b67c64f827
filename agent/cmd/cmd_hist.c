// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/utils.h"
#include "sink/hist_print.h"
#include "source/modevent.h"
#include "source/nl.h"

/* Long options without a short one: vals past any character. */
enum {
	HIST_OPT_TYPE = 256,
	HIST_OPT_CPU,
	HIST_OPT_RESET,
};

#define HIST_SHORTOPTS	":hj"

static const struct option hist_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "type", required_argument, NULL, HIST_OPT_TYPE },
	{ "cpu", required_argument, NULL, HIST_OPT_CPU },
	{ "reset", no_argument, NULL, HIST_OPT_RESET },
	{ NULL, 0, NULL, 0 },
};

void hist_usage(FILE *f)
{
	const char *sep = "";
	uint32_t t;

	fputs("usage: latwatch hist [--type TYPE] [--cpu N] [--json]\n"
	      "       latwatch hist --reset\n"
	      "\n"
	      "Print the histograms of event durations the kernel module keeps, one\n"
	      "per event type, summed over all CPUs unless --cpu is given. The\n"
	      "buckets are powers of two of microseconds: \"512 -> 1023\" counts\n"
	      "durations from 512 us to under 1024 us. Only the buckets from the\n"
	      "first to the last that is not empty are printed.\n"
	      "\n"
	      "      --type TYPE  only this type: ", f);
	for (t = 0; t <= LATWATCH_EV_MAX; t++) {
		if (!lw_event_types[t].hist)
			continue;
		fprintf(f, "%s%s", sep, lw_event_types[t].name);
		sep = ", ";
	}
	fputs("\n"
	      "      --cpu N      only CPU N\n"
	      "  -j, --json       one JSON object: {\"histograms\":[{\"type\":...,\n"
	      "                   \"cpu\":\"all\" or N,\"unit\":\"us\",\"buckets\":\n"
	      "                   [{\"low\":...,\"high\":...,\"count\":...},...]},...]}\n"
	      "                   with the buckets that are not empty\n"
	      "      --reset      clear every histogram, print nothing; no other\n"
	      "                   option goes with it\n"
	      "  -h, --help       show this help\n", f);
}

static int hist_type(const char *name, struct hist_opts *o)
{
	uint32_t t = lw_event_type_find(name);

	if (t == LATWATCH_EV_UNSPEC || !lw_event_types[t].hist) {
		lw_err("hist: unknown type '%s' (see latwatch hist --help)", name);
		return LW_EXIT_USAGE;
	}
	o->type = t;
	return LW_ARGS_OK;
}

static int hist_cpu(const char *s, struct hist_opts *o)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || n > UINT32_MAX) {
		lw_err("hist: bad CPU '%s': expected a CPU number", s);
		return LW_EXIT_USAGE;
	}
	o->one_cpu = true;
	o->cpu = (uint32_t)n;
	return LW_ARGS_OK;
}

/* One option from getopt_long(): LW_ARGS_OK or the exit code. */
static int hist_opt(int c, char **argv, struct hist_opts *o)
{
	switch (c) {
	case 'h':
		lw_cmd_help(stdout, hist_usage);
		return LW_EXIT_OK;
	case 'j':
		o->json = true;
		return LW_ARGS_OK;
	case HIST_OPT_TYPE:
		return hist_type(optarg, o);
	case HIST_OPT_CPU:
		return hist_cpu(optarg, o);
	case HIST_OPT_RESET:
		o->reset = true;
		return LW_ARGS_OK;
	case ':':
		lw_err("hist: option '%s' needs a value (see latwatch hist --help)",
		       argv[optind - 1]);
		return LW_EXIT_USAGE;
	}
	return lw_bad_option(argv, "hist", HIST_SHORTOPTS);
}

int hist_parse_args(int argc, char **argv, struct hist_opts *o)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	optind = 0;	/* a full reset: parsers may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, HIST_SHORTOPTS, hist_opts,
				NULL)) != -1) {
		ret = hist_opt(c, argv, o);
		if (ret != LW_ARGS_OK)
			return ret;
	}
	if (o->reset && (o->json || o->type != LATWATCH_EV_UNSPEC || o->one_cpu)) {
		lw_err("hist: --reset goes with no other option (see latwatch hist --help)");
		return LW_EXIT_USAGE;
	}
	return lw_no_operands(argc, argv, "hist");
}

static int hist_reset(struct lw_nl *nl)
{
	int err = lw_nl_hist_reset(nl);

	return err ? lw_nl_fail(nl, err, "resetting the histograms") : LW_EXIT_OK;
}

static int hist_show(struct lw_nl *nl, const struct hist_opts *o)
{
	struct lw_hists hists;
	int err;

	lw_hists_init(&hists, o->type, o->one_cpu, o->cpu);
	err = lw_nl_hist(nl, &hists);
	if (err)
		return lw_nl_fail(nl, err, "reading the histograms");
	if (o->one_cpu && !hists.cpu_seen) {
		lw_err("hist: no histograms of CPU %u", o->cpu);
		return LW_EXIT_USAGE;
	}
	if (o->json)
		lw_hists_print_json(stdout, &hists);
	else
		lw_hists_print_text(stdout, &hists);
	return LW_EXIT_OK;
}

int cmd_hist(int argc, char **argv)
{
	struct hist_opts o;
	struct lw_nl nl;
	int ret, err;

	ret = hist_parse_args(argc, argv, &o);
	if (ret != LW_ARGS_OK)
		return ret;
	err = lw_nl_open(&nl);
	if (err)
		return lw_nl_fail(&nl, err, "connecting to the module");
	ret = o.reset ? hist_reset(&nl) : hist_show(&nl, &o);
	lw_nl_close(&nl);
	return ret;
}
