// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* accept4() */
#endif
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "jsonw.h"
#include "metrics.h"

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

/* The HTTP server. */

#define LW_RESP_HDR_MAX		256
/* A client that keeps sending after its response is closed past this. */
#define LW_DRAIN_MAX		65536
/* Connections accepted per lw_metrics_handle() call. */
#define LW_ACCEPT_BATCH		32
/* How long to stop accepting when out of file descriptors. */
#define LW_ACCEPT_PAUSE_NS	(100 * MSEC)

/* A response: the head, then the body. Shared by the clients sending it. */
struct lw_metrics_resp {
	unsigned int refs;
	size_t hdr_len;
	size_t body_len;
	char *body;
	char hdr[LW_RESP_HDR_MAX];
};

static size_t lw_resp_size(const struct lw_metrics_resp *r)
{
	return sizeof(*r) + r->body_len;
}

/* A response with one reference; takes body (malloc()ed) in any case. */
static struct lw_metrics_resp *lw_resp_new(struct lw_metrics_srv *s,
					   const char *status,
					   const char *ctype,
					   const char *extra,
					   char *body, size_t body_len)
{
	struct lw_metrics_resp *r = malloc(sizeof(*r));
	int n;

	if (!r) {
		free(body);
		return NULL;
	}
	n = snprintf(r->hdr, sizeof(r->hdr),
		     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     status, ctype, body_len, extra);
	if (n < 0 || (size_t)n >= sizeof(r->hdr)) {
		free(body);
		free(r);
		return NULL;
	}
	r->refs = 1;
	r->hdr_len = (size_t)n;
	r->body = body;
	r->body_len = body_len;
	s->held += lw_resp_size(r);
	return r;
}

static struct lw_metrics_resp *lw_resp_text(struct lw_metrics_srv *s,
					    const char *status,
					    const char *ctype,
					    const char *extra,
					    const char *text)
{
	size_t len = strlen(text);
	char *body = malloc(len + 1);

	if (!body)
		return NULL;
	memcpy(body, text, len + 1);
	return lw_resp_new(s, status, ctype, extra, body, len);
}

static void lw_resp_put(struct lw_metrics_srv *s, struct lw_metrics_resp *r)
{
	if (!r || --r->refs)
		return;
	s->held -= lw_resp_size(r);
	free(r->body);
	free(r);
}

/*
 * The /metrics response for a client: the one made in this call of
 * lw_metrics_handle() if there is one, the newest one if the responses
 * held are over budget, else a new one.
 */
static struct lw_metrics_resp *lw_resp_metrics(struct lw_metrics_srv *s,
					       const struct lw_metrics *m)
{
	struct lw_metrics_resp *r;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (s->snap && (s->snap_generation == s->generation ||
			s->held > LW_METRICS_RESP_BUDGET)) {
		s->snap->refs++;
		return s->snap;
	}
	f = open_memstream(&body, &len);
	if (!f)
		return NULL;
	err = lw_metrics_render(m, f);
	if (fclose(f) || err) {
		free(body);
		return NULL;
	}
	r = lw_resp_new(s, "200 OK",
			"text/plain; version=0.0.4; charset=utf-8", "",
			body, len);
	if (!r)
		return NULL;
	lw_resp_put(s, s->snap);
	s->snap = r;
	s->snap_generation = s->generation;
	r->refs++;
	return r;
}

static void lw_client_close(struct lw_metrics_srv *s,
			    struct lw_metrics_client *c)
{
	close(c->fd);
	lw_resp_put(s, c->resp);
	c->resp = NULL;
	c->fd = -1;
	c->state = LW_MC_FREE;
}

/* Up to the end of the headers: a blank line. */
static bool lw_req_complete(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n' ||
		    (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n'))
			return true;
	}
	return false;
}

/* A method or other token (RFC 9110 tchar). */
static bool lw_is_token(const char *p, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') ||
		      (p[i] && strchr("!#$%&'*+-.^_`|~", p[i]))))
			return false;
	return true;
}

static bool lw_eq(const char *p, size_t len, const char *s)
{
	return len == strlen(s) && !memcmp(p, s, len);
}

enum lw_req {
	LW_REQ_BAD,
	LW_REQ_VERSION,
	LW_REQ_METHOD,
	LW_REQ_METRICS,
	LW_REQ_INDEX,
	LW_REQ_NOT_FOUND,
};

/* The path of a request target, without query: *plen bytes at the result. */
static const char *lw_req_path(const char *t, size_t len, size_t *plen)
{
	size_t i = 0;

	/* absolute-form: skip "http://host" */
	if (len > 7 && !memcmp(t, "http://", 7)) {
		for (i = 7; i < len && t[i] != '/'; i++)
			;
		if (i == len) {
			*plen = 1;
			return "/";
		}
	}
	t += i;
	len -= i;
	for (i = 0; i < len && t[i] != '?' && t[i] != '#'; i++)
		;
	*plen = i;
	return t;
}

/* Parse the request line; *head: the method is HEAD. */
static enum lw_req lw_req_parse(const char *p, size_t len, bool *head)
{
	const char *target, *version, *path;
	size_t n, mlen, tlen, vlen, plen;

	n = 0;
	while (n < len && p[n] != '\n')
		n++;
	if (n && p[n - 1] == '\r')
		n--;
	/* METHOD SP TARGET SP VERSION */
	target = memchr(p, ' ', n);
	if (!target)
		return LW_REQ_BAD;
	mlen = (size_t)(target - p);
	target++;
	version = memchr(target, ' ', (size_t)(p + n - target));
	if (!version)
		return LW_REQ_BAD;
	tlen = (size_t)(version - target);
	version++;
	vlen = (size_t)(p + n - version);
	if (!lw_is_token(p, mlen) || !tlen || memchr(version, ' ', vlen))
		return LW_REQ_BAD;
	if (!lw_eq(version, vlen, "HTTP/1.0") &&
	    !lw_eq(version, vlen, "HTTP/1.1"))
		return vlen > 5 && !memcmp(version, "HTTP/", 5) ?
		       LW_REQ_VERSION : LW_REQ_BAD;
	*head = lw_eq(p, mlen, "HEAD");
	if (!*head && !lw_eq(p, mlen, "GET"))
		return LW_REQ_METHOD;
	path = lw_req_path(target, tlen, &plen);
	if (lw_eq(path, plen, "/metrics"))
		return LW_REQ_METRICS;
	if (lw_eq(path, plen, "/"))
		return LW_REQ_INDEX;
	return LW_REQ_NOT_FOUND;
}

static const char lw_index_html[] =
	"<html>\n"
	"<head><title>latwatch</title></head>\n"
	"<body>\n"
	"<h1>latwatch</h1>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n"
	"</body>\n"
	"</html>\n";

#define LW_CT_TEXT	"text/plain; charset=utf-8"

static struct lw_metrics_resp *lw_req_answer(struct lw_metrics_srv *s,
					     const struct lw_metrics_client *c,
					     const struct lw_metrics *m,
					     bool *head)
{
	*head = false;
	if (c->req_len == LW_METRICS_REQ_MAX &&
	    !lw_req_complete(c->req, c->req_len))
		return lw_resp_text(s, "431 Request Header Fields Too Large",
				    LW_CT_TEXT, "",
				    "431 request header fields too large\n");
	switch (lw_req_parse(c->req, c->req_len, head)) {
	case LW_REQ_METRICS:
		return lw_resp_metrics(s, m);
	case LW_REQ_INDEX:
		return lw_resp_text(s, "200 OK", "text/html; charset=utf-8", "",
				    lw_index_html);
	case LW_REQ_NOT_FOUND:
		return lw_resp_text(s, "404 Not Found", LW_CT_TEXT, "",
				    "404 page not found\n");
	case LW_REQ_METHOD:
		return lw_resp_text(s, "405 Method Not Allowed", LW_CT_TEXT,
				    "Allow: GET, HEAD\r\n",
				    "405 method not allowed\n");
	case LW_REQ_VERSION:
		return lw_resp_text(s, "505 HTTP Version Not Supported",
				    LW_CT_TEXT, "",
				    "505 HTTP version not supported\n");
	case LW_REQ_BAD:
		break;
	}
	*head = false;
	return lw_resp_text(s, "400 Bad Request", LW_CT_TEXT, "",
			    "400 bad request\n");
}

static void lw_client_drain(struct lw_metrics_srv *s,
			    struct lw_metrics_client *c, uint64_t now)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->req, sizeof(c->req), MSG_DONTWAIT);
		if (n > 0) {
			c->last_ns = now;
			c->drained += (size_t)n;
			if (c->drained <= LW_DRAIN_MAX)
				continue;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		lw_client_close(s, c);
		return;
	}
}

/* Send what is left of the response; once it is all sent, drain. */
static void lw_client_write(struct lw_metrics_srv *s,
			    struct lw_metrics_client *c, uint64_t now)
{
	const struct lw_metrics_resp *r = c->resp;
	struct msghdr msg;
	struct iovec iov[2];
	size_t body_end;
	ssize_t n;

	while (c->off < c->end) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		body_end = c->end - r->hdr_len;
		if (c->off < r->hdr_len) {
			iov[0].iov_base = (char *)r->hdr + c->off;
			iov[0].iov_len = r->hdr_len - c->off;
			iov[1].iov_base = r->body;
			iov[1].iov_len = body_end;
			msg.msg_iovlen = body_end ? 2 : 1;
		} else {
			iov[0].iov_base = r->body + (c->off - r->hdr_len);
			iov[0].iov_len = c->end - c->off;
			msg.msg_iovlen = 1;
		}
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->off += (size_t)n;
			c->last_ns = now;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		lw_client_close(s, c);
		return;
	}
	lw_resp_put(s, c->resp);
	c->resp = NULL;
	/* Lingering close: the client reads all before it sees the end. */
	shutdown(c->fd, SHUT_WR);
	c->state = LW_MC_DRAIN;
	c->drained = 0;
	lw_client_drain(s, c, now);
}

static void lw_client_respond(struct lw_metrics_srv *s,
			      struct lw_metrics_client *c,
			      const struct lw_metrics *m, uint64_t now)
{
	bool head;

	c->resp = lw_req_answer(s, c, m, &head);
	if (!c->resp) {
		lw_client_close(s, c);
		return;
	}
	c->off = 0;
	c->end = c->resp->hdr_len + (head ? 0 : c->resp->body_len);
	c->state = LW_MC_WRITE;
	lw_client_write(s, c, now);
}

static void lw_client_read(struct lw_metrics_srv *s,
			   struct lw_metrics_client *c,
			   const struct lw_metrics *m, uint64_t now)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->req + c->req_len,
			 sizeof(c->req) - c->req_len, MSG_DONTWAIT);
		if (n > 0) {
			c->req_len += (size_t)n;
			c->last_ns = now;
			if (lw_req_complete(c->req, c->req_len) ||
			    c->req_len == sizeof(c->req)) {
				lw_client_respond(s, c, m, now);
				return;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		lw_client_close(s, c);
		return;
	}
}

static void lw_client_step(struct lw_metrics_srv *s,
			   struct lw_metrics_client *c,
			   const struct lw_metrics *m, uint64_t now)
{
	switch (c->state) {
	case LW_MC_READ:
		lw_client_read(s, c, m, now);
		break;
	case LW_MC_WRITE:
		lw_client_write(s, c, now);
		break;
	case LW_MC_DRAIN:
		lw_client_drain(s, c, now);
		break;
	case LW_MC_FREE:
		break;
	}
}

static struct lw_metrics_client *lw_client_free_slot(struct lw_metrics_srv *s)
{
	unsigned int i;

	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++)
		if (s->clients[i].state == LW_MC_FREE)
			return &s->clients[i];
	return NULL;
}

static void lw_accept(struct lw_metrics_srv *s, const struct lw_metrics *m,
		      uint64_t now)
{
	struct lw_metrics_client *c;
	unsigned int i;
	int fd;

	for (i = 0; i < LW_ACCEPT_BATCH; i++) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				s->paused = true;
				s->pause_until_ns = now + LW_ACCEPT_PAUSE_NS;
			}
			return;
		}
		c = lw_client_free_slot(s);
		if (!c) {
			close(fd);	/* too many clients */
			continue;
		}
		c->fd = fd;
		c->state = LW_MC_READ;
		c->last_ns = now;
		c->req_len = 0;
		c->resp = NULL;
		/* The request is often there already. */
		lw_client_read(s, c, m, now);
	}
}

static struct lw_metrics_client *lw_client_by_fd(struct lw_metrics_srv *s,
						 int fd)
{
	unsigned int i;

	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++)
		if (s->clients[i].state != LW_MC_FREE && s->clients[i].fd == fd)
			return &s->clients[i];
	return NULL;
}

unsigned int lw_metrics_pollfds(struct lw_metrics_srv *s, struct pollfd *pfd,
				unsigned int max)
{
	const struct lw_metrics_client *c;
	unsigned int i, n = 0;

	if (s->fd >= 0 && !s->paused && n < max) {
		pfd[n].fd = s->fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	for (i = 0; i < LW_METRICS_MAX_CLIENTS && n < max; i++) {
		c = &s->clients[i];
		if (c->state == LW_MC_FREE)
			continue;
		pfd[n].fd = c->fd;
		pfd[n].events = c->state == LW_MC_WRITE ? POLLOUT : POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

static bool lw_idle(const struct lw_metrics_client *c, uint64_t now)
{
	return now > c->last_ns && now - c->last_ns > LW_METRICS_IDLE_NS;
}

void lw_metrics_handle(struct lw_metrics_srv *s, const struct pollfd *pfd,
		       unsigned int n, const struct lw_metrics *m,
		       uint64_t now_mono_ns)
{
	struct lw_metrics_client *c;
	bool listen_ready = false;
	unsigned int i;

	s->generation++;
	if (s->paused && now_mono_ns >= s->pause_until_ns)
		s->paused = false;
	for (i = 0; i < n; i++) {
		if (!pfd[i].revents || pfd[i].fd < 0)
			continue;
		if (pfd[i].fd == s->fd) {
			listen_ready = true;
			continue;
		}
		c = lw_client_by_fd(s, pfd[i].fd);
		if (c)
			lw_client_step(s, c, m, now_mono_ns);
	}
	/* After the clients: no fd closed above is taken for a new one. */
	if (listen_ready && s->fd >= 0 && !s->paused)
		lw_accept(s, m, now_mono_ns);
	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++) {
		c = &s->clients[i];
		if (c->state != LW_MC_FREE && lw_idle(c, now_mono_ns))
			lw_client_close(s, c);
	}
}

int lw_metrics_timeout_ms(const struct lw_metrics_srv *s, uint64_t now_mono_ns)
{
	const struct lw_metrics_client *c;
	uint64_t wait = UINT64_MAX, d, end;
	unsigned int i;

	if (s->paused)
		wait = s->pause_until_ns > now_mono_ns ?
		       s->pause_until_ns - now_mono_ns : 0;
	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++) {
		c = &s->clients[i];
		if (c->state == LW_MC_FREE)
			continue;
		/* the first moment it counts as idle */
		end = c->last_ns + LW_METRICS_IDLE_NS + 1;
		d = end > now_mono_ns ? end - now_mono_ns : 0;
		if (d < wait)
			wait = d;
	}
	if (wait == UINT64_MAX)
		return -1;
	wait = (wait + MSEC - 1) / MSEC;
	return wait > INT32_MAX ? INT32_MAX : (int)wait;
}

/* Split "HOST:PORT", "[HOST]:PORT" or ":PORT"; host may come out empty. */
static int lw_split_addr(const char *ap, char *host, size_t hostlen,
			 char *port, size_t portlen, char *err, size_t errlen)
{
	const char *colon, *h = ap, *close;
	size_t hlen, i;

	if (*ap == '[') {
		close = strchr(ap, ']');
		if (!close || close[1] != ':' || close == ap + 1) {
			snprintf(err, errlen, "bad metrics address '%s': expected [IPV6]:PORT, e.g. [::1]:9105",
				 ap);
			return -1;
		}
		h = ap + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(ap, ':');
		if (!colon) {
			snprintf(err, errlen, "bad metrics address '%s': expected ADDR:PORT, e.g. 127.0.0.1:9105",
				 ap);
			return -1;
		}
		hlen = (size_t)(colon - ap);
		if (memchr(ap, ':', hlen)) {
			snprintf(err, errlen, "bad metrics address '%s': put an IPv6 address in brackets, e.g. [::1]:9105",
				 ap);
			return -1;
		}
	}
	if (hlen >= hostlen) {
		snprintf(err, errlen, "bad metrics address '%s': the host name is too long",
			 ap);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	colon++;
	for (i = 0; colon[i] >= '0' && colon[i] <= '9'; i++)
		;
	if (!i || colon[i] || i >= portlen || strtoul(colon, NULL, 10) > 65535) {
		snprintf(err, errlen, "bad metrics address '%s': the port must be a number from 0 to 65535",
			 ap);
		return -1;
	}
	memcpy(port, colon, i + 1);
	return 0;
}

/* A listening socket on ai, or -1 with errno set. */
static int lw_listen_on(const struct addrinfo *ai, bool wildcard)
{
	int fd, one = 1, zero = 0, e;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (wildcard && ai->ai_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void lw_srv_init(struct lw_metrics_srv *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
}

static uint16_t lw_bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int lw_metrics_listen(struct lw_metrics_srv *s, const char *addr_port,
		      char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char host[256], port[8];
	int pass, rc, e = 0;
	bool wildcard;

	lw_srv_init(s);
	if (lw_split_addr(addr_port, host, sizeof(host), port, sizeof(port),
			  err, errlen))
		return -1;
	wildcard = !*host;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(wildcard ? NULL : host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "bad metrics address '%s': %s", addr_port,
			 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	/* Every address: IPv6 first, which takes IPv4 too, then IPv4. */
	for (pass = wildcard ? 0 : 1; pass < 2 && s->fd < 0; pass++) {
		for (ai = res; ai && s->fd < 0; ai = ai->ai_next) {
			if (pass == 0 && ai->ai_family != AF_INET6)
				continue;
			s->fd = lw_listen_on(ai, wildcard);
			if (s->fd < 0 && !e)
				e = errno;
		}
	}
	freeaddrinfo(res);
	if (s->fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr_port,
			 strerror(e ? e : EADDRNOTAVAIL));
		return -1;
	}
	s->port = lw_bound_port(s->fd);
	return 0;
}

uint16_t lw_metrics_port(const struct lw_metrics_srv *s)
{
	return s->port;
}

void lw_metrics_srv_close(struct lw_metrics_srv *s)
{
	unsigned int i;

	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++)
		if (s->clients[i].state != LW_MC_FREE)
			lw_client_close(s, &s->clients[i]);
	lw_resp_put(s, s->snap);
	s->snap = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
