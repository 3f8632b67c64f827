// SPDX-License-Identifier: GPL-2.0
#include "testutil.h"
#include "cmd/cmd.h"
#include "lib/utils.h"

#include <unistd.h>

#include <latwatch/latwatch.h>

#define ARGC(a)	((int)(sizeof(a) / sizeof((a)[0])) - 1)

/* stdout and stderr of a parser, caught in temporary files. */
static FILE *out_tmp, *err_tmp;
static int out_fd, err_fd;

static void begin(void)
{
	fflush(stdout);
	fflush(stderr);
	out_tmp = tmpfile();
	err_tmp = tmpfile();
	assert_non_null(out_tmp);
	assert_non_null(err_tmp);
	out_fd = dup(1);
	err_fd = dup(2);
	dup2(fileno(out_tmp), 1);
	dup2(fileno(err_tmp), 2);
}

static void slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Restore stdout and stderr; return what the parser wrote to them. */
static void end(char *out, char *err, size_t size)
{
	fflush(stdout);
	fflush(stderr);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	close(out_fd);
	close(err_fd);
	slurp(out_tmp, out, size);
	slurp(err_tmp, err, size);
}

/* A usage error: one line on stderr, "latwatch: " first, nothing on stdout. */
static void assert_usage_error(const char *out, const char *err,
			       const char *want)
{
	assert_string_equal(out, "");
	assert_true(!strncmp(err, "latwatch: ", 10));
	assert_non_null(strstr(err, want));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
}

#define PARSE(fn, argv, o, out, err)					\
	(begin(), ret = fn(ARGC(argv), argv, o), end(out, err, sizeof(out)), ret)

static void test_watch(void **state)
{
	char *none[] = { "watch", NULL };
	char *json[] = { "watch", "--json", NULL };
	char *j[] = { "watch", "-j", NULL };
	char *bad[] = { "watch", "--jsn", NULL };
	char *extra[] = { "watch", "now", NULL };
	char *help[] = { "watch", "--help", NULL };
	char out[8192], err[8192];
	struct watch_opts o;
	int ret;

	(void)state;
	assert_int_equal(watch_parse_args(ARGC(none), none, &o), LW_ARGS_OK);
	assert_false(o.json);
	assert_int_equal(watch_parse_args(ARGC(json), json, &o), LW_ARGS_OK);
	assert_true(o.json);
	assert_int_equal(watch_parse_args(ARGC(j), j, &o), LW_ARGS_OK);
	assert_true(o.json);
	assert_int_equal(PARSE(watch_parse_args, bad, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'--jsn'");
	assert_int_equal(PARSE(watch_parse_args, extra, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'now'");
	assert_int_equal(PARSE(watch_parse_args, help, &o, out, err),
			 LW_EXIT_OK);
	assert_string_equal(err, "");
	assert_non_null(strstr(out, "--json"));
	assert_non_null(strstr(out, "Exit codes"));
	/* state does not leak from one parse to the next */
	assert_int_equal(watch_parse_args(ARGC(none), none, &o), LW_ARGS_OK);
	assert_false(o.json);
	assert_null(o.replay);
}

/*
 * The developer option --replay-netlink: taken, left out of the usage,
 * and nothing to fetch from a recording.
 */
static void test_watch_replay(void **state)
{
	char *replay[] = { "watch", "--replay-netlink", "-", "-j", NULL };
	char *since[] = { "watch", "--replay-netlink", "rec", "--since-last",
			  NULL };
	char *help[] = { "watch", "--help", NULL };
	char out[8192], err[8192];
	struct watch_opts o;
	int ret;

	(void)state;
	assert_int_equal(watch_parse_args(ARGC(replay), replay, &o),
			 LW_ARGS_OK);
	assert_string_equal(o.replay, "-");
	assert_true(o.json);
	assert_int_equal(PARSE(watch_parse_args, since, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "--since-last");
	assert_int_equal(PARSE(watch_parse_args, help, &o, out, err),
			 LW_EXIT_OK);
	assert_null(strstr(out, "replay-netlink"));
}

static void test_stats(void **state)
{
	char *json[] = { "stats", "--json", NULL };
	char *bad[] = { "stats", "-x", NULL };
	char *extra[] = { "stats", "--json", "0", NULL };
	char out[8192], err[8192];
	struct stats_opts o;
	int ret;

	(void)state;
	assert_int_equal(stats_parse_args(ARGC(json), json, &o), LW_ARGS_OK);
	assert_true(o.json);
	assert_int_equal(PARSE(stats_parse_args, bad, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'-x'");
	assert_int_equal(PARSE(stats_parse_args, extra, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'0'");
}

static void test_config(void **state)
{
	char *none[] = { "config", NULL };
	char *set[] = { "config", "irqoff_threshold_us=10ms",
			"sample_period_us=500us", NULL };
	char *json[] = { "config", "--json", NULL };
	char *badval[] = { "config", "sample_period_us=1", "irqoff_threshold_us=x",
			   NULL };
	char *noeq[] = { "config", "sample_period_us", NULL };
	char *badms[] = { "config", "hung_threshold_ms=1500us", NULL };
	char *help[] = { "config", "sample_period_us=1", "--help", NULL };
	char out[8192], err[8192];
	struct config_opts o;
	int ret;

	(void)state;
	assert_int_equal(config_parse_args(ARGC(none), none, &o), LW_ARGS_OK);
	assert_int_equal(o.set.has, 0);
	assert_int_equal(config_parse_args(ARGC(set), set, &o), LW_ARGS_OK);
	assert_int_equal(o.set.has, 5);
	assert_int_equal(o.set.val[0], 10000);
	assert_int_equal(o.set.val[2], 500);
	assert_int_equal(PARSE(config_parse_args, json, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'--json'");
	assert_int_equal(PARSE(config_parse_args, badval, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "irqoff_threshold_us: 'x': not a number");
	assert_int_equal(PARSE(config_parse_args, noeq, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "expected KEY=VALUE");
	assert_int_equal(PARSE(config_parse_args, badms, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "not a whole number of ms");
	assert_int_equal(PARSE(config_parse_args, help, &o, out, err),
			 LW_EXIT_OK);
	assert_non_null(strstr(out, "sample_period_us"));
	assert_non_null(strstr(out, "hung_enabled"));
	assert_non_null(strstr(out, "max_events_per_sec"));
	assert_non_null(strstr(out, "Exit codes"));
}

static void test_hist(void **state)
{
	char *none[] = { "hist", NULL };
	char *all[] = { "hist", "--type", "softirq", "--cpu=3", "-j", NULL };
	char *types[] = { "hist", "--type=irqoff", "--type", "hardirq", NULL };
	char *reset[] = { "hist", "--reset", NULL };
	char *badtype[] = { "hist", "--type", "hung", NULL };
	char *nosuch[] = { "hist", "--type=irq", NULL };
	char *notype[] = { "hist", "--type", NULL };
	char *badcpu[] = { "hist", "--cpu", "-1", NULL };
	char *bigcpu[] = { "hist", "--cpu", "4294967296", NULL };
	char *hexcpu[] = { "hist", "--cpu", "0x1", NULL };
	char *resetjson[] = { "hist", "--reset", "--json", NULL };
	char *resetcpu[] = { "hist", "--cpu", "0", "--reset", NULL };
	char *resetarg[] = { "hist", "--reset=yes", NULL };
	char *bad[] = { "hist", "-t", "irqoff", NULL };
	char *extra[] = { "hist", "irqoff", NULL };
	char *help[] = { "hist", "--help", NULL };
	char out[8192], err[8192];
	struct hist_opts o;
	int ret;

	(void)state;
	assert_int_equal(hist_parse_args(ARGC(all), all, &o), LW_ARGS_OK);
	assert_true(o.json);
	assert_false(o.reset);
	assert_int_equal(o.type, LATWATCH_EV_SOFTIRQ);
	assert_true(o.one_cpu);
	assert_int_equal(o.cpu, 3);
	/* state does not leak from one parse to the next */
	assert_int_equal(hist_parse_args(ARGC(none), none, &o), LW_ARGS_OK);
	assert_false(o.json);
	assert_int_equal(o.type, LATWATCH_EV_UNSPEC);
	assert_false(o.one_cpu);
	assert_int_equal(hist_parse_args(ARGC(types), types, &o), LW_ARGS_OK);
	assert_int_equal(o.type, LATWATCH_EV_HARDIRQ);
	assert_int_equal(hist_parse_args(ARGC(reset), reset, &o), LW_ARGS_OK);
	assert_true(o.reset);

	assert_int_equal(PARSE(hist_parse_args, badtype, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "unknown type 'hung'");
	assert_int_equal(PARSE(hist_parse_args, nosuch, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "unknown type 'irq'");
	assert_int_equal(PARSE(hist_parse_args, notype, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'--type' needs a value");
	assert_int_equal(PARSE(hist_parse_args, badcpu, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "bad CPU '-1'");
	assert_int_equal(PARSE(hist_parse_args, bigcpu, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "bad CPU '4294967296'");
	assert_int_equal(PARSE(hist_parse_args, hexcpu, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "bad CPU '0x1'");
	assert_int_equal(PARSE(hist_parse_args, resetjson, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "--reset goes with no other option");
	assert_int_equal(PARSE(hist_parse_args, resetcpu, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "--reset goes with no other option");
	assert_int_equal(PARSE(hist_parse_args, resetarg, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'--reset=yes'");
	assert_int_equal(PARSE(hist_parse_args, bad, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'-t'");
	assert_int_equal(PARSE(hist_parse_args, extra, &o, out, err),
			 LW_EXIT_USAGE);
	assert_usage_error(out, err, "'irqoff'");
	assert_int_equal(PARSE(hist_parse_args, help, &o, out, err),
			 LW_EXIT_OK);
	assert_string_equal(err, "");
	assert_non_null(strstr(out, "irqoff, softirqoff, softirq, timer, hardirq\n"));
	assert_non_null(strstr(out, "--reset"));
	assert_non_null(strstr(out, "Exit codes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_watch_replay),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_hist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
