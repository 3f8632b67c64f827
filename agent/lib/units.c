// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lib/units.h"

static const struct {
	const char *name;
	unsigned int exp;
} lw_units[] = {
	{ "ns", 0 },
	{ "us", 3 },
	{ "\xc2\xb5s", 3 },	/* µs */
	{ "ms", 6 },
	{ "s", 9 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const char *lw_unit_name(unsigned int exp)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lw_units); i++)
		if (lw_units[i].exp == exp)
			return lw_units[i].name;
	return NULL;
}

static bool lw_unit_exp(const char *s, unsigned int *exp)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lw_units); i++) {
		if (!strcmp(s, lw_units[i].name)) {
			*exp = lw_units[i].exp;
			return true;
		}
	}
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Accumulate the digits at *s into *v; false on overflow. */
static bool lw_digits(const char **s, uint64_t *v)
{
	for (; is_digit(**s); (*s)++) {
		if (__builtin_mul_overflow(*v, 10, v) ||
		    __builtin_add_overflow(*v, (uint64_t)(**s - '0'), v))
			return false;
	}
	return true;
}

static bool lw_pow10(unsigned int exp, uint64_t *v)
{
	*v = 1;
	while (exp--)
		if (__builtin_mul_overflow(*v, 10, v))
			return false;
	return true;
}

/*
 * The fraction digits [frac, end) scaled to 10^exp: exact, or
 * LW_DUR_FRACTION when it needs more precision than 1 ns.
 */
static enum lw_dur_err lw_fraction(const char *frac, const char *end,
				   unsigned int exp, uint64_t *v)
{
	uint64_t scale;
	size_t n;

	while (end > frac && end[-1] == '0')
		end--;
	n = (size_t)(end - frac);
	if (n > exp)
		return LW_DUR_FRACTION;
	/* only up to end: the zeros cut off are not digits of the value */
	for (*v = 0; frac < end; frac++)
		if (__builtin_mul_overflow(*v, 10, v) ||
		    __builtin_add_overflow(*v, (uint64_t)(*frac - '0'), v))
			return LW_DUR_RANGE;
	if (!lw_pow10(exp - (unsigned int)n, &scale))
		return LW_DUR_RANGE;
	return __builtin_mul_overflow(*v, scale, v) ? LW_DUR_RANGE : LW_DUR_OK;
}

enum lw_dur_err lw_parse_duration(const char *s, unsigned int def_exp,
				  uint64_t *ns)
{
	const char *frac = NULL, *frac_end = NULL;
	uint64_t whole = 0, part = 0, scale;
	unsigned int exp = def_exp;
	enum lw_dur_err err;

	if (!*s)
		return LW_DUR_EMPTY;
	if (*s == '-')
		return LW_DUR_NEGATIVE;
	if (!is_digit(*s))
		return LW_DUR_SYNTAX;
	if (!lw_digits(&s, &whole))
		return LW_DUR_RANGE;
	if (*s == '.') {
		frac = ++s;
		while (is_digit(*s))
			s++;
		frac_end = s;
		if (frac == frac_end)
			return LW_DUR_SYNTAX;
	}
	if (*s && !lw_unit_exp(s, &exp))
		return is_digit(*s) || *s == '.' ? LW_DUR_SYNTAX : LW_DUR_UNIT;
	if (frac) {
		err = lw_fraction(frac, frac_end, exp, &part);
		if (err)
			return err;
	}
	if (!lw_pow10(exp, &scale) ||
	    __builtin_mul_overflow(whole, scale, ns) ||
	    __builtin_add_overflow(*ns, part, ns))
		return LW_DUR_RANGE;
	return LW_DUR_OK;
}

const char *lw_dur_strerror(enum lw_dur_err err)
{
	switch (err) {
	case LW_DUR_OK:
		return "ok";
	case LW_DUR_EMPTY:
		return "empty value";
	case LW_DUR_NEGATIVE:
		return "negative value";
	case LW_DUR_SYNTAX:
		return "not a number";
	case LW_DUR_UNIT:
		return "unknown unit (use ns, us, ms or s)";
	case LW_DUR_FRACTION:
		return "finer than 1 ns";
	case LW_DUR_RANGE:
		return "too large";
	}
	return "invalid value";
}
