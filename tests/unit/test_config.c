// SPDX-License-Identifier: GPL-2.0
#include "testutil.h"
#include "msgutil.h"
#include "config.h"
#include "nl.h"

enum { IRQOFF, SOFTIRQOFF, PERIOD };

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

static void test_table(void **state)
{
	(void)state;
	assert_int_equal(lw_cfg_nkeys, 3);
	assert_string_equal(lw_cfg_keys[IRQOFF].name, "irqoff_threshold_us");
	assert_int_equal(lw_cfg_keys[IRQOFF].attr,
			 LATWATCH_A_CFG_IRQOFF_THRESHOLD_US);
	assert_string_equal(lw_cfg_keys[SOFTIRQOFF].name,
			    "softirqoff_threshold_us");
	assert_int_equal(lw_cfg_keys[SOFTIRQOFF].attr,
			 LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US);
	assert_string_equal(lw_cfg_keys[PERIOD].name, "sample_period_us");
	assert_int_equal(lw_cfg_keys[PERIOD].attr,
			 LATWATCH_A_CFG_SAMPLE_PERIOD_US);
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
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_partial),
		cmocka_unit_test(test_reply_short_attr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
