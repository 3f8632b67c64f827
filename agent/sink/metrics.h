/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_METRICS_H
#define LATWATCH_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <latwatch/latwatch.h>

#include "analysis/signature.h"
#include "source/modevent.h"
#include "source/stats_dump.h"

/*
 * Prometheus metrics of "latwatch agent --metrics ADDR:PORT".
 *
 * struct lw_metrics holds every value; the agent updates it as things
 * happen and lw_metrics_render() writes it in the text exposition format
 * (version 0.0.4). Every table in it has a fixed size, so the struct is
 * about 150 KiB whatever the agent sees: updates that do not fit a table
 * are counted in latwatch_metrics_overflow_total{table=...}.
 */

/* Per-CPU series: CPUs 0 to LW_METRICS_MAX_CPUS - 1. */
#define LW_METRICS_MAX_CPUS	1024
/* Interfaces with correlated drops. */
#define LW_METRICS_MAX_IFACES	32
#define LW_METRICS_IFNAME_LEN	16	/* IFNAMSIZ */
/* Alert rules. */
#define LW_METRICS_MAX_RULES	64
#define LW_METRICS_RULE_LEN	64
/* Periodic signatures listed with their period. */
#define LW_METRICS_MAX_PERIODIC	64
#define LW_METRICS_VERSION_LEN	64

/* Index 0 counts events of a type this program does not know. */
#define LW_METRICS_NTYPES	(LATWATCH_EV_MAX + 1)
/* Upper bounds of the duration buckets, then +Inf. */
#define LW_METRICS_NBOUNDS	16
#define LW_METRICS_NBUCKETS	(LW_METRICS_NBOUNDS + 1)

extern const uint64_t lw_metrics_bounds_ns[LW_METRICS_NBOUNDS];

struct lw_metrics_hist {
	uint64_t bucket[LW_METRICS_NBUCKETS];	/* not cumulative */
	uint64_t sum_ns;
	uint64_t count;
};

struct lw_metrics_iface {
	char name[LW_METRICS_IFNAME_LEN];
	uint64_t drops;
};

struct lw_metrics_rule {
	char text[LW_METRICS_RULE_LEN];
	uint64_t alerts;
	uint64_t suppressed;
};

struct lw_metrics_periodic {
	char signature[LW_SIG_LEN];
	uint32_t type;
	uint64_t period_ns;
};

/*
 * The module's own per-CPU counters (LATWATCH_CMD_STATS_GET), as exported:
 * latwatch_module_<name>_total{cpu}.
 */
enum lw_metrics_modctr {
	LW_MM_EVENTS,
	LW_MM_DELIVERED,
	LW_MM_LOST,
	LW_MM_RATELIMITED,
	LW_MM_UNHEARD,
	LW_MM_N,
};

/* The tables of latwatch_metrics_overflow_total. */
enum lw_metrics_table {
	LW_MT_CPU,
	LW_MT_INTERFACE,
	LW_MT_RULE,
	LW_MT_NTABLES,
};

struct lw_metrics {
	char version[LW_METRICS_VERSION_LEN];
	uint64_t events[LW_METRICS_NTYPES];
	struct lw_metrics_hist hist[LW_METRICS_NTYPES];
	uint64_t cpu_events[LW_METRICS_NTYPES][LW_METRICS_MAX_CPUS];
	uint64_t lost[2];			/* by enum lw_lost_reason */
	unsigned int nifaces;
	struct lw_metrics_iface ifaces[LW_METRICS_MAX_IFACES];
	uint64_t softnet_drops[LW_METRICS_MAX_CPUS];
	/* Bit i of module_has[cpu]: module[i][cpu] was reported. */
	uint8_t module_has[LW_METRICS_MAX_CPUS];
	uint64_t module[LW_MM_N][LW_METRICS_MAX_CPUS];
	unsigned int nrules;
	struct lw_metrics_rule rules[LW_METRICS_MAX_RULES];
	unsigned int nperiodic;			/* all periodic signatures */
	unsigned int nperiodic_listed;		/* those in periodic[] */
	struct lw_metrics_periodic periodic[LW_METRICS_MAX_PERIODIC];
	uint64_t malformed;
	uint64_t overruns;
	uint64_t reloads;
	bool module_loaded;
	uint64_t overflow[LW_MT_NTABLES];
};

/* Everything zero; version goes into latwatch_build_info. */
void lw_metrics_init(struct lw_metrics *m, const char *version);

/* An event: its type (enum latwatch_event_type), CPU and duration. */
void lw_metrics_event(struct lw_metrics *m, uint32_t type, uint32_t cpu,
		      uint64_t duration_ns);
/* n events lost. */
void lw_metrics_lost(struct lw_metrics *m, enum lw_lost_reason reason,
		     uint64_t n);
/*
 * The module's per-CPU counters, as latwatch stats gets them: replace those
 * of the last call. Counters a CPU's message lacks (an older module) are
 * not exported for it.
 */
void lw_metrics_module_stats(struct lw_metrics *m, const struct lw_stats *st);
/* n packets dropped by a NIC, or by a CPU's backlog, during an event. */
void lw_metrics_nic_drops(struct lw_metrics *m, const char *ifname,
			  uint64_t n);
void lw_metrics_softnet_drops(struct lw_metrics *m, uint32_t cpu, uint64_t n);
/* A rule, so that its counters show before it first fires. */
void lw_metrics_add_rule(struct lw_metrics *m, const char *rule_text);
/* A rule fired: alerted, or suppressed by the rate limit. */
void lw_metrics_alert(struct lw_metrics *m, const char *rule_text,
		      bool suppressed);
/*
 * The periodic signatures, as the agent's detector sees them now: clear,
 * then add each one. All are counted; the first LW_METRICS_MAX_PERIODIC
 * get a latwatch_periodic_period_seconds series.
 */
void lw_metrics_periodic_clear(struct lw_metrics *m);
void lw_metrics_periodic_add(struct lw_metrics *m, const char *signature,
			     uint32_t type, uint64_t period_ns);
/* The agent's health. */
void lw_metrics_malformed(struct lw_metrics *m);
void lw_metrics_netlink_overrun(struct lw_metrics *m);
void lw_metrics_module_reload(struct lw_metrics *m);
void lw_metrics_set_module_loaded(struct lw_metrics *m, bool loaded);

/* The text exposition format. 0, or -1 if writing failed. */
int lw_metrics_render(const struct lw_metrics *m, FILE *f);

#endif
