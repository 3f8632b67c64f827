// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "cmd/agent_conf.h"

#define MS	1000000ull
#define S	1000000000ull

static char dir[] = "/tmp/lw-agent-conf-XXXXXX";
static char path[sizeof(dir) + 16];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/lw.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void write_conf(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void load_ok(const char *text, struct lw_agent_opts *o)
{
	char err[LW_ERR_LEN] = "";

	write_conf(text, strlen(text));
	lw_agent_opts_defaults(o);
	if (lw_conf_load(path, o, err, sizeof(err)))
		fail_msg("%s", err);
}

/* text fails at line with an error that says want. */
static void load_bad_n(const char *text, size_t len, unsigned int line,
		       const char *want)
{
	struct lw_agent_opts o;
	char err[LW_ERR_LEN] = "", prefix[sizeof(path) + 16];

	write_conf(text, len);
	lw_agent_opts_defaults(&o);
	assert_int_equal(lw_conf_load(path, &o, err, sizeof(err)), -EINVAL);
	lw_agent_opts_free(&o);
	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, line);
	if (strncmp(err, prefix, strlen(prefix)))
		fail_msg("error '%s' does not start with '%s'", err, prefix);
	if (!strstr(err, want))
		fail_msg("error '%s' does not say '%s'", err, want);
	assert_null(strchr(err, '\n'));
}

static void load_bad(const char *text, unsigned int line, const char *want)
{
	load_bad_n(text, strlen(text), line, want);
}

static int module_key(const char *name)
{
	size_t i;

	for (i = 0; i < lw_cfg_nkeys; i++)
		if (!strcmp(lw_cfg_keys[i].name, name))
			return (int)i;
	fail_msg("no module key %s", name);
	return -1;
}

static void test_defaults(void **state)
{
	struct lw_agent_opts o;

	(void)state;
	memset(&o, 0x5a, sizeof(o));
	lw_agent_opts_defaults(&o);
	assert_null(o.config_file);
	assert_false(o.json);
	assert_false(o.syslog);
	assert_false(o.wait_module);
	assert_int_equal(o.nrules, 0);
	assert_null(o.log_file);
	assert_null(o.exec_cmd);
	assert_null(o.metrics_addr);
	assert_true(o.exec_timeout_ns == 10 * S);
	assert_true(o.interval_ns == 100 * MS);
	assert_true(o.settle_ns == 200 * MS);
	assert_true(o.alert_window_ns == 60 * S);
	assert_int_equal(o.module.has, 0);
	lw_agent_opts_free(&o);
}

static void test_all_keys(void **state)
{
	struct lw_agent_opts o;
	int k;

	(void)state;
	load_ok("# latwatch agent\n"
		"\n"
		"   # indented comment\n"
		"alert = irqoff>=20ms\n"
		"alert=softirqoff >= 50ms\n"
		"  alert   =   nicdrop>0   # a comment\n"
		"log = /var/log/latwatch/alerts.json\n"
		"exec = logger -t latwatch\n"
		"exec_timeout = 5s\n"
		"metrics = 127.0.0.1:9101\n"
		"interval = 50ms\n"
		"settle = 0.3s\n"
		"rate_limit = 120s\n"
		"json = yes\n"
		"syslog = true\n"
		"wait_module = yes\n"
		"module.irqoff_threshold_us = 20000\n"
		"module.hung_enabled = off\n"
		"module.hung_threshold_ms = 30s\n"
		"module.max_events_per_sec = 200\n", &o);
	assert_int_equal(o.nrules, 3);
	assert_string_equal(o.rules[0].text, "irqoff>=20ms");
	assert_string_equal(o.rules[1].text, "softirqoff>=50ms");
	assert_string_equal(o.rules[2].text, "nicdrop>0");
	assert_string_equal(o.log_file, "/var/log/latwatch/alerts.json");
	assert_string_equal(o.exec_cmd, "logger -t latwatch");
	assert_true(o.exec_timeout_ns == 5 * S);
	assert_string_equal(o.metrics_addr, "127.0.0.1:9101");
	assert_true(o.interval_ns == 50 * MS);
	assert_true(o.settle_ns == 300 * MS);
	assert_true(o.alert_window_ns == 120 * S);
	assert_true(o.json);
	assert_true(o.syslog);
	assert_true(o.wait_module);
	k = module_key("irqoff_threshold_us");
	assert_true(o.module.has & (1u << k));
	assert_int_equal(o.module.val[k], 20000);
	k = module_key("hung_enabled");
	assert_true(o.module.has & (1u << k));
	assert_int_equal(o.module.val[k], 0);
	k = module_key("hung_threshold_ms");
	assert_true(o.module.has & (1u << k));
	assert_int_equal(o.module.val[k], 30000);
	k = module_key("max_events_per_sec");
	assert_true(o.module.has & (1u << k));
	assert_int_equal(o.module.val[k], 200);
	assert_int_equal(__builtin_popcount(o.module.has), 4);
	lw_agent_opts_free(&o);
}

static void test_empty_file(void **state)
{
	struct lw_agent_opts o;

	(void)state;
	load_ok("", &o);
	assert_int_equal(o.nrules, 0);
	assert_true(o.interval_ns == 100 * MS);
	lw_agent_opts_free(&o);
	load_ok("# only comments\n\n   \n\t# more\n", &o);
	assert_int_equal(o.nrules, 0);
	assert_null(o.log_file);
	lw_agent_opts_free(&o);
}

static void test_quoting(void **state)
{
	struct lw_agent_opts o;

	(void)state;
	load_ok("exec = \"logger -t latwatch  # not a comment\"   # a comment\n"
		"log = \"/tmp/with space/a \\\"b\\\" \\\\ c\\d.json\"\n"
		"metrics=\"[::1]:9101\"\n", &o);
	assert_string_equal(o.exec_cmd, "logger -t latwatch  # not a comment");
	assert_string_equal(o.log_file, "/tmp/with space/a \"b\" \\ c\\d.json");
	assert_string_equal(o.metrics_addr, "[::1]:9101");
	lw_agent_opts_free(&o);

	/* Without quotes '#' is a comment only at the start or after a space. */
	load_ok("log = /tmp/a#b.json\n"
		"exec = cat>/tmp/x\t# comment\n"
		"alert = \"hung >= 10s\"\n", &o);
	assert_string_equal(o.log_file, "/tmp/a#b.json");
	assert_string_equal(o.exec_cmd, "cat>/tmp/x");
	assert_string_equal(o.rules[0].text, "hung>=10s");
	lw_agent_opts_free(&o);

	/* CRLF line ends, and a last line without one. */
	load_ok("interval = 10ms\r\nexec = \"a b\"\r\nsettle = 1s", &o);
	assert_true(o.interval_ns == 10 * MS);
	assert_string_equal(o.exec_cmd, "a b");
	assert_true(o.settle_ns == S);
	lw_agent_opts_free(&o);
}

static void test_errors(void **state)
{
	static const char nul[] = "log = a\nexec = b\0c\n";
	char line[LW_CONF_LINE_MAX + 64];

	(void)state;
	load_bad("# c\n\nbogus_key = 1\n", 3, "unknown key 'bogus_key'");
	load_bad("alert = irqoff>=20ms\nalert = irqof>=20ms\n", 2,
		 "bad alert rule 'irqof>=20ms': unknown event type 'irqof' (irqoff,");
	load_bad("alert = irqoff>=20\n", 1, "needs a unit");
	load_bad("alert = irqoff>=20ms\n#\nalert = irqoff >= 20000us\n", 3,
		 "alert rule 'irqoff>=20ms' given twice");
	load_bad("interval = 100ms\n\n\ninterval = 200ms\n", 4,
		 "interval given twice (first on line 1)");
	load_bad("exec = a\nlog = b\nexec = c\n", 3,
		 "exec given twice (first on line 1)");
	load_bad("module.hung_enabled = 1\nmodule.hung_enabled = 0\n", 2,
		 "module.hung_enabled given twice (first on line 1)");
	load_bad("module.bogus = 1\n", 1, "unknown module key 'module.bogus'");
	load_bad("module.irqoff_threshold_us = abc\n", 1,
		 "bad value for irqoff_threshold_us: 'abc'");
	load_bad("module.hung_enabled = maybe\n", 1,
		 "bad value for hung_enabled: 'maybe'");
	load_bad("module.max_events_per_sec = -1\n", 1,
		 "bad value for max_events_per_sec: '-1': expected a whole number");
	load_bad("interval = 100\n", 1,
		 "bad value for interval: '100': needs a unit (ns, us, ms or s)");
	load_bad("settle = 100 ms\n", 1, "no spaces allowed");
	load_bad("rate_limit = -1s\n", 1, "negative value");
	load_bad("exec_timeout = 10x\n", 1, "unknown unit");
	load_bad("interval = 0ms\n", 1, "less than 1 ms");
	load_bad("interval = 61s\n", 1, "more than 60 s");
	load_bad("exec_timeout = 3601s\n", 1, "more than 1 h");
	load_bad("rate_limit = 86401s\n", 1, "more than 1 day");
	load_bad("json = maybe\n", 1,
		 "bad value for json: 'maybe': expected yes or no");
	load_bad("syslog = 2\n", 1, "bad value for syslog: '2'");
	load_bad("metrics = 9101\n", 1, "expected ADDR:PORT");
	load_bad("metrics = ::1:9101\n", 1, "IPv6 address goes in brackets");
	load_bad("metrics = 127.0.0.1:99999\n", 1, "more than 65535");
	load_bad("metrics = :9101\n", 1, "missing address");
	load_bad("metrics = 300.1.1.1:9101\n", 1, "bad IPv4 address");
	load_bad("metrics = [fe80::zz]:9101\n", 1, "bad IPv6 address");
	load_bad("metrics = localhost:\n", 1, "missing port");
	load_bad("metrics = localhost:http\n", 1, "not a number");
	load_bad("metrics = localhost:0\n", 1, "the port is 0");
	load_bad("metrics = a/b:80\n", 1, "bad character");
	load_bad("log =\n", 1, "empty value for log");
	load_bad("exec = \"\"\n", 1, "empty value for exec");
	load_bad("exec = # nothing\n", 1, "empty value for exec");
	load_bad("just words\n", 1, "expected KEY = VALUE, got 'just words'");
	load_bad(" = value\n", 1, "missing key before '='");
	load_bad("exec = \"logger -t latwatch\n", 1, "missing closing quote");
	load_bad("exec = \"a\\\"\n", 1, "missing closing quote");
	load_bad("exec = \"a\" b\n", 1, "unexpected 'b' after the closing quote");
	load_bad("ALERT = irqoff>=1ms\n", 1, "unknown key 'ALERT'");
	load_bad("exec-timeout = 1s\n", 1, "unknown key 'exec-timeout'");
	load_bad_n(nul, sizeof(nul) - 1, 2, "NUL byte");

	memset(line, 'x', sizeof(line));
	memcpy(line, "# c\nexec = ", 11);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	load_bad(line, 2, "line longer than 4096 bytes");
}

static void test_line_max(void **state)
{
	char text[LW_CONF_LINE_MAX + 2];
	struct lw_agent_opts o;
	size_t n = LW_CONF_LINE_MAX;

	(void)state;
	/* A line of exactly LW_CONF_LINE_MAX bytes is fine. */
	memset(text, 'y', n);
	memcpy(text, "exec = ", 7);
	text[n] = '\n';
	text[n + 1] = '\0';
	load_ok(text, &o);
	assert_int_equal(strlen(o.exec_cmd), n - 7);
	lw_agent_opts_free(&o);
}

static void test_too_many_rules(void **state)
{
	char text[LW_AGENT_MAX_RULES * 32 + 64];
	struct lw_agent_opts o;
	size_t n = 0;
	int i;

	(void)state;
	for (i = 0; i < LW_AGENT_MAX_RULES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "alert = irqoff>=%dms\n", i + 1);
	load_ok(text, &o);
	assert_int_equal(o.nrules, LW_AGENT_MAX_RULES);
	assert_string_equal(o.rules[LW_AGENT_MAX_RULES - 1].text,
			    "irqoff>=32ms");
	lw_agent_opts_free(&o);
	snprintf(text + n, sizeof(text) - n, "alert = hung>=1s\n");
	load_bad(text, LW_AGENT_MAX_RULES + 1, "too many alert rules (at most 32)");
}

static void test_missing(void **state)
{
	struct lw_agent_opts o;
	char err[LW_ERR_LEN] = "", want[sizeof(path) + 64];

	(void)state;
	unlink(path);
	lw_agent_opts_defaults(&o);
	assert_int_equal(lw_conf_load(path, &o, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);

	/* A directory cannot be read. */
	assert_int_equal(lw_conf_load(dir, &o, err, sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	assert_string_equal(err, want);
	lw_agent_opts_free(&o);
}

/* The command line after the file: scalars override, rules add up. */
static void test_command_line(void **state)
{
	struct lw_agent_opts o;
	char err[LW_ERR_LEN] = "";
	int k = module_key("softirqoff_threshold_us");
	int h = module_key("hung_enabled");

	(void)state;
	load_ok("alert = irqoff>=20ms\nlog = /a\ninterval = 50ms\n"
		"module.softirqoff_threshold_us = 10000\n"
		"module.hung_enabled = 0\njson = yes\n", &o);
	assert_int_equal(lw_agent_opt_set(&o, "alert", "hung>=10s", err,
					  sizeof(err)), 0);
	assert_int_equal(lw_agent_opt_set(&o, "log", "/b", err, sizeof(err)), 0);
	assert_int_equal(lw_agent_opt_set(&o, "interval", "20ms", err,
					  sizeof(err)), 0);
	assert_int_equal(lw_agent_opt_set(&o, "interval", "30ms", err,
					  sizeof(err)), 0);
	assert_int_equal(lw_agent_opt_set(&o, "json", "no", err, sizeof(err)), 0);
	assert_int_equal(lw_agent_opt_set_module(&o, "softirqoff_threshold_us=20ms",
						 err, sizeof(err)), 0);
	assert_int_equal(o.nrules, 2);
	assert_string_equal(o.rules[0].text, "irqoff>=20ms");
	assert_string_equal(o.rules[1].text, "hung>=10s");
	assert_string_equal(o.log_file, "/b");
	assert_true(o.interval_ns == 30 * MS);
	assert_false(o.json);
	assert_int_equal(o.module.val[k], 20000);
	assert_true(o.module.has & (1u << h));
	assert_int_equal(o.module.val[h], 0);

	/* A bad value leaves the old one. */
	assert_int_equal(lw_agent_opt_set(&o, "interval", "fast", err,
					  sizeof(err)), -1);
	assert_string_equal(err, "bad value for interval: 'fast': not a number");
	assert_true(o.interval_ns == 30 * MS);
	assert_int_equal(lw_agent_opt_set(&o, "log", "", err, sizeof(err)), -1);
	assert_string_equal(o.log_file, "/b");
	assert_int_equal(lw_agent_opt_set_module(&o, "softirqoff_threshold_us",
						 err, sizeof(err)), -1);
	assert_string_equal(err, "'softirqoff_threshold_us': expected KEY=VALUE");
	assert_int_equal(lw_agent_opt_set_module(&o, "nope=1", err,
						 sizeof(err)), -1);
	assert_string_equal(err,
			    "unknown module key 'module.nope' (see latwatch config --help)");
	assert_int_equal(lw_agent_opt_set_module(&o, "softirqoff_threshold_us=1.5us",
						 err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad value for softirqoff_threshold_us"));
	assert_int_equal(o.module.val[k], 20000);
	assert_int_equal(lw_agent_opt_set(&o, "alert", "irqoff >= 20ms", err,
					  sizeof(err)), -1);
	assert_string_equal(err, "alert rule 'irqoff>=20ms' given twice");
	assert_int_equal(o.nrules, 2);
	lw_agent_opts_free(&o);
	assert_null(o.log_file);
	lw_agent_opts_free(&o);
}

static void set_ok(const char *key, const char *value)
{
	struct lw_agent_opts o;
	char err[LW_ERR_LEN] = "";

	lw_agent_opts_defaults(&o);
	if (lw_agent_opt_set(&o, key, value, err, sizeof(err)))
		fail_msg("%s = '%s': %s", key, value, err);
	lw_agent_opts_free(&o);
}

static void test_values(void **state)
{
	static const char *const yes[] = { "yes", "YES", "true", "True", "on",
					   "1" };
	static const char *const no[] = { "no", "No", "false", "FALSE", "off",
					  "0" };
	struct lw_agent_opts o;
	char err[LW_ERR_LEN] = "";
	size_t i;

	(void)state;
	lw_agent_opts_defaults(&o);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		o.syslog = false;
		assert_int_equal(lw_agent_opt_set(&o, "syslog", yes[i], err,
						  sizeof(err)), 0);
		assert_true(o.syslog);
		assert_int_equal(lw_agent_opt_set(&o, "syslog", no[i], err,
						  sizeof(err)), 0);
		assert_false(o.syslog);
	}
	assert_int_equal(lw_agent_opt_set(&o, "rate_limit", "0s", err,
					  sizeof(err)), 0);
	assert_true(o.alert_window_ns == 0);
	assert_int_equal(lw_agent_opt_set(&o, "settle", "0ns", err,
					  sizeof(err)), 0);
	assert_true(o.settle_ns == 0);
	assert_int_equal(lw_agent_opt_set(&o, "exec_timeout", "1ms", err,
					  sizeof(err)), 0);
	assert_true(o.exec_timeout_ns == MS);
	assert_int_equal(lw_agent_opt_set(&o, "exec_timeout", "3600s", err,
					  sizeof(err)), 0);
	assert_true(o.exec_timeout_ns == 3600 * S);
	assert_int_equal(lw_agent_opt_set(&o, "interval", "999us", err,
					  sizeof(err)), -1);
	assert_string_equal(err, "bad value for interval: '999us': less than 1 ms");
	assert_int_equal(lw_agent_opt_set(&o, "", "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown key ''"));
	lw_agent_opts_free(&o);

	set_ok("metrics", "0.0.0.0:9101");
	set_ok("metrics", "localhost:9101");
	set_ok("metrics", "metrics-host.example.org:1");
	set_ok("metrics", "[::]:65535");
	set_ok("metrics", "[fe80::1]:9101");
	set_ok("interval", "1ms");
	set_ok("interval", "60s");
	set_ok("rate_limit", "86400s");
	set_ok("alert", "any>=30ms");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_line_max),
		cmocka_unit_test(test_too_many_rules),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
