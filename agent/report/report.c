// SPDX-License-Identifier: GPL-2.0
/*
 * "latwatch report", reading: the log's lines, each parsed with json-c,
 * added up into struct lw_report. The outputs are in report_text.c,
 * report_json.c and report_folded.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/hash.h"
#include "report/report_internal.h"
#include "source/modevent.h"

/* Hash tables: twice the entries, a power of two. */
#define LW_SIG_HASH	(2 * LW_REPORT_MAX_SIGS)
#define LW_FOLD_HASH	(2 * LW_REPORT_MAX_FOLDED)

/* json-c's nesting limit: an alert line nests 6 deep. */
#define LW_JSON_DEPTH	16
#define LW_FUNC_LEN	128

struct lw_report *lw_report_new(unsigned int top, bool folded)
{
	struct lw_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->top = top < 1 ? 1 : top > LW_REPORT_TOP_MAX ? LW_REPORT_TOP_MAX : top;
	r->folded = folded;
	snprintf(r->types[LW_OTHER_TYPE].name, LW_REPORT_TYPE_LEN, "(other)");
	snprintf(r->rules[LW_OTHER_RULE].text, LW_REPORT_RULE_LEN, "(other)");
	r->worst = calloc(r->top, sizeof(*r->worst));
	r->line = malloc(LW_REPORT_LINE_MAX + 1);
	r->tok = json_tokener_new_ex(LW_JSON_DEPTH);
	if (folded) {
		r->fold = calloc(LW_REPORT_MAX_FOLDED, sizeof(*r->fold));
		r->fold_hash = calloc(LW_FOLD_HASH, sizeof(*r->fold_hash));
	} else {
		r->sigs = calloc(LW_REPORT_MAX_SIGS, sizeof(*r->sigs));
		r->sig_hash = calloc(LW_SIG_HASH, sizeof(*r->sig_hash));
	}
	if (!r->worst || !r->line || !r->tok ||
	    (folded ? !r->fold || !r->fold_hash : !r->sigs || !r->sig_hash)) {
		lw_report_free(r);
		return NULL;
	}
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT);
	return r;
}

void lw_report_free(struct lw_report *r)
{
	struct lw_report_sig *s;
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < r->nsigs; i++) {
		s = &r->sigs[i];
		free(s->key);
		free(s->verdict);
		free(s->stack);
		free(s->period_text);
	}
	for (i = 0; i < r->nfolded; i++)
		free(r->fold[i].key);
	free(r->sigs);
	free(r->sig_hash);
	free(r->fold);
	free(r->fold_hash);
	free(r->worst);
	free(r->line);
	if (r->tok)
		json_tokener_free(r->tok);
	free(r);
}

static uint64_t lw_sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* How many bytes of s to keep for at most max: not in a UTF-8 sequence. */
static size_t lw_cut_len(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n <= max)
		return n;
	n = max;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static void lw_copy_cut(char *buf, size_t len, const char *s)
{
	size_t n = lw_cut_len(s, len - 1);

	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* A copy of s cut to at most max bytes, or NULL. */
char *lw_rep_dup_cut(const char *s, size_t max)
{
	size_t n = lw_cut_len(s, max);
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Replace *p by a copy of s, if there is memory for it. */
static void lw_set_str(char **p, const char *s, size_t max)
{
	char *n = lw_rep_dup_cut(s, max);

	if (n) {
		free(*p);
		*p = n;
	}
}

static void lw_skip(struct lw_report *r, enum lw_report_skip why)
{
	struct lw_report_skipped *s = &r->skipped[why];

	if (!s->count++)
		s->first_line = r->lines;
}

/* Members of a JSON object; NULL or false if absent or of another type. */
static struct json_object *lw_j_get(struct json_object *o, const char *key,
				    enum json_type type)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

static const char *lw_j_str(struct json_object *o, const char *key)
{
	struct json_object *v = lw_j_get(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

static bool lw_j_u64(struct json_object *o, const char *key, uint64_t *out)
{
	struct json_object *v = lw_j_get(o, key, json_type_int);

	if (!v || json_object_get_int64(v) < 0)
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

static bool lw_j_u32(struct json_object *o, const char *key, uint32_t *out)
{
	uint64_t v;

	if (!lw_j_u64(o, key, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void lw_span(struct lw_report *r, uint64_t ts)
{
	if (!r->has_time || ts < r->first_ns)
		r->first_ns = ts;
	if (!r->has_time || ts > r->last_ns)
		r->last_ns = ts;
	r->has_time = true;
}

static unsigned int lw_type_slot(struct lw_report *r, const char *name)
{
	unsigned int i;

	if (strlen(name) >= LW_REPORT_TYPE_LEN)
		return LW_OTHER_TYPE;
	for (i = 0; i < r->ntypes; i++)
		if (!strcmp(r->types[i].name, name))
			return i;
	if (r->ntypes == LW_OTHER_TYPE)
		return LW_OTHER_TYPE;
	memcpy(r->types[r->ntypes].name, name, strlen(name) + 1);
	return r->ntypes++;
}

static struct lw_report_rule *lw_rule_slot(struct lw_report *r,
					   const char *text)
{
	unsigned int i;

	if (strlen(text) >= LW_REPORT_RULE_LEN)
		return &r->rules[LW_OTHER_RULE];
	for (i = 0; i < r->nrules; i++)
		if (!strcmp(r->rules[i].text, text))
			return &r->rules[i];
	if (r->nrules == LW_REPORT_MAX_RULES)
		return &r->rules[LW_OTHER_RULE];
	memcpy(r->rules[r->nrules].text, text, strlen(text) + 1);
	return &r->rules[r->nrules++];
}

/* An event as read from its JSON object; strings point into it. */
struct lw_rev {
	struct lw_report_occ occ;
	const char *type;
	const char *what;
	const char *comm;
	const char *sig;
	const char *verdict;
	struct json_object *period;
	unsigned int nframes;
	const char *frames[LATWATCH_STACK_MAX];
	char sigbuf[LW_SIG_LEN];
	char culprit[LW_REPORT_CULPRIT_LEN];
};

/* What it is about, as the signature has it. */
static const char *lw_rev_what(struct json_object *o, const char *type)
{
	const char *w;

	w = lw_j_str(o, "function");
	if (!w)
		w = lw_j_str(o, "name");
	if (!w)
		w = lw_j_str(o, "vector");
	if (!w && (!strcmp(type, "hung") || !strcmp(type, "hung_end")))
		w = lw_j_str(o, "comm");
	return w;
}

static void lw_rev_stack(struct lw_rev *e, struct json_object *o)
{
	struct json_object *st = lw_j_get(o, "stack", json_type_array);
	struct json_object *fr;
	size_t i, n;

	e->nframes = 0;
	if (!st)
		return;
	n = json_object_array_length(st);
	for (i = 0; i < n && e->nframes < LATWATCH_STACK_MAX; i++) {
		fr = json_object_array_get_idx(st, i);
		if (json_object_is_type(fr, json_type_string))
			e->frames[e->nframes++] = json_object_get_string(fr);
	}
}

static void lw_rev_read(struct lw_report *r, struct lw_rev *e,
			struct json_object *o, const char *type,
			const char *alert_sig)
{
	struct lw_report_occ *occ = &e->occ;

	memset(occ, 0, sizeof(*occ));
	occ->line = r->lines;
	e->type = type;
	occ->type = lw_type_slot(r, type);
	occ->has_cpu = lw_j_u32(o, "cpu", &occ->cpu);
	occ->has_ts = lw_j_u64(o, "ts_ns", &occ->ts_ns);
	occ->has_pid = lw_j_u32(o, "pid", &occ->pid);
	if (!lw_j_u64(o, "duration_ns", &occ->duration_ns))
		occ->duration_ns = 0;
	e->comm = lw_j_str(o, "comm");
	if (e->comm)
		lw_copy_cut(occ->comm, sizeof(occ->comm), e->comm);
	e->what = lw_rev_what(o, type);
	e->verdict = lw_j_str(o, "verdict");
	e->period = lw_j_get(o, "period", json_type_object);
	lw_rev_stack(e, o);
	e->sig = lw_j_str(o, "signature");
	if (!e->sig)
		e->sig = alert_sig;
	if (!e->sig) {
		lw_signature(e->sigbuf, sizeof(e->sigbuf), type, e->what,
			     e->frames, e->nframes);
		e->sig = e->sigbuf;
	}
	if (e->nframes)
		lw_frame_func(e->culprit, sizeof(e->culprit), e->frames[0],
			      strlen(e->frames[0]));
	else
		lw_copy_cut(e->culprit, sizeof(e->culprit),
			    e->what ? e->what : "");
}

/* Keep the r->top longest events, longest first, earlier first on ties. */
static void lw_worst_add(struct lw_report *r, const struct lw_rev *e)
{
	uint64_t d = e->occ.duration_ns;
	struct lw_report_worst *w;
	unsigned int i;

	if (r->nworst == r->top && d <= r->worst[r->nworst - 1].occ.duration_ns)
		return;
	for (i = 0; i < r->nworst && r->worst[i].occ.duration_ns >= d; i++)
		;
	if (r->nworst < r->top)
		r->nworst++;
	memmove(&r->worst[i + 1], &r->worst[i],
		(r->nworst - 1 - i) * sizeof(*w));
	w = &r->worst[i];
	w->occ = e->occ;
	memcpy(w->culprit, e->culprit, sizeof(w->culprit));
	lw_copy_cut(w->sig, sizeof(w->sig), e->sig);
}

static struct lw_report_sig *lw_sig_slot(struct lw_report *r, const char *key,
					 unsigned int type)
{
	char cut[LW_SIG_LEN];
	struct lw_report_sig *s;
	uint32_t h;

	lw_copy_cut(cut, sizeof(cut), key);
	h = (uint32_t)lw_hash_str(cut) & (LW_SIG_HASH - 1);
	while (r->sig_hash[h]) {
		s = &r->sigs[r->sig_hash[h] - 1];
		if (!strcmp(s->key, cut))
			return s;
		h = (h + 1) & (LW_SIG_HASH - 1);
	}
	if (r->nsigs == LW_REPORT_MAX_SIGS)
		return NULL;
	s = &r->sigs[r->nsigs];
	s->key = lw_rep_dup_cut(cut, sizeof(cut) - 1);
	if (!s->key)
		return NULL;
	s->type = type;
	r->sig_hash[h] = ++r->nsigs;
	return s;
}

/* The frames of the worst occurrence, as many as fit. */
static void lw_sig_stack(struct lw_report_sig *s, const struct lw_rev *e)
{
	char buf[LW_REPORT_STACK_BYTES];
	size_t pos = 0, n;
	unsigned int i;
	char *p;

	for (i = 0; i < e->nframes; i++) {
		n = lw_cut_len(e->frames[i], 255);
		if (pos + n + 1 > sizeof(buf))
			break;
		memcpy(buf + pos, e->frames[i], n);
		buf[pos + n] = '\0';
		pos += n + 1;
	}
	p = pos ? malloc(pos) : NULL;
	if (pos && !p)
		i = 0;
	else if (pos)
		memcpy(p, buf, pos);
	free(s->stack);
	s->stack = p;
	s->nframes = i;
	s->frames_more = e->nframes - i;
}

static void lw_sig_period(struct lw_report_sig *s, struct json_object *pd)
{
	const char *text = lw_j_str(pd, "text");
	uint64_t v;

	s->periodic = true;
	if (lw_j_u64(pd, "period_ns", &v))
		s->period_ns = v;
	if (lw_j_u64(pd, "jitter_ns", &v))
		s->jitter_ns = v;
	if (lw_j_u64(pd, "count", &v))
		s->period_count = v;
	if (lw_j_u64(pd, "offbeat", &v) || lw_j_u64(pd, "outliers", &v))
		s->period_offbeat = v;
	if (text)
		lw_set_str(&s->period_text, text, LW_REPORT_PERIOD_LEN);
}

static void lw_sig_add(struct lw_report *r, const struct lw_rev *e)
{
	const struct lw_report_occ *occ = &e->occ;
	struct lw_report_sig *s = lw_sig_slot(r, e->sig, occ->type);
	bool worst;

	if (!s) {
		r->other_sig_events++;
		r->other_sig_ns = lw_sat_add(r->other_sig_ns, occ->duration_ns);
		return;
	}
	worst = !s->count || occ->duration_ns > s->max_ns;
	s->count++;
	s->total_ns = lw_sat_add(s->total_ns, occ->duration_ns);
	if (worst) {
		s->max_ns = occ->duration_ns;
		s->worst = *occ;
		lw_sig_stack(s, e);
	}
	if (e->verdict && (worst || !s->verdict))
		lw_set_str(&s->verdict, e->verdict, LW_REPORT_VERDICT_LEN);
	if (occ->has_ts) {
		if (!s->has_time || occ->ts_ns < s->first_ns)
			s->first_ns = occ->ts_ns;
		if (!s->has_time || occ->ts_ns > s->last_ns)
			s->last_ns = occ->ts_ns;
		s->has_time = true;
	}
	if (e->period)
		lw_sig_period(s, e->period);
}

/* A frame of a folded stack: no ';', blanks or control characters. */
size_t lw_rep_fold_put(char *buf, size_t pos, size_t len, const char *s)
{
	unsigned char c;

	if (!*s)
		s = "[unknown]";
	for (; *s && pos + 1 < len; s++) {
		c = (unsigned char)*s;
		buf[pos++] = c == ';' || c <= ' ' || c == 0x7f ? '_' : (char)c;
	}
	buf[pos] = '\0';
	return pos;
}

static void lw_fold_add(struct lw_report *r, const struct lw_rev *e)
{
	char key[LW_REPORT_FOLDED_KEY], func[LW_FUNC_LEN];
	struct lw_report_folded *fo;
	size_t pos, klen;
	unsigned int i;
	uint32_t h;

	/* the type, then the frames outermost first: always fits */
	pos = lw_rep_fold_put(key, 0, sizeof(key), r->types[e->occ.type].name);
	for (i = e->nframes; i-- > 0;) {
		lw_frame_func(func, sizeof(func), e->frames[i],
			      strlen(e->frames[i]));
		key[pos++] = ';';
		pos = lw_rep_fold_put(key, pos, sizeof(key), func);
	}
	klen = pos;
	h = (uint32_t)lw_hash_str(key) & (LW_FOLD_HASH - 1);
	while (r->fold_hash[h]) {
		fo = &r->fold[r->fold_hash[h] - 1];
		if (!strcmp(fo->key, key)) {
			fo->ns = lw_sat_add(fo->ns, e->occ.duration_ns);
			return;
		}
		h = (h + 1) & (LW_FOLD_HASH - 1);
	}
	fo = r->nfolded < LW_REPORT_MAX_FOLDED &&
	     r->folded_bytes + klen + 1 <= LW_REPORT_FOLDED_BYTES ?
	     &r->fold[r->nfolded] : NULL;
	if (fo)
		fo->key = lw_rep_dup_cut(key, klen);
	if (!fo || !fo->key) {
		r->fold_other_ns[e->occ.type] =
			lw_sat_add(r->fold_other_ns[e->occ.type],
				   e->occ.duration_ns);
		r->fold_other_events[e->occ.type]++;
		return;
	}
	fo->ns = e->occ.duration_ns;
	r->folded_bytes += klen + 1;
	r->fold_hash[h] = ++r->nfolded;
}

static void lw_event_add(struct lw_report *r, struct json_object *o,
			 const char *type, const char *alert_sig)
{
	struct lw_report_type *t;
	struct lw_rev e;

	lw_rev_read(r, &e, o, type, alert_sig);
	r->events++;
	t = &r->types[e.occ.type];
	t->count++;
	t->total_ns = lw_sat_add(t->total_ns, e.occ.duration_ns);
	if (e.occ.duration_ns > t->max_ns)
		t->max_ns = e.occ.duration_ns;
	r->cpu_count[e.occ.has_cpu && e.occ.cpu < LW_REPORT_MAX_CPUS ?
		     e.occ.cpu : LW_OTHER_CPU][e.occ.type]++;
	if (e.occ.has_ts)
		lw_span(r, e.occ.ts_ns);
	lw_worst_add(r, &e);
	if (r->folded)
		lw_fold_add(r, &e);
	else
		lw_sig_add(r, &e);
}

static void lw_lost_add(struct lw_report *r, struct json_object *o)
{
	uint64_t v;

	r->lost_records++;
	if (lw_j_u64(o, "count", &v))
		r->lost_events = lw_sat_add(r->lost_events, v);
	else
		r->lost_uncounted++;
	if (lw_j_u64(o, "ts_ns", &v))
		lw_span(r, v);
}

/* {"alert":RULE,"signature":..,"event":{..}|null} or its summary. */
static bool lw_alert_add(struct lw_report *r, struct json_object *o,
			 const char *rule)
{
	struct json_object *ev = lw_j_get(o, "event", json_type_object);
	const char *type = ev ? lw_j_str(ev, "type") : NULL;
	struct lw_report_rule *ru;
	uint64_t n;
	bool summary = lw_j_u64(o, "suppressed", &n);

	/* an event in it must be one */
	if (!summary && ev && (!type || !strcmp(type, "lost")))
		return false;
	r->alert_lines++;
	ru = lw_rule_slot(r, rule);
	if (summary) {
		ru->suppressed = lw_sat_add(ru->suppressed, n);
		return true;
	}
	ru->alerts++;
	if (ev)
		lw_event_add(r, ev, type, lw_j_str(o, "signature"));
	return true;
}

/*
 * An incident's outer event: its inner ones, which come right after it,
 * count the incident, under the innermost culprit. (An alert carries the
 * one event that fired it, which is counted whatever it is.)
 */
static bool lw_is_outer(struct json_object *o)
{
	struct json_object *in = lw_j_get(o, "inner_seqs", json_type_array);

	return in && json_object_array_length(in) > 0;
}

static bool lw_object_add(struct lw_report *r, struct json_object *o)
{
	const char *s;

	if (!json_object_is_type(o, json_type_object))
		return false;
	s = lw_j_str(o, "alert");
	if (s)
		return lw_alert_add(r, o, s);
	s = lw_j_str(o, "type");
	if (!s)
		return false;
	if (!strcmp(s, "lost"))
		lw_lost_add(r, o);
	else if (lw_is_outer(o))
		r->outer_events++;
	else
		lw_event_add(r, o, s, NULL);
	return true;
}

static bool lw_blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* One line, NUL-terminated at p[len]. */
static void lw_line(struct lw_report *r, const char *p, size_t len)
{
	struct json_object *o;
	size_t end;

	if (lw_blank(p, len))
		return;
	json_tokener_reset(r->tok);
	/* with the NUL: a number or literal at the end is complete */
	o = json_tokener_parse_ex(r->tok, p, (int)len + 1);
	end = json_tokener_get_parse_end(r->tok);
	if (!o || end > len + 1 || !lw_blank(p + end, end < len ? len - end : 0)) {
		json_object_put(o);
		lw_skip(r, LW_SKIP_NOT_JSON);
		return;
	}
	if (!lw_object_add(r, o))
		lw_skip(r, LW_SKIP_NOT_EVENT);
	json_object_put(o);
}

static void lw_line_end(struct lw_report *r)
{
	r->lines++;
	if (r->line_long) {
		lw_skip(r, LW_SKIP_TOO_LONG);
	} else {
		r->line[r->line_len] = '\0';
		lw_line(r, r->line, r->line_len);
	}
	r->line_len = 0;
	r->line_pending = false;
	r->line_long = false;
}

void lw_report_feed(struct lw_report *r, const char *buf, size_t len)
{
	const char *nl;
	size_t n;

	while (len) {
		nl = memchr(buf, '\n', len);
		n = nl ? (size_t)(nl - buf) : len;
		if (n)
			r->line_pending = true;
		if (r->line_len + n > LW_REPORT_LINE_MAX)
			r->line_long = true;
		if (!r->line_long) {
			memcpy(r->line + r->line_len, buf, n);
			r->line_len += n;
		}
		if (nl) {
			lw_line_end(r);
			n++;
		}
		buf += n;
		len -= n;
	}
}

void lw_report_finish(struct lw_report *r)
{
	if (r->line_pending)
		lw_line_end(r);
}

void lw_report_parse(struct lw_report *r, const char *buf, size_t len)
{
	lw_report_feed(r, buf, len);
	lw_report_finish(r);
}

int lw_report_read(struct lw_report *r, FILE *f)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		lw_report_feed(r, buf, n);
	if (ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	lw_report_finish(r);
	return 0;
}
