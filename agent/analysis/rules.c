// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <latwatch/latwatch.h>

#include "analysis/rules.h"
#include "lib/units.h"
#include "lib/utils.h"
#include "source/modevent.h"

#define LW_RULE_ANY_NAME	"any"
#define LW_RULE_NICDROP_NAME	"nicdrop"
/* Longer than any type name: what is cut to this is unknown anyway. */
#define LW_RULE_NAME_MAX	32

static bool lw_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

static bool lw_op_char(char c)
{
	return c == '<' || c == '>' || c == '=' || c == '!';
}

static bool lw_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether [s, end) is digits with maybe a '.': a number without a unit. */
static bool lw_bare_number(const char *s, const char *end)
{
	if (s == end)
		return false;
	for (; s < end; s++)
		if (!lw_digit(*s) && *s != '.')
			return false;
	return true;
}

static bool lw_unit_word(const char *s, size_t len)
{
	static const char *const units[] = { "ns", "us", "\xc2\xb5s", "ms", "s" };
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i]) == len && !memcmp(units[i], s, len))
			return true;
	return false;
}

/* "irqoff, softirqoff, ..., any, nicdrop": what may come before OP. */
static void lw_rule_names(char *buf, size_t len)
{
	size_t n = 0;
	uint32_t t;
	int w;

	buf[0] = '\0';
	for (t = 1; t <= LATWATCH_EV_MAX + 2u && n < len; t++) {
		const char *name = t <= LATWATCH_EV_MAX ? lw_event_type_name(t) :
				   t == LATWATCH_EV_MAX + 1u ? LW_RULE_ANY_NAME :
				   LW_RULE_NICDROP_NAME;

		if (!name)
			continue;
		w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/* What the rule looks at, from its name [s, s + len). */
static int lw_rule_what(const char *s, size_t len, struct lw_rule *r,
			char *err, size_t errlen)
{
	char name[LW_RULE_NAME_MAX];
	char names[160];

	if (len < sizeof(name)) {
		memcpy(name, s, len);
		name[len] = '\0';
		if (!strcmp(name, LW_RULE_ANY_NAME)) {
			r->what = LW_RULE_ANY;
			r->ev_type = LATWATCH_EV_UNSPEC;
			return 0;
		}
		if (!strcmp(name, LW_RULE_NICDROP_NAME)) {
			r->what = LW_RULE_NICDROP;
			r->ev_type = LATWATCH_EV_UNSPEC;
			return 0;
		}
		r->what = LW_RULE_TYPE;
		r->ev_type = lw_event_type_find(name);
		if (r->ev_type != LATWATCH_EV_UNSPEC)
			return 0;
	}
	lw_rule_names(names, sizeof(names));
	return lw_seterr(err, errlen, "unknown event type '%.*s' (%s)",
			 len > 40 ? 40 : (int)len, s, names);
}

static int lw_rule_op(const char *s, size_t len, struct lw_rule *r,
		      char *err, size_t errlen)
{
	if (len == 2 && !memcmp(s, ">=", 2)) {
		r->op = LW_OP_GE;
		return 0;
	}
	if (len == 1 && *s == '>') {
		r->op = LW_OP_GT;
		return 0;
	}
	return lw_seterr(err, errlen,
			 "unsupported operator '%.*s' (use >= or >)",
			 (int)len, s);
}

/* The packet count in [s, end), for nicdrop. */
static int lw_rule_count(const char *s, const char *end, uint64_t *v,
			 char *err, size_t errlen)
{
	const char *p;

	*v = 0;
	for (p = s; p < end; p++) {
		if (!lw_digit(*p))
			return lw_seterr(err, errlen,
					 "bad packet count '%.*s': %s",
					 (int)(end - s), s,
					 *s == '-' ? "negative value" :
					 "nicdrop takes a whole number of packets");
		if (__builtin_mul_overflow(*v, 10, v) ||
		    __builtin_add_overflow(*v, (uint64_t)(*p - '0'), v))
			return lw_seterr(err, errlen,
					 "bad packet count '%.*s': too large",
					 (int)(end - s), s);
	}
	return 0;
}

/* The duration in [s, end), which must have a unit. */
static int lw_rule_duration(const char *s, const char *end, uint64_t *ns,
			    char *err, size_t errlen)
{
	char buf[64];
	size_t len = (size_t)(end - s);
	enum lw_dur_err derr;

	if (lw_bare_number(s, end))
		return lw_seterr(err, errlen,
				 "duration '%.*s' needs a unit (ns, us, ms or s), e.g. '%.*sms'",
				 (int)len, s, (int)len, s);
	if (len >= sizeof(buf))
		return lw_seterr(err, errlen, "bad duration '%.40s...': too long",
				 s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	derr = lw_parse_duration(buf, 0, ns);
	if (derr)
		return lw_seterr(err, errlen, "bad duration '%s': %s", buf,
				 lw_dur_strerror(derr));
	return 0;
}

/* ns in the largest unit that keeps it whole: "20ms", "1500us", "0s". */
static void lw_rule_fmt_duration(char *buf, size_t len, uint64_t ns)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = {
		{ 1000000000u, "s" }, { 1000000u, "ms" }, { 1000u, "us" },
		{ 1u, "ns" },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns % units[i].div == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", ns / units[i].div,
				 units[i].unit);
			return;
		}
	}
}

static const char *lw_rule_what_name(const struct lw_rule *r)
{
	switch (r->what) {
	case LW_RULE_ANY:
		return LW_RULE_ANY_NAME;
	case LW_RULE_NICDROP:
		return LW_RULE_NICDROP_NAME;
	case LW_RULE_TYPE:
		break;
	}
	return lw_event_type_name(r->ev_type);
}

int lw_rule_parse(const char *s, struct lw_rule *r, char *err, size_t errlen)
{
	const char *p = s, *name, *name_end, *op, *op_end, *val, *val_end;
	const char *rest, *rest_end;
	struct lw_rule rule = { 0 };
	char value[32];

	while (lw_space(*p))
		p++;
	if (!*p)
		return lw_seterr(err, errlen,
				 "empty rule (expected e.g. irqoff>=20ms)");
	name = p;
	while (*p && !lw_op_char(*p))
		p++;
	if (!*p)
		return lw_seterr(err, errlen,
				 "missing operator (use >= or >, e.g. irqoff>=20ms)");
	op = p;
	name_end = op;
	while (name_end > name && lw_space(name_end[-1]))
		name_end--;
	while (lw_op_char(*p))
		p++;
	op_end = p;
	if (name_end == name)
		return lw_seterr(err, errlen, "missing event type before '%.*s'",
				 (int)(op_end - op), op);
	if (lw_rule_what(name, (size_t)(name_end - name), &rule, err, errlen) ||
	    lw_rule_op(op, (size_t)(op_end - op), &rule, err, errlen))
		return -1;

	while (lw_space(*p))
		p++;
	val = p;
	while (*p && !lw_space(*p))
		p++;
	val_end = p;
	while (lw_space(*p))
		p++;
	rest = p;
	rest_end = rest + strlen(rest);
	while (rest_end > rest && lw_space(rest_end[-1]))
		rest_end--;
	if (val == val_end)
		return lw_seterr(err, errlen, "missing value after '%.*s'",
				 (int)(op_end - op), op);
	if (rest != rest_end) {
		if (rule.what != LW_RULE_NICDROP &&
		    lw_bare_number(val, val_end) &&
		    lw_unit_word(rest, (size_t)(rest_end - rest)))
			return lw_seterr(err, errlen,
					 "no space allowed in '%.*s %.*s' (write '%.*s%.*s')",
					 (int)(val_end - val), val,
					 (int)(rest_end - rest), rest,
					 (int)(val_end - val), val,
					 (int)(rest_end - rest), rest);
		return lw_seterr(err, errlen, "unexpected '%.*s' after '%.*s'",
				 (int)(rest_end - rest), rest,
				 (int)(val_end - val), val);
	}

	if (rule.what == LW_RULE_NICDROP) {
		if (lw_rule_count(val, val_end, &rule.value, err, errlen))
			return -1;
		snprintf(value, sizeof(value), "%" PRIu64, rule.value);
	} else {
		if (lw_rule_duration(val, val_end, &rule.value, err, errlen))
			return -1;
		lw_rule_fmt_duration(value, sizeof(value), rule.value);
	}
	snprintf(rule.text, sizeof(rule.text), "%s%s%s", lw_rule_what_name(&rule),
		 rule.op == LW_OP_GE ? ">=" : ">", value);
	*r = rule;
	return 0;
}

bool lw_rule_match(const struct lw_rule *r, uint32_t ev_type,
		   uint64_t duration_ns, uint64_t nicdrops)
{
	uint64_t v;

	switch (r->what) {
	case LW_RULE_TYPE:
		if (ev_type != r->ev_type)
			return false;
		v = duration_ns;
		break;
	case LW_RULE_ANY:
		if (ev_type == LATWATCH_EV_UNSPEC)
			return false;
		v = duration_ns;
		break;
	case LW_RULE_NICDROP:
		v = nicdrops;
		break;
	default:
		return false;
	}
	return r->op == LW_OP_GE ? v >= r->value : v > r->value;
}
