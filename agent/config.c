// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include <latwatch/latwatch.h>

#include "config.h"
#include "units.h"

const struct lw_cfg_key lw_cfg_keys[] = {
	{ "irqoff_threshold_us", LATWATCH_A_CFG_IRQOFF_THRESHOLD_US, 3 },
	{ "softirqoff_threshold_us", LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US, 3 },
	{ "sample_period_us", LATWATCH_A_CFG_SAMPLE_PERIOD_US, 3 },
};

const size_t lw_cfg_nkeys = sizeof(lw_cfg_keys) / sizeof(lw_cfg_keys[0]);

_Static_assert(sizeof(lw_cfg_keys) / sizeof(lw_cfg_keys[0]) <= LW_CFG_MAX_KEYS,
	       "struct lw_cfg has room for LW_CFG_MAX_KEYS keys");

static int lw_cfg_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < lw_cfg_nkeys; i++)
		if (strlen(lw_cfg_keys[i].name) == len &&
		    !strncmp(lw_cfg_keys[i].name, name, len))
			return (int)i;
	return -1;
}

static int lw_cfg_value(const struct lw_cfg_key *key, const char *s,
			uint32_t *val, char err[LW_ERR_LEN])
{
	const char *unit = lw_unit_name(key->exp);
	enum lw_dur_err derr;
	uint64_t ns, div = 1;
	unsigned int i;

	derr = lw_parse_duration(s, key->exp, &ns);
	if (derr) {
		snprintf(err, LW_ERR_LEN, "bad value for %s: '%s': %s",
			 key->name, s, lw_dur_strerror(derr));
		return -1;
	}
	for (i = 0; i < key->exp; i++)
		div *= 10;
	if (ns % div) {
		snprintf(err, LW_ERR_LEN,
			 "bad value for %s: '%s': not a whole number of %s",
			 key->name, s, unit);
		return -1;
	}
	if (ns / div > UINT32_MAX) {
		snprintf(err, LW_ERR_LEN,
			 "bad value for %s: '%s': too large (at most %u %s)",
			 key->name, s, UINT32_MAX, unit);
		return -1;
	}
	*val = (uint32_t)(ns / div);
	return 0;
}

int lw_cfg_parse_arg(const char *arg, struct lw_cfg *cfg,
		     char err[LW_ERR_LEN])
{
	const char *eq = strchr(arg, '=');
	int k;

	if (!eq) {
		snprintf(err, LW_ERR_LEN, "'%s': expected KEY=VALUE", arg);
		return -1;
	}
	k = lw_cfg_find(arg, (size_t)(eq - arg));
	if (k < 0) {
		snprintf(err, LW_ERR_LEN,
			 "unknown key '%.*s' (see latwatch config --help)",
			 (int)(eq - arg), arg);
		return -1;
	}
	if (cfg->has & (1u << k)) {
		snprintf(err, LW_ERR_LEN, "%s given twice", lw_cfg_keys[k].name);
		return -1;
	}
	if (lw_cfg_value(&lw_cfg_keys[k], eq + 1, &cfg->val[k], err))
		return -1;
	cfg->has |= 1u << k;
	return 0;
}

void lw_cfg_print(FILE *f, const struct lw_cfg *cfg)
{
	size_t i;

	for (i = 0; i < lw_cfg_nkeys; i++)
		if (cfg->has & (1u << i))
			fprintf(f, "%s=%u\n", lw_cfg_keys[i].name, cfg->val[i]);
}
