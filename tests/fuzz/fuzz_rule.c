// SPDX-License-Identifier: GPL-2.0
/*
 * Alert rules (--alert, "alert =" in latwatch.conf): lw_rule_parse() of
 * any string. A rule that parses is written back normalised, and that
 * text must parse to the same rule and print the same again; its
 * comparison must hold at the edge. A rule that does not parse must say
 * why.
 */
#include "analysis/rules.h"
#include "lib/utils.h"
#include "fuzz.h"

static void check_match(const struct lw_rule *r)
{
	uint32_t type = r->what == LW_RULE_TYPE ? r->ev_type :
			LATWATCH_EV_IRQOFF;
	bool ge = r->op == LW_OP_GE;

	if (r->what == LW_RULE_NICDROP) {
		FUZZ_ASSERT(lw_rule_match(r, type, 0, r->value) == ge);
		if (r->value)
			FUZZ_ASSERT(!lw_rule_match(r, type, UINT64_MAX,
						   r->value - 1));
		if (r->value < UINT64_MAX)
			FUZZ_ASSERT(lw_rule_match(r, type, 0, r->value + 1));
		return;
	}
	FUZZ_ASSERT(lw_rule_match(r, type, r->value, 0) == ge);
	if (r->value)
		FUZZ_ASSERT(!lw_rule_match(r, type, r->value - 1, UINT64_MAX));
	if (r->value < UINT64_MAX)
		FUZZ_ASSERT(lw_rule_match(r, type, r->value + 1, 0));
	/* no rule fires for an event without a type */
	FUZZ_ASSERT(!lw_rule_match(r, LATWATCH_EV_UNSPEC, UINT64_MAX, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char err[LW_ERR_LEN], err2[LW_ERR_LEN];
	struct lw_rule r, again;

	err[0] = '\0';
	if (lw_rule_parse(s, &r, err, sizeof(err))) {
		if (!err[0])
			fuzz_fail("rule '%s' refused without a message", s);
		free(s);
		return 0;
	}
	FUZZ_ASSERT(strlen(r.text) + 1 < sizeof(r.text));
	if (lw_rule_parse(r.text, &again, err2, sizeof(err2)))
		fuzz_fail("'%s' gave '%s', which does not parse: %s", s,
			  r.text, err2);
	if (again.what != r.what || again.ev_type != r.ev_type ||
	    again.op != r.op || again.value != r.value ||
	    strcmp(again.text, r.text))
		fuzz_fail("'%s' gave '%s', which gives '%s'", s, r.text,
			  again.text);
	check_match(&r);
	free(s);
	return 0;
}
