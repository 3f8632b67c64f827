// SPDX-License-Identifier: GPL-2.0
/* The one-line verdict on an event: see verdict.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis/signature.h"
#include "analysis/verdict.h"

/* A line being written: pos counts bytes as if nothing was cut. */
struct lw_line {
	char *buf;
	size_t len;
	size_t pos;
};

static void lw_putn(struct lw_line *l, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, l->pos++)
		if (l->pos + 1 < l->len)
			l->buf[l->pos] = s[i];
}

static void lw_puts(struct lw_line *l, const char *s)
{
	lw_putn(l, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void lw_printf(struct lw_line *l, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		lw_putn(l, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
			sizeof(tmp) - 1);
}

/* Text from the kernel: printable UTF-8 as is, anything else as '?'. */
static void lw_put_text(struct lw_line *l, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = utf8_seq_len(p + i, len - i);
		if (n > 1 || (n == 1 && p[i] >= 0x20 && p[i] < 0x7f)) {
			lw_putn(l, s + i, n);
		} else {
			lw_putn(l, "?", 1);
			n = 1;
		}
		i += n;
	}
}

static void lw_put_str(struct lw_line *l, const struct lw_str *s)
{
	lw_put_text(l, s->p, s->len);
}

/* NUL-terminate, never leaving half a UTF-8 character at a cut. */
static size_t lw_line_end(struct lw_line *l)
{
	size_t end, i;

	if (!l->len)
		return l->pos;
	if (l->pos < l->len) {
		l->buf[l->pos] = '\0';
		return l->pos;
	}
	end = l->len - 1;
	if (end) {
		/* the last character written starts at i */
		i = end - 1;
		while (i > 0 && ((unsigned char)l->buf[i] & 0xc0) == 0x80)
			i--;
		if (!utf8_seq_len((const unsigned char *)l->buf + i, end - i))
			end = i;
	}
	l->buf[end] = '\0';
	return l->pos;
}

/* v / d rounded to the nearest. */
static uint64_t lw_round(uint64_t v, uint64_t d)
{
	return v / d + (v % d >= (d + 1) / 2);
}

size_t lw_fmt_dur(char *buf, size_t len, uint64_t ns)
{
	uint64_t v;
	int n;

	if (ns < 999500) {
		n = snprintf(buf, len, "%" PRIu64 " us", lw_round(ns, 1000));
	} else if ((v = lw_round(ns, 100000)) < 100) {
		/* tenths of ms: "8.2 ms", and "8 ms" rather than "8.0 ms" */
		if (v % 10)
			n = snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " ms",
				     v / 10, v % 10);
		else
			n = snprintf(buf, len, "%" PRIu64 " ms", v / 10);
	} else if ((v = lw_round(ns, 1000000)) < 1000) {
		n = snprintf(buf, len, "%" PRIu64 " ms", v);
	} else {
		v = lw_round(ns, 100000000);
		n = snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " s",
			     v / 10, v % 10);
	}
	return n > 0 ? (size_t)n : 0;
}

static void lw_put_dur(struct lw_line *l, uint64_t ns)
{
	char buf[32];

	lw_fmt_dur(buf, sizeof(buf), ns);
	lw_puts(l, buf);
}

static void lw_put_count(struct lw_line *l, uint64_t n, const char *one,
			 const char *many)
{
	lw_printf(l, "%" PRIu64 " %s", n, n == 1 ? one : many);
}

/* The culprit: the function of the first frame. */
static bool lw_culprit(const struct lw_event *ev, char *buf, size_t len)
{
	if (!(ev->has & LW_EV_STACK) || !ev->nframes)
		return false;
	lw_frame_func(buf, len, ev->frames[0].p, ev->frames[0].len);
	return buf[0] != '\0';
}

static bool lw_has_comm(const struct lw_event *ev)
{
	return (ev->has & LW_EV_COMM) && ev->comm.len;
}

static void lw_put_duration(struct lw_line *l, const struct lw_event *ev)
{
	if (ev->has & LW_EV_DURATION) {
		lw_puts(l, " ");
		lw_put_dur(l, ev->duration_ns);
	}
}

static void lw_put_cpu(struct lw_line *l, const struct lw_event *ev)
{
	if (ev->has & LW_EV_CPU)
		lw_printf(l, " on CPU %" PRIu32, ev->cpu);
}

/* "the irq handler of eth0 (irq 24)", "the hrtimer callback tick_nohz_..." */
static void lw_put_interf(struct lw_line *l, const struct lw_interf *in)
{
	if (in->type == LATWATCH_INTERF_HARDIRQ) {
		lw_puts(l, "the irq handler");
		if (in->name.len) {
			lw_puts(l, " of ");
			lw_put_str(l, &in->name);
		}
		lw_printf(l, " (irq %" PRIu32 ")", in->irq);
	} else {
		lw_puts(l, "the hrtimer callback");
		if (in->function.len) {
			lw_puts(l, " ");
			lw_put_str(l, &in->function);
		}
	}
}

/*
 * latwatch's own code: the module's frames ("... [latwatch]"), or the
 * agent ("latwatch" is its comm). A window there is latwatch's doing, or
 * the host's, and must say so rather than pass for the system's.
 */
static const char *lw_own_doing(const struct lw_event *ev)
{
	static const char tag[] = " [latwatch]";
	unsigned int i;

	for (i = 0; i < ev->nframes; i++)
		if (ev->frames[i].len >= sizeof(tag) - 1 &&
		    !memcmp(ev->frames[i].p + ev->frames[i].len -
			    (sizeof(tag) - 1), tag, sizeof(tag) - 1))
			return "inside latwatch itself (its kernel module)";
	if (lw_has_comm(ev) && ev->comm.len == 8 &&
	    !memcmp(ev->comm.p, "latwatch", 8))
		return "inside latwatch itself (the latwatch program)";
	return NULL;
}

/* "held off 52 ms on CPU 1 by memcg_stat_show (lxcfs)" */
static void lw_put_held_off(struct lw_line *l, const struct lw_event *ev,
			    const char *what)
{
	char func[128];
	bool f = lw_culprit(ev, func, sizeof(func));
	const char *own = lw_own_doing(ev);

	lw_puts(l, what);
	lw_puts(l, " held off");
	lw_put_duration(l, ev);
	lw_put_cpu(l, ev);
	if (ev->has & LW_EV_INTERF) {
		/* a handler ran that long: what it interrupted is innocent */
		lw_puts(l, " by ");
		lw_put_interf(l, &ev->interf);
		return;
	}
	if (own && f) {
		lw_puts(l, " by ");
		lw_put_text(l, func, strlen(func));
		lw_puts(l, ", ");
		lw_puts(l, own);
		return;
	}
	if (f) {
		lw_puts(l, " by ");
		lw_put_text(l, func, strlen(func));
		if (lw_has_comm(ev)) {
			lw_puts(l, " (");
			lw_put_str(l, &ev->comm);
			lw_puts(l, ")");
		}
	} else if (lw_has_comm(ev)) {
		lw_puts(l, " while ");
		lw_put_str(l, &ev->comm);
		lw_puts(l, " ran");
	}
}

static void lw_put_in_culprit(struct lw_line *l, const struct lw_event *ev)
{
	char func[128];

	if (lw_culprit(ev, func, sizeof(func))) {
		lw_puts(l, " in ");
		lw_put_text(l, func, strlen(func));
	}
}

/* "task kworker/1:2 (pid 123)" */
static void lw_put_task(struct lw_line *l, const struct lw_event *ev)
{
	lw_puts(l, "task");
	if (lw_has_comm(ev)) {
		lw_puts(l, " ");
		lw_put_str(l, &ev->comm);
		if (ev->has & LW_EV_PID)
			lw_printf(l, " (pid %" PRIu32 ")", ev->pid);
	} else if (ev->has & LW_EV_PID) {
		lw_printf(l, " %" PRIu32, ev->pid);
	}
}

static const char *lw_callback_kind(const struct lw_event *ev)
{
	if (!(ev->has & LW_EV_KIND))
		return "timer callback";
	switch (ev->kind) {
	case LATWATCH_TIMER_HRTIMER:
		return "hrtimer callback";
	case LATWATCH_TIMER_TASKLET:
		return "tasklet";
	}
	return "timer callback";
}

static void lw_put_event(struct lw_line *l, const struct lw_event *ev)
{
	uint32_t type = (ev->has & LW_EV_TYPE) ? ev->type : LATWATCH_EV_UNSPEC;
	const char *name;

	switch (type) {
	case LATWATCH_EV_IRQOFF:
		lw_put_held_off(l, ev, "interrupts");
		break;
	case LATWATCH_EV_SOFTIRQOFF:
		lw_put_held_off(l, ev, "softirqs");
		break;
	case LATWATCH_EV_SOFTIRQ:
		if (ev->has & LW_EV_NAME) {
			lw_put_str(l, &ev->name);
			lw_puts(l, " softirq");
		} else if (ev->has & LW_EV_VECTOR) {
			lw_printf(l, "softirq %" PRIu32, ev->vector);
		} else {
			lw_puts(l, "a softirq");
		}
		lw_puts(l, " ran");
		lw_put_duration(l, ev);
		lw_put_cpu(l, ev);
		/* its inner events say better where the time went */
		if (!(ev->has & LW_EV_INNER))
			lw_put_in_culprit(l, ev);
		break;
	case LATWATCH_EV_TIMER:
		lw_puts(l, lw_callback_kind(ev));
		if (ev->has & LW_EV_FUNCTION) {
			lw_puts(l, " ");
			lw_put_str(l, &ev->function);
		}
		lw_puts(l, " ran");
		lw_put_duration(l, ev);
		lw_put_cpu(l, ev);
		break;
	case LATWATCH_EV_HARDIRQ:
		lw_puts(l, "irq");
		if (ev->has & LW_EV_IRQ)
			lw_printf(l, " %" PRIu32, ev->irq);
		if (ev->has & LW_EV_NAME) {
			lw_puts(l, " (");
			lw_put_str(l, &ev->name);
			lw_puts(l, ")");
		}
		lw_puts(l, " handler ran");
		lw_put_duration(l, ev);
		lw_put_cpu(l, ev);
		break;
	case LATWATCH_EV_HUNG:
		lw_put_task(l, ev);
		lw_puts(l, " blocked");
		lw_put_duration(l, ev);
		lw_put_in_culprit(l, ev);
		break;
	case LATWATCH_EV_HUNG_END:
		lw_put_task(l, ev);
		lw_puts(l, " ran again");
		if (ev->has & LW_EV_DURATION) {
			lw_puts(l, " after ");
			lw_put_dur(l, ev->duration_ns);
			lw_puts(l, " blocked");
		}
		break;
	default:
		name = lw_event_type_name(type);
		if (name)
			lw_printf(l, "%s event", name);
		else
			lw_printf(l, "event of type %" PRIu32, type);
		if (ev->has & LW_EV_DURATION) {
			lw_puts(l, " lasting");
			lw_put_duration(l, ev);
		}
		lw_put_cpu(l, ev);
		break;
	}
}

/* The clause's parts are joined with ", ". */
static void lw_part(struct lw_line *l, unsigned int *parts)
{
	if ((*parts)++)
		lw_puts(l, ", ");
}

/* The CPU of c->softnet with the most of what by picks. */
static const struct lw_corr_cpu *lw_top_cpu(const struct lw_corr *c,
					    bool squeeze)
{
	const struct lw_corr_cpu *top = NULL, *v;
	unsigned int i;

	for (i = 0; i < c->nsoftnet; i++) {
		v = &c->softnet[i];
		if (!top || (squeeze ? v->time_squeeze > top->time_squeeze :
			     v->dropped > top->dropped))
			top = v;
	}
	return top;
}

/*
 * " (driver counters read 1.0 s apart)": they are read less often than
 * the rest, and may span more than the window (see correlate.h).
 */
static void lw_put_eth_span(struct lw_line *l, const struct lw_corr *c,
			    const struct lw_corr_nic *n)
{
	if (n->eth_from_ns == c->from_ns && n->eth_to_ns == c->to_ns)
		return;
	lw_puts(l, " (driver counters read ");
	lw_put_dur(l, n->eth_to_ns - n->eth_from_ns);
	lw_puts(l, " apart)");
}

/* The interface that dropped most, and how; true if the backlog is said. */
static bool lw_put_nic(struct lw_line *l, const struct lw_corr *c,
		       unsigned int *parts)
{
	const struct lw_corr_nic *n = &c->nic[0];
	const struct lw_corr_cpu *top;
	unsigned int k, moved = 0;
	bool backlog = false;

	if (!c->nnic)
		return false;
	lw_part(l, parts);
	lw_put_text(l, n->ifname, strlen(n->ifname));
	if (!n->total) {
		/* only its driver counters moved */
		lw_printf(l, " counted %" PRIu64 " %s", n->eth[0].delta,
			  n->eth[0].name);
		lw_put_eth_span(l, c, n);
		return false;
	}
	lw_puts(l, " dropped ");
	lw_put_count(l, n->total, "packet", "packets");
	for (k = 0; k < LW_NIC_NCTR; k++)
		moved += n->ctr[k] != 0;
	top = lw_top_cpu(c, false);
	if (moved == 1 && n->ctr[LW_NIC_RX_DROPPED] && top && top->dropped) {
		lw_printf(l, " on CPU %" PRIu32 "'s backlog", top->cpu);
		backlog = true;
	} else if (moved == 1) {
		for (k = 0; !n->ctr[k]; k++)
			;
		lw_printf(l, " (%s)", lw_nic_ctr_names[k]);
	} else {
		lw_puts(l, " (");
		for (k = 0, moved = 0; k < LW_NIC_NCTR; k++)
			if (n->ctr[k])
				lw_printf(l, "%s%s %" PRIu64,
					  moved++ ? ", " : "",
					  lw_nic_ctr_names[k], n->ctr[k]);
		lw_puts(l, ")");
	}
	if (c->nic_dropped > n->total)
		lw_printf(l, ", %" PRIu64 " more on other interfaces",
			  c->nic_dropped - n->total);
	return backlog;
}

static void lw_put_softnet(struct lw_line *l, const struct lw_corr *c,
			   bool backlog_said, unsigned int *parts)
{
	const struct lw_corr_cpu *top = lw_top_cpu(c, false);

	if (c->softnet_dropped && top && !backlog_said) {
		lw_part(l, parts);
		if (top->dropped == c->softnet_dropped) {
			lw_printf(l, "CPU %" PRIu32 "'s backlog dropped ",
				  top->cpu);
			lw_put_count(l, top->dropped, "packet", "packets");
		} else {
			lw_puts(l, "CPU backlogs dropped ");
			lw_put_count(l, c->softnet_dropped, "packet",
				     "packets");
			lw_printf(l, " (%" PRIu64 " on CPU %" PRIu32 ")",
				  top->dropped, top->cpu);
		}
	}
	top = lw_top_cpu(c, true);
	if (c->softnet_squeeze && top) {
		lw_part(l, parts);
		lw_puts(l, "NET_RX ran out of budget ");
		lw_put_count(l, top->time_squeeze, "time", "times");
		lw_printf(l, " on CPU %" PRIu32, top->cpu);
	}
}

static void lw_put_runq(struct lw_line *l, const struct lw_corr_runq *r,
			unsigned int *parts)
{
	bool crowded = (r->has & LW_RUNQ_PROCS) && (r->has & LW_RUNQ_NCPUS) &&
		       r->procs_running_max > r->ncpus;

	if ((r->has & LW_RUNQ_RUN_DELAY) &&
	    r->run_delay_ns >= LW_CORR_RUN_DELAY_NS) {
		lw_part(l, parts);
		lw_puts(l, "tasks waited ");
		lw_put_dur(l, r->run_delay_ns);
		lw_printf(l, " on CPU %" PRIu32 "'s run queue", r->cpu);
		if (crowded)
			lw_printf(l, " (%" PRIu64 " runnable for %" PRIu64
				  " CPUs)", r->procs_running_max, r->ncpus);
		return;
	}
	if (crowded) {
		lw_part(l, parts);
		lw_printf(l, "%" PRIu64 " tasks runnable for %" PRIu64 " CPU%s",
			  r->procs_running_max, r->ncpus,
			  r->ncpus == 1 ? "" : "s");
	}
	if (!(r->has & LW_RUNQ_RUN_DELAY) && (r->has & LW_RUNQ_PSI) &&
	    r->psi_some_us >= LW_CORR_PSI_US) {
		lw_part(l, parts);
		lw_puts(l, "tasks waited for a CPU during ");
		lw_put_dur(l, r->psi_some_us * 1000);
		lw_puts(l, " (PSI)");
	}
}

/* Whether part is at least pct percent of whole, pct at most 100. */
static bool lw_at_least_pct(uint64_t part, uint64_t whole, unsigned int pct)
{
	/* part * 100 >= whole * pct without overflow */
	return part >= whole / 100 * pct + (whole % 100 * pct + 99) / 100;
}

/* The least of the steal measured that must have been inside the event. */
static uint64_t lw_steal_inside(const struct lw_corr *c, uint64_t dur)
{
	const struct lw_corr_steal *st = &c->steal;
	uint64_t span = c->to_ns > c->from_ns ? c->to_ns - c->from_ns : 0;
	uint64_t outside = span > dur ? span - dur : 0;
	uint64_t least = st->ns > st->tick_ns ? st->ns - st->tick_ns : 0;

	/* snapshots that do not cover the event say nothing of inside */
	if (c->partial)
		return 0;
	return least > outside ? least - outside : 0;
}

/* The event's duration, if steal time can be weighed against it. */
static bool lw_steal_dur(const struct lw_event *ev, const struct lw_corr *c,
			 uint64_t *dur)
{
	if (!c || !c->valid || !c->steal.known || !c->steal.ns ||
	    !(ev->has & LW_EV_DURATION) || !ev->duration_ns)
		return false;
	*dur = ev->duration_ns;
	return true;
}

static bool lw_steal_leads(const struct lw_event *ev, const struct lw_corr *c)
{
	uint64_t dur;

	return lw_steal_dur(ev, c, &dur) &&
	       lw_at_least_pct(lw_steal_inside(c, dur), dur,
			       LW_STEAL_LEAD_PCT);
}

static bool lw_steal_mentioned(const struct lw_event *ev,
			       const struct lw_corr *c)
{
	uint64_t dur;

	return lw_steal_dur(ev, c, &dur) &&
	       lw_at_least_pct(c->steal.ns, dur, LW_STEAL_MENTION_PCT);
}

/* "vCPU 1 was not running for about 20 ms (hypervisor steal)" */
static void lw_put_steal(struct lw_line *l, const struct lw_corr_steal *st)
{
	lw_printf(l, "vCPU %" PRIu32 " was not running for about ", st->cpu);
	lw_put_dur(l, st->ns);
	lw_puts(l, " (hypervisor steal)");
}

size_t lw_event_phrase(char *buf, size_t len, const struct lw_event *ev)
{
	struct lw_line l = { buf, len, 0 };

	lw_put_event(&l, ev);
	return lw_line_end(&l);
}

size_t lw_verdict(char *buf, size_t len, const struct lw_event *ev,
		  const struct lw_corr *c)
{
	return lw_verdict_told(buf, len, NULL, ev, c);
}

size_t lw_verdict_told(char *buf, size_t len, const char *story,
		       const struct lw_event *ev, const struct lw_corr *c)
{
	struct lw_line l = { buf, len, 0 };
	bool lead = lw_steal_leads(ev, c);
	unsigned int parts = 0;
	bool backlog;

	if (lead) {
		lw_put_steal(&l, &c->steal);
		lw_puts(&l, ": ");
	}
	if (story && story[0])
		lw_put_text(&l, story, strlen(story));
	else
		lw_put_event(&l, ev);
	if (c && !c->valid) {
		lw_puts(&l, " \xe2\x80\x94 no counter snapshots around it");
	} else if (c) {
		lw_puts(&l, " \xe2\x80\x94 ");
		backlog = lw_put_nic(&l, c, &parts);
		lw_put_softnet(&l, c, backlog, &parts);
		lw_put_runq(&l, &c->runq, &parts);
		if (!lead && lw_steal_mentioned(ev, c)) {
			lw_part(&l, &parts);
			lw_put_steal(&l, &c->steal);
		}
		if (!parts)
			lw_puts(&l, "no packet drops or run-queue growth");
		lw_puts(&l, " in the same window");
		if (c->partial)
			lw_puts(&l, " (counters cover only part of it)");
	}
	return lw_line_end(&l);
}
