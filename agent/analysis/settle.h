/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_SETTLE_H
#define LATWATCH_SETTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "source/modevent.h"
#include "source/snapshots.h"

/*
 * Events held for a short settle time ("latwatch agent --settle"), so
 * that a snapshot of the counters after their window exists before they
 * are explained. An event is let go, oldest first, once it waited the
 * settle time and a snapshot at or after the end of its window exists,
 * or once it waited LW_SETTLE_MAX_WAIT_NS.
 *
 * Each holds a copy of its message (at most a few KiB with a full
 * stack) and of the event parsed from it, its strings pointing into the
 * copy: parsing it again when let go took a tenth of the agent's time.
 * LW_SETTLE_MAX bounds that memory to about 1.2 MiB; when they are all
 * taken, the oldest is let go at once, with the snapshots there are.
 */
#define LW_SETTLE_MAX		256
#define LW_SETTLE_MAX_WAIT_NS	(2000ULL * 1000 * 1000)

/* An event held, and the message its strings point into. */
struct lw_held {
	struct lw_event ev;
	size_t len;
	unsigned char msg[];
};

struct lw_settle_ent {
	struct lw_held *held;
	uint64_t arrived_mono;
	uint64_t end_real;	/* the window's end: the event's ts_ns */
	bool replayed;		/* fetched on start, not received live */
};

/* An event let go, freed after. */
typedef void (*lw_settle_fn)(void *arg, const struct lw_event *ev,
			     bool replayed);

struct lw_settle {
	struct lw_settle_ent ents[LW_SETTLE_MAX];
	unsigned int head, n;
	lw_settle_fn release;
	void *arg;
};

void lw_settle_init(struct lw_settle *q, lw_settle_fn release, void *arg);

/*
 * Hold ev, parsed from the message nlh. 0, or -ENOMEM: then it is not
 * held, and the caller should explain it now.
 */
int lw_settle_hold(struct lw_settle *q, struct nlmsghdr *nlh,
		   const struct lw_event *ev, bool replayed);

/* Let go of the events whose time is up, or of all of them. */
void lw_settle_release(struct lw_settle *q, const struct lw_snapshots *snaps,
		       uint64_t settle_ns, bool all);

/* How many events are held. */
static inline unsigned int lw_settle_count(const struct lw_settle *q)
{
	return q->n;
}

/* Free what is held, without letting it go. */
void lw_settle_free(struct lw_settle *q);

#endif
