// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "analysis/explain.h"
#include "lib/jsonw.h"
#include "sink/event_print.h"

void lw_explain(struct lw_explained *x, const struct lw_event *ev,
		const char *story, const struct lw_snapshots *snaps,
		struct lw_periods *periods)
{
	uint64_t start;

	x->have_corr = false;
	x->periodic = false;
	x->nicdrops = 0;
	lw_signature_event(x->sig, sizeof(x->sig), ev);
	if ((ev->has & LW_EV_TS) && (ev->has & LW_EV_DURATION)) {
		start = ev->ts_ns > ev->duration_ns ?
			ev->ts_ns - ev->duration_ns : 0;
		if (!lw_correlate(snaps, start, ev->ts_ns, ev->cpu,
				  &x->corr)) {
			x->have_corr = true;
			x->nicdrops = lw_corr_nicdrops(&x->corr);
		}
	}
	if ((ev->has & LW_EV_TS) &&
	    lw_period_add(periods, x->sig, ev->ts_ns, &x->period) == 1) {
		x->periodic = true;
		lw_period_text(x->period_text, sizeof(x->period_text),
			       &x->period);
	}
	lw_verdict_told(x->verdict, sizeof(x->verdict), story, ev,
			x->have_corr ? &x->corr : NULL);
}

int lw_explained_json(struct jw_mem *out, const struct lw_event *ev,
		      const struct lw_explained *x, bool replayed)
{
	struct jw j;

	jw_mem_clear(out);
	jw_init_mem(&j, out);
	jw_obj_open(&j);
	lw_event_json_members(&j, ev);
	jw_kv_str(&j, "signature", x->sig);
	if (x->have_corr)
		lw_corr_json(&j, &x->corr);
	if (x->periodic)
		lw_period_json(&j, &x->period);
	jw_kv_str(&j, "verdict", x->verdict);
	if (replayed) {
		jw_key(&j, "replayed");
		jw_bool(&j, true);
	}
	jw_obj_close(&j);
	return out->failed ? -ENOMEM : 0;
}
