// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>

#include "testutil.h"
#include "fixtures/snapshots/tree.h"
#include "fixtures/snapshots/sample.h"
#include "source/snapshots.h"

/* ---- parsers ---- */

static void test_parse_softnet(void **state)
{
	uint64_t d = 0, q = 0;
	int64_t cpu = 0;

	(void)state;
	/* Linux 6.x: 15 columns, CPU in the 13th */
	assert_true(lw_parse_softnet("00019eba 0000039a 00000003 00000000 "
				     "00000000 00000000 00000000 00000000 "
				     "00000000 00000000 00000000 00000000 "
				     "00000011 00000000 00000000\n",
				     &d, &q, &cpu));
	assert_int_equal(d, 922);
	assert_int_equal(q, 3);
	assert_int_equal(cpu, 17);
	/* Linux 5.10..6.x: 13 columns */
	assert_true(lw_parse_softnet("00000ed1 00000001 00000002 00000000 "
				     "00000000 00000000 00000000 00000000 "
				     "00000000 00000000 00000000 00000000 "
				     "00000002", &d, &q, &cpu));
	assert_int_equal(d, 1);
	assert_int_equal(q, 2);
	assert_int_equal(cpu, 2);
	/* before 5.10: 11 columns, no CPU */
	assert_true(lw_parse_softnet("0000a000 000000ff 0000000A 00000000 "
				     "00000000 00000000 00000000 00000000 "
				     "00000000 00000000 00000000\n",
				     &d, &q, &cpu));
	assert_int_equal(d, 255);
	assert_int_equal(q, 10);
	assert_int_equal(cpu, -1);
	/* bad rows */
	assert_false(lw_parse_softnet("", &d, &q, &cpu));
	assert_false(lw_parse_softnet("\n", &d, &q, &cpu));
	assert_false(lw_parse_softnet("00000001 00000002\n", &d, &q, &cpu));
	assert_false(lw_parse_softnet("00000001 0000zz02 00000003\n",
				      &d, &q, &cpu));
	assert_false(lw_parse_softnet("00000001 -0000002 00000003\n",
				      &d, &q, &cpu));
	assert_false(lw_parse_softnet("1 2 11111111111111111 3\n",
				      &d, &q, &cpu));
	assert_false(lw_parse_softnet("1 2 3 4 5 6 7 8 9 10 11 12 "
				      "ffffffff\n", &d, &q, &cpu));
}

static void test_parse_schedstat(void **state)
{
	uint64_t rd = 0, pc = 0;
	uint32_t cpu = 0;

	(void)state;
	assert_true(lw_parse_schedstat_cpu("cpu3 0 0 1234 567 890 12 "
					   "99999999 88888888 7777\n", 15,
					   &cpu, &rd, &pc));
	assert_int_equal(cpu, 3);
	assert_int_equal(rd, 88888888);
	assert_int_equal(pc, 7777);
	/* no version line seen: as 15 */
	assert_true(lw_parse_schedstat_cpu("cpu12 1 0 2 3 4 5 6 7 8", 0,
					   &cpu, &rd, &pc));
	assert_int_equal(cpu, 12);
	assert_int_equal(rd, 7);
	assert_int_equal(pc, 8);
	/* version 17 may add fields: still the 8th and 9th */
	assert_true(lw_parse_schedstat_cpu("cpu0 1 0 2 3 4 5 6 7 8 9 10\n", 17,
					   &cpu, &rd, &pc));
	assert_int_equal(rd, 7);
	assert_int_equal(pc, 8);
	/* version 14: three more yield counters in front */
	assert_true(lw_parse_schedstat_cpu("cpu1 0 0 0 1 2 3 4 5 6 7 111 "
					   "222\n", 14, &cpu, &rd, &pc));
	assert_int_equal(cpu, 1);
	assert_int_equal(rd, 111);
	assert_int_equal(pc, 222);
	/* not cpu lines, or bad ones */
	assert_false(lw_parse_schedstat_cpu("version 15\n", 15, &cpu, &rd,
					    &pc));
	assert_false(lw_parse_schedstat_cpu("timestamp 4295011005\n", 15,
					    &cpu, &rd, &pc));
	assert_false(lw_parse_schedstat_cpu("domain0 00000003 1 2 3 4 5 6 7 "
					    "8 9\n", 15, &cpu, &rd, &pc));
	assert_false(lw_parse_schedstat_cpu("cpu 1 2 3 4 5 6 7 8 9\n", 15,
					    &cpu, &rd, &pc));
	assert_false(lw_parse_schedstat_cpu("cpu1 1 2 3 4 5 6 7 8\n", 15,
					    &cpu, &rd, &pc));
	assert_false(lw_parse_schedstat_cpu("cpu1 1 2 3 4 5 6 7 x 9\n", 15,
					    &cpu, &rd, &pc));
	assert_false(lw_parse_schedstat_cpu("cpu1 1 2 3 4 5 6 7 8 9 junk\n",
					    15, &cpu, &rd, &pc));
	assert_false(lw_parse_schedstat_cpu("cpu1 1 2 3 4 5 6 7 "
					    "99999999999999999999 9\n", 15,
					    &cpu, &rd, &pc));
	assert_false(lw_parse_schedstat_cpu("cpu1 0 0 0 1 2 3 4 5 6 7 111\n",
					    14, &cpu, &rd, &pc));
	assert_false(lw_parse_schedstat_cpu("cpu1 1 2 3 4 5 6 7 8 9\n", 13,
					    &cpu, &rd, &pc));
}

static void stat_is(const char *line, int64_t want_cpu, uint64_t want)
{
	uint64_t steal = 0;
	int64_t cpu = 0;

	if (!lw_parse_stat_cpu(line, &cpu, &steal))
		fail_msg("refused: %s", line);
	assert_int_equal(cpu, want_cpu);
	assert_int_equal(steal, want);
}

static void test_parse_stat(void **state)
{
	static const char *const bad[] = {
		"", "\n", "cpu\n", "cpu0\n", "cpu0 \n",
		/* before 2.6.11: no steal column */
		"cpu0 1 2 3 4 5 6 7\n", "cpu  1 2 3 4\n",
		"intr 1 2 3 4 5 6 7 8 9\n", "cpux 1 2 3 4 5 6 7 8\n",
		"cpu-1 1 2 3 4 5 6 7 8\n", "cpu0 1 2 3 4 5 6 7 -8\n",
		"cpu0 1 2 3 4 5 6 7 8x\n", "cpu0 1 2 3 4 5 6 7 8 junk\n",
		"cpu0 1 2 3 4 5 6 7 99999999999999999999\n",
		"cpu2147483648 1 2 3 4 5 6 7 8\n", "CPU0 1 2 3 4 5 6 7 8\n",
		"cpu0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 "
		"22 23 24 25 26 27 28 29 30 31 32 33\n",
	};
	uint64_t steal;
	int64_t cpu;
	unsigned int i;

	(void)state;
	/* Linux 2.6.33 on: 10 values, steal the 8th */
	stat_is("cpu1 808700 5959 99917 1431911 2852 0 1653 336 0 0\n", 1,
		336);
	/* all CPUs */
	stat_is("cpu  1550566 9797 185056 2947619 3540 0 2176 646 0 0\n",
		-1, 646);
	/* 2.6.11: steal is the last; a newer kernel may add values */
	stat_is("cpu12 1 2 3 4 5 6 7 8", 12, 8);
	stat_is("cpu0\t1 2 3 4 5 6 7 18446744073709551615 9 10 11 12\n", 0,
		UINT64_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lw_parse_stat_cpu(bad[i], &cpu, &steal))
			fail_msg("accepted: %s", bad[i]);
}

static void ticks_are(uint64_t ticks, unsigned int hz, uint64_t want)
{
	uint64_t ns = 0;

	if (!lw_ticks_ns(ticks, hz, &ns) || ns != want)
		fail_msg("%llu ticks at %u Hz: %llu ns, want %llu",
			 (unsigned long long)ticks, hz, (unsigned long long)ns,
			 (unsigned long long)want);
}

static void test_ticks_ns(void **state)
{
	uint64_t ns;

	(void)state;
	ticks_are(0, 100, 0);
	ticks_are(336, 100, 3360000000ull);
	ticks_are(1, 1024, 976562);
	ticks_are(1025, 1024, 1000976562);
	ticks_are(1844674407300ull, 100, 18446744073000000000ull);
	assert_false(lw_ticks_ns(1844674407400ull, 100, &ns));
	assert_false(lw_ticks_ns(UINT64_MAX, 100, &ns));
	assert_false(lw_ticks_ns(1, 0, &ns));
}

struct cpus {
	uint32_t cpu[16];
	unsigned int n;
};

static void add_cpu(void *arg, uint32_t cpu)
{
	struct cpus *c = arg;

	assert_true(c->n < 16);
	c->cpu[c->n++] = cpu;
}

static void test_parse_cpulist(void **state)
{
	struct cpus c = { .n = 0 };

	(void)state;
	assert_true(lw_parse_cpulist("0-3,5,7-8\n", add_cpu, &c));
	assert_int_equal(c.n, 7);
	assert_int_equal(c.cpu[0], 0);
	assert_int_equal(c.cpu[3], 3);
	assert_int_equal(c.cpu[4], 5);
	assert_int_equal(c.cpu[5], 7);
	assert_int_equal(c.cpu[6], 8);
	c.n = 0;
	assert_true(lw_parse_cpulist("\n", add_cpu, &c));
	assert_int_equal(c.n, 0);
	assert_true(lw_parse_cpulist("2", add_cpu, &c));
	assert_int_equal(c.n, 1);
	assert_int_equal(c.cpu[0], 2);
	assert_false(lw_parse_cpulist("3-1\n", NULL, NULL));
	assert_false(lw_parse_cpulist("0-\n", NULL, NULL));
	assert_false(lw_parse_cpulist("0,,1\n", NULL, NULL));
	assert_false(lw_parse_cpulist("a\n", NULL, NULL));
	assert_false(lw_parse_cpulist("0-1 x\n", NULL, NULL));
	assert_false(lw_parse_cpulist("0-99999999\n", NULL, NULL));
}

static void test_eth_selected(void **state)
{
	static const char *const yes[] = {
		"rx_dropped", "rx_missed_errors", "rx_queue_0_drops",
		"rx_discards_phy", "rx_fifo_errors", "rx_over_errors",
		"rx_fifo_overflow", "overrun", "rx_no_buffer_count",
		"rx_nobuf", "tx_squeezed", "RX_DROPPED", "rx_Missed",
		"tx_dropped_link_down",
	};
	static const char *const no[] = {
		"rx_packets", "tx_bytes", "tx_recover", "rx_xdp_drop",
		"rx_queue_0_xdp_drops", "XDP_DROP", "rx_csum_complete",
		"rx_crc_errors", "",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!lw_eth_name_selected(yes[i]))
			fail_msg("%s not selected", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (lw_eth_name_selected(no[i]))
			fail_msg("%s selected", no[i]);
}

/* ---- samples of a fake system ---- */

static void test_take_all(void **state)
{
	struct lw_snapshots s;
	const struct lw_snap *snap;
	struct tree t;

	(void)state;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 10), 0);
	assert_int_equal(lw_snapshots_history(&s), 10);
	assert_int_equal(lw_snapshots_count(&s), 0);
	assert_null(lw_snapshots_at(&s, 0, NULL));
	take(&s, 1000);
	assert_int_equal(lw_snapshots_count(&s), 1);
	snap = lw_snapshots_at(&s, 0, NULL);
	assert_non_null(snap);
	assert_int_equal(snap->seq, 1);
	assert_int_equal(snap->real_ns, 1000);
	assert_int_equal(snap->mono_ns, 1007);

	assert_int_equal(get_if(&s, 0, "lo", "rx_dropped"), 0);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped"), 5);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_missed_errors"), 6);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_fifo_errors"), 7);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_over_errors"), 8);
	assert_int_equal(get_if(&s, 0, "eth0", "tx_dropped"), 9);
	assert_int_equal(get_cpu(&s, 0, 2, LW_CPU_RUN_DELAY), 300);
	assert_int_equal(get_cpu(&s, 0, 3, LW_CPU_PCOUNT), 40);
	assert_int_equal(get_cpu(&s, 0, 1, LW_CPU_DROPPED), 0);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PROCS_RUNNING), 3);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PSI_SOME), 1000);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_NCPUS), NCPU);

	/* the counters move */
	tree_iface(&t, "eth0", 2, 15, 6, 7, 8, 10);
	{
		const uint32_t dropped[NCPU] = { 0, 922, 0, 1 };
		const uint32_t squeeze[NCPU] = { 0, 3, 0, 0 };

		put_softnet(&t, NCPU, dropped, squeeze);
	}
	take(&s, 2000);
	assert_int_equal(lw_snapshots_count(&s), 2);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped"), 15);
	assert_int_equal(get_if(&s, 1, "eth0", "rx_dropped"), 5);
	assert_int_equal(get_cpu(&s, 0, 1, LW_CPU_DROPPED), 922);
	assert_int_equal(get_cpu(&s, 0, 1, LW_CPU_SQUEEZE), 3);
	assert_int_equal(get_cpu(&s, 0, 3, LW_CPU_DROPPED), 1);
	assert_int_equal(lw_snapshots_skipped(&s), 0);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* Rows without the CPU column are the online CPUs in order. */
static void test_softnet_offline(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	uint64_t v;

	(void)state;
	base_tree(&t);
	tree_put(&t, "sys/devices/system/cpu/online", "0,2-3\n");
	tree_put(&t, "proc/net/softnet_stat",
		 "00000001 0000000a 00000001 00000000 00000000 00000000 "
		 "00000000 00000000 00000000 00000000 00000000\n"
		 "00000001 0000000b 00000002 00000000 00000000 00000000 "
		 "00000000 00000000 00000000 00000000 00000000\n"
		 "00000001 0000000c 00000003 00000000 00000000 00000000 "
		 "00000000 00000000 00000000 00000000 00000000\n");
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	take(&s, 1);
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_DROPPED), 10);
	assert_false(lw_snapshots_get_cpu(&s, 0, 1, LW_CPU_DROPPED, &v));
	assert_int_equal(get_cpu(&s, 0, 2, LW_CPU_DROPPED), 11);
	assert_int_equal(get_cpu(&s, 0, 3, LW_CPU_DROPPED), 12);
	assert_int_equal(get_cpu(&s, 0, 3, LW_CPU_SQUEEZE), 3);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_NCPUS), 3);

	/* with the CPU column, the rows say which CPU they are */
	tree_put(&t, "proc/net/softnet_stat",
		 "00000001 00000014 00000001 00000000 00000000 00000000 "
		 "00000000 00000000 00000000 00000000 00000000 00000000 "
		 "00000000\n"
		 "00000001 00000015 00000002 00000000 00000000 00000000 "
		 "00000000 00000000 00000000 00000000 00000000 00000000 "
		 "00000003\n");
	take(&s, 2);
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_DROPPED), 20);
	assert_int_equal(get_cpu(&s, 0, 3, LW_CPU_DROPPED), 21);
	assert_false(lw_snapshots_get_cpu(&s, 0, 2, LW_CPU_DROPPED, &v));

	/* no online list: row i is CPU i; a bad row still takes its place */
	tree_rm(&t, "sys/devices/system/cpu/online");
	tree_put(&t, "proc/net/softnet_stat",
		 "00000001 0000001e 00000001 0 0 0 0 0 0 0 0\n"
		 "garbage\n"
		 "00000001 00000020 00000001 0 0 0 0 0 0 0 0\n");
	take(&s, 3);
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_DROPPED), 30);
	assert_false(lw_snapshots_get_cpu(&s, 0, 1, LW_CPU_DROPPED, &v));
	assert_int_equal(get_cpu(&s, 0, 2, LW_CPU_DROPPED), 32);
	assert_false(lw_snapshots_get_glob(&s, 0, LW_GLOB_NCPUS, &v));
	lw_snapshots_free(&s);
	tree_free(&t);
}

static void test_schedstat_file(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	uint64_t v;

	(void)state;
	base_tree(&t);
	tree_put(&t, "proc/schedstat",
		 "version 17\n"
		 "timestamp 4295011005\n"
		 "cpu0 0 0 1 2 3 4 5 6000 7\n"
		 "domain0 MC 00000003 1 2 3 4 5 6 7 8 9 10 11 12 13 14\n"
		 "domain1 PKG 0000000f 1 2 3 4 5 6 7 8 9 10 11 12 13 14\n"
		 "cpu1 0 0 1 2 3\n"
		 "cpu2 0 0 1 2 3 4 5 8000 9\n"
		 "cpu9999 0 0 1 2 3 4 5 8000 9\n");
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	take(&s, 1);
	assert_int_equal(s.schedstat_version, 17);
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_RUN_DELAY), 6000);
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_PCOUNT), 7);
	assert_false(lw_snapshots_get_cpu(&s, 0, 1, LW_CPU_RUN_DELAY, &v));
	assert_int_equal(get_cpu(&s, 0, 2, LW_CPU_RUN_DELAY), 8000);
	assert_false(lw_snapshots_get_cpu(&s, 0, 3, LW_CPU_RUN_DELAY, &v));
	assert_false(lw_snapshots_get_cpu(&s, 0, 9999, LW_CPU_RUN_DELAY, &v));

	/* a layout it does not know is not read */
	tree_put(&t, "proc/schedstat", "version 12\n"
		 "cpu0 0 0 1 2 3 4 5 6000 7 8 9 10\n");
	take(&s, 2);
	assert_false(lw_snapshots_get_cpu(&s, 0, 0, LW_CPU_RUN_DELAY, &v));

	/* and no schedstat at all (no CONFIG_SCHED_INFO) */
	tree_rm(&t, "proc/schedstat");
	take(&s, 3);
	assert_false(lw_snapshots_get_cpu(&s, 0, 0, LW_CPU_RUN_DELAY, &v));
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_DROPPED), 0);
	lw_snapshots_free(&s);
	tree_free(&t);
}

static void test_procs_psi(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	uint64_t v;

	(void)state;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);

	/* no loadavg: /proc/stat */
	tree_rm(&t, "proc/loadavg");
	tree_put(&t, "proc/stat", "cpu  1 2 3 4 5 6 7 0 0 0\n"
		 "intr 12345 0 0\nctxt 999\nprocs_running 7\n"
		 "procs_blocked 1\n");
	tree_rm(&t, "proc/pressure/cpu");
	take(&s, 1);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PROCS_RUNNING), 7);
	assert_false(lw_snapshots_get_glob(&s, 0, LW_GLOB_PSI_SOME, &v));

	/* bad files give nothing */
	tree_put(&t, "proc/loadavg", "0.10 0.20 0.30 x/120 4567\n");
	tree_put(&t, "proc/stat", "procs_running many\n");
	tree_put(&t, "proc/pressure/cpu",
		 "some avg10=0.00 avg60=0.00 avg300=0.00\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n");
	take(&s, 2);
	assert_false(lw_snapshots_get_glob(&s, 0, LW_GLOB_PROCS_RUNNING, &v));
	assert_false(lw_snapshots_get_glob(&s, 0, LW_GLOB_PSI_SOME, &v));
	tree_put(&t, "proc/pressure/cpu", "some avg10=0.00 total=12x\n");
	take(&s, 3);
	assert_false(lw_snapshots_get_glob(&s, 0, LW_GLOB_PSI_SOME, &v));

	tree_put(&t, "proc/loadavg", "1.00 0.50 0.25 12/300 4567\n");
	tree_put(&t, "proc/pressure/cpu",
		 "some avg10=1.00 avg60=0.50 avg300=0.10 total=424242\n");
	take(&s, 4);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PROCS_RUNNING), 12);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PSI_SOME), 424242);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* /proc/stat: the steal time of each CPU and of all, in ns. */
static void test_stat_file(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	uint64_t v;

	(void)state;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 8), 0);
	s.user_hz = 100;
	tree_put(&t, "proc/stat",
		 "cpu  10 0 10 100 0 0 0 7 0 0\n"
		 "cpu0 1 0 1 10 0 0 0 1 0 0\n"
		 "cpu1 1 0 1 10 0 0 0 2 0 0\n"
		 "cpu2 1 0 1 10 0 0 0 4 0 0\n"
		 "cpu3 1 0 1 10 0 0 0 0 0 0\n"
		 "intr 999 1 2 3\nctxt 5\nprocs_running 9\n");
	take(&s, 1);
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_STEAL), 10000000);
	assert_int_equal(get_cpu(&s, 0, 1, LW_CPU_STEAL), 20000000);
	assert_int_equal(get_cpu(&s, 0, 2, LW_CPU_STEAL), 40000000);
	assert_int_equal(get_cpu(&s, 0, 3, LW_CPU_STEAL), 0);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_STEAL), 70000000);
	/* loadavg has it: the rest of /proc/stat is not read */
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PROCS_RUNNING), 3);

	/* CPU 2 offline (no line), CPU 3's line bad, one beyond ncpu */
	tree_put(&t, "proc/stat",
		 "cpu  10 0 10 100 0 0 0 9 0 0\n"
		 "cpu0 1 0 1 10 0 0 0 1 0 0\n"
		 "cpu1 1 0 1 10 0 0 0 5 0 0\n"
		 "cpu3 1 0 1 10 0 0 x 0 0 0\n"
		 "cpu9 1 0 1 10 0 0 0 3 0 0\n"
		 "intr 999 1 2 3\n");
	take(&s, 2);
	assert_int_equal(get_cpu(&s, 0, 1, LW_CPU_STEAL), 50000000);
	assert_false(lw_snapshots_get_cpu(&s, 0, 2, LW_CPU_STEAL, &v));
	assert_false(lw_snapshots_get_cpu(&s, 0, 3, LW_CPU_STEAL, &v));
	assert_false(lw_snapshots_get_cpu(&s, 0, 9, LW_CPU_STEAL, &v));
	assert_int_equal(get_glob(&s, 0, LW_GLOB_STEAL), 90000000);

	/* a kernel older than 2.6.11: no steal column, no steal time */
	tree_put(&t, "proc/stat", "cpu  10 0 10 100 0 0 0\n"
		 "cpu0 1 0 1 10 0 0 0\ncpu1 1 0 1 10 0 0 0\n");
	take(&s, 3);
	assert_false(lw_snapshots_get_cpu(&s, 0, 0, LW_CPU_STEAL, &v));
	assert_false(lw_snapshots_get_glob(&s, 0, LW_GLOB_STEAL, &v));
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_RUN_DELAY), 100);

	/* no loadavg: procs_running from the same read */
	tree_rm(&t, "proc/loadavg");
	tree_put(&t, "proc/stat", "cpu  10 0 10 100 0 0 0 9 0 0\n"
		 "cpu0 1 0 1 10 0 0 0 2 0 0\n"
		 "intr 999 1 2 3\nctxt 5\nprocs_running 9\n");
	take(&s, 4);
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_STEAL), 20000000);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PROCS_RUNNING), 9);

	/* without USER_HZ, no steal time */
	s.user_hz = 0;
	take(&s, 5);
	assert_false(lw_snapshots_get_cpu(&s, 0, 0, LW_CPU_STEAL, &v));
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PROCS_RUNNING), 9);

	/* and no /proc/stat at all */
	s.user_hz = 100;
	tree_rm(&t, "proc/stat");
	take(&s, 6);
	assert_false(lw_snapshots_get_glob(&s, 0, LW_GLOB_STEAL, &v));
	lw_snapshots_free(&s);
	tree_free(&t);
}

static void test_bad_counters(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	uint64_t v;

	(void)state;
	base_tree(&t);
	tree_put(&t, "sys/class/net/eth0/statistics/rx_dropped", "abc\n");
	tree_put(&t, "sys/class/net/eth0/statistics/tx_dropped", "12 13\n");
	tree_rm(&t, "sys/class/net/eth0/statistics/rx_fifo_errors");
	tree_put(&t, "sys/class/net/bonding_masters", "bond0\n");
	tree_put(&t, "sys/class/net/noindex/statistics/rx_dropped", "3\n");
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	take(&s, 1);
	assert_false(lw_snapshots_get_if(&s, 0, "eth0", "rx_dropped", &v));
	assert_false(lw_snapshots_get_if(&s, 0, "eth0", "tx_dropped", &v));
	assert_false(lw_snapshots_get_if(&s, 0, "eth0", "rx_fifo_errors", &v));
	assert_int_equal(get_if(&s, 0, "eth0", "rx_missed_errors"), 6);
	assert_false(lw_snapshots_get_if(&s, 0, "bonding_masters",
					 "rx_dropped", &v));
	assert_false(lw_snapshots_get_if(&s, 0, "noindex", "rx_dropped", &v));
	assert_false(lw_snapshots_get_if(&s, 0, "eth0", "rx_packets", &v));
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* A root with nothing in it: nothing stored. */
static void test_nothing(void **state)
{
	struct lw_snapshots s;
	struct tree t;

	(void)state;
	tree_init(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	assert_int_equal(lw_snapshots_take(&s, 1, 1), -ENODATA);
	assert_int_equal(lw_snapshots_count(&s), 0);
	lw_snapshots_free(&s);
	assert_int_equal(lw_snapshots_init(&s, t.root, 1), -EINVAL);
	lw_snapshots_free(&s);
	assert_int_equal(lw_snapshots_init(&s, t.root, 0), -EINVAL);
	lw_snapshots_free(&s);
	tree_free(&t);
}

static void test_ring(void **state)
{
	const struct lw_snap *snap;
	struct lw_snapshots s;
	struct tree t;
	unsigned int i;
	uint64_t v;

	(void)state;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 3), 0);
	tree_iface(&t, "veth1", 7, 1, 0, 0, 0, 0);
	take(&s, 100);
	tree_iface_rm(&t, "veth1");
	for (i = 2; i <= 5; i++) {
		tree_iface(&t, "eth0", 2, i, 0, 0, 0, 0);
		take(&s, i * 100);
	}
	assert_int_equal(lw_snapshots_count(&s), 3);
	for (i = 0; i < 3; i++) {
		snap = lw_snapshots_at(&s, i, NULL);
		assert_non_null(snap);
		assert_int_equal(snap->real_ns, (5 - i) * 100);
		assert_int_equal(snap->seq, 5 - i);
		assert_int_equal(get_if(&s, i, "eth0", "rx_dropped"), 5 - i);
	}
	assert_null(lw_snapshots_at(&s, 3, NULL));
	/* veth1 was in snapshot 1 only, which is gone: so is its entry */
	for (i = 0; i < s.nifaces; i++)
		if (s.ifaces[i].used)
			assert_string_not_equal(s.ifaces[i].name, "veth1");
	assert_false(lw_snapshots_get_if(&s, 2, "veth1", "rx_dropped", &v));

	/* a failed sample loses the oldest snapshot, whose row it used */
	tree_rm(&t, "proc");
	tree_rm(&t, "sys");
	assert_int_equal(lw_snapshots_take(&s, 600, 600), -ENODATA);
	assert_int_equal(lw_snapshots_count(&s), 2);
	assert_int_equal(lw_snapshots_at(&s, 1, NULL)->real_ns, 400);
	assert_int_equal(lw_snapshots_at(&s, 0, NULL)->real_ns, 500);
	base_files(&t);
	take(&s, 700);
	assert_int_equal(lw_snapshots_count(&s), 3);
	assert_int_equal(lw_snapshots_at(&s, 2, NULL)->real_ns, 400);
	assert_int_equal(lw_snapshots_at(&s, 0, NULL)->seq, 6);
	assert_int_equal(get_if(&s, 2, "eth0", "rx_dropped"), 4);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* The same name with another ifindex is another interface. */
static void test_iface_recreated(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	unsigned int i, n = 0;

	(void)state;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	tree_iface(&t, "veth0", 10, 500, 0, 0, 0, 0);
	take(&s, 1);
	tree_iface_rm(&t, "veth0");
	tree_iface(&t, "veth0", 11, 3, 0, 0, 0, 0);
	take(&s, 2);
	assert_int_equal(get_if(&s, 0, "veth0", "rx_dropped"), 3);
	assert_int_equal(get_if(&s, 1, "veth0", "rx_dropped"), 500);
	for (i = 0; i < s.nifaces; i++)
		if (s.ifaces[i].used && !strcmp(s.ifaces[i].name, "veth0"))
			n++;
	assert_int_equal(n, 2);
	/* once the old one has left the ring, one entry is left */
	take(&s, 3);
	take(&s, 4);
	take(&s, 5);
	for (i = 0, n = 0; i < s.nifaces; i++)
		if (s.ifaces[i].used && !strcmp(s.ifaces[i].name, "veth0"))
			n++;
	assert_int_equal(n, 1);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* Snapshots grow wider as interfaces come, and keep what they held. */
static void test_grow(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	unsigned int i, stride;
	char name[16];

	(void)state;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 8), 0);
	take(&s, 1);
	stride = s.stride;
	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "veth%u", i);
		tree_iface(&t, name, 100 + (int)i, i, 0, 0, 0, i * 2);
	}
	take(&s, 2);
	assert_true(s.stride > stride);
	assert_int_equal(lw_snapshots_skipped(&s), 0);
	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "veth%u", i);
		assert_int_equal(get_if(&s, 0, name, "rx_dropped"), i);
		assert_int_equal(get_if(&s, 0, name, "tx_dropped"), i * 2);
	}
	assert_int_equal(get_if(&s, 1, "eth0", "tx_dropped"), 9);
	assert_int_equal(get_cpu(&s, 1, 3, LW_CPU_RUN_DELAY), 400);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* Many CPUs: fewer snapshots, and the ring stays within its bound. */
static void test_memory_bound(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	unsigned int i;
	char name[16];
	size_t ring;

	(void)state;
	base_tree(&t);
	tree_put(&t, "sys/devices/system/cpu/possible", "0-4095\n");
	assert_int_equal(lw_snapshots_init(&s, t.root, 600), 0);
	assert_int_equal(s.ncpu, 4096);
	assert_true(lw_snapshots_history(&s) < 600);
	assert_true(lw_snapshots_history(&s) >= LW_SNAP_MIN_HISTORY);
	ring = (size_t)s.history * ((size_t)s.max_stride * 8 +
				    s.max_stride / 8);
	assert_true(ring <= LW_SNAP_RING_BYTES);
	lw_snapshots_free(&s);

	/* few CPUs, many interfaces: what does not fit is skipped */
	tree_put(&t, "sys/devices/system/cpu/possible", "0-3\n");
	assert_int_equal(lw_snapshots_init(&s, t.root, 600), 0);
	assert_int_equal(lw_snapshots_history(&s), 600);
	ring = (size_t)s.history * ((size_t)s.max_stride * 8 +
				    s.max_stride / 8);
	assert_true(ring <= LW_SNAP_RING_BYTES);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "veth%u", i);
		tree_iface(&t, name, 100 + (int)i, 1, 0, 0, 0, 0);
	}
	take(&s, 1);
	assert_int_equal(s.stride, s.max_stride);
	assert_true(lw_snapshots_skipped(&s) > 0);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* This machine: "lo" and at least one CPU. */
static void test_real_system(void **state)
{
	struct lw_snapshots s;
	uint64_t v;
	uint32_t cpu;
	bool found = false;

	(void)state;
	assert_int_equal(lw_snapshots_init(&s, "", 600), 0);
	assert_true(s.ncpu >= 1);
	assert_int_equal(lw_snapshots_take(&s, 1, 1), 0);
	assert_int_equal(lw_snapshots_take(&s, 2, 2), 0);
	assert_int_equal(lw_snapshots_count(&s), 2);
	assert_true(lw_snapshots_get_if(&s, 0, "lo", "rx_dropped", &v));
	assert_true(lw_snapshots_get_if(&s, 0, "lo", "tx_dropped", &v));
	for (cpu = 0; cpu < s.ncpu; cpu++)
		if (lw_snapshots_get_cpu(&s, 0, cpu, LW_CPU_DROPPED, &v))
			found = true;
	assert_true(found);
	assert_true(lw_snapshots_get_glob(&s, 0, LW_GLOB_NCPUS, &v) && v >= 1);
	assert_true(lw_snapshots_get_glob(&s, 0, LW_GLOB_PROCS_RUNNING, &v) &&
		    v >= 1);
	/* every kernel since 2.6.11 has the steal column, 0 or not */
	assert_true(s.user_hz > 0);
	assert_true(lw_snapshots_get_glob(&s, 0, LW_GLOB_STEAL, &v));
	for (cpu = 0, found = false; cpu < s.ncpu; cpu++)
		if (lw_snapshots_get_cpu(&s, 0, cpu, LW_CPU_STEAL, &v))
			found = true;
	assert_true(found);
	lw_snapshots_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_softnet),
		cmocka_unit_test(test_parse_schedstat),
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_ticks_ns),
		cmocka_unit_test(test_parse_cpulist),
		cmocka_unit_test(test_eth_selected),
		cmocka_unit_test(test_take_all),
		cmocka_unit_test(test_softnet_offline),
		cmocka_unit_test(test_schedstat_file),
		cmocka_unit_test(test_procs_psi),
		cmocka_unit_test(test_stat_file),
		cmocka_unit_test(test_bad_counters),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_iface_recreated),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_memory_bound),
		cmocka_unit_test(test_real_system),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
