/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_MODULE_CFG_H
#define LATWATCH_MODULE_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/utils.h"

/* What a key's value is. */
enum lw_cfg_kind {
	LW_CFG_DURATION,	/* a whole number of 10^exp ns */
	LW_CFG_SWITCH,		/* 0 or 1 */
	LW_CFG_COUNT,		/* a whole number without a unit */
};

/* One configuration key: a module parameter and its attribute. */
struct lw_cfg_key {
	const char *name;
	int attr;		/* LATWATCH_A_CFG_*, a u32 */
	enum lw_cfg_kind kind;
	unsigned int exp;	/* LW_CFG_DURATION: the unit is 10^exp ns */
	const char *hint;	/* LW_CFG_COUNT: what 0 means, or NULL */
};

extern const struct lw_cfg_key lw_cfg_keys[];
extern const size_t lw_cfg_nkeys;

#define LW_CFG_MAX_KEYS	32

/* Values indexed like lw_cfg_keys; has says which are set. */
struct lw_cfg {
	uint32_t has;
	uint32_t val[LW_CFG_MAX_KEYS];
};

/*
 * Parse one "KEY=VALUE" argument into cfg. On error returns -1 and
 * writes a one-line message to err.
 */
int lw_cfg_parse_arg(const char *arg, struct lw_cfg *cfg,
		     char err[LW_ERR_LEN]);

/* "key=value" lines, in table order, for the keys that cfg has. */
void lw_cfg_print(FILE *f, const struct lw_cfg *cfg);

#endif
