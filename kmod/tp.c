// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: probes on the kernel's tracepoints, found by name, since the
 * tracepoint symbols themselves are not exported to modules.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "latwatch.h"

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

int lw_tp_register(const char *name, void *probe)
{
	struct tracepoint *tp = lw_tp_find(name);

	if (!tp) {
		pr_err("no tracepoint %s in this kernel\n", name);
		return -ENOENT;
	}
	return tracepoint_probe_register(tp, probe, NULL);
}

void lw_tp_unregister(const char *name, void *probe)
{
	struct tracepoint *tp = lw_tp_find(name);

	if (tp)
		tracepoint_probe_unregister(tp, probe, NULL);
}

/* Returns when no probe of latwatch runs any more. */
void lw_tp_sync(void)
{
	tracepoint_synchronize_unregister();
}
