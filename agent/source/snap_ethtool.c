// SPDX-License-Identifier: GPL-2.0
/*
 * The driver statistics of a snapshot ("ethtool -S", snapshots.h): when
 * they are due, which of an interface's statistics are worth keeping,
 * reading them, and the default reader, SIOCETHTOOL.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "source/snap_internal.h"

/*
 * SIOCETHTOOL writes as many strings or values as the driver has at that
 * moment, whatever the buffer (all but the newest kernels do). The names
 * are asked for right after their number: room for this many more than
 * it had just before, in case it grew in between (ethtool(8) takes the
 * same chance without the margin).
 */
#define LW_ETH_SLACK		256

static int lw_ioctl_eth(struct lw_snapshots *s, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = data;
	if (ioctl(s->eth_fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	return 0;
}

static int lw_ioctl_count(void *ctx, const char *ifname)
{
	/* struct ethtool_sset_info and one u32 for the one set asked for */
	uint64_t buf[(sizeof(struct ethtool_sset_info) + 4 + 7) / 8] = { 0 };
	struct ethtool_sset_info *info = (struct ethtool_sset_info *)buf;
	int ret;

	info->cmd = ETHTOOL_GSSET_INFO;
	info->sset_mask = 1ull << ETH_SS_STATS;
	ret = lw_ioctl_eth(ctx, ifname, info);
	if (ret)
		return ret;
	if (!(info->sset_mask & (1ull << ETH_SS_STATS)))
		return 0;
	return info->data[0] > INT_MAX ? INT_MAX : (int)info->data[0];
}

static int lw_ioctl_names(void *ctx, const char *ifname,
			  char (*names)[LW_ETH_NAME_LEN], unsigned int n)
{
	size_t room = (size_t)(n + LW_ETH_SLACK) * ETH_GSTRING_LEN;
	struct ethtool_gstrings *gs = calloc(1, sizeof(*gs) + room);
	int ret;

	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = n;
	ret = lw_ioctl_eth(ctx, ifname, gs);
	if (!ret && gs->len != n)
		ret = -EAGAIN;
	if (!ret)
		memcpy(names, gs->data, (size_t)n * ETH_GSTRING_LEN);
	free(gs);
	return ret;
}

/*
 * Room for the header and n values that ends where a page the process
 * may not write begins: the values are read without asking for their
 * number first (that would take the RTNL lock once more), and a driver
 * that has more now makes the kernel's copy fail there (EFAULT) rather
 * than write past the buffer.
 */
static struct ethtool_stats *lw_eth_stats_buf(struct lw_snapshots *s,
					      unsigned int n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t need = sizeof(struct ethtool_stats) + (size_t)n * 8;
	size_t len = (need + page - 1) / page * page + page;
	char *m;

	if (len > s->eth_map_len) {
		m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		if (mprotect(m + len - page, page, PROT_NONE)) {
			munmap(m, len);
			return NULL;
		}
		lw_snap_ioctl_free(s);
		s->eth_map = m;
		s->eth_map_len = len;
	}
	m = s->eth_map;
	return (struct ethtool_stats *)(m + s->eth_map_len - page - need);
}

void lw_snap_ioctl_free(struct lw_snapshots *s)
{
	if (s->eth_map)
		munmap(s->eth_map, s->eth_map_len);
	s->eth_map = NULL;
	s->eth_map_len = 0;
}

static int lw_ioctl_values(void *ctx, const char *ifname, uint64_t *vals,
			   unsigned int n)
{
	struct lw_snapshots *s = ctx;
	struct ethtool_stats *st = lw_eth_stats_buf(s, n);
	int ret;

	if (!st)
		return -ENOMEM;
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = n;
	ret = lw_ioctl_eth(s, ifname, st);
	if (ret)
		return ret;
	if (st->n_stats != n)
		return -EAGAIN;
	memcpy(vals, st->data, (size_t)n * sizeof(*vals));
	return 0;
}

const struct lw_ethtool_ops lw_snap_ioctl_ops = {
	.count	= lw_ioctl_count,
	.names	= lw_ioctl_names,
	.values	= lw_ioctl_values,
};

/* ---- choosing and reading the statistics ---- */

bool lw_eth_name_selected(const char *name)
{
	static const char *const words[] = {
		"drop", "miss", "discard", "fifo", "no_buf", "nobuf", "squeeze",
	};
	char low[LW_ETH_NAME_LEN];
	size_t i, n = strnlen(name, LW_ETH_NAME_LEN - 1);
	const char *p;

	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	if (strstr(low, "xdp"))
		return false;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return true;
	for (p = low; (p = strstr(p, "over")); p++)
		if (p == low || !isalpha((unsigned char)p[-1]))
			return true;
	return false;
}

/* Choose the driver statistics to sample. */
static void lw_eth_discover(struct lw_snapshots *s, struct lw_iface *e,
			    unsigned int n)
{
	char (*names)[LW_ETH_NAME_LEN];
	uint32_t slot;
	unsigned int i;

	names = calloc(n, sizeof(*names));
	if (!names)
		return;
	if (s->eth->names(s->eth_ctx, e->name, names, n)) {
		free(names);
		return;
	}
	for (i = 0; i < n; i++) {
		names[i][LW_ETH_NAME_LEN - 1] = '\0';
		if (!lw_eth_name_selected(names[i]))
			continue;
		if (e->neth == LW_ETH_MAX_PER_IF) {
			s->skipped++;
			continue;
		}
		slot = lw_snap_slot_alloc(s);
		if (slot == LW_NO_SLOT)
			continue;
		e->eth_index[e->neth] = i;
		e->eth_slot[e->neth] = slot;
		strcpy(e->eth_name[e->neth], names[i]);
		e->neth++;
	}
	free(names);
	e->eth_total = n;
	e->eth_known = true;
	/* nothing worth sampling: as good as no statistics */
	if (!e->neth)
		e->eth_none = true;
}

/*
 * Once a period on a steady grid, so that late ticks do not stretch it;
 * one behind by a whole period or more starts the grid again.
 */
bool lw_snap_eth_due(struct lw_snapshots *s, uint64_t mono_ns)
{
	bool due;

	if (!s->eth)
		return false;
	due = !s->eth_started || mono_ns >= s->eth_next_mono;
	if (due) {
		if (s->eth_started &&
		    mono_ns - s->eth_next_mono < s->eth_period_ns)
			s->eth_next_mono += s->eth_period_ns;
		else
			s->eth_next_mono = mono_ns + s->eth_period_ns;
		s->eth_started = true;
	}
	return due || mono_ns < s->eth_until_mono;
}

/*
 * Before the sysfs counters of an interface with a bus: learn which
 * driver statistics it has, and whether to read them this time (*read).
 * Their number is asked for only the first time and after a reading
 * failed: when it changed, the driver's array means something else now,
 * so the interface starts afresh in a new entry (which may be NULL if the
 * table is full: then it is left out of this snapshot).
 */
struct lw_iface *lw_snap_eth_prepare(struct lw_snapshots *s,
				     struct lw_iface *e, bool *read)
{
	struct lw_iface *ne;
	int n;

	*read = false;
	if (!s->eth || e->eth_none)
		return e;
	if (e->eth_known && !e->eth_stale) {
		*read = true;
		return e;
	}
	n = s->eth->count(s->eth_ctx, e->name);
	if (n == 0 || n == -EOPNOTSUPP || n > LW_ETH_MAX_STATS) {
		e->eth_none = true;
		return e;
	}
	if (n < 0)
		return e;	/* try again next time */
	e->eth_stale = false;
	if (!e->eth_known || (unsigned int)n != e->eth_total) {
		if (e->eth_known) {
			ne = lw_snap_iface_renew(s, e);
			if (!ne)
				return NULL;
			e = ne;
		}
		lw_eth_discover(s, e, (unsigned int)n);
	}
	*read = e->eth_known && !e->eth_none;
	return e;
}

/*
 * A reading that fails (their number changed: EAGAIN, EFAULT; or
 * anything else) has them counted again before the next one.
 */
void lw_snap_eth_read(struct lw_snapshots *s, struct lw_iface *e,
		      unsigned int *stored)
{
	unsigned int i, n = e->eth_total;

	if (n > s->eth_vals_cap) {
		uint64_t *v = realloc(s->eth_vals, (size_t)n * sizeof(*v));

		if (!v)
			return;
		s->eth_vals = v;
		s->eth_vals_cap = n;
	}
	if (s->eth->values(s->eth_ctx, e->name, s->eth_vals, n)) {
		e->eth_stale = true;
		return;
	}
	for (i = 0; i < e->neth; i++)
		lw_snap_store(s, e->eth_slot[i], s->eth_vals[e->eth_index[i]],
			      stored);
}
