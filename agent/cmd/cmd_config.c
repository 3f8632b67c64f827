// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/units.h"
#include "lib/utils.h"
#include "source/nl.h"

void config_usage(FILE *f)
{
	size_t i;

	fputs("usage: latwatch config [KEY=VALUE ...]\n"
	      "\n"
	      "Without arguments, print the configuration as KEY=VALUE lines.\n"
	      "With arguments, set all of them in one request (the kernel applies\n"
	      "all or none), then print the configuration.\n"
	      "\n"
	      "Keys:\n", f);
	for (i = 0; i < lw_cfg_nkeys; i++)
		fprintf(f, "  %s\n", lw_cfg_keys[i].name);
	fputs("\n"
	      "For a key ending in _us or _ms, VALUE is a whole number in that\n"
	      "unit, or a number with one of the units ns, us, ms, s (e.g. 500us,\n"
	      "1.5ms, 2s) that makes a whole number of it. For a key ending in\n"
	      "_enabled, VALUE is 1 or 0 (also on/off, yes/no, true/false) to\n"
	      "switch that detector on or off. max_events_per_sec is a whole\n"
	      "number: the events each CPU may send per second (0: no limit).\n"
	      "Keys the module does not know are not printed, and setting them\n"
	      "fails.\n"
	      "\n"
	      "  -h, --help   show this help\n", f);
}

int config_parse_args(int argc, char **argv, struct config_opts *o)
{
	char err[LW_ERR_LEN];
	int ret;

	memset(o, 0, sizeof(*o));
	ret = lw_parse_opts(argc, argv, "config", NULL, config_usage);
	if (ret != LW_ARGS_OK)
		return ret;
	for (; optind < argc; optind++) {
		if (lw_cfg_parse_arg(argv[optind], &o->set, err)) {
			lw_err("config: %s", err);
			return LW_EXIT_USAGE;
		}
	}
	return LW_ARGS_OK;
}

static int config_set(struct lw_nl *nl, const struct lw_cfg *cfg)
{
	int err = lw_nl_config_set(nl, cfg);

	if (err == -EINVAL || err == -ERANGE) {
		lw_err("config rejected by the kernel: %s",
		       nl->msg[0] ? nl->msg : strerror(-err));
		return LW_EXIT_USAGE;
	}
	return err ? lw_nl_fail(nl, err, "setting the configuration") : 0;
}

static int config_show(struct lw_nl *nl)
{
	struct lw_cfg cfg;
	int err = lw_nl_config_get(nl, &cfg);

	if (err)
		return lw_nl_fail(nl, err, "reading the configuration");
	lw_cfg_print(stdout, &cfg);
	return LW_EXIT_OK;
}

int cmd_config(int argc, char **argv)
{
	struct config_opts o;
	struct lw_nl nl;
	int ret, err;

	ret = config_parse_args(argc, argv, &o);
	if (ret != LW_ARGS_OK)
		return ret;
	err = lw_nl_open(&nl);
	if (err)
		return lw_nl_fail(&nl, err, "connecting to the module");
	ret = o.set.has ? config_set(&nl, &o.set) : 0;
	if (!ret)
		ret = config_show(&nl);
	lw_nl_close(&nl);
	return ret;
}
