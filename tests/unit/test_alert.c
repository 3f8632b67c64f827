// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "cmd/agent_conf.h"
#include "sink/alert.h"

#define MS	1000000ull
#define S	1000000000ull
/* A fake clock's start: far from 0, as CLOCK_MONOTONIC is. */
#define T0	(1000 * S)

static char dir[] = "/tmp/lw-alert-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[sizeof(dir) + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static char *in_dir(const char *name)
{
	static char buf[4][sizeof(dir) + 32];
	static unsigned int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* The whole file, NUL-terminated, to free; NULL if it is not there. */
static char *slurp(const char *path)
{
	struct capture c;
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	cap_open(&c);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, c.f);
	fclose(f);
	return (char *)cap_close(&c);
}

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* stderr into a file while a test runs, as the agent's journal. */
static int saved_stderr = -1;

static void err_start(void)
{
	int fd;

	fflush(stderr);
	fd = open(in_dir("stderr"), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
		  0600);
	assert_true(fd >= 0);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

static char *err_stop(void)
{
	fflush(stderr);
	assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
	close(saved_stderr);
	saved_stderr = -1;
	return slurp(in_dir("stderr"));
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Tick with the real clock until no command runs; how long it took. */
static uint64_t tick_until_done(struct lw_alerter *a, uint64_t limit_ns)
{
	uint64_t start = mono_ns();

	while (lw_alert_running(a) && mono_ns() - start < limit_ns) {
		lw_alert_tick(a, mono_ns());
		sleep_ms(5);
	}
	assert_int_equal(lw_alert_running(a), 0);
	return mono_ns() - start;
}

static void opts(struct lw_agent_opts *o, const char *const *rules)
{
	char err[LW_ERR_LEN];

	lw_agent_opts_defaults(o);
	for (; *rules; rules++)
		if (lw_agent_opt_set(o, "alert", *rules, err, sizeof(err)))
			fail_msg("%s", err);
}

static void set(struct lw_agent_opts *o, const char *key, const char *value)
{
	char err[LW_ERR_LEN];

	if (lw_agent_opt_set(o, key, value, err, sizeof(err)))
		fail_msg("%s", err);
}

static const char *const irqoff_rule[] = { "irqoff>=20ms", NULL };

static void test_rate_limit(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	const struct lw_alert_stats *st;
	char *out;
	int i;

	(void)state;
	opts(&o, irqoff_rule);
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "irqoff:f1,f2,f3",
		       "irqoff 25.000 ms cpu 1", "{\"type\":\"irqoff\"}",
		       25 * MS, T0);
	for (i = 1; i <= 10; i++)
		lw_alert_event(&a, &o.rules[0], "irqoff:f1,f2,f3", "again",
			       "{}", i == 4 ? 35200 * 1000 : (20 + i) * MS,
			       T0 + (uint64_t)i * S);
	lw_alert_tick(&a, T0 + 60 * S - 1);
	lw_alert_tick(&a, T0 + 60 * S);
	lw_alert_tick(&a, T0 + 60 * S + 100 * MS);
	lw_alert_event(&a, &o.rules[0], "irqoff:f1,f2,f3", "after the window",
		       "{}", 21 * MS, T0 + 61 * S);
	out = err_stop();
	assert_string_equal(out,
		"latwatch: alert irqoff>=20ms: irqoff 25.000 ms cpu 1\n"
		"latwatch: alert irqoff>=20ms: 10 more for irqoff:f1,f2,f3 in the last 60 s (worst 35.2 ms)\n"
		"latwatch: alert irqoff>=20ms: after the window\n");
	st = lw_alert_stats(&a);
	assert_int_equal(st->fired[0], 2);
	assert_int_equal(st->suppressed[0], 10);
	assert_int_equal(st->summaries, 1);
	assert_int_equal(st->evicted, 0);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* Each (rule, signature) has its own window. */
static void test_rate_limit_keys(void **state)
{
	static const char *const rules[] = { "irqoff>=20ms", "any>=10ms", NULL };
	struct lw_agent_opts o;
	struct lw_alerter a;
	char *out;

	(void)state;
	opts(&o, rules);
	set(&o, "rate_limit", "10s");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "A", "a1", NULL, 30 * MS, T0);
	lw_alert_event(&a, &o.rules[1], "A", "a1 any", NULL, 30 * MS, T0);
	lw_alert_event(&a, &o.rules[0], "B", "b1", NULL, 30 * MS, T0 + 1 * S);
	lw_alert_event(&a, &o.rules[0], "A", "a2", NULL, 45 * MS, T0 + 2 * S);
	lw_alert_event(&a, &o.rules[0], "B", "b2", NULL, 2 * S, T0 + 3 * S);
	lw_alert_event(&a, &o.rules[0], "B", "b3", NULL, 20 * MS, T0 + 4 * S);
	/* No tick: A's window has ended by its next event. */
	lw_alert_event(&a, &o.rules[0], "A", "a3", NULL, 30 * MS, T0 + 12 * S);
	lw_alert_tick(&a, T0 + 12 * S);
	/* "any" had nothing held back: its window ends without a word. */
	lw_alert_event(&a, &o.rules[1], "A", "a2 any", NULL, 30 * MS,
		       T0 + 13 * S);
	out = err_stop();
	assert_string_equal(out,
		"latwatch: alert irqoff>=20ms: a1\n"
		"latwatch: alert any>=10ms: a1 any\n"
		"latwatch: alert irqoff>=20ms: b1\n"
		"latwatch: alert irqoff>=20ms: 1 more for A in the last 10 s (worst 45 ms)\n"
		"latwatch: alert irqoff>=20ms: a3\n"
		"latwatch: alert irqoff>=20ms: 2 more for B in the last 10 s (worst 2 s)\n"
		"latwatch: alert any>=10ms: a2 any\n");
	assert_int_equal(a.stats.fired[0], 3);
	assert_int_equal(a.stats.fired[1], 2);
	assert_int_equal(a.stats.suppressed[0], 3);
	assert_int_equal(a.stats.suppressed[1], 0);
	free(out);
	lw_alert_free(&a);

	/* rate_limit 0: every event alerts. */
	set(&o, "rate_limit", "0s");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "A", "one", NULL, 30 * MS, T0);
	lw_alert_event(&a, &o.rules[0], "A", "two", NULL, 30 * MS, T0);
	lw_alert_event(&a, &o.rules[0], "A", "three", NULL, 30 * MS, T0 + 1);
	lw_alert_flush(&a, T0 + 2);
	out = err_stop();
	assert_string_equal(out, "latwatch: alert irqoff>=20ms: one\n"
				 "latwatch: alert irqoff>=20ms: two\n"
				 "latwatch: alert irqoff>=20ms: three\n");
	assert_int_equal(a.stats.fired[0], 3);
	assert_int_equal(a.stats.summaries, 0);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* At exit the windows under way say what they held back. */
static void test_flush_summaries(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	char *out;

	(void)state;
	opts(&o, irqoff_rule);
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "first", NULL, 30 * MS, T0);
	lw_alert_event(&a, &o.rules[0], "S", "x", NULL, 40 * MS, T0 + S);
	lw_alert_event(&a, &o.rules[0], "S", "x", NULL, 22 * MS, T0 + 2 * S);
	lw_alert_event(&a, &o.rules[0], "S", "x", NULL, 999960 * 1000,
		       T0 + 3 * S);
	lw_alert_event(&a, &o.rules[0], "quiet", "only", NULL, 30 * MS,
		       T0 + 4 * S);
	lw_alert_flush(&a, T0 + 10 * S + 500 * MS);
	out = err_stop();
	assert_string_equal(out,
		"latwatch: alert irqoff>=20ms: first\n"
		"latwatch: alert irqoff>=20ms: only\n"
		"latwatch: alert irqoff>=20ms: 3 more for S in the last 10.5 s (worst 1 s)\n");
	assert_int_equal(a.nslots, 0);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* Text lines never span lines: control characters become '?'. */
static void test_text_line(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	char *out;

	(void)state;
	opts(&o, irqoff_rule);
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "hung/a\nb", "one\ntwo\tthree\x7f",
		       NULL, 30 * MS, T0);
	lw_alert_event(&a, &o.rules[0], "hung/a\nb", "x", NULL, 31 * MS,
		       T0 + 1);
	lw_alert_event(&a, &o.rules[0], "", NULL, NULL, 30 * MS, T0);
	lw_alert_flush(&a, T0 + 750 * MS);
	out = err_stop();
	assert_string_equal(out,
		"latwatch: alert irqoff>=20ms: one?two?three?\n"
		"latwatch: alert irqoff>=20ms: \n"
		"latwatch: alert irqoff>=20ms: 1 more for hung/a?b in the last 750 ms (worst 31 ms)\n");
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* A full table ends its least recently used window, summary first. */
static void test_eviction(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	char sig[32], *out;
	uint64_t t = T0;
	int i;

	(void)state;
	opts(&o, irqoff_rule);
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	for (i = 0; i < LW_ALERT_SLOTS; i++) {
		snprintf(sig, sizeof(sig), "sig%04d", i);
		lw_alert_event(&a, &o.rules[0], sig, sig, NULL, 20 * MS, t++);
	}
	assert_int_equal(a.nslots, LW_ALERT_SLOTS);
	for (i = 0; i < LW_ALERT_SLOTS; i++) {
		snprintf(sig, sizeof(sig), "sig%04d", i);
		lw_alert_event(&a, &o.rules[0], sig, sig, NULL, 21 * MS, t++);
	}
	assert_int_equal(a.stats.fired[0], LW_ALERT_SLOTS);
	assert_int_equal(a.stats.suppressed[0], LW_ALERT_SLOTS);
	assert_int_equal(a.stats.evicted, 0);
	/* sig0000 was used least recently: it goes for "new". */
	lw_alert_event(&a, &o.rules[0], "new", "new", NULL, 20 * MS, T0 + S);
	assert_int_equal(a.stats.evicted, 1);
	assert_int_equal(a.nslots, LW_ALERT_SLOTS);
	/* sig0001 still has its window; sig0000 alerts anew. */
	lw_alert_event(&a, &o.rules[0], "sig0001", "sig0001", NULL, 20 * MS,
		       T0 + S + 1);
	lw_alert_event(&a, &o.rules[0], "sig0000", "sig0000", NULL, 20 * MS,
		       T0 + S + 2);
	out = err_stop();
	assert_int_equal(count(out, "latwatch: alert irqoff>=20ms: sig0000\n"), 2);
	assert_int_equal(count(out, "latwatch: alert irqoff>=20ms: sig0001\n"), 1);
	assert_int_equal(count(out, "latwatch: alert irqoff>=20ms: new\n"), 1);
	/* Room for sig0000 again ended sig0002's window, sig0001 having
	 * just been used. */
	assert_int_equal(count(out, " more for "), 2);
	assert_non_null(strstr(out,
		"latwatch: alert irqoff>=20ms: 1 more for sig0000 in the last 1 s (worst 21 ms)\n"));
	assert_non_null(strstr(out,
		"latwatch: alert irqoff>=20ms: 1 more for sig0002 in the last 1 s (worst 21 ms)\n"));
	assert_int_equal(a.stats.evicted, 2);
	assert_int_equal(a.stats.summaries, 2);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

static void test_log(void **state)
{
	const char *log = in_dir("alerts.json");
	char rotated[sizeof(dir) + 32];
	struct lw_agent_opts o;
	struct lw_alerter a;
	struct stat sb;
	char *text, *out;
	mode_t mask = umask(0);

	(void)state;
	umask(mask);
	snprintf(rotated, sizeof(rotated), "%s.1", log);
	opts(&o, irqoff_rule);
	set(&o, "log", log);
	assert_int_equal(lw_alert_init(&a, &o), 0);
	assert_int_equal(stat(log, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640 & ~mask);

	err_start();
	lw_alert_event(&a, &o.rules[0], "irqoff:f\"q\\", "line",
		       "{\"type\":\"irqoff\",\"duration_ns\":25000000}", 25 * MS,
		       T0);
	lw_alert_event(&a, &o.rules[0], "irqoff:f\"q\\", "x", "{}", 33 * MS,
		       T0 + S);
	lw_alert_event(&a, &o.rules[0], "other", "no json", NULL, 30 * MS,
		       T0 + S);
	lw_alert_event(&a, &o.rules[0], "two lines", "bad json", "{}\n{}",
		       30 * MS, T0 + S);
	lw_alert_tick(&a, T0 + 61 * S);
	text = slurp(log);
	assert_non_null(text);
	assert_string_equal(text,
		"{\"alert\":\"irqoff>=20ms\",\"signature\":\"irqoff:f\\\"q\\\\\",\"event\":{\"type\":\"irqoff\",\"duration_ns\":25000000}}\n"
		"{\"alert\":\"irqoff>=20ms\",\"signature\":\"other\",\"event\":null}\n"
		"{\"alert\":\"irqoff>=20ms\",\"signature\":\"two lines\",\"event\":null}\n"
		"{\"alert\":\"irqoff>=20ms\",\"signature\":\"irqoff:f\\\"q\\\\\",\"suppressed\":1,\"period_ns\":60000000000,\"worst_ns\":33000000}\n");
	for (char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		char c = nl[1];

		nl[1] = '\0';
		assert_json_line(p);
		nl[1] = c;
	}
	free(text);

	/* logrotate: the file moves away, SIGHUP reopens. */
	assert_int_equal(rename(log, rotated), 0);
	lw_alert_event(&a, &o.rules[0], "before", "x", "{\"n\":1}", 30 * MS,
		       T0 + 62 * S);
	lw_alert_reopen(&a);
	lw_alert_event(&a, &o.rules[0], "after", "x", "{\"n\":2}", 30 * MS,
		       T0 + 63 * S);
	text = slurp(log);
	assert_string_equal(text,
		"{\"alert\":\"irqoff>=20ms\",\"signature\":\"after\",\"event\":{\"n\":2}}\n");
	free(text);
	text = slurp(rotated);
	assert_int_equal(count(text, "\n"), 5);
	assert_non_null(strstr(text,
		"{\"alert\":\"irqoff>=20ms\",\"signature\":\"before\",\"event\":{\"n\":1}}\n"));
	free(text);
	out = err_stop();
	assert_int_equal(count(out, "latwatch: alert "), 6);
	assert_int_equal(a.stats.log_errors, 0);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* A failing --log is counted and said once until it works again. */
static void test_log_errors(void **state)
{
	const char *log = in_dir("reopen.json");
	struct lw_agent_opts o;
	struct lw_alerter a;
	char *out, *text;
	int i;

	(void)state;
	opts(&o, irqoff_rule);
	set(&o, "rate_limit", "0s");
	set(&o, "log", "/dev/full");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	for (i = 0; i < 3; i++)
		lw_alert_event(&a, &o.rules[0], "S", "x", "{}", 30 * MS, T0);
	out = err_stop();
	assert_int_equal(a.stats.log_errors, 3);
	assert_int_equal(count(out, "latwatch: log /dev/full: No space left on device"), 1);
	assert_int_equal(count(out, "latwatch: alert irqoff>=20ms: x\n"), 3);
	free(out);

	/* Pointed elsewhere (a reload), it works and says so on failure. */
	set(&o, "log", log);
	assert_int_equal(lw_alert_reconfigure(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "y", "{}", 30 * MS, T0);
	out = err_stop();
	assert_string_equal(out, "latwatch: alert irqoff>=20ms: y\n");
	assert_int_equal(a.stats.log_errors, 3);
	assert_int_equal(a.stats.fired[0], 4);
	text = slurp(log);
	assert_int_equal(count(text, "\n"), 1);
	free(text);
	free(out);

	/* A log that cannot be opened: reconfigure keeps the old one. */
	set(&o, "log", in_dir("no/such/dir.json"));
	err_start();
	assert_int_equal(lw_alert_reconfigure(&a, &o), -1);
	lw_alert_event(&a, &o.rules[0], "S", "z", "{}", 30 * MS, T0);
	out = err_stop();
	assert_non_null(strstr(out, "/no/such/dir.json: No such file or directory\n"));
	text = slurp(log);
	assert_int_equal(count(text, "\n"), 2);
	free(text);
	free(out);
	lw_alert_free(&a);

	/* ... and so does init. */
	err_start();
	assert_int_equal(lw_alert_init(&a, &o), -1);
	out = err_stop();
	assert_non_null(strstr(out, "latwatch: log "));
	assert_non_null(strstr(out, "/no/such/dir.json: No such file or directory\n"));
	free(out);
	lw_agent_opts_free(&o);
}

/* --exec: the JSON line on stdin, the rule and signature in the env. */
static void test_exec_stdin(void **state)
{
	static const char json[] = "{\"type\":\"irqoff\",\"stack\":[\"a\",\"b\"]}";
	char cmd[512], *out, *text;
	struct lw_agent_opts o;
	struct lw_alerter a;

	(void)state;
	opts(&o, irqoff_rule);
	snprintf(cmd, sizeof(cmd),
		 "cat > '%s'; printf '%%s|%%s\\n' \"$LATWATCH_RULE\" \"$LATWATCH_SIGNATURE\" > '%s'",
		 in_dir("stdin"), in_dir("env"));
	set(&o, "exec", cmd);
	assert_int_equal(setenv("LATWATCH_RULE", "stale", 1), 0);
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "irqoff:x,y", "line", json, 30 * MS,
		       mono_ns());
	assert_int_equal(lw_alert_running(&a), 1);
	lw_alert_flush(&a, mono_ns());
	out = err_stop();
	unsetenv("LATWATCH_RULE");
	assert_int_equal(lw_alert_running(&a), 0);
	assert_string_equal(out, "latwatch: alert irqoff>=20ms: line\n");
	text = slurp(in_dir("stdin"));
	assert_non_null(text);
	assert_string_equal(text,
		"{\"alert\":\"irqoff>=20ms\",\"signature\":\"irqoff:x,y\",\"event\":{\"type\":\"irqoff\",\"stack\":[\"a\",\"b\"]}}\n");
	assert_json_line(text);
	free(text);
	text = slurp(in_dir("env"));
	assert_string_equal(text, "irqoff>=20ms|irqoff:x,y\n");
	free(text);
	assert_int_equal(a.stats.exec_started, 1);
	assert_int_equal(a.stats.exec_failures, 0);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

static void test_exec_status(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	char *out;

	(void)state;
	opts(&o, irqoff_rule);
	set(&o, "exec", "exit 3");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "line", "{}", 30 * MS, mono_ns());
	tick_until_done(&a, 5 * S);
	out = err_stop();
	assert_string_equal(out, "latwatch: alert irqoff>=20ms: line\n"
				 "latwatch: exec 'exit 3' exited 3\n");
	assert_int_equal(a.stats.exec_failures, 1);
	free(out);
	lw_alert_free(&a);

	set(&o, "exec", "exit 0");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "fine", "{}", 30 * MS, mono_ns());
	tick_until_done(&a, 5 * S);
	out = err_stop();
	assert_string_equal(out, "latwatch: alert irqoff>=20ms: fine\n");
	assert_int_equal(a.stats.exec_failures, 0);
	free(out);
	lw_alert_free(&a);

	set(&o, "exec", "kill -TERM $$");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "line", "{}", 30 * MS, mono_ns());
	tick_until_done(&a, 5 * S);
	out = err_stop();
	assert_string_equal(out, "latwatch: alert irqoff>=20ms: line\n"
				 "latwatch: exec 'kill -TERM $$' killed by signal 15 (Terminated)\n");
	assert_int_equal(a.stats.exec_failures, 1);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* Whether pid is gone (or a zombie nobody waits for). */
static bool pid_gone(pid_t pid)
{
	char path[64], *stat, *rp;
	bool gone;

	if (kill(pid, 0) && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = slurp(path);
	if (!stat)
		return true;
	rp = strrchr(stat, ')');
	gone = rp && rp[1] == ' ' && rp[2] == 'Z';
	free(stat);
	return gone;
}

/* Past exec_timeout the command's whole process group is killed. */
static void test_exec_timeout(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	char cmd[256], *out, *text;
	uint64_t took, start;
	pid_t pid;

	(void)state;
	opts(&o, irqoff_rule);
	snprintf(cmd, sizeof(cmd), "sleep 10 & echo $! > '%s'; wait",
		 in_dir("pid"));
	set(&o, "exec", cmd);
	set(&o, "exec_timeout", "200ms");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "line", "{}", 30 * MS, mono_ns());
	took = tick_until_done(&a, 5 * S);
	out = err_stop();
	assert_true(took >= 190 * MS);
	assert_true(took < 3 * S);
	assert_int_equal(count(out, "latwatch: exec 'sleep 10 & echo $! > "), 1);
	assert_int_equal(count(out, "; wait' killed after 200 ms\n"), 1);
	assert_int_equal(a.stats.exec_timeouts, 1);
	assert_int_equal(a.stats.exec_failures, 1);
	text = slurp(in_dir("pid"));
	assert_non_null(text);
	pid = (pid_t)atoi(text);
	assert_true(pid > 1);
	start = mono_ns();
	while (!pid_gone(pid) && mono_ns() - start < 2 * S)
		sleep_ms(10);
	assert_true(pid_gone(pid));
	free(text);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* At most LW_ALERT_CHILDREN at once; flush kills them at their deadline. */
static void test_exec_limit(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	uint64_t now, start;
	char *out;
	int i;

	(void)state;
	opts(&o, irqoff_rule);
	set(&o, "exec", "sleep 10");
	set(&o, "exec_timeout", "300ms");
	set(&o, "rate_limit", "0s");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	now = mono_ns();
	for (i = 0; i < LW_ALERT_CHILDREN + 2; i++)
		lw_alert_event(&a, &o.rules[0], "S", "x", "{}", 30 * MS, now);
	assert_int_equal(lw_alert_running(&a), LW_ALERT_CHILDREN);
	assert_int_equal(a.stats.exec_skipped, 2);
	start = mono_ns();
	lw_alert_flush(&a, now);
	assert_true(mono_ns() - start < 3 * S);
	out = err_stop();
	assert_int_equal(lw_alert_running(&a), 0);
	assert_int_equal(count(out,
		"latwatch: exec 'sleep 10': 4 still running, not starting another (1 skipped so far)\n"), 1);
	assert_int_equal(count(out, "still running"), 1);
	assert_int_equal(count(out, "latwatch: exec 'sleep 10' killed after 300 ms\n"),
			 LW_ALERT_CHILDREN);
	assert_int_equal(a.stats.exec_started, LW_ALERT_CHILDREN);
	assert_int_equal(a.stats.exec_timeouts, LW_ALERT_CHILDREN);
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* A JSON line fills the pipe: lw_alert_tick() writes the rest. */
static char *big_json(size_t n)
{
	char *json = malloc(n + 16);

	assert_non_null(json);
	strcpy(json, "{\"pad\":\"");
	memset(json + 8, 'p', n);
	strcpy(json + 8 + n, "\"}");
	return json;
}

static void test_exec_short_write(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	char cmd[256], *json, *out, *text, *want;
	size_t i;
	bool pending = false;

	(void)state;
	json = big_json(100 * 1024);
	opts(&o, irqoff_rule);
	snprintf(cmd, sizeof(cmd), "sleep 0.3; cat > '%s'", in_dir("big"));
	set(&o, "exec", cmd);
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "big", json, 30 * MS, mono_ns());
	for (i = 0; i < LW_ALERT_CHILDREN; i++)
		if (a.children[i].pid && a.children[i].fd >= 0 &&
		    a.children[i].off < a.children[i].len)
			pending = true;
	assert_true(pending);
	tick_until_done(&a, 5 * S);
	out = err_stop();
	assert_string_equal(out, "latwatch: alert irqoff>=20ms: big\n");
	text = slurp(in_dir("big"));
	assert_non_null(text);
	want = malloc(strlen(json) + 128);
	sprintf(want, "{\"alert\":\"irqoff>=20ms\",\"signature\":\"S\",\"event\":%s}\n",
		json);
	assert_string_equal(text, want);
	free(want);
	free(text);
	free(out);
	free(json);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* A command that does not read its stdin costs no SIGPIPE. */
static void test_exec_no_reader(void **state)
{
	struct lw_agent_opts o;
	struct lw_alerter a;
	sigset_t pending;
	char *json, *out;

	(void)state;
	json = big_json(120 * 1024);
	opts(&o, irqoff_rule);
	set(&o, "exec", "exec 0<&-; sleep 0.1");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "x", json, 30 * MS, mono_ns());
	tick_until_done(&a, 5 * S);
	out = err_stop();
	assert_string_equal(out, "latwatch: alert irqoff>=20ms: x\n");
	assert_int_equal(a.stats.exec_failures, 0);
	assert_int_equal(sigpending(&pending), 0);
	assert_false(sigismember(&pending, SIGPIPE));
	free(out);
	free(json);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
}

/* A reload keeps each rule's counters by its text. */
static void test_reconfigure(void **state)
{
	static const char *const rules[] = { "irqoff>=20ms", "hung>=10s", NULL };
	static const char *const reordered[] = { "timer>1ms", "hung>=10s",
						 "irqoff>=20ms", NULL };
	struct lw_agent_opts o, o2;
	struct lw_alerter a;
	char *out;

	(void)state;
	opts(&o, rules);
	opts(&o2, reordered);
	set(&o2, "rate_limit", "0s");
	assert_int_equal(lw_alert_init(&a, &o), 0);
	err_start();
	lw_alert_event(&a, &o.rules[0], "S", "a", NULL, 30 * MS, T0);
	lw_alert_event(&a, &o.rules[1], "S", "b", NULL, 30 * S, T0);
	lw_alert_event(&a, &o.rules[1], "S", "b", NULL, 30 * S, T0 + 1);
	assert_int_equal(lw_alert_reconfigure(&a, &o2), 0);
	assert_int_equal(a.stats.fired[0], 0);
	assert_int_equal(a.stats.fired[1], 1);
	assert_int_equal(a.stats.suppressed[1], 1);
	assert_int_equal(a.stats.fired[2], 1);
	lw_alert_event(&a, &o2.rules[2], "S", "c", NULL, 30 * MS, T0 + 2);
	lw_alert_event(&a, &o2.rules[2], "S", "d", NULL, 30 * MS, T0 + 3);
	assert_int_equal(a.stats.fired[2], 3);
	lw_alert_flush(&a, T0 + 5 * S);
	out = err_stop();
	assert_string_equal(out,
		"latwatch: alert irqoff>=20ms: a\n"
		"latwatch: alert hung>=10s: b\n"
		"latwatch: alert irqoff>=20ms: c\n"
		"latwatch: alert irqoff>=20ms: d\n"
		"latwatch: alert hung>=10s: 1 more for S in the last 5 s (worst 30 s)\n");
	free(out);
	lw_alert_free(&a);
	lw_agent_opts_free(&o);
	lw_agent_opts_free(&o2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_rate_limit_keys),
		cmocka_unit_test(test_flush_summaries),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_log_errors),
		cmocka_unit_test(test_exec_stdin),
		cmocka_unit_test(test_exec_status),
		cmocka_unit_test(test_exec_timeout),
		cmocka_unit_test(test_exec_limit),
		cmocka_unit_test(test_exec_short_write),
		cmocka_unit_test(test_exec_no_reader),
		cmocka_unit_test(test_reconfigure),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
