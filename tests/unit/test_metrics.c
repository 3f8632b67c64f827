// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "lib/utils.h"
#include "sink/metrics.h"
#include "sink/metrics_http.h"

#define SEC	UINT64_C(1000000000)
#define MS	UINT64_C(1000000)

static struct lw_metrics *new_metrics(void)
{
	struct lw_metrics *m = malloc(sizeof(*m));

	assert_non_null(m);
	lw_metrics_init(m, "1.2.3");
	return m;
}

static char *render(const struct lw_metrics *m)
{
	struct capture c;

	cap_open(&c);
	assert_int_equal(lw_metrics_render(m, c.f), 0);
	cap_close(&c);
	return c.buf;
}

/* The whole line s is in text. */
static bool has_line(const char *text, const char *s)
{
	size_t len = strlen(s);
	const char *p = text;

	while ((p = strstr(p, s))) {
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return true;
		p++;
	}
	return false;
}

static void want_line(const char *text, const char *s)
{
	if (!has_line(text, s))
		fail_msg("no line \"%s\" in:\n%s", s, text);
}

static void want_no_line(const char *text, const char *s)
{
	if (has_line(text, s))
		fail_msg("unexpected line \"%s\"", s);
}

/* The family a sample belongs to: its name less a histogram suffix. */
static void sample_family(const char *line, const char *family,
			  const char *type, char *out, size_t len)
{
	size_t n = strcspn(line, "{ ");
	size_t flen = strlen(family);

	if (!strcmp(type, "histogram") && n > flen && !strncmp(line, family, flen) &&
	    (!strncmp(line + flen, "_bucket", n - flen) ||
	     !strncmp(line + flen, "_sum", n - flen) ||
	     !strncmp(line + flen, "_count", n - flen)))
		n = flen;
	assert_true(n < len);
	memcpy(out, line, n);
	out[n] = '\0';
}

/*
 * Each family once: "# HELP NAME", "# TYPE NAME", then its samples and
 * nothing else. Returns the number of families.
 */
static unsigned int check_families(const char *text)
{
	char seen[64][80], family[80] = "", type[16] = "", name[80];
	unsigned int nseen = 0, i;
	const char *p = text, *nl;
	char line[1024];
	size_t len;

	while (*p) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		len = (size_t)(nl - p);
		assert_true(len < sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(sscanf(line + 7, "%79s", family), 1);
			for (i = 0; i < nseen; i++)
				if (!strcmp(seen[i], family))
					fail_msg("family %s twice", family);
			assert_true(nseen < 64);
			strcpy(seen[nseen++], family);
			type[0] = '\0';
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(sscanf(line + 7, "%79s %15s", name, type), 2);
			assert_string_equal(name, family);
			continue;
		}
		assert_true(type[0]);
		sample_family(line, family, type, name, sizeof(name));
		if (strcmp(name, family))
			fail_msg("sample \"%s\" in family %s", line, family);
	}
	return nseen;
}

/* A CPU's message of the stats dump, with every counter but "skip". */
static struct lw_stat module_cpu(uint32_t cpu, uint64_t base, int skip)
{
	struct lw_stat s = { .has = LW_STAT_CPU, .cpu = cpu };
	unsigned int i;

	for (i = 0; i < LW_STAT_NCOUNTERS; i++) {
		if ((int)i == skip)
			continue;
		s.has |= 1u << i;
		s.ctr[i] = base + i;
	}
	return s;
}

static void fill_module(struct lw_metrics *m)
{
	struct lw_stat cpus[2] = { module_cpu(0, 100, -1),
				   module_cpu(3, 300, -1) };
	struct lw_stats st = { .cpu = cpus, .n = 2, .cap = 2 };

	/* delivered = events - lost - unheard, ratelimited <= lost */
	cpus[0].ctr[LW_STAT_EVENTS] = 50;
	cpus[0].ctr[LW_STAT_DELIVERED] = 40;
	cpus[0].ctr[LW_STAT_LOST] = 8;
	cpus[0].ctr[LW_STAT_RATELIMITED] = 6;
	cpus[0].ctr[LW_STAT_UNHEARD] = 2;
	lw_metrics_module_stats(m, &st);
}

static void fill(struct lw_metrics *m)
{
	fill_module(m);
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, 0, 1500 * 1000);
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, 3, 1 * MS);
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, 3, 150 * SEC);
	lw_metrics_event(m, LATWATCH_EV_SOFTIRQ, 1, 20 * MS + 1);
	lw_metrics_event(m, 99, 2, 7);
	lw_metrics_lost(m, LW_LOST_KERNEL, 5);
	lw_metrics_lost(m, LW_LOST_KERNEL, 1);
	lw_metrics_lost(m, LW_LOST_OVERRUN, 2);
	lw_metrics_nic_drops(m, "eth0", 3);
	lw_metrics_nic_drops(m, "eth1", 1);
	lw_metrics_nic_drops(m, "eth0", 4);
	lw_metrics_softnet_drops(m, 2, 7);
	lw_metrics_add_rule(m, "irqoff>=20ms");
	lw_metrics_alert(m, "nicdrop>0", false);
	lw_metrics_alert(m, "nicdrop>0", true);
	lw_metrics_alert(m, "nicdrop>0", true);
	lw_metrics_periodic_add(m, "timer/estimation_timer:estimation_timer",
				LATWATCH_EV_TIMER, 2 * SEC);
	lw_metrics_periodic_add(m, "softirqoff:memcg_stat_show",
				LATWATCH_EV_SOFTIRQOFF, 10 * SEC + 500 * MS);
	lw_metrics_malformed(m);
	lw_metrics_netlink_overrun(m);
	lw_metrics_netlink_overrun(m);
	lw_metrics_module_reload(m);
	lw_metrics_set_module_loaded(m, true);
}

static void test_render_lines(void **state)
{
	struct lw_metrics *m = new_metrics();
	char *out;

	(void)state;
	fill(m);
	out = render(m);
	want_line(out, "# HELP latwatch_build_info Always 1; the label says the version of latwatch.");
	want_line(out, "# TYPE latwatch_build_info gauge");
	want_line(out, "latwatch_build_info{version=\"1.2.3\"} 1");
	want_line(out, "# TYPE latwatch_events_total counter");
	want_line(out, "latwatch_events_total{type=\"irqoff\"} 3");
	want_line(out, "latwatch_events_total{type=\"softirq\"} 1");
	want_line(out, "latwatch_events_total{type=\"hung_end\"} 0");
	want_line(out, "latwatch_events_total{type=\"unknown\"} 1");
	/* 1 ms falls in le="0.001": the bounds are inclusive */
	want_line(out, "# TYPE latwatch_event_duration_seconds histogram");
	want_line(out, "latwatch_event_duration_seconds_bucket{type=\"irqoff\",le=\"0.001\"} 1");
	want_line(out, "latwatch_event_duration_seconds_bucket{type=\"irqoff\",le=\"0.002\"} 2");
	want_line(out, "latwatch_event_duration_seconds_bucket{type=\"irqoff\",le=\"0.005\"} 2");
	want_line(out, "latwatch_event_duration_seconds_bucket{type=\"irqoff\",le=\"120\"} 2");
	want_line(out, "latwatch_event_duration_seconds_bucket{type=\"irqoff\",le=\"+Inf\"} 3");
	want_line(out, "latwatch_event_duration_seconds_sum{type=\"irqoff\"} 150.0025");
	want_line(out, "latwatch_event_duration_seconds_count{type=\"irqoff\"} 3");
	want_line(out, "latwatch_event_duration_seconds_bucket{type=\"softirq\",le=\"0.02\"} 0");
	want_line(out, "latwatch_event_duration_seconds_bucket{type=\"softirq\",le=\"0.05\"} 1");
	want_line(out, "latwatch_event_duration_seconds_sum{type=\"softirq\"} 0.020000001");
	want_line(out, "latwatch_event_duration_seconds_sum{type=\"timer\"} 0");
	want_line(out, "latwatch_event_duration_seconds_bucket{type=\"unknown\",le=\"0.001\"} 1");
	want_line(out, "latwatch_event_duration_seconds_sum{type=\"unknown\"} 0.000000007");
	want_line(out, "latwatch_cpu_events_total{type=\"irqoff\",cpu=\"0\"} 1");
	want_line(out, "latwatch_cpu_events_total{type=\"irqoff\",cpu=\"3\"} 2");
	want_line(out, "latwatch_cpu_events_total{type=\"softirq\",cpu=\"1\"} 1");
	want_line(out, "latwatch_cpu_events_total{type=\"unknown\",cpu=\"2\"} 1");
	want_no_line(out, "latwatch_cpu_events_total{type=\"irqoff\",cpu=\"1\"} 0");
	want_line(out, "latwatch_events_lost_total{reason=\"kernel\"} 6");
	want_line(out, "latwatch_events_lost_total{reason=\"overrun\"} 2");
	want_line(out, "latwatch_correlated_nic_drops_total{interface=\"eth0\"} 7");
	want_line(out, "latwatch_correlated_nic_drops_total{interface=\"eth1\"} 1");
	want_line(out, "latwatch_correlated_softnet_drops_total{cpu=\"2\"} 7");
	want_line(out, "# HELP latwatch_module_events_total Events the kernel module recorded, by CPU: each ends up delivered, lost or unheard.");
	want_line(out, "# TYPE latwatch_module_events_total counter");
	want_line(out, "latwatch_module_events_total{cpu=\"0\"} 50");
	want_line(out, "latwatch_module_events_total{cpu=\"3\"} 301");
	want_line(out, "# TYPE latwatch_module_delivered_total counter");
	want_line(out, "latwatch_module_delivered_total{cpu=\"0\"} 40");
	want_line(out, "latwatch_module_delivered_total{cpu=\"3\"} 306");
	want_line(out, "# TYPE latwatch_module_lost_total counter");
	want_line(out, "latwatch_module_lost_total{cpu=\"0\"} 8");
	want_line(out, "latwatch_module_lost_total{cpu=\"3\"} 302");
	want_line(out, "# TYPE latwatch_module_ratelimited_total counter");
	want_line(out, "latwatch_module_ratelimited_total{cpu=\"0\"} 6");
	want_line(out, "latwatch_module_ratelimited_total{cpu=\"3\"} 307");
	want_line(out, "# TYPE latwatch_module_unheard_total counter");
	want_line(out, "latwatch_module_unheard_total{cpu=\"0\"} 2");
	want_line(out, "latwatch_module_unheard_total{cpu=\"3\"} 305");
	want_no_line(out, "latwatch_module_events_total{cpu=\"1\"} 0");
	want_line(out, "# TYPE latwatch_periodic_signatures gauge");
	want_line(out, "latwatch_periodic_signatures 2");
	want_line(out, "latwatch_periodic_period_seconds{signature=\"timer/estimation_timer:estimation_timer\",type=\"timer\"} 2");
	want_line(out, "latwatch_periodic_period_seconds{signature=\"softirqoff:memcg_stat_show\",type=\"softirqoff\"} 10.5");
	want_line(out, "latwatch_alerts_total{rule=\"irqoff>=20ms\"} 0");
	want_line(out, "latwatch_alerts_total{rule=\"nicdrop>0\"} 1");
	want_line(out, "latwatch_alerts_suppressed_total{rule=\"irqoff>=20ms\"} 0");
	want_line(out, "latwatch_alerts_suppressed_total{rule=\"nicdrop>0\"} 2");
	want_line(out, "latwatch_malformed_messages_total 1");
	want_line(out, "latwatch_netlink_overruns_total 2");
	want_line(out, "latwatch_module_reloads_total 1");
	want_line(out, "# TYPE latwatch_module_loaded gauge");
	want_line(out, "latwatch_module_loaded 1");
	want_line(out, "latwatch_metrics_overflow_total{table=\"cpu\"} 0");
	assert_int_equal(check_families(out), 21);
	free(out);
	free(m);
}

/* Every bucket line of the irqoff histogram, in order. */
static void test_render_buckets(void **state)
{
	static const char *const want[] = {
		"0.001 0", "0.002 1", "0.005 1", "0.01 1", "0.02 1", "0.05 2",
		"0.1 2", "0.2 2", "0.5 2", "1 2", "2 2", "5 3", "10 3", "30 3",
		"60 3", "120 4", "+Inf 5",
	};
	struct lw_metrics *m = new_metrics();
	char line[128], *out;
	const char *p;
	size_t i;

	(void)state;
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, 0, 2 * MS);
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, 0, 20 * MS + 1);
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, 0, 2 * SEC + 1);
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, 0, 120 * SEC);
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, 0, UINT64_MAX);
	out = render(m);
	p = strstr(out, "latwatch_event_duration_seconds_bucket{type=\"irqoff\"");
	assert_non_null(p);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(line, sizeof(line),
			 "latwatch_event_duration_seconds_bucket{type=\"irqoff\",le=\"%.*s\"}%s\n",
			 (int)strcspn(want[i], " "), want[i],
			 want[i] + strcspn(want[i], " "));
		if (strncmp(p, line, strlen(line)))
			fail_msg("bucket %zu: want %s", i, line);
		p += strlen(line);
	}
	/* the sum saturates instead of wrapping */
	assert_true(!strncmp(p, "latwatch_event_duration_seconds_sum{type=\"irqoff\"} 18446744073.709551615\n",
			     strlen("latwatch_event_duration_seconds_sum{type=\"irqoff\"} 18446744073.709551615\n")));
	free(out);
	free(m);
}

static void test_render_escaping(void **state)
{
	struct lw_metrics *m = new_metrics();
	char *out;

	(void)state;
	lw_metrics_init(m, "v\"1\\2\n");
	lw_metrics_nic_drops(m, "a\\b\"c\nd", 1);
	lw_metrics_alert(m, "bad\xff" "utf8", false);
	lw_metrics_alert(m, "caf\xc3\xa9", false);
	lw_metrics_periodic_add(m, "timer/x\"y:f", 77, 1);
	/* names cut to IFNAMSIZ - 1 bytes */
	lw_metrics_nic_drops(m, "averyveryverylongname", 1);
	lw_metrics_nic_drops(m, "averyveryverylongnamf", 1);
	out = render(m);
	want_line(out, "latwatch_build_info{version=\"v\\\"1\\\\2\\n\"} 1");
	want_line(out, "latwatch_correlated_nic_drops_total{interface=\"a\\\\b\\\"c\\nd\"} 1");
	want_line(out, "latwatch_alerts_total{rule=\"bad\xef\xbf\xbdutf8\"} 1");
	want_line(out, "latwatch_alerts_total{rule=\"caf\xc3\xa9\"} 1");
	want_line(out, "latwatch_periodic_period_seconds{signature=\"timer/x\\\"y:f\",type=\"unknown\"} 0.000000001");
	want_line(out, "latwatch_correlated_nic_drops_total{interface=\"averyveryverylo\"} 2");
	check_families(out);
	free(out);
	free(m);
}

static void test_render_bounds(void **state)
{
	struct lw_metrics *m = new_metrics();
	char name[32], *out;
	unsigned int i;

	(void)state;
	for (i = 0; i < LW_METRICS_MAX_IFACES + 3; i++) {
		snprintf(name, sizeof(name), "veth%u", i);
		lw_metrics_nic_drops(m, name, 1);
	}
	/* a name that is new while the table is full */
	lw_metrics_nic_drops(m, "eth9", 1);
	for (i = 0; i < LW_METRICS_MAX_RULES + 2; i++) {
		snprintf(name, sizeof(name), "irqoff>=%ums", i);
		lw_metrics_alert(m, name, false);
	}
	for (i = 0; i < LW_METRICS_MAX_PERIODIC + 6; i++) {
		snprintf(name, sizeof(name), "timer/t%u", i);
		lw_metrics_periodic_add(m, name, LATWATCH_EV_TIMER, SEC);
	}
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, LW_METRICS_MAX_CPUS - 1, 1);
	lw_metrics_event(m, LATWATCH_EV_IRQOFF, LW_METRICS_MAX_CPUS, 1);
	lw_metrics_softnet_drops(m, UINT32_MAX, 1);
	out = render(m);
	want_line(out, "latwatch_correlated_nic_drops_total{interface=\"veth31\"} 1");
	want_no_line(out, "latwatch_correlated_nic_drops_total{interface=\"veth32\"} 1");
	want_line(out, "latwatch_metrics_overflow_total{table=\"interface\"} 4");
	want_line(out, "latwatch_metrics_overflow_total{table=\"rule\"} 2");
	want_line(out, "latwatch_metrics_overflow_total{table=\"cpu\"} 2");
	want_line(out, "latwatch_periodic_signatures 70");
	want_line(out, "latwatch_periodic_period_seconds{signature=\"timer/t63\",type=\"timer\"} 1");
	want_no_line(out, "latwatch_periodic_period_seconds{signature=\"timer/t64\",type=\"timer\"} 1");
	want_line(out, "latwatch_cpu_events_total{type=\"irqoff\",cpu=\"1023\"} 1");
	want_line(out, "latwatch_events_total{type=\"irqoff\"} 2");
	free(out);
	lw_metrics_periodic_clear(m);
	lw_metrics_nic_drops(m, "veth0", 1);
	out = render(m);
	want_line(out, "latwatch_periodic_signatures 0");
	want_line(out, "latwatch_correlated_nic_drops_total{interface=\"veth0\"} 2");
	assert_null(strstr(out, "latwatch_periodic_period_seconds{"));
	check_families(out);
	free(out);
	free(m);
}

/*
 * The module's counters: each call replaces the last; a counter a CPU's
 * message lacks is left out for that CPU, a CPU without a number is
 * skipped and one past the table counted as overflow.
 */
static void test_module_stats(void **state)
{
	struct lw_stat cpus[4];
	struct lw_stats st = { .cpu = cpus, .cap = 4 };
	struct lw_metrics *m = new_metrics();
	char *out;

	(void)state;
	out = render(m);
	want_line(out, "# HELP latwatch_module_delivered_total Events that reached one subscriber at least, by CPU.");
	want_line(out, "# HELP latwatch_module_ratelimited_total Events over the kernel module's max_events_per_sec, by CPU; also counted as lost.");
	assert_null(strstr(out, "latwatch_module_delivered_total{"));
	assert_null(strstr(out, "latwatch_module_ratelimited_total{"));
	check_families(out);
	free(out);

	cpus[0] = module_cpu(1, 10, LW_STAT_DELIVERED);
	cpus[1] = module_cpu(2, 20, LW_STAT_RATELIMITED);
	cpus[2] = module_cpu(LW_METRICS_MAX_CPUS - 1, 30, -1);
	cpus[3] = module_cpu(LW_METRICS_MAX_CPUS, 40, -1);
	st.n = 4;
	lw_metrics_module_stats(m, &st);
	out = render(m);
	want_no_line(out, "latwatch_module_delivered_total{cpu=\"1\"} 16");
	want_line(out, "latwatch_module_ratelimited_total{cpu=\"1\"} 17");
	want_line(out, "latwatch_module_delivered_total{cpu=\"2\"} 26");
	want_no_line(out, "latwatch_module_ratelimited_total{cpu=\"2\"} 27");
	want_line(out, "latwatch_module_events_total{cpu=\"2\"} 21");
	want_line(out, "latwatch_module_delivered_total{cpu=\"1023\"} 36");
	want_line(out, "latwatch_module_ratelimited_total{cpu=\"1023\"} 37");
	assert_null(strstr(out, "{cpu=\"1024\"}"));
	want_line(out, "latwatch_metrics_overflow_total{table=\"cpu\"} 1");
	check_families(out);
	free(out);

	/*
	 * Replaced: CPUs the last dump did not name are gone; one without a
	 * number is skipped.
	 */
	cpus[0] = module_cpu(2, 50, -1);
	cpus[1] = module_cpu(5, 60, -1);
	cpus[1].has &= ~LW_STAT_CPU;
	st.n = 2;
	lw_metrics_module_stats(m, &st);
	out = render(m);
	want_line(out, "latwatch_module_delivered_total{cpu=\"2\"} 56");
	want_line(out, "latwatch_module_ratelimited_total{cpu=\"2\"} 57");
	assert_null(strstr(out, "latwatch_module_ratelimited_total{cpu=\"1\"}"));
	assert_null(strstr(out, "{cpu=\"1023\"}"));
	assert_null(strstr(out, "{cpu=\"5\"}"));
	want_line(out, "latwatch_metrics_overflow_total{table=\"cpu\"} 1");
	check_families(out);
	free(out);
	free(m);
}

static bool have_promtool(void)
{
	return system("command -v promtool >/dev/null 2>&1") == 0;
}

/* promtool check metrics: 0 if it accepts text, and what it said. */
static int promtool_check(const char *text, char *said, size_t len)
{
	char path[] = "/tmp/latwatch-metrics-XXXXXX", cmd[128];
	size_t n;
	FILE *p;
	int fd, st;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s 2>&1", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(said, 1, len - 1, p);
	said[n] = '\0';
	st = pclose(p);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_promtool(void **state)
{
	struct lw_metrics *m = new_metrics();
	char said[4096], *out;
	int rc;

	(void)state;
	if (!have_promtool()) {
		printf("note: promtool not found, exposition not checked by it\n");
		free(m);
		skip();
	}
	/* empty, then full, then with awkward label values */
	out = render(m);
	rc = promtool_check(out, said, sizeof(said));
	if (rc)
		fail_msg("promtool (%d): %s\n%s", rc, said, out);
	free(out);
	fill(m);
	lw_metrics_nic_drops(m, "a\\b\"c\nd", 1);
	lw_metrics_alert(m, "bad\xff" "utf8", false);
	lw_metrics_softnet_drops(m, 1023, 1);
	out = render(m);
	rc = promtool_check(out, said, sizeof(said));
	if (rc)
		fail_msg("promtool (%d): %s\n%s", rc, said, out);
	free(out);
	/* and it does find fault */
	rc = promtool_check("latwatch_x{a=\"b} 1\n", said, sizeof(said));
	assert_int_not_equal(rc, 0);
	free(m);
}

/* The server. */

struct srv_env {
	struct lw_metrics *m;
	struct lw_metrics_srv srv;
	uint64_t now;
};

static void srv_up(struct srv_env *e)
{
	char err[LW_ERR_LEN] = "";

	e->m = new_metrics();
	fill(e->m);
	e->now = 1000 * SEC;
	if (lw_metrics_listen(&e->srv, "127.0.0.1:0", err, sizeof(err)))
		fail_msg("listen: %s", err);
	assert_int_not_equal(lw_metrics_port(&e->srv), 0);
}

static void srv_down(struct srv_env *e)
{
	lw_metrics_srv_close(&e->srv);
	free(e->m);
}

/* One iteration of the agent's loop, 1 ms on the fake clock. */
static void srv_step(struct srv_env *e, int timeout_ms)
{
	struct pollfd pfd[LW_METRICS_NPOLLFD + 1];
	unsigned int n;

	/* a socket that is not the server's, as the agent's loop has */
	pfd[0].fd = -1;
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	n = lw_metrics_pollfds(&e->srv, pfd + 1, LW_METRICS_NPOLLFD);
	assert_true(poll(pfd, n + 1, timeout_ms) >= 0);
	e->now += MS;
	lw_metrics_handle(&e->srv, pfd, n + 1, e->m, e->now);
}

static unsigned int srv_nclients(struct srv_env *e)
{
	struct pollfd pfd[LW_METRICS_NPOLLFD];
	unsigned int n = lw_metrics_pollfds(&e->srv, pfd, LW_METRICS_NPOLLFD);

	return n - (e->srv.fd >= 0 && !e->srv.paused);
}

static int client_connect_rcvbuf(struct srv_env *e, int rcvbuf)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	if (rcvbuf)
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
					    sizeof(rcvbuf)), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(lw_metrics_port(&e->srv));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return fd;
}

static int client_connect(struct srv_env *e)
{
	return client_connect_rcvbuf(e, 0);
}

static void client_send(int fd, const char *s, size_t len)
{
	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

struct reply {
	char *buf;
	size_t len;
	bool eof;
	bool reset;
};

/* Read what there is; true once the server closed. */
static bool client_read(int fd, struct reply *r)
{
	char tmp[65536];
	ssize_t n;

	while (!r->eof) {
		n = recv(fd, tmp, sizeof(tmp), 0);
		if (n > 0) {
			r->buf = realloc(r->buf, r->len + (size_t)n + 1);
			assert_non_null(r->buf);
			memcpy(r->buf + r->len, tmp, (size_t)n);
			r->len += (size_t)n;
			r->buf[r->len] = '\0';
		} else if (n == 0) {
			r->eof = true;
		} else if (errno == ECONNRESET) {
			r->eof = true;
			r->reset = true;
		} else {
			assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
			break;
		}
	}
	return r->eof;
}

/* Drive the server until the client has its whole reply. */
static void exchange(struct srv_env *e, int fd, struct reply *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 1000 && !client_read(fd, r); i++)
		srv_step(e, 10);
	assert_true(r->eof);
}

static void reply_free(struct reply *r)
{
	free(r->buf);
}

/* The reply to one request on a new connection. */
static void request(struct srv_env *e, const char *req, struct reply *r)
{
	int fd = client_connect(e);

	client_send(fd, req, strlen(req));
	exchange(e, fd, r);
	close(fd);
}

static const char *body_of(const struct reply *r)
{
	const char *p = strstr(r->buf, "\r\n\r\n");

	assert_non_null(p);
	return p + 4;
}

static void want_status(const struct reply *r, const char *status)
{
	assert_non_null(r->buf);
	if (strncmp(r->buf, status, strlen(status)))
		fail_msg("want %s, got: %.80s", status, r->buf);
}

static void test_srv_metrics(void **state)
{
	struct srv_env e;
	struct reply r;
	char hdr[256], *want;

	(void)state;
	srv_up(&e);
	want = render(e.m);
	request(&e, "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", &r);
	want_status(&r, "HTTP/1.1 200 OK\r\n");
	snprintf(hdr, sizeof(hdr),
		 "HTTP/1.1 200 OK\r\n"
		 "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		 "Content-Length: %zu\r\n"
		 "Connection: close\r\n\r\n", strlen(want));
	assert_true(!strncmp(r.buf, hdr, strlen(hdr)));
	assert_string_equal(body_of(&r), want);
	reply_free(&r);

	/* HTTP/1.0, bare newlines, a query */
	request(&e, "GET /metrics?x=1 HTTP/1.0\n\n", &r);
	assert_string_equal(body_of(&r), want);
	reply_free(&r);

	/* HEAD: the same head, no body */
	request(&e, "HEAD /metrics HTTP/1.1\r\n\r\n", &r);
	assert_string_equal(r.buf, hdr);
	reply_free(&r);

	/* the counters move between scrapes */
	lw_metrics_malformed(e.m);
	request(&e, "GET /metrics HTTP/1.1\r\n\r\n", &r);
	want_line(body_of(&r), "latwatch_malformed_messages_total 2");
	reply_free(&r);

	request(&e, "GET / HTTP/1.1\r\n\r\n", &r);
	want_status(&r, "HTTP/1.1 200 OK\r\n");
	assert_non_null(strstr(r.buf, "Content-Type: text/html; charset=utf-8\r\n"));
	assert_non_null(strstr(body_of(&r), "<a href=\"/metrics\">"));
	reply_free(&r);

	free(want);
	srv_step(&e, 10);
	assert_int_equal(srv_nclients(&e), 0);
	srv_down(&e);
}

static void test_srv_errors(void **state)
{
	struct srv_env e;
	struct reply r;
	char big[LW_METRICS_REQ_MAX + 100];
	int fd;

	(void)state;
	srv_up(&e);
	request(&e, "GET /nope HTTP/1.1\r\n\r\n", &r);
	want_status(&r, "HTTP/1.1 404 Not Found\r\n");
	assert_string_equal(body_of(&r), "404 page not found\n");
	reply_free(&r);

	request(&e, "GET /metricsx HTTP/1.1\r\n\r\n", &r);
	want_status(&r, "HTTP/1.1 404 Not Found\r\n");
	reply_free(&r);

	request(&e, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &r);
	want_status(&r, "HTTP/1.1 405 Method Not Allowed\r\n");
	assert_non_null(strstr(r.buf, "\r\nAllow: GET, HEAD\r\n"));
	reply_free(&r);

	request(&e, "hello\r\n\r\n", &r);
	want_status(&r, "HTTP/1.1 400 Bad Request\r\n");
	reply_free(&r);

	request(&e, "GET  /metrics HTTP/1.1\r\n\r\n", &r);
	want_status(&r, "HTTP/1.1 400 Bad Request\r\n");
	reply_free(&r);

	request(&e, "GET /metrics HTTP/2.0\r\n\r\n", &r);
	want_status(&r, "HTTP/1.1 505 HTTP Version Not Supported\r\n");
	reply_free(&r);

	/* headers past the limit: 431, and the rest of them is drained */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	fd = client_connect(&e);
	client_send(fd, big, sizeof(big));
	exchange(&e, fd, &r);
	want_status(&r, "HTTP/1.1 431 Request Header Fields Too Large\r\n");
	assert_false(r.reset);
	reply_free(&r);
	close(fd);

	/* the client goes away before it sends anything */
	fd = client_connect(&e);
	srv_step(&e, 10);
	assert_int_equal(srv_nclients(&e), 1);
	close(fd);
	srv_step(&e, 10);
	assert_int_equal(srv_nclients(&e), 0);
	srv_down(&e);
}

static void test_srv_idle(void **state)
{
	struct srv_env e;
	struct reply r;
	uint64_t t0;
	int fd, ms;

	(void)state;
	srv_up(&e);
	fd = client_connect(&e);
	client_send(fd, "GET /met", 8);
	srv_step(&e, 100);
	assert_int_equal(srv_nclients(&e), 1);
	t0 = e.now;
	ms = lw_metrics_timeout_ms(&e.srv, e.now);
	assert_true(ms > 4990 && ms <= 5001);
	/* progress restarts the clock */
	e.now = t0 + 4 * SEC;
	client_send(fd, "ri", 2);
	srv_step(&e, 100);
	t0 = e.now;
	e.now = t0 + LW_METRICS_IDLE_NS - MS;	/* the step adds 1 ms */
	srv_step(&e, 0);
	assert_int_equal(srv_nclients(&e), 1);
	assert_false(client_read(fd, &(struct reply){ 0 }));
	srv_step(&e, 0);
	assert_int_equal(srv_nclients(&e), 0);
	memset(&r, 0, sizeof(r));
	assert_true(client_read(fd, &r));
	assert_int_equal(r.len, 0);
	close(fd);
	assert_int_equal(lw_metrics_timeout_ms(&e.srv, e.now), -1);
	srv_down(&e);
}

#define MANY	40

static void test_srv_many(void **state)
{
	struct reply r[MANY];
	struct srv_env e;
	unsigned int ok = 0, closed = 0, i, done;
	int fd[MANY], round;
	char *want;

	(void)state;
	srv_up(&e);
	want = render(e.m);
	for (i = 0; i < MANY; i++) {
		fd[i] = client_connect(&e);
		client_send(fd[i], "GET /metrics HTTP/1.1\r\n\r\n", 25);
		memset(&r[i], 0, sizeof(r[i]));
	}
	for (round = 0; round < 1000; round++) {
		srv_step(&e, 10);
		assert_true(srv_nclients(&e) <= LW_METRICS_MAX_CLIENTS);
		for (done = 0, i = 0; i < MANY; i++)
			done += client_read(fd[i], &r[i]);
		if (done == MANY)
			break;
	}
	for (i = 0; i < MANY; i++) {
		assert_true(r[i].eof);
		if (!r[i].len) {
			closed++;
		} else {
			want_status(&r[i], "HTTP/1.1 200 OK\r\n");
			assert_string_equal(body_of(&r[i]), want);
			ok++;
		}
		reply_free(&r[i]);
		close(fd[i]);
	}
	/* the first ones are served whole, none half */
	assert_true(ok >= LW_METRICS_MAX_CLIENTS);
	assert_int_equal(ok + closed, MANY);
	srv_step(&e, 10);
	assert_int_equal(srv_nclients(&e), 0);
	/* and it still works */
	request(&e, "GET /metrics HTTP/1.1\r\n\r\n", &r[0]);
	assert_string_equal(body_of(&r[0]), want);
	reply_free(&r[0]);
	free(want);
	srv_down(&e);
}

/* A response far larger than the socket buffers goes out in pieces. */
static void test_srv_partial(void **state)
{
	struct srv_env e;
	struct reply r;
	unsigned int cpu, t, steps = 0;
	int fd;
	char *want;

	(void)state;
	srv_up(&e);
	for (t = 1; t <= LATWATCH_EV_MAX; t++)
		for (cpu = 0; cpu < LW_METRICS_MAX_CPUS; cpu++)
			lw_metrics_event(e.m, t, cpu, cpu * MS);
	want = render(e.m);
	assert_true(strlen(want) > 300000);
	fd = client_connect_rcvbuf(&e, 4096);
	srv_step(&e, 10);
	/* small buffers on the server's side too, fixed */
	assert_int_equal(e.srv.clients[0].state, LW_MC_READ);
	assert_int_equal(setsockopt(e.srv.clients[0].fd, SOL_SOCKET, SO_SNDBUF,
				    &(int){ 4096 }, sizeof(int)), 0);
	client_send(fd, "GET /metrics HTTP/1.1\r\n\r\n", 25);
	srv_step(&e, 10);
	/* not all sent yet: the server waits for POLLOUT */
	assert_int_equal(e.srv.clients[0].state, LW_MC_WRITE);
	assert_true(e.srv.clients[0].off < e.srv.clients[0].end);
	memset(&r, 0, sizeof(r));
	while (!client_read(fd, &r) && steps++ < 100000)
		srv_step(&e, 10);
	assert_true(steps > 1);
	want_status(&r, "HTTP/1.1 200 OK\r\n");
	assert_string_equal(body_of(&r), want);
	reply_free(&r);
	close(fd);
	free(want);
	srv_step(&e, 0);
	assert_int_equal(srv_nclients(&e), 0);
	srv_down(&e);
}

static void listen_bad(const char *ap, const char *msg)
{
	struct lw_metrics_srv s;
	char err[LW_ERR_LEN] = "";

	assert_int_equal(lw_metrics_listen(&s, ap, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("'%s': got \"%s\", want \"%s\"", ap, err, msg);
	assert_null(strchr(err, '\n'));
	lw_metrics_srv_close(&s);
}

static void listen_ok(const char *ap, bool may_fail)
{
	struct lw_metrics_srv s;
	char err[LW_ERR_LEN] = "";

	if (lw_metrics_listen(&s, ap, err, sizeof(err))) {
		if (!may_fail)
			fail_msg("'%s': %s", ap, err);
		printf("note: %s: %s\n", ap, err);
	} else {
		assert_int_not_equal(lw_metrics_port(&s), 0);
	}
	lw_metrics_srv_close(&s);
}

static void test_listen(void **state)
{
	struct srv_env e;
	char ap[32], err[LW_ERR_LEN] = "";
	struct lw_metrics_srv s2;

	(void)state;
	listen_ok("127.0.0.1:0", false);
	listen_ok(":0", false);
	listen_ok("0.0.0.0:0", false);
	listen_ok("localhost:0", false);
	listen_ok("[::1]:0", true);	/* IPv6 may be off */
	listen_bad("9105", "expected ADDR:PORT");
	listen_bad("", "expected ADDR:PORT");
	listen_bad("::1:9105", "in brackets");
	listen_bad("[::1]9105", "expected [IPV6]:PORT");
	listen_bad("[::1:9105", "expected [IPV6]:PORT");
	listen_bad("127.0.0.1:65536", "from 0 to 65535");
	listen_bad("127.0.0.1:", "from 0 to 65535");
	listen_bad("127.0.0.1:-1", "from 0 to 65535");
	listen_bad("127.0.0.1:80x", "from 0 to 65535");
	listen_bad("127.0.0.1:00000009105", "from 0 to 65535");
	/* a port taken */
	srv_up(&e);
	snprintf(ap, sizeof(ap), "127.0.0.1:%u", lw_metrics_port(&e.srv));
	assert_int_equal(lw_metrics_listen(&s2, ap, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot listen on 127.0.0.1:"));
	assert_non_null(strstr(err, "Address already in use"));
	lw_metrics_srv_close(&s2);
	srv_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_lines),
		cmocka_unit_test(test_render_buckets),
		cmocka_unit_test(test_render_escaping),
		cmocka_unit_test(test_render_bounds),
		cmocka_unit_test(test_module_stats),
		cmocka_unit_test(test_promtool),
		cmocka_unit_test(test_srv_metrics),
		cmocka_unit_test(test_srv_errors),
		cmocka_unit_test(test_srv_idle),
		cmocka_unit_test(test_srv_many),
		cmocka_unit_test(test_srv_partial),
		cmocka_unit_test(test_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
