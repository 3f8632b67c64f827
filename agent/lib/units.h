/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_UNITS_H
#define LATWATCH_UNITS_H

#include <stdint.h>

enum lw_dur_err {
	LW_DUR_OK,
	LW_DUR_EMPTY,
	LW_DUR_NEGATIVE,
	LW_DUR_SYNTAX,
	LW_DUR_UNIT,
	LW_DUR_FRACTION,
	LW_DUR_RANGE,
};

/*
 * Parse a duration: digits, an optional '.' and more digits, an optional
 * unit (ns, us, µs, ms, s). Without a unit the number is in units of
 * 10^def_exp ns. The result must be a whole number of nanoseconds and fit
 * in 64 bits.
 */
enum lw_dur_err lw_parse_duration(const char *s, unsigned int def_exp,
				  uint64_t *ns);
const char *lw_dur_strerror(enum lw_dur_err err);

/* The unit name of 10^exp ns ("ns", "us", "ms", "s"), or NULL. */
const char *lw_unit_name(unsigned int exp);

#endif
