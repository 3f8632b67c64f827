/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_MODEVENT_H
#define LATWATCH_MODEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <latwatch/latwatch.h>

/* A string inside a netlink message: not NUL-terminated, may hold any byte. */
struct lw_str {
	const char *p;
	size_t len;
};

/* Which fields of struct lw_event a message carried. */
enum {
	LW_EV_TYPE		= 1u << 0,
	LW_EV_SEQ		= 1u << 1,
	LW_EV_CPU		= 1u << 2,
	LW_EV_TS		= 1u << 3,
	LW_EV_DURATION		= 1u << 4,
	LW_EV_RESOLUTION	= 1u << 5,
	LW_EV_PID		= 1u << 6,
	LW_EV_COMM		= 1u << 7,
	LW_EV_STACK		= 1u << 8,
	LW_EV_CGROUP		= 1u << 9,
	LW_EV_VECTOR		= 1u << 10,
	LW_EV_NAME		= 1u << 11,
	LW_EV_FUNCTION		= 1u << 12,
	LW_EV_KIND		= 1u << 13,
	LW_EV_IRQ		= 1u << 14,
	LW_EV_INSTANCE		= 1u << 15,
	LW_EV_CGROUP_TRUNCATED	= 1u << 16,	/* cgroup is "..." and its end */
	LW_EV_OUTER		= 1u << 17,	/* outer_seq */
	LW_EV_INNER		= 1u << 18,	/* inner_seqs */
	LW_EV_INTERF		= 1u << 19,	/* interf */
};

/* Inner events one event lists, at most (the module sends fewer). */
#define LW_EV_INNER_MAX	8

/* What held interrupts off instead of the interrupted code (irqoff). */
struct lw_interf {
	uint32_t type;		/* enum latwatch_interference_type */
	uint64_t duration_ns;
	uint32_t irq;
	struct lw_str name;	/* irq handler */
	struct lw_str function;	/* hrtimer callback */
};

/* One LATWATCH_CMD_EVENT. Its strings point into the message. */
struct lw_event {
	unsigned int has;
	uint32_t type;
	uint32_t cpu;
	uint32_t pid;
	uint64_t seq;
	uint64_t instance;	/* the module instance that sent it */
	uint64_t ts_ns;
	uint64_t duration_ns;
	uint64_t resolution_ns;
	struct lw_str comm;
	struct lw_str cgroup;
	uint32_t vector;	/* softirq vector number */
	struct lw_str name;	/* softirq vector name or irq handler name */
	struct lw_str function;	/* timer callback */
	uint32_t kind;		/* enum latwatch_timer_kind */
	uint32_t irq;
	uint64_t outer_seq;	/* it happened inside that event */
	unsigned int ninner;	/* these happened inside it */
	uint64_t inner_seqs[LW_EV_INNER_MAX];
	struct lw_interf interf;
	unsigned int nframes;
	struct lw_str frames[LATWATCH_STACK_MAX];
};

enum {
	LW_LOST_COUNT	= 1u << 0,
	LW_LOST_TOTAL	= 1u << 1,
	LW_LOST_OVERRUNS = 1u << 2,
};

enum lw_lost_reason {
	LW_LOST_KERNEL,		/* a LATWATCH_CMD_LOST record */
	LW_LOST_OVERRUN,	/* our receive buffer overflowed */
};

/* Lost events; ts_ns is the agent's clock. */
struct lw_lost {
	unsigned int has;
	enum lw_lost_reason reason;
	uint64_t count;
	uint64_t total;
	uint64_t overruns;
	uint64_t ts_ns;
};

/*
 * ev was parsed from the message at from, and its strings point into it:
 * make them point into a copy of that message at to.
 */
void lw_event_move(struct lw_event *ev, const void *from, void *to);

/* An event type this program knows. */
struct lw_event_type {
	const char *name;
	bool hist;		/* the module keeps a histogram of it */
	bool secs;		/* durations of 1 s or more print in seconds */
};

/* Indexed by enum latwatch_event_type; no name for LATWATCH_EV_UNSPEC. */
extern const struct lw_event_type lw_event_types[LATWATCH_EV_MAX + 1];

/* "irqoff", "softirqoff", ..., or NULL for a type this program does not know. */
const char *lw_event_type_name(uint32_t type);
/* The type called name, or LATWATCH_EV_UNSPEC if there is none. */
uint32_t lw_event_type_find(const char *name);

#endif
