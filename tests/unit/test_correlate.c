// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>

#include "testutil.h"
#include "fixtures/snapshots/tree.h"
#include "analysis/correlate.h"
#include "analysis/verdict.h"
#include "lib/jsonw.h"
#include "source/snapshots.h"

#define MAXCPU	20

#define EM_DASH	" \xe2\x80\x94 "

/* ---- a fake system whose counters the test moves ---- */

struct world {
	struct tree t;
	struct lw_snapshots s;
	unsigned int ncpu;	/* online: 0 .. ncpu - 1 */
	uint32_t dropped[MAXCPU];
	uint32_t squeeze[MAXCPU];
	uint64_t run_delay[MAXCPU];
	uint64_t pcount[MAXCPU];
	uint64_t procs;
	uint64_t psi;
	uint64_t steal[MAXCPU];		/* USER_HZ ticks */
	bool no_steal_line[MAXCPU];	/* its /proc/stat line left out */
	bool stat_old;			/* no steal column at all */
};

/* /proc/stat: the "cpu" line of all CPUs, then one per CPU. */
static void world_put_stat(const struct world *w)
{
	char text[8192], row[128];
	const char *steal = w->stat_old ? "" : " %llu 0 0";
	uint64_t all = 0;
	unsigned int i;

	for (i = 0; i < w->ncpu; i++)
		all += w->steal[i];
	snprintf(text, sizeof(text), "cpu  40 0 40 400 0 0 0");
	snprintf(row, sizeof(row), steal, (unsigned long long)all);
	strcat(text, row);
	strcat(text, "\n");
	for (i = 0; i < w->ncpu; i++) {
		if (w->no_steal_line[i])
			continue;
		snprintf(row, sizeof(row), "cpu%u 10 0 10 100 0 0 0", i);
		strcat(text, row);
		snprintf(row, sizeof(row), steal,
			 (unsigned long long)w->steal[i]);
		strcat(text, row);
		strcat(text, "\n");
	}
	strcat(text, "intr 12345 0 0\nctxt 999\nprocs_running 1\n");
	tree_put(&w->t, "proc/stat", "%s", text);
}

static void world_init(struct world *w, unsigned int ncpu,
		       unsigned int history)
{
	memset(w, 0, sizeof(*w));
	tree_init(&w->t);
	w->ncpu = ncpu;
	w->procs = 1;
	tree_put(&w->t, "sys/devices/system/cpu/possible", "0-%u\n",
		 ncpu - 1);
	tree_iface(&w->t, "lo", 1, 0, 0, 0, 0, 0);
	tree_iface(&w->t, "eth0", 2, 5, 6, 7, 8, 9);
	tree_iface_bus(&w->t, "eth0");
	assert_int_equal(lw_snapshots_init(&w->s, w->t.root, history), 0);
	w->s.user_hz = 100;
}

static void world_take(struct world *w, uint64_t t)
{
	char text[8192], row[512];
	unsigned int i;

	tree_put(&w->t, "sys/devices/system/cpu/online", "0-%u\n",
		 w->ncpu - 1);
	text[0] = '\0';
	for (i = 0; i < w->ncpu; i++) {
		tree_softnet_row(row, sizeof(row), i, w->dropped[i],
				 w->squeeze[i]);
		strcat(text, row);
	}
	tree_put(&w->t, "proc/net/softnet_stat", "%s", text);
	strcpy(text, "version 15\ntimestamp 4295011005\n");
	for (i = 0; i < w->ncpu; i++) {
		tree_sched_row(row, sizeof(row), i, w->run_delay[i],
			       w->pcount[i]);
		strcat(text, row);
	}
	tree_put(&w->t, "proc/schedstat", "%s", text);
	tree_put(&w->t, "proc/loadavg", "0.50 0.40 0.30 %llu/200 999\n",
		 (unsigned long long)w->procs);
	tree_put(&w->t, "proc/pressure/cpu",
		 "some avg10=0.00 avg60=0.00 avg300=0.00 total=%llu\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		 (unsigned long long)w->psi);
	world_put_stat(w);
	assert_int_equal(lw_snapshots_take(&w->s, t, t), 0);
}

static void world_free(struct world *w)
{
	lw_snapshots_free(&w->s);
	tree_free(&w->t);
}

static void corr_ok(const struct world *w, uint64_t start, uint64_t end,
		    uint32_t cpu, struct lw_corr *c, uint64_t from,
		    uint64_t to, bool partial)
{
	int ret = lw_correlate(&w->s, start, end, cpu, c);

	if (ret)
		fail_msg("[%llu, %llu]: %d", (unsigned long long)start,
			 (unsigned long long)end, ret);
	assert_true(c->valid);
	if (c->from_ns != from || c->to_ns != to || c->partial != partial)
		fail_msg("[%llu, %llu]: got [%llu, %llu]%s, want [%llu, %llu]%s",
			 (unsigned long long)start, (unsigned long long)end,
			 (unsigned long long)c->from_ns,
			 (unsigned long long)c->to_ns,
			 c->partial ? " partial" : "",
			 (unsigned long long)from, (unsigned long long)to,
			 partial ? " partial" : "");
	assert_int_equal(c->start_ns, start);
	assert_int_equal(c->end_ns, end);
}

static void corr_fails(const struct world *w, uint64_t start, uint64_t end,
		       int want)
{
	struct lw_corr c;

	assert_int_equal(lw_correlate(&w->s, start, end, 0, &c), want);
	assert_false(c.valid);
}

/* ---- windows ---- */

static void test_window(void **state)
{
	struct world w;
	struct lw_corr c;
	uint64_t t;

	(void)state;
	world_init(&w, 2, 16);
	corr_fails(&w, 10, 20, -ENODATA);
	assert_false(lw_corr_ready(&w.s, 0));
	world_take(&w, 100);
	corr_fails(&w, 10, 200, -ENODATA);
	for (t = 200; t <= 1000; t += 100)
		world_take(&w, t);

	/* one snapshot before, one after */
	corr_ok(&w, 250, 350, 0, &c, 200, 400, false);
	corr_ok(&w, 201, 299, 0, &c, 200, 300, false);
	/* exactly on snapshots: those are A and B */
	corr_ok(&w, 300, 500, 0, &c, 300, 500, false);
	corr_ok(&w, 300, 300, 0, &c, 300, 400, false);
	corr_ok(&w, 1000, 1000, 0, &c, 900, 1000, false);
	corr_ok(&w, 100, 1000, 0, &c, 100, 1000, false);
	/* no snapshot after the end yet */
	corr_ok(&w, 950, 1050, 0, &c, 900, 1000, true);
	assert_false(lw_corr_ready(&w.s, 1050));
	assert_true(lw_corr_ready(&w.s, 1000));
	assert_true(lw_corr_ready(&w.s, 999));
	/* before the oldest */
	corr_ok(&w, 0, 150, 0, &c, 100, 200, true);
	/* nothing after the start, or a backwards window */
	corr_fails(&w, 1100, 1200, -ENODATA);
	corr_fails(&w, 400, 300, -EINVAL);
	world_free(&w);

	/* a ring of 4 over 10 snapshots keeps 700..1000 */
	world_init(&w, 2, 4);
	for (t = 100; t <= 1000; t += 100)
		world_take(&w, t);
	corr_ok(&w, 450, 750, 0, &c, 700, 800, true);
	corr_ok(&w, 650, 1000, 0, &c, 700, 1000, true);
	corr_ok(&w, 750, 850, 0, &c, 700, 900, false);
	corr_fails(&w, 100, 200, -ENODATA);
	corr_fails(&w, 650, 700, -ENODATA);
	world_free(&w);
}

/* ---- deltas ---- */

static void test_deltas(void **state)
{
	struct world w;
	struct lw_corr c;
	uint64_t v;

	(void)state;
	world_init(&w, 4, 8);
	tree_iface(&w.t, "veth_old", 10, 1, 1, 1, 1, 1);
	tree_iface(&w.t, "eth9", 11, 1000, 0, 0, 0, 0);
	tree_iface(&w.t, "veth9", 12, 5, 0, 0, 0, 0);
	w.dropped[3] = 5;
	world_take(&w, 100);

	tree_iface(&w.t, "lo", 1, 922, 0, 0, 0, 0);
	tree_iface(&w.t, "eth0", 2, 15, 6, 7, 8, 10);
	tree_iface_rm(&w.t, "veth_old");
	tree_iface(&w.t, "veth_new", 13, 50, 50, 50, 50, 50);
	/* went backwards: no delta */
	tree_iface(&w.t, "eth9", 11, 3, 0, 0, 0, 0);
	/* deleted and created again, with more than before: no delta */
	tree_iface_rm(&w.t, "veth9");
	tree_iface(&w.t, "veth9", 14, 100, 0, 0, 0, 0);
	w.dropped[1] = 922;
	w.squeeze[2] = 3;
	w.dropped[3] = 500;
	w.ncpu = 3;		/* CPU 3 went offline */
	world_take(&w, 200);
	assert_false(lw_snapshots_get_cpu(&w.s, 0, 3, LW_CPU_DROPPED, &v));

	corr_ok(&w, 120, 180, 1, &c, 100, 200, false);
	assert_int_equal(c.nnic, 2);
	assert_int_equal(c.nic_more, 0);
	assert_string_equal(c.nic[0].ifname, "lo");
	assert_int_equal(c.nic[0].ctr[LW_NIC_RX_DROPPED], 922);
	assert_int_equal(c.nic[0].total, 922);
	assert_string_equal(c.nic[1].ifname, "eth0");
	assert_int_equal(c.nic[1].ctr[LW_NIC_RX_DROPPED], 10);
	assert_int_equal(c.nic[1].ctr[LW_NIC_RX_MISSED], 0);
	assert_int_equal(c.nic[1].ctr[LW_NIC_TX_DROPPED], 1);
	assert_int_equal(c.nic[1].total, 11);
	assert_int_equal(c.nic_dropped, 933);
	assert_int_equal(c.nsoftnet, 2);
	assert_int_equal(c.softnet[0].cpu, 1);
	assert_int_equal(c.softnet[0].dropped, 922);
	assert_int_equal(c.softnet[0].time_squeeze, 0);
	assert_int_equal(c.softnet[1].cpu, 2);
	assert_int_equal(c.softnet[1].dropped, 0);
	assert_int_equal(c.softnet[1].time_squeeze, 3);
	assert_int_equal(c.softnet_dropped, 922);
	assert_int_equal(c.softnet_squeeze, 3);
	assert_int_equal(lw_corr_nicdrops(&c), 933 + 922);

	/* the same window later on: the new ones have their delta */
	tree_iface(&w.t, "veth_new", 13, 51, 50, 50, 50, 50);
	tree_iface(&w.t, "eth9", 11, 4, 0, 0, 0, 0);
	tree_iface(&w.t, "veth9", 14, 103, 0, 0, 0, 0);
	world_take(&w, 300);
	corr_ok(&w, 220, 280, 1, &c, 200, 300, false);
	assert_int_equal(c.nnic, 3);
	assert_int_equal(c.nic[0].total, 3);
	assert_string_equal(c.nic[0].ifname, "veth9");
	assert_int_equal(c.nic_dropped, 5);
	assert_int_equal(c.nsoftnet, 0);
	assert_int_equal(lw_corr_nicdrops(&c), 5);
	world_free(&w);
}

static void test_runq(void **state)
{
	struct world w;
	struct lw_corr c;

	(void)state;
	world_init(&w, 4, 16);
	w.procs = 50;
	world_take(&w, 100);
	w.procs = 3;
	w.run_delay[1] = 1000000;
	w.pcount[1] = 10;
	w.psi = 1000;
	world_take(&w, 200);
	w.procs = 9;
	world_take(&w, 300);
	w.procs = 4;
	w.run_delay[1] = 36000000;
	w.pcount[1] = 25;
	w.run_delay[2] = 99000000;
	w.psi = 41000;
	world_take(&w, 400);
	w.procs = 60;
	world_take(&w, 500);

	corr_ok(&w, 210, 390, 1, &c, 200, 400, false);
	assert_int_equal(c.runq.cpu, 1);
	assert_int_equal(c.runq.has, LW_RUNQ_RUN_DELAY | LW_RUNQ_PROCS |
			 LW_RUNQ_PSI | LW_RUNQ_NCPUS);
	assert_int_equal(c.runq.run_delay_ns, 35000000);
	assert_int_equal(c.runq.timeslices, 15);
	assert_int_equal(c.runq.procs_running, 4);
	assert_int_equal(c.runq.procs_running_max, 9);
	assert_int_equal(c.runq.psi_some_us, 40000);
	assert_int_equal(c.runq.ncpus, 4);

	/* a CPU that is not sampled */
	corr_ok(&w, 210, 390, 77, &c, 200, 400, false);
	assert_int_equal(c.runq.cpu, 77);
	assert_int_equal(c.runq.has, LW_RUNQ_PROCS | LW_RUNQ_PSI |
			 LW_RUNQ_NCPUS);
	assert_int_equal(c.runq.run_delay_ns, 0);
	world_free(&w);
}

static void steal_is(const struct world *w, uint64_t start, uint64_t end,
		     uint32_t cpu, bool known, uint64_t ns)
{
	struct lw_corr c;

	assert_int_equal(lw_correlate(&w->s, start, end, cpu, &c), 0);
	assert_int_equal(c.steal.cpu, cpu);
	if (c.steal.known != known || c.steal.ns != ns)
		fail_msg("[%llu, %llu] CPU %u: steal %s %llu, want %s %llu",
			 (unsigned long long)start, (unsigned long long)end,
			 cpu, c.steal.known ? "known" : "unknown",
			 (unsigned long long)c.steal.ns,
			 known ? "known" : "unknown", (unsigned long long)ns);
	if (known)
		assert_int_equal(c.steal.tick_ns, 10000000);
}

static void test_steal(void **state)
{
	struct world w;

	(void)state;
	world_init(&w, 4, 16);
	world_take(&w, 100);
	world_take(&w, 200);
	/* no CPU has any steal since boot: bare metal, or not told */
	steal_is(&w, 110, 190, 1, false, 0);

	/* another CPU's steal: this one's 0 is known */
	w.steal[0] = 3;
	world_take(&w, 300);
	steal_is(&w, 210, 290, 1, true, 0);
	steal_is(&w, 210, 290, 0, true, 30000000);

	/* it grows, over the snapshots before and after the window */
	w.steal[1] = 2;
	world_take(&w, 400);
	w.steal[1] = 5;
	world_take(&w, 500);
	steal_is(&w, 410, 490, 1, true, 30000000);
	steal_is(&w, 310, 490, 1, true, 50000000);
	steal_is(&w, 300, 500, 1, true, 50000000);
	/* a CPU that is not sampled */
	steal_is(&w, 410, 490, 77, false, 0);

	/* CPU 2 has no line in B (offline): unknown */
	w.no_steal_line[2] = true;
	world_take(&w, 600);
	steal_is(&w, 510, 590, 2, false, 0);
	steal_is(&w, 510, 590, 1, true, 0);
	w.no_steal_line[2] = false;

	/* went back (hot-plugged again): unknown, then counted anew */
	w.steal[1] = 1;
	world_take(&w, 700);
	steal_is(&w, 610, 690, 1, false, 0);
	w.steal[1] = 4;
	world_take(&w, 800);
	steal_is(&w, 710, 790, 1, true, 30000000);

	/* a kernel without the steal column */
	w.stat_old = true;
	world_take(&w, 900);
	steal_is(&w, 810, 890, 1, false, 0);
	w.stat_old = false;
	world_take(&w, 1000);
	steal_is(&w, 910, 990, 1, false, 0);
	steal_is(&w, 710, 990, 1, true, 30000000);

	/* a bad line */
	tree_put(&w.t, "proc/stat", "cpu  1 2 3 4 5 6 7 80 0 0\n"
		 "cpu0 1 2 3 4 5 6 7 8 0 0\ncpu1 1 2 3 4 5 6 7 x 0 0\n");
	assert_int_equal(lw_snapshots_take(&w.s, 1100, 1100), 0);
	steal_is(&w, 1010, 1090, 1, false, 0);
	steal_is(&w, 1010, 1090, 0, true, 50000000);
	world_free(&w);
}

/* Only so many interfaces, counters and CPUs are listed. */
struct fake_eth {
	unsigned int n;
	char names[12][LW_ETH_NAME_LEN];
	uint64_t vals[12];
};

static int fake_count(void *ctx, const char *ifname)
{
	struct fake_eth *f = ctx;

	return strcmp(ifname, "eth0") ? -EOPNOTSUPP : (int)f->n;
}

static int fake_names(void *ctx, const char *ifname,
		      char (*names)[LW_ETH_NAME_LEN], unsigned int n)
{
	struct fake_eth *f = ctx;

	(void)ifname;
	memcpy(names, f->names, n * sizeof(*names));
	return 0;
}

static int fake_values(void *ctx, const char *ifname, uint64_t *vals,
		       unsigned int n)
{
	struct fake_eth *f = ctx;

	(void)ifname;
	memcpy(vals, f->vals, n * sizeof(*vals));
	return 0;
}

static const struct lw_ethtool_ops fake_ops = {
	.count	= fake_count,
	.names	= fake_names,
	.values	= fake_values,
};

static void test_caps(void **state)
{
	struct fake_eth f;
	struct world w;
	struct lw_corr c;
	unsigned int i;
	char name[16];

	(void)state;
	memset(&f, 0, sizeof(f));
	f.n = 12;
	for (i = 0; i < 12; i++)
		snprintf(f.names[i], sizeof(f.names[i]), "rx_q%u_drops", i);
	world_init(&w, MAXCPU, 8);
	lw_snapshots_set_ethtool(&w.s, &fake_ops, &f);
	w.s.eth_period_ns = 0;	/* in every snapshot */
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "veth%u", i);
		tree_iface(&w.t, name, 10 + (int)i, 0, 0, 0, 0, 0);
	}
	world_take(&w, 100);
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "veth%u", i);
		tree_iface(&w.t, name, 10 + (int)i, i + 1, 0, 0, 0, 0);
		f.vals[i] = i == 5 ? 0 : 100 + i;
	}
	for (i = 0; i < MAXCPU; i++)
		w.dropped[i] = i == 7 ? 0 : 1000 - i;
	world_take(&w, 200);

	corr_ok(&w, 110, 190, 0, &c, 100, 200, false);
	/* 12 veths with drops and eth0 with only ethtool ones */
	assert_int_equal(c.nnic, LW_CORR_MAX_NICS);
	assert_int_equal(c.nic_more, 13 - LW_CORR_MAX_NICS);
	for (i = 0; i < LW_CORR_MAX_NICS; i++) {
		snprintf(name, sizeof(name), "veth%u", 11 - i);
		assert_string_equal(c.nic[i].ifname, name);
	}
	assert_int_equal(c.nic_dropped, 12 * 13 / 2);
	assert_int_equal(lw_corr_nicdrops(&c), 12 * 13 / 2 +
			 (MAXCPU - 1) * 1000 - (MAXCPU * (MAXCPU - 1) / 2 - 7));
	/* CPUs: the 16 that dropped most, listed by CPU */
	assert_int_equal(c.nsoftnet, LW_CORR_MAX_CPUS);
	assert_int_equal(c.softnet_more, MAXCPU - 1 - LW_CORR_MAX_CPUS);
	for (i = 0; i + 1 < c.nsoftnet; i++)
		assert_true(c.softnet[i].cpu < c.softnet[i + 1].cpu);
	for (i = 0; i < c.nsoftnet; i++) {
		assert_true(c.softnet[i].cpu != 7);
		assert_true(c.softnet[i].cpu < 17);
	}

	/* eth0 alone: its ethtool counters, largest first */
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "veth%u", i);
		tree_iface_rm(&w.t, name);
	}
	lw_snapshots_free(&w.s);
	assert_int_equal(lw_snapshots_init(&w.s, w.t.root, 8), 0);
	lw_snapshots_set_ethtool(&w.s, &fake_ops, &f);
	w.s.eth_period_ns = 0;
	memset(f.vals, 0, sizeof(f.vals));
	world_take(&w, 300);
	for (i = 0; i < 12; i++)
		f.vals[i] = i == 5 ? 0 : 100 + i;
	world_take(&w, 400);
	corr_ok(&w, 310, 390, 0, &c, 300, 400, false);
	assert_int_equal(c.nnic, 1);
	assert_string_equal(c.nic[0].ifname, "eth0");
	assert_int_equal(c.nic[0].total, 0);
	assert_int_equal(c.nic[0].neth, LW_CORR_MAX_ETH);
	assert_int_equal(c.nic[0].eth_more, 11 - LW_CORR_MAX_ETH);
	assert_string_equal(c.nic[0].eth[0].name, "rx_q11_drops");
	assert_int_equal(c.nic[0].eth[0].delta, 111);
	assert_string_equal(c.nic[0].eth[6].name, "rx_q4_drops");
	assert_string_equal(c.nic[0].eth[7].name, "rx_q3_drops");
	assert_int_equal(c.nic[0].eth[7].delta, 103);
	assert_int_equal(lw_corr_nicdrops(&c), 0);
	world_free(&w);
}

/* ---- JSON ---- */

static char *corr_json(const struct lw_corr *c)
{
	struct capture cap;
	struct jw j;
	char *s;

	cap_open(&cap);
	jw_init(&j, cap.f);
	jw_obj_open(&j);
	lw_corr_json(&j, c);
	jw_obj_close(&j);
	cap_close(&cap);
	if (!json_check(cap.buf, cap.len))
		fail_msg("not valid JSON: %s", cap.buf);
	s = cap.buf;
	return s;
}

static void test_json(void **state)
{
	struct world w;
	struct lw_corr c;
	char *s;

	(void)state;
	world_init(&w, 4, 8);
	w.psi = 100;
	world_take(&w, 1000);
	tree_iface(&w.t, "lo", 1, 922, 0, 0, 0, 0);
	tree_iface(&w.t, "eth0", 2, 5, 9, 7, 8, 9);
	w.dropped[1] = 922;
	w.squeeze[1] = 3;
	w.run_delay[1] = 2500;
	w.pcount[1] = 4;
	w.procs = 2;
	w.psi = 350;
	world_take(&w, 2000);
	corr_ok(&w, 1500, 1600, 1, &c, 1000, 2000, false);
	s = corr_json(&c);
	assert_string_equal(s,
		"{\"correlation\":{\"window\":{\"from_ns\":1000,\"to_ns\":2000},"
		"\"nicdrops\":1847,"
		"\"nic\":[{\"ifname\":\"lo\",\"rx_dropped\":922},"
		"{\"ifname\":\"eth0\",\"rx_missed_errors\":3}],"
		"\"softnet\":[{\"cpu\":1,\"dropped\":922,\"time_squeeze\":3}],"
		"\"runq\":{\"cpu\":1,\"run_delay_ns\":2500,\"timeslices\":4,"
		"\"procs_running\":2,\"procs_running_max\":2,"
		"\"cpus_online\":4,\"psi_some_us\":250}}}");
	free(s);

	/* nothing moved: no "nic", no "softnet"; zeros in runq stay */
	world_take(&w, 3000);
	corr_ok(&w, 2500, 2600, 1, &c, 2000, 3000, false);
	s = corr_json(&c);
	assert_string_equal(s,
		"{\"correlation\":{\"window\":{\"from_ns\":2000,\"to_ns\":3000},"
		"\"runq\":{\"cpu\":1,\"run_delay_ns\":0,\"timeslices\":0,"
		"\"procs_running\":2,\"procs_running_max\":2,"
		"\"cpus_online\":4,\"psi_some_us\":0}}}");
	free(s);

	/* partial */
	corr_ok(&w, 2500, 3500, 1, &c, 2000, 3000, true);
	s = corr_json(&c);
	assert_non_null(strstr(s, "\"window\":{\"from_ns\":2000,"
			       "\"to_ns\":3000,\"partial\":true}"));
	free(s);

	/* steal time, where some was accounted */
	w.steal[3] = 1;
	w.steal[1] = 4;
	world_take(&w, 4000);
	corr_ok(&w, 3500, 3600, 1, &c, 3000, 4000, false);
	s = corr_json(&c);
	assert_non_null(strstr(s, "},\"steal_ns\":40000000,\"runq\":{"));
	free(s);
	world_take(&w, 5000);
	corr_ok(&w, 4500, 4600, 1, &c, 4000, 5000, false);
	s = corr_json(&c);
	assert_non_null(strstr(s, "},\"steal_ns\":0,\"runq\":{"));
	free(s);

	/* no snapshots */
	corr_fails(&w, 6000, 7000, -ENODATA);
	lw_correlate(&w.s, 6000, 7000, 1, &c);
	s = corr_json(&c);
	assert_string_equal(s, "{\"correlation\":{\"available\":false}}");
	free(s);
	world_free(&w);

	/* ethtool counters and the "more" counts */
	memset(&c, 0, sizeof(c));
	c.valid = true;
	c.from_ns = 1;
	c.to_ns = 2;
	c.nnic = 1;
	c.nic_more = 4;
	strcpy(c.nic[0].ifname, "e\"th");
	c.nic[0].neth = 1;
	c.nic[0].eth_more = 2;
	strcpy(c.nic[0].eth[0].name, "rx_missed");
	c.nic[0].eth[0].delta = 7;
	c.nic[0].eth_from_ns = 1;
	c.nic[0].eth_to_ns = 2;
	c.softnet_more = 3;
	s = corr_json(&c);
	assert_string_equal(s,
		"{\"correlation\":{\"window\":{\"from_ns\":1,\"to_ns\":2},"
		"\"nic\":[{\"ifname\":\"e\\\"th\",\"ethtool\":{\"rx_missed\":7},"
		"\"ethtool_more\":2}],\"nic_more\":4,\"softnet_more\":3}}");
	free(s);

	/* driver counters from other snapshots, not all of the window */
	c.nic[0].eth_from_ns = 0;
	c.nic[0].eth_partial = true;
	s = corr_json(&c);
	assert_non_null(strstr(s, "\"ethtool_more\":2,\"ethtool_window\":"
			       "{\"from_ns\":0,\"to_ns\":2,\"partial\":true}}]"));
	free(s);
}

/* ---- verdicts ---- */

static struct lw_event mkev(uint32_t type, uint32_t cpu, uint64_t dur,
			    const char *comm, const char *frame)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.has = LW_EV_TYPE | LW_EV_CPU | LW_EV_DURATION | LW_EV_TS;
	ev.type = type;
	ev.cpu = cpu;
	ev.duration_ns = dur;
	ev.ts_ns = 1795312203123456789ull;
	if (comm) {
		ev.has |= LW_EV_COMM;
		ev.comm.p = comm;
		ev.comm.len = strlen(comm);
	}
	if (frame) {
		ev.has |= LW_EV_STACK;
		ev.nframes = 2;
		ev.frames[0].p = frame;
		ev.frames[0].len = strlen(frame);
		ev.frames[1].p = "seq_read_iter+0x11f/0x4b0";
		ev.frames[1].len = strlen(ev.frames[1].p);
	}
	return ev;
}

static void set_str(struct lw_str *s, const char *v)
{
	s->p = v;
	s->len = strlen(v);
}

static void verdict_is(const struct lw_event *ev, const struct lw_corr *c,
		       const char *want)
{
	char buf[LW_VERDICT_LEN];
	size_t n = lw_verdict(buf, sizeof(buf), ev, c);

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	assert_null(strchr(buf, '\n'));
}

static struct lw_corr quiet(void)
{
	struct lw_corr c;

	memset(&c, 0, sizeof(c));
	c.valid = true;
	c.from_ns = 1;
	c.to_ns = 2;
	c.runq.has = LW_RUNQ_RUN_DELAY | LW_RUNQ_PROCS | LW_RUNQ_NCPUS;
	c.runq.procs_running = c.runq.procs_running_max = 1;
	c.runq.ncpus = 2;
	return c;
}

/* The example from the field, through the snapshots. */
static void test_verdict_softirqoff(void **state)
{
	struct lw_event ev = mkev(LATWATCH_EV_SOFTIRQOFF, 1, 52123456,
				  "lxcfs", "memcg_stat_show+0x5e/0x1f0");
	struct world w;
	struct lw_corr c;

	(void)state;
	world_init(&w, 4, 8);
	world_take(&w, 1000);
	tree_iface(&w.t, "lo", 1, 922, 0, 0, 0, 0);
	w.dropped[1] = 922;
	w.run_delay[1] = 3000000;
	world_take(&w, 2000);
	corr_ok(&w, 1100, 1900, 1, &c, 1000, 2000, false);
	verdict_is(&ev, &c, "softirqs held off 52 ms on CPU 1 by "
		   "memcg_stat_show (lxcfs)" EM_DASH "lo dropped 922 packets "
		   "on CPU 1's backlog in the same window");
	world_free(&w);
}

static void test_verdict_types(void **state)
{
	struct lw_event ev;
	struct lw_corr c;

	(void)state;
	c = quiet();
	ev = mkev(LATWATCH_EV_IRQOFF, 0, 23000000, "swapper/0",
		  "native_safe_halt+0xb/0x10");
	verdict_is(&ev, &c, "interrupts held off 23 ms on CPU 0 by "
		   "native_safe_halt (swapper/0)" EM_DASH "no packet drops or "
		   "run-queue growth in the same window");

	c = quiet();
	c.nsoftnet = 1;
	c.softnet[0].cpu = 1;
	c.softnet[0].time_squeeze = 3;
	c.softnet_squeeze = 3;
	ev = mkev(LATWATCH_EV_SOFTIRQ, 1, 30400000, "iperf3", NULL);
	ev.has |= LW_EV_NAME | LW_EV_VECTOR;
	set_str(&ev.name, "NET_RX");
	ev.vector = 3;
	verdict_is(&ev, &c, "NET_RX softirq ran 30 ms on CPU 1" EM_DASH
		   "NET_RX ran out of budget 3 times on CPU 1 in the same "
		   "window");

	c = quiet();
	c.runq.cpu = 0;
	c.runq.run_delay_ns = 35000000;
	c.runq.procs_running_max = 5;
	ev = mkev(LATWATCH_EV_TIMER, 0, 119000000, "swapper/0", NULL);
	ev.has |= LW_EV_FUNCTION | LW_EV_KIND;
	set_str(&ev.function, "estimation_timer");
	ev.kind = LATWATCH_TIMER_LIST;
	verdict_is(&ev, &c, "timer callback estimation_timer ran 119 ms on "
		   "CPU 0" EM_DASH "tasks waited 35 ms on CPU 0's run queue "
		   "(5 runnable for 2 CPUs) in the same window");
	ev.kind = LATWATCH_TIMER_HRTIMER;
	c = quiet();
	verdict_is(&ev, &c, "hrtimer callback estimation_timer ran 119 ms on "
		   "CPU 0" EM_DASH "no packet drops or run-queue growth in "
		   "the same window");

	c = quiet();
	c.nnic = 1;
	strcpy(c.nic[0].ifname, "eth0");
	c.nic[0].ctr[LW_NIC_RX_MISSED] = 17;
	c.nic[0].total = 17;
	c.nic_dropped = 17;
	ev = mkev(LATWATCH_EV_HARDIRQ, 1, 8000000, NULL, NULL);
	ev.has |= LW_EV_IRQ | LW_EV_NAME;
	ev.irq = 11;
	set_str(&ev.name, "edu");
	verdict_is(&ev, &c, "irq 11 (edu) handler ran 8 ms on CPU 1" EM_DASH
		   "eth0 dropped 17 packets (rx_missed_errors) in the same "
		   "window");

	c = quiet();
	c.partial = true;
	ev = mkev(LATWATCH_EV_HUNG, 1, 12345678901ull, "kworker/1:2",
		  "io_schedule+0x12/0x40");
	ev.has |= LW_EV_PID;
	ev.pid = 123;
	verdict_is(&ev, &c, "task kworker/1:2 (pid 123) blocked 12.3 s in "
		   "io_schedule" EM_DASH "no packet drops or run-queue growth "
		   "in the same window (counters cover only part of it)");

	ev.type = LATWATCH_EV_HUNG_END;
	ev.duration_ns = 14000000000ull;
	verdict_is(&ev, NULL, "task kworker/1:2 (pid 123) ran again after "
		   "14.0 s blocked");
	c.valid = false;
	verdict_is(&ev, &c, "task kworker/1:2 (pid 123) ran again after "
		   "14.0 s blocked" EM_DASH "no counter snapshots around it");

	ev = mkev(LATWATCH_EV_SOFTIRQOFF, 3, 2000000, "ksoftirqd/3", NULL);
	verdict_is(&ev, NULL, "softirqs held off 2 ms on CPU 3 while "
		   "ksoftirqd/3 ran");
	ev = mkev(LATWATCH_EV_IRQOFF, 3, 1500000, NULL, "do_idle+0x1/0x2");
	verdict_is(&ev, NULL, "interrupts held off 1.5 ms on CPU 3 by "
		   "do_idle");
	ev = mkev(99, 2, 5000000, NULL, NULL);
	verdict_is(&ev, NULL, "event of type 99 lasting 5 ms on CPU 2");
}

static void test_verdict_clauses(void **state)
{
	struct lw_event ev = mkev(LATWATCH_EV_IRQOFF, 0, 1500000, "bar",
				  "foo+0x1/0x2 [mod]");
	struct lw_corr c;

	(void)state;
	/* several counters, other interfaces, several backlogs */
	c = quiet();
	c.nnic = 2;
	strcpy(c.nic[0].ifname, "eth0");
	c.nic[0].ctr[LW_NIC_RX_DROPPED] = 3;
	c.nic[0].ctr[LW_NIC_RX_MISSED] = 17;
	c.nic[0].total = 20;
	strcpy(c.nic[1].ifname, "eth1");
	c.nic[1].ctr[LW_NIC_TX_DROPPED] = 5;
	c.nic[1].total = 5;
	c.nic_dropped = 25;
	c.nsoftnet = 2;
	c.softnet[0].cpu = 0;
	c.softnet[0].dropped = 2;
	c.softnet[1].cpu = 1;
	c.softnet[1].dropped = 1;
	c.softnet_dropped = 3;
	verdict_is(&ev, &c, "interrupts held off 1.5 ms on CPU 0 by foo (bar)"
		   EM_DASH "eth0 dropped 20 packets (rx_dropped 3, "
		   "rx_missed_errors 17), 5 more on other interfaces, CPU "
		   "backlogs dropped 3 packets (2 on CPU 0) in the same window");

	/* rx_dropped alone and one backlog: said as one */
	c.nic[0].ctr[LW_NIC_RX_MISSED] = 0;
	c.nic[0].total = 3;
	c.nic_dropped = 3;
	c.nnic = 1;
	c.nsoftnet = 1;
	c.softnet[0].dropped = 1;
	c.softnet_dropped = 1;
	verdict_is(&ev, &c, "interrupts held off 1.5 ms on CPU 0 by foo (bar)"
		   EM_DASH "eth0 dropped 3 packets on CPU 0's backlog in the "
		   "same window");

	/* a backlog alone */
	c.nnic = 0;
	c.nic_dropped = 0;
	verdict_is(&ev, &c, "interrupts held off 1.5 ms on CPU 0 by foo (bar)"
		   EM_DASH "CPU 0's backlog dropped 1 packet in the same "
		   "window");

	/* only driver counters moved */
	c = quiet();
	c.nnic = 1;
	strcpy(c.nic[0].ifname, "eth0");
	c.nic[0].neth = 1;
	strcpy(c.nic[0].eth[0].name, "rx_queue_0_drops");
	c.nic[0].eth[0].delta = 5;
	c.nic[0].eth_from_ns = c.from_ns;
	c.nic[0].eth_to_ns = c.to_ns;
	verdict_is(&ev, &c, "interrupts held off 1.5 ms on CPU 0 by foo (bar)"
		   EM_DASH "eth0 counted 5 rx_queue_0_drops in the same "
		   "window");
	/* read less often than the rest: how far apart they are */
	c.nic[0].eth_from_ns = 0;
	c.nic[0].eth_to_ns = 1000000002;
	verdict_is(&ev, &c, "interrupts held off 1.5 ms on CPU 0 by foo (bar)"
		   EM_DASH "eth0 counted 5 rx_queue_0_drops (driver counters "
		   "read 1.0 s apart) in the same window");

	/* crowded, no schedstat, CPU pressure */
	c = quiet();
	c.runq.has = LW_RUNQ_PROCS | LW_RUNQ_NCPUS | LW_RUNQ_PSI;
	c.runq.procs_running_max = 9;
	c.runq.ncpus = 4;
	c.runq.psi_some_us = 40000;
	verdict_is(&ev, &c, "interrupts held off 1.5 ms on CPU 0 by foo (bar)"
		   EM_DASH "9 tasks runnable for 4 CPUs, tasks waited for a "
		   "CPU during 40 ms (PSI) in the same window");

	/* below the thresholds: nothing to say */
	c = quiet();
	c.runq.run_delay_ns = LW_CORR_RUN_DELAY_NS - 1;
	c.runq.procs_running_max = 2;
	verdict_is(&ev, &c, "interrupts held off 1.5 ms on CPU 0 by foo (bar)"
		   EM_DASH "no packet drops or run-queue growth in the same "
		   "window");
	c.runq.has = LW_RUNQ_PSI;
	c.runq.psi_some_us = LW_CORR_PSI_US - 1;
	verdict_is(&ev, &c, "interrupts held off 1.5 ms on CPU 0 by foo (bar)"
		   EM_DASH "no packet drops or run-queue growth in the same "
		   "window");
}

/* A quiet window of span ns, with steal ns of hypervisor steal on CPU 1. */
static struct lw_corr stolen(uint64_t span, uint64_t steal)
{
	struct lw_corr c = quiet();

	c.from_ns = 1000000000;
	c.to_ns = c.from_ns + span;
	c.runq.cpu = 1;
	c.steal.known = true;
	c.steal.cpu = 1;
	c.steal.ns = steal;
	c.steal.tick_ns = 10000000;
	return c;
}

static void test_verdict_steal(void **state)
{
	struct lw_event ev = mkev(LATWATCH_EV_IRQOFF, 1, 52000000, "bar",
				  "foo+0x1/0x2 [mod]");
	struct lw_corr c;

	(void)state;
	/* a quarter of the event or more: said, but maybe outside it */
	c = stolen(100000000, 20000000);
	verdict_is(&ev, &c, "interrupts held off 52 ms on CPU 1 by foo (bar)"
		   EM_DASH "vCPU 1 was not running for about 20 ms "
		   "(hypervisor steal) in the same window");
	c.runq.run_delay_ns = 35000000;
	verdict_is(&ev, &c, "interrupts held off 52 ms on CPU 1 by foo (bar)"
		   EM_DASH "tasks waited 35 ms on CPU 1's run queue, vCPU 1 "
		   "was not running for about 20 ms (hypervisor steal) in the "
		   "same window");
	ev.duration_ns = 80000000;
	c = stolen(100000000, 20000000);
	verdict_is(&ev, &c, "interrupts held off 80 ms on CPU 1 by foo (bar)"
		   EM_DASH "vCPU 1 was not running for about 20 ms "
		   "(hypervisor steal) in the same window");
	/* less: not said */
	ev.duration_ns = 80000001;
	verdict_is(&ev, &c, "interrupts held off 80 ms on CPU 1 by foo (bar)"
		   EM_DASH "no packet drops or run-queue growth in the same "
		   "window");
	/* unknown or none: not said */
	ev.duration_ns = 52000000;
	c.steal.known = false;
	verdict_is(&ev, &c, "interrupts held off 52 ms on CPU 1 by foo (bar)"
		   EM_DASH "no packet drops or run-queue growth in the same "
		   "window");
	c = stolen(100000000, 0);
	verdict_is(&ev, &c, "interrupts held off 52 ms on CPU 1 by foo (bar)"
		   EM_DASH "no packet drops or run-queue growth in the same "
		   "window");

	/*
	 * Half of the event at least was stolen: 260 ms less a tick, less
	 * the 100 ms of the span outside the event, leaves 150 ms of 300.
	 */
	ev.duration_ns = 300000000;
	c = stolen(400000000, 260000000);
	verdict_is(&ev, &c, "vCPU 1 was not running for about 260 ms "
		   "(hypervisor steal): interrupts held off 300 ms on CPU 1 by "
		   "foo (bar)" EM_DASH "no packet drops or run-queue growth in "
		   "the same window");
	c.nsoftnet = 1;
	c.softnet[0].cpu = 1;
	c.softnet[0].dropped = 4;
	c.softnet_dropped = 4;
	verdict_is(&ev, &c, "vCPU 1 was not running for about 260 ms "
		   "(hypervisor steal): interrupts held off 300 ms on CPU 1 by "
		   "foo (bar)" EM_DASH "CPU 1's backlog dropped 4 packets in "
		   "the same window");
	/* one tick less may be less than half: said after */
	c = stolen(400000000, 250000000);
	verdict_is(&ev, &c, "interrupts held off 300 ms on CPU 1 by foo (bar)"
		   EM_DASH "vCPU 1 was not running for about 250 ms "
		   "(hypervisor steal) in the same window");
	/* all of it, but the snapshots do not cover the event */
	c = stolen(400000000, 400000000);
	c.partial = true;
	verdict_is(&ev, &c, "interrupts held off 300 ms on CPU 1 by foo (bar)"
		   EM_DASH "vCPU 1 was not running for about 400 ms "
		   "(hypervisor steal) in the same window (counters cover only "
		   "part of it)");
	/* a short event in a long span: can have been anywhere in it */
	ev.duration_ns = 5000000;
	c = stolen(100000000, 90000000);
	verdict_is(&ev, &c, "interrupts held off 5 ms on CPU 1 by foo (bar)"
		   EM_DASH "vCPU 1 was not running for about 90 ms "
		   "(hypervisor steal) in the same window");
	/* all of the span: then all of the event too */
	c = stolen(100000000, 110000000);
	verdict_is(&ev, &c, "vCPU 1 was not running for about 110 ms "
		   "(hypervisor steal): interrupts held off 5 ms on CPU 1 by "
		   "foo (bar)" EM_DASH "no packet drops or run-queue growth in "
		   "the same window");
	/* without a duration there is nothing to weigh it against */
	ev.has &= ~LW_EV_DURATION;
	verdict_is(&ev, &c, "interrupts held off on CPU 1 by foo (bar)"
		   EM_DASH "no packet drops or run-queue growth in the same "
		   "window");
}

/* Kernel strings are made printable; a cut never splits a character. */
static void test_verdict_cut(void **state)
{
	struct lw_event ev = mkev(LATWATCH_EV_IRQOFF, 0, 23000000,
				  "caf\xc3\xa9\n\x01x", "f\xffn+0x1/0x2");
	const char *full = "interrupts held off 23 ms on CPU 0 by f?n "
			   "(caf\xc3\xa9??x)";
	char buf[LW_VERDICT_LEN];
	size_t n, cut;

	(void)state;
	verdict_is(&ev, NULL, full);
	/* "... (caf" then the two bytes of é */
	cut = strstr(full, "\xc3\xa9") - full;
	memset(buf, 'Z', sizeof(buf));
	n = lw_verdict(buf, cut + 2, &ev, NULL);
	assert_int_equal(n, strlen(full));
	assert_int_equal(strlen(buf), cut);
	assert_memory_equal(buf, full, cut);
	n = lw_verdict(buf, cut + 3, &ev, NULL);
	assert_int_equal(strlen(buf), cut + 2);
	assert_memory_equal(buf, full, cut + 2);
	n = lw_verdict(buf, 1, &ev, NULL);
	assert_string_equal(buf, "");
	assert_int_equal(n, strlen(full));
	buf[0] = 'Z';
	n = lw_verdict(buf, 0, &ev, NULL);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(n, strlen(full));
}

static void dur_is(uint64_t ns, const char *want)
{
	char buf[32];

	lw_fmt_dur(buf, sizeof(buf), ns);
	if (strcmp(buf, want))
		fail_msg("%llu ns: got '%s', want '%s'", (unsigned long long)ns,
			 buf, want);
}

static void test_fmt_dur(void **state)
{
	(void)state;
	dur_is(0, "0 us");
	dur_is(499, "0 us");
	dur_is(350000, "350 us");
	dur_is(999499, "999 us");
	dur_is(999500, "1 ms");
	dur_is(1000000, "1 ms");
	dur_is(1049999, "1 ms");
	dur_is(1050000, "1.1 ms");
	dur_is(8240000, "8.2 ms");
	dur_is(8000000, "8 ms");
	dur_is(9949999, "9.9 ms");
	dur_is(9950000, "10 ms");
	dur_is(52400000, "52 ms");
	dur_is(119000000, "119 ms");
	dur_is(999499999, "999 ms");
	dur_is(999500000, "1.0 s");
	dur_is(12345678901ull, "12.3 s");
	dur_is(14000000000ull, "14.0 s");
	dur_is(3600000000000ull, "3600.0 s");
}

/* ---- driver counters read less often ---- */

#define MS	(1000ull * 1000)

/* From 1 s on, a snapshot every 100 ms, up to k. */
static void world_run(struct world *w, unsigned int *k, unsigned int to)
{
	for (; *k <= to; (*k)++)
		world_take(w, 1000 * MS + *k * 100 * MS);
}

/* The driver counters in fewer snapshots than the rest. */
static void test_eth_sparse(void **state)
{
	char buf[LW_VERDICT_LEN];
	struct fake_eth f;
	struct world w;
	struct lw_corr c;
	struct lw_event ev;
	unsigned int k = 0;
	char *s;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.n = 2;
	strcpy(f.names[0], "rx_q0_drops");
	strcpy(f.names[1], "rx_bytes");
	world_init(&w, 2, 64);
	lw_snapshots_set_ethtool(&w.s, &fake_ops, &f);
	/* read at 1.0, 2.0, 3.0 s; the driver drops between 1.2 and 1.3 s */
	world_run(&w, &k, 2);
	f.vals[0] = 40;
	world_run(&w, &k, 15);
	f.vals[0] = 45;
	world_run(&w, &k, 25);

	/* the window's snapshots are 1.2 and 1.4 s, the driver's 1 and 2 s */
	corr_ok(&w, 1250 * MS, 1350 * MS, 0, &c, 1200 * MS, 1400 * MS, false);
	assert_int_equal(c.nnic, 1);
	assert_string_equal(c.nic[0].ifname, "eth0");
	assert_int_equal(c.nic[0].total, 0);
	assert_int_equal(c.nic[0].neth, 1);
	assert_int_equal(c.nic[0].eth[0].delta, 40);
	assert_true(c.nic[0].eth_from_ns == 1000 * MS);
	assert_true(c.nic[0].eth_to_ns == 2000 * MS);
	assert_false(c.nic[0].eth_partial);
	s = corr_json(&c);
	assert_non_null(strstr(s, "\"ethtool\":{\"rx_q0_drops\":40},"
			       "\"ethtool_window\":{\"from_ns\":1000000000,"
			       "\"to_ns\":2000000000}}]"));
	free(s);
	ev = mkev(LATWATCH_EV_IRQOFF, 0, 100 * MS, NULL, NULL);
	lw_verdict(buf, sizeof(buf), &ev, &c);
	assert_non_null(strstr(buf, "eth0 counted 40 rx_q0_drops (driver "
			       "counters read 1.0 s apart) in the same window"));

	/* no reading after the end yet (3.5 s is the last): partial */
	corr_ok(&w, 2950 * MS, 3050 * MS, 0, &c, 2900 * MS, 3100 * MS, false);
	assert_int_equal(c.nic[0].eth[0].delta, 5);
	assert_true(c.nic[0].eth_from_ns == 2000 * MS);
	assert_true(c.nic[0].eth_to_ns == 3000 * MS);
	assert_true(c.nic[0].eth_partial);
	s = corr_json(&c);
	assert_non_null(strstr(s, "\"ethtool_window\":{\"from_ns\":2000000000,"
			       "\"to_ns\":3000000000,\"partial\":true}"));
	assert_non_null(strstr(s, "\"window\":{\"from_ns\":2900000000,"
			       "\"to_ns\":3100000000}"));
	free(s);

	/* around an event, read at every snapshot: the window's own */
	f.vals[0] = 50;
	lw_snapshots_eth_burst(&w.s, 3650 * MS);
	world_run(&w, &k, 26);
	f.vals[0] = 53;
	lw_snapshots_eth_burst(&w.s, 3750 * MS);
	world_run(&w, &k, 27);
	corr_ok(&w, 3620 * MS, 3680 * MS, 0, &c, 3600 * MS, 3700 * MS, false);
	assert_int_equal(c.nic[0].eth[0].delta, 3);
	assert_true(c.nic[0].eth_from_ns == c.from_ns);
	assert_true(c.nic[0].eth_to_ns == c.to_ns);
	s = corr_json(&c);
	assert_null(strstr(s, "ethtool_window"));
	free(s);

	/* readings further than LW_CORR_ETH_REACH_NS are not used */
	w.s.eth_period_ns = 100000 * MS;
	f.vals[0] = 60;
	world_run(&w, &k, 56);	/* one more reading at 4 s, then none */
	corr_ok(&w, 6550 * MS, 6580 * MS, 0, &c, 6500 * MS, 6600 * MS, false);
	assert_int_equal(c.nnic, 0);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_runq),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_eth_sparse),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_verdict_softirqoff),
		cmocka_unit_test(test_verdict_types),
		cmocka_unit_test(test_verdict_clauses),
		cmocka_unit_test(test_verdict_steal),
		cmocka_unit_test(test_verdict_cut),
		cmocka_unit_test(test_fmt_dur),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
