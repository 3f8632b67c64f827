// SPDX-License-Identifier: GPL-2.0
/*
 * The --exec commands of the alerts (alert.h): started in a process
 * group of their own with the alert's JSON line on a non-blocking pipe,
 * fed, collected and timed out without ever blocking the agent.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/utils.h"
#include "sink/alert_internal.h"

extern char **environ;

#define LW_NS_PER_S	1000000000ull

/* lw_alert_flush(): how long a killed command may take to go. */
#define LW_ALERT_REAP_NS	(1 * LW_NS_PER_S)
#define LW_ALERT_POLL_NS	10000000ull

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
void lw_exec_poll(struct lw_alerter *a, uint64_t now_ns)
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
void lw_exec_start(struct lw_alerter *a, const char *rule,
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
 * Wait for the commands until their deadlines, now_ns being the caller's
 * clock when this is called, killing those that go past them; give up
 * on the killed ones LW_ALERT_REAP_NS after the last one was killed.
 */
void lw_exec_wait(struct lw_alerter *a, uint64_t now_ns)
{
	struct timespec pause = { 0, LW_ALERT_POLL_NS };
	uint64_t start = lw_mono_ns(), all_killed = 0, t;
	unsigned int killed;
	size_t i;

	while (a->nchildren) {
		t = now_ns + (lw_mono_ns() - start);
		lw_exec_poll(a, t);
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

/* Kill every command still running, without waiting for it. */
void lw_exec_kill_all(struct lw_alerter *a)
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
}
