// SPDX-License-Identifier: GPL-2.0
/* Events held until they can be explained: see settle.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/correlate.h"
#include "analysis/settle.h"
#include "lib/utils.h"

void lw_settle_init(struct lw_settle *q, lw_settle_fn release, void *arg)
{
	memset(q, 0, sizeof(*q));
	q->release = release;
	q->arg = arg;
}

static void lw_settle_oldest(struct lw_settle *q)
{
	struct lw_settle_ent *p = &q->ents[q->head];

	q->release(q->arg, &p->held->ev, p->replayed);
	free(p->held);
	p->held = NULL;
	q->head = (q->head + 1) % LW_SETTLE_MAX;
	q->n--;
}

int lw_settle_hold(struct lw_settle *q, struct nlmsghdr *nlh,
		   const struct lw_event *ev, bool replayed)
{
	struct lw_settle_ent *p;

	if (q->n == LW_SETTLE_MAX)
		lw_settle_oldest(q);
	p = &q->ents[(q->head + q->n) % LW_SETTLE_MAX];
	p->held = malloc(sizeof(*p->held) + nlh->nlmsg_len);
	if (!p->held)
		return -ENOMEM;
	p->held->len = nlh->nlmsg_len;
	memcpy(p->held->msg, nlh, nlh->nlmsg_len);
	p->held->ev = *ev;
	lw_event_move(&p->held->ev, nlh, p->held->msg);
	p->arrived_mono = lw_mono_ns();
	p->end_real = (ev->has & LW_EV_TS) ? ev->ts_ns : lw_now_ns();
	p->replayed = replayed;
	q->n++;
	return 0;
}

void lw_settle_release(struct lw_settle *q, const struct lw_snapshots *snaps,
		       uint64_t settle_ns, bool all)
{
	uint64_t now = lw_mono_ns();

	while (q->n) {
		struct lw_settle_ent *p = &q->ents[q->head];
		uint64_t waited = now - p->arrived_mono;

		if (!all && waited < settle_ns)
			break;
		if (!all && waited < LW_SETTLE_MAX_WAIT_NS &&
		    !lw_corr_ready(snaps, p->end_real))
			break;
		lw_settle_oldest(q);
	}
}

void lw_settle_free(struct lw_settle *q)
{
	unsigned int i;

	for (i = 0; i < LW_SETTLE_MAX; i++) {
		free(q->ents[i].held);
		q->ents[i].held = NULL;
	}
	q->n = 0;
}
