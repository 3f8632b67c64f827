// SPDX-License-Identifier: GPL-2.0
#include "testutil.h"
#include "msgutil.h"
#include "source/module_cfg.h"
#include "source/nl.h"
#include "source/nl_parse.h"

enum {
	IRQOFF, SOFTIRQOFF, PERIOD, SOFTIRQ, TIMER, HARDIRQ, HUNG, HUNG_SCAN,
	IRQOFF_ON, SOFTIRQOFF_ON, SOFTIRQ_ON, TIMER_ON, HARDIRQ_ON, HUNG_ON,
	MAX_RATE, REPLAY, IDLE_PAUSE, NKEYS
};

static const struct {
	const char *name;
	int attr;
} keys[NKEYS] = {
	{ "irqoff_threshold_us", LATWATCH_A_CFG_IRQOFF_THRESHOLD_US },
	{ "softirqoff_threshold_us", LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US },
	{ "sample_period_us", LATWATCH_A_CFG_SAMPLE_PERIOD_US },
	{ "softirq_threshold_us", LATWATCH_A_CFG_SOFTIRQ_THRESHOLD_US },
	{ "timer_threshold_us", LATWATCH_A_CFG_TIMER_THRESHOLD_US },
	{ "hardirq_threshold_us", LATWATCH_A_CFG_HARDIRQ_THRESHOLD_US },
	{ "hung_threshold_ms", LATWATCH_A_CFG_HUNG_THRESHOLD_MS },
	{ "hung_scan_interval_ms", LATWATCH_A_CFG_HUNG_SCAN_INTERVAL_MS },
	{ "irqoff_enabled", LATWATCH_A_CFG_IRQOFF_ENABLED },
	{ "softirqoff_enabled", LATWATCH_A_CFG_SOFTIRQOFF_ENABLED },
	{ "softirq_enabled", LATWATCH_A_CFG_SOFTIRQ_ENABLED },
	{ "timer_enabled", LATWATCH_A_CFG_TIMER_ENABLED },
	{ "hardirq_enabled", LATWATCH_A_CFG_HARDIRQ_ENABLED },
	{ "hung_enabled", LATWATCH_A_CFG_HUNG_ENABLED },
	{ "max_events_per_sec", LATWATCH_A_CFG_MAX_EVENTS_PER_SEC },
	{ "replay_events", LATWATCH_A_CFG_REPLAY_EVENTS },
	{ "idle_pause", LATWATCH_A_CFG_IDLE_PAUSE },
};

static void set_ok(struct lw_cfg *cfg, const char *arg, int key, uint32_t want)
{
	char err[LW_ERR_LEN] = "";

	if (lw_cfg_parse_arg(arg, cfg, err))
		fail_msg("'%s': %s", arg, err);
	assert_true(cfg->has & (1u << key));
	assert_int_equal(cfg->val[key], want);
}

static void set_bad(const char *arg, const char *want)
{
	struct lw_cfg cfg = { 0 };
	char err[LW_ERR_LEN] = "";

	assert_int_equal(lw_cfg_parse_arg(arg, &cfg, err), -1);
	assert_int_equal(cfg.has, 0);
	if (!strstr(err, want))
		fail_msg("'%s': error '%s' does not say '%s'", arg, err, want);
	assert_null(strchr(err, '\n'));
}

/* The keys in the order "latwatch config" prints them. */
static void test_table(void **state)
{
	int i;

	(void)state;
	assert_int_equal(lw_cfg_nkeys, NKEYS);
	for (i = 0; i < NKEYS; i++) {
		assert_string_equal(lw_cfg_keys[i].name, keys[i].name);
		assert_int_equal(lw_cfg_keys[i].attr, keys[i].attr);
	}
}

static void test_values(void **state)
{
	struct lw_cfg cfg = { 0 };

	(void)state;
	set_ok(&cfg, "irqoff_threshold_us=10ms", IRQOFF, 10000);
	set_ok(&cfg, "softirqoff_threshold_us=1.5ms", SOFTIRQOFF, 1500);
	set_ok(&cfg, "sample_period_us=500", PERIOD, 500);
	assert_int_equal(cfg.has, 7);

	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "irqoff_threshold_us=2000ns", IRQOFF, 2);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "irqoff_threshold_us=2s", IRQOFF, 2000000);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "irqoff_threshold_us=0", IRQOFF, 0);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "irqoff_threshold_us=4294967295", IRQOFF, UINT32_MAX);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "sample_period_us=4294.967295s", PERIOD, UINT32_MAX);
}

static void test_ms_values(void **state)
{
	struct lw_cfg cfg = { 0 };

	(void)state;
	set_ok(&cfg, "hung_threshold_ms=120000", HUNG, 120000);
	set_ok(&cfg, "hung_scan_interval_ms=10s", HUNG_SCAN, 10000);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "hung_threshold_ms=1.5s", HUNG, 1500);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "hung_threshold_ms=2000us", HUNG, 2);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "hung_threshold_ms=3000000ns", HUNG, 3);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "hung_threshold_ms=4294967295", HUNG, UINT32_MAX);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "softirq_threshold_us=5ms", SOFTIRQ, 5000);
	set_ok(&cfg, "timer_threshold_us=100", TIMER, 100);
	set_ok(&cfg, "hardirq_threshold_us=0.5ms", HARDIRQ, 500);

	set_bad("hung_threshold_ms=1500us", "not a whole number of ms");
	set_bad("hung_threshold_ms=1.5", "not a whole number of ms");
	set_bad("hung_scan_interval_ms=4294967296", "too large (at most 4294967295 ms)");
	set_bad("hung_scan_interval_ms=4294968s", "too large");
	set_bad("hung_threshold_ms=10min", "unknown unit");
	set_bad("hung_threshold_ms=-1", "negative");
}

static void test_switches(void **state)
{
	static const struct {
		const char *value;
		uint32_t want;
	} ok[] = {
		{ "1", 1 }, { "0", 0 }, { "on", 1 }, { "off", 0 },
		{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
		{ "ON", 1 }, { "False", 0 },
	};
	char arg[64];
	struct lw_cfg cfg;
	size_t i;
	int k;

	(void)state;
	for (k = IRQOFF_ON; k <= HUNG_ON; k++) {
		for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
			memset(&cfg, 0, sizeof(cfg));
			snprintf(arg, sizeof(arg), "%s=%s", keys[k].name,
				 ok[i].value);
			set_ok(&cfg, arg, k, ok[i].want);
		}
	}
	set_bad("irqoff_enabled=2", "bad value for irqoff_enabled: '2': expected 0 or 1");
	set_bad("hung_enabled=", "expected 0 or 1");
	set_bad("timer_enabled=y", "expected 0 or 1");
	set_bad("timer_enabled=01", "expected 0 or 1");
	set_bad("timer_enabled=on ", "expected 0 or 1");
	set_bad("timer_enabled=1ms", "expected 0 or 1");
}

/* A plain number: no unit, no sign, nothing around it. */
static void test_counts(void **state)
{
	struct lw_cfg cfg = { 0 };

	(void)state;
	set_ok(&cfg, "max_events_per_sec=200", MAX_RATE, 200);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "max_events_per_sec=0", MAX_RATE, 0);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "max_events_per_sec=0010", MAX_RATE, 10);
	memset(&cfg, 0, sizeof(cfg));
	set_ok(&cfg, "max_events_per_sec=4294967295", MAX_RATE, UINT32_MAX);

	set_bad("max_events_per_sec=-1",
		"bad value for max_events_per_sec: '-1': expected a whole number (0 for no limit)");
	set_bad("max_events_per_sec=+5", "expected a whole number");
	set_bad("max_events_per_sec=", "expected a whole number");
	set_bad("max_events_per_sec=lots", "expected a whole number");
	set_bad("max_events_per_sec=1.5", "expected a whole number");
	set_bad("max_events_per_sec=100/s", "expected a whole number");
	set_bad("max_events_per_sec=1e3", "expected a whole number");
	set_bad("max_events_per_sec=0x10", "expected a whole number");
	set_bad("max_events_per_sec= 5", "expected a whole number");
	set_bad("max_events_per_sec=5 ", "expected a whole number");
	set_bad("max_events_per_sec=10ms", "expected a whole number");
	set_bad("max_events_per_sec=4294967296",
		"bad value for max_events_per_sec: '4294967296': too large (at most 4294967295)");
	set_bad("max_events_per_sec=99999999999999999999999999", "too large");
	set_bad("max_events_per_sec=99999999999x", "expected a whole number");
	set_ok(&cfg, "replay_events=1024", REPLAY, 1024);
	set_bad("replay_events=lots",
		"bad value for replay_events: 'lots': expected a whole number (0 keeps none)");
	set_ok(&cfg, "idle_pause=off", IDLE_PAUSE, 0);
	set_bad("idle_pause=2", "expected 0 or 1");
}

static void test_bad_values(void **state)
{
	(void)state;
	set_bad("irqoff_threshold_us=4294967296", "too large");
	set_bad("irqoff_threshold_us=4294967296us", "too large");
	set_bad("irqoff_threshold_us=4295s", "too large");
	set_bad("irqoff_threshold_us=99999999999999999999999", "too large");
	set_bad("irqoff_threshold_us=1500ns", "not a whole number of us");
	set_bad("irqoff_threshold_us=1.5", "not a whole number of us");
	set_bad("irqoff_threshold_us=-5", "negative");
	set_bad("irqoff_threshold_us=", "empty");
	set_bad("irqoff_threshold_us=abc", "not a number");
	set_bad("irqoff_threshold_us=10 ms", "unknown unit");
	set_bad("irqoff_threshold_us=1e3", "unknown unit");
}

static void test_bad_keys(void **state)
{
	struct lw_cfg cfg = { 0 };
	char err[LW_ERR_LEN];

	(void)state;
	set_bad("irqoff_threshold_us", "expected KEY=VALUE");
	set_bad("", "expected KEY=VALUE");
	set_bad("foo=1", "unknown key 'foo'");
	set_bad("=1", "unknown key ''");
	set_bad("irqoff_threshold_usx=1", "unknown key");
	set_bad("irqoff_threshold=1", "unknown key");
	set_bad("IRQOFF_THRESHOLD_US=1", "unknown key");

	assert_int_equal(lw_cfg_parse_arg("sample_period_us=1", &cfg, err), 0);
	assert_int_equal(lw_cfg_parse_arg("sample_period_us=2", &cfg, err), -1);
	assert_non_null(strstr(err, "given twice"));
	assert_int_equal(cfg.val[PERIOD], 1);
}

static void test_print(void **state)
{
	struct lw_cfg cfg = { .has = 5, .val = { 50000, 7, 1000 } };
	struct capture c;

	(void)state;
	cap_open(&c);
	lw_cfg_print(c.f, &cfg);
	assert_string_equal(cap_close(&c),
			    "irqoff_threshold_us=50000\nsample_period_us=1000\n");
	cap_free(&c);
}

static void test_print_all(void **state)
{
	struct lw_cfg cfg = { .has = (1u << NKEYS) - 1 };
	struct capture c;
	int i;

	(void)state;
	for (i = 0; i < NKEYS; i++)
		cfg.val[i] = (uint32_t)(i < IRQOFF_ON ? 1000 * (i + 1) : i % 2);
	cfg.val[MAX_RATE] = 250;
	cfg.val[REPLAY] = 512;
	cap_open(&c);
	lw_cfg_print(c.f, &cfg);
	assert_string_equal(cap_close(&c),
			    "irqoff_threshold_us=1000\n"
			    "softirqoff_threshold_us=2000\n"
			    "sample_period_us=3000\n"
			    "softirq_threshold_us=4000\n"
			    "timer_threshold_us=5000\n"
			    "hardirq_threshold_us=6000\n"
			    "hung_threshold_ms=7000\n"
			    "hung_scan_interval_ms=8000\n"
			    "irqoff_enabled=0\n"
			    "softirqoff_enabled=1\n"
			    "softirq_enabled=0\n"
			    "timer_enabled=1\n"
			    "hardirq_enabled=0\n"
			    "hung_enabled=1\n"
			    "max_events_per_sec=250\n"
			    "replay_events=512\n"
			    "idle_pause=0\n");
	cap_free(&c);
}

/* Every key travels as its own u32 attribute, whatever its unit. */
static void test_reply_new_keys(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_CONFIG_GET);
	struct lw_cfg cfg = { 0 };
	int i;

	(void)state;
	for (i = NKEYS - 1; i >= 0; i--)
		nla_put_u32(msg, keys[i].attr, (uint32_t)(100 + i));
	assert_int_equal(lw_cfg_parse_msg(nlmsg_hdr(msg), &cfg), 0);
	assert_int_equal(cfg.has, (1u << NKEYS) - 1);
	for (i = 0; i < NKEYS; i++)
		assert_int_equal(cfg.val[i], 100 + i);
	nlmsg_free(msg);
}

/* An older module sends only the first three keys: only those print. */
static void test_reply_old_module(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_CONFIG_GET);
	struct lw_cfg cfg = { .has = (1u << NKEYS) - 1 };
	struct capture c;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_CFG_IRQOFF_THRESHOLD_US, 10000);
	nla_put_u32(msg, LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US, 10000);
	nla_put_u32(msg, LATWATCH_A_CFG_SAMPLE_PERIOD_US, 1000);
	assert_int_equal(lw_cfg_parse_msg(nlmsg_hdr(msg), &cfg), 0);
	assert_int_equal(cfg.has, 7);
	cap_open(&c);
	lw_cfg_print(c.f, &cfg);
	assert_string_equal(cap_close(&c),
			    "irqoff_threshold_us=10000\n"
			    "softirqoff_threshold_us=10000\n"
			    "sample_period_us=1000\n");
	cap_free(&c);
	nlmsg_free(msg);
}

static void test_reply(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_CONFIG_GET);
	struct lw_cfg cfg = { 0 };

	(void)state;
	nla_put_u32(msg, LATWATCH_A_CFG_SAMPLE_PERIOD_US, 1000);
	nla_put_u32(msg, LATWATCH_A_CFG_IRQOFF_THRESHOLD_US, 10000);
	nla_put_u32(msg, LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US, 20000);
	nla_put_u32(msg, LATWATCH_A_MAX + 3, 1);	/* from a newer module */
	assert_int_equal(lw_cfg_parse_msg(nlmsg_hdr(msg), &cfg), 0);
	assert_int_equal(cfg.has, 7);
	assert_int_equal(cfg.val[IRQOFF], 10000);
	assert_int_equal(cfg.val[SOFTIRQOFF], 20000);
	assert_int_equal(cfg.val[PERIOD], 1000);
	nlmsg_free(msg);
}

static void test_reply_partial(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_CONFIG_GET);
	struct lw_cfg cfg = { .has = 7 };
	struct capture c;

	(void)state;
	nla_put_u32(msg, LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US, 20000);
	assert_int_equal(lw_cfg_parse_msg(nlmsg_hdr(msg), &cfg), 0);
	assert_int_equal(cfg.has, 1u << SOFTIRQOFF);
	cap_open(&c);
	lw_cfg_print(c.f, &cfg);
	assert_string_equal(cap_close(&c), "softirqoff_threshold_us=20000\n");
	cap_free(&c);
	nlmsg_free(msg);
}

static void test_reply_short_attr(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_CONFIG_GET);
	struct lw_cfg cfg;

	(void)state;
	nla_put_u8(msg, LATWATCH_A_CFG_IRQOFF_THRESHOLD_US, 1);
	assert_true(lw_cfg_parse_msg(nlmsg_hdr(msg), &cfg) < 0);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_ms_values),
		cmocka_unit_test(test_switches),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_print_all),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_new_keys),
		cmocka_unit_test(test_reply_old_module),
		cmocka_unit_test(test_reply_partial),
		cmocka_unit_test(test_reply_short_attr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
