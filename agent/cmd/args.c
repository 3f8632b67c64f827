// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/utils.h"

static const struct option lw_opts_json[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};

static const struct option lw_opts_help[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int lw_bad_option(char **argv, const char *cmd, const char *shortopts)
{
	/* optopt: an unknown short option, or the val of a misused long one */
	if (optopt > 0 && optopt <= UCHAR_MAX && !strchr(shortopts, optopt))
		lw_err("%s: bad option '-%c' (see latwatch %s --help)",
		       cmd, optopt, cmd);
	else
		lw_err("%s: bad option '%s' (see latwatch %s --help)",
		       cmd, argv[optind - 1], cmd);
	return LW_EXIT_USAGE;
}

int lw_parse_opts(int argc, char **argv, const char *cmd, bool *json,
		  void (*usage)(FILE *f))
{
	const char *shortopts = json ? "hj" : "h";
	int c;

	optind = 0;	/* a full reset: parsers may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts,
				json ? lw_opts_json : lw_opts_help, NULL)) != -1) {
		switch (c) {
		case 'h':
			lw_cmd_help(stdout, usage);
			return LW_EXIT_OK;
		case 'j':
			*json = true;
			break;
		default:
			return lw_bad_option(argv, cmd, shortopts);
		}
	}
	return LW_ARGS_OK;
}

int lw_no_operands(int argc, char **argv, const char *cmd)
{
	if (optind < argc) {
		lw_err("%s: unexpected argument '%s' (see latwatch %s --help)",
		       cmd, argv[optind], cmd);
		return LW_EXIT_USAGE;
	}
	return LW_ARGS_OK;
}

int lw_open_recording(const char *cmd, const char *path)
{
	int fd, flags;

	if (!strcmp(path, "-"))
		path = "/dev/stdin";
	/*
	 * Without O_NONBLOCK: a named pipe opens once a writer has it, and
	 * does not read as ended before. A pipe of its own then, so that
	 * O_NONBLOCK is not the writer's too.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lw_err("%s: --replay-netlink %s: %s", cmd, lw_show(path).s,
		       strerror(errno));
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK)) {
		lw_err("%s: --replay-netlink %s: %s", cmd, lw_show(path).s,
		       strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void lw_exit_codes_usage(FILE *f)
{
	fputs("\n"
	      "Exit codes:\n"
	      "  0  success\n"
	      "  1  runtime error\n"
	      "  2  bad usage: unknown command or option, bad value (also a CPU\n"
	      "     the histograms do not have), or a value the kernel rejected\n"
	      "  3  the latwatch kernel module is not loaded\n"
	      "  4  permission denied: latwatch needs CAP_NET_ADMIN\n", f);
}

void lw_cmd_help(FILE *f, void (*usage)(FILE *f))
{
	usage(f);
	lw_exit_codes_usage(f);
	fputs("\nSee latwatch --help for all commands.\n", f);
}
