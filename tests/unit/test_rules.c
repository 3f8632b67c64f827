// SPDX-License-Identifier: GPL-2.0
#include "testutil.h"
#include "analysis/rules.h"
#include "lib/utils.h"

#define MS	1000000ull
#define S	1000000000ull

static void ok(const char *s, enum lw_rule_what what, uint32_t type,
	       enum lw_rule_op op, uint64_t value, const char *text)
{
	struct lw_rule r;
	char err[LW_ERR_LEN] = "";

	memset(&r, 0xa5, sizeof(r));
	if (lw_rule_parse(s, &r, err, sizeof(err)))
		fail_msg("'%s': %s", s, err);
	if (r.what != what || r.ev_type != type || r.op != op ||
	    r.value != value)
		fail_msg("'%s': got what %d type %u op %d value %llu", s,
			 r.what, r.ev_type, r.op, (unsigned long long)r.value);
	if (strcmp(r.text, text))
		fail_msg("'%s': text '%s', want '%s'", s, r.text, text);
}

static void bad(const char *s, const char *want)
{
	struct lw_rule r;
	char err[LW_ERR_LEN] = "";

	memset(&r, 0, sizeof(r));
	strcpy(r.text, "untouched");
	if (!lw_rule_parse(s, &r, err, sizeof(err)))
		fail_msg("'%s': accepted as '%s'", s, r.text);
	if (!strstr(err, want))
		fail_msg("'%s': error '%s' does not say '%s'", s, err, want);
	assert_null(strchr(err, '\n'));
	assert_string_equal(r.text, "untouched");
}

static void test_types(void **state)
{
	(void)state;
	ok("irqoff>=20ms", LW_RULE_TYPE, LATWATCH_EV_IRQOFF, LW_OP_GE, 20 * MS,
	   "irqoff>=20ms");
	ok("softirqoff>=50ms", LW_RULE_TYPE, LATWATCH_EV_SOFTIRQOFF, LW_OP_GE,
	   50 * MS, "softirqoff>=50ms");
	ok("softirq>1ms", LW_RULE_TYPE, LATWATCH_EV_SOFTIRQ, LW_OP_GT, MS,
	   "softirq>1ms");
	ok("timer>100ms", LW_RULE_TYPE, LATWATCH_EV_TIMER, LW_OP_GT, 100 * MS,
	   "timer>100ms");
	ok("hardirq>=500us", LW_RULE_TYPE, LATWATCH_EV_HARDIRQ, LW_OP_GE,
	   500000, "hardirq>=500us");
	ok("hung>=10s", LW_RULE_TYPE, LATWATCH_EV_HUNG, LW_OP_GE, 10 * S,
	   "hung>=10s");
	ok("hung_end>=2s", LW_RULE_TYPE, LATWATCH_EV_HUNG_END, LW_OP_GE, 2 * S,
	   "hung_end>=2s");
	ok("any>=30ms", LW_RULE_ANY, LATWATCH_EV_UNSPEC, LW_OP_GE, 30 * MS,
	   "any>=30ms");
	ok("nicdrop>0", LW_RULE_NICDROP, LATWATCH_EV_UNSPEC, LW_OP_GT, 0,
	   "nicdrop>0");
	ok("nicdrop>=100", LW_RULE_NICDROP, LATWATCH_EV_UNSPEC, LW_OP_GE, 100,
	   "nicdrop>=100");
}

static void test_normalised(void **state)
{
	(void)state;
	ok("irqoff >= 20ms", LW_RULE_TYPE, LATWATCH_EV_IRQOFF, LW_OP_GE,
	   20 * MS, "irqoff>=20ms");
	ok("  irqoff\t>=\t20ms  ", LW_RULE_TYPE, LATWATCH_EV_IRQOFF, LW_OP_GE,
	   20 * MS, "irqoff>=20ms");
	ok("irqoff>= 20000us", LW_RULE_TYPE, LATWATCH_EV_IRQOFF, LW_OP_GE,
	   20 * MS, "irqoff>=20ms");
	ok("irqoff >=1.5ms", LW_RULE_TYPE, LATWATCH_EV_IRQOFF, LW_OP_GE,
	   1500000, "irqoff>=1500us");
	ok("timer>0.5s", LW_RULE_TYPE, LATWATCH_EV_TIMER, LW_OP_GT, 500 * MS,
	   "timer>500ms");
	ok("timer>0.50s", LW_RULE_TYPE, LATWATCH_EV_TIMER, LW_OP_GT, 500 * MS,
	   "timer>500ms");
	ok("timer>2000ms", LW_RULE_TYPE, LATWATCH_EV_TIMER, LW_OP_GT, 2 * S,
	   "timer>2s");
	ok("hardirq>1234ns", LW_RULE_TYPE, LATWATCH_EV_HARDIRQ, LW_OP_GT, 1234,
	   "hardirq>1234ns");
	ok("hardirq>250\xc2\xb5s", LW_RULE_TYPE, LATWATCH_EV_HARDIRQ, LW_OP_GT,
	   250000, "hardirq>250us");
	ok("irqoff>=0ms", LW_RULE_TYPE, LATWATCH_EV_IRQOFF, LW_OP_GE, 0,
	   "irqoff>=0s");
	ok("nicdrop > 007", LW_RULE_NICDROP, LATWATCH_EV_UNSPEC, LW_OP_GT, 7,
	   "nicdrop>7");
	ok("nicdrop>=18446744073709551615", LW_RULE_NICDROP,
	   LATWATCH_EV_UNSPEC, LW_OP_GE, UINT64_MAX,
	   "nicdrop>=18446744073709551615");
	ok("any>18446744073709551615ns", LW_RULE_ANY, LATWATCH_EV_UNSPEC,
	   LW_OP_GT, UINT64_MAX, "any>18446744073709551615ns");
}

static void test_bad_type(void **state)
{
	(void)state;
	bad("irqof>=20ms",
	    "unknown event type 'irqof' (irqoff, softirqoff, softirq, timer, hardirq, hung, hung_end, any, nicdrop)");
	bad("tasklet>=1s", "unknown event type 'tasklet'");
	bad("IRQOFF>=20ms", "unknown event type 'IRQOFF'");
	bad("irq off>=20ms", "unknown event type 'irq off'");
	bad("irq-off>=20ms", "unknown event type 'irq-off'");
	bad("unspec>=1ms", "unknown event type 'unspec'");
	bad("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>=1s",
	    "unknown event type 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
	bad(">=20ms", "missing event type before '>='");
	bad("  > 1s", "missing event type before '>'");
}

static void test_bad_op(void **state)
{
	(void)state;
	bad("", "empty rule");
	bad("   ", "empty rule");
	bad("irqoff", "missing operator");
	bad("irqoff 20ms", "missing operator");
	bad("irqoff20ms", "missing operator");
	bad("irqoff<20ms", "unsupported operator '<' (use >= or >)");
	bad("irqoff<=20ms", "unsupported operator '<='");
	bad("irqoff=20ms", "unsupported operator '='");
	bad("irqoff==20ms", "unsupported operator '=='");
	bad("irqoff=>20ms", "unsupported operator '=>'");
	bad("irqoff>>20ms", "unsupported operator '>>'");
	bad("irqoff>==20ms", "unsupported operator '>=='");
	bad("irqoff!=20ms", "unsupported operator '!='");
}

static void test_bad_value(void **state)
{
	(void)state;
	bad("irqoff>=", "missing value after '>='");
	bad("irqoff>   ", "missing value after '>'");
	bad("irqoff>=20", "duration '20' needs a unit (ns, us, ms or s)");
	bad("hung>=1.5", "duration '1.5' needs a unit");
	bad("any>30", "needs a unit");
	bad("irqoff>=20 ms", "no space allowed in '20 ms' (write '20ms')");
	bad("irqoff>=20ms foo", "unexpected 'foo' after '20ms'");
	bad("irqoff>=20ms 5ms", "unexpected '5ms' after '20ms'");
	bad("irqoff>=20xs", "bad duration '20xs': unknown unit");
	bad("irqoff>=20MS", "bad duration '20MS': unknown unit");
	bad("irqoff>=-5ms", "bad duration '-5ms': negative value");
	bad("irqoff>=abc", "bad duration 'abc': not a number");
	bad("irqoff>=0.5ns", "finer than 1 ns");
	bad("irqoff>=18446744074s", "too large");
	bad("nicdrop>5ms", "bad packet count '5ms': nicdrop takes a whole number of packets");
	bad("nicdrop>1.5", "bad packet count '1.5'");
	bad("nicdrop>-1", "bad packet count '-1': negative value");
	bad("nicdrop>=18446744073709551616", "bad packet count '18446744073709551616': too large");
	bad("nicdrop>0 packets", "unexpected 'packets' after '0'");
}

/* A short err buffer gets a cut message, never an overflow. */
static void test_short_err(void **state)
{
	struct lw_rule r;
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(lw_rule_parse("irqof>=1s", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown");
	assert_int_equal(lw_rule_parse("irqof>=1s", &r, err, 0), -1);
}

static struct lw_rule rule(const char *s)
{
	struct lw_rule r;
	char err[LW_ERR_LEN];

	if (lw_rule_parse(s, &r, err, sizeof(err)))
		fail_msg("'%s': %s", s, err);
	return r;
}

static void test_match(void **state)
{
	struct lw_rule ge = rule("irqoff>=20ms"), gt = rule("irqoff>20ms");
	struct lw_rule any = rule("any>=30ms"), drop = rule("nicdrop>0");
	struct lw_rule drop100 = rule("nicdrop>=100"), hung = rule("hung>=10s");

	(void)state;
	assert_true(lw_rule_match(&ge, LATWATCH_EV_IRQOFF, 20 * MS, 0));
	assert_true(lw_rule_match(&ge, LATWATCH_EV_IRQOFF, 35 * MS, 0));
	assert_false(lw_rule_match(&ge, LATWATCH_EV_IRQOFF, 20 * MS - 1, 0));
	assert_false(lw_rule_match(&ge, LATWATCH_EV_SOFTIRQOFF, 50 * MS, 0));
	assert_false(lw_rule_match(&ge, LATWATCH_EV_UNSPEC, 50 * MS, 0));

	assert_false(lw_rule_match(&gt, LATWATCH_EV_IRQOFF, 20 * MS, 0));
	assert_true(lw_rule_match(&gt, LATWATCH_EV_IRQOFF, 20 * MS + 1, 0));

	assert_true(lw_rule_match(&any, LATWATCH_EV_IRQOFF, 30 * MS, 0));
	assert_true(lw_rule_match(&any, LATWATCH_EV_TIMER, 31 * MS, 0));
	assert_true(lw_rule_match(&any, LATWATCH_EV_HUNG_END, 30 * S, 0));
	assert_false(lw_rule_match(&any, LATWATCH_EV_TIMER, 29 * MS, 0));
	assert_false(lw_rule_match(&any, LATWATCH_EV_UNSPEC, 31 * MS, 0));

	assert_false(lw_rule_match(&drop, LATWATCH_EV_IRQOFF, 50 * MS, 0));
	assert_true(lw_rule_match(&drop, LATWATCH_EV_IRQOFF, 1 * MS, 1));
	assert_true(lw_rule_match(&drop, LATWATCH_EV_TIMER, 0, 7));
	assert_false(lw_rule_match(&drop100, LATWATCH_EV_TIMER, 0, 99));
	assert_true(lw_rule_match(&drop100, LATWATCH_EV_TIMER, 0, 100));
	assert_true(lw_rule_match(&drop100, LATWATCH_EV_TIMER, 0, UINT64_MAX));

	assert_true(lw_rule_match(&hung, LATWATCH_EV_HUNG, 10 * S, 0));
	assert_false(lw_rule_match(&hung, LATWATCH_EV_HUNG_END, 10 * S, 0));
	assert_false(lw_rule_match(&hung, LATWATCH_EV_HUNG, 9 * S, 1000));
}

/* Every text a rule normalises to parses back to the same rule. */
static void test_round_trip(void **state)
{
	static const char *const rules[] = {
		"irqoff >= 20000us", "timer>1.5ms", "hung>=0.25s", "any>7ns",
		"nicdrop >= 12", "softirq>3000000000ns", "hardirq>=0ns",
	};
	struct lw_rule a, b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		a = rule(rules[i]);
		b = rule(a.text);
		assert_string_equal(a.text, b.text);
		assert_int_equal(a.what, b.what);
		assert_int_equal(a.ev_type, b.ev_type);
		assert_int_equal(a.op, b.op);
		assert_true(a.value == b.value);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_normalised),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_bad_op),
		cmocka_unit_test(test_bad_value),
		cmocka_unit_test(test_short_err),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
