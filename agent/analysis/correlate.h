/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_CORRELATE_H
#define LATWATCH_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/jsonw.h"
#include "source/modevent.h"
#include "source/snapshots.h"

/*
 * What the counters did around an event: the deltas between the newest
 * snapshot at or before the window's start (A) and the oldest one at or
 * after its end (B). Only counters that moved are kept, and only so many:
 * the rest are counted in the *_more members.
 *
 * Driver (ethtool) counters are not in every snapshot (snapshots.h): an
 * interface's are taken from the newest snapshot at or before A that has
 * them and the oldest at or after B, as long as those are no further
 * than LW_CORR_ETH_REACH_NS from A and B; failing that, from the nearest
 * ones between A and B, which cover part of the window only. Their own
 * window is kept with them.
 */

/* Interfaces, ethtool counters per interface, CPUs listed at most. */
#define LW_CORR_MAX_NICS	8
#define LW_CORR_MAX_ETH		8
#define LW_CORR_MAX_CPUS	16
/* How far from A and B driver counters are looked for. */
#define LW_CORR_ETH_REACH_NS	(2 * LW_ETH_PERIOD_NS)

struct lw_corr_eth {
	char name[LW_ETH_NAME_LEN];
	uint64_t delta;
};

struct lw_corr_nic {
	char ifname[LW_IFNAME_LEN];
	uint64_t ctr[LW_NIC_NCTR];	/* deltas, 0 if unmoved or unknown */
	uint64_t total;			/* their sum */
	unsigned int neth;
	unsigned int eth_more;		/* moved, but not listed */
	struct lw_corr_eth eth[LW_CORR_MAX_ETH];	/* largest first */
	/* the snapshots the driver counters are from, when neth */
	uint64_t eth_from_ns;
	uint64_t eth_to_ns;
	bool eth_partial;		/* they do not span the window */
};

struct lw_corr_cpu {
	uint32_t cpu;
	uint64_t dropped;
	uint64_t time_squeeze;
};

/* Which members of struct lw_corr_runq are known. */
enum {
	LW_RUNQ_RUN_DELAY	= 1u << 0,	/* and timeslices */
	LW_RUNQ_PROCS		= 1u << 1,	/* procs_running, _max */
	LW_RUNQ_PSI		= 1u << 2,
	LW_RUNQ_NCPUS		= 1u << 3,
};

struct lw_corr_runq {
	unsigned int has;
	uint32_t cpu;
	uint64_t run_delay_ns;		/* growth on cpu */
	uint64_t timeslices;		/* on cpu */
	uint64_t procs_running;		/* in B, system-wide */
	uint64_t procs_running_max;	/* in the snapshots A..B */
	uint64_t psi_some_us;		/* growth */
	uint64_t ncpus;			/* online in B */
};

/*
 * Hypervisor steal time on the event's CPU: the time the host ran
 * something else on it. /proc/stat counts it in USER_HZ ticks, so ns is
 * a multiple of tick_ns and the time stolen between A and B was more
 * than ns - tick_ns and less than ns + tick_ns.
 */
struct lw_corr_steal {
	bool known;
	uint32_t cpu;
	uint64_t ns;		/* growth from A to B */
	uint64_t tick_ns;	/* one USER_HZ tick */
};

struct lw_corr {
	bool valid;		/* snapshots A and B were found */
	bool partial;		/* they do not span the whole window */
	uint64_t start_ns;	/* the window asked for */
	uint64_t end_ns;
	uint64_t from_ns;	/* the snapshots' CLOCK_REALTIME */
	uint64_t to_ns;
	unsigned int nnic;
	unsigned int nic_more;	/* moved, but not listed */
	uint64_t nic_dropped;	/* sysfs deltas, all interfaces */
	struct lw_corr_nic nic[LW_CORR_MAX_NICS];	/* most drops first */
	unsigned int nsoftnet;
	unsigned int softnet_more;
	uint64_t softnet_dropped;	/* over every CPU */
	uint64_t softnet_squeeze;
	struct lw_corr_cpu softnet[LW_CORR_MAX_CPUS];	/* by CPU */
	struct lw_corr_runq runq;
	struct lw_corr_steal steal;
};

/* Whether a snapshot taken at or after end_real_ns exists. */
bool lw_corr_ready(const struct lw_snapshots *s, uint64_t end_real_ns);

/*
 * Fill c for the window [start_ns, end_ns] (CLOCK_REALTIME) of an event
 * on cpu. A window that began before the oldest snapshot is measured
 * from the oldest one, and one whose end has no snapshot yet up to the
 * newest one: c->partial says so. Returns 0, -EINVAL if start_ns >
 * end_ns, or -ENODATA if no two snapshots enclose any of the window (it
 * ended before the oldest snapshot, or none was taken after its start):
 * c->valid is false then.
 */
int lw_correlate(const struct lw_snapshots *s, uint64_t start_ns,
		 uint64_t end_ns, uint32_t cpu, struct lw_corr *c);

/*
 * The packets dropped in the window, for "nicdrop" rules: the sum over
 * every interface (listed or not) of the rx_dropped, rx_missed_errors,
 * rx_fifo_errors, rx_over_errors and tx_dropped deltas, plus the sum over
 * every CPU of the softnet_stat "dropped" deltas. Driver (ethtool)
 * counters are not in it: they repeat the sysfs ones under other names.
 * A packet dropped from a full backlog is counted by its CPU's softnet
 * "dropped" and, by most kernels, by its device's rx_dropped as well, so
 * the sum is an upper bound; it is 0 only if nothing was dropped.
 */
uint64_t lw_corr_nicdrops(const struct lw_corr *c);

/*
 * Write the member "correlation": {"window":{"from_ns":..,"to_ns":..},
 * "nic":[{"ifname":"lo","rx_dropped":922,..,"ethtool":{"name":n,..},
 * "ethtool_window":{"from_ns":..,"to_ns":..}}],
 * "softnet":[{"cpu":1,"dropped":922,"time_squeeze":3}],"steal_ns":..,
 * "runq":{"cpu":1,"run_delay_ns":..,"timeslices":..,"procs_running":..,
 * "procs_running_max":..,"psi_some_us":..}}. Counters that did not move
 * are left out, and "nic" or "softnet" too when nothing in them moved.
 * "window" has "partial":true, and the object "nicdrops", "nic_more",
 * "softnet_more" (per interface "ethtool_more") when they apply;
 * "ethtool_window", with "partial" when it applies, is there when the
 * driver counters are from other snapshots than the rest.
 * "steal_ns" (the event's CPU, 0 included) is there when the steal time
 * is known: not when the CPU has no line in /proc/stat, its value went
 * back (a CPU hot-plugged again), or no CPU has any since boot (bare
 * metal, or a hypervisor that does not tell: 0 would say nothing was
 * stolen). Without snapshots the object is {"available":false}. It
 * takes 4 levels of nesting below the object it is written into.
 */
void lw_corr_json(struct jw *j, const struct lw_corr *c);

#endif
