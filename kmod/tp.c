// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: probes on the kernel's tracepoints, found by name, since the
 * tracepoint symbols themselves are not exported to modules. Each detector
 * registers a table of probes (LW_TP(), type-checked at build time) as one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "internal.h"

struct lw_tp_lookup {
	const char *name;
	struct tracepoint *tp;
};

static void lw_tp_match(struct tracepoint *tp, void *priv)
{
	struct lw_tp_lookup *l = priv;

	if (!strcmp(tp->name, l->name))
		l->tp = tp;
}

static struct tracepoint *lw_tp_find(const char *name)
{
	struct lw_tp_lookup l = { .name = name };

	for_each_kernel_tracepoint(lw_tp_match, &l);
	return l.tp;
}

/* Every probe of @tps, or none: on failure the ones registered go again. */
int lw_tp_register(const struct lw_tp *tps, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct tracepoint *tp = lw_tp_find(tps[i].name);

		if (!tp) {
			pr_err("no tracepoint %s in this kernel\n", tps[i].name);
			ret = -ENOENT;
		} else {
			ret = tracepoint_probe_register(tp, tps[i].probe, NULL);
		}
		if (ret) {
			lw_tp_unregister(tps, i);
			return ret;
		}
	}
	return 0;
}

/* In reverse order; lw_tp_sync() then waits for probes still running. */
void lw_tp_unregister(const struct lw_tp *tps, unsigned int n)
{
	while (n--) {
		struct tracepoint *tp = lw_tp_find(tps[n].name);

		if (tp)
			tracepoint_probe_unregister(tp, tps[n].probe, NULL);
	}
}

/* Returns when no probe of latwatch runs any more. */
void lw_tp_sync(void)
{
	tracepoint_synchronize_unregister();
}
