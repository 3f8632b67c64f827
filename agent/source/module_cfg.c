// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <strings.h>

#include <latwatch/latwatch.h>

#include "lib/units.h"
#include "source/module_cfg.h"

#define LW_US(name, attr)	{ name, attr, LW_CFG_DURATION, 3, NULL }
#define LW_MS(name, attr)	{ name, attr, LW_CFG_DURATION, 6, NULL }
#define LW_SWITCH(name, attr)	{ name, attr, LW_CFG_SWITCH, 0, NULL }
#define LW_COUNT(name, attr, hint) { name, attr, LW_CFG_COUNT, 0, hint }

const struct lw_cfg_key lw_cfg_keys[] = {
	LW_US("irqoff_threshold_us", LATWATCH_A_CFG_IRQOFF_THRESHOLD_US),
	LW_US("softirqoff_threshold_us", LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US),
	LW_US("sample_period_us", LATWATCH_A_CFG_SAMPLE_PERIOD_US),
	LW_US("softirq_threshold_us", LATWATCH_A_CFG_SOFTIRQ_THRESHOLD_US),
	LW_US("timer_threshold_us", LATWATCH_A_CFG_TIMER_THRESHOLD_US),
	LW_US("hardirq_threshold_us", LATWATCH_A_CFG_HARDIRQ_THRESHOLD_US),
	LW_MS("hung_threshold_ms", LATWATCH_A_CFG_HUNG_THRESHOLD_MS),
	LW_MS("hung_scan_interval_ms", LATWATCH_A_CFG_HUNG_SCAN_INTERVAL_MS),
	LW_SWITCH("irqoff_enabled", LATWATCH_A_CFG_IRQOFF_ENABLED),
	LW_SWITCH("softirqoff_enabled", LATWATCH_A_CFG_SOFTIRQOFF_ENABLED),
	LW_SWITCH("softirq_enabled", LATWATCH_A_CFG_SOFTIRQ_ENABLED),
	LW_SWITCH("timer_enabled", LATWATCH_A_CFG_TIMER_ENABLED),
	LW_SWITCH("hardirq_enabled", LATWATCH_A_CFG_HARDIRQ_ENABLED),
	LW_SWITCH("hung_enabled", LATWATCH_A_CFG_HUNG_ENABLED),
	LW_COUNT("max_events_per_sec", LATWATCH_A_CFG_MAX_EVENTS_PER_SEC,
		 "0 for no limit"),
	LW_COUNT("replay_events", LATWATCH_A_CFG_REPLAY_EVENTS,
		 "0 keeps none"),
	LW_SWITCH("idle_pause", LATWATCH_A_CFG_IDLE_PAUSE),
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

static int lw_cfg_duration(const struct lw_cfg_key *key, const char *s,
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

static const struct {
	const char *name;
	uint32_t val;
} lw_switch_words[] = {
	{ "0", 0 }, { "1", 1 },
	{ "off", 0 }, { "on", 1 },
	{ "no", 0 }, { "yes", 1 },
	{ "false", 0 }, { "true", 1 },
};

static int lw_cfg_switch(const struct lw_cfg_key *key, const char *s,
			 uint32_t *val, char err[LW_ERR_LEN])
{
	size_t i;

	for (i = 0; i < sizeof(lw_switch_words) / sizeof(lw_switch_words[0]); i++) {
		if (!strcasecmp(s, lw_switch_words[i].name)) {
			*val = lw_switch_words[i].val;
			return 0;
		}
	}
	snprintf(err, LW_ERR_LEN,
		 "bad value for %s: '%s': expected 0 or 1 (or off/on, no/yes, false/true)",
		 key->name, s);
	return -1;
}

/* Decimal digits only: no sign, no unit, no spaces, no leading "0x". */
static int lw_cfg_count(const struct lw_cfg_key *key, const char *s,
			uint32_t *val, char err[LW_ERR_LEN])
{
	uint64_t v = 0;
	const char *p;

	if (!*s || s[strspn(s, "0123456789")]) {
		snprintf(err, LW_ERR_LEN,
			 "bad value for %s: '%s': expected a whole number%s%s%s",
			 key->name, s, key->hint ? " (" : "",
			 key->hint ? key->hint : "", key->hint ? ")" : "");
		return -1;
	}
	for (p = s; *p; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX) {
			snprintf(err, LW_ERR_LEN,
				 "bad value for %s: '%s': too large (at most %u)",
				 key->name, s, UINT32_MAX);
			return -1;
		}
	}
	*val = (uint32_t)v;
	return 0;
}

static int lw_cfg_value(const struct lw_cfg_key *key, const char *s,
			uint32_t *val, char err[LW_ERR_LEN])
{
	switch (key->kind) {
	case LW_CFG_SWITCH:
		return lw_cfg_switch(key, s, val, err);
	case LW_CFG_COUNT:
		return lw_cfg_count(key, s, val, err);
	default:
		return lw_cfg_duration(key, s, val, err);
	}
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
