/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_EXPLAIN_H
#define LATWATCH_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/correlate.h"
#include "analysis/period.h"
#include "analysis/signature.h"
#include "analysis/verdict.h"
#include "lib/jsonw.h"
#include "source/modevent.h"
#include "source/snapshots.h"

/*
 * What "latwatch agent" says about one event: its signature, what the
 * counters did in its window, whether its signature recurs at a period,
 * and the verdict that sums it up; then all of it as one JSON line.
 */

/* Room for the period's text (lw_period_text()). */
#define LW_PERIOD_TEXT_LEN	160

struct lw_explained {
	char sig[LW_SIG_LEN];
	char verdict[LW_VERDICT_LEN];
	bool have_corr;		/* snapshots enclose some of its window */
	struct lw_corr corr;
	uint64_t nicdrops;	/* lw_corr_nicdrops(), 0 without corr */
	bool periodic;		/* its signature recurs: period holds how */
	struct lw_period period;
	char period_text[LW_PERIOD_TEXT_LEN];
};

/*
 * Explain ev with the snapshots there are, and record it in periods: the
 * window is correlated if the event has a time and a duration, and its
 * signature counted if it has a time. story, if not NULL or empty, tells
 * what happened in the verdict instead of ev alone (its incident's story).
 */
void lw_explain(struct lw_explained *x, const struct lw_event *ev,
		const char *story, const struct lw_snapshots *snaps,
		struct lw_periods *periods);

/*
 * The event's JSON object with "signature", "correlation" (if any),
 * "period" (if periodic), "verdict" and, if replayed, "replayed":true;
 * without a newline, in out (emptied first: the agent keeps one for
 * every event, so its memory is allocated once). 0, or -ENOMEM.
 */
int lw_explained_json(struct jw_mem *out, const struct lw_event *ev,
		      const struct lw_explained *x, bool replayed);

#endif
