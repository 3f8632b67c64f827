// SPDX-License-Identifier: GPL-2.0
/* What the counters did around an event: see correlate.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analysis/correlate.h"

/* The k-th oldest snapshot, and its ring index. */
static const struct lw_snap *lw_nth(const struct lw_snapshots *s,
				    unsigned int k, unsigned int *idx)
{
	return lw_snapshots_at(s, lw_snapshots_count(s) - 1 - k, idx);
}

bool lw_corr_ready(const struct lw_snapshots *s, uint64_t end_real_ns)
{
	unsigned int back;

	/* newest first: a clock stepped back may leave it behind others */
	for (back = 0; back < lw_snapshots_count(s); back++)
		if (lw_snapshots_at(s, back, NULL)->real_ns >= end_real_ns)
			return true;
	return false;
}

/* The growth of a counter from snapshot a to b, if both have it. */
static bool lw_delta(const struct lw_snapshots *s, unsigned int a,
		     unsigned int b, uint32_t slot, uint64_t *d)
{
	uint64_t va, vb;

	if (!lw_snapshots_val(s, a, slot, &va) ||
	    !lw_snapshots_val(s, b, slot, &vb) || vb < va)
		return false;
	*d = vb - va;
	return true;
}

/* Keep the LW_CORR_MAX_ETH largest in n->eth, largest first. */
static void lw_nic_add_eth(struct lw_corr_nic *n, const char *name,
			   uint64_t delta)
{
	unsigned int i;

	if (n->neth == LW_CORR_MAX_ETH) {
		n->eth_more++;
		if (delta <= n->eth[n->neth - 1].delta)
			return;
		n->neth--;	/* the smallest makes room */
	}
	for (i = n->neth; i > 0 && n->eth[i - 1].delta < delta; i--)
		n->eth[i] = n->eth[i - 1];
	snprintf(n->eth[i].name, sizeof(n->eth[i].name), "%s", name);
	n->eth[i].delta = delta;
	n->neth++;
}

static uint64_t lw_nic_eth_sum(const struct lw_corr_nic *n)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n->neth; i++)
		sum += n->eth[i].delta;
	return sum;
}

/* Whether nic a goes before nic b: more sysfs drops, then more ethtool. */
static bool lw_nic_before(const struct lw_corr_nic *a,
			  const struct lw_corr_nic *b)
{
	if (a->total != b->total)
		return a->total > b->total;
	return lw_nic_eth_sum(a) > lw_nic_eth_sum(b);
}

/* Keep the LW_CORR_MAX_NICS with the most drops in c->nic. */
static void lw_corr_add_nic(struct lw_corr *c, const struct lw_corr_nic *n)
{
	unsigned int i;

	if (c->nnic == LW_CORR_MAX_NICS) {
		c->nic_more++;
		if (!lw_nic_before(n, &c->nic[c->nnic - 1]))
			return;
		c->nnic--;
	}
	for (i = c->nnic; i > 0 && lw_nic_before(n, &c->nic[i - 1]); i--)
		c->nic[i] = c->nic[i - 1];
	c->nic[i] = *n;
	c->nnic++;
}

/* Whether the k-th oldest snapshot has e's driver counters. */
static bool lw_has_eth(const struct lw_snapshots *s, const struct lw_iface *e,
		       unsigned int k)
{
	unsigned int idx;
	uint64_t v;

	lw_nth(s, k, &idx);
	return lw_snapshots_val(s, idx, e->eth_slot[0], &v);
}

/* The distance of snapshot k from the time t. */
static uint64_t lw_dist(const struct lw_snapshots *s, unsigned int k,
			uint64_t t)
{
	uint64_t r = lw_nth(s, k, NULL)->real_ns;

	return r > t ? r - t : t - r;
}

/*
 * The snapshots to take e's driver counters from (see correlate.h): the
 * newest at or before ka within reach, else the oldest after it and
 * before kb; the oldest at or after kb within reach, else the newest
 * before it and after the first. False if there are not two.
 */
static bool lw_eth_span(const struct lw_snapshots *s, const struct lw_iface *e,
			unsigned int ka, unsigned int kb, unsigned int *ea,
			unsigned int *eb)
{
	uint64_t ta = lw_nth(s, ka, NULL)->real_ns;
	uint64_t tb = lw_nth(s, kb, NULL)->real_ns;
	unsigned int n = lw_snapshots_count(s), k;

	for (k = ka + 1; k-- > 0 && lw_dist(s, k, ta) <= LW_CORR_ETH_REACH_NS;)
		if (lw_has_eth(s, e, k))
			break;
	if (k > ka || lw_dist(s, k, ta) > LW_CORR_ETH_REACH_NS) {
		for (k = ka + 1; k < kb && !lw_has_eth(s, e, k); k++)
			;
		if (k >= kb)
			return false;
	}
	*ea = k;
	for (k = kb; k < n && lw_dist(s, k, tb) <= LW_CORR_ETH_REACH_NS; k++)
		if (lw_has_eth(s, e, k)) {
			*eb = k;
			return true;
		}
	for (k = kb; k-- > *ea + 1;)
		if (lw_has_eth(s, e, k)) {
			*eb = k;
			return true;
		}
	return false;
}

/* e's driver counters that moved, and the snapshots they are from. */
static void lw_corr_eth(const struct lw_snapshots *s, const struct lw_iface *e,
			unsigned int ka, unsigned int kb,
			const struct lw_corr *c, struct lw_corr_nic *n)
{
	unsigned int ea, eb, a, b, k;
	uint64_t d;

	if (!e->neth || !lw_eth_span(s, e, ka, kb, &ea, &eb))
		return;
	n->eth_from_ns = lw_nth(s, ea, &a)->real_ns;
	n->eth_to_ns = lw_nth(s, eb, &b)->real_ns;
	n->eth_partial = n->eth_from_ns > c->start_ns ||
			 n->eth_to_ns < c->end_ns;
	for (k = 0; k < e->neth; k++)
		if (lw_delta(s, a, b, e->eth_slot[k], &d) && d)
			lw_nic_add_eth(n, e->eth_name[k], d);
}

/* ka, kb: the positions (k-th oldest) of A and B. */
static void lw_corr_nics(const struct lw_snapshots *s, unsigned int ka,
			 unsigned int kb, struct lw_corr *c)
{
	const struct lw_iface *e;
	struct lw_corr_nic n;
	unsigned int i, k, a, b;
	uint64_t d;

	lw_nth(s, ka, &a);
	lw_nth(s, kb, &b);
	for (i = 0; i < s->nifaces; i++) {
		e = &s->ifaces[i];
		if (!e->used)
			continue;
		memset(&n, 0, sizeof(n));
		for (k = 0; k < LW_NIC_NCTR; k++) {
			if (lw_delta(s, a, b, e->slot[k], &d)) {
				n.ctr[k] = d;
				n.total += d;
			}
		}
		lw_corr_eth(s, e, ka, kb, c, &n);
		if (!n.total && !n.neth)
			continue;
		snprintf(n.ifname, sizeof(n.ifname), "%s", e->name);
		c->nic_dropped += n.total;
		lw_corr_add_nic(c, &n);
	}
}

static bool lw_cpu_before(const struct lw_corr_cpu *a,
			  const struct lw_corr_cpu *b)
{
	if (a->dropped != b->dropped)
		return a->dropped > b->dropped;
	return a->time_squeeze > b->time_squeeze;
}

static void lw_corr_softnet(const struct lw_snapshots *s, unsigned int a,
			    unsigned int b, struct lw_corr *c)
{
	struct lw_corr_cpu v, t;
	unsigned int i, k;
	uint32_t cpu;

	for (cpu = 0; cpu < s->ncpu; cpu++) {
		memset(&v, 0, sizeof(v));
		v.cpu = cpu;
		lw_delta(s, a, b, lw_snapshots_cpu_slot(s, cpu, LW_CPU_DROPPED),
			 &v.dropped);
		lw_delta(s, a, b, lw_snapshots_cpu_slot(s, cpu, LW_CPU_SQUEEZE),
			 &v.time_squeeze);
		if (!v.dropped && !v.time_squeeze)
			continue;
		c->softnet_dropped += v.dropped;
		c->softnet_squeeze += v.time_squeeze;
		/* keep the CPUs that dropped most */
		if (c->nsoftnet == LW_CORR_MAX_CPUS) {
			c->softnet_more++;
			if (!lw_cpu_before(&v, &c->softnet[c->nsoftnet - 1]))
				continue;
			c->nsoftnet--;
		}
		for (i = c->nsoftnet; i > 0 &&
		     lw_cpu_before(&v, &c->softnet[i - 1]); i--)
			c->softnet[i] = c->softnet[i - 1];
		c->softnet[i] = v;
		c->nsoftnet++;
	}
	/* then list them by CPU */
	for (i = 1; i < c->nsoftnet; i++) {
		t = c->softnet[i];
		for (k = i; k > 0 && c->softnet[k - 1].cpu > t.cpu; k--)
			c->softnet[k] = c->softnet[k - 1];
		c->softnet[k] = t;
	}
}

/* ka, kb: the positions (k-th oldest) of A and B. */
static void lw_corr_runq(const struct lw_snapshots *s, unsigned int ka,
			 unsigned int kb, uint32_t cpu, struct lw_corr *c)
{
	uint32_t procs = lw_snapshots_glob_slot(LW_GLOB_PROCS_RUNNING);
	struct lw_corr_runq *r = &c->runq;
	unsigned int a, b, idx, k;
	uint64_t v;

	lw_nth(s, ka, &a);
	lw_nth(s, kb, &b);
	r->cpu = cpu;
	if (lw_delta(s, a, b, lw_snapshots_cpu_slot(s, cpu, LW_CPU_RUN_DELAY),
		     &r->run_delay_ns) &&
	    lw_delta(s, a, b, lw_snapshots_cpu_slot(s, cpu, LW_CPU_PCOUNT),
		     &r->timeslices))
		r->has |= LW_RUNQ_RUN_DELAY;
	else
		r->run_delay_ns = r->timeslices = 0;
	if (lw_snapshots_val(s, b, procs, &r->procs_running)) {
		r->has |= LW_RUNQ_PROCS;
		r->procs_running_max = r->procs_running;
		for (k = ka; k < kb; k++) {
			lw_nth(s, k, &idx);
			if (lw_snapshots_val(s, idx, procs, &v) &&
			    v > r->procs_running_max)
				r->procs_running_max = v;
		}
	}
	if (lw_delta(s, a, b, lw_snapshots_glob_slot(LW_GLOB_PSI_SOME),
		     &r->psi_some_us))
		r->has |= LW_RUNQ_PSI;
	if (lw_snapshots_val(s, b, lw_snapshots_glob_slot(LW_GLOB_NCPUS),
			     &r->ncpus))
		r->has |= LW_RUNQ_NCPUS;
}

static void lw_corr_steal(const struct lw_snapshots *s, unsigned int a,
			  unsigned int b, uint32_t cpu, struct lw_corr *c)
{
	struct lw_corr_steal *st = &c->steal;
	uint64_t all;

	st->cpu = cpu;
	/*
	 * Bare metal and hypervisors without a steal clock show 0 for
	 * every CPU: 0 would claim nothing was stolen. A guest whose host
	 * took some time from any CPU since boot does account it.
	 */
	if (!s->user_hz ||
	    !lw_snapshots_val(s, b, lw_snapshots_glob_slot(LW_GLOB_STEAL),
			      &all) || !all)
		return;
	st->known = lw_delta(s, a, b,
			     lw_snapshots_cpu_slot(s, cpu, LW_CPU_STEAL),
			     &st->ns);
	st->tick_ns = 1000000000ull / s->user_hz;
}

int lw_correlate(const struct lw_snapshots *s, uint64_t start_ns,
		 uint64_t end_ns, uint32_t cpu, struct lw_corr *c)
{
	unsigned int n = lw_snapshots_count(s), ka, kb, a, b;
	const struct lw_snap *sa, *sb;
	bool found = false;

	memset(c, 0, sizeof(*c));
	c->start_ns = start_ns;
	c->end_ns = end_ns;
	if (start_ns > end_ns)
		return -EINVAL;
	if (n < 2)
		return -ENODATA;
	/* A: the newest at or before the start, else the oldest */
	for (ka = n; ka-- > 0;) {
		if (lw_nth(s, ka, NULL)->real_ns <= start_ns) {
			found = true;
			break;
		}
	}
	if (!found) {
		ka = 0;
		c->partial = true;
		if (lw_nth(s, 0, NULL)->real_ns >= end_ns)
			return -ENODATA;	/* all over before the oldest */
	}
	if (ka == n - 1) {
		/* a window of no length at the newest snapshot: B is it */
		if (ka && found && lw_nth(s, ka, NULL)->real_ns >= end_ns)
			ka--;
		else	/* nothing after the start yet */
			return -ENODATA;
	}
	/* B: the oldest after A at or after the end, else the newest */
	for (kb = ka + 1; kb < n - 1; kb++)
		if (lw_nth(s, kb, NULL)->real_ns >= end_ns)
			break;
	sa = lw_nth(s, ka, &a);
	sb = lw_nth(s, kb, &b);
	if (sb->real_ns < end_ns)
		c->partial = true;
	c->valid = true;
	c->from_ns = sa->real_ns;
	c->to_ns = sb->real_ns;
	lw_corr_nics(s, ka, kb, c);
	lw_corr_softnet(s, a, b, c);
	lw_corr_runq(s, ka, kb, cpu, c);
	lw_corr_steal(s, a, b, cpu, c);
	return 0;
}

uint64_t lw_corr_nicdrops(const struct lw_corr *c)
{
	return c->nic_dropped + c->softnet_dropped;
}

/* ---- JSON ---- */

static void lw_kv_nz(struct jw *j, const char *key, uint64_t v)
{
	if (v)
		jw_kv_u64(j, key, v);
}

/* Where the driver counters are from, if not from the window's snapshots. */
static void lw_json_eth_window(struct jw *j, const struct lw_corr *c,
			       const struct lw_corr_nic *n)
{
	if (!n->neth || (n->eth_from_ns == c->from_ns &&
			 n->eth_to_ns == c->to_ns && n->eth_partial == c->partial))
		return;
	jw_key(j, "ethtool_window");
	jw_obj_open(j);
	jw_kv_u64(j, "from_ns", n->eth_from_ns);
	jw_kv_u64(j, "to_ns", n->eth_to_ns);
	if (n->eth_partial) {
		jw_key(j, "partial");
		jw_bool(j, true);
	}
	jw_obj_close(j);
}

static void lw_json_nic(struct jw *j, const struct lw_corr *c,
			const struct lw_corr_nic *n)
{
	unsigned int k;

	jw_obj_open(j);
	jw_kv_str(j, "ifname", n->ifname);
	for (k = 0; k < LW_NIC_NCTR; k++)
		lw_kv_nz(j, lw_nic_ctr_names[k], n->ctr[k]);
	if (n->neth) {
		jw_key(j, "ethtool");
		jw_obj_open(j);
		for (k = 0; k < n->neth; k++)
			jw_kv_u64(j, n->eth[k].name, n->eth[k].delta);
		jw_obj_close(j);
	}
	lw_kv_nz(j, "ethtool_more", n->eth_more);
	lw_json_eth_window(j, c, n);
	jw_obj_close(j);
}

static void lw_json_runq(struct jw *j, const struct lw_corr_runq *r)
{
	jw_key(j, "runq");
	jw_obj_open(j);
	jw_kv_u64(j, "cpu", r->cpu);
	if (r->has & LW_RUNQ_RUN_DELAY) {
		jw_kv_u64(j, "run_delay_ns", r->run_delay_ns);
		jw_kv_u64(j, "timeslices", r->timeslices);
	}
	if (r->has & LW_RUNQ_PROCS) {
		jw_kv_u64(j, "procs_running", r->procs_running);
		jw_kv_u64(j, "procs_running_max", r->procs_running_max);
	}
	if (r->has & LW_RUNQ_NCPUS)
		jw_kv_u64(j, "cpus_online", r->ncpus);
	if (r->has & LW_RUNQ_PSI)
		jw_kv_u64(j, "psi_some_us", r->psi_some_us);
	jw_obj_close(j);
}

void lw_corr_json(struct jw *j, const struct lw_corr *c)
{
	unsigned int i;

	jw_key(j, "correlation");
	jw_obj_open(j);
	if (!c->valid) {
		jw_key(j, "available");
		jw_bool(j, false);
		jw_obj_close(j);
		return;
	}
	jw_key(j, "window");
	jw_obj_open(j);
	jw_kv_u64(j, "from_ns", c->from_ns);
	jw_kv_u64(j, "to_ns", c->to_ns);
	if (c->partial) {
		jw_key(j, "partial");
		jw_bool(j, true);
	}
	jw_obj_close(j);
	lw_kv_nz(j, "nicdrops", lw_corr_nicdrops(c));
	if (c->nnic) {
		jw_key(j, "nic");
		jw_arr_open(j);
		for (i = 0; i < c->nnic; i++)
			lw_json_nic(j, c, &c->nic[i]);
		jw_arr_close(j);
	}
	lw_kv_nz(j, "nic_more", c->nic_more);
	if (c->nsoftnet) {
		jw_key(j, "softnet");
		jw_arr_open(j);
		for (i = 0; i < c->nsoftnet; i++) {
			jw_obj_open(j);
			jw_kv_u64(j, "cpu", c->softnet[i].cpu);
			lw_kv_nz(j, "dropped", c->softnet[i].dropped);
			lw_kv_nz(j, "time_squeeze", c->softnet[i].time_squeeze);
			jw_obj_close(j);
		}
		jw_arr_close(j);
	}
	lw_kv_nz(j, "softnet_more", c->softnet_more);
	if (c->steal.known)
		jw_kv_u64(j, "steal_ns", c->steal.ns);
	if (c->runq.has)
		lw_json_runq(j, &c->runq);
	jw_obj_close(j);
}
