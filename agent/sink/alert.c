// SPDX-License-Identifier: GPL-2.0
/*
 * Alerts (alert.h): the rate-limit windows and their summaries, the lines
 * on stderr and syslog, and the --log file. The --exec commands are in
 * alert_exec.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "lib/hash.h"
#include "lib/jsonw.h"
#include "lib/utils.h"
#include "sink/alert_internal.h"

#define LW_NS_PER_S	1000000000ull
/* Room for "alert RULE: LINE" on stderr; a longer line is cut. */
#define LW_ALERT_MSG_LEN	4096

/*
 * A duration for people: one decimal at most, in the largest unit that
 * keeps it at 1 or more: "35.2 ms", "60 s", "750 us", "12 ns".
 */
void lw_alert_fmt_dur(char *buf, size_t len, uint64_t ns)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = {
		{ LW_NS_PER_S, "s" }, { 1000000u, "ms" }, { 1000u, "us" },
	};
	uint64_t tenths;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		tenths = (ns + units[i].div / 20) / (units[i].div / 10);
		if (tenths < 10)
			continue;
		if (tenths % 10)
			snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s",
				 tenths / 10, tenths % 10, units[i].unit);
		else
			snprintf(buf, len, "%" PRIu64 " %s", tenths / 10,
				 units[i].unit);
		return;
	}
	snprintf(buf, len, "%" PRIu64 " ns", ns);
}

/* Append s to buf[*n], control characters as '?', always NUL-terminated. */
static void lw_put_text(char *buf, size_t len, size_t *n, const char *s)
{
	for (; *s && *n + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;

		buf[(*n)++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[*n] = '\0';
}

/* One line on stderr and, with --syslog, to syslog. */
static void lw_alert_say(struct lw_alerter *a, const char *msg)
{
	lw_err("%s", msg);
	if (a->syslog)
		syslog(LOG_WARNING, "%s", msg);
}

static int lw_rule_index(const struct lw_alerter *a, const char *text)
{
	unsigned int i;

	for (i = 0; i < a->nrules; i++)
		if (!strcmp(a->rule_text[i], text))
			return (int)i;
	return -1;
}

/* FNV-1a over the rule, a NUL and the signature. */
static uint64_t lw_slot_hash(const char *rule, const char *sig)
{
	uint64_t h = lw_hash_str(rule);

	return lw_fnv1a(lw_fnv1a_byte(h, 0), sig);
}

/*
 * Append line to --log. A failure is counted, and said once until a
 * write works again.
 */
static void lw_log_write(struct lw_alerter *a, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int e = EBADF;

	while (a->log_fd >= 0 && off < len) {
		n = write(a->log_fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	if (a->log_fd >= 0 && off == len) {
		if (a->log_failing)
			lw_err("log %s: writing again", lw_show(a->log_path).s);
		a->log_failing = false;
		return;
	}
	a->stats.log_errors++;
	if (!a->log_failing)
		lw_err("log %s: %s (said once until a write works again)",
		       lw_show(a->log_path).s, strerror(e));
	a->log_failing = true;
}

static int lw_log_open(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

/*
 * The JSON line for --log and --exec, newline included, in a buffer to
 * free; NULL if there is no memory for it.
 */
static char *lw_alert_json(const char *rule, const char *sig,
			   const char *json, size_t *len)
{
	size_t jlen = json ? strlen(json) : 0;
	char *buf = NULL;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fputs("{\"alert\":\"", f);
	jw_escape(f, rule, strlen(rule));
	fputs("\",\"signature\":\"", f);
	jw_escape(f, sig, strlen(sig));
	fputs("\",\"event\":", f);
	if (jlen && jlen <= LW_ALERT_JSON_MAX && !memchr(json, '\n', jlen))
		fwrite(json, 1, jlen, f);
	else
		fputs("null", f);
	fputs("}\n", f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void lw_alert_fire(struct lw_alerter *a, const char *rule,
			  const char *sig, const char *line, const char *json,
			  uint64_t now_ns)
{
	char msg[LW_ALERT_MSG_LEN];
	size_t n = 0, len;
	char *buf;

	lw_put_text(msg, sizeof(msg), &n, "alert ");
	lw_put_text(msg, sizeof(msg), &n, rule);
	lw_put_text(msg, sizeof(msg), &n, ": ");
	lw_put_text(msg, sizeof(msg), &n, line ? line : "");
	lw_alert_say(a, msg);

	if (!a->log_path && !a->exec_cmd)
		return;
	buf = lw_alert_json(rule, sig, json, &len);
	if (!buf) {
		lw_err("alert %s: %s", rule, strerror(ENOMEM));
		if (a->log_path)
			a->stats.log_errors++;
		if (a->exec_cmd)
			a->stats.exec_failures++;
		return;
	}
	if (a->log_path)
		lw_log_write(a, buf, len);
	if (a->exec_cmd)
		lw_exec_start(a, rule, sig, buf, len, now_ns);
	free(buf);
}

/* The summary of a window's suppressed events over period_ns. */
static void lw_alert_summary(struct lw_alerter *a,
			     const struct lw_alert_slot *s, uint64_t period_ns)
{
	char msg[LW_ALERT_MSG_LEN], period[32], worst[32], tail[96];
	size_t n = 0;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	lw_alert_fmt_dur(period, sizeof(period), period_ns);
	lw_alert_fmt_dur(worst, sizeof(worst), s->worst_ns);
	snprintf(tail, sizeof(tail), "%" PRIu64 " more for ", s->suppressed);
	lw_put_text(msg, sizeof(msg), &n, "alert ");
	lw_put_text(msg, sizeof(msg), &n, s->rule_text);
	lw_put_text(msg, sizeof(msg), &n, ": ");
	lw_put_text(msg, sizeof(msg), &n, tail);
	lw_put_text(msg, sizeof(msg), &n, s->sig);
	snprintf(tail, sizeof(tail), " in the last %s (worst %s)", period,
		 worst);
	lw_put_text(msg, sizeof(msg), &n, tail);
	lw_alert_say(a, msg);
	a->stats.summaries++;

	if (!a->log_path)
		return;
	f = open_memstream(&buf, &len);
	if (!f) {
		a->stats.log_errors++;
		return;
	}
	fputs("{\"alert\":\"", f);
	jw_escape(f, s->rule_text, strlen(s->rule_text));
	fputs("\",\"signature\":\"", f);
	jw_escape(f, s->sig, strlen(s->sig));
	fprintf(f, "\",\"suppressed\":%" PRIu64 ",\"period_ns\":%" PRIu64
		",\"worst_ns\":%" PRIu64 "}\n", s->suppressed, period_ns,
		s->worst_ns);
	if (fclose(f))
		a->stats.log_errors++;
	else
		lw_log_write(a, buf, len);
	free(buf);
}

/* End a window: its summary if it held events back, then free it. */
static void lw_slot_end(struct lw_alerter *a, struct lw_alert_slot *s,
			uint64_t period_ns)
{
	if (s->suppressed)
		lw_alert_summary(a, s, period_ns);
	s->used = false;
	a->nslots--;
}

/* How long s has been open at now_ns, at most its window. */
static uint64_t lw_slot_age(const struct lw_alert_slot *s, uint64_t now_ns)
{
	uint64_t age = now_ns > s->start_ns ? now_ns - s->start_ns : 0;

	return age < s->window_ns ? age : s->window_ns;
}

static bool lw_slot_over(const struct lw_alert_slot *s, uint64_t now_ns)
{
	return now_ns >= s->start_ns && now_ns - s->start_ns >= s->window_ns;
}

static struct lw_alert_slot *lw_slot_find(struct lw_alerter *a, uint64_t hash,
					  const char *rule, const char *sig)
{
	struct lw_alert_slot *s;
	size_t i;

	for (i = 0; i < LW_ALERT_SLOTS && a->nslots; i++) {
		s = &a->slots[i];
		if (s->used && s->hash == hash && !strcmp(s->rule_text, rule) &&
		    !strcmp(s->sig, sig))
			return s;
	}
	return NULL;
}

/* A free slot; when there is none, the least recently used one ends. */
static struct lw_alert_slot *lw_slot_new(struct lw_alerter *a, uint64_t now_ns)
{
	struct lw_alert_slot *lru = NULL, *s;
	size_t i;

	for (i = 0; i < LW_ALERT_SLOTS; i++) {
		s = &a->slots[i];
		if (!s->used)
			return s;
		if (!lru || s->last_ns < lru->last_ns)
			lru = s;
	}
	a->stats.evicted++;
	lw_slot_end(a, lru, lw_slot_age(lru, now_ns));
	return lru;
}

void lw_alert_event(struct lw_alerter *a, const struct lw_rule *rule,
		    const char *sig, const char *line, const char *json,
		    uint64_t duration_ns, uint64_t now_ns)
{
	int ri = lw_rule_index(a, rule->text);
	struct lw_alert_slot *s;
	char key[LW_SIG_LEN];
	uint64_t hash;

	snprintf(key, sizeof(key), "%s", sig ? sig : "");
	if (a->window_ns) {
		hash = lw_slot_hash(rule->text, key);
		s = lw_slot_find(a, hash, rule->text, key);
		if (s && lw_slot_over(s, now_ns)) {
			lw_slot_end(a, s, s->window_ns);
			s = NULL;
		}
		if (s) {
			s->suppressed++;
			if (duration_ns > s->worst_ns)
				s->worst_ns = duration_ns;
			s->last_ns = now_ns;
			if (ri >= 0)
				a->stats.suppressed[ri]++;
			return;
		}
		s = lw_slot_new(a, now_ns);
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->hash = hash;
		s->start_ns = s->last_ns = now_ns;
		s->window_ns = a->window_ns;
		snprintf(s->rule_text, sizeof(s->rule_text), "%s", rule->text);
		memcpy(s->sig, key, sizeof(s->sig));
		a->nslots++;
		if (now_ns + s->window_ns < a->next_end_ns)
			a->next_end_ns = now_ns + s->window_ns;
	}
	if (ri >= 0)
		a->stats.fired[ri]++;
	lw_alert_fire(a, rule->text, key, line, json, now_ns);
}

/*
 * The agent calls it at every turn of its loop, an event at a time when
 * they come slowly: the slots are looked at only once the first window
 * can have ended.
 */
void lw_alert_tick(struct lw_alerter *a, uint64_t now_ns)
{
	struct lw_alert_slot *s;
	uint64_t next = UINT64_MAX;
	size_t i;

	if (a->nchildren)
		lw_exec_poll(a, now_ns);
	if (!a->nslots || now_ns < a->next_end_ns)
		return;
	for (i = 0; i < LW_ALERT_SLOTS && a->nslots; i++) {
		s = &a->slots[i];
		if (!s->used)
			continue;
		if (lw_slot_over(s, now_ns))
			lw_slot_end(a, s, s->window_ns);
		else if (s->start_ns + s->window_ns < next)
			next = s->start_ns + s->window_ns;
	}
	a->next_end_ns = next;
}

void lw_alert_reopen(struct lw_alerter *a)
{
	int fd;

	if (!a->log_path)
		return;
	fd = lw_log_open(a->log_path);
	if (fd < 0) {
		lw_err("log %s: %s; still writing to the file open before",
		       lw_show(a->log_path).s, strerror(errno));
		return;
	}
	if (a->log_fd >= 0)
		close(a->log_fd);
	a->log_fd = fd;
	a->log_failing = false;
}

void lw_alert_flush(struct lw_alerter *a, uint64_t now_ns)
{
	struct lw_alert_slot *s;
	size_t i;

	for (i = 0; i < LW_ALERT_SLOTS && a->nslots; i++) {
		s = &a->slots[i];
		if (s->used)
			lw_slot_end(a, s, lw_slot_age(s, now_ns));
	}
	lw_exec_wait(a, now_ns);
}

/* The options a keeps, from o; the log opened as *fd. */
static int lw_alert_take(struct lw_alerter *a, const struct lw_agent_opts *o,
			 int fd)
{
	uint64_t fired[LW_AGENT_MAX_RULES] = { 0 };
	uint64_t suppressed[LW_AGENT_MAX_RULES] = { 0 };
	char *log_path = NULL, *exec_cmd = NULL;
	unsigned int i, nrules;
	int old;

	if ((o->log_file && !(log_path = strdup(o->log_file))) ||
	    (o->exec_cmd && !(exec_cmd = strdup(o->exec_cmd)))) {
		free(log_path);
		lw_err("alerts: %s", strerror(ENOMEM));
		return -1;
	}
	nrules = o->nrules < LW_AGENT_MAX_RULES ? o->nrules :
						  LW_AGENT_MAX_RULES;
	for (i = 0; i < nrules; i++) {
		old = lw_rule_index(a, o->rules[i].text);
		if (old >= 0) {
			fired[i] = a->stats.fired[old];
			suppressed[i] = a->stats.suppressed[old];
		}
	}
	for (i = 0; i < nrules; i++)
		snprintf(a->rule_text[i], sizeof(a->rule_text[i]), "%s",
			 o->rules[i].text);
	a->nrules = nrules;
	memcpy(a->stats.fired, fired, sizeof(fired));
	memcpy(a->stats.suppressed, suppressed, sizeof(suppressed));

	free(a->log_path);
	a->log_path = log_path;
	if (a->log_fd >= 0)
		close(a->log_fd);
	a->log_fd = fd;
	a->log_failing = false;
	free(a->exec_cmd);
	a->exec_cmd = exec_cmd;
	a->window_ns = o->alert_window_ns;
	a->exec_timeout_ns = o->exec_timeout_ns;
	if (o->syslog && !a->syslog)
		openlog(LW_PROG, LOG_PID, LOG_DAEMON);
	else if (!o->syslog && a->syslog)
		closelog();
	a->syslog = o->syslog;
	return 0;
}

int lw_alert_reconfigure(struct lw_alerter *a, const struct lw_agent_opts *o)
{
	int fd = -1;

	if (o->log_file) {
		fd = lw_log_open(o->log_file);
		if (fd < 0) {
			lw_err("log %s: %s", lw_show(o->log_file).s,
			       strerror(errno));
			return -1;
		}
	}
	if (lw_alert_take(a, o, fd)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

int lw_alert_init(struct lw_alerter *a, const struct lw_agent_opts *o)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	a->log_fd = -1;
	for (i = 0; i < LW_ALERT_CHILDREN; i++)
		a->children[i].fd = -1;
	a->slots = calloc(LW_ALERT_SLOTS, sizeof(*a->slots));
	if (!a->slots) {
		lw_err("alerts: %s", strerror(ENOMEM));
		return -1;
	}
	if (lw_alert_reconfigure(a, o)) {
		free(a->slots);
		a->slots = NULL;
		return -1;
	}
	return 0;
}

void lw_alert_free(struct lw_alerter *a)
{
	lw_exec_kill_all(a);
	if (a->log_fd >= 0)
		close(a->log_fd);
	a->log_fd = -1;
	if (a->syslog)
		closelog();
	a->syslog = false;
	free(a->log_path);
	free(a->exec_cmd);
	free(a->slots);
	a->log_path = NULL;
	a->exec_cmd = NULL;
	a->slots = NULL;
	a->nslots = 0;
}

const struct lw_alert_stats *lw_alert_stats(const struct lw_alerter *a)
{
	return &a->stats;
}

unsigned int lw_alert_running(const struct lw_alerter *a)
{
	return a->nchildren;
}
