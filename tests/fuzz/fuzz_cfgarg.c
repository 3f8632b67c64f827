// SPDX-License-Identifier: GPL-2.0
/*
 * Module settings: "latwatch config KEY=VALUE ...", one argument a line
 * of the input, each through lw_cfg_parse_arg() into one struct lw_cfg
 * (so a key may come twice), and through lw_agent_opt_set_module(), as
 * "latwatch agent --set KEY=VALUE" and "module.KEY = VALUE" do. Checks:
 * both agree on each argument alone; a refused one has a one-line
 * message; what lw_cfg_print() writes parses back to the same settings.
 */
#include "cmd/agent_conf.h"
#include "source/module_cfg.h"
#include "fuzz.h"

static void check_err(const char *arg, const char *err)
{
	if (!err[0])
		fuzz_fail("'%s' refused without a message", arg);
}

static void check_print(const struct lw_cfg *cfg)
{
	struct lw_cfg again = { 0 };
	char err[LW_ERR_LEN];
	struct fuzz_out o;
	char *line, *save = NULL;
	size_t i;

	lw_cfg_print(fuzz_out_open(&o), cfg);
	fuzz_out_close(&o);
	fuzz_no_nul(o.buf, o.len);
	for (line = strtok_r(o.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (lw_cfg_parse_arg(line, &again, err))
			fuzz_fail("printed '%s', which does not parse: %s",
				  line, err);
	FUZZ_ASSERT(again.has == cfg->has);
	for (i = 0; i < lw_cfg_nkeys; i++)
		if (cfg->has & (1u << i))
			FUZZ_ASSERT(again.val[i] == cfg->val[i]);
	fuzz_out_free(&o);
}

/* One argument alone, both ways. */
static void one(const char *arg)
{
	struct lw_cfg cfg = { 0 };
	struct lw_agent_opts o;
	char err[LW_ERR_LEN], err2[LW_ERR_LEN];
	int ret, ret2;
	size_t i;

	err[0] = err2[0] = '\0';
	ret = lw_cfg_parse_arg(arg, &cfg, err);
	lw_agent_opts_defaults(&o);
	ret2 = lw_agent_opt_set_module(&o, arg, err2, sizeof(err2));
	if (!ret != !ret2)
		fuzz_fail("'%s': config says %s, the agent %s", arg,
			  ret ? err : "ok", ret2 ? err2 : "ok");
	if (ret) {
		check_err(arg, err);
		check_err(arg, err2);
	} else {
		FUZZ_ASSERT(cfg.has && !(cfg.has & (cfg.has - 1)));
		FUZZ_ASSERT(o.module.has == cfg.has);
		for (i = 0; i < lw_cfg_nkeys; i++)
			if (cfg.has & (1u << i))
				FUZZ_ASSERT(o.module.val[i] == cfg.val[i]);
	}
	lw_agent_opts_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *arg, *save = NULL;
	struct lw_cfg cfg = { 0 };
	char err[LW_ERR_LEN];
	unsigned int n = 0;

	for (arg = strtok_r(s, "\n", &save); arg && n < 64;
	     arg = strtok_r(NULL, "\n", &save), n++) {
		one(arg);
		err[0] = '\0';
		if (lw_cfg_parse_arg(arg, &cfg, err))
			check_err(arg, err);
	}
	check_print(&cfg);
	free(s);
	return 0;
}
