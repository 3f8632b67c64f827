// SPDX-License-Identifier: GPL-2.0
/*
 * The driver statistics of the snapshots: from interfaces with a bus
 * only, once a period, and in every snapshot around an event.
 */
#include <errno.h>
#include <stdbool.h>

#include "testutil.h"
#include "fixtures/snapshots/tree.h"
#include "fixtures/snapshots/sample.h"
#include "source/snapshots.h"

static void fake_if_init(struct fake_if *fi, const char *name)
{
	static const char *const names[] = {
		"rx_packets", "rx_queue_0_drops", "rx_xdp_drop",
		"rx_missed", "tx_recover", "rx_fifo_overflow",
	};
	unsigned int i;

	memset(fi, 0, sizeof(*fi));
	fi->name = name;
	fi->n = 6;
	for (i = 0; i < 6; i++) {
		fi->names[i] = names[i];
		fi->vals[i] = 100 * (i + 1);
	}
}

/* Whether snapshot -back read the driver statistics of eth0. */
static bool has_eth(const struct lw_snapshots *s, unsigned int back)
{
	uint64_t v;

	return lw_snapshots_get_if(s, back, "eth0", "rx_queue_0_drops", &v);
}

static void test_ethtool(void **state)
{
	struct fake_eth f;
	struct lw_snapshots s;
	struct tree t;
	unsigned int i;
	uint64_t v;

	(void)state;
	memset(&f, 0, sizeof(f));
	fake_if_init(&f.ifs[0], "eth0");
	fake_if_init(&f.ifs[1], "lo");
	f.nifs = 2;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 8), 0);
	lw_snapshots_set_ethtool(&s, fake_ops(), &f);
	s.eth_period_ns = 0;	/* due in every snapshot */
	take(&s, 1);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_queue_0_drops"), 200);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_missed"), 400);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_fifo_overflow"), 600);
	assert_false(lw_snapshots_get_if(&s, 0, "eth0", "rx_packets", &v));
	assert_false(lw_snapshots_get_if(&s, 0, "eth0", "rx_xdp_drop", &v));
	assert_false(lw_snapshots_get_if(&s, 0, "eth0", "tx_recover", &v));
	/* lo has statistics, but no bus: it is not asked */
	assert_false(lw_snapshots_get_if(&s, 0, "lo", "rx_queue_0_drops", &v));
	assert_int_equal(f.count_calls, 1);
	assert_int_equal(f.names_calls, 1);
	assert_int_equal(f.values_calls, 1);
	assert_true(lw_snapshots_at(&s, 0, NULL)->eth);

	/* known: one request a reading, for the values */
	f.ifs[0].vals[1] = 250;
	take(&s, 2);
	assert_int_equal(f.count_calls, 1);
	assert_int_equal(f.names_calls, 1);
	assert_int_equal(f.values_calls, 2);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_queue_0_drops"), 250);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped"), 5);

	/* values() failing: only the driver counters are missing ... */
	f.ifs[0].values_fail = true;
	take(&s, 3);
	assert_false(has_eth(&s, 0));
	assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped"), 5);
	f.ifs[0].values_fail = false;
	/* ... and their number is asked for again before the next reading */
	take(&s, 4);
	assert_int_equal(f.count_calls, 2);
	assert_int_equal(f.names_calls, 1);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_queue_0_drops"), 250);

	/* a passing error asking for it: asked again at each sample */
	f.ifs[0].values_fail = true;
	f.ifs[0].err = -EBUSY;
	take(&s, 5);
	assert_int_equal(f.count_calls, 2);
	f.ifs[0].values_fail = false;
	take(&s, 6);
	take(&s, 7);
	assert_int_equal(f.count_calls, 4);
	assert_false(has_eth(&s, 0));
	f.ifs[0].err = 0;
	take(&s, 8);
	assert_int_equal(f.count_calls, 5);
	assert_true(has_eth(&s, 0));

	/*
	 * The driver's set changed: the reading fails (another number of
	 * values), then names again, in a new entry.
	 */
	f.ifs[0].n = 2;
	f.ifs[0].names[0] = "rx_dropped_frames";
	f.ifs[0].names[1] = "rx_bytes";
	f.ifs[0].vals[0] = 77;
	take(&s, 9);
	assert_false(has_eth(&s, 0));
	take(&s, 10);
	assert_int_equal(f.names_calls, 2);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped_frames"), 77);
	assert_false(lw_snapshots_get_if(&s, 0, "eth0", "rx_missed", &v));
	assert_int_equal(get_if(&s, 2, "eth0", "rx_missed"), 400);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped"), 5);

	/* no more than LW_ETH_MAX_PER_IF per interface */
	f.ifs[0].n = 40;
	for (i = 0; i < 40; i++) {
		f.ifs[0].names[i] = "rx_queue_N_drops";
		f.ifs[0].vals[i] = i;
	}
	take(&s, 11);
	take(&s, 12);
	assert_int_equal(lw_snapshots_skipped(&s), 40 - LW_ETH_MAX_PER_IF);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* Only interfaces with a device link have driver statistics read. */
static void test_ethtool_bus(void **state)
{
	static const char *const names[] = {
		"veth0", "br0", "bond0", "tun0", "vxlan0", "eth1",
	};
	struct fake_eth f;
	struct lw_snapshots s;
	struct tree t;
	unsigned int i;

	(void)state;
	memset(&f, 0, sizeof(f));
	for (i = 0; i < 4; i++)
		fake_if_init(&f.ifs[i], names[i]);
	f.nifs = 4;
	base_tree(&t);
	for (i = 0; i < 6; i++)
		tree_iface(&t, names[i], 10 + (int)i, 0, 0, 0, 0, 0);
	/* a VF: it has a bus, and no driver statistics */
	tree_iface_bus(&t, "eth1");
	assert_int_equal(lw_snapshots_init(&s, t.root, 8), 0);
	lw_snapshots_set_ethtool(&s, fake_ops(), &f);
	s.eth_period_ns = 0;
	for (i = 1; i <= 5; i++)
		take(&s, i);
	/* eth0 (not in the fake: none) and eth1, once each, and never again */
	assert_int_equal(f.count_calls, 2);
	assert_int_equal(f.names_calls, 0);
	assert_int_equal(f.values_calls, 0);
	/* whether it has a bus is decided when it comes, not at each sample */
	tree_iface_bus(&t, "veth0");
	take(&s, 6);
	assert_int_equal(f.count_calls, 2);
	tree_iface_rm(&t, "veth0");
	tree_iface(&t, "veth0", 20, 0, 0, 0, 0, 0);
	tree_iface_bus(&t, "veth0");
	take(&s, 7);
	assert_int_equal(f.count_calls, 3);
	assert_int_equal(f.values_calls, 1);
	lw_snapshots_free(&s);
	tree_free(&t);
}

#define MS	(1000ull * 1000)

/* Once a second, on a grid that late ticks do not stretch. */
static void test_ethtool_cadence(void **state)
{
	struct fake_eth f;
	struct lw_snapshots s;
	struct tree t;
	unsigned int k, nread = 0;
	uint64_t mono;

	(void)state;
	memset(&f, 0, sizeof(f));
	fake_if_init(&f.ifs[0], "eth0");
	f.nifs = 1;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 64), 0);
	lw_snapshots_set_ethtool(&s, fake_ops(), &f);
	assert_true(s.eth_period_ns == LW_ETH_PERIOD_NS);
	/* 100 ms ticks, each a little late, some later than others */
	for (k = 0; k < 31; k++) {
		mono = 5000 * MS + k * 100 * MS + (k % 3) * 2 * MS;
		assert_int_equal(lw_snapshots_take(&s, mono, mono), 0);
		if (lw_snapshots_at(&s, 0, NULL)->eth) {
			assert_true(has_eth(&s, 0));
			nread++;
		} else {
			assert_false(has_eth(&s, 0));
		}
		/* the sysfs counters are in every one */
		assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped"), 5);
	}
	/* at 0, 1, 2 and 3 s: four in 3.0 s, one request each */
	assert_int_equal(nread, 4);
	assert_int_equal(f.values_calls, 4);
	for (k = 0; k < 31; k++)
		assert_int_equal(lw_snapshots_at(&s, 30 - k, NULL)->eth,
				 k % 10 == 0);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* Around an event: in every snapshot until the time given. */
static void test_ethtool_burst(void **state)
{
	struct fake_eth f;
	struct lw_snapshots s;
	struct tree t;
	unsigned int k;
	uint64_t mono;
	bool want;

	(void)state;
	memset(&f, 0, sizeof(f));
	fake_if_init(&f.ifs[0], "eth0");
	f.nifs = 1;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 64), 0);
	lw_snapshots_set_ethtool(&s, fake_ops(), &f);
	for (k = 0; k < 25; k++) {
		mono = 1000 * MS + k * 100 * MS;
		/*
		 * An event held from 0.35 s to 0.6 s: the agent moves the
		 * time on by an interval and a half at each tick, so the
		 * readings go on one tick after the last.
		 */
		if (k >= 4 && k <= 6)
			lw_snapshots_eth_burst(&s, mono - 100 * MS + 150 * MS);
		/* a shorter time given later does not cut it short */
		if (k == 6)
			lw_snapshots_eth_burst(&s, mono);
		assert_int_equal(lw_snapshots_take(&s, mono, mono), 0);
		want = k % 10 == 0 || (k >= 4 && k <= 6);
		if (lw_snapshots_at(&s, 0, NULL)->eth != want)
			fail_msg("snapshot %u: eth %d", k, !want);
		assert_int_equal(has_eth(&s, 0), want);
	}
	/* the second's readings stay on their grid: 0, 1 and 2 s */
	assert_int_equal(f.values_calls, 3 + 3);
	lw_snapshots_free(&s);
	tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethtool),
		cmocka_unit_test(test_ethtool_bus),
		cmocka_unit_test(test_ethtool_cadence),
		cmocka_unit_test(test_ethtool_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
