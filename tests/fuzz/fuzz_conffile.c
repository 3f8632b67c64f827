// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's config file (latwatch.conf), read with lw_conf_read() from
 * memory, on top of the defaults as "latwatch agent" does. A file that is
 * refused must say why, on one line that names the file.
 */
#include <errno.h>

#include "analysis/rules.h"
#include "cmd/agent_conf.h"
#include "fuzz.h"

#define FUZZ_PATH	"latwatch.conf"

static void check_opts(const struct lw_agent_opts *o)
{
	unsigned int i;

	FUZZ_ASSERT(o->nrules <= LW_AGENT_MAX_RULES);
	for (i = 0; i < o->nrules; i++) {
		const struct lw_rule *r = &o->rules[i];

		FUZZ_ASSERT(memchr(r->text, '\0', sizeof(r->text)));
		lw_rule_match(r, LATWATCH_EV_IRQOFF, 20000000, 1);
	}
	FUZZ_ASSERT(!o->log_file || *o->log_file);
	FUZZ_ASSERT(!o->exec_cmd || *o->exec_cmd);
	FUZZ_ASSERT(!o->metrics_addr || strchr(o->metrics_addr, ':'));
	FUZZ_ASSERT(o->interval_ns >= 1000000);
	FUZZ_ASSERT(o->exec_timeout_ns >= 1000000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lw_agent_opts o;
	char err[LW_ERR_LEN];
	FILE *f;
	int ret;

	lw_agent_opts_defaults(&o);
	/* fmemopen() of 0 bytes fails: an empty file is /dev/null */
	f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	FUZZ_ASSERT(f);
	err[0] = '\0';
	ret = lw_conf_read(f, FUZZ_PATH, &o, err, sizeof(err));
	fclose(f);
	if (ret) {
		FUZZ_ASSERT(ret == -EINVAL);
		if (strncmp(err, FUZZ_PATH ":", strlen(FUZZ_PATH) + 1) ||
		    strlen(err) <= strlen(FUZZ_PATH) + 1 || strchr(err, '\n'))
			fuzz_fail("bad error message: '%s'", err);
	} else {
		check_opts(&o);
	}
	lw_agent_opts_free(&o);
	return 0;
}
