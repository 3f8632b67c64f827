// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "hash.h"
#include "jsonw.h"
#include "utils.h"

extern char **environ;

#define LW_NS_PER_S	1000000000ull
/* Room for "alert RULE: LINE" on stderr; a longer line is cut. */
#define LW_ALERT_MSG_LEN	4096
/* lw_alert_flush(): how long a killed command may take to go. */
#define LW_ALERT_REAP_NS	(1 * LW_NS_PER_S)
#define LW_ALERT_POLL_NS	10000000ull

/*
 * A duration for people: one decimal at most, in the largest unit that
 * keeps it at 1 or more: "35.2 ms", "60 s", "750 us", "12 ns".
 */
static void lw_alert_fmt_dur(char *buf, size_t len, uint64_t ns)
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

/* write() that neither dies of nor leaves behind a SIGPIPE. */
static ssize_t lw_write_nosigpipe(int fd, const void *buf, size_t len)
{
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old, pending;
	bool was_pending;
	ssize_t n;
	int e;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	was_pending = !sigpending(&pending) && sigismember(&pending, SIGPIPE);
	n = write(fd, buf, len);
	e = errno;
	if (n < 0 && e == EPIPE && !was_pending)
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return n;
}

static void lw_child_close_input(struct lw_alert_child *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->off = 0;
}

static void lw_child_forget(struct lw_alerter *a, struct lw_alert_child *c)
{
	lw_child_close_input(c);
	free(c->cmd);
	c->cmd = NULL;
	c->pid = 0;
	a->nchildren--;
}

/* Write what the command's stdin takes of the rest of its line. */
static void lw_child_feed(struct lw_alert_child *c)
{
	ssize_t n;

	while (c->off < c->len) {
		n = lw_write_nosigpipe(c->fd, c->buf + c->off, c->len - c->off);
		if (n > 0) {
			c->off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* EPIPE: it stopped reading, which is its business. */
		break;
	}
	lw_child_close_input(c);
}

static void lw_child_kill(struct lw_alerter *a, struct lw_alert_child *c)
{
	char t[32];

	if (kill(-c->pid, SIGKILL) && errno == ESRCH)
		kill(c->pid, SIGKILL);
	c->killed = true;
	lw_child_close_input(c);
	a->stats.exec_timeouts++;
	a->stats.exec_failures++;
	lw_alert_fmt_dur(t, sizeof(t), a->exec_timeout_ns);
	lw_err("exec '%s' killed after %s", lw_show(c->cmd).s, t);
}

static void lw_child_done(struct lw_alerter *a, struct lw_alert_child *c,
			  int status)
{
	int sig;

	if (!c->killed && WIFEXITED(status) && WEXITSTATUS(status)) {
		a->stats.exec_failures++;
		lw_err("exec '%s' exited %d", lw_show(c->cmd).s,
		       WEXITSTATUS(status));
	} else if (!c->killed && WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		a->stats.exec_failures++;
		lw_err("exec '%s' killed by signal %d (%s)", lw_show(c->cmd).s,
		       sig, strsignal(sig));
	}
	lw_child_forget(a, c);
}

/* Feed, collect and time out the commands, now being now_ns. */
static void lw_children_poll(struct lw_alerter *a, uint64_t now_ns)
{
	struct lw_alert_child *c;
	int status;
	pid_t r;
	size_t i;

	for (i = 0; i < LW_ALERT_CHILDREN && a->nchildren; i++) {
		c = &a->children[i];
		if (!c->pid)
			continue;
		if (c->fd >= 0)
			lw_child_feed(c);
		do
			r = waitpid(c->pid, &status, WNOHANG);
		while (r < 0 && errno == EINTR);
		if (r == c->pid) {
			lw_child_done(a, c, status);
			continue;
		}
		if (r < 0) {
			/* Collected elsewhere (SIGCHLD ignored): gone. */
			lw_child_forget(a, c);
			continue;
		}
		if (!c->killed && now_ns >= c->deadline_ns)
			lw_child_kill(a, c);
	}
}

/*
 * The command's environment: ours without LATWATCH_RULE and
 * LATWATCH_SIGNATURE, then those two. env[0] and env[1] are ours to free.
 */
static char **lw_exec_env(const char *rule, const char *sig)
{
	static const char rule_var[] = "LATWATCH_RULE=";
	static const char sig_var[] = "LATWATCH_SIGNATURE=";
	size_t n = 0, i, j = 2;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	env[0] = malloc(sizeof(rule_var) + strlen(rule));
	env[1] = malloc(sizeof(sig_var) + strlen(sig));
	if (!env[0] || !env[1]) {
		free(env[0]);
		free(env[1]);
		free(env);
		return NULL;
	}
	strcpy(env[0], rule_var);
	strcat(env[0], rule);
	strcpy(env[1], sig_var);
	strcat(env[1], sig);
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], rule_var, sizeof(rule_var) - 1) &&
		    strncmp(environ[i], sig_var, sizeof(sig_var) - 1))
			env[j++] = environ[i];
	return env;
}

static void lw_exec_env_free(char **env)
{
	if (!env)
		return;
	free(env[0]);
	free(env[1]);
	free(env);
}

/* In the child: only async-signal-safe calls from here on. */
__attribute__((noreturn))
static void lw_exec_child(int rfd, const char *cmd, char **env)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	sigset_t none;
	int s;

	setpgid(0, 0);
	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (rfd == STDIN_FILENO) {
		if (fcntl(rfd, F_SETFD, 0))
			_exit(127);
	} else if (dup2(rfd, STDIN_FILENO) < 0) {
		_exit(127);
	}
	execve("/bin/sh", argv, env);
	_exit(127);
}

/* Run --exec with line on its stdin, if fewer than the most run. */
static void lw_exec_start(struct lw_alerter *a, const char *rule,
			  const char *sig, const char *line, size_t len,
			  uint64_t now_ns)
{
	struct lw_alert_child *c = NULL;
	uint64_t period;
	char **env = NULL;
	int p[2] = { -1, -1 };
	const char *what;
	size_t i;
	pid_t pid;
	int e;

	for (i = 0; i < LW_ALERT_CHILDREN && !c; i++)
		if (!a->children[i].pid)
			c = &a->children[i];
	if (!c) {
		a->stats.exec_skipped++;
		period = a->window_ns ? a->window_ns : 60 * LW_NS_PER_S;
		if (!a->skip_said || now_ns - a->skip_said_ns >= period) {
			lw_err("exec '%s': %d still running, not starting another (%" PRIu64 " skipped so far)",
			       lw_show(a->exec_cmd).s, LW_ALERT_CHILDREN,
			       a->stats.exec_skipped);
			a->skip_said = true;
			a->skip_said_ns = now_ns;
		}
		return;
	}

	what = "out of memory";
	e = ENOMEM;
	c->cmd = strdup(a->exec_cmd);
	c->buf = malloc(len);
	env = lw_exec_env(rule, sig);
	if (!c->cmd || !c->buf || !env)
		goto fail;
	memcpy(c->buf, line, len);
	what = "pipe";
	if (pipe(p) || fcntl(p[0], F_SETFD, FD_CLOEXEC) ||
	    fcntl(p[1], F_SETFD, FD_CLOEXEC)) {
		e = errno;
		goto fail;
	}
	what = "fork";
	pid = fork();
	if (pid < 0) {
		e = errno;
		goto fail;
	}
	if (!pid)
		lw_exec_child(p[0], c->cmd, env);

	/* Either of us may get there first; the other fails harmlessly. */
	setpgid(pid, pid);
	close(p[0]);
	lw_exec_env_free(env);
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
	c->pid = pid;
	c->fd = p[1];
	c->len = len;
	c->off = 0;
	c->killed = false;
	c->deadline_ns = now_ns + a->exec_timeout_ns;
	a->nchildren++;
	a->stats.exec_started++;
	lw_child_feed(c);
	return;

fail:
	a->stats.exec_failures++;
	lw_err("exec '%s': %s: %s", lw_show(a->exec_cmd).s, what, strerror(e));
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	lw_exec_env_free(env);
	free(c->cmd);
	free(c->buf);
	c->cmd = NULL;
	c->buf = NULL;
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
	}
	if (ri >= 0)
		a->stats.fired[ri]++;
	lw_alert_fire(a, rule->text, key, line, json, now_ns);
}

void lw_alert_tick(struct lw_alerter *a, uint64_t now_ns)
{
	struct lw_alert_slot *s;
	size_t i;

	if (a->nchildren)
		lw_children_poll(a, now_ns);
	for (i = 0; i < LW_ALERT_SLOTS && a->nslots; i++) {
		s = &a->slots[i];
		if (s->used && lw_slot_over(s, now_ns))
			lw_slot_end(a, s, s->window_ns);
	}
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
	struct timespec pause = { 0, LW_ALERT_POLL_NS };
	uint64_t start = lw_mono_ns(), all_killed = 0, t;
	struct lw_alert_slot *s;
	unsigned int killed;
	size_t i;

	for (i = 0; i < LW_ALERT_SLOTS && a->nslots; i++) {
		s = &a->slots[i];
		if (s->used)
			lw_slot_end(a, s, lw_slot_age(s, now_ns));
	}
	while (a->nchildren) {
		t = now_ns + (lw_mono_ns() - start);
		lw_children_poll(a, t);
		if (!a->nchildren)
			break;
		for (i = 0, killed = 0; i < LW_ALERT_CHILDREN; i++)
			killed += a->children[i].pid && a->children[i].killed;
		if (killed < a->nchildren)
			all_killed = 0;
		else if (!all_killed)
			all_killed = t;
		else if (t - all_killed >= LW_ALERT_REAP_NS)
			break;
		nanosleep(&pause, NULL);
	}
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
	struct lw_alert_child *c;
	int status;
	size_t i;

	for (i = 0; i < LW_ALERT_CHILDREN; i++) {
		c = &a->children[i];
		if (!c->pid)
			continue;
		if (kill(-c->pid, SIGKILL) && errno == ESRCH)
			kill(c->pid, SIGKILL);
		waitpid(c->pid, &status, WNOHANG);
		lw_child_forget(a, c);
	}
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
