// SPDX-License-Identifier: GPL-2.0
/*
 * Durations (units.c): lw_parse_duration() of any string, in a default
 * unit of 10^exp ns (exp 0 to 9) chosen by the first byte, against a plain reference
 * parser written here in 128-bit arithmetic. They must agree on whether
 * the string is a duration and on its value; a refused one must have a
 * message, and a value must read back the same when written in ns.
 */
#include <inttypes.h>

#include "lib/units.h"
#include "fuzz.h"

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The exponent of a unit, -1 if s is not one. */
static int unit_exp(const char *s)
{
	if (!strcmp(s, "ns"))
		return 0;
	if (!strcmp(s, "us") || !strcmp(s, "\xc2\xb5s"))
		return 3;
	if (!strcmp(s, "ms"))
		return 6;
	if (!strcmp(s, "s"))
		return 9;
	return -1;
}

/*
 * DIGITS [. DIGITS] [UNIT], a whole number of ns up to UINT64_MAX. The
 * whole part is capped at 2^64 while reading: past the range either way.
 */
static bool ref_parse(const char *s, unsigned int def_exp, uint64_t *ns)
{
	const unsigned __int128 cap = (unsigned __int128)1 << 64;
	unsigned __int128 whole = 0, frac = 0, v;
	unsigned int exp = def_exp, i;
	const char *f = NULL, *fend = NULL;
	int e;

	if (!digit(*s))
		return false;
	for (; digit(*s); s++) {
		whole = whole * 10 + (unsigned)(*s - '0');
		if (whole > cap)
			whole = cap;
	}
	if (*s == '.') {
		f = ++s;
		while (digit(*s))
			s++;
		fend = s;
		if (f == fend)
			return false;
		while (fend > f && fend[-1] == '0')
			fend--;	/* "1.50ms" is "1.5ms" */
	}
	if (*s) {
		e = unit_exp(s);
		if (e < 0)
			return false;
		exp = (unsigned int)e;
	}
	if (f && (size_t)(fend - f) > exp)
		return false;	/* finer than 1 ns */
	/* exp <= 9: the fraction has at most 9 digits, 10^exp fits */
	for (i = 0; i < exp; i++) {
		whole *= 10;
		frac = frac * 10 + (f && f < fend ? (unsigned)(*f++ - '0') : 0);
	}
	v = whole + frac;
	if (v > UINT64_MAX)
		return false;
	*ns = (uint64_t)v;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t ns = 0, ref = 0, back = 0;
	enum lw_dur_err err;
	unsigned int exp;
	char buf[32];
	bool ok;
	char *s;

	if (!size)
		return 0;
	/* the callers use 0, 3 and 6; 10^exp ns is at most a second */
	exp = data[0] % 10;
	s = fuzz_cstr(data + 1, size - 1);
	err = lw_parse_duration(s, exp, &ns);
	FUZZ_ASSERT(err >= LW_DUR_OK && err <= LW_DUR_RANGE);
	FUZZ_ASSERT(*lw_dur_strerror(err));
	ok = ref_parse(s, exp, &ref);
	if ((err == LW_DUR_OK) != ok)
		fuzz_fail("'%s' (default 10^%u ns): lw_parse_duration says %s, the reference %s",
			  s, exp, lw_dur_strerror(err),
			  ok ? "ok" : "not a duration");
	if (ok && ns != ref)
		fuzz_fail("'%s' (default 10^%u ns): %" PRIu64 " ns, the reference %" PRIu64,
			  s, exp, ns, ref);
	if (ok) {
		snprintf(buf, sizeof(buf), "%" PRIu64 "ns", ns);
		FUZZ_ASSERT(lw_parse_duration(buf, exp, &back) == LW_DUR_OK);
		FUZZ_ASSERT(back == ns);
	}
	FUZZ_ASSERT(!lw_unit_name(exp) == !(exp <= 9 && exp % 3 == 0));
	free(s);
	return 0;
}
