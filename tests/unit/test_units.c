// SPDX-License-Identifier: GPL-2.0
#include "testutil.h"
#include "lib/units.h"

static void ok(const char *s, unsigned int def_exp, uint64_t want)
{
	enum lw_dur_err err;
	uint64_t ns = 12345;

	err = lw_parse_duration(s, def_exp, &ns);
	if (err != LW_DUR_OK)
		fail_msg("'%s': %s", s, lw_dur_strerror(err));
	if (ns != want)
		fail_msg("'%s': got %llu ns, want %llu", s,
			 (unsigned long long)ns, (unsigned long long)want);
}

static void bad(const char *s, enum lw_dur_err want)
{
	uint64_t ns;
	enum lw_dur_err err = lw_parse_duration(s, 3, &ns);

	if (err != want)
		fail_msg("'%s': got error %d (%s), want %d (%s)", s, err,
			 lw_dur_strerror(err), want, lw_dur_strerror(want));
}

static void test_plain(void **state)
{
	(void)state;
	ok("0", 3, 0);
	ok("10", 3, 10000);
	ok("10", 0, 10);
	ok("10", 6, 10000000);
	ok("007", 3, 7000);
	ok("1.5", 3, 1500);
	ok("1.000", 3, 1000);
}

static void test_suffixes(void **state)
{
	(void)state;
	ok("5ns", 3, 5);
	ok("500us", 3, 500000);
	ok("500\xc2\xb5s", 3, 500000);
	ok("10ms", 3, 10000000);
	ok("2s", 3, 2000000000);
	ok("1.5ms", 3, 1500000);
	ok("0.5us", 3, 500);
	ok("1.000001s", 3, 1000001000);
	ok("0.000000001s", 3, 1);
	ok("1.0ns", 3, 1);
	ok("0s", 3, 0);
}

/* Zeros at the end of the fraction change nothing. */
static void test_fraction_zeros(void **state)
{
	(void)state;
	ok("1.50ms", 3, 1500000);
	ok("1.500000ms", 3, 1500000);
	ok("0.10s", 3, 100000000);
	ok("2.500s", 3, 2500000000);
	ok("0.00080s", 3, 800000);
	ok("1.50", 3, 1500);
	ok("1.050", 6, 1050000);
	ok("18446744073.7095516150s", 3, UINT64_MAX);
	bad("1.00000000010s", LW_DUR_FRACTION);
}

static void test_limits(void **state)
{
	(void)state;
	ok("18446744073709551615ns", 3, UINT64_MAX);
	ok("18446744073.709551615s", 3, UINT64_MAX);
	bad("18446744073709551616ns", LW_DUR_RANGE);
	bad("18446744073.709551616s", LW_DUR_RANGE);
	bad("18446744074s", LW_DUR_RANGE);
	bad("18446744073709552", LW_DUR_RANGE);
	bad("99999999999999999999999999", LW_DUR_RANGE);
}

static void test_bad(void **state)
{
	(void)state;
	bad("", LW_DUR_EMPTY);
	bad("-1", LW_DUR_NEGATIVE);
	bad("-1ms", LW_DUR_NEGATIVE);
	bad("+5", LW_DUR_SYNTAX);
	bad("abc", LW_DUR_SYNTAX);
	bad("ms", LW_DUR_SYNTAX);
	bad(" 5", LW_DUR_SYNTAX);
	bad("1.", LW_DUR_SYNTAX);
	bad(".5", LW_DUR_SYNTAX);
	bad("1.5.2", LW_DUR_SYNTAX);
	bad("1.ms", LW_DUR_SYNTAX);
	bad("10 ms", LW_DUR_UNIT);
	bad("5 ", LW_DUR_UNIT);
	bad("10m", LW_DUR_UNIT);
	bad("10MS", LW_DUR_UNIT);
	bad("10mss", LW_DUR_UNIT);
	bad("1e3", LW_DUR_UNIT);
	bad("0x10", LW_DUR_UNIT);
	bad("0.5ns", LW_DUR_FRACTION);
	bad("1.50ns", LW_DUR_FRACTION);
	bad("1.0000000001s", LW_DUR_FRACTION);
	bad("1.0001", LW_DUR_FRACTION);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(lw_unit_name(0), "ns");
	assert_string_equal(lw_unit_name(3), "us");
	assert_string_equal(lw_unit_name(6), "ms");
	assert_string_equal(lw_unit_name(9), "s");
	assert_null(lw_unit_name(4));
	assert_string_equal(lw_dur_strerror(LW_DUR_RANGE), "too large");
	assert_string_equal(lw_dur_strerror(LW_DUR_FRACTION), "finer than 1 ns");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_suffixes),
		cmocka_unit_test(test_fraction_zeros),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
