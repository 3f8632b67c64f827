// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "lib/jsonw.h"
#include "sink/metrics.h"

#define NSEC	UINT64_C(1000000000)
#define MSEC	UINT64_C(1000000)

const uint64_t lw_metrics_bounds_ns[LW_METRICS_NBOUNDS] = {
	1 * MSEC, 2 * MSEC, 5 * MSEC, 10 * MSEC, 20 * MSEC, 50 * MSEC,
	100 * MSEC, 200 * MSEC, 500 * MSEC, 1 * NSEC, 2 * NSEC, 5 * NSEC,
	10 * NSEC, 30 * NSEC, 60 * NSEC, 120 * NSEC,
};

/* Copy s into buf, cut to fit. */
static void lw_copy(char *buf, size_t len, const char *s)
{
	size_t n = strnlen(s, len - 1);

	memcpy(buf, s, n);
	buf[n] = '\0';
}

void lw_metrics_init(struct lw_metrics *m, const char *version)
{
	memset(m, 0, sizeof(*m));
	lw_copy(m->version, sizeof(m->version), version ? version : "unknown");
}

static unsigned int lw_type_index(uint32_t type)
{
	return lw_event_type_name(type) ? type : 0;
}

static const char *lw_type_label(unsigned int t)
{
	const char *name = lw_event_type_name(t);

	return name ? name : "unknown";
}

static uint64_t lw_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

void lw_metrics_event(struct lw_metrics *m, uint32_t type, uint32_t cpu,
		      uint64_t duration_ns)
{
	unsigned int t = lw_type_index(type), b;
	struct lw_metrics_hist *h = &m->hist[t];

	m->events[t]++;
	for (b = 0; b < LW_METRICS_NBOUNDS; b++)
		if (duration_ns <= lw_metrics_bounds_ns[b])
			break;
	h->bucket[b]++;
	h->sum_ns = lw_add(h->sum_ns, duration_ns);
	h->count++;
	if (cpu < LW_METRICS_MAX_CPUS)
		m->cpu_events[t][cpu]++;
	else
		m->overflow[LW_MT_CPU]++;
}

void lw_metrics_lost(struct lw_metrics *m, enum lw_lost_reason reason,
		     uint64_t n)
{
	unsigned int r = reason == LW_LOST_OVERRUN;

	m->lost[r] = lw_add(m->lost[r], n);
}

/* Which lw_stat counter each enum lw_metrics_modctr is. */
static const unsigned int lw_modctr_stat[LW_MM_N] = {
	[LW_MM_EVENTS] = LW_STAT_EVENTS,
	[LW_MM_DELIVERED] = LW_STAT_DELIVERED,
	[LW_MM_LOST] = LW_STAT_LOST,
	[LW_MM_RATELIMITED] = LW_STAT_RATELIMITED,
	[LW_MM_UNHEARD] = LW_STAT_UNHEARD,
};

void lw_metrics_module_stats(struct lw_metrics *m, const struct lw_stats *st)
{
	const struct lw_stat *s;
	unsigned int i;
	size_t n;

	memset(m->module_has, 0, sizeof(m->module_has));
	for (n = 0; n < st->n; n++) {
		s = &st->cpu[n];
		if (!(s->has & LW_STAT_CPU))
			continue;
		if (s->cpu >= LW_METRICS_MAX_CPUS) {
			m->overflow[LW_MT_CPU]++;
			continue;
		}
		for (i = 0; i < LW_MM_N; i++) {
			if (!(s->has & (1u << lw_modctr_stat[i])))
				continue;
			m->module[i][s->cpu] = s->ctr[lw_modctr_stat[i]];
			m->module_has[s->cpu] |= 1u << i;
		}
	}
}

void lw_metrics_nic_drops(struct lw_metrics *m, const char *ifname, uint64_t n)
{
	char name[LW_METRICS_IFNAME_LEN];
	unsigned int i;

	lw_copy(name, sizeof(name), ifname);
	for (i = 0; i < m->nifaces; i++)
		if (!strcmp(m->ifaces[i].name, name))
			break;
	if (i == m->nifaces) {
		if (i == LW_METRICS_MAX_IFACES) {
			m->overflow[LW_MT_INTERFACE]++;
			return;
		}
		memcpy(m->ifaces[i].name, name, sizeof(name));
		m->ifaces[i].drops = 0;
		m->nifaces++;
	}
	m->ifaces[i].drops = lw_add(m->ifaces[i].drops, n);
}

void lw_metrics_softnet_drops(struct lw_metrics *m, uint32_t cpu, uint64_t n)
{
	if (cpu < LW_METRICS_MAX_CPUS)
		m->softnet_drops[cpu] = lw_add(m->softnet_drops[cpu], n);
	else
		m->overflow[LW_MT_CPU]++;
}

static struct lw_metrics_rule *lw_rule_get(struct lw_metrics *m,
					   const char *text)
{
	char t[LW_METRICS_RULE_LEN];
	struct lw_metrics_rule *r;
	unsigned int i;

	lw_copy(t, sizeof(t), text);
	for (i = 0; i < m->nrules; i++)
		if (!strcmp(m->rules[i].text, t))
			return &m->rules[i];
	if (m->nrules == LW_METRICS_MAX_RULES) {
		m->overflow[LW_MT_RULE]++;
		return NULL;
	}
	r = &m->rules[m->nrules++];
	memcpy(r->text, t, sizeof(t));
	r->alerts = 0;
	r->suppressed = 0;
	return r;
}

void lw_metrics_add_rule(struct lw_metrics *m, const char *rule_text)
{
	lw_rule_get(m, rule_text);
}

void lw_metrics_alert(struct lw_metrics *m, const char *rule_text,
		      bool suppressed)
{
	struct lw_metrics_rule *r = lw_rule_get(m, rule_text);

	if (!r)
		return;
	if (suppressed)
		r->suppressed++;
	else
		r->alerts++;
}

void lw_metrics_periodic_clear(struct lw_metrics *m)
{
	m->nperiodic = 0;
	m->nperiodic_listed = 0;
}

void lw_metrics_periodic_add(struct lw_metrics *m, const char *signature,
			     uint32_t type, uint64_t period_ns)
{
	struct lw_metrics_periodic *p;

	m->nperiodic++;
	if (m->nperiodic_listed == LW_METRICS_MAX_PERIODIC)
		return;
	p = &m->periodic[m->nperiodic_listed++];
	lw_copy(p->signature, sizeof(p->signature), signature);
	p->type = type;
	p->period_ns = period_ns;
}

void lw_metrics_malformed(struct lw_metrics *m)
{
	m->malformed++;
}

void lw_metrics_netlink_overrun(struct lw_metrics *m)
{
	m->overruns++;
}

void lw_metrics_module_reload(struct lw_metrics *m)
{
	m->reloads++;
}

void lw_metrics_set_module_loaded(struct lw_metrics *m, bool loaded)
{
	m->module_loaded = loaded;
}

/*
 * A label value: backslash, double quote and newline escaped as the
 * exposition format says; bytes that are not UTF-8 become U+FFFD, which
 * Prometheus requires of label values.
 */
static void lw_prom_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;

	while (i < len) {
		n = utf8_seq_len(p + i, len - i);
		if (n == 1 && p[i] == '\\')
			fputs("\\\\", f);
		else if (n == 1 && p[i] == '"')
			fputs("\\\"", f);
		else if (n == 1 && p[i] == '\n')
			fputs("\\n", f);
		else if (n)
			fwrite(p + i, 1, n, f);
		else
			fputs("\xef\xbf\xbd", f);
		i += n ? n : 1;
	}
}

/* ns as seconds, exactly: "0", "0.02", "1.5", "120". */
static void lw_prom_secs(FILE *f, uint64_t ns)
{
	char frac[10];
	uint64_t r = ns % NSEC;
	int i;

	fprintf(f, "%" PRIu64, ns / NSEC);
	if (!r)
		return;
	snprintf(frac, sizeof(frac), "%09" PRIu64, r);
	for (i = 8; frac[i] == '0'; i--)
		frac[i] = '\0';
	fprintf(f, ".%s", frac);
}

static void lw_prom_family(FILE *f, const char *name, const char *type,
			   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* "NAME{KEY="VALUE"} V" */
static void lw_prom_one(FILE *f, const char *name, const char *key,
			const char *value, uint64_t v)
{
	fprintf(f, "%s{%s=\"", name, key);
	lw_prom_escape(f, value);
	fprintf(f, "\"} %" PRIu64 "\n", v);
}

static void lw_prom_plain(FILE *f, const char *name, const char *type,
			  const char *help, uint64_t v)
{
	lw_prom_family(f, name, type, help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void lw_render_events(const struct lw_metrics *m, FILE *f)
{
	unsigned int t;

	lw_prom_family(f, "latwatch_events_total", "counter",
		       "Latency events reported by the kernel module, by type.");
	for (t = 0; t < LW_METRICS_NTYPES; t++)
		if (t || m->events[t])
			lw_prom_one(f, "latwatch_events_total", "type",
				    lw_type_label(t), m->events[t]);
}

static void lw_render_hist(const struct lw_metrics *m, FILE *f)
{
	static const char name[] = "latwatch_event_duration_seconds";
	const struct lw_metrics_hist *h;
	uint64_t cum;
	unsigned int t, b;

	lw_prom_family(f, name, "histogram",
		       "Durations of the latency events, by type.");
	for (t = 0; t < LW_METRICS_NTYPES; t++) {
		h = &m->hist[t];
		if (!t && !h->count)
			continue;
		cum = 0;
		for (b = 0; b < LW_METRICS_NBUCKETS; b++) {
			cum += h->bucket[b];
			fprintf(f, "%s_bucket{type=\"%s\",le=\"", name,
				lw_type_label(t));
			if (b < LW_METRICS_NBOUNDS)
				lw_prom_secs(f, lw_metrics_bounds_ns[b]);
			else
				fputs("+Inf", f);
			fprintf(f, "\"} %" PRIu64 "\n", cum);
		}
		fprintf(f, "%s_sum{type=\"%s\"} ", name, lw_type_label(t));
		lw_prom_secs(f, h->sum_ns);
		fprintf(f, "\n%s_count{type=\"%s\"} %" PRIu64 "\n", name,
			lw_type_label(t), h->count);
	}
}

static void lw_render_cpus(const struct lw_metrics *m, FILE *f)
{
	unsigned int t, c;

	lw_prom_family(f, "latwatch_cpu_events_total", "counter",
		       "Latency events by type and CPU.");
	for (t = 0; t < LW_METRICS_NTYPES; t++)
		for (c = 0; c < LW_METRICS_MAX_CPUS; c++)
			if (m->cpu_events[t][c])
				fprintf(f, "latwatch_cpu_events_total{type=\"%s\",cpu=\"%u\"} %" PRIu64 "\n",
					lw_type_label(t), c,
					m->cpu_events[t][c]);
}

static void lw_render_drops(const struct lw_metrics *m, FILE *f)
{
	unsigned int i;

	lw_prom_family(f, "latwatch_events_lost_total", "counter",
		       "Events lost: never sent by the kernel, or dropped when the agent's receive buffer overran.");
	lw_prom_one(f, "latwatch_events_lost_total", "reason", "kernel",
		    m->lost[0]);
	lw_prom_one(f, "latwatch_events_lost_total", "reason", "overrun",
		    m->lost[1]);
	lw_prom_family(f, "latwatch_correlated_nic_drops_total", "counter",
		       "Packets a network interface dropped during latency events.");
	for (i = 0; i < m->nifaces; i++)
		lw_prom_one(f, "latwatch_correlated_nic_drops_total",
			    "interface", m->ifaces[i].name, m->ifaces[i].drops);
	lw_prom_family(f, "latwatch_correlated_softnet_drops_total", "counter",
		       "Packets a CPU's input backlog dropped during latency events.");
	for (i = 0; i < LW_METRICS_MAX_CPUS; i++)
		if (m->softnet_drops[i])
			fprintf(f, "latwatch_correlated_softnet_drops_total{cpu=\"%u\"} %" PRIu64 "\n", i,
				m->softnet_drops[i]);
}

static void lw_render_module(const struct lw_metrics *m, FILE *f)
{
	static const struct {
		const char *name;
		const char *help;
	} fam[LW_MM_N] = {
		[LW_MM_EVENTS] = { "latwatch_module_events_total",
			"Events the kernel module recorded, by CPU: each ends up delivered, lost or unheard." },
		[LW_MM_DELIVERED] = { "latwatch_module_delivered_total",
			"Events that reached one subscriber at least, by CPU." },
		[LW_MM_LOST] = { "latwatch_module_lost_total",
			"Events the kernel module recorded that reached no subscriber (rate limit, ring full, every send failed), by CPU." },
		[LW_MM_RATELIMITED] = { "latwatch_module_ratelimited_total",
			"Events over the kernel module's max_events_per_sec, by CPU; also counted as lost." },
		[LW_MM_UNHEARD] = { "latwatch_module_unheard_total",
			"Events the kernel module sent while nobody was subscribed, by CPU." },
	};
	unsigned int i, c;

	for (i = 0; i < LW_MM_N; i++) {
		lw_prom_family(f, fam[i].name, "counter", fam[i].help);
		for (c = 0; c < LW_METRICS_MAX_CPUS; c++)
			if (m->module_has[c] & (1u << i))
				fprintf(f, "%s{cpu=\"%u\"} %" PRIu64 "\n",
					fam[i].name, c, m->module[i][c]);
	}
}

static void lw_render_periodic(const struct lw_metrics *m, FILE *f)
{
	const struct lw_metrics_periodic *p;
	unsigned int i;

	lw_prom_plain(f, "latwatch_periodic_signatures", "gauge",
		      "Event signatures that currently recur at a steady period.",
		      m->nperiodic);
	lw_prom_family(f, "latwatch_periodic_period_seconds", "gauge",
		       "The period of each periodic signature (at most 64 listed).");
	for (i = 0; i < m->nperiodic_listed; i++) {
		p = &m->periodic[i];
		fputs("latwatch_periodic_period_seconds{signature=\"", f);
		lw_prom_escape(f, p->signature);
		fprintf(f, "\",type=\"%s\"} ",
			lw_type_label(lw_type_index(p->type)));
		lw_prom_secs(f, p->period_ns);
		fputc('\n', f);
	}
}

static void lw_render_alerts(const struct lw_metrics *m, FILE *f)
{
	unsigned int i;

	lw_prom_family(f, "latwatch_alerts_total", "counter",
		       "Alerts raised, by rule.");
	for (i = 0; i < m->nrules; i++)
		lw_prom_one(f, "latwatch_alerts_total", "rule",
			    m->rules[i].text, m->rules[i].alerts);
	lw_prom_family(f, "latwatch_alerts_suppressed_total", "counter",
		       "Alerts held back by the rate limit, by rule.");
	for (i = 0; i < m->nrules; i++)
		lw_prom_one(f, "latwatch_alerts_suppressed_total", "rule",
			    m->rules[i].text, m->rules[i].suppressed);
}

static void lw_render_health(const struct lw_metrics *m, FILE *f)
{
	static const char *const tables[LW_MT_NTABLES] = {
		[LW_MT_CPU] = "cpu",
		[LW_MT_INTERFACE] = "interface",
		[LW_MT_RULE] = "rule",
	};
	unsigned int i;

	lw_prom_plain(f, "latwatch_malformed_messages_total", "counter",
		      "Netlink messages from the module the agent could not parse.",
		      m->malformed);
	lw_prom_plain(f, "latwatch_netlink_overruns_total", "counter",
		      "Times the agent's netlink receive buffer overran.",
		      m->overruns);
	lw_prom_plain(f, "latwatch_module_reloads_total", "counter",
		      "Times the kernel module was loaded again while the agent ran.",
		      m->reloads);
	lw_prom_plain(f, "latwatch_module_loaded", "gauge",
		      "1 if the kernel module is loaded, else 0.",
		      m->module_loaded);
	lw_prom_family(f, "latwatch_metrics_overflow_total", "counter",
		       "Updates left out of these metrics because a label table was full.");
	for (i = 0; i < LW_MT_NTABLES; i++)
		lw_prom_one(f, "latwatch_metrics_overflow_total", "table",
			    tables[i], m->overflow[i]);
}

int lw_metrics_render(const struct lw_metrics *m, FILE *f)
{
	lw_prom_family(f, "latwatch_build_info", "gauge",
		       "Always 1; the label says the version of latwatch.");
	lw_prom_one(f, "latwatch_build_info", "version", m->version, 1);
	lw_render_events(m, f);
	lw_render_hist(m, f);
	lw_render_cpus(m, f);
	lw_render_drops(m, f);
	lw_render_module(m, f);
	lw_render_periodic(m, f);
	lw_render_alerts(m, f);
	lw_render_health(m, f);
	return fflush(f) || ferror(f) ? -1 : 0;
}
